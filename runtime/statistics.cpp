#include "runtime/statistics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>

#include "runtime/require.hpp"

namespace deal::rt {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double percentile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return kNaN;
  double pos = q * double(sorted.size() - 1);
  size_t lo = size_t(std::floor(pos));
  size_t hi = std::min(sorted.size() - 1, lo + 1);
  double frac = pos - double(lo);
  if (frac == 0 || sorted[lo] == sorted[hi]) return sorted[lo];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Summary summarize_exact(std::vector<double>& values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double x) { return std::isnan(x); }), values.end());
  Summary s{};
  s.count = (long long)values.size();
  CompensatedSum sum;
  for (double x : values) sum.add(x);
  s.mean = values.empty() ? kNaN : sum.value() / double(values.size());
  std::sort(values.begin(), values.end());
  s.p5 = percentile_sorted(values, kReportedQuantiles[0]);
  s.p25 = percentile_sorted(values, kReportedQuantiles[1]);
  s.p50 = percentile_sorted(values, kReportedQuantiles[2]);
  s.p75 = percentile_sorted(values, kReportedQuantiles[3]);
  s.p95 = percentile_sorted(values, kReportedQuantiles[4]);
  return s;
}

void ExactSum::normalize() {
  for (int k = 0; k + 1 < kLimbs; ++k) {
    const std::int64_t carry = limbs_[k] >> 32;  // floor division: the remainder is in [0, 2^32)
    limbs_[k] &= 0xffffffff;
    limbs_[k + 1] += carry;
  }
  pending_ = 0;
}

void ExactSum::merge(const ExactSum& other) {
  for (int k = 0; k < kLimbs; ++k) limbs_[k] += other.limbs_[k];
  // Both sides' limbs were below 2^32 · (pending + 1); the sum below 2^32 · (sum + 2).
  pending_ += other.pending_ + 1;
  specials_ |= other.specials_;
  zeros_ = std::max(zeros_, other.zeros_);
  if (pending_ >= kPendingLimit) normalize();
  DEAL_REQUIRE(std::abs(limbs_[kLimbs - 1]) <= kTopLimit * 1024, "an exact sum beyond 2^1098");
}

double ExactSum::value() const {
  if ((specials_ & kNaNSeen) || (specials_ & (kPosInfSeen | kNegInfSeen)) == (kPosInfSeen | kNegInfSeen)) return kNaN;
  if (specials_ & kPosInfSeen) return std::numeric_limits<double>::infinity();
  if (specials_ & kNegInfSeen) return -std::numeric_limits<double>::infinity();
  ExactSum s = *this;
  s.normalize();
  const bool negative = s.limbs_[kLimbs - 1] < 0;
  if (negative) {
    for (auto& l : s.limbs_) l = -l;
    s.normalize();
  }
  int h = kLimbs - 1;
  while (h >= 0 && s.limbs_[h] == 0) --h;
  if (h < 0) return zeros_ == kOnlyNegativeZero ? -0.0 : 0.0;
  const double inf = std::numeric_limits<double>::infinity();
  if (h == kLimbs - 1) return negative ? -inf : inf;  // at least 2^(32·66 − 1074) = 2^1038
  auto limb = [&](int k) { return k >= 0 ? std::uint64_t(s.limbs_[k]) : std::uint64_t(0); };
  const int t = std::bit_width(limb(h));  // 1 … 32
  const int p = 32 * h + t - 1;           // the top bit of the integer
  double r;
  if (p < 53) {
    // Below 2^53 units of 2^-1074 (subnormals and the lowest binade): exact.
    r = std::ldexp(double(limb(1) << 32 | limb(0)), -1074);
  } else {
    // The 64 bits from the top one down, then round to 53 by the bits below.
    const std::uint64_t hi = limb(h) << 32 | limb(h - 1), lo = limb(h - 2);
    const int shift = 32 - t;  // 0 … 31
    const std::uint64_t top = (hi << shift) | (lo >> t);
    bool sticky = (lo & ((std::uint64_t(1) << t) - 1)) != 0;
    for (int k = h - 3; k >= 0 && !sticky; --k) sticky = limb(k) != 0;
    std::uint64_t m = top >> 11;
    const bool half = (top >> 10) & 1;
    sticky = sticky || (top & 0x3ff) != 0;
    int q = p;
    if (half && (sticky || (m & 1))) ++m;
    if (m >> 53) {
      m >>= 1;
      ++q;
    }
    // m · 2^(q−52) in units of 2^-1074; normal (q ≥ 53), so ldexp is exact or overflows to ∞.
    r = std::ldexp(double(m), q - 52 - 1074);
  }
  return negative ? -r : r;
}

