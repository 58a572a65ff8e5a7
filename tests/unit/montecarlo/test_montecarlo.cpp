// Monte Carlo runs end to end (JIT-compiled programs through runtime/driver.cpp):
// reproducibility for any number of threads, per-path and per-call draws with their
// dimensions, the aggregates of LANGUAGE.md §6.4 (default probability, mean default date,
// equity lost, percentiles exact and streamed), deterministic failures, progress.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <mutex>

#include "../codegen/run_helpers.hpp"
#include "runtime/calendar.hpp"

using namespace deal;

namespace {

// The same bits (NaN equal to NaN).
bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

void require_identical(const rt::RunResult& a, const rt::RunResult& b) {
  REQUIRE(a.parties.size() == b.parties.size());
  for (size_t i = 0; i < a.parties.size(); ++i) {
    const auto &p = a.parties[i], &q = b.parties[i];
    INFO("party " << p.name);
    CHECK(same(p.cash, q.cash));
    CHECK(same(p.debt, q.debt));
    CHECK(same(p.equity, q.equity));
    CHECK(same(p.equity_start, q.equity_start));
    CHECK(same(p.default_probability, q.default_probability));
    CHECK(p.mean_default_date == q.mean_default_date);
    CHECK(same({p.loss.mean, p.loss.p5, p.loss.p25, p.loss.p50, p.loss.p75, p.loss.p95},
               {q.loss.mean, q.loss.p5, q.loss.p25, q.loss.p50, q.loss.p75, q.loss.p95}));
  }
  REQUIRE(a.series.size() == b.series.size());
  for (size_t i = 0; i < a.series.size(); ++i) {
    INFO("series " << a.series[i].label);
    CHECK(same(a.series[i].mean, b.series[i].mean));
    CHECK(same(a.series[i].p5, b.series[i].p5));
    CHECK(same(a.series[i].p25, b.series[i].p25));
    CHECK(same(a.series[i].p50, b.series[i].p50));
    CHECK(same(a.series[i].p75, b.series[i].p75));
    CHECK(same(a.series[i].p95, b.series[i].p95));
  }
  CHECK(a.ledger.rows == b.ledger.rows);
  CHECK(same(a.ledger.due, b.ledger.due));
  CHECK(same(a.ledger.paid, b.ledger.paid));
  CHECK(same(a.ledger.default_costs, b.ledger.default_costs));
}

const rt::SeriesOutcome& stats(const rt::RunResult& r, const std::string& label) {
  for (const auto& s : r.series)
    if (s.label == label) return s;
  throw std::runtime_error("no series " + label);
}

rt::RunOptions threads(int n) {
  rt::RunOptions o;
  o.threads = n;
  return o;
}

const char* kNetwork = R"(
calendar 2025Q1 .. 2026Q4 step quarter
param g = 0%/y
param hit = false
party A {
  cash = $1B
  revenue = $1B/y
  every step {
    revenue = revenue * exp(g * dt + 0.3 * sqrt(years(dt)) * normal(0, 1))
    receive(World, revenue * dt)
    pay(World, $1.1B/y * dt)
    if bernoulli(3%) { default(self) }
  }
}
party B { cash = $300M }
party C { cash = $0 }
contract supply(buyer: Party, seller: Party, amount: Money) {
  every step { pay(buyer, seller, amount * uniform(0.5, 1.5)) }
}
deal ab = supply(A, B, $200M)
deal bc = supply(B, C, $250M)
deal ca = supply(C, A, $100M)
shock s { at 2025Q3 { if hit { A.cash -= min($500M, A.cash) } } }
scenario mc {
  apply s
  paths 1500
  seed 9
  param g ~ normal(5%/y, 20%/y)
  param hit ~ bernoulli(40%)
  track A.cash, B.cash, C.cash, A.default_date, B.defaulted
}
)";

}  // namespace

TEST_CASE("results are bit-identical for 1, 2, 3 and 8 threads", "[montecarlo]") {
  auto c = test::compile(kNetwork);
  rt::RunResult one = rt::run_scenario(c->model, 0, threads(1));
  CHECK(one.threads == 1);
  for (int t : {2, 3, 8}) {
    INFO(t << " threads");
    rt::RunResult r = rt::run_scenario(c->model, 0, threads(t));
    CHECK(r.threads == t);
    require_identical(one, r);
  }
  // Something happened: defaults, in some paths only.
  const auto& a = test::party(one, "A");
  CHECK(a.default_probability > 0.05);
  CHECK(a.default_probability < 0.95);
}

