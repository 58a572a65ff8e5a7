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
// Tidy long CSV of the tracked series, one row per (scenario, series, stat, step):
// scenario,series,stat,step,start,date,value,unit — `date` is the end of the step (the
// value's date), `start` its start, `stat` "value" for a single path and mean, p5, p25,
// p50, p75, p95 for Monte Carlo runs; `unit` as the checker prints it ("$", "$/y", "").
// `step` is the calendar's step (for the end of the last step). Header included.
std::string series_csv(const std::vector<rt::RunResult>& rs, rt::StepUnit step);
// One row per party and scenario: final cash, debt and equity (means over paths),
// default probability, default date (Monte Carlo: the mean default date), equity at the
// start, and the equity lost over the horizon (mean and percentiles; one path: the value).
std::string parties_csv(const std::vector<rt::RunResult>& rs);
// Every ledger row: scenario,step,date,deal,from,to,priority,kind,due,paid.
std::string ledger_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m);
// Single-path runs: every claim on a defaulted party's estate and what it recovered (§6.6).
std::string claims_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m);

}  // namespace deal::report
