// Equity with cross-holdings (LANGUAGE.md §6.5).
#include <catch2/catch.hpp>

#include "runtime/require.hpp"
#include "runtime/valuation.hpp"

using namespace deal::rt;
using Catch::Matchers::Contains;

TEST_CASE("Mutual stakes: equity = value + holdings x equity, solved exactly (conformance c07)", "[valuation]") {
  // A (cash 10B) owns 10% of B, B (cash 20B) owns 20% of A:
  //   eA = 10 + 0.1 eB,  eB = 20 + 0.2 eA  →  eA = 12 / 0.98,  eB = 20 + 0.2 eA.
  Holdings h(2);
  h.own(0, 1, 0.10);
  h.own(1, 0, 0.20);
  auto e = value_equity(std::vector<double>{10e9, 20e9}, h);
  CHECK(e[0] == Approx(12244897959.183674).epsilon(1e-15));
  CHECK(e[1] == Approx(22448979591.836735).epsilon(1e-15));
}

TEST_CASE("Parties without holdings keep their value; stakes add up and can be sold", "[valuation]") {
  Holdings h(3);
  h.own(0, 1, 0.25);
  h.own(0, 1, 0.25);
  CHECK(h.stake(0, 1) == 0.5);
  h.sell(0, 1, 0.2);
  CHECK(h.stake(0, 1) == Approx(0.3));
  auto e = value_equity(std::vector<double>{1, 10, 7}, h);
  CHECK(e == std::vector<double>{4, 10, 7});
  CHECK_THROWS_WITH(h.sell(0, 1, 0.5), Contains("sells 50% of party 1 but holds 30%"));
  h.sell(0, 1, 0.3);
  CHECK(h.empty());
}

TEST_CASE("A defaulted issuer's equity is 0 and its holders lose the stake", "[valuation]") {
  // c12: B owns 50% of A; when A defaults B's equity falls back to its own value.
  Holdings h(2);
  h.own(1, 0, 0.5);
  auto before = value_equity(std::vector<double>{3e9, 5e9}, h);
  CHECK(before[1] == 6.5e9);
  std::vector<std::uint8_t> dead{1, 0};
  auto after = value_equity(std::vector<double>{-2e9, 5e9}, h, dead);
  CHECK(after == std::vector<double>{0, 5e9});
  h.remove_issuer(0);  // what the driver does at the default
  CHECK(h.stake(1, 0) == 0);
  // A defaulted party's own equity is 0 even if it holds stakes in others.
  Holdings g(2);
  g.own(0, 1, 0.5);
  auto e = value_equity(std::vector<double>{1, 10}, g, dead);
  CHECK(e == std::vector<double>{0, 10});
}

TEST_CASE("A singular cross-holding system is an error naming the parties", "[valuation]") {
  // A and B each own all of the other: equity is undetermined.
  Holdings h(3);
  h.own(0, 1, 1.0);
  h.own(1, 0, 1.0);
  h.own(2, 0, 0.1);
  std::vector<std::string> names{"Alpha", "Beta", "Gamma"};
  CHECK_THROWS_WITH(value_equity(std::vector<double>{1, 2, 3}, h, {}, names),
                    Contains("the cross-holdings among Alpha, Beta leave equity undetermined"));
  // Once Beta has defaulted its stake is gone and the system is regular again.
  std::vector<std::uint8_t> dead{0, 1, 0};
  auto e = value_equity(std::vector<double>{1, 2, 3}, h, dead, names);
  CHECK(e == std::vector<double>{1, 0, 3.1});
}

TEST_CASE("A ring of cross-holdings and a treasury stake", "[valuation]") {
  // A → B → C → A with 50% each: e = v + 0.5·next, so eA = (vA + vB/2 + vC/4) / (1 − 1/8).
  Holdings h(3);
  h.own(0, 1, 0.5);
  h.own(1, 2, 0.5);
  h.own(2, 0, 0.5);
  auto e = value_equity(std::vector<double>{8, 8, 8}, h);
  CHECK(e[0] == Approx((8 + 4 + 2) / (1 - 0.125)));
  // A party holding 20% of itself: e = v / 0.8.
  Holdings t(1);
  t.own(0, 0, 0.2);
  CHECK(value_equity(std::vector<double>{8}, t)[0] == Approx(10));
}
