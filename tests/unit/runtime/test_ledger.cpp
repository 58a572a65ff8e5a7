// The ledger and the conservation check (LANGUAGE.md §6.3, §7.1).
#include <catch2/catch.hpp>

#include "clearing_helpers.hpp"
#include "runtime/conservation.hpp"
#include "runtime/ledger.hpp"

using namespace deal::rt;
using Catch::Matchers::Contains;
using deal::rt::testing::Net;

namespace {
// A network with a World payment, a credit draw, a default and Rogers–Veraart costs.
Net sample() {
  Net net;
  int a = net.party(2, 5), b = net.party(1), c = net.party(0);
  net.owe(a, b, 10, 1, /*deal*/ 0);
  net.owe(b, c, 6, 1, /*deal*/ 1);
  net.owe(b, kWorld, 2, 1, /*deal*/ 1);
  net.owe(kWorld, c, 3, 1, /*deal*/ 2);
  return net;
}
}  // namespace

TEST_CASE("The ledger records every obligation, credit draws and default costs apart", "[ledger]") {
  Net net = sample();
  ClearingInput in = net.input(ClearingOptions{.alpha = 0.5, .beta = 0.5});
  in.step = 3;
  ClearingResult r = clear(in);
  Ledger ledger(3);
  ledger.record(in, r);
  // Contractual rows only in §7.1's "ledger" object.
  LedgerTotals t = ledger.contractual();
  CHECK(t.rows == 4);
  CHECK(t.due == 21);
  CHECK(t.paid == Approx(r.paid[0] + r.paid[1] + r.paid[2] + r.paid[3]));
  // A draws its whole credit line (it defaults) and pays a default cost.
  CHECK(ledger.credit_drawn() == 5);
  CHECK(ledger.default_costs() == Approx(r.default_cost[0] + r.default_cost[1]));
  CHECK(ledger.default_costs() > 0);
  for (const LedgerRow& row : ledger.rows()) {
    CHECK(row.step == 3);
    CHECK(row.paid <= row.due);
  }
  CHECK(ledger.rows()[4].kind == FlowKind::CreditDraw);
  CHECK(ledger.rows()[4].from == kWorld);
  // Flows F[i][j] of paid amounts with World as the last index; per-party totals.
  CHECK(ledger.flow(0, 1) == r.paid[0]);
  CHECK(ledger.flow(kWorld, 2) == 3);
  CHECK(ledger.flow(1, kWorld) == r.paid[2]);
  CHECK(ledger.inflow(2) == Approx(r.paid[1] + 3));
  CHECK(ledger.outflow(1) == Approx(r.paid[1] + r.paid[2]));
  // The same flows pair by pair, sorted, World (kWorld) first.
  auto pairs = ledger.pair_flows();
  REQUIRE(pairs.size() == 4);
  for (size_t k = 1; k < pairs.size(); ++k)
    CHECK(std::pair(pairs[k - 1].from, pairs[k - 1].to) < std::pair(pairs[k].from, pairs[k].to));
  for (const auto& pf : pairs) CHECK(pf.paid == ledger.flow(pf.from, pf.to));
  CHECK(pairs[0].from == kWorld);
  auto f = flow_matrix(ledger.rows(), 3);
  CHECK(f[0 * 4 + 1] == r.paid[0]);
  CHECK(f[3 * 4 + 2] == 3);
  auto all = flow_matrix(ledger.rows(), 3, ~0u);
  CHECK(all[3 * 4 + 0] == 5);  // the credit draw, World → A
  // paid(deal) / due(deal)
  CHECK(ledger.deal_due(1) == 8);
  CHECK(ledger.deal_paid(2) == 3);
  CHECK(ledger.deal_paid(7) == 0);
}

TEST_CASE("A ledger without rows keeps the same totals", "[ledger]") {
  Net net = sample();
  ClearingInput in = net.input();
  ClearingResult r = clear(in);
  Ledger full(3), lean(3, LedgerOptions{.keep_rows = false, .track_flows = false});
  full.record(in, r);
  lean.record(in, r);
  CHECK(lean.rows().empty());
  CHECK(lean.contractual().paid == full.contractual().paid);
  CHECK(lean.credit_drawn() == full.credit_drawn());
  CHECK(lean.paid_to_world() == full.paid_to_world());
  CHECK_THROWS_WITH(lean.flow(0, 1), Contains("flows are not tracked"));
  full.reset();
  CHECK(full.rows().empty());
  CHECK(full.contractual().rows == 0);
  CHECK(full.flow(0, 1) == 0);
  CHECK(full.pair_flows().empty());
}

TEST_CASE("Money is conserved across rounds; a leak is reported precisely", "[conservation]") {
  // Several rounds of the sample network, carrying cash, credit and debt forward, with
  // a shock that takes 1 of C's cash directly (an adjustment row).
  Net net = sample();
  std::vector<double> cash = net.cash, credit = net.credit, debt(3, 0.0);
  Ledger ledger(3);
  ConservationCheck check;
  check.start(cash);
  ClearingWorkspace ws;
  ClearingResult r;
  for (int step = 0; step < 4; ++step) {
    if (step == 2) {
      cash[2] -= 1;
      ledger.record_adjustment(step, 2, -1);
    }
    ClearingInput in;
    in.obligations = net.obs;
    in.cash = cash;
    in.credit = credit;
    in.debt = debt;
    in.options.alpha = 0.7;
    in.step = step;
    clear(in, ws, r);
    ledger.record(in, r);
    cash = r.cash;
    credit = r.credit;
    debt = r.debt;
    ledger.record_borrow(step, 1, 0.5);  // borrow(B, 0.5): cash and debt rise
    cash[1] += 0.5;
    debt[1] += 0.5;
    CHECK_FALSE(check.check(cash, ledger, step, Date::quarter(2025, step + 1)));
  }
  MoneyBalance b = check.balance(cash, ledger);
  CHECK(b.borrowed == Approx(5 + 4 * 0.5));
  CHECK(b.adjustments == -1);
  CHECK(b.difference() == Approx(0).margin(1e-9));
  // A leak of a millionth of the money in play is reported, with the figures.
  cash[0] += 1e-4;
  auto msg = check.check(cash, ledger, 3, Date::quarter(2025, 4), {});
  REQUIRE(msg);
  CHECK_THAT(*msg, Contains("money is not conserved after step 3 (2025-10-01)"));
  CHECK_THAT(*msg, Contains("difference 0.000100"));
}

TEST_CASE("A ledger row paying more than it was due fails the check", "[conservation]") {
  Ledger ledger(2);
  ConservationCheck check;
  std::vector<double> cash{10, 0};
  check.start(cash);
  ledger.append(LedgerRow{1, 4, 0, 1, 2, FlowKind::Contractual, 5, 6});
  cash = {4, 6};
  std::vector<std::string> names{"Lab", "Cloud"};
  auto msg = check.check(cash, ledger, 1, Date::quarter(2025, 2), names);
  REQUIRE(msg);
  CHECK(*msg ==
        "ledger check failed after step 1 (2025-04-01): row 0 (contractual Lab -> Cloud, step "
        "1, deal 4, priority 2) has paid 6 above due 5");
}