TEST_CASE("different seeds give different results; the same seed the same", "[montecarlo]") {
  auto c = test::compile(kNetwork);
  rt::RunOptions o = threads(2);
  rt::RunResult a = rt::run_scenario(c->model, 0, o);
  o.seed = 10;
  rt::RunResult b = rt::run_scenario(c->model, 0, o);
  CHECK(b.seed == 10);
  CHECK_FALSE(same(stats(a, "A.cash").mean, stats(b, "A.cash").mean));
  CHECK_FALSE(same(test::party(a, "B").cash, test::party(b, "B").cash));
  o.seed = 9;
  require_identical(a, rt::run_scenario(c->model, 0, o));
}

TEST_CASE("more paths extend the same paths: the first N paths do not depend on the total", "[montecarlo]") {
  // Path k's stream is keyed by (seed, k) only, so a run of 2 paths is the first two paths
  // of any longer run: the maximum over 2 paths can only grow with more paths.
  auto c = test::compile(R"(
param x = 0
party A { cash = $1 }
scenario s { paths 2 seed 3 param x ~ uniform(0, 1) track x }
)");
  rt::RunOptions o;
  rt::RunResult two = rt::run_scenario(c->model, 0, o);
  double mean2 = stats(two, "x").mean[0];
  o.paths = 3;
  rt::RunResult three = rt::run_scenario(c->model, 0, o);
  // mean of 3 = (2·mean2 + x₂)/3 with x₂ in (0, 1).
  double x2 = 3 * stats(three, "x").mean[0] - 2 * mean2;
  CHECK(x2 > -1e-12);
  CHECK(x2 < 1 + 1e-12);
}

TEST_CASE("param draws happen once per path; block draws anew on every call", "[montecarlo]") {
  auto r = test::run(R"(
param x = 0
party A {
  cash = $0
  a = 0
  d = 0
  every step {
    a = normal(0, 1)
    d = normal(0, 1) - normal(0, 1)
  }
}
scenario s { paths 20000 seed 1 param x ~ uniform(0, 1) track x, A.a, A.d }
)");
  const auto& x = stats(r, "x");
  for (size_t k = 1; k < x.mean.size(); ++k) {
    CHECK(x.mean[k] == x.mean[0]);  // the same draw at every step of a path
    CHECK(x.p50[k] == x.p50[0]);
  }
  CHECK(x.mean[0] == Approx(0.5).margin(4 * std::sqrt(1.0 / 12 / 20000)));
  CHECK(x.p5[0] == Approx(0.05).margin(0.01));
  CHECK(x.p95[0] == Approx(0.95).margin(0.01));
  const auto& a = stats(r, "A.a");
  const auto& d = stats(r, "A.d");
  for (size_t k = 0; k < a.mean.size(); ++k) {
    CHECK(a.mean[k] == Approx(0).margin(4 / std::sqrt(20000.0)));
    CHECK(a.p95[k] == Approx(1.645).margin(0.05));
    // Two calls in one statement are two draws: the difference has variance 2.
    CHECK(d.p95[k] == Approx(1.645 * std::sqrt(2.0)).margin(0.07));
  }
  CHECK(a.p50[0] != a.p50[1]);  // a new draw each step
}

TEST_CASE("every distribution of `param ~` carries its dimension and its moments", "[montecarlo]") {
  auto r = test::run(R"(
unit GW
param g = 0%/y
param m = $0
param t = 0GW
param u = 0y
param b = false
param c = 0
scenario s {
  paths 40000
  seed 2
  param g ~ normal(30%/y, 25%/y)
  param m ~ lognormal(0, 0.5, $1B)
  param t ~ triangular(1GW, 2GW, 6GW)
  param u ~ uniform(1y, 3y)
  param b ~ bernoulli(30%)
  param c ~ choice(1, 2, 6)
  track g * 1y as "g", m / $1 as "m", t / 1GW as "t", u / 1y as "u", b, c
}
)");
  auto mean = [&](const char* l) { return stats(r, l).mean[0]; };
  const double n = 40000;
  CHECK(mean("g") == Approx(0.30).margin(4 * 0.25 / std::sqrt(n)));
  double lm = std::exp(0.125), lsd = std::sqrt((std::exp(0.25) - 1) * std::exp(0.25));
  CHECK(mean("m") == Approx(1e9 * lm).margin(4e9 * lsd / std::sqrt(n)));
  CHECK(stats(r, "m").p50[0] == Approx(1e9).epsilon(0.02));  // the median is scale·e^mu
  CHECK(mean("t") == Approx(3.0).margin(4 * std::sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18.0 / n)));
  CHECK(mean("u") == Approx(2.0).margin(4 * std::sqrt(4 / 12.0 / n)));
  CHECK(mean("b") == Approx(0.3).margin(4 * std::sqrt(0.21 / n)));
  CHECK(mean("c") == Approx(3.0).margin(4 * std::sqrt((1 + 4 + 36) / 3.0 - 9) / std::sqrt(n)));
  CHECK(stats(r, "c").p5[0] == 1);
  CHECK(stats(r, "c").p95[0] == 6);
}

