// Monte Carlo statistics (runtime/statistics.hpp): exact percentiles as NumPy computes
// them, compensated and exact sums, and the quantile sketch's relative-error bound and
// independence of the order and grouping of its merges.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "runtime/random.hpp"
#include "runtime/require.hpp"
#include "runtime/serialize.hpp"
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

// ExactSum: the sum of doubles held exactly and rounded once (runtime/statistics.hpp).
namespace {

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

double exact_sum(std::initializer_list<double> v) {
  ExactSum s;
  for (double x : v) s.add(x);
  return s.value();
}

std::vector<std::uint8_t> bytes_of(const ExactSum& s) {
  std::vector<std::uint8_t> out;
  s.write(out);
  return out;
}

ExactSum exact_sum_from(const std::vector<std::uint8_t>& bytes) {
  ByteReader in(bytes.data(), bytes.size());
  ExactSum s = ExactSum::read(in);
  REQUIRE(in.done());
  return s;
}

// Values of every magnitude from subnormal to 2^1000, either sign, a quarter of them
// cancelling an earlier one exactly: the result depends on every bit.
std::vector<double> mixed_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && g() % 4 == 0) {
      v.push_back(-v[g() % i]);
      continue;
    }
    const double m = double(g() >> 11) / 9007199254740992.0;  // [0, 1), 53 bits
    const int e = g() % 8 == 0 ? int(g() % 2000) - 1050 : int(g() % 120) - 60;
    v.push_back(std::ldexp(g() % 2 ? m : -m, e));
  }
  return v;
}

}  // namespace

TEST_CASE("exact sums cancel exactly", "[statistics][exact_sum]") {
  CHECK(exact_sum({1e100, 1, -1e100}) == 1);
  CHECK(exact_sum({1e308, 1e308, -1e308}) == 1e308);  // the intermediate 2e308 is no overflow
  const double max = std::numeric_limits<double>::max();
  CHECK(exact_sum({max, max, max, -max, -max}) == max);
  CHECK(exact_sum({0.1, 0.2, -0.3}) == 0x1p-55);  // the doubles 0.1 + 0.2 − 0.3, exactly
  CHECK(exact_sum({1e16, 1, 1, 1, -1e16}) == 3);
  CHECK(exact_sum({-5e-324, 1e300, -1e300}) == -5e-324);
}

TEST_CASE("exact sums round once, to nearest with ties to even", "[statistics][exact_sum]") {
  const double two53 = 0x1p53;
  CHECK(exact_sum({two53, 1}) == two53);                 // a tie: 2^53 is even
  CHECK(exact_sum({two53, 1, 0x1p-1074}) == two53 + 2);  // just above the tie
  CHECK(exact_sum({two53 + 2, 1}) == two53 + 4);         // a tie: 2^53 + 2 is odd
  CHECK(exact_sum({-two53, -1}) == -two53);              // symmetric
  CHECK(exact_sum({-(two53 + 2), -1}) == -(two53 + 4));  //
  CHECK(exact_sum({1, 0x1p-53}) == 1);                   // half an ulp of 1
  CHECK(exact_sum({1, 0x1p-53, 0x1p-1074}) == std::nextafter(1.0, 2.0));
  CHECK(exact_sum({1, 0x1p-53, -0x1p-1074}) == 1);
  CHECK(exact_sum({std::nextafter(1.0, 2.0), 0x1p-53}) == std::nextafter(std::nextafter(1.0, 2.0), 2.0));
  // At the bottom of the normal range: 2^-1021 has an ulp of 2^-1073.
  CHECK(exact_sum({0x1p-1021, 0x1p-1074}) == 0x1p-1021);
  CHECK(exact_sum({0x1p-1021 + 0x1p-1073, 0x1p-1074}) == 0x1p-1021 + 0x1p-1072);
  // At the top: DBL_MAX's ulp is 2^971, so DBL_MAX + 2^970 is a tie that rounds to 2^1024.
  const double max = std::numeric_limits<double>::max(), inf = std::numeric_limits<double>::infinity();
  CHECK(exact_sum({max, 0x1p970}) == inf);
  CHECK(exact_sum({max, 0x1p970, -0x1p-1074}) == max);
  CHECK(exact_sum({max, 0x1p969}) == max);
  CHECK(exact_sum({-max, -0x1p970}) == -inf);
  CHECK(exact_sum({max, max}) == inf);
  CHECK(exact_sum({-max, -max, -max}) == -inf);
  // Sums that Python's math.fsum computes (the generating formulas are in the comments).
  {
    // [ldexp((i·2654435761 mod 1000003) − 500001, 7i mod 200 − 100) for i in range(1000)]
    ExactSum s;
    for (std::uint64_t i = 0; i < 1000; ++i)
      s.add(std::ldexp(double(std::int64_t((i * 2654435761u) % 1000003) - 500001), int((i * 7) % 200) - 100));
    CHECK(bits_of(s.value()) == bits_of(-0x1.f3dd8db659ac0p+113));
  }
  {
    // [ldexp((i·40503 mod 65537) − 32768, 13i mod 1000 − 1074) for i in range(3000)]
    ExactSum s;
    for (std::uint64_t i = 0; i < 3000; ++i)
      s.add(std::ldexp(double(std::int64_t((i * 40503) % 65537) - 32768), int((i * 13) % 1000) - 1074));
    CHECK(bits_of(s.value()) == bits_of(0x1.ca260df6a418bp-62));
  }
  {
    // [ldexp((i·2654435761 mod 4294967311) − 2147483655, 11i mod 960) for i in range(2000)]
    ExactSum s;
    for (std::uint64_t i = 0; i < 2000; ++i)
      s.add(std::ldexp(double(std::int64_t((i * 2654435761u) % 4294967311u) - 2147483655), int((i * 11) % 960)));
    CHECK(bits_of(s.value()) == bits_of(-0x1.1d988fc4b8f99p+989));
  }
}

