// Monte Carlo statistics (runtime/statistics.hpp): exact percentiles as NumPy computes
// them, compensated means, and the streaming sketch's proven rank-error bound.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "runtime/random.hpp"
#include "runtime/statistics.hpp"

using namespace deal::rt;

TEST_CASE("percentiles interpolate between order statistics like numpy.percentile", "[statistics]") {
  std::vector<double> v = {1, 2, 3, 4, 10};
  // numpy.percentile([1,2,3,4,10], [5,25,50,75,95]) = [1.2, 2, 3, 4, 8.8]
  CHECK(percentile_sorted(v, 0.05) == Approx(1.2));
  CHECK(percentile_sorted(v, 0.25) == 2);
  CHECK(percentile_sorted(v, 0.50) == 3);
  CHECK(percentile_sorted(v, 0.75) == 4);
  CHECK(percentile_sorted(v, 0.95) == Approx(8.8));
  CHECK(percentile_sorted(v, 0.0) == 1);
  CHECK(percentile_sorted(v, 1.0) == 10);
  std::vector<double> one = {7};
  CHECK(percentile_sorted(one, 0.3) == 7);
  CHECK(std::isnan(percentile_sorted({}, 0.5)));
  // Equal neighbours give exactly that value (no rounding from interpolation).
  std::vector<double> same = {0.1, 0.1, 0.1};
  CHECK(percentile_sorted(same, 0.37) == 0.1);
}

TEST_CASE("summaries leave NaN out and keep infinities", "[statistics]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v = {4, nan, 1, 3, nan, 2};
  Summary s = summarize_exact(v);
  CHECK(s.count == 4);
  CHECK(s.mean == 2.5);
  CHECK(s.p50 == 2.5);
  CHECK(s.p25 == Approx(1.75));
  std::vector<double> none = {nan};
  Summary e = summarize_exact(none);
  CHECK(e.count == 0);
  CHECK(std::isnan(e.mean));
  CHECK(std::isnan(e.p95));
  std::vector<double> inf = {1, std::numeric_limits<double>::infinity()};
  CHECK(summarize_exact(inf).p95 == std::numeric_limits<double>::infinity());
}

TEST_CASE("compensated sums do not lose small terms", "[statistics]") {
  CompensatedSum s;
  s.add(1e16);
  for (int i = 0; i < 1000; ++i) s.add(1.0);
  s.add(-1e16);
  CHECK(s.value() == 1000.0);
  double naive = 1e16;
  for (int i = 0; i < 1000; ++i) naive += 1.0;
  CHECK(naive - 1e16 != 1000.0);  // what plain summation would have given
  CompensatedSum inf;
  inf.add(1);
  inf.add(std::numeric_limits<double>::infinity());
  inf.add(2);
  CHECK(inf.value() == std::numeric_limits<double>::infinity());
}

TEST_CASE("the sketch is exact while nothing is compacted", "[statistics][sketch]") {
  QuantileSketch q(64);
  std::vector<double> v;
  RandomStream r(1, 0);
  for (int i = 0; i < 63; ++i) {
    double x = r.normal(0, 1);
    q.add(x);
    v.push_back(x);
  }
  REQUIRE(q.exact());
  Summary e = summarize_exact(v);
  Summary s = summarize(q, e.mean);
  CHECK(s.p5 == e.p5);
  CHECK(s.p50 == e.p50);
  CHECK(s.p95 == e.p95);
  CHECK(q.rank_error() == 0);
}

TEST_CASE("the sketch's answers are within its rank-error bound", "[statistics][sketch]") {
  // 10^6 values through a sketch of 1,024 per level: every reported quantile must be an
  // input value whose rank is within ±E of q(N−1), E the sketch's own bound.
  for (int shape = 0; shape < 3; ++shape) {
    QuantileSketch q(1024);
    std::vector<double> v;
    RandomStream r(2, uint64_t(shape));
    const int n = 1'000'000;
    for (int i = 0; i < n; ++i) {
      double x = shape == 0 ? r.uniform01() : shape == 1 ? r.lognormal(0, 2, 1) : double(i % 977);  // ties
      q.add(x);
      v.push_back(x);
    }
    std::sort(v.begin(), v.end());
    REQUIRE_FALSE(q.exact());
    double bound = q.rank_error() * n;
    INFO("shape " << shape << ", bound " << bound << " ranks, retained " << q.retained());
    CHECK(q.rank_error() < 0.02);
    CHECK(q.retained() < 1024 * 14);
    for (double p : {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0}) {
      double x = q.quantile(p);
      // The ranks x occupies: [lo, hi).
      double lo = double(std::lower_bound(v.begin(), v.end(), x) - v.begin());
      double hi = double(std::upper_bound(v.begin(), v.end(), x) - v.begin());
      double target = p * (n - 1);
      INFO("q = " << p << ": ranks [" << lo << ", " << hi << "), target " << target);
      CHECK(hi > target - bound - 1);
      CHECK(lo <= target + bound + 1);
    }
  }
}

