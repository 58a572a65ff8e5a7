// Two runs side by side (`deal compare`): the defaults that differ, the final balance
// sheets with their deltas, every tracked series with its difference, the recoveries.
// Built from two results of the same program (two scenarios, or one with and without
// `--set` overrides); formatted as a table, JSON or tidy CSV.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::report {

// One side of a comparison: how the run is named in the output ("base",
// "base (demand_growth=20%/y)") and its result.
struct CompareSide {
  std::string label;
  rt::RunResult result;
};

// A party's default on one side: single path, whether and when it defaulted and why (the
// event log's line); Monte Carlo, its default probability and mean default date.
struct DefaultSide {
  bool defaulted = false;
  std::optional<rt::Date> date;
  std::string cause;  // "OpenAI defaulted on …: owed …, paid …; short because …" (single path)
  double probability = 0;
};

struct DefaultDifference {
  std::string party;
  DefaultSide a, b;
};

struct PartyDifference {
  std::string party;
  double cash_a = 0, cash_b = 0, debt_a = 0, debt_b = 0, equity_a = 0, equity_b = 0;
  double probability_a = 0, probability_b = 0;
  std::optional<double> recovery_a, recovery_b;  // its creditors' recovery rate, where it defaulted
};

// A series tracked on both sides (single path: its values; Monte Carlo: the means), per step.
struct SeriesDifference {
  std::string label, unit;
  rt::ValueKind kind = rt::ValueKind::Number;
  std::vector<double> a, b;  // b − a is the difference
};

struct Comparison {
  CompareSide a, b;
  rt::StepUnit step = rt::StepUnit::Quarter;
  std::vector<rt::Date> dates;              // start of each step (of side a)
  std::vector<DefaultDifference> defaults;  // parties whose default (status, date or probability) differs
  std::vector<PartyDifference> parties;     // every party, declaration order
  std::vector<SeriesDifference> series;     // in side a's `track` order
  std::vector<std::string> only_a, only_b;  // series tracked on one side only
};

// Pairs up two results of model `m` (parties by name, series by label).
Comparison compare_results(const rt::Model& m, CompareSide a, CompareSide b);

// The report: defaults that differ, balance sheet deltas, series (last values, the
// largest difference and a sparkline of it), recoveries.
std::string compare_table(const Comparison& c, bool color);
// The same as one JSON document (docs/workflow.md lists its fields).
std::string compare_json(const Comparison& c);
// Tidy CSV of the series side by side, one row per (series, step):
// series,step,start,date,unit,a,b,difference (date = end of the step).
std::string compare_csv(const Comparison& c);

}  // namespace deal::report
