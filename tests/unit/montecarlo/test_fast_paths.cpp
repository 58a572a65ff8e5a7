// The Monte Carlo path's shortcuts (runtime/path_run.cpp) must give exactly what the
// general code gives: a round in which everyone is covered is applied to the balances
// directly (PathRun::clear_covered) instead of through clear(), and the per-pair sums
// behind revenue_from live in a dense table; a round someone is short in hands clear() the
// sums at full payment already made; without holdings, equity is written from the values
// without value_equity (PathRun::valuation). With --check-ledger every round goes through
// clear() and the ledger; the results must be the same bits either way, on networks
// whose rounds are mostly covered, sometimes short (defaults, estates, credit lines,
// Rogers–Veraart costs), and on the AI web itself.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sstream>

#include "../codegen/run_helpers.hpp"

using namespace deal;

namespace {

bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

// Runs scenario `name` of the compiled program with the shortcuts (the default) and
// through clear() and the ledger (check_ledger), and compares everything a run reports.
rt::RunResult compare_with_ledger_check(const test::Compiled& c, const std::string& name, long long paths) {
  int k = c.model.find_scenario(name);
  REQUIRE(k >= 0);
  rt::RunOptions fast, checked;
  fast.paths = checked.paths = paths;
  fast.threads = checked.threads = 1;
  checked.check_ledger = true;
  rt::RunResult a = rt::run_scenario(c.model, k, fast);
  rt::RunResult b = rt::run_scenario(c.model, k, checked);
  REQUIRE(a.parties.size() == b.parties.size());
  for (size_t i = 0; i < a.parties.size(); ++i) {
    const auto &p = a.parties[i], &q = b.parties[i];
    INFO("party " << p.name);
    CHECK(same(p.cash, q.cash));
    CHECK(same(p.debt, q.debt));
    CHECK(same(p.equity, q.equity));
    CHECK(same(p.default_probability, q.default_probability));
    CHECK(same({p.loss.mean, p.loss.p5, p.loss.p50, p.loss.p95}, {q.loss.mean, q.loss.p5, q.loss.p50, q.loss.p95}));
  }
  REQUIRE(a.series.size() == b.series.size());
  for (size_t i = 0; i < a.series.size(); ++i) {
    INFO("series " << a.series[i].label);
    CHECK(same(a.series[i].mean, b.series[i].mean));
    CHECK(same(a.series[i].p5, b.series[i].p5));
    CHECK(same(a.series[i].p50, b.series[i].p50));
    CHECK(same(a.series[i].p95, b.series[i].p95));
  }
  CHECK(a.ledger.rows == b.ledger.rows);
  CHECK(same(a.ledger.due, b.ledger.due));
  CHECK(same(a.ledger.paid, b.ledger.paid));
  CHECK(same(a.ledger.credit_drawn, b.ledger.credit_drawn));
  CHECK(same(a.ledger.default_costs, b.ledger.default_costs));
  return a;
}

// Mostly covered rounds; credit lines drawn; a weak party that runs short and defaults
// (its estate resolved in the following rounds), Rogers–Veraart costs, revenue_from read
// in the step and tracked.
const char* kNetwork = R"(
calendar 2025Q1 .. 2027Q4 step quarter
party Hub { cash = $2B credit = $1B }
party Weak { cash = $60M }
party Shop { cash = $50M credit = $300M }
party Sink { cash = $0 }
contract supply(buyer: Party, seller: Party, amount: Money) {
  every step { pay(buyer, seller, amount * uniform(0.6, 1.4)) }
  on default(buyer) { claim(seller, amount) }
}
contract rebate(payer: Party, payee: Party, share: Number) {
  every step { pay(payer, payee, share * revenue_from(payer, payee)) }
}
deal hw = supply(Hub, Weak, $120M)
deal ws = supply(Weak, Shop, $118M)
deal sh = supply(Shop, Hub, $90M)
deal ss = supply(Shop, Sink, $40M)
deal back = rebate(Weak, Hub, 10%)
scenario mc {
  paths 60
  seed 3
  clearing { alpha = 80%  beta = 90% }
  track Hub.cash, Weak.cash, Shop.cash + Shop.credit as "Shop liquidity", revenue_from(Shop, Weak) as "ws",
        Weak.defaulted
}
)";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("covered rounds applied directly give the bits of clear() and the ledger", "[montecarlo][fast]") {
  auto c = test::compile(kNetwork);
  rt::RunResult r = compare_with_ledger_check(*c, "mc", 60);
  // What the network is for: credit drawn, Weak defaulting in some paths, costs.
  CHECK(r.ledger.credit_drawn > 0);
  CHECK(r.ledger.default_costs > 0);
  double p = test::party(r, "Weak").default_probability;
  CHECK(p > 0);
  CHECK(p < 1);
}

