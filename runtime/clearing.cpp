// The greatest clearing vector with seniority, credit lines and default costs.
//
// Notation. For party i: e_i its resources, P_i what it owes, levels 1..m_i in seniority
// order with dues P_i^l and cumulative C_i^l = P_i^1 + … + P_i^l (C_i^0 = 0, C_i^{m_i} = P_i).
// A party's state is y_i, the total it pays. Paying y_i, obligation o of level l gets
//      pay_o(y_i) = L_o / P_i^l · clamp(y_i − C_i^{l-1}, 0, P_i^l)
// (senior levels first, pro rata within a level), so receipts r(y) are monotone and
// piecewise linear in y. The clearing map is
//      Φ_i(y) = P_i                      if e_i + r_i(y) ≥ P_i   (solvent)
//             = alpha·e_i + beta·r_i(y)  otherwise              (insolvent: funds cut)
// Φ is monotone on the box [0, P], so by Tarski it has a greatest fixed point y*; the
// Picard sequence from y = P decreases to it (Φ is continuous from above, also with the
// Rogers–Veraart jump), but only in the limit. We compute y* exactly.
//
// Invariant. The algorithm keeps an upper bound U with  y* ≤ U  and  Φ(U) ≤ U.
// U = P satisfies it. Lowering any set of coordinates j to Φ_j(U) keeps it (monotonicity),
// which is what the propagation phase below does (a Gauss–Seidel form of Picard).
//
// Regimes. From U we read, for every party, a regime: solvent (U_i = P_i and e_i + r_i(U)
// ≥ P_i), or insolvent with "level" l_i, the level in which U_i falls:
// C^{l-1} ≤ U_i < C^l. An insolvent party at U is insolvent at y* too (r is monotone and
// y* ≤ U), so the insolvent set D only grows and levels only go down as U decreases:
// each party's regime moves down a chain of at most m_i + 1 states.
//
// One round. With D and the levels fixed, define the floored affine map Ψ on the unknowns
// x_j (j ∈ D), all others paying in full:
//      Ψ_j(x) = alpha·e_j + beta·( c_j + Σ_k w_jk · (max(x_k, lo_k) − lo_k) )
// where lo_k = C_k^{l_k-1}, c_j collects what j gets from solvent parties and from the
// senior levels (< l_k) of insolvent ones, and w_jk = L_o/P_k^{l_k} for k's level-l_k
// obligations to j. On [0, U], Ψ ≥ Φ: the floor max(·, lo) only raises payments, the
// affine form equals the true payment between lo_k and U_k ≤ C_k^{l_k} and exceeds it above
// (it ignores the cap), levels below l_k are counted in full and levels above as zero,
// which is exact for y ≤ C^{l_k}; and Ψ_j drops the solvency test, which only matters
// for parties we know are insolvent. Hence y* = Φ(y*) ≤ Ψ(y*), and since Ψ is monotone and
// maps [0, U] into itself (Ψ(U) = Φ(U) ≤ U), Tarski gives y* ≤ g, g = greatest fixed point
// of Ψ in [0, U]. We compute g exactly (below), set U := g (Φ(g) ≤ Ψ(g) = g keeps the
// invariant) and look at g:
//   * if every j ∈ D has g_j ≥ lo_j ("free") and every party outside D is still solvent,
//     then Ψ(g) = Φ(g): g is a fixed point of Φ and g ≥ y*, so g = y*. Done.
//   * otherwise some j ∈ D has g_j < lo_j ("pinned": its funds do not reach level l_j,
//     so its level drops), or some party outside D became insolvent. Either way at least
//     one regime moves down its chain.
// So the number of rounds is at most Σ_i m_i + 1 ≤ n × levels + 1.
//
// Computing g. x = Ψ(x) is a linear complementarity problem: with u = max(x, lo) − lo ≥ 0,
// s = max(lo − x, 0) ≥ 0, u·s = 0:  s = (I − beta·W) u − (alpha·e + beta·c − lo). The matrix
// I − beta·W is an M-matrix (W ≥ 0 has column sums ≤ 1). We split D into strongly
// connected blocks of the graph of level-l obligations (k → j if w_jk > 0) and solve the
// blocks upstream first, each by Chandrasekaran's method: start with the members whose
// funds surely exceed their floor (alpha·e + beta·c ≥ lo) free and the rest pinned; solve
// the free members' linear system; free every pinned member whose funds now exceed its
// floor; repeat (at most block-size times, usually once). A block's submatrix is
// nonsingular unless beta = 1 and the block is closed (every level-l obligation of its
// members goes to a member): a closed block only becomes all-free when its money exactly
// balances its senior obligations (a surplus would contradict Φ(U) ≤ U), and then the
// greatest solution in [0, U] is U itself on the block, which is what we take.
// Without a closed all-free block, the solution of the LCP is unique, so the greatest.
//
// Floating point. The argument above needs three facts that rounding could break; the code
// keeps them:
//   * A party with P_i = 0 is solvent (Φ_i = 0 whatever it receives), so it never enters
//     D. Every member of D therefore has a level with dues; the chain argument is about
//     parties with levels, and a party without one would have no floor to be held at —
//     it was "pinned" in every round, which is how the rounds once failed to settle.
//   * U stays in the box [0, P]: cut funds are alpha·e + beta·r with e, r ≥ 0, so a
//     negative value can only be rounding and is taken as 0, the nearest point of the box
//     and of the true funds.
//   * "Insolvent at U" is final, so it is decided on receipts that are accurate relative
//     to themselves: recompute_receipts() sums the payments (all ≥ 0, no cancellation)
//     afresh, and the slack tol_i = 1e-12·(P_i + e_i) covers that sum's rounding near
//     the solvency boundary, where r_i ≤ P_i. The propagation phase updates receipts by
//     increments instead, whose cancellations leave a residue of the order of the flows
//     that went through them — for a $1B share cut to 0 in two steps, about 6e-8, far
//     beyond the slack of a party that owes little or nothing. It bounds that residue
//     (drift) and marks a party only if it is short beyond it; a party within the bound
//     is left for the exact test after its receipts are summed afresh. The values it sets
//     (U_j = cut funds) may sit below Φ_j(U) by at most the residue: a rounding-level
//     error in a bound, as anywhere in floating point.
// So propagation never marks a party that the test on fresh receipts would find solvent.
//
// Speed. The fast path — everybody can pay from resources plus full receipts — costs
// one pass over the obligations. Otherwise a propagation phase (worklist Gauss–Seidel on
// Φ from U, with a work budget) finds most of a cascade before the first exact round, so
// that few rounds are needed in practice.
#include "runtime/clearing.hpp"

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <fmt/format.h>