void ExactSum::write(std::vector<std::uint8_t>& out) const {
  ExactSum s = *this;
  s.normalize();
  const bool negative = s.limbs_[kLimbs - 1] < 0;
  if (negative) {
    for (auto& l : s.limbs_) l = -l;
    s.normalize();
  }
  int lo = 0, hi = kLimbs;
  while (lo < hi && s.limbs_[lo] == 0) ++lo;
  while (hi > lo && s.limbs_[hi - 1] == 0) --hi;
  ByteWriter w(out);
  w.put<std::uint8_t>(specials_);
  w.put<std::uint8_t>(zeros_);
  w.put<std::uint8_t>(negative ? 1 : 0);
  w.put<std::uint8_t>(std::uint8_t(hi > lo ? lo : 0));
  w.put_span(std::span<const std::int64_t>(s.limbs_ + lo, std::size_t(hi - lo)));
}

ExactSum ExactSum::read(ByteReader& in) {
  ExactSum s;
  s.specials_ = in.get<std::uint8_t>();
  s.zeros_ = in.get<std::uint8_t>();
  const auto negative = in.get<std::uint8_t>();
  const auto lo = in.get<std::uint8_t>();
  const std::vector<std::int64_t> limbs = in.get_vector<std::int64_t>();
  DEAL_REQUIRE(s.specials_ <= (kPosInfSeen | kNegInfSeen | kNaNSeen) && s.zeros_ <= kOther && negative <= 1,
               "an exact sum's flags are not valid");
  DEAL_REQUIRE(lo + limbs.size() <= std::size_t(kLimbs), "an exact sum has too many limbs");
  DEAL_REQUIRE(limbs.empty() || (limbs.front() != 0 && limbs.back() != 0), "an exact sum's limbs are not canonical");
  DEAL_REQUIRE(!negative || !limbs.empty(), "an exact sum of zero is not negative");
  // Anything but zeros sets kOther; a nonzero sum or an infinity without it is forged.
  DEAL_REQUIRE(s.zeros_ == kOther || (limbs.empty() && s.specials_ == 0), "an exact sum's flags are not valid");
  for (std::size_t k = 0; k < limbs.size(); ++k) {
    const std::int64_t bound = lo + k == kLimbs - 1 ? kTopLimit : std::int64_t(0xffffffff);
    DEAL_REQUIRE(limbs[k] >= 0 && limbs[k] <= bound, "an exact sum's limb is out of range");
    s.limbs_[lo + k] = negative ? -limbs[k] : limbs[k];  // |limb| < 2^32: as just normalised
  }
  return s;
}

namespace {

// ceil(j / 2^k) for any sign of j (k ≤ 62, |j| < 2^61).
std::int64_t ceil_shift(std::int64_t j, int k) { return k == 0 ? j : (j + ((std::int64_t(1) << k) - 1)) >> k; }

std::int64_t span_at(std::int64_t min, std::int64_t max, int k) {
  return min > max ? 0 : ceil_shift(max, k) - ceil_shift(min, k) + 1;
}

// A total order of the values an exact sketch holds (no NaN): −0.0 before +0.0, so the
// sorted values, their bytes and the quantiles' bits do not depend on the order of adds.
bool canonical_less(double a, double b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); }

constexpr std::uint32_t kSketchTag = 0x314b5351;  // "QSK1"
constexpr double kMinAlpha = 1e-6, kMaxAlpha = 0.5;
constexpr std::size_t kMinBuckets = 64, kMaxSize = std::size_t(1) << 24;

}  // namespace

