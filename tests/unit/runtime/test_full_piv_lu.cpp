// runtime/full_piv_lu.hpp replicates Eigen's FullPivLU: the same invertibility verdict
// and, for an invertible matrix, solutions with exactly the same bits — on dense and
// sparse matrices, matrices with ties for the pivot, I − H systems of cross-holdings
// (acyclic and cyclic), sizes on both sides of the triangular solves' panel width (8).
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/full_piv_lu.hpp"

using deal::rt::FullPivLu;

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

enum class Kind { Dense, Sparse, Integers, HoldingsDag, HoldingsCyclic };

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
    case Kind::HoldingsDag:  // holder i < issuer j only: valuation's usual system
    case Kind::HoldingsCyclic:
      a.setIdentity();
      for (int i = 0; i < s; ++i)
        for (int j = 0; j < s; ++j)
          if (i != j && (kind == Kind::HoldingsCyclic || i < j) && coin(gen) == 0) a(i, j) -= stake(gen);
      break;
  }
  return a;
}

// Checks one matrix against Eigen with a few right-hand sides; returns whether it was invertible.
bool check(const Eigen::MatrixXd& a, std::mt19937_64& gen) {
  const int s = int(a.rows());
  Eigen::FullPivLU<Eigen::MatrixXd> eigen(a);
  eigen.setThreshold(1e-12);
  FullPivLu mine;
  mine.compute(std::span<const double>(a.data(), size_t(a.size())), s);
  REQUIRE(mine.invertible(1e-12) == eigen.isInvertible());
  if (!eigen.isInvertible()) return false;
  std::uniform_real_distribution<double> u(-1e9, 1e9);
  std::uniform_int_distribution<int> coin(0, 2);
  for (int rep = 0; rep < 3; ++rep) {
    Eigen::VectorXd b(s);
    for (int i = 0; i < s; ++i) b[i] = rep == 2 && coin(gen) == 0 ? 0.0 : u(gen);  // zeros: Eigen skips them
    Eigen::VectorXd want = eigen.solve(b);
    std::vector<double> got(b.data(), b.data() + s);
    mine.solve(got);
    for (int i = 0; i < s; ++i)
      if (!same_bits(got[size_t(i)], want[i])) {
        FAIL("size " << s << ", entry " << i << ": " << got[size_t(i)] << " != " << want[i] << " (Eigen)");
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
  for (Kind kind : {Kind::Dense, Kind::Sparse, Kind::Integers, Kind::HoldingsDag, Kind::HoldingsCyclic})
    for (int s = 1; s <= 27; ++s)
      for (int rep = 0; rep < 12; ++rep) (check(make(kind, s, gen), gen) ? invertible : singular)++;
  CHECK(invertible > 1000);
  CHECK(singular > 0);  // small integer matrices are sometimes singular
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
