#include "runtime/full_piv_lu.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
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

namespace {
bool negative_zero(double v) { return v == 0.0 && std::signbit(v); }
// Bits lo..hi−1 (0 ≤ lo ≤ hi ≤ 64).
std::uint64_t bits(int lo, int hi) {
  const std::uint64_t below_hi = hi >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << hi) - 1;
  return lo >= 64 ? 0 : below_hi & (~std::uint64_t(0) << lo);
}
// Calls f(i) for every set bit i of m, lowest first.
template <class F>
void each_bit(std::uint64_t m, F f) {
  while (m) {
    f(std::countr_zero(m));
    m &= m - 1;
  }
}
}  // namespace

void FullPivLu::start(std::span<const double> a, int s) {
  DEAL_ASSERT(s >= 0 && a.size() == size_t(s) * size_t(s), "FullPivLu: an s×s matrix is needed");
  s_ = s;
  lu_.assign(a.begin(), a.end());
  row_t_.resize(size_t(s));
  col_t_.resize(size_t(s));
  nonzero_pivots_ = s;
  max_pivot_ = 0;
}

void FullPivLu::compute(std::span<const double> a, int s, std::span<const std::uint64_t> pattern) {
  start(a, s);
  DEAL_ASSERT(s <= kMaxSparse && pattern.size() == size_t(s), "FullPivLu: one pattern mask per column is needed");
  sparse_ = true;
  mask_.assign(pattern.begin(), pattern.end());
  acc_.assign(size_t(s), 0.0);
  compute_sparse();
}

void FullPivLu::compute(std::span<const double> a, int s) {
  start(a, s);
  sparse_ = s <= kMaxSparse;
  if (sparse_) {
    // On the bits: an entry is non-finite when its exponent is all ones, −0 when only its
    // sign is set, nonzero when anything but its sign is.
    constexpr std::uint64_t kExponent = 0x7ff0000000000000ull, kSign = 0x8000000000000000ull;
    mask_.resize(size_t(s));
    const double* e = lu_.data();
    bool bad = false;
    for (int j = 0; j < s; ++j) {
      std::uint64_t m = 0;
      for (int i = 0; i < s; ++i) {
        const std::uint64_t b = std::bit_cast<std::uint64_t>(e[i]);
        bad |= (b & kExponent) == kExponent || b == kSign;
        m |= std::uint64_t((b << 1) != 0) << i;
      }
      mask_[size_t(j)] = m;
      e += s;
    }
    sparse_ = !bad;
    acc_.assign(size_t(s), 0.0);  // the solves' sums, left at 0 after each use
  }
  if (sparse_) compute_sparse();
  else compute_dense(0);
}