void QuantileSketch::Store::cover(std::int64_t a, std::int64_t b, std::size_t cap) {
  const std::int64_t need_lo = empty() ? a : std::min(min, a), need_hi = empty() ? b : std::max(max, b);
  const auto size = std::int64_t(counts.size());
  if (size > 0 && need_lo >= lo && need_hi - lo < size) return;
  const std::int64_t need = need_hi - need_lo + 1;
  // Room to grow (doubling, for amortised O(1) widening) but never past B buckets.
  const std::int64_t new_size = std::min(std::int64_t(cap), std::max({need, 2 * size, std::int64_t(32)}));
  std::int64_t new_lo;
  if (empty()) new_lo = need_lo - (new_size - need) / 2;                          // no direction yet: room both ways
  else if (need_lo < lo && need_hi - lo < size) new_lo = need_hi - new_size + 1;  // growing down
  else new_lo = need_lo;                                                          // growing up
  std::vector<std::int64_t> grown(std::size_t(new_size), 0);
  if (!empty()) std::copy(counts.begin() + (min - lo), counts.begin() + (max - lo + 1), grown.begin() + (min - new_lo));
  counts = std::move(grown);
  lo = new_lo;
}

void QuantileSketch::Store::collapse(int k) {
  if (counts.empty() || k == 0) return;
  const std::int64_t new_lo = ceil_shift(lo, k);
  // In place: index p's bucket moves to J(p) ≤ p, and every slot is read before it is
  // written by a later p, so a forward pass of take-then-add is exact.
  for (std::size_t p = 0; p < counts.size(); ++p) {
    const std::int64_t v = counts[p];
    counts[p] = 0;
    counts[std::size_t(ceil_shift(lo + std::int64_t(p), k) - new_lo)] += v;
  }
  counts.resize(std::size_t(ceil_shift(lo + std::int64_t(counts.size()) - 1, k) - new_lo + 1));
  lo = new_lo;
  if (!empty()) {
    min = ceil_shift(min, k);
    max = ceil_shift(max, k);
  }
}

QuantileSketch::QuantileSketch(double relative_accuracy, std::size_t max_buckets, std::size_t exact_limit)
    : alpha_(relative_accuracy), max_buckets_(max_buckets), exact_limit_(exact_limit) {
  DEAL_REQUIRE(relative_accuracy >= kMinAlpha && relative_accuracy <= kMaxAlpha,
               "a quantile sketch's relative accuracy must be between 1e-6 and 0.5");
  DEAL_REQUIRE(max_buckets >= kMinBuckets && max_buckets <= kMaxSize,
               "a quantile sketch needs between 64 and 2^24 buckets per sign");
  DEAL_REQUIRE(exact_limit <= kMaxSize, "a quantile sketch keeps at most 2^24 exact values");
  log_gamma_ = std::log1p(alpha_) - std::log1p(-alpha_);
  // Every value's bucket lies between those of m0 and DBL_MAX; at this level both fit.
  const std::int64_t lo = index0(kZeroThreshold), hi = index0(std::numeric_limits<double>::max());
  max_level_ = 0;
  while (span_at(lo, hi, max_level_) > std::int64_t(max_buckets_)) ++max_level_;
}

std::int64_t QuantileSketch::index0(double magnitude) const {
  return std::int64_t(std::ceil(std::log(magnitude) / log_gamma_));
}

int QuantileSketch::collapses_needed(std::int64_t pmin, std::int64_t pmax, std::int64_t nmin, std::int64_t nmax) const {
  const auto cap = std::int64_t(max_buckets_);
  int k = 0;
  while (span_at(pmin, pmax, k) > cap || span_at(nmin, nmax, k) > cap) ++k;
  return k;
}

void QuantileSketch::collapse(int k) {
  if (k == 0) return;
  level_ += k;
  pos_.collapse(k);
  neg_.collapse(k);
}

