#include "tools/frontend.hpp"

#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

namespace deal::cli {

void print_diagnostics(const Loaded& l) {
  std::string text = render_all(l.sm, l.diags, isatty(2) && !std::getenv("NO_COLOR"));
  if (!text.empty()) fmt::print(stderr, "{}", text);
}

Loaded load_and_check(const std::string& path, bool check) {
  Loaded l;
  l.modules = check::load_program(path, l.sm, l.diags);
  if (check && !l.diags.has_errors()) l.program = check::check_program(l.modules, l.sm, l.diags);
  return l;
}

}  // namespace deal::cli
