// Monte Carlo statistics (LANGUAGE.md §6.4): compensated sums for means, exact
// percentiles by linear interpolation between order statistics (NumPy's default), and a
// deterministic streaming quantile sketch with a proven rank-error bound for runs whose
// samples would not fit in memory.
//
// Everything here is deterministic: the same values added in the same order give the
// same bits. The driver adds values in path order, so results do not depend on the number
// of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace deal::rt {

// Neumaier's compensated summation: error ~1 ulp of the sum, independent of the count.
class CompensatedSum {
 public:
  void add(double x) {
    double t = sum_ + x;
    if (t - t != 0) {  // infinite or NaN: no compensation (it would turn ∞ into NaN)
      sum_ = t;
      return;
    }
    if (abs(sum_) >= abs(x)) c_ += (sum_ - t) + x;
    else c_ += (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return sum_ + c_; }
  // Folds another sum in: its running sum is added with compensation and its compensation
  // carried over. Deterministic, so sums of fixed blocks merged in a fixed order give the
  // same bits wherever the blocks ran.
  void merge(const CompensatedSum& o) {
    add(o.sum_);
    c_ += o.c_;
  }
  double raw_sum() const { return sum_; }
  double raw_compensation() const { return c_; }
  static CompensatedSum from_raw(double sum, double c) {
    CompensatedSum s;
    s.sum_ = sum;
    s.c_ = c;
    return s;
  }

 private:
  static double abs(double x) { return x < 0 ? -x : x; }
  double sum_ = 0, c_ = 0;
};

// The quantiles every Monte Carlo statistic reports.
inline constexpr double kReportedQuantiles[5] = {0.05, 0.25, 0.50, 0.75, 0.95};

// Mean and the 5/25/50/75/95th percentiles of one statistic. NaN where undefined (no values).
struct Summary {
  double mean, p5, p25, p50, p75, p95;
  long long count = 0;  // values summarised (NaN values are left out)
};

// The q-quantile (0 ≤ q ≤ 1) of sorted values by linear interpolation between the order
// statistics at positions floor(q(N−1)) and ceil(q(N−1)) (NumPy's default, Hyndman–Fan
// type 7). NaN for no values.
double percentile_sorted(std::span<const double> sorted, double q);

// Sorts `values` in place (NaNs removed first) and summarises them; the mean is the
// compensated sum in the order given, before sorting.
Summary summarize_exact(std::vector<double>& values);

// A deterministic mergeless quantile sketch (a compactor hierarchy in the manner of
// Manku–Rajagopalan–Lindsay and KLL, with alternating rather than random offsets).
//
// Level h holds up to `capacity` values of weight 2^h. When a level fills, it is sorted
// and every other value (odd positions and even positions alternately, per level) moves up
// a level with twice the weight. One such compaction changes the weighted rank of any
// value by at most 2^h, so the sketch's rank of every value is within E = Σ 2^h over all
// compactions of the true rank. quantile(q) returns an actual input value whose rank
// among the N values is within ±E of q(N−1); E ≤ N·L/capacity where L is the number of
// levels that compacted (about log2(N/capacity) + 1). While nothing has been compacted
// (N ≤ capacity) the answer is exact and interpolated as percentile_sorted does.
class QuantileSketch {
 public:
  explicit QuantileSketch(std::size_t capacity = 4096);

  void add(double x);  // NaN is ignored
  // Folds `other` (of the same capacity) into this sketch, level by level; overfull levels
  // are then compacted from the bottom up. Every compaction of either sketch, before or
  // during the merge, adds its 2^h to the bound, so rank_error() stays a proven bound for
  // the union. Deterministic: merging the same sketches in the same order gives the same
  // bits, so sketches of fixed blocks of paths merged in block order do not depend on
  // where the blocks ran (threads, processes). While the union holds fewer than
  // `capacity` values and neither side compacted, it is exact.
  void merge(const QuantileSketch& other);
  long long count() const { return count_; }
  // The bound E described above, as a share of N (0 while exact).
  double rank_error() const { return count_ ? double(error_weight_) / double(count_) : 0.0; }
  bool exact() const { return error_weight_ == 0; }
  double quantile(double q) const;
  // Several quantiles with one sort.
  void quantiles(std::span<const double> qs, std::span<double> out) const;
  // Memory held, in values.
  std::size_t retained() const;

 private:
  void compact(std::size_t level);
  std::size_t capacity_;
  std::vector<std::vector<double>> levels_;
  std::vector<std::uint8_t> parity_;  // per level: which offset the next compaction keeps
  long long count_ = 0;
  long long error_weight_ = 0;
};

Summary summarize(const QuantileSketch& sketch, double mean);

}  // namespace deal::rt