void QuantileSketch::bucket(double x, std::int64_t n) {
  if (std::isinf(x)) {
    (x > 0 ? pos_inf_ : neg_inf_) += n;
    return;
  }
  const double a = std::fabs(x);
  if (a < kZeroThreshold) {
    zero_ += n;
    return;
  }
  std::int64_t j = ceil_shift(index0(a), level_);
  Store& s = x > 0 ? pos_ : neg_;
  if (!s.covers(j)) {
    // Outside the array: collapse first if the span with j would pass B.
    const bool p = x > 0;
    const std::int64_t smin = s.empty() ? j : std::min(s.min, j), smax = s.empty() ? j : std::max(s.max, j);
    const int k = collapses_needed(p ? smin : pos_.min, p ? smax : pos_.max, p ? neg_.min : smin, p ? neg_.max : smax);
    collapse(k);
    j = ceil_shift(j, k);
    s.cover(j, j, max_buckets_);
  }
  s.counts[std::size_t(j - s.lo)] += n;
  if (s.empty()) {
    s.min = s.max = j;
  } else {
    s.min = std::min(s.min, j);
    s.max = std::max(s.max, j);
  }
}

void QuantileSketch::to_buckets() {
  // Two passes: the values' index ranges decide the level, then they are counted.
  std::int64_t pmin = 1, pmax = 0, nmin = 1, nmax = 0;
  for (double x : values_) {
    const double a = std::fabs(x);
    if (std::isinf(x) || a < kZeroThreshold) continue;
    const std::int64_t j = index0(a);
    std::int64_t& mn = x > 0 ? pmin : nmin;
    std::int64_t& mx = x > 0 ? pmax : nmax;
    if (mn > mx) mn = mx = j;
    else {
      mn = std::min(mn, j);
      mx = std::max(mx, j);
    }
  }
  level_ = collapses_needed(pmin, pmax, nmin, nmax);
  if (pmin <= pmax) pos_.cover(ceil_shift(pmin, level_), ceil_shift(pmax, level_), max_buckets_);
  if (nmin <= nmax) neg_.cover(ceil_shift(nmin, level_), ceil_shift(nmax, level_), max_buckets_);
  bucketed_ = true;
  for (double x : values_) bucket(x, 1);
  std::vector<double>().swap(values_);
}

void QuantileSketch::add(double x) {
  if (std::isnan(x)) return;
  ++count_;
  if (!bucketed_) {
    if (values_.size() < exact_limit_) {
      // Grown by doubling but never past E, so an exact sketch holds at most E values.
      if (values_.size() == values_.capacity())
        values_.reserve(std::min(exact_limit_, std::max<std::size_t>(8, 2 * values_.capacity())));
      values_.push_back(x);
      return;
    }
    to_buckets();
  }
  bucket(x, 1);
}

