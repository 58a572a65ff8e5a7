// The scenario driver: runs a compiled model's paths step by step in the order of
// LANGUAGE.md §6 — shocks, parties, deals, clearing rounds with defaults and
// `on default` clauses, triggers, valuation, recording — and aggregates the paths.
//
// Monte Carlo (paths > 1, LANGUAGE.md §6.4): paths run on worker threads, in blocks of
// consecutive paths handed out in order; each worker reuses one path state. A path's
// random stream depends only on (seed, path index), and every statistic merges exactly
// (exact sums, integer counts, a mergeable sketch: statistics.hpp), so however the paths
// are split — over threads, over MPI ranks (RunOptions::distribution) — the result is
// bit-identical. Generated code is reentrant (all state is in the path's slot array
// and step context); host functions (`extern fn`) are called from the worker threads and
// must be safe to call concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <stdexcept>

#include "runtime/defaults.hpp"
#include "runtime/distribution.hpp"
#include "runtime/ledger.hpp"
#include "runtime/model.hpp"
#include "runtime/statistics.hpp"

namespace deal::rt {

struct RunOptions {
  std::optional<long long> paths;          // default: the scenario's
  std::optional<unsigned long long> seed;  // default: the scenario's
  // Host overrides (--set): param index (Model::params) and value. Front ends resolve
  // and check names once, in engine/session.hpp.
  std::vector<std::pair<int, double>> params;
  bool check_ledger = false;                 // verify conservation every step
  bool keep_ledger_rows = true;              // single-path runs: keep every ledger row
  std::vector<HostFunction> host_functions;  // by extern fn id
  // Analyses (docs/analyses.md): pay every obligation in full whatever the payer has (no
  // clearing failures, cash may go negative) — the "scheduled" run of the exposure analysis.
  bool pay_in_full = false;
  // Systemic importance: this party (model id) alone defaults at the start of the first step.
  std::optional<int> default_at_start;
  // Monte Carlo worker threads; 0 means one per core (std::thread::hardware_concurrency).
  // The result does not depend on it.
  int threads = 0;
  // Called on the calling thread about ten times a second while Monte Carlo paths run
  // (never for a single path): paths finished so far, and the total.
  std::function<void(long long done, long long total)> progress;
  // Asked before every Monte Carlo path and at the start of every step of a single path
  // (from worker threads: it must be thread-safe); when it returns true the run stops
  // with a RunError saying it was interrupted (the REPL's Ctrl-C, a host's cancel).
  std::function<bool()> cancelled;
  // Exact percentiles keep every per-path value: (tracked series × steps + parties) ×
  // paths doubles. Above this many values the run summarises them with streaming
  // sketches instead (statistics.hpp; RunResult::percentiles says which, and the bound).
  long long exact_statistics_limit = 64LL << 20;  // 64 Mi values, 512 MiB
  // Limits (docs/language.md, "Limits"). A run over any of them fails with a RunError
  // naming what to reduce, before it starts (paths, path-steps, memory) or, for the
  // time limit, between Monte Carlo paths and single-path steps (like `cancelled`).
  // Wall-clock seconds the run may take; 0: no limit.
  double max_seconds = 0;
  // The memory a run may keep for its statistics and per-path buffers, estimated from
  // the program's dimensions (steps × tracked series × paths, parties) before it starts.
  long long max_memory_bytes = 4LL << 30;  // 4 GiB
  // paths × steps; 0: no limit.
  long long max_path_steps = 10'000'000'000LL;  // 10^10
  // Several processes (docs/distributed.md): a Monte Carlo run splits its paths over the
  // ranks (each runs its share on `threads` threads) and rank 0 gets the statistics, the
  // same bits as one process; a single path runs on rank 0. Null: this process alone.
  std::shared_ptr<Distribution> distribution;
};

// The largest number of paths (2^53, like `paths` in a file: every count stays exact in a double).
constexpr long long kMaxPaths = 1LL << 53;

struct EventLine {
  Date date;
  std::string text;
};

struct PartyOutcome {
  std::string name, kind;
  double cash = 0, debt = 0, equity = 0;    // end of the last step (mean over paths)
  bool defaulted = false;                   // single path
  std::optional<Date> default_date;         // single path
  double default_probability = 0;           // share of paths in which it defaulted
  std::optional<double> mean_default_step;  // mean step of default among defaulting paths
  // paths > 1: the mean default date over the paths in which it defaults (a day count
  // mean of the dates, LANGUAGE.md §3); none if it never defaults.
  std::optional<Date> mean_default_date;
  // Its creditors' recovery rate (recovered / claims, 1 when there were no claims, §6.6):
  // single path, when it defaulted; paths > 1, the mean over the paths in which it defaulted.
  std::optional<double> recovery_rate;
  double equity_start = 0;  // equity when the path starts (after initial values); mean over paths
  // paths > 1: the distribution over paths of the equity lost over the horizon,
  // equity_start − equity at the end of the last step (negative: a gain).
  Summary loss{};
};

struct SeriesOutcome {
  std::string label;
  ValueKind kind = ValueKind::Number;
  std::string unit;
  std::vector<double> values;  // single path
  // paths > 1: per step
  std::vector<double> mean, p5, p25, p50, p75, p95;
};

struct LedgerSummary {
  long long rows = 0;  // contractual obligations (pay / receive)
  double due = 0, paid = 0;
  double credit_drawn = 0;
  double default_costs = 0;
  double borrowed = 0;
  // Resolution of defaults (§6.6): claims on estates, what they recovered, liquidation
  // proceeds from World and surpluses paid out.
  double claims = 0, recovered = 0, liquidation = 0, surplus = 0;
};

struct Analyses;  // runtime/analyses.hpp

struct PairPayment {
  int from = 0, to = 0;  // model ids
  double paid = 0;
};

struct RunResult {
  std::string scenario;
  long long paths = 1;
  unsigned long long seed = 0;
  std::vector<Date> dates;             // start of each step
  std::vector<PartyOutcome> parties;   // model order without World
  std::vector<DefaultEvent> defaults;  // single path, in order (party ids are model ids)
  std::vector<EventLine> events;       // single path: defaults and `emit` lines, in order
  std::vector<SeriesOutcome> series;
  LedgerSummary ledger;  // single path (mean over paths otherwise)
  // Single path, when kept. Rows use the runtime's party indices: model id − 1, World = kWorld.
  std::vector<LedgerRow> ledger_rows;
  // Contractual payments over the run between model parties (0 is World), one entry per
  // pair that has any, sorted by (from, to); single path. Sparse: dense_flows(r) is the
  // matrix, for the analyses that want one.
  std::vector<PairPayment> flows;
  // Filled by the caller when analyses were asked for (runtime/analyses.hpp: analyze).
  std::shared_ptr<const Analyses> analyses;
  // paths > 1: how percentiles were computed. Exact (every value kept and sorted), or by
  // streaming sketches whose reported values are within relative_error of the exact
  // percentile's order statistics (or 1e-12 near zero; the largest bound over all
  // statistics of the run).
  struct Percentiles {
    bool exact = true;
    double relative_error = 0;
  } percentiles;
  int threads = 1;  // worker threads used (not part of any report: results do not depend on it)
  // The process's rank in a distributed run (RunOptions::distribution; 0 otherwise). Only
  // rank 0's result holds the run's statistics and outcomes; another rank's has the
  // scenario, dates, series labels and party names only.
  int rank = 0;
};

// Thrown when a run fails (a NaN/infinite state, a ledger violation, a singular
// valuation): the message names what, when and where. The CLI exits 3.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// flows[i][j] of a single path's payments: an (n+1)×(n+1) matrix for n parties (0 is
// World); empty for Monte Carlo runs.
std::vector<std::vector<double>> dense_flows(const RunResult& r);

RunResult run_scenario(const Model& model, int scenario, const RunOptions& options = {});

// The table of runtime entry points for the JIT: name → address (DEAL_RT_FUNCTIONS).
std::vector<std::pair<std::string, void*>> runtime_symbols();

}  // namespace deal::rt
