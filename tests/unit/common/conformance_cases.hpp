// The shared conformance cases (../shared/conformance/cases) as the unit tests see them:
// every .deal file, minus the ones tests/conformance/expected_failures.txt lists, so a test
// that iterates over the cases stays green until the issue that implements a case's
// features lands (the same list ctest uses for the cases themselves).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace deal::testing {

// Case names (file stems) listed as expected failures; '#' starts a comment.
inline std::set<std::string> expected_conformance_failures() {
  std::set<std::string> names;
  std::ifstream in(std::filesystem::path(DEAL_SOURCE_DIR) / "tests" / "conformance" / "expected_failures.txt");
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto last = line.find_last_not_of(" \t\r");
    names.insert(line.substr(first, last - first + 1));
  }
  return names;
}

inline std::filesystem::path conformance_dir() {
  return std::filesystem::path(DEAL_SOURCE_DIR) / ".." / "shared" / "conformance" / "cases";
}

// The .deal cases to iterate over, sorted, without the expected failures; empty when
// ../shared is not beside the checkout.
inline std::vector<std::filesystem::path> conformance_cases() {
  std::vector<std::filesystem::path> cases;
  std::error_code ec;
  if (!std::filesystem::is_directory(conformance_dir(), ec)) return cases;
  auto skip = expected_conformance_failures();
  for (const auto& entry : std::filesystem::directory_iterator(conformance_dir())) {
    if (entry.path().extension() != ".deal") continue;
    if (skip.count(entry.path().stem().string())) continue;
    cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace deal::testing