TEST_CASE("exact sums of subnormals are exact", "[statistics][exact_sum]") {
  const double tiny = std::numeric_limits<double>::denorm_min(), min = std::numeric_limits<double>::min();
  CHECK(exact_sum({tiny, tiny, tiny}) == 3 * tiny);
  CHECK(exact_sum({min, -tiny}) == std::nextafter(min, 0.0));  // the largest subnormal
  CHECK(exact_sum({min / 2, min / 2}) == min);
  CHECK(exact_sum({1e-320, -1e-320}) == 0);
  ExactSum s;
  for (int i = 0; i < 1 << 20; ++i) s.add(tiny);
  CHECK(s.value() == std::ldexp(1.0, 20 - 1074));
  {
    // [ldexp((i·40503 mod 65537) − 32768, 13i mod 30 − 1074) for i in range(3000)]: subnormal
    ExactSum t;
    for (std::uint64_t i = 0; i < 3000; ++i)
      t.add(std::ldexp(double(std::int64_t((i * 40503) % 65537) - 32768), int((i * 13) % 30) - 1074));
    CHECK(bits_of(t.value()) == bits_of(0x0.03ede80334e41p-1022));
  }
}

TEST_CASE("exact sums follow IEEE for infinities, NaN and zeros", "[statistics][exact_sum]") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(exact_sum({1, inf, 2}) == inf);
  CHECK(exact_sum({-inf, 1e308, -inf}) == -inf);
  CHECK(std::isnan(exact_sum({inf, -inf})));
  CHECK(std::isnan(exact_sum({1, nan, 2})));
  CHECK(std::isnan(exact_sum({inf, nan})));
  ExactSum a, b;
  a.add(inf);
  b.add(-inf);
  a.merge(b);
  CHECK(std::isnan(a.value()));
  // Zeros: nothing or an exact cancellation is +0; only −0.0 added is −0.0.
  CHECK(bits_of(ExactSum().value()) == bits_of(0.0));
  CHECK(bits_of(exact_sum({-0.0})) == bits_of(-0.0));
  CHECK(bits_of(exact_sum({-0.0, -0.0})) == bits_of(-0.0));
  CHECK(bits_of(exact_sum({-0.0, 0.0})) == bits_of(0.0));
  CHECK(bits_of(exact_sum({1.5, -1.5})) == bits_of(0.0));
  CHECK(bits_of(exact_sum({-1.5, 1.5, -0.0})) == bits_of(0.0));
  ExactSum z, e;
  z.add(-0.0);
  z.merge(e);
  CHECK(bits_of(z.value()) == bits_of(-0.0));
  e.merge(z);
  CHECK(bits_of(e.value()) == bits_of(-0.0));
}

TEST_CASE("exact sums do not depend on order or grouping", "[statistics][exact_sum]") {
  const std::vector<double> v = mixed_values(100'000, 11);
  ExactSum in_order;
  for (double x : v) in_order.add(x);
  const std::uint64_t want = bits_of(in_order.value());
  const std::vector<std::uint8_t> want_bytes = bytes_of(in_order);
  INFO("sum " << in_order.value());
  CHECK(in_order.value() != 0);
  std::mt19937_64 g(12);
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<double> w = v;
    std::shuffle(w.begin(), w.end(), g);
    // Blocks of random sizes, each summed, then merged in a random tree.
    std::vector<ExactSum> parts;
    for (std::size_t at = 0; at < w.size();) {
      std::size_t end = std::min(w.size(), at + 1 + std::size_t(g() % 5000));
      ExactSum p;
      for (; at < end; ++at) p.add(w[at]);
      parts.push_back(p);
    }
    while (parts.size() > 1) {
      std::size_t i = g() % parts.size(), j = g() % (parts.size() - 1);
      if (j >= i) ++j;
      parts[i].merge(parts[j]);
      parts.erase(parts.begin() + std::ptrdiff_t(j));
    }
    CHECK(bits_of(parts[0].value()) == want);
    CHECK(bytes_of(parts[0]) == want_bytes);
    // Reversed, one by one.
    ExactSum rev;
    for (auto it = w.rbegin(); it != w.rend(); ++it) rev.add(*it);
    CHECK(bits_of(rev.value()) == want);
  }
}

