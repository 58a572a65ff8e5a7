// Clearing on examples with known answers: Eisenberg–Noe chains and cycles,
// Glasserman–Young's five-node network, Rogers–Veraart default costs, seniority and
// credit lines. Each test says what the rule is and why the numbers follow.
#include <catch2/catch.hpp>

#include "clearing_helpers.hpp"
#include "runtime/defaults.hpp"
#include "runtime/require.hpp"

using namespace deal::rt;
using Catch::Matchers::Contains;
using deal::rt::testing::Net;
using deal::rt::testing::Reference;

namespace {
constexpr double B = 1e9;
}

TEST_CASE("Everyone pays in full on the fast path, without any linear algebra", "[clearing]") {
  Net net;
  int a = net.party(10 * B), b = net.party(0);
  net.owe(a, b, 3 * B);
  net.owe(b, kWorld, 2 * B);  // B pays World out of what A pays it
  net.owe(kWorld, a, 1 * B);
  auto r = net.clear();
  CHECK(r.stats.fast_path);
  CHECK(r.stats.linear_solves == 0);
  CHECK(r.paid == std::vector<double>{3 * B, 2 * B, 1 * B});
  CHECK(r.cash[size_t(a)] == 8 * B);
  CHECK(r.cash[size_t(b)] == 1 * B);
  CHECK(r.defaults.empty());
  CHECK(r.world_paid == 1 * B);
  CHECK(r.world_received == 2 * B);
}

TEST_CASE("A cycle of obligations clears without cash (conformance c04)", "[clearing][en]") {
  // A owes B 10, B owes A 10, both have nothing. Paying in full is a fixed point, and
  // the greatest one: neither party needs a cent of its own.
  Net net;
  int a = net.party(0), b = net.party(0);
  net.owe(a, b, 10 * B);
  net.owe(b, a, 10 * B);
  auto r = net.clear();
  CHECK(r.paid == std::vector<double>{10 * B, 10 * B});
  CHECK(r.cash == std::vector<double>{0, 0});
  CHECK(r.defaults.empty());
}

TEST_CASE("A longer cycle with one short party clears its circulating part (Eisenberg–Noe)", "[clearing][en]") {
  // A -> B -> C -> A, 10 each, and C also owes World 6 with only 2 in cash. C can pay
  // 10 + 2 = 12 of its 16: pro rata 7.5 to A and 4.5 to World. Then A has 7.5, pays B 7.5,
  // B pays C 7.5 and C's funds are 7.5 + 2 = 9.5 → 9.5·10/16 = 5.9375 to A … The greatest
  // fixed point solves x_C = 2 + x_B, x_B = x_A, x_A = (10/16) x_C: x_C = 2 / (1 − 10/16).
  Net net;
  int a = net.party(0), b = net.party(0), c = net.party(2 * B);
  net.owe(a, b, 10 * B);
  net.owe(b, c, 10 * B);
  net.owe(c, a, 10 * B);
  net.owe(c, kWorld, 6 * B);
  auto r = net.clear();
  const double xc = 2 * B / (1 - 10.0 / 16);  // 16/3 B
  CHECK(r.paid_out[size_t(c)] == Approx(xc).epsilon(1e-14));
  CHECK(r.paid_out[size_t(a)] == Approx(xc * 10 / 16).epsilon(1e-14));
  CHECK(r.paid_out[size_t(b)] == Approx(xc * 10 / 16).epsilon(1e-14));
  REQUIRE(r.defaults.size() == 3);  // all three pay less than they owe
  // Everybody's cash is spent.
  for (double x : r.cash) CHECK(x == Approx(0).margin(1e-3));
}