TEST_CASE("the AI web's stress Monte Carlo gives the same bits with and without the ledger check",
          "[montecarlo][fast]") {
  auto c = test::compile(read_file(std::string(DEAL_SOURCE_DIR) + "/examples/ai_compute_web.deal"));
  rt::RunResult r = compare_with_ledger_check(*c, "stress_montecarlo", 40);
  CHECK(r.ledger.credit_drawn > 0);
}

// Generated code's `pay` (deal.pay) sends every unusual payment to PathRun::pay: a zero
// amount is no obligation but its priority is still checked, −0 and payments to oneself
// are no-ops; payments from the defaulted are skipped, and a computed whole priority is
// taken as it is.
TEST_CASE("pay's unusual payments: the checks of the general path", "[montecarlo][fast]") {
  const char* ok = R"(
calendar 2025Q1 .. 2025Q4 step quarter
party B { cash = $0 }
party C {
  cash = $0
  every step { pay(C, B, $1M) }
}
party A {
  cash = $100M
  every step {
    pay(A, B, $0)
    pay(A, B, -1 * $0)
    pay(A, A, $5M)
    pay(A, B, $1M, priority: 2 * 3)
  }
}
scenario s { track A.cash, B.cash, C.defaulted }
)";
  rt::RunResult r = test::run(ok, "s");
  const auto& a = test::series(r, "A.cash");
  const auto& b = test::series(r, "B.cash");
  CHECK(a.back() == 96e6);     // $1M a quarter to B; nothing else leaves A
  CHECK(b.back() == 4e6);      // C defaulted in the first round and paid nothing after
  CHECK(r.ledger.due == 5e6);  // A's four $1M and C's first: no row for $0, −0 or A to A
  const char* bad = R"(
calendar 2025Q1 .. 2025Q4 step quarter
party B { cash = $0 }
party A {
  cash = $100M
  every step { pay(A, B, $0, priority: uniform(0.5, 0.5)) }
}
scenario s { track A.cash }
)";
  CHECK_THROWS_WITH(test::run(bad, "s"), Catch::Contains("a priority must be a whole number"));
}

// Generated code appends usual payments to the step context's buffer itself and sends a
// payment that finds it full to the runtime, which grows it: the payments after that must
// land in the new buffer (ctx.obligations follows it), in order and none lost.
TEST_CASE("more obligations in a round than the buffer first holds", "[montecarlo][fast]") {
  std::string text =
      "calendar 2025Q1 .. 2025Q4 step quarter\n"
      "party A { cash = $1B }\nparty B { cash = $0 }\n"
      "contract c(x: Party, y: Party, k: Number) { every step { pay(x, y, $1 * k) } }\n";
  for (int k = 1; k <= 150; ++k) text += "deal d" + std::to_string(k) + " = c(A, B, " + std::to_string(k) + ")\n";
  text += "scenario s { track B.cash }\n";
  rt::RunResult r = test::run(text, "s");
  CHECK(test::series(r, "B.cash") == std::vector<double>{11325, 22650, 33975, 45300});
  CHECK(r.ledger.due == 4 * 11325.0);
}
