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

// A quantile sketch with a relative-error guarantee whose state depends only on the
// multiset of values added: a DDSketch (Masson, Rim & Lee 2019) with uniform collapsing
// (UDDSketch, Epicoco et al. 2020), exact while small.
//
// Exact while it holds at most E values (default 1,024): they are kept and quantiles
// interpolate between order statistics exactly as percentile_sorted does.
//
// Past E, every value goes to a bucket. With γ = (1+α)/(1−α) (α the relative accuracy,
// default 0.1%) and the level ℓ (0 at first), γ_ℓ = γ^(2^ℓ): a value x ≥ m0 goes to bucket
// i = ceil(log_γ x) at level 0 of the positive store, that is (γ^(i−1), γ^i]; a value
// x ≤ −m0 to bucket i of |x| in the negative store; |x| < m0 to the zero bucket; ±∞ to
// their own counters. m0 = 1e-12 (kZeroThreshold): a millionth of a millionth of a unit of
// money, so no real amount is lost to it, while the residues of cancellation (1e-17 of a
// sum that is 0) count as the zeros they are instead of stretching the buckets' span over
// orders of magnitude that hold nothing but noise.
//
// Bounded memory: each store is a dense array over [lowest, highest bucket], at most B
// buckets (default 4,096: ratios up to e^(4096·2α) ≈ 3,600 at level 0, 1.3e7 at level 1,
// 1.7e14 at level 2). When a value or a merge would make either store's span exceed B,
// both collapse uniformly: ℓ → ℓ+1 and bucket j → ceil(j/2) (buckets 2I−1 and 2I make
// (γ_{ℓ+1}^(I−1), γ_{ℓ+1}^I]; floor(j/2) would pair 2I with 2I+1, a bucket of no power of
// γ_{ℓ+1}). Counts are integers that add.
//
// Order independence: ceil(ceil(j/2^a)/2^b) = ceil(j/2^(a+b)), so a value's bucket at level
// ℓ is ceil(i/2^ℓ) of its level-0 index i however it got there, and a store's span at level
// ℓ depends only on the lowest and highest value. A sketch's level is therefore always the
// least ℓ at which the spans of all its values fit in B (adds and merges only ever raise it
// to that; the least level of a union is at least either side's), and its counts are the
// numbers of values in each bucket of that level: a function of the multiset alone, so any
// order of adds and any tree of merges give the same state, the same write() bytes and the
// same quantile bits. The switch from exact to buckets happens whenever the count passes E
// (by add or by merge) and buckets every value the same way.
//
// Quantiles: q's 0-based ranks floor(q(N−1)) and ceil(q(N−1)) are found by cumulative counts
// (−∞, the negative store from the most negative, zero, the positive store, +∞); a bucket
// stands for 2γ_ℓ^i/(γ_ℓ+1) (negated in the negative store, 0 in the zero bucket), and the
// two are interpolated by the fractional rank as percentile_sorted does.
// Bound: bucketing is monotone, so the k-th smallest value lies in the bucket where the
// cumulative count passes k; every x in (γ_ℓ^(i−1), γ_ℓ^i] is within relative error
// α_ℓ = (γ_ℓ−1)/(γ_ℓ+1) of 2γ_ℓ^i/(γ_ℓ+1), and every x of the zero bucket within m0 of 0. The
// interpolation weights add to 1, so a reported quantile differs from the exact type-7
// one by at most max(α_ℓ · max(|x_lo|, |x_hi|), m0), x_lo and x_hi the two order
// statistics (up to the rounding of log and exp, ~1e-13 relative). relative_error() is α_ℓ.
class QuantileSketch {
 public:
  static constexpr double kDefaultRelativeAccuracy = 1e-3;  // α
  static constexpr std::size_t kDefaultMaxBuckets = 4096;   // B, per store
  static constexpr std::size_t kDefaultExactLimit = 1024;   // E
  static constexpr double kZeroThreshold = 1e-12;           // m0 (see above)

  // α in [1e-6, 0.5], B in [64, 2^24], E at most 2^24.
  explicit QuantileSketch(double relative_accuracy = kDefaultRelativeAccuracy,
                          std::size_t max_buckets = kDefaultMaxBuckets, std::size_t exact_limit = kDefaultExactLimit);

  void add(double x);  // NaN is ignored
  // Folds `other` (of the same α, B and E) in; see above for why the result does not
  // depend on the order or grouping of merges.
  void merge(const QuantileSketch& other);
  long long count() const { return count_; }
  bool exact() const { return !bucketed_; }
  // α_ℓ (0 while exact): the relative error bound above, besides m0 near zero.
  double relative_error() const;
  int level() const { return level_; }
  double quantile(double q) const;
  // Several quantiles with one sort (exact) or one walk over the buckets.
  void quantiles(std::span<const double> qs, std::span<double> out) const;
  // Memory held, in 8-byte values and buckets (the allocated arrays).
  std::size_t retained() const;
  // An upper bound on a default sketch's memory between calls, in 8-byte words: E values
  // and 2·B buckets (held together while the values are bucketed) and the object itself.
  static std::size_t retained_bound();
  // A canonical encoding (the same bytes for the same multiset, however it was formed).
  void write(std::vector<std::uint8_t>& out) const;
  // Reads what write() wrote, checking every field; anything else is an Error.
  static QuantileSketch read(ByteReader& in);

 private:
  // One sign's buckets: counts of indices [lo, lo + counts.size()) ⊇ [min, max].
  struct Store {
    std::int64_t lo = 0, min = 1, max = 0;  // min > max: empty
    std::vector<std::int64_t> counts;
    bool empty() const { return min > max; }
    bool covers(std::int64_t j) const { return j >= lo && j - lo < std::int64_t(counts.size()); }
    // Widens the array to hold [a, b] as well as [min, max] (that span must fit in `cap`).
    void cover(std::int64_t a, std::int64_t b, std::size_t cap);
    void collapse(int k);  // index j → ceil(j / 2^k)
  };
  std::int64_t index0(double magnitude) const;  // the level-0 bucket of a value ≥ m0
  void bucket(double x, std::int64_t n);        // counts n values x (bucketed sketch)
  void to_buckets();                            // exact → bucketed
  // Levels to add until both stores' spans fit in B, were their ranges [pmin, pmax] and
  // [nmin, nmax] at the current level (min > max: empty).
  int collapses_needed(std::int64_t pmin, std::int64_t pmax, std::int64_t nmin, std::int64_t nmax) const;
  void collapse(int k);
  double representative(std::int64_t j) const;  // of bucket j of the positive store

  double alpha_;
  std::size_t max_buckets_, exact_limit_;
  double log_gamma_;  // ln γ
  int max_level_;     // the level at which any two values ≥ m0 fit in B buckets
  int level_ = 0;
  bool bucketed_ = false;
  long long count_ = 0;
  std::vector<double> values_;  // exact: the values, at most E
  Store pos_, neg_;
  std::int64_t zero_ = 0, pos_inf_ = 0, neg_inf_ = 0;
};

Summary summarize(const QuantileSketch& sketch, double mean);

}  // namespace deal::rt