TEST_CASE("A chain: A's shortfall makes B default, and the cause is recorded (conformance c03)",
          "[clearing][en][defaults]") {
  Net net;
  int a = net.party(4 * B), b = net.party(0), c = net.party(0);
  net.owe(a, b, 10 * B, 1, /*deal*/ 0);
  net.owe(b, c, 10 * B, 1, /*deal*/ 1);
  ClearingInput in = net.input();
  in.step = 0;
  in.date = Date::ymd(2025, 1, 1);
  auto r = clear(in);
  CHECK(r.paid == std::vector<double>{4 * B, 4 * B});
  CHECK(r.cash[size_t(c)] == 4 * B);
  REQUIRE(r.defaults.size() == 2);  // in declaration order of the parties
  CHECK(r.defaults[0].party == a);
  CHECK(r.defaults[0].short_payers.empty());  // A was short on its own
  const DefaultEvent& eb = r.defaults[1];
  CHECK(eb.party == b);
  CHECK(eb.owed == 10 * B);
  CHECK(eb.paid == 4 * B);
  CHECK(eb.date == Date::ymd(2025, 1, 1));
  REQUIRE(eb.short_payers.size() == 1);
  CHECK(eb.short_payers[0].party == a);
  CHECK(eb.short_payers[0].owed == 10 * B);
  CHECK(eb.short_payers[0].paid == 4 * B);
  CHECK(describe(eb, std::vector<std::string>{"A", "B", "C"}) ==
        "B defaulted on 2025-01-01: owed $10B, paid $4B; short because A paid 40% of $10B due");
}

TEST_CASE("Glasserman–Young's five-node example: payments 54, 54, 56, 54, 54 (conformance c05)",
          "[clearing][en][published]") {
  // Glasserman & Young (2015), Figure 1: the centre N3 owes 10 to each of N1, N2, N4, N5
  // and 100 outside; each neighbour owes 55 outside and holds 50 of outside assets; N3
  // holds 150 and loses 94 of it. N3 has 56 for 140 of debt, so it pays 40% = 4 to each
  // neighbour; each neighbour then has 54 for 55 and defaults too.
  Net net;
  int n1 = net.party(50 * B), n2 = net.party(50 * B), n3 = net.party((150 - 94) * B), n4 = net.party(50 * B),
      n5 = net.party(50 * B);
  for (int k : {n1, n2, n4, n5}) net.owe(n3, k, 10 * B);
  net.owe(n3, kWorld, 100 * B);
  for (int k : {n1, n2, n4, n5}) net.owe(k, kWorld, 55 * B);
  auto r = net.clear();
  CHECK(r.paid_out[size_t(n1)] == Approx(54 * B));
  CHECK(r.paid_out[size_t(n2)] == Approx(54 * B));
  CHECK(r.paid_out[size_t(n3)] == Approx(56 * B));
  CHECK(r.paid_out[size_t(n4)] == Approx(54 * B));
  CHECK(r.paid_out[size_t(n5)] == Approx(54 * B));
  CHECK(r.defaults.size() == 5);
  double due = 0, paid = 0;
  for (size_t k = 0; k < net.obs.size(); ++k) {
    due += net.obs[k].amount;
    paid += r.paid[k];
  }
  CHECK(due == 360 * B);
  CHECK(paid == Approx(272 * B));
  CHECK(due - paid == Approx(88 * B));  // the shortfall with the network
  // Without the network (N3's loss hits only N3) the neighbours would pay 55 each.
  for (int k : {n1, n2, n4, n5}) CHECK(r.cash[size_t(k)] == Approx(0).margin(1));
}

