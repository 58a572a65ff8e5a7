// `deal report FILE --scenario NAME --html OUT.html`: a self-contained page.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "engine/sensitivity.hpp"
#include "report/graph.hpp"
#include "report/sensitivity.hpp"
#include "report/html.hpp"
#include "tools/cli.hpp"
#include "tools/commands.hpp"

namespace deal::cli {
namespace {

struct ReportArgs {
  std::string file, scenario, html, analyses, baseline;
  bool sensitivity = false;
  std::vector<std::string> sets, import_paths;
  RunFlags flags;
} args;

int run_report() {
  int exit_code = 0;
  auto program = open_program(args.file, exit_code, load_options(args.import_paths));
  if (!program) return exit_code;
  const rt::Model& model = program->model();
  int k = choose_scenario(*program, args.scenario, args.file);
  if (k < 0) return 2;
  rt::RunOptions opts;
  if (!apply_run_flags(args.flags, opts)) return 2;
  if (!apply_sets(args.sets, *program, opts)) return 2;
  // The analyses, on path 0 for a Monte Carlo run.
  engine::AnalysisRequest analyses;
  if (!parse_analyses(args.analyses.empty() ? "all" : args.analyses, analyses)) return 2;
  std::vector<rt::RunResult> results;
  std::optional<rt::RunResult> baseline;
  std::string network;
  int base_k = args.baseline.empty() ? -1 : choose_scenario(*program, args.baseline, args.file);
  if (!args.baseline.empty() && base_k < 0) return 2;
  try {
    results.push_back(rt::run_scenario(model, k, opts));
    // The baseline as declared (no --set overrides), with the same paths and seed.
    if (base_k >= 0) {
      rt::RunOptions base_opts = opts;
      base_opts.params.clear();
      base_opts.seed = opts.seed.value_or(model.scenarios[size_t(k)].seed);  // common random numbers
      baseline = rt::run_scenario(model, base_k, base_opts);
    }
    if (!attach_analyses(*program, {k}, opts, analyses, results)) return 3;
    if (report::find_dot()) {
      engine::GraphRuns runs = engine::graph_runs(*program, k, opts);
      std::string error;
      if (!report::render_dot(report::deal_graph_dot(model, runs.scheduled, &runs.actual, ""), "svg", network, error)) {
        fmt::print(stderr, "deal report: warning: {}; using the built-in drawing\n", error);
        network.clear();
      }
    }
  } catch (const rt::RunError& e) {
    print_run_error(e);
    return 3;
  }
  std::string tornado;
  if (args.sensitivity) {
    // Every param bumped; every party's default and final equity, 8 bars each (engine/sensitivity.hpp).
    engine::SensitivityRequest request;
    request.scenario = k;
    request.options = opts;
    request.metrics = {"defaults", "equity"};
    try {
      tornado = report::sensitivity_svg(engine::sensitivity(*program, request), 8);
    } catch (const std::exception& e) {
      print_run_error(e);
      return 3;
    }
  }
  std::string page =
      report::html_report({model, results[0], args.file, network, baseline ? &*baseline : nullptr, tornado});
  std::ofstream out(args.html, std::ios::binary);
  out << page;
  if (!out) {
    fmt::print(stderr, "deal report: cannot write '{}'\n", args.html);
    return 3;
  }
  fmt::print(stderr, "deal report: wrote {} ({} kB)\n", args.html, page.size() / 1024);
  return 0;
}

Register report_command(
    {50,
     [](CLI::App& app) {
       auto* r = app.add_subcommand("report", "Write a self-contained HTML report of a scenario");
       r->add_option("file", args.file, "The .deal program")->required();
       r->add_option("--scenario,-s", args.scenario, "The scenario");
       r->add_option("--html", args.html, "The page to write")->required();
       r->add_option("--set", args.sets, "Override a param: NAME=VALUE");
       add_run_flags(r, args.flags);
       r->add_option("--analyses", args.analyses, "Which analyses (default: all)");
       r->add_option("--baseline", args.baseline, "Draw this scenario's series on every chart, for comparison")
           ->type_name("SCENARIO");
       r->add_flag("--sensitivity", args.sensitivity,
                   "Add tornado charts: every param bumped ±10% (rates ±1%/y), each party's default and final equity");
       add_import_path_option(r, args.import_paths);
       return r;
     },
     run_report});

}  // namespace
}  // namespace deal::cli
