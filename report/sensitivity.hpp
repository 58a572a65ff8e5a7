// One-at-a-time sensitivity (`deal sensitivity`): each param bumped down and up, the
// change in chosen metrics, ranked by effect (a tornado), and — asked for — the param
// value at which a party's default flips. The engine computes it
// (engine/sensitivity.hpp); this file holds the result and formats it: terminal bars,
// JSON, SVG.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace deal::report {

// How a param is bumped: by a share of its value (dimensioned values and plain
// numbers), by an absolute step (rates, 1/y), or flipped (Bools).
enum class BumpRule { Relative, Absolute, Flip };
const char* to_string(BumpRule r);

// What is measured in each run: a party's default (0/1 on one path, its probability in
// Monte Carlo), a party's final equity, a tracked series' last value.
struct SensitivityMetric {
  std::string name;          // "default:OpenAI", "equity:Oracle", "series:OpenAI.cash"
  std::string title;         // "default of OpenAI", "P(default) of OpenAI", "final equity of Oracle"
  std::string unit;          // "$", "" (defaults: a probability)
  bool probability = false;  // a default: a probability (Monte Carlo) …
  bool outcome = false;      // … or, on a single path, 0/1: survives / defaults
  double base = 0;           // its value in the unbumped run
};

struct ParamSensitivity {
  // unit as the checker prints it ("$", "1/y"); "%" for a plain number declared as a
  // percentage (its values stay fractions: 0.15 is 15%); "" for other numbers and Bools
  std::string param, unit;
  BumpRule rule = BumpRule::Relative;
  double base = 0, down = 0, up = 0;   // the param's value in the three runs (Bools: 0/1; flipped: down == up)
  std::vector<double> at_down, at_up;  // each metric's value in the bumped runs (index = metric)
};

struct SkippedParam {
  std::string param,
      reason;  // "drawn per path", "a Date", "its value is 0: a relative bump moves nothing", a run error
};

// Where `party`'s default flips as one param moves from its base value, found by
// bisection (single-path scenarios).
struct FlipThreshold {
  std::string param, unit;
  double base = 0;
  // The nearest flip below and above the base: the boundary lies in [low, high].
  struct Bracket {
    double low = 0, high = 0;
  };
  std::optional<Bracket> below, above;
};

struct Sensitivity {
  std::string scenario;
  long long paths = 1;
  unsigned long long seed = 0;
  double bump = 0.1;        // relative bump
  double rate_bump = 0.01;  // absolute bump of rates, per year
  std::vector<SensitivityMetric> metrics;
  std::vector<ParamSensitivity> params;  // declaration order
  std::vector<SkippedParam> skipped;
  std::optional<std::string> threshold_party;
  bool defaults_at_base = false;  // whether threshold_party defaults in the unbumped run
  std::vector<FlipThreshold> thresholds;
  long long runs = 0;  // scenario runs made (base, bumps, bisection)
};

// The params that move metric `m`, largest effect (max |bumped − base|) first; ties by
// declaration order.
std::vector<size_t> tornado_order(const Sensitivity& s, size_t m);

// Terminal report: one tornado per metric that any bump moves (at most `top` bars each),
// then the metrics nothing moved, the skipped params and the thresholds.
std::string sensitivity_table(const Sensitivity& s, bool color, size_t top = 15);
// Everything as one JSON document (docs/workflow.md lists its fields).
std::string sensitivity_json(const Sensitivity& s);
// Tidy CSV, one row per (param, metric):
// param,unit,rule,base,down,up,metric,metric_base,at_down,at_up (base units; ranked as the tornado is not).
std::string sensitivity_csv(const Sensitivity& s);
// Tornado charts as one standalone SVG (one panel per metric that moves).
std::string sensitivity_svg(const Sensitivity& s, size_t top = 15);
// "Cerebras survives if build_buffer < 11.2% (base 15%)" lines for the thresholds.
std::vector<std::string> threshold_lines(const Sensitivity& s);

}  // namespace deal::report
