// Run results as JSON (LANGUAGE.md §7.1), a terminal table, and CSV.
#pragma once

#include <string>
#include <vector>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::report {

// One scenario's result as the JSON object of §7.1 (pretty-printed).
std::string json_text(const rt::RunResult& r, const rt::Model& m);
// Several results (`--all`) as a JSON array.
std::string json_text(const std::vector<rt::RunResult>& rs, const rt::Model& m);
// The human-friendly report.
std::string table_text(const rt::RunResult& r, const rt::Model& m, bool color);
// Tidy long CSV of the tracked series: scenario,date,series,value (Monte Carlo
// statistics as series "label[mean]", "label[p5]", …). Header included.
std::string series_csv(const std::vector<rt::RunResult>& rs);
// One row per party and scenario: final cash, debt and equity (means over paths),
// default probability, default date (Monte Carlo: the mean default date), equity at the
// start, and the equity lost over the horizon (mean and percentiles; one path: the value).
std::string parties_csv(const std::vector<rt::RunResult>& rs);
// Every ledger row: scenario,step,date,deal,from,to,priority,kind,due,paid.
std::string ledger_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m);
// Single-path runs: every claim on a defaulted party's estate and what it recovered (§6.6).
std::string claims_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m);

}  // namespace deal::report