void QuantileSketch::merge(const QuantileSketch& other) {
  DEAL_REQUIRE(other.alpha_ == alpha_ && other.max_buckets_ == max_buckets_ && other.exact_limit_ == exact_limit_,
               "quantile sketches merge only with the same accuracy, buckets and exact limit");
  DEAL_REQUIRE(&other != this, "a quantile sketch cannot be merged into itself");
  if (other.count_ == 0) return;
  DEAL_REQUIRE(count_ <= std::numeric_limits<long long>::max() - other.count_, "a quantile sketch's count overflows");
  if (!other.bucketed_) {
    if (!bucketed_ && values_.size() + other.values_.size() <= exact_limit_) {
      if (values_.capacity() < values_.size() + other.values_.size())
        values_.reserve(
            std::min(exact_limit_, std::max(values_.size() + other.values_.size(), 2 * values_.capacity())));
      values_.insert(values_.end(), other.values_.begin(), other.values_.end());
    } else {
      if (!bucketed_) to_buckets();
      for (double x : other.values_) bucket(x, 1);
    }
    count_ += other.count_;
    return;
  }
  if (!bucketed_) {
    // This side's few values go into a copy of the other's buckets.
    QuantileSketch merged = other;
    for (double x : values_) merged.bucket(x, 1);
    merged.count_ += count_;
    *this = std::move(merged);
    return;
  }
  // Both bucketed: at the higher level, then as many more as the union's spans need.
  const int up = std::max(level_, other.level_);
  const int da = up - level_, db = up - other.level_;
  auto lo_of = [](const Store& a, int ka, const Store& b, int kb) {
    return a.empty()   ? ceil_shift(b.min, kb)
           : b.empty() ? ceil_shift(a.min, ka)
                       : std::min(ceil_shift(a.min, ka), ceil_shift(b.min, kb));
  };
  auto hi_of = [](const Store& a, int ka, const Store& b, int kb) {
    return a.empty()   ? ceil_shift(b.max, kb)
           : b.empty() ? ceil_shift(a.max, ka)
                       : std::max(ceil_shift(a.max, ka), ceil_shift(b.max, kb));
  };
  std::int64_t pmin = 1, pmax = 0, nmin = 1, nmax = 0;
  if (!pos_.empty() || !other.pos_.empty()) {
    pmin = lo_of(pos_, da, other.pos_, db);
    pmax = hi_of(pos_, da, other.pos_, db);
  }
  if (!neg_.empty() || !other.neg_.empty()) {
    nmin = lo_of(neg_, da, other.neg_, db);
    nmax = hi_of(neg_, da, other.neg_, db);
  }
  const int more = collapses_needed(pmin, pmax, nmin, nmax);
  collapse(da + more);
  const int k = up + more - other.level_;
  for (auto [mine, theirs] : {std::pair<Store*, const Store*>{&pos_, &other.pos_}, {&neg_, &other.neg_}}) {
    if (theirs->empty()) continue;
    const std::int64_t a = ceil_shift(theirs->min, k), b = ceil_shift(theirs->max, k);
    mine->cover(a, b, max_buckets_);
    for (std::int64_t j = theirs->min; j <= theirs->max; ++j)
      mine->counts[std::size_t(ceil_shift(j, k) - mine->lo)] += theirs->counts[std::size_t(j - theirs->lo)];
    if (mine->empty()) {
      mine->min = a;
      mine->max = b;
    } else {
      mine->min = std::min(mine->min, a);
      mine->max = std::max(mine->max, b);
    }
  }
  zero_ += other.zero_;
  pos_inf_ += other.pos_inf_;
  neg_inf_ += other.neg_inf_;
  count_ += other.count_;
}

double QuantileSketch::relative_error() const {
  // (γ_ℓ − 1)/(γ_ℓ + 1) = tanh(ln γ_ℓ / 2), without the cancellation of γ_ℓ − 1.
  return bucketed_ ? std::tanh(std::ldexp(log_gamma_, level_) / 2) : 0.0;
}

double QuantileSketch::representative(std::int64_t j) const {
  // 2γ_ℓ^j/(γ_ℓ + 1) in logarithms (γ_ℓ^j alone may pass DBL_MAX). Above DBL_MAX only for
  // values near DBL_MAX, which DBL_MAX is then nearer to.
  const double l = std::ldexp(log_gamma_, level_);
  const double r = std::exp(double(j) * l + (std::log(2.0) - (l + std::log1p(std::exp(-l)))));
  return std::min(r, std::numeric_limits<double>::max());
}

std::size_t QuantileSketch::retained() const {
  return values_.capacity() + pos_.counts.capacity() + neg_.counts.capacity();
}

std::size_t QuantileSketch::retained_bound() {
  return kDefaultExactLimit + 2 * kDefaultMaxBuckets + (sizeof(QuantileSketch) + 7) / 8;
}