TEST_CASE("Rogers–Veraart: default costs make a party fail that survives under Eisenberg–Noe", "[clearing][rv]") {
  // Two banks. A has e = 1 and owes B 3; B has e = 0.5 and owes A 1 and World 1.
  // Eisenberg–Noe: A pays 1 + 1 = 2 (its cash and B's full payment); B then has
  // 0.5 + 2 ≥ 2 and pays in full.
  // Rogers–Veraart with alpha = beta = 1/2: an insolvent bank keeps only half of its
  // assets. A pays x_A = 0.5·1 + 0.5·r_A; at full payment by B that is 1, and B would have
  // 0.5 + 1 < 2: B fails too. With both insolvent
  //    x_A = 0.5 + 0.5·(x_B / 2),  x_B = 0.25 + 0.5·x_A
  // so x_B = 0.5 / 0.875 = 4/7 and x_A = 9/14.
  Net net;
  int a = net.party(1.0), b = net.party(0.5);
  net.owe(a, b, 3.0);
  net.owe(b, a, 1.0);
  net.owe(b, kWorld, 1.0);
  ClearingOptions en;
  en.default_tolerance = 1e-9;
  auto r_en = net.clear(en);
  CHECK(r_en.paid_out[size_t(a)] == Approx(2.0));
  CHECK(r_en.paid_out[size_t(b)] == Approx(2.0));
  CHECK(r_en.defaults.size() == 1);

  ClearingOptions rv = en;
  rv.alpha = rv.beta = 0.5;
  auto r = net.clear(rv);
  CHECK(r.paid_out[size_t(a)] == Approx(9.0 / 14).epsilon(1e-14));
  CHECK(r.paid_out[size_t(b)] == Approx(4.0 / 7).epsilon(1e-14));
  CHECK(r.defaults.size() == 2);
  // What the cut destroys goes to World as a default cost, so money is conserved:
  // A loses 0.5·1 + 0.5·(2/7), B loses 0.5·0.5 + 0.5·(9/14).
  CHECK(r.default_cost[size_t(a)] == Approx(0.5 + 1.0 / 7).epsilon(1e-14));
  CHECK(r.default_cost[size_t(b)] == Approx(0.25 + 9.0 / 28).epsilon(1e-14));
  CHECK(r.world_received + r.default_cost[0] + r.default_cost[1] == Approx(1.5).epsilon(1e-14));
  CHECK(r.cash == std::vector<double>{0.0, 0.0});
}

TEST_CASE("Rogers–Veraart six-bank ring with alpha = beta = 1/2: the failure of one goes round", "[clearing][rv]") {
  // Six banks in a ring: bank i owes bank i+1 (mod 6) 1 and World 0.5; every bank has
  // e = 0.6 except bank 0 with 0.3. At full payment banks 1..5 have 0.6 + 1 ≥ 1.5 but bank 0
  // has 1.3 < 1.5. Under Eisenberg–Noe it pays 1.3 (2/3 of it, 0.8667, to bank 1), and
  // bank 1 then has 1.4667 < 1.5 … the shortfall travels round the ring, shrinking.
  // Under Rogers–Veraart (1/2, 1/2) bank 0 pays only 0.15 + 0.5 = 0.65, bank 1 gets 0.433
  // and fails by far, and so on: all six fail. With all insolvent,
  //    x_i = 0.5 e_i + 0.5 · (2/3) x_{i-1},
  // a cyclic linear system: x_i = Σ_j k^j a_{i-j} / (1 − k^6), k = 1/3, a_i = 0.5 e_i.
  Net net;
  std::vector<int> bank;
  for (int i = 0; i < 6; ++i) bank.push_back(net.party(i == 0 ? 0.3 : 0.6));
  for (int i = 0; i < 6; ++i) {
    net.owe(bank[size_t(i)], bank[size_t((i + 1) % 6)], 1.0);
    net.owe(bank[size_t(i)], kWorld, 0.5);
  }
  auto r = net.clear_rv(0.5, 0.5);
  const double k = 1.0 / 3;
  for (int i = 0; i < 6; ++i) {
    double x = 0;
    for (int j = 0; j < 6; ++j) x += std::pow(k, j) * 0.5 * net.cash[size_t((i - j + 6) % 6)];
    x /= 1 - std::pow(k, 6);
    CHECK(r.paid_out[size_t(i)] == Approx(x).epsilon(1e-13));
  }
  CHECK(r.defaults.size() == 6);
  // The Eisenberg–Noe answer for comparison: nobody's resources are cut, so the ring
  // passes the loss on but it is absorbed within the network.
  auto en = net.clear();
  Reference ref(net);
  std::vector<double> y;
  REQUIRE(ref.picard(y) > 0);
  for (int i = 0; i < 6; ++i) CHECK(en.paid_out[size_t(i)] == Approx(y[size_t(i)]).epsilon(1e-10));
  for (int i = 0; i < 6; ++i) CHECK(en.paid_out[size_t(i)] > r.paid_out[size_t(i)]);
}

