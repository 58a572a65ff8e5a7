// A full-pivoting LU of a small dense matrix that performs exactly the floating-point
// operations of Eigen 3.4's FullPivLU (compute, rank/isInvertible and solve of one right-
// hand side), in the same order, so its solutions have the same bits.
//
// Why not Eigen itself: valuation (valuation.cpp) factorises I − H whenever the holdings
// change — most quarters in a Monte Carlo path of the AI web, where the labs' raises dilute
// every stake — and Eigen's dynamic-size FullPivLU spends most of its time outside the
// arithmetic (expression set-up, visitors, temporaries, allocation): ~11,500 instructions
// for an 11×11 system, and a solve ~2,100. The same arithmetic written as plain loops over
// a buffer that is kept between calls costs a fraction of that. The results must not change
// by a bit (the Monte Carlo goldens), hence a replica of Eigen's algorithm, not another LU:
//   * pivot: the entry of largest |a_ij| in the remaining corner, searched column by
//     column (the first one wins a tie), rows and columns swapped into place;
//   * elimination: the column below the pivot divided by it, then a_ij −= u_j · l_i;
//   * solve: c = P b; the unit-lower and then the upper triangular solves in panels of 8
//     (EIGEN_TUNE_TRIANGULAR_PANEL_WIDTH): inside a panel column by column (skipping a
//     zero entry of c as Eigen does), below/above it one matrix-vector product per row
//     summed from 0 in column order and then subtracted; x = Q c.
// tests/unit/runtime/test_full_piv_lu.cpp compares it with Eigen, bit for bit, on many
// matrices; valuation.cpp uses it only with the Eigen version it was checked against
// (kMatchesEigen) and Eigen's FullPivLU otherwise.
//
// Sparse systems (I − H has a few stakes among a dozen or more parties) skip the terms
// that are exactly zero: which entries may be nonzero is kept per column as a bit mask
// (up to 64 rows), so the pivot search, the elimination and the solves touch only those.
// Skipping a term changes no bit because nothing skipped can matter:
//   * the pivot search replaces on "greater than", which a zero never is (the corner's
//     first entry is its starting point, as in Eigen, whatever its value);
//   * a − u·l with u·l = ±0 is a unless a = −0, and the matrix being eliminated never
//     holds −0 when its input does not (x − y is −0 only for x = −0, y = +0); the
//     multipliers l (below the diagonal) of a negative pivot may be −0 (0 / p), so its
//     column is divided densely, as Eigen divides it, and they are only skipped in the
//     solve under the next rule (for a positive pivot 0 / p = +0 where nothing is done);
//   * in the solve c_t − c_i·l is c_t unless c_t = −0, and c holds no −0 unless the
//     right-hand side does (then the dense loops run): subtractions make none, and a
//     division that underflows to −0 makes a final entry, which takes no subtraction after
//     it; a matrix-vector product's sum starts at +0 and so is never −0 itself;
//   * zero times a finite number is ±0: the matrix must stay finite (checked as it is
//     eliminated) and the solution too (checked at the end, non-finite values persist).
// Otherwise — larger, non-finite or −0 inputs — the dense loops run.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace deal::rt {

class FullPivLu {
 public:
  // True when the installed Eigen is the version this replica follows (3.4.0), with
  // the panel width it assumes; otherwise callers use Eigen's FullPivLU.
  static const bool kMatchesEigen;

  // Factorises the s×s matrix a, stored column by column (a[i + j·s] = a_ij).
  void compute(std::span<const double> a, int s);
  // The same, for a caller that knows the matrix's pattern (s ≤ kMaxSparse): pattern[j]
  // has a bit for every row where column j may be nonzero (more bits are allowed), and
  // the caller guarantees that every entry is finite and none is −0, so the matrix need
  // not be scanned for them.
  void compute(std::span<const double> a, int s, std::span<const std::uint64_t> pattern);
  // Eigen's isInvertible() after setThreshold(threshold): every pivot |u_kk| is larger
  // than threshold × the largest pivot.
  bool invertible(double threshold) const;
  // b := A⁻¹ b (s entries), for an invertible A.
  void solve(std::span<double> b);

  int size() const { return s_; }
  // Whether the factorisation kept its sparsity masks (for tests).
  bool sparse() const { return sparse_; }

  static constexpr int kMaxSparse = 64;  // rows of a bit mask

 private:
  void start(std::span<const double> a, int s);
  void compute_dense(int from);  // from step `from` on
  void compute_sparse();
  void solve_dense(double* c) const;
  void solve_sparse(double* c);
  double& at(int i, int j) { return lu_[size_t(i) + size_t(j) * size_t(s_)]; }
  double at(int i, int j) const { return lu_[size_t(i) + size_t(j) * size_t(s_)]; }
  // rhs[0..rows) −= A·x over `cols` columns of A starting at &at(row0, col0) (Eigen's
  // general_matrix_vector_product with alpha = −1).
  void gemv_sub(int row0, int col0, int rows, int cols, const double* x, double* rhs) const;

  int s_ = 0;
  std::vector<double> lu_;  // L (unit, below the diagonal) and U, column by column
  std::vector<int> row_t_, col_t_;
  int nonzero_pivots_ = 0;
  double max_pivot_ = 0;
  bool sparse_ = false;
  std::vector<std::uint64_t> mask_;  // per column: the rows that may be nonzero (sparse_)
  std::vector<double> acc_, saved_;  // the solve's scratch
};

}  // namespace deal::rt