#include "runtime/defaults.hpp"
#include "runtime/require.hpp"

namespace deal::rt {

namespace {
using clearing::kSolvencyRelTol;
// Relative rounding error of a party's receipts summed afresh: a sum of k ≥ 0 terms has
// relative error at most (k − 1)·2^-53, below this for fewer than 4500 terms.
constexpr double kSumRelErr = 1e-12;
// Decreases of a payment smaller than this (relative to the party's dues) are not
// propagated: the propagation phase is only an accelerator.
constexpr double kPropagateRelTol = 1e-12;
// Blocks up to this many free members are solved with a dense LU.
constexpr int kDenseLimit = 96;
}  // namespace

struct ClearingWorkspace::Impl {
  // Per party.
  std::vector<double> E, P, R, world_in, tol, U, lo, c, acc, u, x, drift;
  std::vector<int> deb_begin, lvl_begin, label, posD, posF, comp_of;
  std::vector<std::uint8_t> ins, inq, free_;
  // Per obligation of a party debtor, sorted by (debtor, priority, input index).
  std::vector<int> order, ob_level, world_obs;
  // Per level.
  std::vector<double> lv_due, lv_cprev;
  std::vector<int> lv_begin, lv_end;
  // Work lists.
  std::vector<int> queue, D, comp_members, comp_begin, F, t_index, t_low, t_stack, call_node, call_pos, scratch;
  std::vector<std::uint8_t> on_stack;
  // Linear algebra.
  Eigen::MatrixXd dense;
  Eigen::VectorXd rhs, sol;
  std::vector<Eigen::Triplet<double>> triplets;
  // The parties at risk (reduce_to_risk): the closure, the obligations of each generation
  // of it, and the reduced problem solved in `sub`.
  std::vector<int> member_of, risk_list, risk_index, sub_from;
  std::vector<std::pair<int, int>> gathered;  // (member of a generation, obligation)
  std::vector<int> gather_begin, gathered_sorted;
  std::vector<double> exposure, sub_cash, sub_credit;
  double due_to_world = 0, due_from_world = 0;  // prepare: at full payment
  std::vector<std::uint8_t> sub_precut;
  std::vector<std::uint8_t> at_risk;
  std::vector<Obligation> sub_obs;
  std::unique_ptr<Impl> sub;
};

ClearingWorkspace::ClearingWorkspace() : impl_(std::make_unique<Impl>()) {}
ClearingWorkspace::~ClearingWorkspace() = default;
ClearingWorkspace::ClearingWorkspace(ClearingWorkspace&&) noexcept = default;
ClearingWorkspace& ClearingWorkspace::operator=(ClearingWorkspace&&) noexcept = default;

namespace {

using Impl = ClearingWorkspace::Impl;

struct Solver {
  const ClearingInput& in;
  Impl& w;
  ClearingStats& stats;
  int n;
  double alpha, beta;

  const Obligation& ob_at(int p) const { return in.obligations[size_t(w.order[size_t(p)])]; }

  // What the obligation at position p pays when its debtor pays y in total.
  double pay(int p, double y) const {
    const int l = w.ob_level[size_t(p)];
    const double amount = ob_at(p).amount;
    const double cprev = w.lv_cprev[size_t(l)], due = w.lv_due[size_t(l)];
    if (y >= cprev + due) return amount;
    if (y <= cprev) return 0.0;
    return amount * ((y - cprev) / due);
  }

  // The solvency test at U, on receipts R summed afresh (recompute_receipts). A party
  // that owes nothing is solvent, exactly: Φ_j = P_j = 0 whatever it receives. (Its
  // slack tol_j is 0, so a receipt rounded below 0 would otherwise make it insolvent,
  // and an insolvent party with no priority level has no regime for the exact rounds.)
  bool insolvent_at(int j) const {
    return w.P[size_t(j)] > 0.0 && w.E[size_t(j)] + w.R[size_t(j)] < w.P[size_t(j)] - w.tol[size_t(j)];
  }
  // The same test on the receipts maintained incrementally by the propagation phase,
  // which may be off by up to drift_j: only a party short even by the most it could be
  // receiving is insolvent. The others are left to the exact rounds.
  bool surely_insolvent(int j) const {
    return w.P[size_t(j)] > 0.0 &&
           w.E[size_t(j)] + w.R[size_t(j)] + w.drift[size_t(j)] < w.P[size_t(j)] - w.tol[size_t(j)];
  }
  // An insolvent party's funds, alpha·e + beta·r ≥ 0. Receipts are sums of payments ≥ 0;
  // the max only removes a rounding residue below 0 in propagated receipts, keeping U in
  // the box [0, P] (and moving it toward the true funds, never away).
  double cut_funds(int j) const { return std::max(0.0, alpha_of(j) * w.E[size_t(j)] + beta_of(j) * w.R[size_t(j)]); }
  // An estate in resolution (ClearingInput::precut) had its cut when it was formed: it is
  // not cut again, on its own funds or on what it receives.
  bool precut(int j) const { return !in.precut.empty() && in.precut[size_t(j)]; }
  double alpha_of(int j) const { return precut(j) ? 1.0 : alpha; }
  double beta_of(int j) const { return precut(j) ? 1.0 : beta; }