TEST_CASE("Rogers–Veraart's asymmetric six-bank network agrees with Picard iteration", "[clearing][rv][published]") {
  // The asymmetric example of Rogers & Veraart (2013), as reproduced by the FinNetValu
  // package: liabilities L (row owes column) and outside assets e, shrunk by a factor
  // gamma; we compare our exact answer with monotone iteration for a grid of alpha, beta.
  const double L[6][6] = {{0, 4.94, 2.47, 5.59, 0, 0}, {6, 0, 0, 2, 0, 0},  {0, 13, 0, 0, 0, 0},
                          {0, 0, 0, 0, 0, 8},          {12, 0, 0, 0, 0, 0}, {2.79, 6.21, 0, 0, 0, 0}};
  const double e[6] = {1, 1, 11.51, 1.4, 12.5, 2};
  for (double gamma : {1.0, 0.7, 0.4, 0.1})
    for (double alpha : {1.0, 0.9, 0.5, 0.1})
      for (double beta : {1.0, 0.9, 0.5}) {
        Net net;
        for (double x : e) net.party(gamma * x);
        for (int i = 0; i < 6; ++i)
          for (int j = 0; j < 6; ++j)
            if (L[i][j] > 0) net.owe(i, j, L[i][j]);
        auto r = net.clear_rv(alpha, beta);
        Reference ref(net, alpha, beta);
        std::vector<double> y;
        REQUIRE(ref.picard(y) > 0);
        for (int i = 0; i < 6; ++i) {
          INFO("gamma " << gamma << " alpha " << alpha << " beta " << beta << " bank " << i);
          CHECK(r.paid_out[size_t(i)] == Approx(y[size_t(i)]).margin(1e-9));
        }
      }
}

TEST_CASE("Seniority: the senior claim is paid in full before the junior one (conformance c06)",
          "[clearing][priority]") {
  Net net;
  int a = net.party(6 * B), b = net.party(0), c = net.party(0);
  net.owe(a, b, 5 * B, /*priority*/ 0);
  net.owe(a, c, 5 * B, /*priority*/ 1);
  auto r = net.clear();
  CHECK(r.paid == std::vector<double>{5 * B, 1 * B});
  REQUIRE(r.defaults.size() == 1);
  CHECK(r.defaults[0].party == a);
}

TEST_CASE("Seniority of outside debt decides who survives", "[clearing][priority]") {
  // A has 6 and owes World 6 and B 6; B has 3 and owes World 6.
  //  - pro rata:            A pays World 3 and B 3; B has 6 and survives.
  //  - World senior:        A pays World 6 and B nothing; B has 3 and fails.
  //  - B senior:            A pays B 6; B has 9 and survives.
  auto run = [](int prio_world, int prio_b) {
    Net net;
    int a = net.party(6), b = net.party(3);
    net.owe(a, kWorld, 6, prio_world);
    net.owe(a, b, 6, prio_b);
    net.owe(b, kWorld, 6);
    ClearingOptions o;
    o.default_tolerance = 1e-6;
    return net.clear(o);
  };
  auto pro_rata = run(1, 1);
  CHECK(pro_rata.paid == std::vector<double>{3, 3, 6});
  CHECK(pro_rata.defaults.size() == 1);
  auto world_senior = run(0, 1);
  CHECK(world_senior.paid == std::vector<double>{6, 0, 3});
  REQUIRE(world_senior.defaults.size() == 2);
  CHECK(world_senior.defaults[1].party == 1);
  CHECK(world_senior.defaults[1].short_payers.size() == 1);
  auto b_senior = run(1, 0);
  CHECK(b_senior.paid == std::vector<double>{0, 6, 6});
  CHECK(b_senior.cash[1] == 3);
}

TEST_CASE("Seniority in a cycle: a party whose funds do not reach its junior level", "[clearing][priority]") {
  // J owes A 10 (senior) and B 10 (junior) and has nothing but what B pays it; B has 5
  // and owes J 20. If J reached its junior level, B would get x_J − 10 and pay
  // 5 + x_J − 10 = x_J − 5 < x_J: impossible. So J pays A the 5 it receives and B gets
  // nothing: (x_J, x_B) = (5, 5) is the only fixed point. The exact algorithm first tries
  // J in its junior level (where the linear system is singular) and must move it down.
  Net net;
  int j = net.party(0), a = net.party(0), b = net.party(5);
  net.owe(j, a, 10, 0);
  net.owe(j, b, 10, 1);
  net.owe(b, j, 20);
  auto r = net.clear();
  CHECK(r.paid[0] == Approx(5));
  CHECK(r.paid[1] == 0);
  CHECK(r.paid[2] == Approx(5));
  (void)a;
}