TEST_CASE("exact sums agree with an integer reference", "[statistics][exact_sum]") {
  // Values k·2^-20 with |k| < 2^40 sum exactly in __int128; one rounding to double (by way
  // of an 80-bit long double, exact below 2^64) is the reference. All positive: sums past
  // 2^53, where the rounding matters; mixed signs: cancellation.
  std::mt19937_64 g(13);
  for (int signs = 0; signs < 2; ++signs) {
    __extension__ __int128 total = 0;
    ExactSum s;
    for (int i = 0; i < 100'000; ++i) {
      std::int64_t k = std::int64_t(g() >> 24);  // [0, 2^40)
      if (signs && g() % 2) k = -k;
      total += k;
      s.add(std::ldexp(double(k), -20));
    }
    static_assert(sizeof(long double) > sizeof(double), "an x87 long double holds 64 bits exactly");
    const double want = std::ldexp(double((long double)total), -20);
    INFO("signs " << signs << ": " << want);
    CHECK(bits_of(s.value()) == bits_of(want));
  }
}

TEST_CASE("exact sums stay exact through lazy carries", "[statistics][exact_sum]") {
  // Doubling a sum by merging it with a copy 40 times crosses the normalisation every 2^29
  // pending adds; the limbs of values straddling limb boundaries carry through it.
  ExactSum s;
  // a's 53 bits straddle limbs 2–4 (its lowest bit is bit 95 of the integer).
  const double a = std::ldexp(double((1LL << 53) - 1), 95 - 1074), b = std::ldexp(1.0, 95 - 1074);
  s.add(a);
  s.add(-b);
  s.add(0x1p-1074);
  for (int i = 0; i < 40; ++i) {
    ExactSum c = s;
    s.merge(c);
  }
  // (a − b + 2^-1074) · 2^40: the last term is far below half an ulp.
  CHECK(s.value() == std::ldexp(double((1LL << 53) - 2), 95 - 1074 + 40));
  ExactSum t;
  t.add(-0x1p-1074);
  for (int i = 0; i < 40; ++i) {
    ExactSum c = t;
    t.merge(c);
  }
  CHECK(t.value() == -std::ldexp(1.0, 40 - 1074));
}

TEST_CASE("exact sums round-trip through bytes", "[statistics][exact_sum]") {
  const std::vector<double> v = mixed_values(5000, 14);
  ExactSum s;
  for (std::size_t i = 0; i < v.size() / 2; ++i) s.add(v[i]);
  for (double extra : {0.0, -1.0, std::numeric_limits<double>::infinity()}) {
    ExactSum a = s;
    if (extra != 0) a.add(extra);
    const std::vector<std::uint8_t> bytes = bytes_of(a);
    ExactSum b = exact_sum_from(bytes);
    CHECK(bits_of(b.value()) == bits_of(a.value()));
    CHECK(bytes_of(b) == bytes);
    // And both continue identically.
    for (std::size_t i = v.size() / 2; i < v.size(); ++i) {
      a.add(v[i]);
      b.add(v[i]);
    }
    CHECK(bits_of(b.value()) == bits_of(a.value()));
    CHECK(bytes_of(b) == bytes_of(a));
  }
  ExactSum neg_zero;
  neg_zero.add(-0.0);
  CHECK(bits_of(exact_sum_from(bytes_of(neg_zero)).value()) == bits_of(-0.0));
  ExactSum big;
  for (int i = 0; i < 3; ++i) big.add(-std::numeric_limits<double>::max());
  CHECK(exact_sum_from(bytes_of(big)).value() == -std::numeric_limits<double>::infinity());
  big.add(std::numeric_limits<double>::max());
  big.add(std::numeric_limits<double>::max());
  CHECK(exact_sum_from(bytes_of(big)).value() == -std::numeric_limits<double>::max());
}

