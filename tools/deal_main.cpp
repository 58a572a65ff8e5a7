// The `deal` command-line program: check, run, repl, graph, report, --emit.
// Exit codes: 0 success, 1 the program has errors, 2 usage error, 3 a run failed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "compiler/ast/parse.hpp"
#include "tools/frontend.hpp"

namespace {

int cmd_check(const std::vector<std::string>& files, bool quiet) {
  int status = 0;
  for (const auto& path : files) {
    deal::cli::Loaded l = deal::cli::load_and_check(path);
    deal::cli::print_diagnostics(l);
    if (l.diags.has_errors()) status = 1;
    else if (!quiet) fmt::print("{}: ok\n", path);
  }
  return status;
}

int cmd_emit(const std::string& what, const std::string& path) {
  if (what == "ast") {
    deal::cli::Loaded l = deal::cli::load_and_check(path, /*check=*/false);
    deal::cli::print_diagnostics(l);
    if (l.diags.has_errors()) return 1;
    // The root file only: imports are printed as `import` lines.
    fmt::print("{}", deal::ast::print(l.modules.front()));
    return 0;
  }
  fmt::print(stderr, "deal: --emit {} is not available yet (ast is)\n", what);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"deal — a scenario language for networks of contracts"};
  app.require_subcommand(0, 1);
  std::string emit, emit_file;
  app.add_option("--emit", emit, "Print a compiler stage for FILE: ast, ir or asm")
      ->check(CLI::IsMember({"ast", "ir", "asm"}));
  app.add_option("file", emit_file, "The .deal file for --emit");

  std::vector<std::string> check_files;
  bool quiet = false;
  auto* check = app.add_subcommand("check", "Parse and type-check .deal files; print diagnostics (exit 1 on errors)");
  check->add_option("files", check_files, "Files to check")->required();
  check->add_flag("-q,--quiet", quiet, "Print nothing for files without errors");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (check->parsed()) return cmd_check(check_files, quiet);
  if (!emit.empty()) {
    if (emit_file.empty()) {
      fmt::print(stderr, "deal: --emit {} needs a FILE\n", emit);
      return 2;
    }
    return cmd_emit(emit, emit_file);
  }
  fmt::print("{}", app.help());
  return 2;
}
