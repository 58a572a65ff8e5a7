// The `deal` command-line program: check, run, repl, graph, report, --emit.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "compiler/ast/parse.hpp"
#include "compiler/diagnostics.hpp"

namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

int cmd_check(const std::vector<std::string>& files) {
  deal::SourceManager sm;
  deal::Diagnostics diags;
  for (const auto& path : files) {
    std::string text;
    if (!read_file(path, text)) {
      fmt::print(stderr, "{}: error: cannot read file\n", path);
      return 1;
    }
    uint32_t id = sm.add(path, std::move(text));
    deal::ast::parse_module(sm, id, diags);
  }
  fmt::print(stderr, "{}", deal::render_all(sm, diags, isatty(2)));
  return diags.has_errors() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"deal — scenario language for networks of contracts"};
  app.require_subcommand(1);
  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "Parse and type-check .deal files; print diagnostics");
  check->add_option("files", check_files, "Files to check")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (check->parsed()) return cmd_check(check_files);
  return 2;
}
