// Monte Carlo runs (paths > 1, LANGUAGE.md §6.4): the paths on worker threads and their
// statistics. driver.hpp states the guarantees (bit-identical for any number of threads).
#pragma once

#include "runtime/calendar.hpp"
#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::rt {

// Runs `paths` paths of scenario `sc` and fills r's means, percentiles, default
// statistics, ledger means and thread count. r arrives with its dates, series (label,
// kind, unit) and parties (name, kind) set. `overrides` as in StepCtx::param_overrides.
// Throws RunError when a path fails or the run is cancelled.
void run_monte_carlo(const Model& model, const ModelScenario& sc, const RunOptions& options, const Calendar& cal,
                     long long paths, unsigned long long seed, const double* overrides, RunResult& r);

}  // namespace deal::rt
