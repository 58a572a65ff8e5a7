// `deal report FILE --scenario NAME --html OUT.html`: a self-contained page.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>

#include "tools/commands.hpp"
#include "tools/graph.hpp"
#include "tools/html_report.hpp"
#include "tools/session.hpp"

namespace deal::cli {
namespace {

struct ReportArgs {
  std::string file, scenario, html, analyses;
  std::vector<std::string> sets;
  long long paths = 0;
  unsigned long long seed = 0;
  CLI::Option *paths_opt = nullptr, *seed_opt = nullptr;
} args;

int run_report() {
  int exit_code = 0;
  auto session = open_session(args.file, exit_code);
  if (!session) return exit_code;
  const rt::Model& model = session->model;
  int k = choose_scenario(model, args.scenario, args.file);
  if (k < 0) return 2;
  rt::RunOptions opts;
  if (*args.paths_opt) opts.paths = args.paths;
  if (*args.seed_opt) opts.seed = args.seed;
  if (!parse_param_sets(args.sets, session->program(), opts)) return 2;
  std::vector<rt::RunResult> results;
  std::string network;
  try {
    results.push_back(rt::run_scenario(model, k, opts));
    // The analyses, on path 0 for a Monte Carlo run.
    std::string spec = args.analyses.empty() ? "all" : args.analyses;
    if (!attach_analyses(spec, model, {k}, opts, results)) return 2;
    if (find_dot()) {
      rt::RunOptions one = opts;
      one.paths = 1;
      rt::RunOptions full = one;
      full.pay_in_full = true;
      rt::RunResult scheduled = rt::run_scenario(model, k, full);
      rt::RunResult actual = rt::run_scenario(model, k, one);
      std::string error;
      if (!render_dot(deal_graph_dot(model, scheduled, &actual, ""), "svg", network, error)) {
        fmt::print(stderr, "deal report: warning: {}; using the built-in drawing\n", error);
        network.clear();
      }
    }
  } catch (const rt::RunError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 3;
  }
  std::string page = html_report({model, results[0], args.file, network});
  std::ofstream out(args.html, std::ios::binary);
  out << page;
  if (!out) {
    fmt::print(stderr, "deal report: cannot write '{}'\n", args.html);
    return 3;
  }
  fmt::print(stderr, "deal report: wrote {} ({} kB)\n", args.html, page.size() / 1024);
  return 0;
}

Register report_command({50,
                         [](CLI::App& app) {
                           auto* r = app.add_subcommand("report", "Write a self-contained HTML report of a scenario");
                           r->add_option("file", args.file, "The .deal program")->required();
                           r->add_option("--scenario,-s", args.scenario, "The scenario");
                           r->add_option("--html", args.html, "The page to write")->required();
                           r->add_option("--set", args.sets, "Override a param: NAME=VALUE");
                           args.paths_opt = r->add_option("--paths", args.paths, "Monte Carlo paths")->check(CLI::PositiveNumber);
                           args.seed_opt = r->add_option("--seed", args.seed, "Random seed");
                           r->add_option("--analyses", args.analyses, "Which analyses (default: all)");
                           return r;
                         },
                         run_report});

}  // namespace
}  // namespace deal::cli
