#include "runtime/montecarlo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "runtime/distribution.hpp"
#include "runtime/parallel.hpp"
#include "runtime/path_run.hpp"
#include "runtime/serialize.hpp"
#include "runtime/statistics.hpp"

namespace deal::rt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What one path hands to the aggregation, per party and for the ledger.
enum PartyField { kCash, kDebt, kEquity, kEquityStart, kDefaultStep, kDefaultDate, kRecoveryRate, kPartyFields };
enum LedgerField {
  kRows,
  kDue,
  kPaid,
  kCreditDrawn,
  kDefaultCosts,
  kBorrowed,
  kClaims,
  kRecovered,
  kLiquidation,
  kSurplus,
  kLedgerFields
};

// The statistics of any set of paths. Every part merges exactly — exact sums, integer
// counts, the mergeable sketch (statistics.hpp) — so the merge of the partials of any
// split of the paths (over threads, over ranks, in any order) has the same bits: the
// result does not depend on how many threads or processes ran the paths.
struct Partial {
  size_t nts = 0, n = 0;
  std::vector<ExactSum> track_sum;
  std::vector<long long> track_count;
  std::vector<ExactSum> party_sum;  // per party: cash, debt, equity, equity_start, loss
  std::vector<long long> default_count;
  std::vector<ExactSum> default_step_sum, default_date_sum, recovery_sum;
  long long rows = 0;
  std::vector<ExactSum> ledger_sum;      // per LedgerField (kRows unused)
  std::vector<QuantileSketch> sketches;  // streaming percentiles: per statistic; empty when exact

  Partial(size_t tracks_steps, size_t parties, bool with_sketches) : nts(tracks_steps), n(parties) {
    track_sum.resize(nts);
    track_count.assign(nts, 0);
    party_sum.resize(n * 5);
    default_count.assign(n, 0);
    default_step_sum.resize(n);
    default_date_sum.resize(n);
    recovery_sum.resize(n);
    ledger_sum.resize(kLedgerFields);
    if (with_sketches) sketches.resize(nts + n);
  }

  void merge(const Partial& o) {
    for (size_t s = 0; s < nts; ++s) {
      track_sum[s].merge(o.track_sum[s]);
      track_count[s] += o.track_count[s];
    }
    for (size_t k = 0; k < party_sum.size(); ++k) party_sum[k].merge(o.party_sum[k]);
    for (size_t p = 0; p < n; ++p) {
      default_count[p] += o.default_count[p];
      default_step_sum[p].merge(o.default_step_sum[p]);
      default_date_sum[p].merge(o.default_date_sum[p]);
      recovery_sum[p].merge(o.recovery_sum[p]);
    }
    rows += o.rows;
    for (size_t k = 0; k < ledger_sum.size(); ++k) ledger_sum[k].merge(o.ledger_sum[k]);
    for (size_t k = 0; k < sketches.size(); ++k) sketches[k].merge(o.sketches[k]);
  }

  void write(std::vector<std::uint8_t>& out) const {
    ByteWriter w(out);
    w.put<std::uint64_t>(nts);
    w.put<std::uint64_t>(n);
    w.put<std::uint64_t>(sketches.size());
    auto sums = [&](const std::vector<ExactSum>& v) {
      for (const ExactSum& x : v) x.write(out);
    };
    sums(track_sum);
    w.put_span<long long>(track_count);
    sums(party_sum);
    w.put_span<long long>(default_count);
    sums(default_step_sum);
    sums(default_date_sum);
    sums(recovery_sum);
    w.put<long long>(rows);
    sums(ledger_sum);
    for (const QuantileSketch& q : sketches) q.write(out);
  }

  // Reads a partial written by write() on a rank of the same run (same dimensions).
  void merge_from(ByteReader& in) {
    DEAL_REQUIRE(
        in.get<std::uint64_t>() == nts && in.get<std::uint64_t>() == n && in.get<std::uint64_t>() == sketches.size(),
        "a rank's Monte Carlo statistics do not match this run's dimensions");
    auto sums = [&](std::vector<ExactSum>& v) {
      for (ExactSum& x : v) x.merge(ExactSum::read(in));
    };
    auto counts = [&](std::vector<long long>& v) {
      std::vector<long long> c = in.get_vector<long long>();
      DEAL_REQUIRE(c.size() == v.size(), "a rank's Monte Carlo counts do not match this run's dimensions");
      for (size_t k = 0; k < v.size(); ++k) v[k] += c[k];
    };
    sums(track_sum);
    counts(track_count);
    sums(party_sum);
    counts(default_count);
    sums(default_step_sum);
    sums(default_date_sum);
    sums(recovery_sum);
    rows += in.get<long long>();
    sums(ledger_sum);
    for (QuantileSketch& q : sketches) q.merge(QuantileSketch::read(in));
  }
};