TEST_CASE("Seniority in a closed cycle: both pay their senior level in full and stop", "[clearing][priority]") {
  // A and B owe each other 10 at priority 1 and World 5 each at priority 2, with no cash.
  // Paying each other 10 is consistent (each receives exactly what it pays), nothing is
  // left for World: the greatest clearing vector is 10 each; both default on World.
  Net net;
  int a = net.party(0), b = net.party(0);
  net.owe(a, b, 10, 1);
  net.owe(b, a, 10, 1);
  net.owe(a, kWorld, 5, 2);
  net.owe(b, kWorld, 5, 2);
  ClearingOptions o;
  o.default_tolerance = 1e-6;
  auto r = net.clear(o);
  CHECK(r.paid == std::vector<double>{10, 10, 0, 0});
  CHECK(r.defaults.size() == 2);
  // Same with cash 4 each and the priorities reversed: the outside debt comes first;
  // each pays World 4 and nothing is left for the other.
  Net net2;
  a = net2.party(4);
  b = net2.party(4);
  net2.owe(a, kWorld, 5, 1);
  net2.owe(b, kWorld, 5, 1);
  net2.owe(a, b, 10, 2);
  net2.owe(b, a, 10, 2);
  auto r2 = net2.clear(o);
  CHECK(r2.paid[0] == Approx(4));
  CHECK(r2.paid[1] == Approx(4));
  CHECK(r2.paid[2] == 0);
  CHECK(r2.paid[3] == 0);
}

TEST_CASE("Credit is drawn before a party defaults and becomes debt (conformance c11)", "[clearing][credit]") {
  // A has 2 in cash and 5 of credit. It owes B 3 in the first round and 10 in the next.
  Net net;
  int a = net.party(2 * B, 5 * B), b = net.party(0);
  net.owe(a, b, 3 * B);
  auto r1 = net.clear();
  CHECK(r1.stats.fast_path);  // 2 + 5 ≥ 3: nobody is short
  CHECK(r1.paid[0] == 3 * B);
  CHECK(r1.cash[size_t(a)] == 0);
  CHECK(r1.credit[size_t(a)] == 4 * B);
  CHECK(r1.debt[size_t(a)] == 1 * B);
  CHECK(r1.credit_drawn[size_t(a)] == 1 * B);
  CHECK(r1.defaults.empty());

  Net net2;
  a = net2.party(r1.cash[0], r1.credit[0]);
  b = net2.party(r1.cash[1]);
  net2.owe(a, b, 10 * B);
  ClearingInput in = net2.input();
  std::vector<double> debt = r1.debt;
  in.debt = debt;
  auto r2 = clear(in);
  CHECK(r2.paid[0] == 4 * B);  // all it has: the rest of its credit
  CHECK(r2.cash[size_t(a)] == 0);
  CHECK(r2.credit[size_t(a)] == 0);
  CHECK(r2.debt[size_t(a)] == 5 * B);
  CHECK(r2.cash[size_t(b)] == 7 * B);
  REQUIRE(r2.defaults.size() == 1);
  CHECK(r2.defaults[0].owed == 10 * B);
  CHECK(r2.defaults[0].paid == 4 * B);
}

TEST_CASE("Credit is drawn only for what cash and receipts cannot cover", "[clearing][credit]") {
  // A has 1 in cash and 10 of credit, owes B 5 and receives 3 from World: it draws 1.
  Net net;
  int a = net.party(1, 10), b = net.party(0);
  net.owe(a, b, 5);
  net.owe(kWorld, a, 3);
  auto r = net.clear();
  CHECK(r.credit_drawn[size_t(a)] == 1);
  CHECK(r.cash[size_t(a)] == 0);
  CHECK(r.debt[size_t(a)] == 1);
  CHECK(r.cash[size_t(b)] == 5);
}

