#include "runtime/montecarlo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "runtime/path_run.hpp"
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

// A block of consecutive paths run by one worker, waiting to be folded in path order.
struct Block {
  long long first = 0, count = 0;
  std::vector<double> tracks;   // [path in block][track][step]
  std::vector<double> parties;  // [path in block][party rt index][PartyField]
  std::vector<double> ledger;   // [path in block][LedgerField]
  long long failed_path = -1;   // the first path of the block that failed, if any
  std::string error;
  bool ready = false;
};

// Folds per-path results into the statistics. add() must see the paths in path order:
// then every sum, count and sketch is the same whatever the number of threads.
class Aggregator {
 public:
  Aggregator(size_t tracks, size_t steps, size_t parties, long long paths, bool exact)
      : nt_(tracks), steps_(steps), n_(parties), paths_(paths), exact_(exact) {
    size_t stats = nt_ * steps_ + n_;  // tracked values, then each party's loss
    track_sum_.resize(nt_ * steps_);
    track_count_.assign(nt_ * steps_, 0);
    party_sum_.resize(n_ * 5);
    default_count_.assign(n_, 0);
    default_step_sum_.resize(n_);
    default_date_sum_.resize(n_);
    recovery_sum_.resize(n_);
    if (exact_) values_.assign(stats, std::vector<double>(size_t(paths_)));
    else sketches_.assign(stats, QuantileSketch());
  }

  void add(const Block& b) {
    const size_t nts = nt_ * steps_;
    for (long long i = 0; i < b.count; ++i) {
      long long path = b.first + i;
      const double* tv = b.tracks.data() + size_t(i) * nts;
      for (size_t s = 0; s < nts; ++s) {
        double v = tv[s];
        if (!std::isnan(v)) {
          track_sum_[s].add(v);
          ++track_count_[s];
        }
        put(s, path, v);
      }
      const double* pv = b.parties.data() + size_t(i) * n_ * kPartyFields;
      for (size_t p = 0; p < n_; ++p) {
        const double* f = pv + p * kPartyFields;
        double loss = f[kEquityStart] - f[kEquity];
        party_sum_[p * 5 + 0].add(f[kCash]);
        party_sum_[p * 5 + 1].add(f[kDebt]);
        party_sum_[p * 5 + 2].add(f[kEquity]);
        party_sum_[p * 5 + 3].add(f[kEquityStart]);
        party_sum_[p * 5 + 4].add(loss);
        put(nts + p, path, loss);
        if (f[kDefaultStep] >= 0) {
          ++default_count_[p];
          default_step_sum_[p].add(f[kDefaultStep]);
          default_date_sum_[p].add(f[kDefaultDate]);
          recovery_sum_[p].add(f[kRecoveryRate]);
        }
      }
      const double* lv = b.ledger.data() + size_t(i) * kLedgerFields;
      rows_ += (long long)lv[kRows];
      for (int k = kDue; k < kLedgerFields; ++k) ledger_sum_[k].add(lv[k]);
    }
  }