// What one worker keeps between paths: its partial and one path's values.
struct PathValues {
  std::vector<double> tracks;   // [track][step]
  std::vector<double> parties;  // [party rt index][PartyField]
  double ledger[kLedgerFields];
};

// Copies one finished path's outcome into `pv`.
void record_path(PathRun& run, PathValues& pv) {
  const int n = run.n;
  for (int p = 1; p <= n; ++p) {
    double* f = pv.parties.data() + size_t(p - 1) * kPartyFields;
    f[kCash] = run.slot(p, 0);
    f[kDebt] = run.slot(p, 1);
    f[kEquity] = run.slot(p, 5);
    f[kEquityStart] = run.equity_start[size_t(p)];
    int ds = run.default_step[size_t(p)];
    f[kDefaultStep] = ds;
    f[kDefaultDate] = ds >= 0 ? run.slot(p, 4) : 0.0;
    double claims = run.claims_total[size_t(p)];
    f[kRecoveryRate] = claims > 0 ? run.recovered_total[size_t(p)] / claims : 1.0;
  }
  PathRun::Tally lt = run.totals();
  double* lv = pv.ledger;
  lv[kRows] = double(lt.rows);
  lv[kDue] = lt.due;
  lv[kPaid] = lt.paid;
  lv[kCreditDrawn] = lt.credit_drawn;
  lv[kDefaultCosts] = lt.default_costs;
  lv[kBorrowed] = lt.borrowed;
  lv[kClaims] = lt.claims;
  lv[kRecovered] = lt.recovered;
  lv[kLiquidation] = lt.liquidation;
  lv[kSurplus] = lt.surplus;
}

// Folds one path's values into a partial; `exact_out(stat, value)` keeps the value for
// exact percentiles (when the run keeps every value instead of sketches).
template <class Keep>
void fold_path(Partial& a, const PathValues& pv, const Keep& exact_out) {
  const bool sketch = !a.sketches.empty();
  for (size_t s = 0; s < a.nts; ++s) {
    double v = pv.tracks[s];
    if (!std::isnan(v)) {
      a.track_sum[s].add(v);
      ++a.track_count[s];
    }
    if (sketch) a.sketches[s].add(v);
    else exact_out(s, v);
  }
  for (size_t p = 0; p < a.n; ++p) {
    const double* f = pv.parties.data() + p * kPartyFields;
    double loss = f[kEquityStart] - f[kEquity];
    a.party_sum[p * 5 + 0].add(f[kCash]);
    a.party_sum[p * 5 + 1].add(f[kDebt]);
    a.party_sum[p * 5 + 2].add(f[kEquity]);
    a.party_sum[p * 5 + 3].add(f[kEquityStart]);
    a.party_sum[p * 5 + 4].add(loss);
    if (sketch) a.sketches[a.nts + p].add(loss);
    else exact_out(a.nts + p, loss);
    if (f[kDefaultStep] >= 0) {
      ++a.default_count[p];
      a.default_step_sum[p].add(f[kDefaultStep]);
      a.default_date_sum[p].add(f[kDefaultDate]);
      a.recovery_sum[p].add(f[kRecoveryRate]);
    }
  }
  a.rows += (long long)pv.ledger[kRows];
  for (int k = kDue; k < kLedgerFields; ++k) a.ledger_sum[size_t(k)].add(pv.ledger[k]);
}