  // Debtor-sorted obligations and priority levels.
  void build_levels() {
    const auto& obs = in.obligations;
    const size_t m = obs.size();
    w.deb_begin.assign(size_t(n) + 1, 0);
    w.world_obs.clear();
    for (size_t k = 0; k < m; ++k) {
      if (obs[k].from >= 0) ++w.deb_begin[size_t(obs[k].from) + 1];
      else w.world_obs.push_back(int(k));
    }
    for (int j = 0; j < n; ++j) w.deb_begin[size_t(j) + 1] += w.deb_begin[size_t(j)];
    w.order.resize(size_t(w.deb_begin[size_t(n)]));
    w.scratch.assign(w.deb_begin.begin(), w.deb_begin.end() - 1);
    for (size_t k = 0; k < m; ++k)
      if (obs[k].from >= 0) w.order[size_t(w.scratch[size_t(obs[k].from)]++)] = int(k);
    w.ob_level.resize(w.order.size());
    w.lvl_begin.assign(size_t(n) + 1, 0);
    w.lv_due.clear();
    w.lv_cprev.clear();
    w.lv_begin.clear();
    w.lv_end.clear();
    auto prio = [&](int k) { return obs[size_t(k)].priority; };
    for (int j = 0; j < n; ++j) {
      auto b = w.order.begin() + w.deb_begin[size_t(j)];
      auto e = w.order.begin() + w.deb_begin[size_t(j) + 1];
      if (!std::is_sorted(b, e, [&](int a, int c) { return prio(a) < prio(c); }))
        std::stable_sort(b, e, [&](int a, int c) { return prio(a) < prio(c); });
      w.lvl_begin[size_t(j)] = int(w.lv_due.size());
      double cum = 0.0;
      for (int p = w.deb_begin[size_t(j)]; p < w.deb_begin[size_t(j) + 1]; ++p) {
        const Obligation& o = obs[size_t(w.order[size_t(p)])];
        if (p == w.deb_begin[size_t(j)] || o.priority != obs[size_t(w.order[size_t(p) - 1])].priority) {
          if (!w.lv_due.empty() && p != w.deb_begin[size_t(j)]) cum += w.lv_due.back();
          w.lv_due.push_back(0.0);
          w.lv_cprev.push_back(cum);
          w.lv_begin.push_back(p);
          w.lv_end.push_back(p);
        }
        w.lv_due.back() += o.amount;
        w.lv_end.back() = p + 1;
        w.ob_level[size_t(p)] = int(w.lv_due.size()) - 1;
      }
      if (int(w.lv_due.size()) > w.lvl_begin[size_t(j)]) cum += w.lv_due.back();
      // P in level order, so that the top level ends exactly at P.
      w.P[size_t(j)] = cum;
    }
    w.lvl_begin[size_t(n)] = int(w.lv_due.size());
  }

  void recompute_receipts() {
    w.R.assign(w.world_in.begin(), w.world_in.end());
    const auto& obs = in.obligations;
    for (int j = 0; j < n; ++j) {
      const double y = w.U[size_t(j)];
      if (y >= w.P[size_t(j)]) {
        for (int p = w.deb_begin[size_t(j)]; p < w.deb_begin[size_t(j) + 1]; ++p) {
          const Obligation& o = obs[size_t(w.order[size_t(p)])];
          if (o.to >= 0) w.R[size_t(o.to)] += o.amount;
        }
        continue;
      }
      for (int l = w.lvl_begin[size_t(j)]; l < w.lvl_begin[size_t(j) + 1]; ++l) {
        if (y <= w.lv_cprev[size_t(l)]) break;
        for (int p = w.lv_begin[size_t(l)]; p < w.lv_end[size_t(l)]; ++p) {
          const Obligation& o = ob_at(p);
          if (o.to >= 0) w.R[size_t(o.to)] += pay(p, y);
        }
      }
    }
  }

  // Worklist Gauss–Seidel on Φ from U: U_j := Φ_j(U) for parties whose receipts fell.
  // Keeps y* ≤ U and Φ(U) ≤ U. Bounded work; only an accelerator.
  //
  // Receipts are kept up to date by increments, R_j += pay(new) − pay(old), not summed
  // afresh: after a cascade they carry a rounding residue of the order of the flows that
  // passed through them, not of what is left (a share cut 1 → 1/3 → 0 of $1B leaves about
  // ±6e-8), which can exceed the solvency slack tol_j — it is 0 for a party that owes
  // nothing and has no cash. Marking a party insolvent is final, so it must not rest on
  // that residue: drift_j bounds it (the error of the fresh sum we start from, then for
  // each increment the roundings of the subtraction and of the addition, 2^-53·|d| and
  // 2^-53·|R_j|, counted twice), and surely_insolvent() requires a shortfall beyond it.
  void propagate() {
    const size_t cap = size_t(n) + 1;
    w.queue.resize(cap);
    size_t head = 0, tail = 0, count = 0;
    w.inq.assign(size_t(n), 0);
    w.drift.resize(size_t(n));
    for (int j = 0; j < n; ++j) w.drift[size_t(j)] = kSumRelErr * w.R[size_t(j)];
    for (int j = 0; j < n; ++j)
      if (w.P[size_t(j)] > 0.0) {
        w.queue[tail] = j;
        tail = (tail + 1) % cap;
        ++count;
        w.inq[size_t(j)] = 1;
      }
    long budget = 8L * n + 64;
    while (count > 0 && budget-- > 0) {
      const int j = w.queue[head];
      head = (head + 1) % cap;
      --count;
      w.inq[size_t(j)] = 0;
      if (!surely_insolvent(j)) continue;
      w.ins[size_t(j)] = 1;
      const double old = w.U[size_t(j)];
      const double target = cut_funds(j);
      if (!(target < old - kPropagateRelTol * w.P[size_t(j)])) continue;
      w.U[size_t(j)] = target;
      for (int l = w.lvl_begin[size_t(j)]; l < w.lvl_begin[size_t(j) + 1]; ++l) {
        const double cprev = w.lv_cprev[size_t(l)];
        if (cprev >= old) break;                              // unpaid before and after
        if (cprev + w.lv_due[size_t(l)] <= target) continue;  // paid in full both times
        for (int p = w.lv_begin[size_t(l)]; p < w.lv_end[size_t(l)]; ++p) {
          const int to = ob_at(p).to;
          if (to < 0) continue;
          const double d = pay(p, target) - pay(p, old);
          if (d == 0.0) continue;
          w.R[size_t(to)] += d;
          w.drift[size_t(to)] += DBL_EPSILON * (std::fabs(d) + std::fabs(w.R[size_t(to)]));
          if (!w.inq[size_t(to)]) {
            w.inq[size_t(to)] = 1;
            w.queue[tail] = to;
            tail = (tail + 1) % cap;
            ++count;
          }
        }
      }
    }
  }