void FullPivLu::compute_dense(int from) {
  const int s = s_;
  for (int k = from; k < s; ++k) {
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

void FullPivLu::compute_sparse() {
  const int s = s_;
  std::uint64_t* mask = mask_.data();
  for (int k = 0; k < s; ++k) {
    // As compute_dense, over the entries that may be nonzero (a zero never replaces).
    int br = k, bc = k;
    double best = std::abs(at(k, k));
    const std::uint64_t rows = bits(k, s);
    for (int j = k; j < s; ++j)
      each_bit(mask[j] & rows, [&](int i) {
        const double v = std::abs(at(i, j));
        if (v > best) {
          best = v;
          br = i;
          bc = j;
        }
      });
    if (best == 0.0) {
      nonzero_pivots_ = k;
      for (int i = k; i < s; ++i) row_t_[size_t(i)] = col_t_[size_t(i)] = i;
      break;
    }
    if (best > max_pivot_) max_pivot_ = best;
    row_t_[size_t(k)] = br;
    col_t_[size_t(k)] = bc;
    if (br != k) {
      const std::uint64_t kb = std::uint64_t(1) << k, rb = std::uint64_t(1) << br;
      for (int j = 0; j < s; ++j) {
        std::swap(at(k, j), at(br, j));
        const std::uint64_t m = mask[j];
        if (((m & kb) != 0) != ((m & rb) != 0)) mask[j] = m ^ (kb | rb);
      }
    }
    if (bc != k) {
      for (int i = 0; i < s; ++i) std::swap(at(i, k), at(i, bc));
      std::swap(mask[k], mask[bc]);
    }
    if (k < s - 1) {
      const double pivot = at(k, k);
      const std::uint64_t lrows = mask[k] & bits(k + 1, s);
      // The multipliers. A zero divided by a positive pivot stays +0, so only the entries
      // that may be nonzero need dividing; by a negative one it becomes −0, as Eigen's
      // dense division leaves it for a dense solve to find, so then all are divided.
      if (pivot > 0) each_bit(lrows, [&](int i) { at(i, k) /= pivot; });
      else
        for (int i = k + 1; i < s; ++i) at(i, k) /= pivot;
      if (lrows == 0) continue;
      const double* l = &lu_[size_t(k) * size_t(s)];
      const std::uint64_t kb = std::uint64_t(1) << k;
      bool finite = true;
      for (int j = k + 1; j < s; ++j) {
        if (!(mask[j] & kb)) continue;
        const double u = at(k, j);
        double* col = &lu_[size_t(j) * size_t(s)];
        each_bit(lrows, [&](int i) {
          col[i] -= u * l[i];
          finite = finite && std::isfinite(col[i]);
        });
        mask[j] |= lrows;
      }
      if (!finite) {
        // An overflow: zero times infinity is not zero, so no term may be skipped. The
        // dense elimination goes on from here (both did the same operations so far).
        sparse_ = false;
        compute_dense(k + 1);
        return;
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

void FullPivLu::solve(std::span<double> b) {
  const int s = s_;
  DEAL_ASSERT(b.size() == size_t(s), "FullPivLu: one right-hand side entry per row is needed");
  double* c = b.data();
  bool sparse = sparse_;
  for (int i = 0; i < s && sparse; ++i) sparse = !negative_zero(c[i]);
  if (sparse) {
    saved_.assign(c, c + s);
    solve_sparse(c);
    // A non-finite value stays so to the end; with one on the way a skipped zero term
    // could have been ∞·0 = NaN: solve again without skipping.
    bool finite = true;
    for (int i = 0; i < s; ++i) finite = finite && std::isfinite(c[i]);
    if (finite) return;
    std::copy(saved_.begin(), saved_.end(), c);
  }
  solve_dense(c);
}

void FullPivLu::solve_dense(double* c) const {
  const int s = s_;
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

void FullPivLu::solve_sparse(double* c) {
  const int s = s_;
  const std::uint64_t* mask = mask_.data();
  double* acc = acc_.data();  // all 0 (compute, and every use below restores it)
  // rhs[rows of `target`] −= A[rows, cols] · c[cols] as gemv_sub sums it: per row from +0,
  // in column order — here column by column into acc, which keeps each row's order.
  auto gemv = [&](std::uint64_t target, int col0, int cols) {
    std::uint64_t touched = 0;
    for (int j = col0; j < col0 + cols; ++j) {
      const double x = c[j];
      if (x == 0.0) continue;  // finite × ±0 = ±0, and acc + ±0 = acc (acc is never −0)
      const std::uint64_t rows = mask[j] & target;
      touched |= rows;
      each_bit(rows, [&](int t) { acc[t] = at(t, j) * x + acc[t]; });
    }
    each_bit(touched, [&](int t) {
      c[t] = -acc[t] + c[t];
      acc[t] = 0.0;
    });
  };
  for (int k = 0; k < s; ++k)
    if (row_t_[size_t(k)] != k) std::swap(c[k], c[row_t_[size_t(k)]]);
  for (int pi = 0; pi < s; pi += kPanel) {
    const int w = std::min(s - pi, kPanel);
    for (int k = 0; k < w; ++k) {
      const int i = pi + k;
      const double ci = c[i];
      if (ci == 0.0) continue;
      each_bit(mask[i] & bits(i + 1, pi + w), [&](int t) { c[t] -= ci * at(t, i); });
    }
    if (s - (pi + w) > 0) gemv(bits(pi + w, s), pi, w);
  }
  for (int pi = s; pi > 0; pi -= kPanel) {
    const int w = std::min(pi, kPanel);
    const int start = pi - w;
    for (int k = 0; k < w; ++k) {
      const int i = pi - k - 1;
      if (c[i] == 0.0) continue;
      c[i] /= at(i, i);  // final: an underflow to −0 here takes no further subtraction
      const double ci = c[i];
      each_bit(mask[i] & bits(start, i), [&](int t) { c[t] -= ci * at(t, i); });
    }
    if (start > 0) gemv(bits(0, start), start, w);
  }
  for (int k = s - 1; k >= 0; --k)
    if (col_t_[size_t(k)] != k) std::swap(c[k], c[col_t_[size_t(k)]]);
}

}  // namespace deal::rt