// Means, default statistics and percentiles into r, from the merged partial and (exact
// percentiles) every path's values; `threads` summarise the statistics.
void finish(const Partial& a, std::vector<std::vector<double>>& values, size_t steps, long long paths, int threads,
            RunResult& r) {
  const size_t nts = a.nts, n = a.n, nt = steps ? nts / steps : 0, stats = nts + n;
  const bool exact = a.sketches.empty();
  const double np = double(paths);
  std::vector<Summary> summary(stats);
  parallel_for(stats, std::max(1, threads), [&](size_t k) {
    if (exact) {
      summary[k] = summarize_exact(values[k]);
      std::vector<double>().swap(values[k]);
    } else {
      summary[k] = summarize(a.sketches[k], 0.0);
    }
  });
  for (size_t t = 0; t < nt; ++t) {
    SeriesOutcome& so = r.series[t];
    for (size_t k = 0; k < steps; ++k) {
      size_t s = t * steps + k;
      const Summary& q = summary[s];
      so.mean.push_back(a.track_count[s] ? a.track_sum[s].value() / double(a.track_count[s]) : kNaN);
      so.p5.push_back(q.p5);
      so.p25.push_back(q.p25);
      so.p50.push_back(q.p50);
      so.p75.push_back(q.p75);
      so.p95.push_back(q.p95);
    }
  }
  for (size_t p = 0; p < n; ++p) {
    PartyOutcome& o = r.parties[p];
    o.cash = a.party_sum[p * 5 + 0].value() / np;
    o.debt = a.party_sum[p * 5 + 1].value() / np;
    o.equity = a.party_sum[p * 5 + 2].value() / np;
    o.equity_start = a.party_sum[p * 5 + 3].value() / np;
    o.loss = summary[nts + p];
    o.loss.mean = a.party_sum[p * 5 + 4].value() / np;
    o.default_probability = double(a.default_count[p]) / np;
    if (a.default_count[p] > 0) {
      double c = double(a.default_count[p]);
      o.mean_default_step = a.default_step_sum[p].value() / c;
      o.mean_default_date = from_ticks(a.default_date_sum[p].value() / c * double(kTicksPerMonth));
      o.recovery_rate = a.recovery_sum[p].value() / c;
    }
  }
  r.ledger.rows = (a.rows + paths / 2) / paths;
  r.ledger.due = a.ledger_sum[kDue].value() / np;
  r.ledger.paid = a.ledger_sum[kPaid].value() / np;
  r.ledger.credit_drawn = a.ledger_sum[kCreditDrawn].value() / np;
  r.ledger.default_costs = a.ledger_sum[kDefaultCosts].value() / np;
  r.ledger.borrowed = a.ledger_sum[kBorrowed].value() / np;
  r.ledger.claims = a.ledger_sum[kClaims].value() / np;
  r.ledger.recovered = a.ledger_sum[kRecovered].value() / np;
  r.ledger.liquidation = a.ledger_sum[kLiquidation].value() / np;
  r.ledger.surplus = a.ledger_sum[kSurplus].value() / np;
  r.percentiles.exact = true;
  r.percentiles.relative_error = 0;
  for (const QuantileSketch& q : a.sketches) {
    if (!q.exact()) r.percentiles.exact = false;
    r.percentiles.relative_error = std::max(r.percentiles.relative_error, q.relative_error());
  }
}

// The paths [first, first + count) of rank `rank` among `ranks`: as even a split as the
// count allows (the first paths % ranks ranks take one more).
std::pair<long long, long long> rank_share(long long paths, int rank, int ranks) {
  long long base = paths / ranks, extra = paths % ranks;
  long long first = base * rank + std::min<long long>(rank, extra);
  return {first, base + (rank < extra ? 1 : 0)};
}

// "1.5 GiB", "640.0 KiB": a memory size in the unit that keeps it readable.
std::string byte_size(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && bytes >= 1024) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} bytes", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

int default_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : int(hw);
}

}  // namespace

