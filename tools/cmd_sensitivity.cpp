// `deal sensitivity FILE --scenario S [--params p,q] [--bump 10%] [--metric …]
// [--threshold PARTY] [--svg OUT.svg]`: a tornado of one-at-a-time bumps
// (engine/sensitivity.hpp; how to read it: docs/workflow.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "engine/sensitivity.hpp"
#include "report/sensitivity.hpp"
#include "tools/cli.hpp"
#include "tools/commands.hpp"
#include "tools/distributed.hpp"

namespace deal::cli {
namespace {

struct SensitivityArgs {
  std::string file, scenario, format, bump = "10%", rate_bump = "1%/y", threshold, svg;
  std::vector<std::string> sets, params, metrics, import_paths;
  size_t top = 15;
  RunFlags flags;
} args;

// "10%", "0.1" → 0.1; "1%/y" (a rate) → 0.01. False for anything else.
bool parse_share(std::string text, bool rate, double& out) {
  if (rate && text.size() > 2 && text.substr(text.size() - 2) == "/y") text.resize(text.size() - 2);
  bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0) return false;
  out = percent ? v / 100 : v;
  return true;
}

int run_sensitivity() {
  int exit_code = 0;
  auto program = open_program(args.file, exit_code, load_options(args.import_paths));
  if (!program) return exit_code;
  engine::SensitivityRequest request;
  request.scenario = choose_scenario(*program, args.scenario, args.file);
  if (request.scenario < 0) return 2;
  if (!parse_share(args.bump, false, request.bump)) {
    fmt::print(stderr, "deal sensitivity: --bump {}: expected a share, e.g. 10% or 0.1\n", args.bump);
    return 2;
  }
  if (!parse_share(args.rate_bump, true, request.rate_bump)) {
    fmt::print(stderr, "deal sensitivity: --rate-bump {}: expected a rate, e.g. 1%/y or 0.01\n", args.rate_bump);
    return 2;
  }
  if (!apply_run_flags(args.flags, request.options)) return 2;
  if (!apply_sets(args.sets, *program, request.options)) return 2;
  request.options.distribution = distribution();
  request.params = args.params;
  request.metrics = args.metrics;
  if (!args.threshold.empty()) request.threshold_party = args.threshold;
  std::string format = args.format.empty() ? (isatty(1) ? "table" : "json") : args.format;
  // A progress line on a terminal's stderr, erased at the end (the runs may take minutes
  // for a Monte Carlo scenario).
  bool show_progress = isatty(2) && !(std::getenv("TERM") && std::string(std::getenv("TERM")) == "dumb");
  bool drawn = false;
  if (show_progress)
    request.progress = [&drawn](const char* phase, long long done, long long total) {
      fmt::print(stderr, "\rdeal sensitivity: {} {}/{}\033[K", phase, done, total);
      std::fflush(stderr);
      drawn = true;
    };
  report::Sensitivity s;
  try {
    s = engine::sensitivity(*program, request);
  } catch (const engine::SensitivityError& e) {
    fmt::print(stderr, "deal sensitivity: {}\n", e.what());
    return 2;
  } catch (const rt::RunError& e) {
    print_run_error(e);
    fmt::print(stderr, "deal: scenario '{}' failed\n", program->model().scenarios[size_t(request.scenario)].name);
    return 3;
  }
  if (drawn) fmt::print(stderr, "\r\033[K");
  if (rank() != 0) return 0;  // distributed: rank 0 reports
  if (format == "json") fmt::print("{}", report::sensitivity_json(s));
  else if (format == "csv") fmt::print("{}", report::sensitivity_csv(s));
  else fmt::print("{}", report::sensitivity_table(s, isatty(1) && !std::getenv("NO_COLOR"), args.top));
  if (!args.svg.empty()) {
    std::ofstream out(args.svg, std::ios::binary);
    out << report::sensitivity_svg(s, args.top);
    if (!out) {
      fmt::print(stderr, "deal sensitivity: cannot write '{}'\n", args.svg);
      return 3;
    }
  }
  return 0;
}

Register sensitivity_command(
    {27,
     [](CLI::App& app) {
       auto* c = app.add_subcommand("sensitivity",
                                    "Bump each param down and up and rank the effects (a tornado); find default "
                                    "thresholds by bisection");
       c->add_option("file", args.file, "The .deal program")->required();
       c->add_option("--scenario,-s", args.scenario, "The scenario");
       c->add_option("--params", args.params, "The params to bump, comma-separated (default: all)")->delimiter(',');
       c->add_option("--bump", args.bump, "Relative bump of dimensioned values and numbers (default 10%)");
       c->add_option("--rate-bump", args.rate_bump, "Absolute bump of rates (default 1%/y)");
       c->add_option("--metric", args.metrics,
                     "defaults | default:PARTY | equity | equity:PARTY | series | series:LABEL, comma-separated "
                     "(default: defaults)")
           ->delimiter(',');
       c->add_option("--threshold", args.threshold,
                     "Find, per param, the value at which PARTY's default flips (single-path scenarios)")
           ->type_name("PARTY");
       c->add_option("--top", args.top, "Bars per tornado (default 15)");
       c->add_option("--svg", args.svg, "Also write the tornado charts as an SVG file")->type_name("OUT.svg");
       c->add_option("--set", args.sets, "Override a param in every run: NAME=VALUE");
       add_run_flags(c, args.flags);
       c->add_option("--format,-f", args.format, "table, csv or json (default: table on a terminal, json otherwise)")
           ->check(CLI::IsMember({"table", "csv", "json"}));
       add_import_path_option(c, args.import_paths);
       return c;
     },
     run_sensitivity,
     /*distributed=*/true});

}  // namespace
}  // namespace deal::cli
