#include "runtime/full_piv_lu.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <utility>

#include "runtime/require.hpp"

namespace deal::rt {

namespace {
// Eigen's triangular solves work in panels of this many columns.
constexpr int kPanel = 8;
}  // namespace

// The replica follows Eigen 3.4.0 with its default panel width and without FMA (with FMA
// Eigen's matrix-vector product fuses its multiply-adds, and these loops would not).
#if EIGEN_WORLD_VERSION == 3 && EIGEN_MAJOR_VERSION == 4 && EIGEN_MINOR_VERSION == 0 && \
    EIGEN_TUNE_TRIANGULAR_PANEL_WIDTH == 8 && !defined(EIGEN_VECTORIZE_FMA) && !defined(__FMA__)
const bool FullPivLu::kMatchesEigen = true;
#else
const bool FullPivLu::kMatchesEigen = false;
#endif

void FullPivLu::compute(std::span<const double> a, int s) {
  DEAL_ASSERT(s >= 0 && a.size() == size_t(s) * size_t(s), "FullPivLu: an s×s matrix is needed");
  s_ = s;
  lu_.assign(a.begin(), a.end());
  row_t_.resize(size_t(s));
  col_t_.resize(size_t(s));
  nonzero_pivots_ = s;
  max_pivot_ = 0;
  for (int k = 0; k < s; ++k) {
    // The largest |a_ij| of the corner i, j ≥ k, column by column; the first one wins a tie
    // (Eigen's maxCoeff visitor: it starts at the corner's first entry and replaces on >).
    int br = k, bc = k;
    double best = std::abs(at(k, k));
    for (int j = k; j < s; ++j)
      for (int i = j == k ? k + 1 : k; i < s; ++i) {
        const double v = std::abs(at(i, j));
        if (v > best) {
          best = v;
          br = i;
          bc = j;
        }
      }
    if (best == 0.0) {
      nonzero_pivots_ = k;
      for (int i = k; i < s; ++i) row_t_[size_t(i)] = col_t_[size_t(i)] = i;
      break;
    }
    if (best > max_pivot_) max_pivot_ = best;
    row_t_[size_t(k)] = br;
    col_t_[size_t(k)] = bc;
    if (br != k)
      for (int j = 0; j < s; ++j) std::swap(at(k, j), at(br, j));
    if (bc != k)
      for (int i = 0; i < s; ++i) std::swap(at(i, k), at(i, bc));
    if (k < s - 1) {
      const double pivot = at(k, k);
      for (int i = k + 1; i < s; ++i) at(i, k) /= pivot;
      // The rank-one update, column by column: a_ij − u_j·l_i, rounded as Eigen's outer
      // product rounds it (the product, then the difference).
      const double* l = &lu_[size_t(k) * size_t(s)];
      for (int j = k + 1; j < s; ++j) {
        const double u = at(k, j);
        double* col = &lu_[size_t(j) * size_t(s)];
        for (int i = k + 1; i < s; ++i) col[i] -= u * l[i];
      }
    }
  }
}

bool FullPivLu::invertible(double threshold) const {
  const double premultiplied = std::abs(max_pivot_) * threshold;
  int rank = 0;
  for (int i = 0; i < nonzero_pivots_; ++i) rank += std::abs(at(i, i)) > premultiplied;
  return rank == s_;
}

void FullPivLu::gemv_sub(int row0, int col0, int rows, int cols, const double* x, double* rhs) const {
  for (int i = 0; i < rows; ++i) {
    double acc = 0.0;
    for (int j = 0; j < cols; ++j) acc = at(row0 + i, col0 + j) * x[j] + acc;
    rhs[i] = -acc + rhs[i];  // Eigen: pmadd(acc, alpha = −1, rhs)
  }
}

void FullPivLu::solve(std::span<double> b) const {
  const int s = s_;
  DEAL_ASSERT(b.size() == size_t(s), "FullPivLu: one right-hand side entry per row is needed");
  double* c = b.data();
  // c = P b: the row swaps of the factorisation, in the order they were made.
  for (int k = 0; k < s; ++k)
    if (row_t_[size_t(k)] != k) std::swap(c[k], c[row_t_[size_t(k)]]);
  // L c' = c, L unit lower triangular, panels from the top.
  for (int pi = 0; pi < s; pi += kPanel) {
    const int w = std::min(s - pi, kPanel);
    for (int k = 0; k < w; ++k) {
      const int i = pi + k;
      if (c[i] == 0.0) continue;
      for (int t = i + 1; t < pi + w; ++t) c[t] -= c[i] * at(t, i);
    }
    if (s - (pi + w) > 0) gemv_sub(pi + w, pi, s - (pi + w), w, c + pi, c + pi + w);
  }
  // U c'' = c', panels from the bottom.
  for (int pi = s; pi > 0; pi -= kPanel) {
    const int w = std::min(pi, kPanel);
    const int start = pi - w;
    for (int k = 0; k < w; ++k) {
      const int i = pi - k - 1;
      if (c[i] == 0.0) continue;
      c[i] /= at(i, i);
      for (int t = start; t < i; ++t) c[t] -= c[i] * at(t, i);
    }
    if (start > 0) gemv_sub(0, start, start, w, c + start, c);
  }
  // x = Q c'': the column swaps undone, the last one first.
  for (int k = s - 1; k >= 0; --k)
    if (col_t_[size_t(k)] != k) std::swap(c[k], c[col_t_[size_t(k)]]);
}

}  // namespace deal::rt
