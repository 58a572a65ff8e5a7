// The `deal` command-line program: check, run, repl, graph, report, --emit.
// Exit codes: 0 success, 1 the program has errors, 2 usage error, 3 a run failed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "compiler/ast/parse.hpp"
#include "tools/cmd_run.hpp"
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
  return deal::cli::cmd_emit_code(what, path);
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

  deal::cli::RunArgs run_args;
  long long paths = 0;
  unsigned long long seed = 0;
  auto* run = app.add_subcommand("run", "Run scenarios: defaults, tracked series, ledger (exit 3 if a run fails)");
  run->add_option("file", run_args.file, "The .deal program")->required();
  auto* scen = run->add_option("--scenario,-s", run_args.scenario, "The scenario to run");
  run->add_flag("--all", run_args.all, "Run every scenario")->excludes(scen);
  run->add_option("--set", run_args.sets, "Override a param: NAME=VALUE, VALUE a .deal constant (e.g. 20%/y)");
  auto* paths_opt = run->add_option("--paths", paths, "Monte Carlo paths (default: the scenario's)")->check(CLI::PositiveNumber);
  auto* seed_opt = run->add_option("--seed", seed, "Random seed (default: the scenario's)");
  run->add_option("--format,-f", run_args.format, "table, csv or json (default: table on a terminal, json otherwise)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  run->add_option("--out", run_args.out, "Also write result.json, series.csv, report.txt and ledger.csv into DIR");
  run->add_flag("--check-ledger", run_args.check_ledger, "Verify conservation of money after every clearing round and step");
  run->add_flag("--time", run_args.timings, "Print the time of each phase (check, compile, run) to stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (check->parsed()) return cmd_check(check_files, quiet);
  if (run->parsed()) {
    if (*paths_opt) run_args.paths = paths;
    if (*seed_opt) run_args.seed = seed;
    return deal::cli::cmd_run(run_args);
  }
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
