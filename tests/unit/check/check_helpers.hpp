// Helpers for checker tests: check a source string, look at types and messages.
#pragma once

#include <optional>
#include <string>

#include "compiler/check/check.hpp"

namespace deal::test {

struct Checked {
  SourceManager sm;
  Diagnostics diags;
  std::optional<check::Program> program;
  std::string messages;  // every rendered diagnostic

  bool ok() const { return program.has_value(); }
};

// Checks `src` as the file "t.deal". Unless the source has one, a quarterly calendar
// for 2025 is prepended on its own line (so line numbers shift by one).
inline Checked check_source(const std::string& src, bool add_calendar = true) {
  Checked c;
  std::string text = src;
  if (add_calendar && src.find("calendar") == std::string::npos)
    text = "calendar 2025Q1 .. 2025Q4 step quarter\n" + src;
  auto modules = check::load_source("t.deal", text, c.sm, c.diags);
  if (!c.diags.has_errors()) c.program = check::check_program(modules, c.sm, c.diags);
  c.messages = render_all(c.sm, c.diags);
  return c;
}

// The type of param `name` in a program that checked cleanly, as the checker describes
// it ("Money ($)", "Flow ($/y)", …), or the error messages when it did not check.
inline std::string param_type(const std::string& src, const std::string& name = "x") {
  Checked c = check_source(src);
  if (!c.ok()) return "error: " + c.messages;
  const auto& p = c.program->params[c.program->find_param(name)];
  return check::describe(p.type, c.program->units);
}

inline std::string type_of(const std::string& expr, const std::string& prelude = "unit GW\n") {
  return param_type(prelude + "param x = " + expr + "\n");
}

}  // namespace deal::test