  // Means, default statistics and percentiles into r; `threads` sort the exact samples.
  void finish(RunResult& r, int threads) {
    const size_t nts = nt_ * steps_, stats = nts + n_;
    const double np = double(paths_);
    std::vector<Summary> summary(stats);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k; (k = next.fetch_add(1)) < stats;) {
        if (exact_) {
          summary[k] = summarize_exact(values_[k]);
          std::vector<double>().swap(values_[k]);
        } else {
          summary[k] = summarize(sketches_[k], 0.0);
        }
      }
    };
    run_workers(std::max(1, std::min<int>(threads, int(stats))), work);
    for (size_t t = 0; t < nt_; ++t) {
      SeriesOutcome& so = r.series[t];
      for (size_t k = 0; k < steps_; ++k) {
        size_t s = t * steps_ + k;
        const Summary& q = summary[s];
        so.mean.push_back(track_count_[s] ? track_sum_[s].value() / double(track_count_[s]) : kNaN);
        so.p5.push_back(q.p5);
        so.p25.push_back(q.p25);
        so.p50.push_back(q.p50);
        so.p75.push_back(q.p75);
        so.p95.push_back(q.p95);
      }
    }
    for (size_t p = 0; p < n_; ++p) {
      PartyOutcome& o = r.parties[p];
      o.cash = party_sum_[p * 5 + 0].value() / np;
      o.debt = party_sum_[p * 5 + 1].value() / np;
      o.equity = party_sum_[p * 5 + 2].value() / np;
      o.equity_start = party_sum_[p * 5 + 3].value() / np;
      o.loss = summary[nts + p];
      o.loss.mean = party_sum_[p * 5 + 4].value() / np;
      o.default_probability = double(default_count_[p]) / np;
      if (default_count_[p] > 0) {
        double c = double(default_count_[p]);
        o.mean_default_step = default_step_sum_[p].value() / c;
        o.mean_default_date = from_ticks(default_date_sum_[p].value() / c * double(kTicksPerMonth));
        o.recovery_rate = recovery_sum_[p].value() / c;
      }
    }
    r.ledger.rows = (rows_ + paths_ / 2) / paths_;
    r.ledger.due = ledger_sum_[kDue].value() / np;
    r.ledger.paid = ledger_sum_[kPaid].value() / np;
    r.ledger.credit_drawn = ledger_sum_[kCreditDrawn].value() / np;
    r.ledger.default_costs = ledger_sum_[kDefaultCosts].value() / np;
    r.ledger.borrowed = ledger_sum_[kBorrowed].value() / np;
    r.ledger.claims = ledger_sum_[kClaims].value() / np;
    r.ledger.recovered = ledger_sum_[kRecovered].value() / np;
    r.ledger.liquidation = ledger_sum_[kLiquidation].value() / np;
    r.ledger.surplus = ledger_sum_[kSurplus].value() / np;
    r.percentiles.exact = true;
    r.percentiles.relative_error = 0;
    for (const QuantileSketch& q : sketches_) {
      if (!q.exact()) r.percentiles.exact = false;
      r.percentiles.relative_error = std::max(r.percentiles.relative_error, q.relative_error());
    }
  }

  // Runs `work` on `threads` threads (the calling thread is one of them) and waits.
  template <class Work>
  static void run_workers(int threads, Work& work) {
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }

 private:
  void put(size_t stat, long long path, double v) {
    if (exact_) values_[stat][size_t(path)] = v;
    else sketches_[stat].add(v);
  }

  size_t nt_, steps_, n_;
  long long paths_;
  bool exact_;
  std::vector<CompensatedSum> track_sum_;
  std::vector<long long> track_count_;
  std::vector<CompensatedSum> party_sum_;  // per party: cash, debt, equity, equity_start, loss
  std::vector<long long> default_count_;
  std::vector<CompensatedSum> default_step_sum_, default_date_sum_, recovery_sum_;
  long long rows_ = 0;
  CompensatedSum ledger_sum_[kLedgerFields];
  std::vector<std::vector<double>> values_;  // exact: [statistic][path]
  std::vector<QuantileSketch> sketches_;     // streaming: per statistic
};

// Copies one finished path's outcome into its slots of a block.
void record_path(PathRun& run, Block& blk, long long i) {
  const int n = run.n;
  double* pv = blk.parties.data() + size_t(i) * size_t(n) * kPartyFields;
  for (int p = 1; p <= n; ++p) {
    double* f = pv + size_t(p - 1) * kPartyFields;
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
  double* lv = blk.ledger.data() + size_t(i) * kLedgerFields;
  PathRun::Tally lt = run.totals();
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

int default_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : int(hw);
}

}  // namespace

