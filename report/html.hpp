// `deal report`: one self-contained HTML page (no external files; its CSS and script,
// report/assets/, are inline) with the deal web (zoom, pan, tooltips, a party's deals
// highlighted on a click), a chart per tracked series (percentile fans for Monte Carlo
// runs), Monte Carlo charts of defaults, losses and recoveries, the defaults with their
// causes, the parties, the analyses and the ledger (sortable tables). docs/report.md.
#pragma once

#include <string>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::report {

struct ReportInput {
  const rt::Model& model;
  const rt::RunResult& result;  // analyses attached when computed
  std::string file;             // the program, for the title
  std::string network_svg;      // the deal web (Graphviz SVG); empty: a built-in drawing is used
  // `--baseline SCENARIO`: a run drawn on every series chart for comparison (its values,
  // or medians for Monte Carlo), matched by series label; null: none.
  const rt::RunResult* baseline = nullptr;
  // `--sensitivity`: the tornado charts (report::sensitivity_svg) shown in a section; empty: none.
  std::string sensitivity_svg{};
};

std::string html_report(const ReportInput& in);

// A line chart of one series as inline SVG (exposed for tests).
// `baseline`, if given, is drawn as a grey dashed line labelled `baseline_label`.
std::string series_chart_svg(const rt::SeriesOutcome& s, const std::vector<rt::Date>& dates, rt::StepUnit unit,
                             bool monte_carlo, const std::vector<double>* baseline = nullptr,
                             const std::string& baseline_label = "");

}  // namespace deal::report
