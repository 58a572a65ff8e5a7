// `deal compare`: two runs of one program — two scenarios, or one scenario with and
// without overrides — paired up by report::compare_results. Both runs use the same
// seed unless told otherwise, so two Monte Carlo scenarios see the same random numbers
// path for path (common random numbers): their difference is the scenarios', not noise.
#pragma once

#include <string>

#include "engine/session.hpp"
#include "report/compare.hpp"

namespace deal::engine {

struct CompareRequest {
  int a = -1, b = -1;                   // scenario indices
  rt::RunOptions options_a, options_b;  // their overrides and run options
  std::string label_a, label_b;         // how the output names them
};

// Runs both sides (a first). Throws rt::RunError, with the failing side's label in the message.
report::Comparison compare(const Compiled& program, const CompareRequest& request);

// "base", or "base (demand_growth=20%/y, …)" for a run with overrides given as NAME=VALUE text.
std::string run_label(std::string_view scenario, const std::vector<std::string>& sets);

}  // namespace deal::engine
