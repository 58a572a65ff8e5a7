// Code generation of every operator and built-in, compared with the same computation
// written directly in C++. Values go through params (not literals), so nothing is
// folded by the checker: the JIT computes them.
#include <catch2/catch.hpp>

#include <cmath>

#include "run_helpers.hpp"

using deal::test::eval;

namespace {
const char* kParams =
    "param a = 7.5\nparam b = -2.25\nparam m = $3B\nparam r = 5%/y\nparam t = 2y\nparam yes = true\nparam no = false\n"
    "param d1 = 2025-02-15\nparam d2 = 2027Q3\n";
double v(const std::string& e) { return eval(e, kParams); }
}  // namespace

TEST_CASE("arithmetic operators", "[codegen]") {
  const double a = 7.5, b = -2.25;
  CHECK(v("a + b") == a + b);
  CHECK(v("a - b") == a - b);
  CHECK(v("a * b") == a * b);
  CHECK(v("a / b") == a / b);
  CHECK(v("-a") == -a);
  CHECK(v("+a") == a);
  CHECK(v("a ^ 2") == a * a);
  CHECK(v("a ^ 3") == a * a * a);
  CHECK(v("a ^ -2") == Approx(1 / (a * a)));
  CHECK(v("a ^ 0.5") == Approx(std::pow(a, 0.5)));
  CHECK(v("2 ^ a") == Approx(std::pow(2, a)));
  CHECK(v("-2 ^ 2") == -4);  // ^ binds tighter than unary minus
  CHECK(v("m * r * t") == Approx(3e9 * 0.05 * 2));
}

TEST_CASE("comparisons and logic", "[codegen]") {
  CHECK(v("a < b") == 0);
  CHECK(v("a > b") == 1);
  CHECK(v("a <= a") == 1);
  CHECK(v("a >= b") == 1);
  CHECK(v("a == a") == 1);
  CHECK(v("a != a") == 0);
  CHECK(v("yes and no") == 0);
  CHECK(v("yes or no") == 1);
  CHECK(v("not no") == 1);
  CHECK(v("if a > b then m else $0") == 3e9);
  CHECK(v("if a < b then m else $1") == 1);
}

TEST_CASE("math built-ins", "[codegen]") {
  const double a = 7.5, b = -2.25;
  CHECK(v("min(a, b, 3)") == b);
  CHECK(v("max(a, b, 3)") == a);
  CHECK(v("abs(b)") == 2.25);
  CHECK(v("floor(b)") == std::floor(b));
  CHECK(v("ceil(b)") == std::ceil(b));
  CHECK(v("round(a)") == std::round(a));
  CHECK(v("exp(b)") == Approx(std::exp(b)));
  CHECK(v("log(a)") == Approx(std::log(a)));
  CHECK(v("sqrt(a)") == Approx(std::sqrt(a)));
  CHECK(v("clamp(a, 0, 5)") == 5);
  CHECK(v("clamp(b, 0, 5)") == 0);
  CHECK(v("years(t)") == 2);
}

TEST_CASE("finance built-ins", "[codegen]") {
  // annuity(r, n) = (1 − (1+r)^−n)/r
  CHECK(v("annuity(5%, 10)") == Approx((1 - std::pow(1.05, -10)) / 0.05));
  CHECK(v("annuity(0, 10)") == 10);
  CHECK(v("discount(r, t)") == Approx(std::pow(1.05, -2)));
  // npv of a constant flow, annual compounding: f (1 − (1+r)^−T) / ln(1+r)
  CHECK(v("npv(r, $1B/y, t)") == Approx(1e9 * (1 - std::pow(1.05, -2)) / std::log(1.05)));
  CHECK(v("npv(0%/y, $1B/y, t)") == Approx(2e9));
}

TEST_CASE("dates: differences, shifts, comparisons", "[codegen]") {
  CHECK(v("d2 - d1") == Approx((12 * 2 + 6 - 1 - 14.0 / 28) / 12));
  CHECK(v("(d1 + 18mo) - d1") == Approx(1.5));
  CHECK(v("d1 < d2") == 1);
  CHECK(v("years(now - 2025Q1)") == 0);
  CHECK(v("dt") == 0.25);
}

TEST_CASE("user functions and locals", "[codegen]") {
  std::string fns = std::string(kParams) +
                    "fn grow(x: Money, g: Rate, h: Duration): Money = x * (1 + g * h)\n"
                    "fn twice(x: Money) = grow(x, 100%/y, 1y)\n";
  CHECK(eval("grow(m, r, t)", fns) == Approx(3e9 * 1.1));
  CHECK(eval("twice(m)", fns) == Approx(6e9));
}

TEST_CASE("random draws are deterministic at zero spread", "[codegen]") {
  auto r = deal::test::run(
      "party A { cash = $0  x = 0  y = 0  z = false  w = 0  every step {"
      "  x = normal(2, 0)  y = uniform(3, 3)  z = bernoulli(100%)  w = lognormal(0, 0, 5) } }\n"
      "scenario s { track A.x, A.y, A.z, A.w }\n");
  CHECK(deal::test::series(r, "A.x")[0] == 2);
  CHECK(deal::test::series(r, "A.y")[0] == 3);
  CHECK(deal::test::series(r, "A.z")[0] == 1);
  CHECK(deal::test::series(r, "A.w")[0] == Approx(5));
}