void QuantileSketch::quantiles(std::span<const double> qs, std::span<double> out) const {
  DEAL_REQUIRE(qs.size() == out.size(), "quantiles: one output per quantile");
  for (double q : qs) DEAL_REQUIRE(q >= 0 && q <= 1, "a quantile must be between 0 and 1");
  if (count_ == 0) {
    std::fill(out.begin(), out.end(), kNaN);
    return;
  }
  if (!bucketed_) {
    std::vector<double> v = values_;
    std::sort(v.begin(), v.end(), canonical_less);
    for (size_t i = 0; i < qs.size(); ++i) out[i] = percentile_sorted(v, qs[i]);
    return;
  }
  // As percentile_sorted, with each order statistic replaced by its bucket's representative:
  // the two ranks of every q, found in one walk over the buckets in increasing order
  // (−∞, the negative store from its most negative bucket, zero, the positive store, +∞).
  struct Want {
    long long rank;
    std::size_t slot;
  };
  std::vector<Want> wants;
  std::vector<double> at(2 * qs.size());
  for (size_t i = 0; i < qs.size(); ++i) {
    const auto lo = (long long)std::floor(qs[i] * double(count_ - 1));
    wants.push_back({lo, 2 * i});
    wants.push_back({std::min(count_ - 1, lo + 1), 2 * i + 1});
  }
  std::sort(wants.begin(), wants.end(), [](const Want& a, const Want& b) { return a.rank < b.rank; });
  std::size_t next = 0;
  long long below = 0;  // values in the buckets walked so far
  auto bucket_of = [&](std::int64_t count, auto value) {
    for (; next < wants.size() && wants[next].rank < below + count; ++next) at[wants[next].slot] = value();
    below += count;
  };
  const double inf = std::numeric_limits<double>::infinity();
  bucket_of(neg_inf_, [&] { return -inf; });
  if (!neg_.empty())
    for (std::int64_t j = neg_.max; j >= neg_.min && next < wants.size(); --j)
      bucket_of(neg_.counts[std::size_t(j - neg_.lo)], [&] { return -representative(j); });
  bucket_of(zero_, [] { return 0.0; });
  if (!pos_.empty())
    for (std::int64_t j = pos_.min; j <= pos_.max && next < wants.size(); ++j)
      bucket_of(pos_.counts[std::size_t(j - pos_.lo)], [&] { return representative(j); });
  bucket_of(pos_inf_, [&] { return inf; });
  for (size_t i = 0; i < qs.size(); ++i) {
    const double pos = qs[i] * double(count_ - 1), frac = pos - std::floor(pos);
    const double a = at[2 * i], b = at[2 * i + 1];
    out[i] = frac == 0 || a == b ? a : a + (b - a) * frac;
  }
}

double QuantileSketch::quantile(double q) const {
  double out = kNaN;
  quantiles(std::span<const double>(&q, 1), std::span<double>(&out, 1));
  return out;
}

void QuantileSketch::write(std::vector<std::uint8_t>& out) const {
  ByteWriter w(out);
  w.put(kSketchTag);
  w.put(alpha_);
  w.put<std::uint64_t>(max_buckets_);
  w.put<std::uint64_t>(exact_limit_);
  w.put<std::int64_t>(count_);
  w.put<std::uint8_t>(bucketed_ ? 1 : 0);
  if (!bucketed_) {
    std::vector<double> v = values_;
    std::sort(v.begin(), v.end(), canonical_less);
    w.put_span(std::span<const double>(v));
    return;
  }
  w.put<std::int32_t>(level_);
  w.put<std::int64_t>(zero_);
  w.put<std::int64_t>(neg_inf_);
  w.put<std::int64_t>(pos_inf_);
  for (const Store* s : {&neg_, &pos_}) {
    w.put<std::int64_t>(s->empty() ? 0 : s->min);
    if (s->empty()) w.put_span(std::span<const std::int64_t>());
    else
      w.put_span(std::span<const std::int64_t>(s->counts.data() + (s->min - s->lo), std::size_t(s->max - s->min + 1)));
  }
}

