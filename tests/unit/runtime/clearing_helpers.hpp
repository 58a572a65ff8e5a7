// Helpers shared by the clearing tests: a small network builder and an independent,
// deliberately naive implementation of the clearing map Φ used as the reference
// (monotone Picard iteration from full payment converges to the greatest fixed point).
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "runtime/clearing.hpp"

namespace deal::rt::testing {

struct Net {
  std::vector<Obligation> obs;
  std::vector<double> cash, credit;

  int party(double c, double cr = 0.0) {
    cash.push_back(c);
    credit.push_back(cr);
    return int(cash.size()) - 1;
  }
  void owe(int from, int to, double amount, int priority = 1, int deal = -1) {
    obs.push_back(Obligation{from, to, priority, deal, amount});
  }
  ClearingInput input(ClearingOptions o = {}) const {
    ClearingInput in;
    in.obligations = obs;
    in.cash = cash;
    in.credit = credit;
    in.options = o;
    return in;
  }
  ClearingResult clear(ClearingOptions o = {}) const { return deal::rt::clear(input(o)); }
  ClearingResult clear_rv(double alpha, double beta) const {
    ClearingOptions o;
    o.alpha = alpha;
    o.beta = beta;
    return clear(o);
  }
};

// The reference clearing map, written independently of runtime/clearing.cpp.
struct Reference {
  int n = 0;
  double alpha = 1, beta = 1;
  std::vector<double> E, P;
  // Per debtor: levels as (priority → list of (to, amount)).
  std::vector<std::map<int, std::vector<std::pair<int, double>>>> levels;
  std::vector<double> world_in;

  Reference(const Net& net, double a = 1, double b = 1) : n(int(net.cash.size())), alpha(a), beta(b) {
    E.resize(size_t(n));
    P.assign(size_t(n), 0.0);
    levels.resize(size_t(n));
    world_in.assign(size_t(n), 0.0);
    for (int i = 0; i < n; ++i)
      E[size_t(i)] = std::max(0.0, net.cash[size_t(i)]) + std::max(0.0, net.credit[size_t(i)]);
    for (const Obligation& o : net.obs) {
      if (o.from < 0) {
        if (o.to >= 0) world_in[size_t(o.to)] += o.amount;
        continue;
      }
      P[size_t(o.from)] += o.amount;
      levels[size_t(o.from)][o.priority].push_back({o.to, o.amount});
    }
  }
  // Receipts when party i pays y[i] in total.
  std::vector<double> receipts(const std::vector<double>& y) const {
    std::vector<double> r = world_in;
    for (int i = 0; i < n; ++i) {
      double left = y[size_t(i)];
      for (const auto& [prio, list] : levels[size_t(i)]) {
        double due = 0;
        for (auto& [to, a] : list) due += a;
        double pay = std::clamp(left, 0.0, due);
        left -= pay;
        if (due <= 0) continue;
        for (auto& [to, a] : list)
          if (to >= 0) r[size_t(to)] += a * pay / due;
      }
    }
    return r;
  }
  bool solvent(int i, double r) const {
    return E[size_t(i)] + r >= P[size_t(i)] - 1e-12 * (P[size_t(i)] + E[size_t(i)]);
  }
  std::vector<double> phi(const std::vector<double>& y) const {
    auto r = receipts(y);
    std::vector<double> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
      out[size_t(i)] =
          solvent(i, r[size_t(i)]) ? P[size_t(i)] : std::min(P[size_t(i)], alpha * E[size_t(i)] + beta * r[size_t(i)]);
    return out;
  }
  // Monotone (Jacobi) Picard iteration from full payment. Returns the number of
  // iterations, or -1 if it did not settle within max_iter.
  int picard(std::vector<double>& y, int max_iter = 200000, double rel = 1e-13) const {
    y = P;
    double scale = 1;
    for (int i = 0; i < n; ++i) scale = std::max({scale, P[size_t(i)], E[size_t(i)]});
    for (int it = 1; it <= max_iter; ++it) {
      auto next = phi(y);
      double change = 0;
      for (int i = 0; i < n; ++i) {
        next[size_t(i)] = std::min(next[size_t(i)], y[size_t(i)]);  // monotone from above
        change = std::max(change, y[size_t(i)] - next[size_t(i)]);
      }
      y = std::move(next);
      if (change <= rel * scale) return it;
    }
    return -1;
  }
};

inline double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

}  // namespace deal::rt::testing