TEST_CASE("default probability, mean default date and equity lost", "[montecarlo]") {
  // A defaults in 2025Q2 on paths where `early` is drawn, else in 2025Q4.
  auto r = test::run(R"(
param early = false
party A { cash = $10 }
party B { cash = $5 }
shock s {
  at 2025Q2 { if early { default(A) } }
  at 2025Q4 { default(A) }
}
scenario mc { apply s paths 5000 seed 4 param early ~ bernoulli(30%) track early }
)");
  double p = stats(r, "early").mean[0];
  CHECK(p == Approx(0.3).margin(0.03));
  const auto& a = test::party(r, "A");
  CHECK(a.default_probability == 1.0);
  REQUIRE(a.mean_default_date);
  // The mean of the dates as month numbers: Q2 starts at month 3, Q4 at month 9 of 2025.
  double months = p * 3 + (1 - p) * 9;
  rt::Date want = rt::from_ticks((2025 * 12 + months) * double(rt::kTicksPerMonth));
  CHECK(std::abs(double(rt::to_ticks(*a.mean_default_date) - rt::to_ticks(want))) <= double(rt::kTicksPerMonth) / 28);
  REQUIRE(a.mean_default_step);
  CHECK(*a.mean_default_step == Approx(p * 1 + (1 - p) * 3));
  // A's equity goes from $10 to 0 on every path; B keeps its $5.
  CHECK(a.equity_start == 10);
  CHECK(a.loss.mean == 10);
  CHECK(a.loss.p5 == 10);
  CHECK(a.loss.p95 == 10);
  const auto& b = test::party(r, "B");
  CHECK(b.default_probability == 0);
  CHECK_FALSE(b.mean_default_date);
  CHECK(b.loss.mean == 0);
}

TEST_CASE("a tracked default date is none until the party defaults", "[montecarlo]") {
  auto c = test::compile(R"(
param hit = false
party A { cash = $1 }
shock s { at 2025Q3 { if hit { default(A) } } }
scenario mc { apply s paths 400 seed 1 param hit ~ bernoulli(50%) track A.default_date, A.defaulted }
scenario one { track A.default_date }
)");
  rt::RunResult r = rt::run_scenario(c->model, 0);
  const auto& d = stats(r, "A.default_date");
  // Steps before 2025Q3: no path has a date, so there is no statistic.
  CHECK(std::isnan(d.mean[0]));
  CHECK(std::isnan(d.p50[1]));
  // From 2025Q3: the date, over the paths that have one.
  CHECK(d.mean[2] == Approx(2025 * 12 + 6));
  CHECK(d.p5[3] == Approx(2025 * 12 + 6));
  rt::RunResult one = rt::run_scenario(c->model, 1);
  for (double v : test::series(one, "A.default_date")) CHECK(std::isnan(v));
}

TEST_CASE("streaming percentiles stay within their relative error of the exact ones", "[montecarlo]") {
  auto c = test::compile(R"(
param x = 0
party A { cash = $0  y = 0  every step { y = uniform(0, 1) } }
scenario s { paths 30000 seed 6 param x ~ uniform(0, 1) track x, A.y }
)");
  rt::RunOptions exact = threads(2);
  rt::RunResult e = rt::run_scenario(c->model, 0, exact);
  CHECK(e.percentiles.exact);
  rt::RunOptions streamed = exact;
  streamed.exact_statistics_limit = 0;
  rt::RunResult s = rt::run_scenario(c->model, 0, streamed);
  CHECK_FALSE(s.percentiles.exact);
  CHECK(s.percentiles.relative_error > 0);
  CHECK(s.percentiles.relative_error < 0.01);
  // Means are the same sums either way.
  CHECK(same(stats(s, "x").mean, stats(e, "x").mean));
  // Values in (0, 1): each percentile is within relative_error of order statistics below 1.
  double tol = s.percentiles.relative_error + 1e-12;
  for (const char* l : {"x", "A.y"})
    for (size_t k = 0; k < stats(e, l).p50.size(); ++k) {
      CHECK(std::fabs(stats(s, l).p5[k] - stats(e, l).p5[k]) <= tol);
      CHECK(std::fabs(stats(s, l).p50[k] - stats(e, l).p50[k]) <= tol);
      CHECK(std::fabs(stats(s, l).p95[k] - stats(e, l).p95[k]) <= tol);
    }
  // And streamed results are as reproducible as exact ones.
  streamed.threads = 5;
  require_identical(s, rt::run_scenario(c->model, 0, streamed));
}