QuantileSketch QuantileSketch::read(ByteReader& in) {
  DEAL_REQUIRE(in.get<std::uint32_t>() == kSketchTag, "not a quantile sketch");
  const auto alpha = in.get<double>();
  const auto buckets = in.get<std::uint64_t>(), limit = in.get<std::uint64_t>();
  DEAL_REQUIRE(
      alpha >= kMinAlpha && alpha <= kMaxAlpha && buckets >= kMinBuckets && buckets <= kMaxSize && limit <= kMaxSize,
      "a quantile sketch's parameters are out of range");
  QuantileSketch s(alpha, std::size_t(buckets), std::size_t(limit));
  s.count_ = in.get<std::int64_t>();
  const auto mode = in.get<std::uint8_t>();
  DEAL_REQUIRE(s.count_ >= 0 && mode <= 1, "a quantile sketch's count or mode is not valid");
  if (mode == 0) {
    s.values_ = in.get_vector<double>();
    DEAL_REQUIRE(s.values_.size() == std::uint64_t(s.count_) && s.values_.size() <= s.exact_limit_,
                 "an exact quantile sketch holds its count of values, at most its exact limit");
    for (std::size_t i = 0; i < s.values_.size(); ++i) {
      DEAL_REQUIRE(!std::isnan(s.values_[i]), "a quantile sketch holds a NaN");
      DEAL_REQUIRE(i == 0 || !canonical_less(s.values_[i], s.values_[i - 1]),
                   "a quantile sketch's values are not sorted");
    }
    return s;
  }
  DEAL_REQUIRE(std::uint64_t(s.count_) > s.exact_limit_, "a bucketed quantile sketch holds more than its exact limit");
  s.bucketed_ = true;
  s.level_ = in.get<std::int32_t>();
  DEAL_REQUIRE(s.level_ >= 0 && s.level_ <= s.max_level_, "a quantile sketch's level is out of range");
  s.zero_ = in.get<std::int64_t>();
  s.neg_inf_ = in.get<std::int64_t>();
  s.pos_inf_ = in.get<std::int64_t>();
  std::int64_t total = 0;
  auto tally = [&](std::int64_t c) {
    DEAL_REQUIRE(c >= 0 && c <= s.count_ - total, "a quantile sketch's counts do not add up to its count");
    total += c;
  };
  tally(s.zero_);
  tally(s.neg_inf_);
  tally(s.pos_inf_);
  // The indices a value ≥ m0 can have at this level.
  const std::int64_t lowest = ceil_shift(s.index0(kZeroThreshold), s.level_);
  const std::int64_t highest = ceil_shift(s.index0(std::numeric_limits<double>::max()), s.level_);
  std::int64_t widest = 0;
  for (Store* st : {&s.neg_, &s.pos_}) {
    const auto first = in.get<std::int64_t>();
    std::vector<std::int64_t> counts = in.get_vector<std::int64_t>();
    if (counts.empty()) {
      DEAL_REQUIRE(first == 0, "an empty store of a quantile sketch starts at 0");
      continue;
    }
    DEAL_REQUIRE(counts.size() <= s.max_buckets_ && first >= lowest && first <= highest &&
                     std::int64_t(counts.size()) - 1 <= highest - first,
                 "a quantile sketch's buckets are out of range");
    DEAL_REQUIRE(counts.front() > 0 && counts.back() > 0, "a quantile sketch's buckets are not canonical");
    for (std::int64_t c : counts) tally(c);
    st->lo = st->min = first;
    st->max = first + std::int64_t(counts.size()) - 1;
    st->counts = std::move(counts);
    widest = std::max(widest, st->max - st->min + 1);
  }
  DEAL_REQUIRE(total == s.count_, "a quantile sketch's counts do not add up to its count");
  // One level down, a span is at most twice as wide: a level above 0 needs a span over B/2.
  DEAL_REQUIRE(s.level_ == 0 || 2 * widest > std::int64_t(s.max_buckets_),
               "a quantile sketch's level is higher than its buckets need");
  return s;
}

Summary summarize(const QuantileSketch& sketch, double mean) {
  Summary s{};
  s.count = sketch.count();
  s.mean = mean;
  double q[5];
  sketch.quantiles(kReportedQuantiles, q);
  s.p5 = q[0];
  s.p25 = q[1];
  s.p50 = q[2];
  s.p75 = q[3];
  s.p95 = q[4];
  return s;
}

}  // namespace deal::rt
