// The analyses in the reports: JSON (LANGUAGE.md §7.1 "analyses"), table, CSV files.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::rt {
struct Analyses;
}

namespace deal::report {

nlohmann::json analyses_json(const rt::Analyses& a, const rt::Model& m);
std::string analyses_table(const rt::Analyses& a, const rt::Model& m, bool color);
// (file name, content) pairs for `--out DIR`: exposure.csv, circularity.csv, cycles.csv,
// concentration.csv, systemic.csv; empty when no result has analyses.
std::vector<std::pair<std::string, std::string>> analyses_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m);

}  // namespace deal::report