TEST_CASE("a failing path is reported the same way for any number of threads", "[montecarlo]") {
  auto c = test::compile(R"(
param x = 0
party A {
  cash = $1
  r = 1
  every step { if x > 0.995 { r = r / (x - x) } }
}
scenario s { paths 3000 seed 8 param x ~ uniform(0, 1) }
)");
  std::string first;
  for (int t : {1, 2, 8}) {
    try {
      rt::run_scenario(c->model, 0, threads(t));
      FAIL("the run should fail");
    } catch (const rt::RunError& e) {
      std::string m = e.what();
      CHECK(m.find("state 'A.r' became +infinity") != std::string::npos);
      CHECK(m.find("Monte Carlo path ") != std::string::npos);
      if (first.empty()) first = m;
      CHECK(m == first);
    }
  }
}

TEST_CASE("progress is reported and ends at the total", "[montecarlo]") {
  auto c = test::compile(kNetwork);
  rt::RunOptions o = threads(2);
  o.paths = 3000;
  std::mutex mu;
  std::vector<std::pair<long long, long long>> calls;
  o.progress = [&](long long done, long long total) {
    std::lock_guard lk(mu);
    calls.emplace_back(done, total);
  };
  rt::run_scenario(c->model, 0, o);
  REQUIRE_FALSE(calls.empty());
  CHECK(calls.back() == std::make_pair(3000LL, 3000LL));
  for (size_t i = 1; i < calls.size(); ++i) CHECK(calls[i].first >= calls[i - 1].first);
  // Never for a single path.
  calls.clear();
  o.paths = 1;
  rt::run_scenario(c->model, 0, o);
  CHECK(calls.empty());
}

TEST_CASE("a single path reports its own loss and default date", "[montecarlo]") {
  auto r = test::run(R"(
party A { cash = $10 }
shock s { at 2025Q2 { default(A) } }
scenario one { apply s }
)");
  const auto& a = test::party(r, "A");
  CHECK(a.defaulted);
  CHECK(a.default_probability == 1);
  CHECK(a.equity_start == 10);
  CHECK(a.loss.mean == 10);
  REQUIRE(a.mean_default_date);
  CHECK(*a.mean_default_date == *a.default_date);
}

TEST_CASE("bad distribution arguments stop the run with a message", "[montecarlo]") {
  struct Case {
    const char* draw;
    const char* message;
  };
  for (Case c :
       {Case{"normal(0, -1)", "normal(0, -1) on 2025-01-01: the mean must be finite and the standard deviation"},
        Case{"uniform(2, 1)", "uniform(2, 1) on 2025-01-01: the bounds must be finite with lo ≤ hi"},
        Case{"lognormal(0, -0.5)", "lognormal(0, -0.5, 1) on 2025-01-01"},
        Case{"if bernoulli(1.5) then 1 else 0",
             "bernoulli(1.5) on 2025-01-01: the probability must be between 0 and 1"}}) {
    INFO(c.draw);
    auto m = test::compile(std::string("party A { cash = $0  x = 0  every step { x = ") + c.draw + " } }\n" +
                           "scenario s { paths 10 }\n");
    try {
      rt::run_scenario(m->model, 0);
      FAIL("the run should fail");
    } catch (const rt::RunError& e) {
      CHECK_THAT(e.what(), Catch::Contains(c.message));
      CHECK_THAT(e.what(), Catch::Contains("Monte Carlo path 0 of 10"));
    }
  }
  // A per-path draw: triangular's mode outside its range.
  auto m = test::compile("param t = 0\nscenario s { paths 5 param t ~ triangular(0, 2, 1) }\n");
  CHECK_THROWS_WITH(
      rt::run_scenario(m->model, 0),
      Catch::Contains("triangular(0, 2, 1) on 2025-01-01: the arguments must be finite with lo ≤ mode ≤ hi"));
}