  // The level in which U_j falls (half-open intervals; the top level if U_j = P_j).
  int level_of(int j) const {
    const double y = w.U[size_t(j)];
    int last = -1;
    for (int l = w.lvl_begin[size_t(j)]; l < w.lvl_begin[size_t(j) + 1]; ++l) {
      if (w.lv_due[size_t(l)] <= 0.0) continue;
      last = l;
      if (y < w.lv_cprev[size_t(l)] + w.lv_due[size_t(l)]) return l;
    }
    return last;
  }

  // Strongly connected blocks of D (Tarjan, iterative), in reverse topological order.
  void find_blocks() {
    const int d = int(w.D.size());
    w.t_index.assign(size_t(d), -1);
    w.t_low.assign(size_t(d), 0);
    w.on_stack.assign(size_t(d), 0);
    w.t_stack.clear();
    w.comp_members.clear();
    w.comp_begin.clear();
    w.comp_of.assign(size_t(d), -1);
    w.call_node.clear();
    w.call_pos.clear();
    int counter = 0;
    for (int s = 0; s < d; ++s) {
      if (w.t_index[size_t(s)] != -1) continue;
      auto enter = [&](int v) {
        w.t_index[size_t(v)] = w.t_low[size_t(v)] = counter++;
        w.t_stack.push_back(v);
        w.on_stack[size_t(v)] = 1;
        w.call_node.push_back(v);
        w.call_pos.push_back(w.lv_begin[size_t(w.label[size_t(w.D[size_t(v)])])]);
      };
      enter(s);
      while (!w.call_node.empty()) {
        const int v = w.call_node.back();
        const int lv = w.label[size_t(w.D[size_t(v)])];
        int& pos = w.call_pos.back();
        bool descended = false;
        while (pos < w.lv_end[size_t(lv)]) {
          const Obligation& o = ob_at(pos++);
          if (o.to < 0 || o.amount <= 0.0) continue;
          const int t = w.posD[size_t(o.to)];
          if (t < 0) continue;
          if (w.t_index[size_t(t)] == -1) {
            enter(t);
            descended = true;
            break;
          }
          if (w.on_stack[size_t(t)]) w.t_low[size_t(v)] = std::min(w.t_low[size_t(v)], w.t_index[size_t(t)]);
        }
        if (descended) continue;
        // v is finished.
        if (w.t_low[size_t(v)] == w.t_index[size_t(v)]) {
          const int comp = int(w.comp_begin.size());
          w.comp_begin.push_back(int(w.comp_members.size()));
          int t;
          do {
            t = w.t_stack.back();
            w.t_stack.pop_back();
            w.on_stack[size_t(t)] = 0;
            w.comp_of[size_t(t)] = comp;
            w.comp_members.push_back(t);
          } while (t != v);
        }
        w.call_node.pop_back();
        w.call_pos.pop_back();
        if (!w.call_node.empty()) {
          const int parent = w.call_node.back();
          w.t_low[size_t(parent)] = std::min(w.t_low[size_t(parent)], w.t_low[size_t(v)]);
        }
      }
    }
    w.comp_begin.push_back(int(w.comp_members.size()));
  }

  // Coefficient of u_k in the funds of the creditor of the obligation at position p.
  double weight(int p, int k_party) const {
    const int creditor = ob_at(p).to;
    return (creditor >= 0 ? beta_of(creditor) : beta) * ob_at(p).amount / w.lv_due[size_t(w.label[size_t(k_party)])];
  }

  // Solves (I − W_FF) u_F = rhs_F for the free members F of a block.
  void solve_free() {
    const int f = int(w.F.size());
    ++stats.linear_solves;
    w.rhs.resize(f);
    for (int a = 0; a < f; ++a) {
      const int j = w.D[size_t(w.F[size_t(a)])];
      w.rhs[a] = w.c[size_t(j)] - w.lo[size_t(j)];
    }
    if (f <= kDenseLimit) {
      w.dense.setIdentity(f, f);
      for (int b = 0; b < f; ++b) {
        const int k = w.D[size_t(w.F[size_t(b)])];
        const int lk = w.label[size_t(k)];
        for (int p = w.lv_begin[size_t(lk)]; p < w.lv_end[size_t(lk)]; ++p) {
          const Obligation& o = ob_at(p);
          if (o.to < 0 || o.amount <= 0.0) continue;
          const int t = w.posD[size_t(o.to)];
          if (t < 0 || w.posF[size_t(t)] < 0) continue;
          w.dense(w.posF[size_t(t)], b) -= weight(p, k);
        }
      }
      w.sol = w.dense.partialPivLu().solve(w.rhs);
    } else {
      w.triplets.clear();
      for (int b = 0; b < f; ++b) {
        w.triplets.emplace_back(b, b, 1.0);
        const int k = w.D[size_t(w.F[size_t(b)])];
        const int lk = w.label[size_t(k)];
        for (int p = w.lv_begin[size_t(lk)]; p < w.lv_end[size_t(lk)]; ++p) {
          const Obligation& o = ob_at(p);
          if (o.to < 0 || o.amount <= 0.0) continue;
          const int t = w.posD[size_t(o.to)];
          if (t < 0 || w.posF[size_t(t)] < 0) continue;
          w.triplets.emplace_back(w.posF[size_t(t)], b, -weight(p, k));
        }
      }
      Eigen::SparseMatrix<double> A(f, f);
      A.setFromTriplets(w.triplets.begin(), w.triplets.end());
      // Large blocks of a random network fill in badly under LU. I − beta·W is an
      // M-matrix, well suited to a preconditioned Krylov method: solve to machine
      // precision, check the residual, and fall back to sparse LU if it falls short.
      const double bnorm = w.rhs.norm();
      bool solved = false;
      {
        Eigen::BiCGSTAB<Eigen::SparseMatrix<double>, Eigen::IncompleteLUT<double>> it;
        it.setTolerance(1e-15);
        it.setMaxIterations(400);
        // A light incomplete LU: a few iterations instead of an exact factor.
        it.preconditioner().setDroptol(1e-3);
        it.preconditioner().setFillfactor(2);
        it.compute(A);
        if (it.info() == Eigen::Success) {
          w.sol = it.solve(w.rhs);
          const double res = (A * w.sol - w.rhs).norm();
          solved = std::isfinite(res) && res <= 1e-13 * std::max(bnorm, 1e-300);
        }
      }
      if (!solved) {
        Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu;
        lu.compute(A);
        DEAL_ASSERT(lu.info() == Eigen::Success, fmt::format("clearing: sparse LU failed on a block of {} parties", f));
        w.sol = lu.solve(w.rhs);
      }
    }
    for (int a = 0; a < f; ++a) {
      const double v = w.sol[a];
      DEAL_ASSERT(std::isfinite(v), "clearing: the linear system of a block is singular");
      w.u[size_t(w.F[size_t(a)])] = std::max(0.0, v);
    }
  }

