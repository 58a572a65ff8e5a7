// The per-pair sums behind revenue_from (runtime/pair_table.hpp): the dense form (small
// models) and the hashed form (large ones) must read exactly what summing each pair's
// payments in clearing order from 0 gives, and clear() must empty them.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "runtime/pair_table.hpp"

using deal::rt::PairTable;

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Rounds of random payments among `parties` ids; after each round every pair is read and
// compared with the sums kept by hand (std::map, in the same order).
void check_against_reference(int parties, bool expect_dense) {
  PairTable table(parties);
  CHECK(table.dense() == expect_dense);
  std::mt19937_64 gen(parties);
  std::uniform_int_distribution<int> id(0, parties - 1);
  std::uniform_real_distribution<double> amount(0.0, 1e9);
  for (int round = 0; round < 6; ++round) {
    table.clear();
    std::map<std::pair<int, int>, double> expect;
    // Several payments per pair in most rounds: the order of the additions matters.
    for (int k = 0; k < 400; ++k) {
      int r = id(gen), p = id(gen) % 4;
      double v = amount(gen) / 3.0;
      table.add(r, p, v);
      auto [it, fresh] = expect.try_emplace({r, p}, 0.0);
      it->second += v;
    }
    for (int r = 0; r < parties; ++r)
      for (int p = 0; p < parties; ++p) {
        auto it = expect.find({r, p});
        double want = it == expect.end() ? 0.0 : it->second;
        double got = table.get(r, p);
        if (!same_bits(got, want)) FAIL_CHECK("pair (" << r << ", " << p << "): " << got << " != " << want);
      }
  }
}
}  // namespace

TEST_CASE("pair table: the dense form sums each pair in order and clears", "[pair_table]") {
  check_against_reference(27, true);
}

TEST_CASE("pair table: the hashed form of a large network sums each pair in order and clears", "[pair_table]") {
  check_against_reference(300, false);  // 300² cells > kDenseLimit
}

TEST_CASE("pair table: reads outside the parties, before any payment and after clear are 0", "[pair_table]") {
  PairTable table(5);
  CHECK(table.get(1, 2) == 0.0);  // nothing allocated yet
  table.add(1, 2, 7.5);
  table.add(1, 2, 0.25);
  CHECK(table.get(1, 2) == 7.75);
  CHECK(table.get(2, 1) == 0.0);
  CHECK(table.get(-1, 2) == 0.0);
  CHECK(table.get(1, 5) == 0.0);
  table.clear();
  CHECK(table.get(1, 2) == 0.0);
  table.add(1, 2, 3.0);  // a cell of an older epoch starts again from 0
  CHECK(table.get(1, 2) == 3.0);
  // A default-constructed table (no party count) is always hashed.
  PairTable unsized;
  CHECK_FALSE(unsized.dense());
  unsized.add(4, 9, 2.0);
  CHECK(unsized.get(4, 9) == 2.0);
}