void run_monte_carlo(const Model& model, const ModelScenario& sc, const RunOptions& options, const Calendar& cal,
                     long long paths, unsigned long long seed, const double* ov, RunResult& r) {
  const size_t steps = size_t(cal.steps()), nt = sc.tracks.size(), n = model.parties.size() - 1;
  const size_t nts = nt * steps, stats = nts + n;
  Distribution* dist = options.distribution.get();
  const int rank = dist ? dist->rank() : 0, ranks = dist ? dist->ranks() : 1;
  r.rank = rank;
  // This process's share of the paths: a contiguous range (all of them without MPI).
  const auto [first_path, local_paths] = rank_share(paths, rank, ranks);
  int threads = options.threads > 0 ? options.threads : default_threads();
  // Workers take blocks of consecutive paths in order. The size only balances the load
  // (statistics merge exactly, whatever the split): big enough to make taking a block
  // rare, small enough that the last blocks spread over the workers.
  const long long block_size = std::clamp<long long>(local_paths / (threads * 16LL), 1, 256);
  const long long blocks = (local_paths + block_size - 1) / block_size;
  threads = int(std::max<long long>(1, std::min<long long>(threads, blocks)));
  r.threads = threads;

  // Exact percentiles keep every value (rank 0 gathers them all); above the limit every
  // statistic is summarised by a sketch of bounded size instead.
  const long long values_needed = (long long)stats * paths;
  const bool exact = values_needed <= options.exact_statistics_limit;
  {
    // The memory budget, from the dimensions: the values kept (exact: rank 0 holds every
    // path's, plus the largest rank's share while it arrives) or a sketch per statistic and
    // worker, the partials' exact sums, and the workers' per-path buffers. Every rank checks
    // rank 0's budget, the largest, so that all ranks refuse a run together.
    const double per_path = double(nts + n * kPartyFields + kLedgerFields);
    const double own = exact ? double(stats) * double(paths) : 0;
    const double arriving = exact && ranks > 1 ? double(stats) * double(rank_share(paths, 0, ranks).second) : 0;
    const double sketches = exact ? 0 : double(stats) * double(QuantileSketch::retained_bound()) * threads;
    const double sums = double(nts + 8 * n + kLedgerFields) * double(sizeof(ExactSum)) / 8.0 * (threads + 1);
    const double bytes = (own + arriving + sketches + sums + per_path * threads) * 8.0;
    std::string refusal;
    if (options.max_memory_bytes > 0 && bytes > double(options.max_memory_bytes))
      refusal = fmt::format(
          "this run would keep about {:.0f} values ({} steps × {} tracked series + {} parties, × {} paths{}), "
          "about {}, above the memory limit of {}: reduce --paths, the calendar or the tracked "
          "series, or raise --max-memory",
          bytes / 8.0, steps, nt, n, paths, exact ? "" : ", summarised by sketches", byte_size(bytes),
          byte_size(double(options.max_memory_bytes)));
    // Over several processes the ranks agree first, so that a rank whose budget differs
    // (other cores, so other threads) does not start alone.
    if (dist && ranks > 1) refusal = dist->agree_on_failure(-1, refusal).second;
    if (!refusal.empty()) throw RunError(refusal);
  }
  // Exact values, [statistic][path − offset]: rank 0 keeps room for every path, another
  // rank for its own.
  const long long values_offset = rank == 0 ? 0 : first_path;
  std::vector<std::vector<double>> values;
  if (exact) values.assign(stats, std::vector<double>(size_t(rank == 0 ? paths : local_paths)));

  std::mutex mu;
  std::condition_variable cv;
  std::atomic<long long> next_block{0};
  // The lowest failing path found (a worker still runs the paths below it, so within a
  // process this is the lowest failing path of all: blocks are taken in order).
  std::atomic<long long> lowest_failure{std::numeric_limits<long long>::max()};
  std::atomic<bool> stop{false};  // stop at once: another rank failed, or a worker broke
  std::string failure, internal_failure;
  int workers_done = 0;
  std::atomic<long long> done_paths{0};
  std::vector<Partial> partials(size_t(threads), Partial(nts, n, !exact));

  // Tier-up: the optimised code, once ready, runs the paths that start after it (the same
  // bits). Only for a scenario of the model itself (the REPL's detached ones are not).
  const ptrdiff_t scenario_index = &sc - model.scenarios.data();
  const bool may_tier_up = model.faster && scenario_index >= 0 && size_t(scenario_index) < model.scenarios.size();
  const auto started = std::chrono::steady_clock::now();

  auto worker = [&](int w) {
    try {
      const Model* code = &model;
      const ModelScenario* code_sc = &sc;
      std::optional<PathRun> run_on;
      run_on.emplace(model, sc, options, cal, seed, 0, false);
      std::vector<double> track_out(std::max<size_t>(1, nt));
      PathValues pv;
      pv.tracks.resize(nts);
      pv.parties.resize(n * kPartyFields);
      Partial& mine = partials[size_t(w)];
      for (long long b; !stop.load(std::memory_order_relaxed) && (b = next_block.fetch_add(1)) < blocks;) {
        const long long block_first = first_path + b * block_size;
        if (block_first > lowest_failure.load()) break;  // every later block is past the failure
        const long long count = std::min(block_size, first_path + local_paths - block_first);
        if (may_tier_up) {
          // How long the rest would take at this pace decides whether the optimising
          // compile is worth starting (FasterTier::consider); once it is ready, move to it.
          if (const long long done = done_paths.load(std::memory_order_relaxed); done >= threads) {
            const double elapsed =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            model.faster->consider(elapsed * threads * double(local_paths - done) / double(done));
          }
          if (const Model* faster = model.faster->ready(model); faster && faster != code) {
            code = faster;
            code_sc = &faster->scenarios[size_t(scenario_index)];
            run_on.emplace(*code, *code_sc, options, cal, seed, 0, false);
          }
        }
        PathRun& run = *run_on;
        for (long long i = 0; i < count; ++i) {
          const long long path = block_first + i;
          if (stop.load(std::memory_order_relaxed) || path > lowest_failure.load()) break;
          std::string error;
          if (options.cancelled && options.cancelled()) {
            error = "the run was interrupted";
          } else {
            run.reset(seed, path);
            run.run(ov, [&](int k) {
              code_sc->track(run.S.data(), &run.ctx, track_out.data());
              run.check_tracks(track_out.data());
              for (size_t t = 0; t < nt; ++t) pv.tracks[t * steps + size_t(k)] = track_out[t];
            });
            if (run.ctx.status) error = run.error.empty() ? "the run failed" : run.error;
          }
          if (!error.empty()) {
            std::lock_guard lk(mu);
            if (path < lowest_failure.load()) {
              lowest_failure.store(path);
              failure = std::move(error);
            }
            cv.notify_all();
            break;
          }
          record_path(run, pv);
          const size_t at = size_t(path - values_offset);
          fold_path(mine, pv, [&](size_t stat, double v) { values[stat][at] = v; });
          done_paths.fetch_add(1, std::memory_order_relaxed);
        }
      }
    } catch (const std::exception& e) {
      std::lock_guard lk(mu);
      if (internal_failure.empty())
        internal_failure = fmt::format("internal error in a Monte Carlo worker: {}", e.what());
      stop = true;
    }
    std::lock_guard lk(mu);
    ++workers_done;
    cv.notify_all();
  };

  std::vector<std::thread> pool;
  pool.reserve(size_t(threads));
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker, i);
  {
    // The calling thread waits: it reports progress and, over several processes, tells
    // the other ranks of a failure here and stops the workers on a failure there. It wakes
    // every 100 ms, and when a worker fails or ends.
    using clock = std::chrono::steady_clock;
    auto next_report = clock::now() + std::chrono::milliseconds(100);
    bool signalled = false;
    std::unique_lock lk(mu);
    while (workers_done < threads) {
      cv.wait_until(lk, next_report);
      if (dist && ranks > 1) {
        const bool failed_here =
            lowest_failure.load() != std::numeric_limits<long long>::max() || !internal_failure.empty();
        lk.unlock();
        if (failed_here && !signalled) {
          dist->signal_failure();
          signalled = true;
        }
        if (!failed_here && !stop && dist->failure_signalled()) stop = true;
        lk.lock();
      }
      if (clock::now() >= next_report) {
        next_report += std::chrono::milliseconds(100);
        if (options.progress) {
          lk.unlock();
          options.progress(done_paths.load(std::memory_order_relaxed), local_paths);
          lk.lock();
        }
      }
    }
    if (dist && ranks > 1 && !signalled &&
        (lowest_failure.load() != std::numeric_limits<long long>::max() || !internal_failure.empty()))
      dist->signal_failure();
  }
  for (auto& t : pool) t.join();
  if (options.progress) options.progress(done_paths.load(), local_paths);

  // The failure to report: the lowest failing path (then a failure not on a path).
  long long failed_path = lowest_failure.load() == std::numeric_limits<long long>::max() ? -1 : lowest_failure.load();
  std::string message = failed_path >= 0 ? failure : internal_failure;
  if (dist && ranks > 1) std::tie(failed_path, message) = dist->agree_on_failure(failed_path, message);
  if (failed_path >= 0)
    throw RunError(fmt::format("{}\n    (Monte Carlo path {} of {}, counting from 0, seed {})", message, failed_path,
                               paths, seed));
  if (!message.empty()) throw RunError(message);

  Partial& total = partials[0];
  for (size_t w = 1; w < partials.size(); ++w) total.merge(partials[w]);
  if (dist && ranks > 1) {
    // Rank 0 merges every rank's partial and places every rank's exact values.
    std::vector<std::uint8_t> bytes;
    total.write(bytes);
    if (exact) {
      ByteWriter out(bytes);
      for (const std::vector<double>& v : values) out.put_span<double>(v);
    }
    if (rank != 0) std::vector<std::vector<double>>().swap(values);
    dist->gather(bytes, [&](int from, std::span<const std::uint8_t> b) {
      if (from == 0) return;
      ByteReader in(b.data(), b.size());
      total.merge_from(in);
      if (exact) {
        const auto [lo, count] = rank_share(paths, from, ranks);
        for (std::vector<double>& v : values) {
          std::vector<double> part = in.get_vector<double>();
          DEAL_REQUIRE((long long)part.size() == count, "a rank sent the wrong number of Monte Carlo values");
          std::copy(part.begin(), part.end(), v.begin() + lo);
        }
      }
      DEAL_REQUIRE(in.done(), "a rank's Monte Carlo statistics have trailing bytes");
    });
    if (rank != 0) return;  // the statistics are rank 0's
  }
  finish(total, values, steps, paths, threads, r);
}

}  // namespace deal::rt