void run_monte_carlo(const Model& model, const ModelScenario& sc, const RunOptions& options, const Calendar& cal,
                     long long paths, unsigned long long seed, const double* ov, RunResult& r) {
  const size_t steps = size_t(cal.steps()), nt = sc.tracks.size(), n = model.parties.size() - 1;
  // Paths are cut into blocks of consecutive paths; workers take blocks in order, and a
  // finished block is folded into the statistics as soon as every block before it has
  // been (at most `window` blocks are in flight, which bounds memory).
  const size_t nts = nt * steps;
  const size_t per_path = nts + n * kPartyFields + kLedgerFields;
  int threads = options.threads > 0 ? options.threads : default_threads();
  long long block_size = (paths + threads * 16LL - 1) / (threads * 16LL);
  block_size = std::clamp<long long>(block_size, 1, 256);
  block_size = std::max<long long>(1, std::min<long long>(block_size, (long long)((4u << 20) / per_path)));
  const long long blocks = (paths + block_size - 1) / block_size;
  threads = int(std::max<long long>(1, std::min<long long>(threads, blocks)));
  r.threads = threads;
  const long long window = 4LL * threads;

  const long long values_needed = (long long)(nts + n) * paths;
  {
    // The memory budget, from the dimensions: each statistic keeps every value (exact) or a
    // sketch of bounded size; the blocks in flight hold per-path buffers.
    const bool exact = values_needed <= options.exact_statistics_limit;
    // A sketch (statistics.hpp) holds at most retained_bound() words whatever the paths, and
    // about one a path when there are fewer.
    const double per_stat = exact ? double(paths) : std::min(double(paths), double(QuantileSketch::retained_bound()));
    const double stats = double(nts + n);
    const double kept = stats * per_stat;
    const double bytes =
        kept * 8.0 + stats * 64.0 + double(std::min(window, blocks)) * double(block_size) * double(per_path) * 8.0;
    if (options.max_memory_bytes > 0 && bytes > double(options.max_memory_bytes))
      throw RunError(fmt::format(
          "this run would keep about {:.0f} values ({} steps × {} tracked series + {} parties, × {} paths{}), "
          "about {:.1f} GiB, above the memory limit of {:.1f} GiB: reduce --paths, the calendar or the tracked "
          "series, or raise --max-memory",
          kept, steps, nt, n, paths, exact ? "" : ", summarised by sketches", bytes / double(1LL << 30),
          double(options.max_memory_bytes) / double(1LL << 30)));
  }
  Aggregator agg(nt, steps, n, paths, values_needed <= options.exact_statistics_limit);

  std::vector<Block> ring(size_t(std::min(window, blocks)));
  std::mutex mu;
  std::condition_variable cv;
  long long next_block = 0, merged = 0;
  int workers_done = 0;
  bool stop = false;
  long long failed_path = -1;
  std::string failure;
  std::atomic<long long> done_paths{0};

  auto worker = [&] {
    try {
      PathRun run(model, sc, options, cal, seed, 0, false);
      std::vector<double> track_out(std::max<size_t>(1, nt));
      for (;;) {
        long long b;
        {
          std::unique_lock lk(mu);
          cv.wait(lk, [&] { return stop || next_block >= blocks || next_block < merged + window; });
          if (stop || next_block >= blocks) break;
          b = next_block++;
        }
        Block& blk = ring[size_t(b % window)];
        blk.first = b * block_size;
        blk.count = std::min(block_size, paths - blk.first);
        blk.tracks.resize(size_t(blk.count) * nts);
        blk.parties.resize(size_t(blk.count) * n * kPartyFields);
        blk.ledger.resize(size_t(blk.count) * kLedgerFields);
        blk.failed_path = -1;
        blk.error.clear();
        for (long long i = 0; i < blk.count; ++i) {
          long long path = blk.first + i;
          if (options.cancelled && options.cancelled()) {
            blk.failed_path = path;
            blk.error = "the run was interrupted";
            blk.count = i;
            break;
          }
          run.reset(seed, path);
          double* tv = blk.tracks.data() + size_t(i) * nts;
          run.run(ov, [&](int k) {
            sc.track(run.S.data(), &run.ctx, track_out.data());
            run.check_tracks(track_out.data());
            for (size_t t = 0; t < nt; ++t) tv[t * steps + size_t(k)] = track_out[t];
          });
          if (run.ctx.status) {
            blk.failed_path = path;
            blk.error = run.error.empty() ? "the run failed" : run.error;
            blk.count = i;
            break;
          }
          record_path(run, blk, i);
          done_paths.fetch_add(1, std::memory_order_relaxed);
        }
        std::lock_guard lk(mu);
        blk.ready = true;
        // Fold every block that is next in path order.
        while (!stop && merged < blocks && ring[size_t(merged % window)].ready) {
          Block& m = ring[size_t(merged % window)];
          agg.add(m);
          m.ready = false;
          if (m.failed_path >= 0) {
            failed_path = m.failed_path;
            failure = std::move(m.error);
            stop = true;
          }
          ++merged;
        }
        cv.notify_all();
      }
    } catch (const std::exception& e) {
      std::lock_guard lk(mu);
      if (!stop) failure = fmt::format("internal error in a Monte Carlo worker: {}", e.what());
      stop = true;
    }
    std::lock_guard lk(mu);
    ++workers_done;
    cv.notify_all();
  };

  std::vector<std::thread> pool;
  pool.reserve(size_t(threads));
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
  {
    // The calling thread waits, reporting progress every 100 ms (workers' notifications
    // wake it more often; those only end the wait when the last worker is done).
    using clock = std::chrono::steady_clock;
    auto next_report = clock::now() + std::chrono::milliseconds(100);
    std::unique_lock lk(mu);
    while (workers_done < threads) {
      if (cv.wait_until(lk, next_report, [&] { return workers_done >= threads; })) break;
      next_report += std::chrono::milliseconds(100);
      if (options.progress) {
        lk.unlock();
        options.progress(done_paths.load(std::memory_order_relaxed), paths);
        lk.lock();
      }
    }
  }
  for (auto& t : pool) t.join();
  if (options.progress) options.progress(done_paths.load(), paths);
  if (stop) {
    if (failed_path >= 0)
      throw RunError(fmt::format("{}\n    (Monte Carlo path {} of {}, counting from 0, seed {})", failure, failed_path,
                                 paths, seed));
    throw RunError(failure.empty() ? "the run failed" : failure);
  }
  agg.finish(r, threads);
}

}  // namespace deal::rt