  // One exact round: the greatest fixed point g of the floored affine map on D.
  // Returns true when some member of D is pinned below its level's floor.
  bool solve_round() {
    const auto& obs = in.obligations;
    // The insolvent set D, in party order, and the levels read from U.
    w.D.clear();
    w.posD.assign(size_t(n), -1);
    for (int j = 0; j < n; ++j)
      if (w.ins[size_t(j)]) {
        w.posD[size_t(j)] = int(w.D.size());
        w.D.push_back(j);
        w.label[size_t(j)] = level_of(j);
        // Only a party with dues is ever insolvent, so it has a level with dues.
        DEAL_ASSERT(w.label[size_t(j)] >= 0, fmt::format("clearing: insolvent party {} owes nothing", j));
        w.lo[size_t(j)] = w.lv_cprev[size_t(w.label[size_t(j)])];
      }
    const int d = int(w.D.size());
    // c_j: receipts from solvent debtors, from World and from insolvent debtors' senior levels.
    for (int j : w.D) w.c[size_t(j)] = 0.0;
    for (int k : w.world_obs) {
      const Obligation& o = obs[size_t(k)];
      if (o.to >= 0 && w.posD[size_t(o.to)] >= 0) w.c[size_t(o.to)] += o.amount;
    }
    for (int k = 0; k < n; ++k) {
      const bool kin = w.posD[size_t(k)] >= 0;
      const int lk = kin ? w.label[size_t(k)] : 0;
      for (int p = w.deb_begin[size_t(k)]; p < w.deb_begin[size_t(k) + 1]; ++p) {
        const Obligation& o = ob_at(p);
        if (o.to < 0 || w.posD[size_t(o.to)] < 0) continue;
        if (!kin || w.ob_level[size_t(p)] < lk) w.c[size_t(o.to)] += o.amount;
      }
    }
    for (int j : w.D) w.c[size_t(j)] = alpha_of(j) * w.E[size_t(j)] + beta_of(j) * w.c[size_t(j)];

    find_blocks();
    w.u.assign(size_t(d), 0.0);
    w.x.assign(size_t(d), 0.0);
    w.free_.assign(size_t(d), 0);
    w.posF.assign(size_t(d), -1);
    w.acc.assign(size_t(d), 0.0);
    bool any_pinned = false;
    const int ncomp = int(w.comp_begin.size()) - 1;
    for (int comp = ncomp - 1; comp >= 0; --comp) {  // upstream blocks first
      const int cb = w.comp_begin[size_t(comp)], ce = w.comp_begin[size_t(comp) + 1];
      const int size = ce - cb;
      stats.largest_block = std::max(stats.largest_block, size);
      // Closed: beta = 1 and every level-l obligation of every member stays inside.
      bool closed = true;
      for (int q = cb; q < ce && closed; ++q) {
        const int k = w.D[size_t(w.comp_members[size_t(q)])];
        if (beta_of(k) != 1.0) closed = false;
        const int lk = w.label[size_t(k)];
        for (int p = w.lv_begin[size_t(lk)]; p < w.lv_end[size_t(lk)]; ++p) {
          const Obligation& o = ob_at(p);
          if (o.amount <= 0.0) continue;
          if (o.to < 0 || w.posD[size_t(o.to)] < 0 || w.comp_of[size_t(w.posD[size_t(o.to)])] != comp) {
            closed = false;
            break;
          }
        }
      }
      // Chandrasekaran: free those whose funds surely reach their floor.
      w.F.clear();
      for (int q = cb; q < ce; ++q) {
        const int t = w.comp_members[size_t(q)];
        const int j = w.D[size_t(t)];
        if (w.c[size_t(j)] >= w.lo[size_t(j)]) {
          w.posF[size_t(t)] = int(w.F.size());
          w.F.push_back(t);
          w.free_[size_t(t)] = 1;
        }
      }
      bool frozen = false;
      for (int guard = 0; guard <= size; ++guard) {
        if (closed && int(w.F.size()) == size) {
          // Balanced closed block: the greatest solution in [0, U] is U.
          for (int t : w.F) {
            const int j = w.D[size_t(t)];
            w.u[size_t(t)] = w.U[size_t(j)] - w.lo[size_t(j)];
          }
          frozen = true;
          ++stats.closed_blocks;
          break;
        }
        if (!w.F.empty()) {
          if (size == 1) {
            // One member: u = (c − lo) / (1 − w_self).
            const int t = w.F[0];
            const int j = w.D[size_t(t)];
            double self = 0.0;
            const int lj = w.label[size_t(j)];
            for (int p = w.lv_begin[size_t(lj)]; p < w.lv_end[size_t(lj)]; ++p)
              if (ob_at(p).to == j) self += weight(p, j);
            w.u[size_t(t)] = std::max(0.0, (w.c[size_t(j)] - w.lo[size_t(j)]) / (1.0 - self));
            if (self != 0.0) ++stats.linear_solves;
          } else {
            solve_free();
          }
        }
        if (int(w.F.size()) == size) break;
        // Funds of the pinned members given the free ones.
        for (int q = cb; q < ce; ++q) w.acc[size_t(w.comp_members[size_t(q)])] = 0.0;
        for (int t : w.F) {
          const int k = w.D[size_t(t)];
          const int lk = w.label[size_t(k)];
          for (int p = w.lv_begin[size_t(lk)]; p < w.lv_end[size_t(lk)]; ++p) {
            const Obligation& o = ob_at(p);
            if (o.to < 0 || o.amount <= 0.0) continue;
            const int s = w.posD[size_t(o.to)];
            if (s < 0 || w.comp_of[size_t(s)] != comp || w.free_[size_t(s)]) continue;
            w.acc[size_t(s)] += weight(p, k) * w.u[size_t(t)];
          }
        }
        bool changed = false;
        for (int q = cb; q < ce; ++q) {
          const int t = w.comp_members[size_t(q)];
          if (w.free_[size_t(t)]) continue;
          const int j = w.D[size_t(t)];
          if (w.c[size_t(j)] + w.acc[size_t(t)] >= w.lo[size_t(j)]) {
            w.posF[size_t(t)] = int(w.F.size());
            w.F.push_back(t);
            w.free_[size_t(t)] = 1;
            changed = true;
          }
        }
        if (!changed) break;
      }
      // Values of the block.
      for (int q = cb; q < ce; ++q) {
        const int t = w.comp_members[size_t(q)];
        const int j = w.D[size_t(t)];
        double v = w.free_[size_t(t)] ? w.lo[size_t(j)] + w.u[size_t(t)] : w.c[size_t(j)] + w.acc[size_t(t)];
        if (!w.free_[size_t(t)]) any_pinned = true;
        v = std::clamp(v, 0.0, w.U[size_t(j)]);
        w.x[size_t(t)] = v;
      }
      for (int t : w.F) w.posF[size_t(t)] = -1;
      // Push the level-l payments of the free members to downstream blocks.
      if (!frozen) {
        for (int q = cb; q < ce; ++q) {
          const int t = w.comp_members[size_t(q)];
          if (!w.free_[size_t(t)] || w.u[size_t(t)] <= 0.0) continue;
          const int k = w.D[size_t(t)];
          const int lk = w.label[size_t(k)];
          for (int p = w.lv_begin[size_t(lk)]; p < w.lv_end[size_t(lk)]; ++p) {
            const Obligation& o = ob_at(p);
            if (o.to < 0 || o.amount <= 0.0) continue;
            const int s = w.posD[size_t(o.to)];
            if (s < 0 || w.comp_of[size_t(s)] == comp) continue;
            w.c[size_t(o.to)] += weight(p, k) * w.u[size_t(t)];
          }
        }
      }
    }
    for (int t = 0; t < d; ++t) {
      const int j = w.D[size_t(t)];
      w.U[size_t(j)] = std::min(w.U[size_t(j)], w.x[size_t(t)]);
    }
    return any_pinned;
  }

