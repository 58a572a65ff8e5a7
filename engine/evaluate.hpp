// Expressions evaluated against a workspace (the REPL's values, `:type`, `:show`): each
// is checked exactly as a `track` of the program would be (check::check_expression),
// tracked in a copy of a scenario of a copy of the program
// (check::Program::add_tracking_scenario), compiled and run on one path. No source text
// is assembled and no AST node built by hand.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/session.hpp"
#include "engine/workspace.hpp"

namespace deal::engine {

// Why an evaluation gave no value: a one-line message (the front end adds "error: "),
// or text to print as it is (rendered diagnostics, a run error's report).
struct Problem {
  std::string text;
  bool rendered = false;
};

struct Evaluation {
  check::Type type;
  std::string type_text;  // "Money ($)"
  std::string unit;       // "$", "" for a dimensionless number
  rt::ValueKind kind = rt::ValueKind::Number;
  std::vector<std::string> names;  // a Party or Deal value is an index into these
  std::vector<double> values;      // one value (a constant) or one per step
  std::string scenario;            // where it ran ("" for a constant)
  std::vector<rt::Date> dates;     // of the steps
  rt::StepUnit step = rt::StepUnit::Quarter;
};

// `text` (named `origin` in diagnostics) in the context of the workspace's program,
// run in scenario `context` ("" for none) with `run`'s overrides on one path. With
// `need_value` false only its type is computed (`:type`): no compile, no run.
std::optional<Evaluation> evaluate(Workspace& workspace, std::string_view origin, std::string_view text,
                                   std::string_view context, bool need_value, const rt::RunOptions& run,
                                   Problem& problem);

// Several expressions tracked together in scenario `context`: the run of one path and
// the program it ran (for names, the calendar and the ledger). `tracks` holds (label,
// expression text); each series of the result carries its label.
struct Probe {
  std::unique_ptr<Compiled> compiled;  // a program compiled for the probe, or none
  const rt::Model* base = nullptr;     // else: the workspace's, which the run used
  rt::RunResult result;
  const rt::Model& model() const { return compiled ? compiled->model() : *base; }
};
std::optional<Probe> probe(Workspace& workspace, std::string_view origin,
                           const std::vector<std::pair<std::string, std::string>>& tracks, std::string_view context,
                           const rt::RunOptions& run, Problem& problem);

// Runs `tracks` (expressions checked against `compiled`'s program) as the only tracks of
// a copy of scenario `base` of its model — its init and phases as they are, only the
// track function compiled now — on `paths` paths (the run's seed). nullopt with
// `problem` set when compiling or running fails.
std::optional<rt::RunResult> run_as_track(const Compiled& compiled, const rt::ModelScenario& base,
                                          const std::vector<std::pair<std::string, check::HExpr>>& tracks,
                                          const rt::RunOptions& run, Problem& problem, long long paths = 1);

}  // namespace deal::engine
