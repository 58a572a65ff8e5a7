// Monte Carlo statistics (runtime/statistics.hpp): exact percentiles as NumPy computes
// them, compensated means, and the streaming sketch's proven rank-error bound.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
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
