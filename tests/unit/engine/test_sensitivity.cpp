// One-at-a-time sensitivity and the comparison of two runs (engine/sensitivity.hpp,
// engine/compare.hpp): the bump rules, the bisection of a default's flip, common random
// numbers in Monte Carlo, and the pairing of two results.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/compare.hpp"
#include "engine/sensitivity.hpp"

using namespace deal;

namespace {

// Lab owes Cloud `fee` a quarter from `cash0`; it defaults when its cash runs out, so
// the default flips at a computable fee: 4 quarters × fee > cash0 + 4 × income.
const char* kProgram =
    "calendar 2025Q1 .. 2025Q4 step quarter\n"
    "param cash0 = $10B\n"
    "param fee = $2B\n"
    "param growth = 10%/y\n"
    "param generous = false\n"
    "param start = 2025Q1\n"
    "party Cloud { cash = $1B }\n"
    "party Lab {\n"
    "  cash = cash0\n"
    "  revenue = $4B/y\n"
    "  every step {\n"
    "    revenue = revenue * (1 + growth * dt)\n"
    "    receive(World, revenue * dt)\n"
    "    if generous { receive(World, $1B) }\n"
    "  }\n"
    "}\n"
    "contract owe(d: Party, c: Party, amount: Money) { every step { pay(d, c, amount) } }\n"
    "deal lab_cloud = owe(Lab, Cloud, fee)\n"
    "scenario base { track Lab.cash }\n"
    "scenario tight { param cash0 = $1B  track Lab.cash }\n"
    "scenario mc { paths 200  seed 3  param cash0 = $4B  param growth ~ normal(10%/y, 40%/y)  track Lab.cash }\n";

std::unique_ptr<engine::Compiled> compiled() {
  engine::Checked c = engine::check_source("t.deal", kProgram);
  INFO(engine::diagnostics_text(c, false));
  REQUIRE(c.program);
  return engine::Compiled::compile(std::move(c));
}

const report::ParamSensitivity* find(const report::Sensitivity& s, const std::string& name) {
  for (const auto& p : s.params)
    if (p.param == name) return &p;
  return nullptr;
}

}  // namespace

TEST_CASE("bump rules: relative for dimensioned values, absolute for rates, Bools flipped", "[sensitivity]") {
  using report::BumpRule;
  auto b = engine::bump_values(BumpRule::Relative, 20e9, 0.1, 0.01);
  CHECK(b.down == Approx(18e9));
  CHECK(b.up == Approx(22e9));
  b = engine::bump_values(BumpRule::Absolute, 0.05, 0.1, 0.01);
  CHECK(b.down == Approx(0.04));
  CHECK(b.up == Approx(0.06));
  b = engine::bump_values(BumpRule::Flip, 0, 0.1, 0.01);
  CHECK(b.down == 1);
  CHECK(b.up == 1);
  b = engine::bump_values(BumpRule::Flip, 1, 0.1, 0.01);
  CHECK(b.down == 0);

  auto p = compiled();
  const check::Program& prog = p->program();
  auto rule = [&](const char* name) {
    return engine::bump_rule(prog.params[size_t(prog.find_param(name))].type, prog.units);
  };
  CHECK(rule("cash0") == BumpRule::Relative);
  CHECK(rule("growth") == BumpRule::Absolute);
  CHECK(rule("generous") == BumpRule::Flip);
  CHECK_FALSE(rule("start"));  // a Date is not bumped
}

TEST_CASE("bisection finds a flip to the tolerance, in either direction, or none", "[sensitivity]") {
  auto above = [](double x) { return x > 0.37; };
  engine::FlipSearch s;
  s.step = 0.01;
  s.direction = 1;
  s.tolerance = 1e-4;
  long long calls = 0;
  auto b = engine::find_flip(above, 0.3, s, &calls);
  REQUIRE(b);
  CHECK(b->low <= 0.37);
  CHECK(b->high > 0.37);
  CHECK(b->high - b->low <= 1e-4);
  CHECK(calls < 30);
  // Downwards, bounded by a floor it never crosses.
  s.direction = -1;
  s.floor = 0.0;
  CHECK_FALSE(engine::find_flip(above, 0.3, s));
  auto below = [](double x) { return x < 0.05; };
  b = engine::find_flip(below, 0.3, s);
  REQUIRE(b);
  CHECK(b->low < 0.05);
  CHECK(b->high >= 0.05 - 1e-4);
  // Out of reach of the doublings: none.
  s.direction = 1;
  s.floor.reset();
  s.max_doublings = 2;
  CHECK_FALSE(engine::find_flip([](double x) { return x > 10; }, 0.3, s));
}

TEST_CASE("sensitivity of a single path: bumps, ranking and the default threshold", "[sensitivity]") {
  auto p = compiled();
  engine::SensitivityRequest r;
  r.scenario = p->model().find_scenario("tight");
  r.metrics = {"default:Lab", "equity:Lab"};
  r.threshold_party = "Lab";
  r.options.threads = 2;
  report::Sensitivity s = engine::sensitivity(*p, r);
  REQUIRE(s.metrics.size() == 2);
  CHECK(s.metrics[0].base == 1);  // $1B + $4B/y of income cannot pay $8B of fees
  const auto* fee = find(s, "fee");
  REQUIRE(fee);
  CHECK(fee->down == Approx(1.8e9));
  CHECK(find(s, "generous"));
  // The Date param is listed as not bumped, with why.
  bool start_skipped = false;
  for (const auto& k : s.skipped) start_skipped = start_skipped || k.param == "start";
  CHECK(start_skipped);
  // Equity moves with every bump of the fee: it ranks in the equity tornado.
  auto order = report::tornado_order(s, 1);
  CHECK_FALSE(order.empty());
  // Lab survives when the fee is small enough: the flip lies below the base fee, where
  // 4·fee equals what Lab has (checked against a run on each side of the bracket).
  const report::FlipThreshold* t = nullptr;
  for (const auto& x : s.thresholds)
    if (x.param == "fee") t = &x;
  REQUIRE(t);
  REQUIRE(t->below);
  CHECK(t->below->high - t->below->low <= 2e9 * 1e-3 + 1);
  auto run_at = [&](double fee_value) {
    rt::RunOptions o;
    engine::set_param(o, {p->program().find_param("fee"), fee_value});
    return rt::run_scenario(p->model(), r.scenario, o).parties[1].defaulted;
  };
  CHECK_FALSE(run_at(t->below->low));
  CHECK(run_at(t->below->high));
  CHECK_FALSE(report::threshold_lines(s).empty());
  CHECK_THAT(report::sensitivity_json(s), Catch::Contains("\"threshold\""));
  CHECK_THAT(report::sensitivity_svg(s), Catch::StartsWith("<svg"));
}

