// `deal graph FILE [--scenario NAME] [--format dot|svg|png] [-o OUT]`: the deal web.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "report/graph.hpp"
#include "tools/cli.hpp"
#include "tools/commands.hpp"

namespace deal::cli {
namespace {

struct GraphArgs {
  std::string file, scenario, format = "dot", output;
  std::vector<std::string> sets, import_paths;
} args;

int run_graph() {
  int exit_code = 0;
  auto program = open_program(args.file, exit_code, load_options(args.import_paths));
  if (!program) return exit_code;
  // Without --scenario the picture shows the program's first scenario, unhighlighted.
  int k = args.scenario.empty() ? 0 : choose_scenario(*program, args.scenario, args.file);
  if (k < 0) return 2;
  rt::RunOptions opts;
  if (!apply_sets(args.sets, *program, opts)) return 2;
  std::string dot;
  try {
    engine::GraphRuns runs = engine::graph_runs(*program, k, opts);
    std::string title = args.scenario.empty() ? args.file : fmt::format("{} — scenario {}", args.file, args.scenario);
    dot =
        report::deal_graph_dot(program->model(), runs.scheduled, args.scenario.empty() ? nullptr : &runs.actual, title);
  } catch (const rt::RunError& e) {
    print_run_error(e);
    return 3;
  }
  std::string out = dot;
  if (args.format != "dot") {
    std::string error;
    if (!report::render_dot(dot, args.format, out, error)) {
      fmt::print(stderr, "deal graph: {}\n", error);
      return 3;
    }
  }
  if (args.output.empty() || args.output == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    std::ofstream f(args.output, std::ios::binary);
    f << out;
    if (!f) {
      fmt::print(stderr, "deal graph: cannot write '{}'\n", args.output);
      return 3;
    }
  }
  return 0;
}

Register graph_command({40,
                        [](CLI::App& app) {
                          auto* g = app.add_subcommand("graph", "Draw the deal web: parties as nodes, deals as edges");
                          g->add_option("file", args.file, "The .deal program")->required();
                          g->add_option("--scenario,-s", args.scenario,
                                        "Run this scenario and highlight defaults and short-paid deals");
                          g->add_option("--format,-f", args.format, "dot (text), svg or png (these need Graphviz)")
                              ->check(CLI::IsMember({"dot", "svg", "png"}));
                          g->add_option("--output,-o", args.output, "Write to this file instead of standard output");
                          g->add_option("--set", args.sets, "Override a param: NAME=VALUE");
                          add_import_path_option(g, args.import_paths);
                          return g;
                        },
                        run_graph});

}  // namespace
}  // namespace deal::cli
