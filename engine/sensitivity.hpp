// One-at-a-time sensitivity of a scenario (`deal sensitivity`, docs/workflow.md): every
// param (or those named) bumped down and up, the chosen metrics measured in each run,
// and — for one party — the param values at which its default flips, by bisection.
//
// Every run uses the scenario's seed (or the one given), so a Monte Carlo scenario's
// bumped runs see the same random numbers path for path as its base run (common random
// numbers): a difference is the bump's, not noise, and a zero bump gives exactly zero.
// Single-path runs go in parallel over the params (Monte Carlo runs use the threads for
// their paths instead); the result does not depend on the number of threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/session.hpp"
#include "report/sensitivity.hpp"

namespace deal::engine {

// The bump rule of a param of type `type`: relative for dimensioned values and plain
// numbers, absolute for rates (1/y), a flip for Bools; nullopt for what is not bumped
// (Dates, and anything not a number).
std::optional<report::BumpRule> bump_rule(const check::Type& type, const check::UnitNames& units);

struct Bumped {
  double down = 0, up = 0;
};
// The two bumped values of `base` under `rule`: base·(1 ∓ relative), base ∓ absolute, or
// the flipped Bool (both).
Bumped bump_values(report::BumpRule rule, double base, double relative, double absolute);

// The boundary of `flips` (false at `base`) in one direction: steps of `step` · 2^i
// (i = 0 … max_doublings) away from the base find a value that flips, never crossing
// `floor` (nullopt: none); then bisection narrows [last that does not flip, first that
// does] until it is no wider than `tolerance` (or `max_bisections` runs). nullopt when
// nothing in range flips. `direction` is −1 or +1. Each call of `flips` is one run.
struct FlipSearch {
  double step = 0;
  int direction = 1;
  std::optional<double> floor;
  int max_doublings = 6;
  double tolerance = 0;
  int max_bisections = 24;
};
std::optional<report::FlipThreshold::Bracket> find_flip(const std::function<bool(double)>& flips, double base,
                                                        const FlipSearch& search, long long* calls = nullptr);

struct SensitivityRequest {
  int scenario = -1;
  rt::RunOptions options;           // the base run's overrides, paths, seed, threads
  std::vector<std::string> params;  // empty: every param of the program
  // Metrics: "defaults" (every party's), "default:P", "equity" (every party's), "equity:P",
  // "series" (every tracked series), "series:LABEL"; empty: "defaults".
  std::vector<std::string> metrics;
  double bump = 0.1;                           // relative
  double rate_bump = 0.01;                     // absolute, per year
  std::optional<std::string> threshold_party;  // single-path scenarios only
  // Called after each bumped run, then after each param's threshold search (never
  // concurrently, possibly from a worker thread): what is done of the phase's total.
  std::function<void(const char* phase, long long done, long long total)> progress{};
};

// A request that does not fit the program (an unknown param, party, series or metric,
// `--threshold` on a Monte Carlo scenario): the message names what and lists the choices.
class SensitivityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the base scenario and the bumps. Throws SensitivityError for a bad request and
// rt::RunError when the base run fails (a bumped run that fails skips its param, with
// the reason).
report::Sensitivity sensitivity(const Compiled& program, const SensitivityRequest& request);

}  // namespace deal::engine