TEST_CASE("the sketch is deterministic and ignores NaN", "[statistics][sketch]") {
  QuantileSketch a(32), b(32);
  RandomStream r(3, 0);
  for (int i = 0; i < 10000; ++i) {
    double x = r.uniform01();
    a.add(x);
    b.add(x);
    b.add(std::numeric_limits<double>::quiet_NaN());
  }
  CHECK(a.count() == b.count());
  for (double p : {0.05, 0.5, 0.95}) CHECK(a.quantile(p) == b.quantile(p));
  QuantileSketch empty;
  CHECK(std::isnan(empty.quantile(0.5)));
}

// Sketches of fixed blocks merged in block order (how a run split over threads or
// processes combines its percentiles): the union's answers stay within its bound, the
// result does not depend on how the blocks were formed beyond their order, and merging
// keeps the exact case exact.
TEST_CASE("merged sketches stay within their rank-error bound", "[statistics][sketch]") {
  const int n = 2'000'000, blocks = 61;  // uneven blocks: odd level sizes after merges
  std::vector<double> v;
  v.reserve(n);
  RandomStream r(4, 0);
  for (int i = 0; i < n; ++i) v.push_back(r.lognormal(0, 1.5, 1));
  QuantileSketch merged(1024);
  long long at = 0;
  for (int b = 0; b < blocks; ++b) {
    long long end = (long long)n * (b + 1) / blocks;
    QuantileSketch part(1024);
    for (; at < end; ++at) part.add(v[size_t(at)]);
    merged.merge(part);
  }
  REQUIRE(merged.count() == n);
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  double bound = merged.rank_error() * n;
  INFO("bound " << bound << " ranks, retained " << merged.retained());
  CHECK(merged.rank_error() < 0.03);
  CHECK(merged.retained() < 1024 * 16);
  for (double p : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0}) {
    double x = merged.quantile(p);
    double lo = double(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
    double hi = double(std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
    double target = p * (n - 1);
    INFO("q = " << p << ": ranks [" << lo << ", " << hi << "), target " << target);
    CHECK(hi > target - bound - 1);
    CHECK(lo <= target + bound + 1);
  }
}

TEST_CASE("merging is deterministic and exact while small", "[statistics][sketch]") {
  RandomStream r(5, 0);
  std::vector<double> v;
  for (int i = 0; i < 50'000; ++i) v.push_back(r.normal(0, 1));
  auto build = [&](int blocks) {
    QuantileSketch all(256);
    for (int b = 0; b < blocks; ++b) {
      QuantileSketch part(256);
      for (size_t i = v.size() * size_t(b) / size_t(blocks); i < v.size() * size_t(b + 1) / size_t(blocks); ++i)
        part.add(v[i]);
      all.merge(part);
    }
    return all;
  };
  QuantileSketch a = build(17), b = build(17);
  for (double p : {0.05, 0.5, 0.95}) CHECK(a.quantile(p) == b.quantile(p));
  CHECK(a.rank_error() == b.rank_error());

  // Small union: exact, and equal to the exact percentiles.
  QuantileSketch x(256), y(256);
  std::vector<double> few(v.begin(), v.begin() + 200);
  for (size_t i = 0; i < 120; ++i) x.add(few[i]);
  for (size_t i = 120; i < few.size(); ++i) y.add(few[i]);
  x.merge(y);
  REQUIRE(x.exact());
  std::vector<double> e = few;
  Summary ex = summarize_exact(e);
  CHECK(x.quantile(0.05) == ex.p5);
  CHECK(x.quantile(0.5) == ex.p50);

  QuantileSketch other(128);
  CHECK_THROWS(x.merge(other));
}

// 10^8 values (hidden from the default run; tests/CMakeLists.txt runs it on its own in
// builds without sanitizers): the values 0 … N−1 in a scrambled order (i ↦ a·i + c mod N,
// a coprime to N), so the exact q-quantile is q(N−1) itself and nothing has to be stored
// or sorted. Added in 2^10 blocks of sketches merged in block order, as a distributed
// run folds its blocks; every reported quantile is within the bound the sketch states.
TEST_CASE("the merged sketch on 10^8 values is within its stated error", "[.large][statistics][sketch]") {
  const long long n = 100'000'000, a = 2'654'435'761LL % n, c = 12'345;
  REQUIRE(std::gcd(a, n) == 1);
  const long long blocks = 1024;
  QuantileSketch merged;
  long long i = 0;
  for (long long b = 0; b < blocks; ++b) {
    QuantileSketch part;
    for (long long end = n * (b + 1) / blocks; i < end; ++i) part.add(double((a * i + c) % n));
    merged.merge(part);
  }
  REQUIRE(merged.count() == n);
  const double bound = merged.rank_error() * double(n);
  INFO("bound " << bound << " ranks (" << merged.rank_error() << " of N), retained " << merged.retained());
  CHECK(merged.rank_error() < 0.01);
  CHECK(merged.retained() < 4096 * 20);  // memory independent of N but for its log
  for (double p : {0.0, 0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1.0}) {
    double x = merged.quantile(p);  // its rank is x itself
    double target = p * double(n - 1);
    INFO("q = " << p << ": value " << x << ", target rank " << target);
    CHECK(std::abs(x - target) <= bound + 1);
  }
}