TEST_CASE("malformed exact-sum buffers are rejected", "[statistics][exact_sum]") {
  ExactSum s;
  s.add(-1.0);  // 2^1074 units of 2^-1074: bit 18 of limb 33
  const std::vector<std::uint8_t> good = bytes_of(s);
  // specials, zeros, sign, first limb, the limb count (8 bytes), the limb (8 bytes)
  REQUIRE(good == std::vector<std::uint8_t>{0, 2, 1, 33, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0});
  auto read = [](std::vector<std::uint8_t> b) {
    ByteReader in(b.data(), b.size());
    return ExactSum::read(in);
  };
  CHECK(read(good).value() == -1.0);
  for (std::size_t n = 0; n < good.size(); ++n)
    CHECK_THROWS_AS(read(std::vector<std::uint8_t>(good.begin(), good.begin() + std::ptrdiff_t(n))), Error);
  auto with = [&](std::size_t at, std::uint8_t byte) {
    std::vector<std::uint8_t> b = good;
    b[at] = byte;
    return b;
  };
  CHECK_THROWS_AS(read(with(0, 8)), Error);      // an unknown flag
  CHECK_THROWS_AS(read(with(1, 3)), Error);      // an unknown zero state
  CHECK_THROWS_AS(read(with(1, 0)), Error);      // "nothing added" with a nonzero sum
  CHECK_THROWS_AS(read(with(2, 2)), Error);      // a sign of 2
  CHECK_THROWS_AS(read(with(3, 67)), Error);     // a limb past the last
  CHECK_THROWS_AS(read(with(4, 2)), Error);      // more limbs than bytes
  CHECK_THROWS_AS(read(with(14, 0)), Error);     // a zero limb (not canonical)
  CHECK_THROWS_AS(read(with(16, 1)), Error);     // a limb of 2^32 or more
  CHECK_THROWS_AS(read(with(19, 0x80)), Error);  // a negative limb
  std::vector<std::uint8_t> neg_zero = {0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  CHECK_THROWS_AS(read(neg_zero), Error);  // a negative zero magnitude
  std::vector<std::uint8_t> top = {0, 2, 0, 66, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40};
  CHECK_THROWS_AS(read(top), Error);  // a carry limb of 2^62
  top.back() = 0;
  top[16] = 1;
  CHECK(read(top).value() == std::numeric_limits<double>::infinity());  // 2^32 · 2^1038: valid, +∞
}

// QuantileSketch: exact while small, then log buckets of relative error α_ℓ whose state
// depends only on the multiset of values (runtime/statistics.hpp).
namespace {

constexpr double kQs[] = {0, 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999, 1};

// Checks every quantile of `s` against the exact type-7 percentile of `sorted` within the
// stated bound, max(α_ℓ · max(|x_lo|, |x_hi|), m0) (and 1e-12 of it for the rounding of
// log and exp); returns the largest error as a share of α_ℓ · max(|x_lo|, |x_hi|).
double check_quantiles(const QuantileSketch& s, const std::vector<double>& sorted) {
  const double n = double(sorted.size());
  double worst = 0;
  for (double q : kQs) {
    const double pos = q * (n - 1);
    const auto lo = std::size_t(std::floor(pos)), hi = std::min(sorted.size() - 1, lo + 1);
    const double exact = percentile_sorted(sorted, q), got = s.quantile(q);
    const double scale = std::max(std::abs(sorted[lo]), std::abs(sorted[hi]));
    INFO("q = " << q << ": sketch " << got << ", exact " << exact << ", order statistics " << sorted[lo] << ", "
                << sorted[hi] << ", level " << s.level() << ", α_ℓ " << s.relative_error());
    if (!std::isfinite(exact)) {  // ±∞ (or NaN, interpolating between −∞ and a value)
      CHECK(bits_of(got) == bits_of(exact));
      continue;
    }
    const double bound = std::max(s.relative_error() * scale, QuantileSketch::kZeroThreshold) * (1 + 1e-12);
    CHECK(std::abs(got - exact) <= bound);
    if (s.exact()) CHECK(bits_of(got) == bits_of(exact));
    else if (scale > 0) worst = std::max(worst, std::abs(got - exact) / (s.relative_error() * scale));
  }
  return worst;
}

std::vector<std::uint8_t> bytes_of(const QuantileSketch& s) {
  std::vector<std::uint8_t> out;
  s.write(out);
  return out;
}

QuantileSketch sketch_from(const std::vector<std::uint8_t>& bytes) {
  ByteReader in(bytes.data(), bytes.size());
  QuantileSketch s = QuantileSketch::read(in);
  REQUIRE(in.done());
  return s;
}

// The distributions of the accuracy tests: Monte Carlo outcomes of several shapes.
double draw(int shape, RandomStream& r) {
  switch (shape) {
    case 0:
      return r.lognormal(0, 1, 1000);  // positive, skewed
    case 1:
      return r.normal(0, 1);  // both signs, down to tiny magnitudes
    case 2: {                 // zeros, values in the zero bucket, and the rest
      const double u = r.uniform01();
      return u < 0.3 ? 0.0 : u < 0.4 ? 1e-14 * (u - 0.35) : r.uniform(-1, 3) * 100;
    }
    case 3: {  // heavy tail both ways (Pareto, index 1.2)
      const double x = std::pow(r.uniform01(), -1 / 1.2);
      return r.uniform01() < 0.2 ? -x : x;
    }
    default: {  // gains, and rare losses two orders of magnitude larger
      const bool loss = r.uniform01() < 0.1;
      return loss ? -r.lognormal(0, 0.8, 50'000) : r.lognormal(0, 0.5, 1000);
    }
  }
}

}  // namespace

TEST_CASE("the sketch is exact while it holds at most E values", "[statistics][sketch]") {
  RandomStream r(1, 0);
  std::vector<double> v;
  QuantileSketch q;
  for (std::size_t i = 0; i < QuantileSketch::kDefaultExactLimit; ++i) {
    v.push_back(r.normal(0, 1));
    q.add(v.back());
  }
  REQUIRE(q.exact());
  CHECK(q.relative_error() == 0);
  std::vector<double> e = v;
  Summary ex = summarize_exact(e);
  Summary s = summarize(q, ex.mean);
  CHECK(bits_of(s.p5) == bits_of(ex.p5));
  CHECK(bits_of(s.p50) == bits_of(ex.p50));
  CHECK(bits_of(s.p95) == bits_of(ex.p95));
  CHECK(s.count == ex.count);
  check_quantiles(q, e);
  q.add(0.5);
  CHECK_FALSE(q.exact());
  CHECK(q.relative_error() >= QuantileSketch::kDefaultRelativeAccuracy * (1 - 1e-9));
  // A merge of two exact sketches stays exact while the union holds at most E values.
  QuantileSketch a, b, c;
  for (std::size_t i = 0; i < 600; ++i) a.add(v[i]);
  for (std::size_t i = 600; i < 1000; ++i) b.add(v[i]);
  for (std::size_t i = 0; i < 600; ++i) c.add(v[i] * 2);
  a.merge(b);
  REQUIRE(a.exact());
  std::vector<double> first(v.begin(), v.begin() + 1000);
  std::sort(first.begin(), first.end());
  check_quantiles(a, first);
  a.merge(c);
  CHECK_FALSE(a.exact());
  CHECK(a.count() == 1600);
}

TEST_CASE("the sketch is within its relative error of the exact percentiles", "[statistics][sketch]") {
  for (int shape = 0; shape < 5; ++shape)
    for (int n : {1'000, 10'000, 100'000, 1'000'000}) {
      RandomStream r(2, std::uint64_t(shape));
      QuantileSketch q;
      std::vector<double> v;
      v.reserve(std::size_t(n));
      for (int i = 0; i < n; ++i) {
        v.push_back(draw(shape, r));
        q.add(v.back());
      }
      std::sort(v.begin(), v.end());
      INFO("shape " << shape << ", " << n << " values, level " << q.level() << ", retained " << q.retained());
      CHECK(q.exact() == (n <= int(QuantileSketch::kDefaultExactLimit)));
      CHECK(q.relative_error() <= 0.01);
      CHECK(q.retained() <= QuantileSketch::retained_bound());
      check_quantiles(q, v);
    }
}

TEST_CASE("the sketch ignores NaN and keeps infinities", "[statistics][sketch]") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (int n : {100, 5000}) {
    QuantileSketch q;
    RandomStream r(3, 0);
    std::vector<double> v;
    for (int i = 0; i < n; ++i) {
      double x = i % 50 == 0 ? inf : i % 50 == 1 ? -inf : r.uniform01();
      q.add(x);
      q.add(nan);
      v.push_back(x);
    }
    std::sort(v.begin(), v.end());
    CHECK(q.count() == n);
    CHECK(q.quantile(0) == -inf);
    CHECK(q.quantile(1) == inf);
    check_quantiles(q, v);
  }
  QuantileSketch empty;
  CHECK(std::isnan(empty.quantile(0.5)));
  CHECK_THROWS_AS(empty.quantile(1.5), Error);
}

// Values of many magnitudes and both signs, zeros and infinities, split into blocks of
// random sizes (many below E, so merges also turn exact sketches into bucketed ones) and
// merged in several orders and trees: every grouping gives the same bytes and quantiles.
TEST_CASE("merged sketches are the same bits for any order or grouping", "[statistics][sketch]") {
  RandomStream r(4, 0);
  std::vector<double> v;
  for (int i = 0; i < 300'000; ++i) {
    const double u = r.uniform01();
    double x = u < 0.05 ? 0.0 : std::exp(r.uniform(-25, 25)) * (u < 0.3 ? -1 : 1);
    if (i % 10'007 == 0) x = i % 2 ? std::numeric_limits<double>::infinity() : -0.0;
    v.push_back(x);
  }
  QuantileSketch whole;
  for (double x : v) whole.add(x);
  REQUIRE(whole.level() >= 2);  // e^50 across: collapsed
  const std::vector<std::uint8_t> want = bytes_of(whole);
  auto same = [&](const QuantileSketch& s) {
    CHECK(s.count() == whole.count());
    CHECK(s.level() == whole.level());
    CHECK(s.relative_error() == whole.relative_error());
    CHECK(bytes_of(s) == want);
    for (double q : kQs) CHECK(bits_of(s.quantile(q)) == bits_of(whole.quantile(q)));
  };
  std::mt19937_64 g(5);
  auto blocks_of = [&](const std::vector<double>& w, std::size_t max_block) {
    std::vector<QuantileSketch> parts;
    for (std::size_t at = 0; at < w.size();) {
      const std::size_t end = std::min(w.size(), at + 1 + std::size_t(g() % max_block));
      parts.emplace_back();
      for (; at < end; ++at) parts.back().add(w[at]);
    }
    return parts;
  };
  {
    INFO("shuffled, added one by one");
    std::vector<double> w = v;
    std::shuffle(w.begin(), w.end(), g);
    QuantileSketch s;
    for (double x : w) s.add(x);
    same(s);
  }
  {
    INFO("blocks merged left to right, and right to left");
    std::vector<QuantileSketch> parts = blocks_of(v, 3000);
    QuantileSketch left, right;
    for (const auto& p : parts) left.merge(p);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) right.merge(*it);
    same(left);
    same(right);
  }
  {
    INFO("shuffled blocks merged in a random tree");
    std::vector<double> w = v;
    std::shuffle(w.begin(), w.end(), g);
    std::vector<QuantileSketch> parts = blocks_of(w, 20'000);
    while (parts.size() > 1) {
      std::size_t i = g() % parts.size(), j = g() % (parts.size() - 1);
      if (j >= i) ++j;
      parts[i].merge(parts[j]);
      parts.erase(parts.begin() + std::ptrdiff_t(j));
    }
    same(parts[0]);
  }
  {
    INFO("blocks of narrow ranges: only the merges collapse");
    std::vector<double> w = v;
    std::sort(w.begin(), w.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
    std::vector<QuantileSketch> parts = blocks_of(w, 5000);
    CHECK(parts[parts.size() / 2].level() == 0);
    QuantileSketch s;
    for (std::size_t i = 0; i < parts.size(); i += 2) s.merge(parts[i]);
    for (std::size_t i = 1; i < parts.size(); i += 2) s.merge(parts[i]);
    same(s);
  }
}

TEST_CASE("the sketch collapses when a span passes B, and its error grows with it", "[statistics][sketch]") {
  // α = 1%, B = 64, no exact phase; x_i = γ^(i − 1/2) is in the middle of bucket i.
  const double alpha = 0.01, gamma = (1 + alpha) / (1 - alpha);
  const std::size_t b = 64;
  auto level_for = [&](std::int64_t lo, std::int64_t hi) {  // the least ℓ whose span fits
    int l = 0;
    auto up = [](std::int64_t j, int k) { return std::int64_t(std::ceil(double(j) / double(1LL << k))); };
    while (up(hi, l) - up(lo, l) + 1 > std::int64_t(b)) ++l;
    return l;
  };
  for (double sign : {1.0, -1.0}) {
    QuantileSketch q(alpha, b, 0);
    std::vector<double> v;
    for (int i = 1; i <= 3000; ++i) {
      v.push_back(sign * std::pow(gamma, i - 0.5));
      q.add(v.back());
      // Its level is the least at which indices 1 … i fit in B buckets.
      const int want = level_for(1, i);
      if (q.level() != want) {
        INFO("after " << i << " values");
        REQUIRE(q.level() == want);
      }
    }
    CHECK(q.level() == 6);  // span ceil(3000/64) − 1 + 1 = 47 ≤ 64; at level 5, 94
    // α_ℓ = (γ_ℓ − 1)/(γ_ℓ + 1), γ_ℓ = γ^(2^ℓ).
    const double g6 = std::pow(gamma, 64);
    CHECK(q.relative_error() == Approx((g6 - 1) / (g6 + 1)).epsilon(1e-9));
    CHECK(q.retained() <= 2 * b);
    std::sort(v.begin(), v.end());
    check_quantiles(q, v);
  }
  // The first value past B buckets: level 0 → 1, α → 2α/(1 + α²).
  QuantileSketch q(alpha, b, 0);
  for (int i = 1; i <= 64; ++i) q.add(std::pow(gamma, i - 0.5));
  CHECK(q.level() == 0);
  CHECK(q.relative_error() == Approx(alpha).epsilon(1e-9));
  // A negative value of a narrow span does not collapse; a positive one past the span does,
  // and both stores move to the new level together.
  q.add(-1.5);
  CHECK(q.level() == 0);
  q.add(std::pow(gamma, 64.5));
  CHECK(q.level() == 1);
  CHECK(q.relative_error() == Approx(2 * alpha / (1 + alpha * alpha)).epsilon(1e-9));
}

TEST_CASE("the sketch's memory is bounded whatever the count and the range", "[statistics][sketch]") {
  const std::size_t bound = QuantileSketch::retained_bound();
  CHECK(bound < 10'000);  // 1,024 values + 2 × 4,096 buckets + the object
  RandomStream r(6, 0);
  for (int n : {10'000, 1'000'000}) {
    QuantileSketch typical, widest;
    for (int i = 0; i < n; ++i) {
      typical.add(r.lognormal(0, 2, 1000));
      // Log-uniform over every magnitude a bucket holds, both signs.
      const double x = std::exp(r.uniform(std::log(1e-12), std::log(1e300)));
      widest.add(i % 2 ? x : -x);
    }
    INFO(n << " values: retained " << typical.retained() << " and " << widest.retained() << ", levels "
           << typical.level() << " and " << widest.level());
    CHECK(typical.retained() <= bound);
    CHECK(widest.retained() <= bound);
    CHECK(widest.level() == 7);  // 312 decades: 359,000 buckets at level 0, 2,800 at level 7
    CHECK(widest.relative_error() < 0.13);
  }
}

TEST_CASE("sketches round-trip through bytes and continue identically", "[statistics][sketch]") {
  RandomStream r(7, 0);
  std::vector<double> v;
  for (int i = 0; i < 200'000; ++i) v.push_back(draw(i % 5, r));
  for (std::size_t first : {std::size_t(500), std::size_t(100'000)}) {
    QuantileSketch a;
    for (std::size_t i = 0; i < first; ++i) a.add(v[i]);
    const std::vector<std::uint8_t> bytes = bytes_of(a);
    QuantileSketch b = sketch_from(bytes);
    CHECK(b.exact() == a.exact());
    CHECK(b.count() == a.count());
    CHECK(b.level() == a.level());
    CHECK(bytes_of(b) == bytes);
    for (double q : kQs) CHECK(bits_of(b.quantile(q)) == bits_of(a.quantile(q)));
    for (std::size_t i = first; i < v.size(); ++i) {
      a.add(v[i]);
      b.add(v[i]);
    }
    CHECK(bytes_of(b) == bytes_of(a));
    for (double q : kQs) CHECK(bits_of(b.quantile(q)) == bits_of(a.quantile(q)));
  }
  QuantileSketch empty;
  CHECK(sketch_from(bytes_of(empty)).count() == 0);
}

TEST_CASE("malformed sketch buffers are rejected", "[statistics][sketch]") {
  auto read = [](const std::vector<std::uint8_t>& b) {
    ByteReader in(b.data(), b.size());
    return QuantileSketch::read(in);
  };
  auto poke = [](std::vector<std::uint8_t> b, std::size_t at, auto value) {
    REQUIRE(at + sizeof(value) <= b.size());
    std::memcpy(b.data() + at, &value, sizeof(value));
    return b;
  };
  // Exact: tag (4), α (8), B (8), E (8), count (8), mode (1), the values (8 + 8 each).
  QuantileSketch small(0.01, 64, 8);
  for (double x : {3.0, -1.0, 2.0}) small.add(x);
  const std::vector<std::uint8_t> exact = bytes_of(small);
  REQUIRE(exact.size() == 37 + 8 + 3 * 8);
  CHECK(read(exact).quantile(0.5) == 2.0);
  for (std::size_t n = 0; n < exact.size(); ++n)
    CHECK_THROWS_AS(read(std::vector<std::uint8_t>(exact.begin(), exact.begin() + std::ptrdiff_t(n))), Error);
  CHECK_THROWS_AS(read(poke(exact, 0, std::uint32_t(0))), Error);  // not a sketch
  CHECK_THROWS_AS(read(poke(exact, 4, 0.0)), Error);               // α = 0
  CHECK_THROWS_AS(read(poke(exact, 4, std::numeric_limits<double>::quiet_NaN())), Error);
  CHECK_THROWS_AS(read(poke(exact, 12, std::uint64_t(8))), Error);        // B below 64
  CHECK_THROWS_AS(read(poke(exact, 20, std::uint64_t(1) << 40)), Error);  // E
  CHECK_THROWS_AS(read(poke(exact, 20, std::uint64_t(2))), Error);        // more values than E
  CHECK_THROWS_AS(read(poke(exact, 28, std::int64_t(4))), Error);         // count ≠ values
  CHECK_THROWS_AS(read(poke(exact, 28, std::int64_t(-1))), Error);        // negative count
  CHECK_THROWS_AS(read(poke(exact, 36, std::uint8_t(2))), Error);         // a mode of 2
  CHECK_THROWS_AS(read(poke(exact, 45, 5.0)), Error);                     // not sorted
  CHECK_THROWS_AS(read(poke(exact, 53, std::numeric_limits<double>::quiet_NaN())), Error);
  // Bucketed: …, mode, level (4), zeros, −∞, +∞ (8 each), then per store (negative, then
  // positive) the first index (8) and the counts (8 + 8 each).
  for (double x : {2.5, 3.5, 2.2, 3.1, 2.9, 2.4, -0.0}) small.add(x);  // level 0: 2 … 3.5 in 29 buckets
  REQUIRE_FALSE(small.exact());
  const std::vector<std::uint8_t> bucketed = bytes_of(small);
  CHECK(read(bucketed).count() == 10);
  for (std::size_t n = 0; n < bucketed.size(); ++n)
    CHECK_THROWS_AS(read(std::vector<std::uint8_t>(bucketed.begin(), bucketed.begin() + std::ptrdiff_t(n))), Error);
  const std::size_t level = 37, zeros = 41, neg_first = 65, neg_count = 73, neg_bucket = 81;
  REQUIRE(small.level() == 0);
  REQUIRE(bucketed.size() == neg_bucket + 8 + 16 + 8 * 29);               // −1 in one bucket, then the positive store
  CHECK_THROWS_AS(read(poke(bucketed, 28, std::int64_t(8))), Error);      // no more than E: not bucketed
  CHECK_THROWS_AS(read(poke(bucketed, 28, std::int64_t(11))), Error);     // counts short of the count
  CHECK_THROWS_AS(read(poke(bucketed, level, std::int32_t(-1))), Error);  // level
  CHECK_THROWS_AS(read(poke(bucketed, level, std::int32_t(40))), Error);
  CHECK_THROWS_AS(read(poke(bucketed, level, std::int32_t(1))), Error);  // higher than the spans need
  CHECK_THROWS_AS(read(poke(bucketed, zeros, std::int64_t(-1))), Error);
  CHECK_THROWS_AS(read(poke(bucketed, zeros, std::int64_t(2))), Error);            // the counts pass the count
  CHECK_THROWS_AS(read(poke(bucketed, neg_first, std::int64_t(1) << 40)), Error);  // index out of range
  CHECK_THROWS_AS(read(poke(bucketed, neg_count, std::uint64_t(1) << 40)), Error);
  CHECK_THROWS_AS(read(poke(bucketed, neg_bucket, std::int64_t(0))), Error);  // an empty end bucket
  CHECK_THROWS_AS(read(poke(bucketed, neg_bucket, std::int64_t(-1))), Error);
  // Merging needs the same parameters, and not itself.
  QuantileSketch other(0.02, 64, 8);
  CHECK_THROWS_AS(small.merge(other), Error);
  CHECK_THROWS_AS(small.merge(small), Error);
  CHECK_THROWS_AS(QuantileSketch(0.0), Error);
  CHECK_THROWS_AS(QuantileSketch(0.01, 16), Error);
}

// 10^8 values (hidden from the default run; tests/CMakeLists.txt runs it on its own in
// builds without sanitizers): gains, losses and zeros, sketched in blocks grouped two ways
// (1,024 equal blocks merged in order; uneven blocks merged as a balanced tree from the
// right) — the same bytes and quantile bits — and within the stated error of the exact
// percentiles (order statistics by nth_element over the 800 MB of values).
TEST_CASE("the merged sketch on 10^8 values is within its stated error", "[.large][statistics][sketch]") {
  const std::size_t n = 100'000'000;
  std::vector<double> v(n);
  RandomStream r(8, 0);
  for (double& x : v) {
    const double u = r.uniform01();
    x = u < 0.05 ? 0.0 : u < 0.2 ? -r.lognormal(0, 1.5, 20'000) : r.lognormal(0, 1, 1000);
  }
  QuantileSketch in_order;
  for (std::size_t b = 0; b < 1024; ++b) {
    QuantileSketch part;
    for (std::size_t i = n * b / 1024; i < n * (b + 1) / 1024; ++i) part.add(v[i]);
    in_order.merge(part);
  }
  std::vector<QuantileSketch> parts;
  for (std::size_t at = 0, k = 0; at < n; ++k) {
    const std::size_t end = std::min(n, at + 20'000 + (k * 7919) % 200'003);
    parts.emplace_back();
    for (; at < end; ++at) parts.back().add(v[at]);
  }
  while (parts.size() > 1) {  // pairs from the right, until one is left
    std::vector<QuantileSketch> next;
    std::size_t i = parts.size();
    if (i % 2) next.push_back(std::move(parts[--i]));
    for (; i >= 2; i -= 2) {
      parts[i - 1].merge(parts[i - 2]);
      next.push_back(std::move(parts[i - 1]));
    }
    parts = std::move(next);
  }
  const QuantileSketch& tree = parts[0];
  REQUIRE(in_order.count() == (long long)n);
  CHECK(bytes_of(tree) == bytes_of(in_order));
  for (double q : kQs) CHECK(bits_of(tree.quantile(q)) == bits_of(in_order.quantile(q)));
  CHECK(in_order.retained() <= QuantileSketch::retained_bound());
  // The exact order statistics, rank by rank in increasing order (nth_element leaves the
  // larger values after each one).
  std::vector<std::size_t> ranks;
  for (double q : kQs) {
    const double pos = q * double(n - 1);
    ranks.push_back(std::size_t(std::floor(pos)));
    ranks.push_back(std::min(n - 1, ranks.back() + 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  std::size_t done = 0;
  for (std::size_t k : ranks) {
    std::nth_element(v.begin() + std::ptrdiff_t(done), v.begin() + std::ptrdiff_t(k), v.end());
    done = k + 1;
  }
  double worst = 0;
  for (double q : kQs) {
    const double pos = q * double(n - 1);
    const auto lo = std::size_t(std::floor(pos)), hi = std::min(n - 1, lo + 1);
    const double frac = pos - double(lo);
    const double exact = frac == 0 || v[lo] == v[hi] ? v[lo] : v[lo] + (v[hi] - v[lo]) * frac;
    const double got = in_order.quantile(q), scale = std::max(std::abs(v[lo]), std::abs(v[hi]));
    INFO("q = " << q << ": sketch " << got << ", exact " << exact);
    const double bound = std::max(in_order.relative_error() * scale, QuantileSketch::kZeroThreshold) * (1 + 1e-12);
    CHECK(std::abs(got - exact) <= bound);
    if (scale > 0) worst = std::max(worst, std::abs(got - exact) / scale);
  }
  WARN("10^8 values: level " << in_order.level() << ", stated relative error " << in_order.relative_error()
                             << ", largest measured " << worst << ", retained " << in_order.retained() << " of "
                             << QuantileSketch::retained_bound() << " words");
}
