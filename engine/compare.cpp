#include "engine/compare.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace deal::engine {

namespace {

rt::RunResult run_side(const Compiled& program, int scenario, const rt::RunOptions& options, const std::string& label,
                       const char* side) {
  try {
    return rt::run_scenario(program.model(), scenario, options);
  } catch (const rt::RunError& e) {
    throw rt::RunError(fmt::format("{}\nthe run of side {} ({}) failed", e.what(), side, label));
  }
}

}  // namespace

report::Comparison compare(const Compiled& program, const CompareRequest& request) {
  report::CompareSide a{request.label_a, run_side(program, request.a, request.options_a, request.label_a, "a")};
  report::CompareSide b{request.label_b, run_side(program, request.b, request.options_b, request.label_b, "b")};
  return report::compare_results(program.model(), std::move(a), std::move(b));
}

std::string run_label(std::string_view scenario, const std::vector<std::string>& sets) {
  if (sets.empty()) return std::string(scenario);
  return fmt::format("{} ({})", scenario, fmt::join(sets, ", "));
}

}  // namespace deal::engine
