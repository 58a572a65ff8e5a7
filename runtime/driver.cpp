// run_scenario: sets up a RunResult for the scenario and fills it from one recorded path
// (path_run.hpp) or from Monte Carlo statistics (montecarlo.hpp).
#include "runtime/driver.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "runtime/montecarlo.hpp"
#include "runtime/path_run.hpp"

namespace deal::rt {

namespace {

// A single path keeps everything: events, default causes, ledger rows, flows.
void run_single_path(const Model& model, const ModelScenario& sc, const RunOptions& options, const Calendar& cal,
                     unsigned long long seed, const double* ov, RunResult& r) {
  const size_t nt = sc.tracks.size(), n = model.parties.size() - 1;
  PathRun run(model, sc, options, cal, seed, 0, true);
  std::vector<double> track_out(std::max<size_t>(1, nt));
  run.run(ov, [&](int) {
    sc.track(run.S.data(), &run.ctx, track_out.data());
    run.check_tracks(track_out.data());
    for (size_t t = 0; t < nt; ++t) r.series[t].values.push_back(track_out[t]);
  });
  if (run.ctx.status) throw RunError(run.error.empty() ? "the run failed" : run.error);
  for (size_t p = 1; p <= n; ++p) {
    PartyOutcome& o = r.parties[p - 1];
    o.cash = run.slot(int(p), 0);
    o.debt = run.slot(int(p), 1);
    o.equity = run.slot(int(p), 5);
    o.equity_start = run.equity_start[p];
    double loss = o.equity_start - o.equity;
    o.loss = Summary{loss, loss, loss, loss, loss, loss, 1};
    if (run.default_step[p] >= 0) {
      o.default_probability = 1;
      o.defaulted = true;
      o.default_date = cal.step_start(run.default_step[p]);
      o.mean_default_step = run.default_step[p];
      o.mean_default_date = o.default_date;
      double claims = run.claims_total[p];
      o.recovery_rate = claims > 0 ? run.recovered_total[p] / claims : 1.0;
    }
  }
  // A recorded path keeps its ledger, so these are the ledger's totals (PathRun::totals).
  PathRun::Tally totals = run.totals();
  r.ledger.rows = totals.rows;
  r.ledger.due = totals.due;
  r.ledger.paid = totals.paid;
  r.ledger.credit_drawn = totals.credit_drawn;
  r.ledger.default_costs = totals.default_costs;
  r.ledger.borrowed = totals.borrowed;
  r.ledger.claims = totals.claims;
  r.ledger.recovered = totals.recovered;
  r.ledger.liquidation = totals.liquidation;
  r.ledger.surplus = totals.surplus;
  r.defaults = std::move(run.defaults);
  r.events = std::move(run.events);
  auto rows = run.ledger.rows();
  r.ledger_rows.assign(rows.begin(), rows.end());
  // Model ids (World 0) from the ledger's indices (World kWorld), sorted by model id.
  if (run.ledger.options().track_flows) {
    auto to_id = [](int i) { return i == kWorld ? 0 : i + 1; };
    for (const Ledger::PairFlow& f : run.ledger.pair_flows()) r.flows.push_back({to_id(f.from), to_id(f.to), f.paid});
    std::sort(r.flows.begin(), r.flows.end(), [](const PairPayment& a, const PairPayment& b) {
      return std::pair(a.from, a.to) < std::pair(b.from, b.to);
    });
  }
}

// A single path, or the paths of a Monte Carlo run. Distributed, a single path runs on
// rank 0 alone and the ranks then agree on whether it failed, so every rank ends the same way.
void run_paths(const Model& model, const ModelScenario& sc, const RunOptions& options, const Calendar& cal,
               long long paths, unsigned long long seed, const double* ov, RunResult& r) {
  if (paths > 1) return run_monte_carlo(model, sc, options, cal, paths, seed, ov, r);
  Distribution* dist = options.distribution.get();
  if (!dist || dist->ranks() == 1) return run_single_path(model, sc, options, cal, seed, ov, r);
  r.rank = dist->rank();
  std::string error;
  if (r.rank == 0) {
    try {
      run_single_path(model, sc, options, cal, seed, ov, r);
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "the run failed";
    }
  }
  auto agreed = dist->agree_on_failure(-1, error);
  if (!agreed.second.empty()) throw RunError(agreed.second);
}

}  // namespace

std::vector<std::vector<double>> dense_flows(const RunResult& r) {
  if (r.paths != 1) return {};  // flows are a single path's
  const size_t np = r.parties.size() + 1;
  std::vector<std::vector<double>> m(np, std::vector<double>(np, 0.0));
  for (const PairPayment& f : r.flows) m.at(size_t(f.from)).at(size_t(f.to)) = f.paid;
  return m;
}

RunResult run_scenario(const Model& model, int scenario, const RunOptions& options) {
  const ModelScenario& sc = model.scenarios.at(size_t(scenario));
  Calendar cal(model.first, model.last, model.step);
  if (sc.horizon) cal = cal.with_horizon(*sc.horizon);
  long long paths = options.paths.value_or(sc.paths);
  unsigned long long seed = options.seed.value_or(sc.seed);
  if (paths < 1) throw RunError("the number of paths must be at least 1");
  if (paths > kMaxPaths)
    throw RunError(fmt::format("the number of paths, {}, is above the limit of 2^53 ({})", paths, kMaxPaths));
  const long long steps = cal.steps();
  if (options.max_path_steps > 0 && steps > 0 && paths > options.max_path_steps / steps)
    throw RunError(
        fmt::format("this run would take {} paths × {} steps, above the limit of {} path-steps: reduce "
                    "--paths or the calendar, or raise RunOptions::max_path_steps",
                    paths, steps, options.max_path_steps));

  // Host overrides by param index (NaN: none).
  std::vector<double> overrides;
  if (!options.params.empty()) {
    overrides.assign(model.params.size(), std::numeric_limits<double>::quiet_NaN());
    for (const auto& [i, value] : options.params) overrides.at(size_t(i)) = value;
  }
  const double* ov = overrides.empty() ? nullptr : overrides.data();

  RunResult r;
  r.scenario = sc.name;
  r.paths = paths;
  r.seed = seed;
  for (int k = 0; k < cal.steps(); ++k) r.dates.push_back(cal.step_start(k));
  for (const ModelTrack& t : sc.tracks) {
    SeriesOutcome so;
    so.label = t.label;
    so.kind = t.kind;
    so.unit = t.unit;
    r.series.push_back(std::move(so));
  }
  for (size_t p = 1; p < model.parties.size(); ++p) {
    PartyOutcome po;
    po.name = model.parties[p].name;
    po.kind = model.parties[p].kind;
    r.parties.push_back(std::move(po));
  }

  if (!(options.max_seconds > 0)) {
    run_paths(model, sc, options, cal, paths, seed, ov, r);
    return r;
  }
  // The time limit: asked where `cancelled` is (between paths, at every step of a single path).
  RunOptions limited = options;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                             std::chrono::duration<double>(std::min(options.max_seconds, 1e9)));
  auto timed_out = std::make_shared<std::atomic<bool>>(false);
  limited.cancelled = [deadline, timed_out, outer = options.cancelled] {
    if (outer && outer()) return true;
    if (std::chrono::steady_clock::now() < deadline) return false;
    timed_out->store(true);
    return true;
  };
  try {
    run_paths(model, sc, limited, cal, paths, seed, ov, r);
  } catch (const RunError&) {
    if (timed_out->load())
      throw RunError(fmt::format("the run exceeded its time limit of {:g} s", options.max_seconds));
    throw;
  }
  return r;
}

}  // namespace deal::rt