  // The default path: rounds until the floored affine solution is a fixed point of Φ.
  void run() {
    build_levels();
    w.U.assign(w.P.begin(), w.P.end());
    w.ins.assign(size_t(n), 0);
    w.label.assign(size_t(n), -1);
    w.lo.assign(size_t(n), 0.0);
    w.c.assign(size_t(n), 0.0);
    // World's payments are constants of every party's receipts.
    w.world_in.assign(size_t(n), 0.0);
    for (int k : w.world_obs) {
      const Obligation& o = in.obligations[size_t(k)];
      if (o.to >= 0) w.world_in[size_t(o.to)] += o.amount;
    }
    recompute_receipts();
    const int max_rounds = int(w.lv_due.size()) + 2;
    for (int round = 1;; ++round) {
      DEAL_ASSERT(round <= max_rounds, fmt::format("clearing did not settle in {} rounds", max_rounds));
      stats.rounds = round;
      if (in.options.propagate) propagate();
      recompute_receipts();
      for (int j = 0; j < n; ++j)
        if (w.ins[size_t(j)] || insolvent_at(j)) {
          w.ins[size_t(j)] = 1;
          w.U[size_t(j)] = std::min(w.U[size_t(j)], cut_funds(j));
        }
      const bool pinned = solve_round();
      recompute_receipts();
      bool settled = !pinned;
      for (int j = 0; j < n && settled; ++j)
        if (!w.ins[size_t(j)] && insolvent_at(j)) settled = false;
      if (settled) return;
    }
  }
};

void validate(const ClearingInput& in) {
  const size_t n = in.cash.size();
  DEAL_REQUIRE(in.credit.empty() || in.credit.size() == n,
               fmt::format("clearing: {} credit entries for {} parties", in.credit.size(), n));
  DEAL_REQUIRE(in.debt.empty() || in.debt.size() == n,
               fmt::format("clearing: {} debt entries for {} parties", in.debt.size(), n));
  DEAL_REQUIRE(in.precut.empty() || in.precut.size() == n,
               fmt::format("clearing: {} estate flags for {} parties", in.precut.size(), n));
  DEAL_REQUIRE(in.defaulted.empty() || in.defaulted.size() == n,
               fmt::format("clearing: {} default flags for {} parties", in.defaulted.size(), n));
  const auto& opt = in.options;
  DEAL_REQUIRE(opt.alpha >= 0.0 && opt.alpha <= 1.0, fmt::format("clearing: alpha = {} is not in [0, 1]", opt.alpha));
  DEAL_REQUIRE(opt.beta >= 0.0 && opt.beta <= 1.0, fmt::format("clearing: beta = {} is not in [0, 1]", opt.beta));
  DEAL_REQUIRE(opt.default_tolerance >= 0.0 && std::isfinite(opt.default_tolerance),
               "clearing: the default tolerance must be finite and non-negative");
  DEAL_REQUIRE(
      in.due_at_full.size() == in.received_at_full.size() && (in.due_at_full.empty() || in.due_at_full.size() == n),
      fmt::format("clearing: {} dues and {} receipts at full payment for {} parties", in.due_at_full.size(),
                  in.received_at_full.size(), n));
  // The caller that gives the sums at full payment has checked the rest (ClearingInput).
  if (!in.due_at_full.empty()) return;
  for (size_t i = 0; i < n; ++i) {
    DEAL_REQUIRE(std::isfinite(in.cash[i]), fmt::format("clearing: party {} has cash {}", i, in.cash[i]));
    if (!in.credit.empty())
      DEAL_REQUIRE(std::isfinite(in.credit[i]), fmt::format("clearing: party {} has credit {}", i, in.credit[i]));
    if (!in.debt.empty())
      DEAL_REQUIRE(std::isfinite(in.debt[i]), fmt::format("clearing: party {} has debt {}", i, in.debt[i]));
  }
}

// Dues P and receipts R at full payment, funds E (cash and usable credit) and solvency
// slack tol of every party, in one pass over the obligations; whether everyone can pay.
bool prepare(const ClearingInput& in, Impl& w) {
  const int n = int(in.cash.size());
  const auto& obs = in.obligations;
  const size_t m = obs.size();
  w.due_to_world = w.due_from_world = 0.0;
  const bool given = !in.due_at_full.empty();
  if (given) {
    w.P.assign(in.due_at_full.begin(), in.due_at_full.end());
    w.R.assign(in.received_at_full.begin(), in.received_at_full.end());
  } else {
    w.P.assign(size_t(n), 0.0);
    w.R.assign(size_t(n), 0.0);
  }
  for (size_t k = 0; k < (given ? 0 : m); ++k) {
    const Obligation& o = obs[k];
    DEAL_REQUIRE(o.from >= kWorld && o.from < n && o.to >= kWorld && o.to < n,
                 fmt::format("clearing: obligation {} goes from party {} to party {} but "
                             "there are {} parties",
                             k, o.from, o.to, n));
    DEAL_REQUIRE(std::isfinite(o.amount) && o.amount >= 0.0,
                 fmt::format("clearing: obligation {} has amount {}", k, o.amount));
    if (o.from >= 0) w.P[size_t(o.from)] += o.amount;
    else if (o.to >= 0) w.due_from_world += o.amount;
    if (o.to >= 0) w.R[size_t(o.to)] += o.amount;
    else if (o.from >= 0) w.due_to_world += o.amount;
  }
  w.E.resize(size_t(n));
  w.tol.resize(size_t(n));
  bool everyone_pays = true;
  for (int j = 0; j < n; ++j) {
    w.E[size_t(j)] = clearing::funds(in.cash[size_t(j)], in.credit.empty() ? 0.0 : in.credit[size_t(j)]);
    w.tol[size_t(j)] = kSolvencyRelTol * (w.P[size_t(j)] + w.E[size_t(j)]);
    if (clearing::short_at_full(w.E[size_t(j)], w.R[size_t(j)], w.P[size_t(j)])) everyone_pays = false;
  }
  // World's totals at full payment, which only the fast path reads; with the sums given
  // the caller has found someone short, but the fast path stays right either way.
  if (given && everyone_pays)
    for (const Obligation& o : obs) {
      if (o.from < 0 && o.to >= 0) w.due_from_world += o.amount;
      if (o.to < 0 && o.from >= 0) w.due_to_world += o.amount;
    }
  return everyone_pays;
}

// The parties whose payments can fall below their dues: the closure, from the parties
// short at full payment, of "a creditor whose margin E + R − P + tol is less than what
// its at-risk debtors owe it" (it could be insolvent if they all paid nothing). Every
// other party pays in full in the greatest clearing vector: its receipts from parties
// outside the set are full, and what the set owes it cannot exhaust its margin; so the
// greatest clearing vector is the set's own, with payments from outside it as constants
// (proof: the combined vector is a fixed point, and any fixed point restricted to the
// set is one of the set's problem). A party that owes nothing is never at risk.
// Fills w.risk_list; returns its size.
size_t reduce_to_risk(const ClearingInput& in, Impl& w) {
  const int n = int(in.cash.size());
  const auto& obs = in.obligations;
  w.at_risk.assign(size_t(n), 0);
  w.exposure.assign(size_t(n), 0.0);
  w.risk_list.clear();
  auto margin = [&](int j) {
    const size_t i = size_t(j);
    // Less a relative slack for the rounding of the sums, so the test errs toward "at risk".
    return w.E[i] + w.R[i] - w.P[i] + w.tol[i] - 1e-9 * (w.E[i] + w.R[i] + w.P[i]);
  };
  for (int j = 0; j < n; ++j)
    if (w.P[size_t(j)] > 0.0 && margin(j) < 0.0) {
      w.at_risk[size_t(j)] = 1;
      w.risk_list.push_back(j);
    }
  // A walk of the list as a queue, each member's obligations to parties in obligation
  // order, adding what it owes to its creditors' exposure and appending those it pulls
  // under. The obligations of the members added since the last pass (usually the short
  // parties, then few or none) are gathered in one pass over the obligations and sorted by
  // member, stably: the same additions in the same order as walking per-debtor lists built
  // for every party, for a pass per generation instead of two passes and a prefix sum.
  w.member_of.assign(size_t(n) + 1, -1);  // by party index + 1 (World is 0: never a member)
  size_t walked = 0;
  while (walked < w.risk_list.size()) {
    const size_t begin = walked, end = w.risk_list.size();
    for (size_t q = begin; q < end; ++q) w.member_of[size_t(w.risk_list[q]) + 1] = int(q - begin);
    w.gathered.clear();
    for (size_t k = 0; k < obs.size(); ++k) {
      const int q = w.member_of[size_t(obs[k].from + 1)];
      if (q >= 0 && obs[k].to >= 0) w.gathered.push_back({q, int(k)});
    }
    for (size_t q = begin; q < end; ++q) w.member_of[size_t(w.risk_list[q]) + 1] = -1;
    // By member, each member's in obligation order (a counting sort: no allocation).
    w.gather_begin.assign(end - begin + 1, 0);
    for (const auto& g : w.gathered) ++w.gather_begin[size_t(g.first) + 1];
    for (size_t q = 0; q + begin < end; ++q) w.gather_begin[q + 1] += w.gather_begin[q];
    w.gathered_sorted.resize(w.gathered.size());
    for (const auto& g : w.gathered) w.gathered_sorted[size_t(w.gather_begin[size_t(g.first)]++)] = g.second;
    for (int k : w.gathered_sorted) {
      const Obligation& o = obs[size_t(k)];
      const int j = o.to;
      if (w.at_risk[size_t(j)] || w.P[size_t(j)] <= 0.0) continue;
      w.exposure[size_t(j)] += o.amount;
      if (w.exposure[size_t(j)] >= margin(j)) {
        w.at_risk[size_t(j)] = 1;
        w.risk_list.push_back(j);
      }
    }
    walked = end;
  }
  return w.risk_list.size();
}

}  // namespace

void clear(const ClearingInput& in, ClearingWorkspace& ws, ClearingResult& out) {
  validate(in);
  Impl& w = ws.impl();
  const int n = int(in.cash.size());
  const auto& obs = in.obligations;
  const size_t m = obs.size();
  const double alpha = in.options.alpha, beta = in.options.beta;
  out.stats = ClearingStats{};

  // Dues and receipts at full payment, in one pass: the fast path needs nothing else.
  const bool everyone_pays = prepare(in, w);
  out.owed.assign(w.P.begin(), w.P.end());
  out.paid.resize(m);

  if (everyone_pays) {
    for (size_t k = 0; k < m; ++k) out.paid[k] = obs[k].amount;
    w.ins.assign(size_t(n), 0);
  } else if (in.options.reduce && 2 * reduce_to_risk(in, w) <= size_t(n)) {
    // The slow path on the parties at risk only (usually a few: the short parties and
    // the creditors they could pull under); everyone else pays in full.
    out.stats.fast_path = false;
    const int r = int(w.risk_list.size());
    // By party index + 1, World (0) never at risk: no test for World in the loop below.
    w.risk_index.assign(size_t(n) + 1, -1);
    for (int q = 0; q < r; ++q) w.risk_index[size_t(w.risk_list[size_t(q)]) + 1] = q;
    w.sub_obs.clear();
    w.sub_from.clear();
    for (size_t k = 0; k < m; ++k) {
      const Obligation& o = obs[k];
      out.paid[k] = o.amount;
      const int f = w.risk_index[size_t(o.from + 1)];
      const int t = w.risk_index[size_t(o.to + 1)];
      if (f < 0 && t < 0) continue;
      Obligation s = o;
      s.from = f >= 0 ? f : kWorld;  // a payment into the set from outside it is a constant
      s.to = t >= 0 ? t : kWorld;    // what the set pays out only leaves it
      w.sub_obs.push_back(s);
      w.sub_from.push_back(f >= 0 ? int(k) : -1);
    }
    w.sub_cash.resize(size_t(r));
    w.sub_credit.resize(size_t(r));
    w.sub_precut.assign(in.precut.empty() ? 0 : size_t(r), 0);
    for (int q = 0; q < r; ++q) {
      const size_t j = size_t(w.risk_list[size_t(q)]);
      w.sub_cash[size_t(q)] = in.cash[j];
      w.sub_credit[size_t(q)] = in.credit.empty() ? 0.0 : in.credit[j];
      if (!in.precut.empty()) w.sub_precut[size_t(q)] = in.precut[j];
    }
    ClearingInput sub_in;
    sub_in.obligations = w.sub_obs;
    sub_in.cash = w.sub_cash;
    sub_in.credit = w.sub_credit;
    sub_in.precut = w.sub_precut;
    sub_in.options = in.options;
    if (!w.sub) w.sub = std::make_unique<Impl>();
    Impl& sw = *w.sub;
    prepare(sub_in, sw);
    out.stats.parties_solved = r;
    Solver s{sub_in, sw, out.stats, r, alpha, beta};
    s.run();
    for (int q = 0; q < r; ++q) {
      const double y = sw.U[size_t(q)];
      for (int p = sw.deb_begin[size_t(q)]; p < sw.deb_begin[size_t(q) + 1]; ++p) {
        const int k = w.sub_from[size_t(sw.order[size_t(p)])];
        out.paid[size_t(k)] = s.pay(p, y);
      }
    }
    w.ins.assign(size_t(n), 0);
    for (int q = 0; q < r; ++q) w.ins[size_t(w.risk_list[size_t(q)])] = sw.ins[size_t(q)];
  } else {
    out.stats.fast_path = false;
    out.stats.parties_solved = n;
    Solver s{in, w, out.stats, n, alpha, beta};
    s.run();
    for (int k : w.world_obs) out.paid[size_t(k)] = obs[size_t(k)].amount;
    for (int j = 0; j < n; ++j) {
      const double y = w.U[size_t(j)];
      for (int p = w.deb_begin[size_t(j)]; p < w.deb_begin[size_t(j) + 1]; ++p)
        out.paid[size_t(w.order[size_t(p)])] = s.pay(p, y);
    }
  }

  // Party totals, balances, default costs. When everyone pays in full they are prepare's
  // sums at full payment (the same additions in the same order: the same bits).
  if (everyone_pays) {
    out.paid_out.assign(w.P.begin(), w.P.end());
    out.received.assign(w.R.begin(), w.R.end());
    out.world_received = w.due_to_world;
    out.world_paid = w.due_from_world;
  } else {
    out.paid_out.assign(size_t(n), 0.0);
    out.received.assign(size_t(n), 0.0);
    out.world_received = 0.0;
    out.world_paid = 0.0;
    for (size_t k = 0; k < m; ++k) {
      const Obligation& o = obs[k];
      const double v = out.paid[k];
      if (o.from >= 0) out.paid_out[size_t(o.from)] += v;
      else if (o.to >= 0) out.world_paid += v;
      if (o.to >= 0) out.received[size_t(o.to)] += v;
      else if (o.from >= 0) out.world_received += v;
    }
  }
  out.cash.resize(size_t(n));
  out.credit.resize(size_t(n));
  out.debt.resize(size_t(n));
  out.credit_drawn.assign(size_t(n), 0.0);
  out.default_cost.assign(size_t(n), 0.0);
  out.insolvent.assign(w.ins.begin(), w.ins.end());
  const bool costs = alpha < 1.0 || beta < 1.0;
  for (int j = 0; j < n; ++j) {
    const size_t i = size_t(j);
    const double r = out.received[i], x = out.paid_out[i];
    double cost = 0.0;
    const bool estate = !in.precut.empty() && in.precut[i];  // cut when it was formed
    if (costs && w.ins[i] && !estate) cost = std::max(0.0, w.E[i] + r - x);
    const clearing::Balances b = clearing::settle(in.cash[i], in.credit.empty() ? 0.0 : in.credit[i],
                                                  in.debt.empty() ? 0.0 : in.debt[i], r, x, cost);
    out.cash[i] = b.cash;
    out.credit[i] = b.credit;
    out.debt[i] = b.debt;
    out.credit_drawn[i] = b.drawn;
    out.default_cost[i] = cost;
  }
  out.defaults.clear();
  // Nobody paid less than it owed on the fast path, so nobody defaulted.
  if (!everyone_pays)
    collect_defaults(obs, out.paid, out.owed, out.paid_out, in.defaulted, in.options.default_tolerance, in.step,
                     in.date, out.defaults, w.scratch, in.options.short_payers);
}

ClearingResult clear(const ClearingInput& in) {
  ClearingWorkspace ws;
  ClearingResult out;
  clear(in, ws, out);
  return out;
}

}  // namespace deal::rt
