// The names std/contracts defines, for the help line of an unknown contract or unit
// ("add `import \"std/contracts\"`"). tests/unit/check/test_stdlib_names.cpp checks
// this list against the library itself, so it cannot fall behind.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace deal::check {

inline constexpr std::array<std::string_view, 13> kStdContracts = {"commitment",
                                                                   "holding",
                                                                   "equity_investment",
                                                                   "staged_investment",
                                                                   "milestone_investment",
                                                                   "conditional_investment",
                                                                   "round_trip_investment",
                                                                   "revenue_share",
                                                                   "loan",
                                                                   "lease",
                                                                   "warrant",
                                                                   "backstop",
                                                                   "chip_order"};
inline constexpr std::array<std::string_view, 2> kStdUnits = {"GW", "share"};

inline bool std_defines_contract(std::string_view name) {
  return std::find(kStdContracts.begin(), kStdContracts.end(), name) != kStdContracts.end();
}
inline bool std_defines_unit(std::string_view name) {
  return std::find(kStdUnits.begin(), kStdUnits.end(), name) != kStdUnits.end();
}

inline constexpr const char* kImportStdHelp = "add `import \"std/contracts\"`: the standard library defines it";

}  // namespace deal::check
