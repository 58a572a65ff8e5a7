// `deal compare FILE A [B] [--set …]`: two runs side by side (engine/compare.hpp). With
// one scenario, `--set` makes the second run; with two, `--set` applies to B only.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include "engine/compare.hpp"
#include "report/compare.hpp"
#include "tools/cli.hpp"
#include "tools/commands.hpp"

namespace deal::cli {
namespace {

struct CompareArgs {
  std::string file, a, b, format;
  std::vector<std::string> sets, import_paths;
  RunFlags flags;
} args;

int run_compare() {
  int exit_code = 0;
  auto program = open_program(args.file, exit_code, load_options(args.import_paths));
  if (!program) return exit_code;
  std::string b_name = args.b.empty() ? args.a : args.b;
  if (args.b.empty() && args.sets.empty()) {
    fmt::print(stderr,
               "deal compare: name a second scenario, or give --set overrides to compare '{}' with "
               "(e.g. deal compare {} {} --set 'NAME=VALUE')\n",
               args.a, args.file, args.a);
    return 2;
  }
  engine::CompareRequest request;
  request.a = choose_scenario(*program, args.a, args.file);
  if (request.a < 0) return 2;
  request.b = choose_scenario(*program, b_name, args.file);
  if (request.b < 0) return 2;
  if (!apply_run_flags(args.flags, request.options_a)) return 2;
  request.options_b = request.options_a;
  if (!apply_sets(args.sets, *program, request.options_b)) return 2;
  // The same seed on both sides (common random numbers): B takes A's unless --seed was given.
  if (!request.options_a.seed)
    request.options_a.seed = request.options_b.seed = program->model().scenarios[size_t(request.a)].seed;
  request.label_a = args.a;
  request.label_b = engine::run_label(b_name, args.sets);
  std::string format = args.format.empty() ? (isatty(1) ? "table" : "json") : args.format;
  try {
    report::Comparison c = engine::compare(*program, request);
    if (format == "json") fmt::print("{}", report::compare_json(c));
    else if (format == "csv") fmt::print("{}", report::compare_csv(c));
    else fmt::print("{}", report::compare_table(c, isatty(1) && !std::getenv("NO_COLOR")));
  } catch (const rt::RunError& e) {
    print_run_error(e);
    return 3;
  }
  return 0;
}

Register compare_command(
    {25,
     [](CLI::App& app) {
       auto* c = app.add_subcommand(
           "compare", "Two scenarios (or one with and without --set) side by side: defaults, balance sheets, series");
       c->add_option("file", args.file, "The .deal program")->required();
       c->add_option("a", args.a, "The first scenario")->required();
       c->add_option("b", args.b, "The second scenario (default: the first, with the --set overrides)");
       c->add_option("--set", args.sets, "Override a param in the second run: NAME=VALUE");
       add_run_flags(c, args.flags);
       c->add_option("--format,-f", args.format, "table, csv or json (default: table on a terminal, json otherwise)")
           ->check(CLI::IsMember({"table", "csv", "json"}));
       add_import_path_option(c, args.import_paths);
       return c;
     },
     run_compare});

}  // namespace
}  // namespace deal::cli