TEST_CASE("revenue_from sums each pair's payments of the step, for many pairs", "[montecarlo]") {
  // 41 pairs (more than the table's first size), one pair paid twice, one pair never.
  auto r = test::run(
      std::string(
          "party A { cash = $100000 }\nparty B1 { cash = $0 }\nparty B2 { cash = $0 }\nparty B3 { cash = $0 }\nparty "
          "B4 { cash = $0 }\nparty B5 { cash = $0 }\nparty B6 { cash = $0 }\nparty B7 { cash = $0 }\nparty B8 { cash = "
          "$0 }\nparty B9 { cash = $0 }\nparty B10 { cash = $0 }\nparty B11 { cash = $0 }\nparty B12 { cash = $0 "
          "}\nparty B13 { cash = $0 }\nparty B14 { cash = $0 }\nparty B15 { cash = $0 }\nparty B16 { cash = $0 "
          "}\nparty B17 { cash = $0 }\nparty B18 { cash = $0 }\nparty B19 { cash = $0 }\nparty B20 { cash = $0 "
          "}\nparty B21 { cash = $0 }\nparty B22 { cash = $0 }\nparty B23 { cash = $0 }\nparty B24 { cash = $0 "
          "}\nparty B25 { cash = $0 }\nparty B26 { cash = $0 }\nparty B27 { cash = $0 }\nparty B28 { cash = $0 "
          "}\nparty B29 { cash = $0 }\nparty B30 { cash = $0 }\nparty B31 { cash = $0 }\nparty B32 { cash = $0 "
          "}\nparty B33 { cash = $0 }\nparty B34 { cash = $0 }\nparty B35 { cash = $0 }\nparty B36 { cash = $0 "
          "}\nparty B37 { cash = $0 }\nparty B38 { cash = $0 }\nparty B39 { cash = $0 }\nparty B40 { cash = $0 "
          "}\ncontract flow(payer: Party, payee: Party, amount: Money) { every step { pay(payer, payee, amount) } "
          "}\ndeal d1 = flow(A, B1, $1)\ndeal d2 = flow(A, B2, $2)\ndeal d3 = flow(A, B3, $3)\ndeal d4 = flow(A, B4, "
          "$4)\ndeal d5 = flow(A, B5, $5)\ndeal d6 = flow(A, B6, $6)\ndeal d7 = flow(A, B7, $7)\ndeal d8 = flow(A, B8, "
          "$8)\ndeal d9 = flow(A, B9, $9)\ndeal d10 = flow(A, B10, $10)\ndeal d11 = flow(A, B11, $11)\ndeal d12 = "
          "flow(A, B12, $12)\ndeal d13 = flow(A, B13, $13)\ndeal d14 = flow(A, B14, $14)\ndeal d15 = flow(A, B15, "
          "$15)\ndeal d16 = flow(A, B16, $16)\ndeal d17 = flow(A, B17, $17)\ndeal d18 = flow(A, B18, $18)\ndeal d19 = "
          "flow(A, B19, $19)\ndeal d20 = flow(A, B20, $20)\ndeal d21 = flow(A, B21, $21)\ndeal d22 = flow(A, B22, "
          "$22)\ndeal d23 = flow(A, B23, $23)\ndeal d24 = flow(A, B24, $24)\ndeal d25 = flow(A, B25, $25)\ndeal d26 = "
          "flow(A, B26, $26)\ndeal d27 = flow(A, B27, $27)\ndeal d28 = flow(A, B28, $28)\ndeal d29 = flow(A, B29, "
          "$29)\ndeal d30 = flow(A, B30, $30)\ndeal d31 = flow(A, B31, $31)\ndeal d32 = flow(A, B32, $32)\ndeal d33 = "
          "flow(A, B33, $33)\ndeal d34 = flow(A, B34, $34)\ndeal d35 = flow(A, B35, $35)\ndeal d36 = flow(A, B36, "
          "$36)\ndeal d37 = flow(A, B37, $37)\ndeal d38 = flow(A, B38, $38)\ndeal d39 = flow(A, B39, $39)\ndeal d40 = "
          "flow(A, B40, $40)\ndeal d7b = flow(A, B7, $0.5)\ndeal back = flow(B3, A, $2)") +
      "\nscenario s { track revenue_from(B7, A) as \"b7\", revenue_from(B40, A) as \"b40\", "
      "revenue_from(A, B3) as \"a\", revenue_from(A, B4) as \"none\", revenue_from(B1, A) + "
      "revenue_from(B2, A) as \"b12\" }\n");
  for (double v : test::series(r, "b7")) CHECK(v == 7.5);
  for (double v : test::series(r, "b40")) CHECK(v == 40);
  for (double v : test::series(r, "a")) CHECK(v == 2);
  for (double v : test::series(r, "none")) CHECK(v == 0);
  for (double v : test::series(r, "b12")) CHECK(v == 3);
}
