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
#pragma once

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
  // Eigen's isInvertible() after setThreshold(threshold): every pivot |u_kk| is larger
  // than threshold × the largest pivot.
  bool invertible(double threshold) const;
  // b := A⁻¹ b (s entries), for an invertible A.
  void solve(std::span<double> b) const;

  int size() const { return s_; }

 private:
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
};

}  // namespace deal::rt