TEST_CASE("Defaults are judged with a $1 tolerance", "[clearing][defaults]") {
  Net net;
  int a = net.party(99.5), b = net.party(0);
  net.owe(a, b, 100);  // short by 0.5: pays 99.5 but is not marked defaulted
  auto r = net.clear();
  CHECK(r.paid[0] == 99.5);
  CHECK(r.defaults.empty());
  (void)b;
}

TEST_CASE("Parties already defaulted are not reported again", "[clearing][defaults]") {
  Net net;
  int a = net.party(1), b = net.party(0);
  net.owe(a, b, 100);
  ClearingInput in = net.input();
  std::vector<std::uint8_t> flags{1, 0};
  in.defaulted = flags;
  auto r = clear(in);
  CHECK(r.paid[0] == 1);
  CHECK(r.defaults.empty());
  (void)b;
}

TEST_CASE("Bad input is reported with a message", "[clearing][errors]") {
  Net net;
  net.party(1);
  net.owe(0, 3, 5);
  CHECK_THROWS_WITH(net.clear(), Contains("obligation 0 goes from party 0 to party 3"));
  Net net2;
  net2.party(1);
  net2.owe(0, kWorld, -5);
  CHECK_THROWS_WITH(net2.clear(), Contains("obligation 0 has amount -5"));
  Net net3;
  net3.party(1);
  CHECK_THROWS_WITH(net3.clear_rv(1.5, 1), Contains("alpha = 1.5"));
  try {
    net2.clear();
  } catch (const Error& e) {
    CHECK_THAT(e.where(), Contains("runtime/clearing.cpp:"));
  }
}

TEST_CASE("A party with negative cash pays only from receipts and credit", "[clearing]") {
  Net net;
  int a = net.party(-5), b = net.party(0);
  net.owe(kWorld, a, 4);
  net.owe(a, b, 10);
  auto r = net.clear();
  CHECK(r.paid[1] == 4);           // what World paid it
  CHECK(r.cash[size_t(a)] == -5);  // not made more negative
  CHECK(r.cash[size_t(b)] == 4);
}

TEST_CASE("A balanced closed block in an intermediate round is settled at its bound", "[clearing][priority]") {
  // Found by searching small random networks for the rare branch where a strongly
  // connected block of insolvent parties is closed (beta = 1, its current-level payments
  // stay inside) and its money exactly balances its senior debts, so its linear system
  // is singular. Here party 2's funds land exactly on the top of its senior level:
  // 7/9 · (x1 − 3) = 3 with x0 = 13/7, x1 = 48/7 — the greatest fixed point, as Picard
  // iteration confirms.
  Net net;
  net.party(1);
  net.party(2);
  net.party(0);
  net.owe(0, 1, 10, 1);
  net.owe(1, 0, 2, 1);
  net.owe(1, 2, 7, 1);
  net.owe(2, 0, 10, 1);
  net.owe(2, 1, 3, 0);
  net.owe(1, kWorld, 3, 0);
  net.owe(2, kWorld, 10, 1);
  for (bool propagate : {false, true}) {
    ClearingOptions o;
    o.propagate = propagate;
    auto r = net.clear(o);
    CHECK(r.paid_out[0] == Approx(13.0 / 7).epsilon(1e-13));
    CHECK(r.paid_out[1] == Approx(48.0 / 7).epsilon(1e-13));
    CHECK(r.paid_out[2] == Approx(3.0).epsilon(1e-13));
    if (!propagate) CHECK(r.stats.closed_blocks >= 1);
  }
  Reference ref(net);
  std::vector<double> y;
  REQUIRE(ref.picard(y) > 0);
  CHECK(y[0] == Approx(13.0 / 7).epsilon(1e-10));
}

