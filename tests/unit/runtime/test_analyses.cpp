// The analyses on small networks with hand-computed answers (docs/analyses.md).
#include <catch2/catch.hpp>

#include "runtime/analyses.hpp"

using deal::rt::Matrix;

namespace {
// Index 0 is World; parties 1…n-1.
Matrix flows(size_t n, std::initializer_list<std::tuple<int, int, double>> edges) {
  Matrix m(n, std::vector<double>(n, 0.0));
  for (auto [i, j, v] : edges) m[size_t(i)][size_t(j)] = v;
  return m;
}
}  // namespace

TEST_CASE("a two-party round trip returns every dollar", "[analyses]") {
  // A (1) invests 100 in B (2); B spends 100 back with A.
  auto f = flows(3, {{1, 2, 100}, {2, 1, 100}});
  auto c = deal::rt::circularity(f);
  CHECK(c.parties[1].return_probability == Approx(1.0));
  CHECK(c.parties[1].self_funded_share == Approx(1.0));
  CHECK(c.parties[2].return_probability == Approx(1.0));
  REQUIRE(c.cycles.size() == 1);
  CHECK(c.cycles[0].path == std::vector<int>{1, 2, 1});
  CHECK(c.cycles[0].amount == Approx(100));
}

TEST_CASE("a three-party cycle with leakage to World", "[analyses]") {
  // A→B 100, B→C 100, C→A 80, C→World 20: a dollar from A comes back with probability 0.8.
  auto f = flows(4, {{1, 2, 100}, {2, 3, 100}, {3, 1, 80}, {3, 0, 20}});
  auto c = deal::rt::circularity(f);
  CHECK(c.parties[1].return_probability == Approx(0.8));
  CHECK(c.parties[1].inflow == Approx(80));
  CHECK(c.parties[1].self_funded_share == Approx(100 * 0.8 / 80));
  CHECK(c.parties[2].return_probability == Approx(0.8));
  CHECK(c.parties[2].self_funded_share == Approx(0.8));
  CHECK(c.parties[3].return_probability == Approx(0.8));  // C→A (0.8) → B → C
  CHECK(c.parties[3].self_funded_share == Approx(100 * 0.8 / 100));
  REQUIRE(c.cycles.size() == 1);
  CHECK(c.cycles[0].path == std::vector<int>{1, 2, 3, 1});
  CHECK(c.cycles[0].amount == Approx(80));
}

TEST_CASE("branching returns: probabilities multiply along paths and add across them", "[analyses]") {
  // A→B 60, A→C 40; B→A 30, B→World 30; C→A 40. From A: 0.6·0.5 + 0.4·1 = 0.7.
  auto f = flows(4, {{1, 2, 60}, {1, 3, 40}, {2, 1, 30}, {2, 0, 30}, {3, 1, 40}});
  auto c = deal::rt::circularity(f);
  CHECK(c.parties[1].return_probability == Approx(0.7));
  CHECK(c.parties[1].self_funded_share == Approx(100 * 0.7 / 70));
  // Cycles: A→C→A 40 and A→B→A 30, largest first.
  REQUIRE(c.cycles.size() == 2);
  CHECK(c.cycles[0].path == std::vector<int>{1, 3, 1});
  CHECK(c.cycles[0].amount == Approx(40));
  CHECK(c.cycles[1].path == std::vector<int>{1, 2, 1});
  CHECK(c.cycles[1].amount == Approx(30));
}

TEST_CASE("a chain has no cycles and no returns", "[analyses]") {
  auto f = flows(4, {{0, 1, 100}, {1, 2, 100}, {2, 3, 100}});
  auto c = deal::rt::circularity(f);
  for (int i = 1; i <= 3; ++i) CHECK(c.parties[size_t(i)].return_probability == 0);
  CHECK(c.cycles.empty());
}

TEST_CASE("a party trapped in a closed loop returns everything; others reaching it do not", "[analyses]") {
  // D (4) pays into the loop B⇄C and never gets anything back.
  auto f = flows(5, {{4, 2, 10}, {2, 3, 50}, {3, 2, 50}});
  auto c = deal::rt::circularity(f);
  CHECK(c.parties[2].return_probability == Approx(1.0));
  CHECK(c.parties[3].return_probability == Approx(1.0));
  CHECK(c.parties[4].return_probability == 0);
}

TEST_CASE("concentration on a star: HHI and top counterparties", "[analyses]") {
  // A, B, C (1–3) pay the hub H (4) 50, 30, 20; World pays A 10.
  auto f = flows(5, {{1, 4, 50}, {2, 4, 30}, {3, 4, 20}, {0, 1, 10}});
  auto h = deal::rt::concentration(f, 4);
  CHECK(h.inflow_hhi == Approx(0.25 + 0.09 + 0.04));
  REQUIRE(h.top_customer);
  CHECK(h.top_customer->party == 1);
  CHECK(h.top_customer->share == Approx(0.5));
  CHECK(h.outflow_hhi == 0);
  CHECK_FALSE(h.top_supplier);
  auto a = deal::rt::concentration(f, 1);
  CHECK(a.outflow_hhi == Approx(1));
  CHECK(a.top_supplier->party == 4);
  CHECK(a.inflow_hhi == Approx(1));
  CHECK(a.top_customer->party == 0);  // World counts as one counterparty
}

TEST_CASE("exposure lists creditors and debtors largest first", "[analyses]") {
  auto f = flows(4, {{1, 2, 30}, {1, 3, 70}, {2, 3, 10}});
  auto e = deal::rt::exposure_from(f);
  REQUIRE(e.creditors[1].size() == 2);
  CHECK(e.creditors[1][0].party == 3);
  CHECK(e.creditors[1][0].share == Approx(0.7));
  REQUIRE(e.debtors[3].size() == 2);
  CHECK(e.debtors[3][0].party == 1);
  CHECK(e.debtors[3][0].amount == 70);
}

TEST_CASE("systemic ranking: equity lost, then induced defaults, then declaration order", "[analyses]") {
  std::vector<deal::rt::SystemicImpact> v = {{1, 5, 0, {}}, {2, 9, 1, {}}, {3, 9, 2, {}}, {4, 5, 0, {}}};
  deal::rt::rank(v);
  CHECK(v[0].party == 3);
  CHECK(v[1].party == 2);
  CHECK(v[2].party == 1);
  CHECK(v[3].party == 4);
}
