// The slow path on the parties at risk only (ClearingOptions::reduce): on sparse random
// networks where a few parties are short, solving for the at-risk closure gives the same
// payments, insolvencies and defaults as solving the whole network, and the reduction is
// actually taken (parties_solved < n).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "clearing_helpers.hpp"

using namespace deal::rt;
using deal::rt::testing::Net;

namespace {

// n parties with cash a little above their dues except a few who lose all their cash;
// each owes about `degree` others at one of `levels` priorities, and some owe World.
Net sparse_network(std::mt19937_64& g, int n, double degree, int levels, bool zero_cash_shocks) {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  Net net;
  std::vector<double> owes(size_t(n), 0.0);
  std::vector<std::vector<std::pair<int, double>>> edges(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int k = std::max(1, int(degree * 2 * U(g)));
    for (int e = 0; e < k; ++e) {
      int j = int(U(g) * n);
      if (j == i) continue;
      double amount = std::floor(1 + 99 * U(g)) * 1e6;
      edges[size_t(i)].push_back({j, amount});
      owes[size_t(i)] += amount;
    }
    if (U(g) < 0.3) {
      double amount = std::floor(1 + 49 * U(g)) * 1e6;
      edges[size_t(i)].push_back({-1, amount});
      owes[size_t(i)] += amount;
    }
  }
  for (int i = 0; i < n; ++i) {
    double margin = 1.0 + 0.3 * U(g);  // cash covers dues × margin, receipts not counted
    double cash = owes[size_t(i)] * margin * (U(g) < 0.5 ? 0.4 : 1.0);
    if (zero_cash_shocks && U(g) < 0.03) cash = 0;
    net.party(cash, U(g) < 0.2 ? 1e7 * U(g) : 0.0);
  }
  for (int i = 0; i < n; ++i)
    for (auto [j, amount] : edges[size_t(i)]) net.owe(i, j, amount, levels > 1 ? int(U(g) * levels) : 1);
  return net;
}

void require_same(const ClearingResult& a, const ClearingResult& b) {
  REQUIRE(a.paid.size() == b.paid.size());
  for (size_t k = 0; k < a.paid.size(); ++k) REQUIRE(a.paid[k] == Approx(b.paid[k]).margin(1e-3));
  REQUIRE(a.insolvent == b.insolvent);
  REQUIRE(a.defaults.size() == b.defaults.size());
  for (size_t d = 0; d < a.defaults.size(); ++d) REQUIRE(a.defaults[d].party == b.defaults[d].party);
  for (size_t j = 0; j < a.cash.size(); ++j) REQUIRE(a.cash[j] == Approx(b.cash[j]).margin(1e-3));
}

}  // namespace

TEST_CASE("clearing at risk only: the same result as the whole network", "[clearing][at-risk]") {
  std::mt19937_64 g(20261202);
  int reduced = 0, slow = 0;
  for (int t = 0; t < 600; ++t) {
    const int n = 20 + int(g() % 180);
    const int levels = t % 3 == 0 ? 3 : 1;
    Net net = sparse_network(g, n, 2.5, levels, t % 2 == 0);
    ClearingOptions whole, at_risk;
    whole.reduce = false;
    if (t % 4 == 1) at_risk.alpha = whole.alpha = 0.7, at_risk.beta = whole.beta = 0.9;
    ClearingResult a = net.clear(at_risk), b = net.clear(whole);
    if (b.stats.fast_path) continue;
    ++slow;
    if (a.stats.parties_solved < n) ++reduced;
    INFO("case " << t << ", " << n << " parties, " << a.stats.parties_solved << " at risk");
    require_same(a, b);
  }
  // The sample exercises the reduction, not only the whole-network fallback.
  REQUIRE(slow > 100);
  REQUIRE(reduced > slow / 2);
}