TEST_CASE("A party that owes nothing never defaults, whatever the rounding of its receipts",
          "[clearing][priority][regression]") {
  // No party has cash. A owes World 1 (senior), B 2 and E 1 (junior, pro rata); B owes A 2.
  // A's funds are what B pays it and B's are 2/3 of what A pays above its senior level:
  // x_A = x_B = (2/3)·max(0, x_A − 1) has the single solution 0. Nobody pays anything,
  // A and B default, and E, which owes nothing, cannot default. Propagating the cascade
  // lowered E's receipts 1 → 1/3 → 0 in steps whose rounding left them at about −6e-8;
  // E was then taken for insolvent, entered the linear rounds without a priority level
  // and the rounds never settled ("clearing did not settle in N rounds").
  Net net;
  const int a = net.party(0), b = net.party(0), e = net.party(0);
  net.owe(a, kWorld, 1 * B, 0);
  net.owe(a, b, 2 * B, 1, 0);
  net.owe(a, e, 1 * B, 1, 1);
  net.owe(b, a, 2 * B, 1, 2);
  for (bool propagate : {true, false}) {
    INFO("propagate " << propagate);
    ClearingOptions o;
    o.propagate = propagate;
    ClearingResult r;
    REQUIRE_NOTHROW(r = net.clear(o));
    CHECK(r.paid == std::vector<double>{0, 0, 0, 0});
    CHECK(r.received == std::vector<double>{0, 0, 0});
    CHECK(r.cash == std::vector<double>{0, 0, 0});
    CHECK(r.owed[size_t(e)] == 0);
    CHECK(r.insolvent[size_t(a)] == 1);
    CHECK(r.insolvent[size_t(b)] == 1);
    CHECK(r.insolvent[size_t(e)] == 0);
    REQUIRE(r.defaults.size() == 2);
    CHECK(r.defaults[0].party == a);
    CHECK(r.defaults[1].party == b);
  }
  // With default costs the answer is the same: there is nothing to lose.
  ClearingResult rv;
  REQUIRE_NOTHROW(rv = net.clear_rv(0.5, 0.5));
  CHECK(rv.paid == std::vector<double>{0, 0, 0, 0});
  CHECK(rv.insolvent[size_t(e)] == 0);
  CHECK(rv.defaults.size() == 2);
}

TEST_CASE("The rounding of propagated receipts does not make a solvent party insolvent",
          "[clearing][priority][regression]") {
  // The same cascade, but E has $1000 and owes World $1000 out of it: whatever A pays it,
  // E is solvent and pays in full. Its propagated receipts (≈ −6e-8, truly 0) fell short
  // of its dues by more than the solvency slack (1e-12 of E's own $2000, far below the
  // rounding of the $1B flows that passed through them): E was cut to alpha·1000 and,
  // with default costs, reported in default. A party whose funds are negative by rounding
  // also set its bound below 0, outside the box [0, P] the algorithm works in.
  Net net;
  const int a = net.party(0), b = net.party(0), e = net.party(1000);
  net.owe(a, kWorld, 1 * B, 0);
  net.owe(a, b, 2 * B, 1);
  net.owe(a, e, 1 * B, 1);
  net.owe(b, a, 2 * B, 1);
  net.owe(e, kWorld, 1000, 1);
  for (double alpha : {1.0, 0.5}) {
    INFO("alpha " << alpha);
    ClearingResult r;
    REQUIRE_NOTHROW(r = net.clear_rv(alpha, 1.0));
    CHECK(r.paid == std::vector<double>{0, 0, 0, 0, 1000});
    CHECK(r.insolvent[size_t(e)] == 0);
    CHECK(r.default_cost[size_t(e)] == 0);
    CHECK(r.cash[size_t(e)] == 0);
    REQUIRE(r.defaults.size() == 2);
    CHECK(r.defaults[0].party == a);
    CHECK(r.defaults[1].party == b);
  }
  // And E with nothing at all, owing World $1: its funds are 0, never negative.
  Net net2 = net;
  net2.cash[size_t(e)] = 0;
  net2.obs.back().amount = 1;
  ClearingOptions o;
  o.default_tolerance = 0.5;
  ClearingResult r2;
  REQUIRE_NOTHROW(r2 = net2.clear(o));
  CHECK(r2.paid == std::vector<double>{0, 0, 0, 0, 0});
  CHECK(r2.defaults.size() == 3);
}
