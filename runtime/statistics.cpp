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

QuantileSketch::QuantileSketch(std::size_t capacity) : capacity_(capacity) {
  DEAL_REQUIRE(capacity >= 2 && capacity % 2 == 0, "a quantile sketch needs an even capacity of at least 2");
  levels_.emplace_back();
  parity_.push_back(0);
}

void QuantileSketch::add(double x) {
  if (std::isnan(x)) return;
  ++count_;
  levels_[0].push_back(x);
  if (levels_[0].size() >= capacity_) compact(0);
}

void QuantileSketch::merge(const QuantileSketch& other) {
  DEAL_REQUIRE(other.capacity_ == capacity_, "quantile sketches merge only at the same capacity");
  DEAL_REQUIRE(&other != this, "a quantile sketch cannot be merged into itself");
  while (levels_.size() < other.levels_.size()) {
    levels_.emplace_back();
    parity_.push_back(0);
  }
  for (size_t h = 0; h < other.levels_.size(); ++h)
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
  count_ += other.count_;
  error_weight_ += other.error_weight_;
  // A level may now hold up to 2·capacity − 1 values; compact() halves it into the level
  // above and cascades while that one is full.
  for (size_t h = 0; h < levels_.size(); ++h)
    if (levels_[h].size() >= capacity_) compact(h);
}

void QuantileSketch::compact(std::size_t h) {
  for (;;) {
    if (levels_.size() <= h + 1) {
      levels_.emplace_back();
      parity_.push_back(0);
    }
    std::vector<double>& cur = levels_[h];
    std::sort(cur.begin(), cur.end());
    // An odd level (only after a merge: add() compacts at exactly `capacity`) keeps its
    // largest value back, so every compaction halves an even run and the weights still
    // sum to the count.
    const bool odd = cur.size() % 2 == 1;
    const double held = odd ? cur.back() : 0.0;
    const size_t pairs = cur.size() - (odd ? 1 : 0);
    std::vector<double>& up = levels_[h + 1];
    if (up.capacity() < capacity_) up.reserve(capacity_);
    for (size_t i = parity_[h]; i < pairs; i += 2) up.push_back(cur[i]);
    parity_[h] ^= 1;
    error_weight_ += 1LL << h;
    cur.clear();
    if (odd) cur.push_back(held);
    if (up.size() < capacity_) return;
    ++h;
  }
}

std::size_t QuantileSketch::retained() const {
  std::size_t n = 0;
  for (const auto& l : levels_) n += l.size();
  return n;
}

void QuantileSketch::quantiles(std::span<const double> qs, std::span<double> out) const {
  DEAL_REQUIRE(qs.size() == out.size(), "quantiles: one output per quantile");
  if (count_ == 0) {
    std::fill(out.begin(), out.end(), kNaN);
    return;
  }
  if (exact()) {
    std::vector<double> v = levels_[0];
    std::sort(v.begin(), v.end());
    for (size_t i = 0; i < qs.size(); ++i) out[i] = percentile_sorted(v, qs[i]);
    return;
  }
  std::vector<std::pair<double, long long>> items;
  items.reserve(retained());
  for (size_t h = 0; h < levels_.size(); ++h)
    for (double x : levels_[h]) items.emplace_back(x, 1LL << h);
  std::sort(items.begin(), items.end());
  for (size_t i = 0; i < qs.size(); ++i) {
    // The first retained value whose cumulative weight passes the 0-based rank q(N−1).
    double r = qs[i] * double(count_ - 1);
    long long w = 0;
    out[i] = items.back().first;
    for (const auto& [x, weight] : items) {
      w += weight;
      if (double(w) > r) {
        out[i] = x;
        break;
      }
    }
  }
}

double QuantileSketch::quantile(double q) const {
  double out = kNaN;
  quantiles(std::span<const double>(&q, 1), std::span<double>(&out, 1));
  return out;
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
