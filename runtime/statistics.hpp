// Monte Carlo statistics (LANGUAGE.md §6.4): compensated and exact sums for means, exact
// percentiles by linear interpolation between order statistics (NumPy's default), and a
// deterministic streaming quantile sketch with a proven relative-error bound for runs whose
// samples would not fit in memory.
//
// Everything here is deterministic: the same values added in the same order give the
// same bits. ExactSum and QuantileSketch go further: their results depend only on the
// multiset of values added, not on the order or on how partial results were merged, so
// statistics of blocks of paths computed on any number of threads or MPI ranks and merged
// in any tree give the same bits.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/serialize.hpp"

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

// The exact sum of doubles, correctly rounded once at the end (a "superaccumulator").
//
// Every finite double is an integer multiple of 2^-1074 below 2^1024, so the sum of any
// number of them is an integer in those units: it is held as 67 signed limbs of 32 bits
// each (limb k weighs 2^(32k−1074); limbs 0–65 cover every double, limb 66 takes the
// carries of sums beyond DBL_MAX). Integer addition is associative and commutative, so
// add() and merge() in any order or grouping hold the same integer and value() gives the
// same bits. value() rounds it to nearest, ties to even, as Python's math.fsum does (but an
// intermediate sum beyond DBL_MAX is no error: only the final value overflows, to ±∞).
// IEEE rules for the rest: any NaN gives NaN, +∞ and −∞ together NaN, one sign of
// infinity that infinity; a sum of nothing but −0.0 is −0.0, and an exact zero otherwise +0.
//
// Carries are lazy: add() touches the three limbs a double's 53 bits can straddle and
// never carries, since a limb starts in [0, 2^32) after a normalisation and moves by less
// than 2^32 per add; normalising every 2^29 adds keeps every limb far from 2^63.
class ExactSum {
 public:
  void add(double x) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
    const bool negative = bits >> 63;
    std::uint64_t e = (bits >> 52) & 0x7ff;
    std::uint64_t m = bits & ((std::uint64_t(1) << 52) - 1);
    if (e == 0x7ff) {
      specials_ |= m ? kNaNSeen : negative ? kNegInfSeen : kPosInfSeen;
      zeros_ = kOther;
      return;
    }
    if (e == 0 && m == 0) {
      if (!negative) zeros_ = kOther;
      else if (zeros_ == kNothing) zeros_ = kOnlyNegativeZero;
      return;
    }
    zeros_ = kOther;
    if (e) m |= std::uint64_t(1) << 52;  // normal: the implicit bit; subnormal: e = 1 with it off
    else e = 1;
    // x = ±m · 2^(e−1075): m's lowest bit is bit e−1 of the integer in units of 2^-1074.
    const unsigned at = unsigned(e - 1), sh = at % 32;
    const std::uint64_t t = m << sh;  // the low 64 bits of m · 2^sh (m · 2^sh < 2^85)
    // Subtracted for a negative x, without a branch (signs of random data mispredict).
    const std::int64_t neg = -std::int64_t(negative);  // 0 or all ones: d ↦ (d ^ neg) − neg
    std::int64_t* l = limbs_ + at / 32;
    l[0] += (std::int64_t(t & 0xffffffffu) ^ neg) - neg;
    l[1] += (std::int64_t(t >> 32) ^ neg) - neg;
    l[2] += (std::int64_t(sh ? m >> (64 - sh) : 0) ^ neg) - neg;
    if (++pending_ >= kPendingLimit) normalize();
  }
  // Adds another sum's integer limb by limb (and its infinities and NaNs).
  void merge(const ExactSum& other);
  // The exact sum correctly rounded (see above).
  double value() const;
  // A canonical encoding (the same bytes for the same sum however it was formed): flags,
  // sign, and the magnitude's nonzero limbs.
  void write(std::vector<std::uint8_t>& out) const;
  // Reads what write() wrote; a truncated, foreign or inconsistent buffer is an Error.
  static ExactSum read(ByteReader& in);

 private:
  static constexpr int kLimbs = 67;
  static constexpr std::int64_t kPendingLimit = std::int64_t(1) << 29;
  // A bound on the carry limb's magnitude (2^50 · 2^1038): unreachable by adds (each moves
  // it by at most 2^-14), so it only rejects forged buffers before they could overflow.
  static constexpr std::int64_t kTopLimit = std::int64_t(1) << 50;
  enum : std::uint8_t { kPosInfSeen = 1, kNegInfSeen = 2, kNaNSeen = 4 };
  // What the zeros tell: nothing added, only −0.0 added, or anything else (merge: max).
  enum : std::uint8_t { kNothing = 0, kOnlyNegativeZero = 1, kOther = 2 };
  // Carries every limb into the next, leaving limbs 0–65 in [0, 2^32) and the sign in 66.
  void normalize();
  std::int64_t limbs_[kLimbs] = {};
  // Adds (or merges) since the last normalisation: |limb| < 2^32 · (pending_ + 1).
  std::int64_t pending_ = 0;
  std::uint8_t specials_ = 0;
  std::uint8_t zeros_ = kNothing;
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