TEST_CASE("the result does not depend on the number of threads", "[sensitivity]") {
  auto p = compiled();
  engine::SensitivityRequest r;
  r.scenario = p->model().find_scenario("base");
  r.metrics = {"equity", "series"};
  r.options.threads = 1;
  std::string one = report::sensitivity_json(engine::sensitivity(*p, r));
  r.options.threads = 3;
  CHECK(report::sensitivity_json(engine::sensitivity(*p, r)) == one);
}

TEST_CASE("Monte Carlo: common random numbers, so a zero bump changes nothing", "[sensitivity][montecarlo]") {
  auto p = compiled();
  engine::SensitivityRequest r;
  r.scenario = p->model().find_scenario("mc");
  r.params = {"cash0", "fee", "growth"};
  r.metrics = {"default:Lab", "equity:Lab", "series:Lab.cash"};
  r.bump = 0;
  r.rate_bump = 0;
  report::Sensitivity s = engine::sensitivity(*p, r);
  CHECK(s.paths == 200);
  // growth is drawn per path in this scenario: not bumped.
  CHECK_FALSE(find(s, "growth"));
  REQUIRE(s.params.size() == 2);
  for (const auto& prm : s.params)
    for (size_t m = 0; m < s.metrics.size(); ++m) {
      CHECK(prm.at_down[m] == s.metrics[m].base);
      CHECK(prm.at_up[m] == s.metrics[m].base);
    }
  CHECK(s.metrics[0].base > 0);  // some paths default
  CHECK(s.metrics[0].base < 1);  // not all
  // --threshold needs one path.
  r.threshold_party = "Lab";
  CHECK_THROWS_AS(engine::sensitivity(*p, r), engine::SensitivityError);
}

TEST_CASE("a bad metric or param names the choices", "[sensitivity]") {
  auto p = compiled();
  engine::SensitivityRequest r;
  r.scenario = 0;
  r.metrics = {"default:Lba"};
  CHECK_THROWS_WITH(engine::sensitivity(*p, r), Catch::Contains("Cloud, Lab"));
  r.metrics = {"series:nope"};
  CHECK_THROWS_WITH(engine::sensitivity(*p, r), Catch::Contains("Lab.cash"));
  r.metrics = {};
  r.params = {"fe"};
  CHECK_THROWS_WITH(engine::sensitivity(*p, r), Catch::Contains("fee"));
}

TEST_CASE("compare pairs two runs: defaults that differ, deltas, series differences", "[compare]") {
  auto p = compiled();
  engine::CompareRequest r;
  r.a = p->model().find_scenario("base");
  r.b = p->model().find_scenario("tight");
  r.label_a = "base";
  r.label_b = "tight";
  report::Comparison c = engine::compare(*p, r);
  REQUIRE(c.defaults.size() == 1);
  CHECK(c.defaults[0].party == "Lab");
  CHECK_FALSE(c.defaults[0].a.defaulted);
  CHECK(c.defaults[0].b.defaulted);
  CHECK_THAT(c.defaults[0].b.cause, Catch::Contains("Lab defaulted"));
  REQUIRE(c.series.size() == 1);
  CHECK(c.series[0].b[0] - c.series[0].a[0] == Approx(-9e9));  // $9B less cash from the start
  CHECK_THAT(report::compare_table(c, false), Catch::Contains("Defaults that differ"));
  CHECK_THAT(report::compare_csv(c), Catch::StartsWith("series,step,start,date,unit,a,b,difference\nLab.cash,0,"));
  // A run compared with itself differs nowhere.
  r.b = r.a;
  report::Comparison same = engine::compare(*p, r);
  CHECK(same.defaults.empty());
  for (double d : same.series[0].a) CHECK(std::isfinite(d));
  CHECK(same.series[0].a == same.series[0].b);
}

TEST_CASE("compare: a Monte Carlo scenario beside itself with the same seed differs nowhere", "[compare][montecarlo]") {
  auto p = compiled();
  engine::CompareRequest r;
  r.a = r.b = p->model().find_scenario("mc");
  r.options_a.seed = r.options_b.seed = 11;  // common random numbers, as deal compare does
  r.options_a.threads = 1;
  r.options_b.threads = 2;  // and the number of threads does not matter
  r.label_a = "mc";
  r.label_b = "mc again";
  report::Comparison c = engine::compare(*p, r);
  CHECK(c.defaults.empty());
  REQUIRE(c.series.size() == 1);
  CHECK(c.series[0].a == c.series[0].b);
  for (const auto& party : c.parties) CHECK(party.equity_a == party.equity_b);
  // Another seed is another sample: the default probabilities differ (noise, not a scenario effect).
  r.options_b.seed = 12;
  CHECK_FALSE(engine::compare(*p, r).defaults.empty());
}