TEST_CASE("clearing at risk only: a creditor pulled under is solved with its debtor", "[clearing][at-risk]") {
  // A is short (no cash); B's margin is less than what A owes it, so B is at risk and
  // defaults too; C's margin covers what B owes it. D and E trade in full on the side.
  Net net;
  int a = net.party(0), b = net.party(5), c = net.party(100), d = net.party(50), e = net.party(50);
  net.owe(a, b, 40);
  net.owe(b, c, 30);
  net.owe(d, e, 20);
  net.owe(e, d, 10);
  for (int k = 0; k < 20; ++k) net.owe(d, kWorld, 1);  // make the at-risk set at most half
  ClearingResult r = net.clear();
  REQUIRE_FALSE(r.stats.fast_path);
  REQUIRE(r.stats.parties_solved == 2);  // A and B
  REQUIRE(r.paid[0] == 0);               // A pays nothing
  REQUIRE(r.paid[1] == Approx(5));       // B pays its cash
  REQUIRE(r.paid[2] == 20);
  REQUIRE(r.insolvent == std::vector<std::uint8_t>{1, 1, 0, 0, 0});
  ClearingOptions whole;
  whole.reduce = false;
  require_same(r, net.clear(whole));
}

// PathRun hands clear() the dues and receipts at full payment it has already summed
// (ClearingInput::due_at_full / received_at_full) and, on Monte Carlo paths, asks for no
// short payers: both must leave every other result bit for bit as clear() alone gives it.
TEST_CASE("clearing with the sums at full payment given: the same bits", "[clearing][at-risk]") {
  std::mt19937_64 g(20261204);
  int slow = 0, fast = 0, with_defaults = 0;
  for (int t = 0; t < 300; ++t) {
    const int n = 20 + int(g() % 180);
    Net net = sparse_network(g, n, 2.5, t % 3 == 0 ? 3 : 1, t % 2 == 0);
    if (t % 5 == 4)
      for (double& c : net.cash) c = 10 * c + 1e9;  // everyone covered: the fast path
    ClearingOptions o;
    if (t % 4 == 1) o.alpha = 0.7, o.beta = 0.9;
    std::vector<double> P(size_t(n), 0.0), R(size_t(n), 0.0);
    for (const Obligation& ob : net.obs) {  // in obligation order, as clear() sums them
      if (ob.from >= 0) P[size_t(ob.from)] += ob.amount;
      if (ob.to >= 0) R[size_t(ob.to)] += ob.amount;
    }
    ClearingResult a = deal::rt::clear(net.input(o));
    ClearingInput in = net.input(o);
    in.due_at_full = P;
    in.received_at_full = R;
    ClearingResult b = deal::rt::clear(in);
    in.options.short_payers = false;
    ClearingResult c = deal::rt::clear(in);
    INFO("case " << t << ", " << n << " parties");
    (a.stats.fast_path ? fast : slow) += 1;
    if (!a.defaults.empty()) ++with_defaults;
    for (const ClearingResult* r : {&b, &c}) {
      REQUIRE(r->paid == a.paid);  // == on doubles: the same bits (no NaN here)
      REQUIRE(r->cash == a.cash);
      REQUIRE(r->credit == a.credit);
      REQUIRE(r->debt == a.debt);
      REQUIRE(r->owed == a.owed);
      REQUIRE(r->paid_out == a.paid_out);
      REQUIRE(r->received == a.received);
      REQUIRE(r->credit_drawn == a.credit_drawn);
      REQUIRE(r->default_cost == a.default_cost);
      REQUIRE(r->insolvent == a.insolvent);
      REQUIRE(r->world_received == a.world_received);
      REQUIRE(r->world_paid == a.world_paid);
      REQUIRE(r->defaults.size() == a.defaults.size());
      for (size_t d = 0; d < a.defaults.size(); ++d) {
        REQUIRE(r->defaults[d].party == a.defaults[d].party);
        REQUIRE(r->defaults[d].owed == a.defaults[d].owed);
        REQUIRE(r->defaults[d].paid == a.defaults[d].paid);
      }
    }
    for (size_t d = 0; d < a.defaults.size(); ++d) {
      REQUIRE(b.defaults[d].short_payers.size() == a.defaults[d].short_payers.size());
      REQUIRE(c.defaults[d].short_payers.empty());
    }
  }
  REQUIRE(slow > 50);
  REQUIRE(fast > 10);  // the fast path's World totals, summed only when the sums are given
  REQUIRE(with_defaults > 20);
}

TEST_CASE("clearing with the sums at full payment given: their sizes are checked", "[clearing][at-risk]") {
  Net net;
  net.party(10);
  net.party(0);
  net.owe(0, 1, 5);
  std::vector<double> one{5.0};
  ClearingInput in = net.input();
  in.due_at_full = one;
  in.received_at_full = one;
  REQUIRE_THROWS(deal::rt::clear(in));
}
