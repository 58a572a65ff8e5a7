// runtime/full_piv_lu.hpp replicates Eigen's FullPivLU: the same invertibility verdict
// and, for an invertible matrix, solutions with exactly the same bits — on dense and
// sparse matrices, matrices with ties for the pivot, I − H systems of cross-holdings
// (acyclic and cyclic), sizes on both sides of the triangular solves' panel width (8).
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "runtime/full_piv_lu.hpp"

using deal::rt::FullPivLu;

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

enum class Kind { Dense, Sparse, Integers, HoldingsDag, HoldingsCyclic, Extreme, NegativeZeros, NegatedHoldings };

Eigen::MatrixXd make(Kind kind, int s, std::mt19937_64& gen) {
  std::uniform_real_distribution<double> u(-1.0, 1.0), stake(0.0, 0.3);
  std::uniform_int_distribution<int> small(-3, 3), coin(0, 3);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(s, s);
  switch (kind) {
    case Kind::Dense:
      for (int j = 0; j < s; ++j)
        for (int i = 0; i < s; ++i) a(i, j) = u(gen) * 1e3;
      break;
    case Kind::Sparse:
      for (int j = 0; j < s; ++j)
        for (int i = 0; i < s; ++i)
          if (coin(gen) == 0) a(i, j) = u(gen);
      for (int i = 0; i < s; ++i)
        if (a(i, i) == 0.0) a(i, i) = 0.5 + 0.5 * std::abs(u(gen));
      break;
    case Kind::Integers:  // many equal magnitudes: the pivot's tie-breaking matters
      for (int j = 0; j < s; ++j)
        for (int i = 0; i < s; ++i) a(i, j) = small(gen);
      break;
    case Kind::NegatedHoldings:  // negative pivots: their zero multipliers are −0
      a = -make(Kind::HoldingsCyclic, s, gen);
      for (int j = 0; j < s; ++j)
        for (int i = 0; i < s; ++i)
          if (a(i, j) == 0.0) a(i, j) = 0.0;  // no −0 in the input, so the sparse loops run
      break;
    case Kind::HoldingsDag:  // holder i < issuer j only: valuation's usual system
    case Kind::HoldingsCyclic:
      a.setIdentity();
      for (int i = 0; i < s; ++i)
        for (int j = 0; j < s; ++j)
          if (i != j && (kind == Kind::HoldingsCyclic || i < j) && coin(gen) == 0) a(i, j) -= stake(gen);
      break;
    case Kind::Extreme: {  // sparse, magnitudes from 1e-300 to 1e300: underflows and overflows
      std::uniform_int_distribution<int> exponent(-300, 300);
      for (int j = 0; j < s; ++j)
        for (int i = 0; i < s; ++i)
          if (i == j || coin(gen) == 0) a(i, j) = u(gen) * std::pow(10.0, exponent(gen));
      break;
    }
    case Kind::NegativeZeros:  // −0 entries: the dense loops, as Eigen rounds zeros' signs
      for (int j = 0; j < s; ++j)
        for (int i = 0; i < s; ++i) a(i, j) = coin(gen) == 0 ? u(gen) : (coin(gen) == 0 ? -0.0 : 0.0);
      for (int i = 0; i < s; ++i) a(i, i) += 2.0;
      break;
  }
  return a;
}

// Checks one matrix against Eigen with a few right-hand sides; returns whether it was invertible.
bool check(const Eigen::MatrixXd& a, std::mt19937_64& gen, bool extreme_rhs = false) {
  const int s = int(a.rows());
  Eigen::FullPivLU<Eigen::MatrixXd> eigen(a);
  eigen.setThreshold(1e-12);
  FullPivLu mine, patterned;
  mine.compute(std::span<const double>(a.data(), size_t(a.size())), s);
  REQUIRE(mine.invertible(1e-12) == eigen.isInvertible());
  // With the pattern given (the nonzeros and a few more bits), where its promise holds.
  bool plain = s <= FullPivLu::kMaxSparse;
  std::vector<std::uint64_t> pattern(size_t(s), 0);
  std::uniform_int_distribution<int> extra(0, 5);
  for (int j = 0; j < s && plain; ++j)
    for (int i = 0; i < s; ++i) {
      const double v = a(i, j);
      plain = plain && std::isfinite(v) && !(v == 0.0 && std::signbit(v));
      if (v != 0.0 || extra(gen) == 0) pattern[size_t(j)] |= std::uint64_t(1) << i;
    }
  if (plain) {
    patterned.compute(std::span<const double>(a.data(), size_t(a.size())), s, pattern);
    REQUIRE(patterned.invertible(1e-12) == eigen.isInvertible());
  }
  if (!eigen.isInvertible()) return false;
  std::uniform_real_distribution<double> u(-1e9, 1e9);
  std::uniform_int_distribution<int> coin(0, 2);
  std::uniform_int_distribution<int> exponent(-320, 300);
  for (int rep = 0; rep < 4; ++rep) {
    Eigen::VectorXd b(s);
    for (int i = 0; i < s; ++i) {
      b[i] = u(gen);
      if (rep == 2 && coin(gen) == 0) b[i] = 0.0;  // zeros: Eigen skips them
      if (rep == 3 && coin(gen) == 0) b[i] = coin(gen) == 0 ? -0.0 : 0.0;
      if (extreme_rhs) b[i] *= std::pow(10.0, exponent(gen)) / 1e9;
    }
    Eigen::VectorXd want = eigen.solve(b);
    for (FullPivLu* lu : {&mine, plain ? &patterned : nullptr}) {
      if (!lu) continue;
      std::vector<double> got(b.data(), b.data() + s);
      lu->solve(got);
      for (int i = 0; i < s; ++i)
        if (!same_bits(got[size_t(i)], want[i]) && !(std::isnan(got[size_t(i)]) && std::isnan(want[i]))) {
          FAIL("size " << s << ", entry " << i << ": " << got[size_t(i)] << " != " << want[i] << " (Eigen)"
                       << (lu == &patterned ? ", pattern given" : ""));
        }
    }
  }
  return true;
}
}  // namespace

