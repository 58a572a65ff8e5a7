#include "runtime/statistics.hpp"

#include <algorithm>
#include <cmath>
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