TEST_CASE("full-pivoting LU: the same bits as Eigen's FullPivLU", "[full_piv_lu]") {
  if (!FullPivLu::kMatchesEigen) {  // valuation then uses Eigen's FullPivLU itself
    WARN("the installed Eigen is not the version the replica follows");
    return;
  }
  std::mt19937_64 gen(20261203);
  int invertible = 0, singular = 0;
  for (Kind kind : {Kind::Dense, Kind::Sparse, Kind::Integers, Kind::HoldingsDag, Kind::HoldingsCyclic, Kind::Extreme,
                    Kind::NegativeZeros, Kind::NegatedHoldings})
    for (int s = 1; s <= 27; ++s)
      for (int rep = 0; rep < 12; ++rep)
        (check(make(kind, s, gen), gen, kind == Kind::Extreme && rep % 2) ? invertible : singular)++;
  // Beyond the 64 rows of a bit mask the dense loops run; around it both do.
  for (int s : {63, 64, 65, 80})
    for (Kind kind : {Kind::Sparse, Kind::HoldingsDag}) (check(make(kind, s, gen), gen) ? invertible : singular)++;
  CHECK(invertible > 1500);
  CHECK(singular > 0);  // small integer matrices are sometimes singular
}

TEST_CASE("full-pivoting LU: which matrices keep their sparsity masks", "[full_piv_lu]") {
  FullPivLu lu;
  std::vector<double> holdings = {1, 0, -0.25, 1};  // column by column: a_01 = −0.25
  lu.compute(holdings, 2);
  CHECK(lu.sparse());
  std::vector<double> negative_zero = {1, -0.0, -0.25, 1};
  lu.compute(negative_zero, 2);
  CHECK_FALSE(lu.sparse());
  std::vector<double> infinite = {1, 0, std::numeric_limits<double>::infinity(), 1};
  lu.compute(infinite, 2);
  CHECK_FALSE(lu.sparse());
  std::vector<double> big(65 * 65, 0.0);
  for (int i = 0; i < 65; ++i) big[size_t(i) * 66] = 1.0;
  lu.compute(big, 65);
  CHECK_FALSE(lu.sparse());
  // An overflow during the elimination: the rest of it, and the solves, are dense.
  // a_11 − u·l = 1.5e308 − 1.5e308 · (−1): infinite.
  std::vector<double> overflow = {1.5e308, -1.5e308, 1.5e308, 1.5e308};
  lu.compute(overflow, 2);
  CHECK_FALSE(lu.sparse());
}

TEST_CASE("full-pivoting LU: singular and empty systems", "[full_piv_lu]") {
  FullPivLu lu;
  // Two parties owning all of each other: I − H is singular.
  std::vector<double> loop = {1, -1, -1, 1};
  lu.compute(loop, 2);
  CHECK_FALSE(lu.invertible(1e-12));
  std::vector<double> zero(9, 0.0);
  lu.compute(zero, 3);
  CHECK_FALSE(lu.invertible(1e-12));
  lu.compute({}, 0);
  CHECK(lu.invertible(1e-12));
  std::vector<double> nothing;
  lu.solve(nothing);
  // Reuse: a factorisation replaces the previous one.
  std::vector<double> diag = {2, 0, 0, 4};
  lu.compute(diag, 2);
  REQUIRE(lu.invertible(1e-12));
  std::vector<double> b = {1, 1};
  lu.solve(b);
  CHECK(b == std::vector<double>{0.5, 0.25});
}
