#include "runtime/analyses.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <numeric>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "runtime/parallel.hpp"

namespace deal::rt {

namespace {

std::vector<Counterparty> top(const std::vector<double>& amounts, int self, size_t k) {
  double total = 0;
  for (size_t j = 0; j < amounts.size(); ++j)
    if (int(j) != self) total += amounts[j];
  std::vector<Counterparty> v;
  for (size_t j = 0; j < amounts.size(); ++j)
    if (int(j) != self && amounts[j] > 0) v.push_back({int(j), amounts[j], total > 0 ? amounts[j] / total : 0});
  // Largest first; ties in declaration order (World, id 0, first).
  std::stable_sort(v.begin(), v.end(),
                   [](const Counterparty& a, const Counterparty& b) { return a.amount > b.amount; });
  if (v.size() > k) v.resize(k);
  return v;
}

}  // namespace

Exposure exposure_from(const Matrix& scheduled) {
  Exposure e;
  e.owed = scheduled;
  size_t n = scheduled.size();
  e.creditors.resize(n);
  e.debtors.resize(n);
  for (size_t i = 0; i < n; ++i) {
    e.creditors[i] = top(scheduled[i], int(i), 5);
    std::vector<double> col(n);
    for (size_t j = 0; j < n; ++j) col[j] = scheduled[j][i];
    e.debtors[i] = top(col, int(i), 5);
  }
  return e;
}

// Return probabilities: a dollar leaving i moves to j with probability F[i][j]/out_i and
// onwards the same way, absorbed by World or by a party with no outflows. With h_j the
// probability to reach i from j, return_i = Σ_j P[i][j]·h_j. h solves
// h_j = P[j][i] + Σ_k P[j][k]·h_k over the parties that can reach i (from every one of
// them money can leave the set, towards i, so the system is regular); every other party
// has h = 0. Exact: one dense solve per party.
Circularity circularity(const Matrix& flows) {
  size_t n = flows.size();
  Circularity c;
  c.parties.resize(n);
  std::vector<double> out(n), in(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j)
      if (j != i) {
        out[i] += flows[i][j];
        in[i] += flows[j][i];
      }
  }
  auto prob = [&](size_t j, size_t k) { return out[j] > 0 && j != 0 && k != j ? flows[j][k] / out[j] : 0.0; };
  for (size_t i = 1; i < n; ++i) {
    CircularParty& cp = c.parties[i];
    cp.outflow = out[i];
    cp.inflow = in[i];
    if (out[i] <= 0) continue;
    // Parties (not World, not i) that can reach i through parties with outflows.
    std::vector<char> reach(n, 0);
    std::vector<size_t> stack = {i};
    while (!stack.empty()) {
      size_t k = stack.back();
      stack.pop_back();
      for (size_t j = 1; j < n; ++j)
        if (j != i && !reach[j] && prob(j, k) > 0) {
          reach[j] = 1;
          stack.push_back(j);
        }
    }
    std::vector<size_t> set;
    for (size_t j = 1; j < n; ++j)
      if (reach[j]) set.push_back(j);
    std::vector<double> h(n, 0.0);
    if (!set.empty()) {
      size_t m = set.size();
      Eigen::MatrixXd a = Eigen::MatrixXd::Identity(Eigen::Index(m), Eigen::Index(m));
      Eigen::VectorXd b(static_cast<Eigen::Index>(m));
      for (size_t r = 0; r < m; ++r) {
        b(Eigen::Index(r)) = prob(set[r], i);
        for (size_t s = 0; s < m; ++s) a(Eigen::Index(r), Eigen::Index(s)) -= prob(set[r], set[s]);
      }
      Eigen::VectorXd x = a.fullPivLu().solve(b);
      for (size_t r = 0; r < m; ++r) h[set[r]] = std::clamp(x(Eigen::Index(r)), 0.0, 1.0);
    }
    double ret = 0;
    for (size_t j = 1; j < n; ++j) ret += prob(i, j) * h[j];
    cp.return_probability = std::clamp(ret, 0.0, 1.0);
    cp.self_funded_share = in[i] > 0 ? out[i] * cp.return_probability / in[i] : 0.0;
  }
  c.cycles = cycles(flows);
  return c;
}

// Cycle decomposition: take the edges from the largest down (ties by ids); while an
// edge u→v lies on a cycle, route through the widest path v ⇝ u (the one whose smallest
// edge is largest; ties by ids), take that bottleneck off every edge of the cycle and
// record it. An edge that is on no cycle never will be (weights only fall), so each edge
// is examined once and the result does not depend on anything but the flows.
std::vector<Cycle> cycles(const Matrix& flows, double min_amount) {
  size_t n = flows.size();
  Matrix g(n, std::vector<double>(n, 0.0));
  for (size_t i = 1; i < n; ++i)
    for (size_t j = 1; j < n; ++j)
      if (i != j && flows[i][j] >= min_amount) g[i][j] = flows[i][j];
  std::vector<std::pair<size_t, size_t>> edges;
  for (size_t i = 1; i < n; ++i)
    for (size_t j = 1; j < n; ++j)
      if (g[i][j] > 0) edges.emplace_back(i, j);
  std::stable_sort(edges.begin(), edges.end(),
                   [&](auto a, auto b) { return g[a.first][a.second] > g[b.first][b.second]; });

  // Widest path from s to t (max-bottleneck; Dijkstra-like, deterministic by ids).
  auto widest = [&](size_t s, size_t t, std::vector<size_t>& path) -> double {
    std::vector<double> best(n, 0.0);
    std::vector<size_t> prev(n, SIZE_MAX);
    std::vector<char> done(n, 0);
    best[s] = INFINITY;
    for (;;) {
      size_t u = SIZE_MAX;
      for (size_t k = 1; k < n; ++k)
        if (!done[k] && best[k] > 0 && (u == SIZE_MAX || best[k] > best[u])) u = k;
      if (u == SIZE_MAX) return 0;
      if (u == t) break;
      done[u] = 1;
      for (size_t w = 1; w < n; ++w) {
        double cap = std::min(best[u], g[u][w]);
        if (!done[w] && g[u][w] > 0 && cap > best[w]) {
          best[w] = cap;
          prev[w] = u;
        }
      }
    }
    path.clear();
    for (size_t k = t; k != SIZE_MAX; k = prev[k]) path.push_back(k);
    std::reverse(path.begin(), path.end());
    return best[t];
  };

  std::map<std::vector<int>, double> found;
  for (auto [u, v] : edges) {
    std::vector<size_t> back;
    while (g[u][v] >= min_amount) {
      double w = widest(v, u, back);
      if (w < min_amount) break;
      double b = std::min(g[u][v], w);
      // The cycle u → v ⇝ u.
      std::vector<size_t> cyc = {u};
      cyc.insert(cyc.end(), back.begin(), back.end());  // v … u
      for (size_t k = 0; k + 1 < cyc.size(); ++k) {
        double& e = g[cyc[k]][cyc[k + 1]];
        e -= b;
        if (e < min_amount) e = 0;
      }
      // Canonical form: start at the smallest id.
      cyc.pop_back();
      auto first = std::min_element(cyc.begin(), cyc.end());
      std::rotate(cyc.begin(), first, cyc.end());
      std::vector<int> path(cyc.begin(), cyc.end());
      path.push_back(path.front());
      found[path] += b;
    }
  }
  std::vector<Cycle> result;
  for (auto& [path, amount] : found) result.push_back({path, amount});
  std::stable_sort(result.begin(), result.end(), [](const Cycle& a, const Cycle& b) { return a.amount > b.amount; });
  return result;
}

Concentration concentration(const Matrix& flows, int party) {
  size_t n = flows.size(), i = size_t(party);
  Concentration c;
  std::vector<double> in(n), out(n);
  for (size_t j = 0; j < n; ++j) {
    in[j] = j == i ? 0 : flows[j][i];
    out[j] = j == i ? 0 : flows[i][j];
  }
  auto hhi = [](const std::vector<double>& v) {
    double total = std::accumulate(v.begin(), v.end(), 0.0), h = 0;
    if (total <= 0) return 0.0;
    for (double x : v) h += (x / total) * (x / total);
    return h;
  };
  c.inflow_hhi = hhi(in);
  c.outflow_hhi = hhi(out);
  auto customers = top(in, party, 1), suppliers = top(out, party, 1);
  if (!customers.empty()) c.top_customer = customers[0];
  if (!suppliers.empty()) c.top_supplier = suppliers[0];
  return c;
}

void rank(std::vector<SystemicImpact>& impacts) {
  std::stable_sort(impacts.begin(), impacts.end(), [](const SystemicImpact& a, const SystemicImpact& b) {
    if (a.equity_lost != b.equity_lost) return a.equity_lost > b.equity_lost;
    if (a.induced_defaults != b.induced_defaults) return a.induced_defaults > b.induced_defaults;
    return a.party < b.party;
  });
}

Analyses analyze(const Model& model, int scenario, const RunOptions& options, const RunResult& base,
                 const AnalysisSelection& which, int threads) {
  Analyses a;
  size_t n = model.parties.size();
  RunOptions one = options;
  one.paths = 1;
  one.keep_ledger_rows = false;
  one.check_ledger = false;
  const std::string& name = model.scenarios.at(size_t(scenario)).name;

  // Runs needed: the "pay in full" schedule (exposure) and one per party (systemic).
  std::vector<RunOptions> jobs;
  if (which.exposure) {
    RunOptions o = one;
    o.pay_in_full = true;
    jobs.push_back(o);
  }
  size_t systemic_first = jobs.size();
  if (which.systemic)
    for (size_t p = 1; p < n; ++p) {
      RunOptions o = one;
      o.default_at_start = int(p);
      jobs.push_back(o);
    }
  // Each run keeps only what its analysis needs (the exposure run's flow matrix; a
  // systemic run's impact, taken from its final equities as soon as it ends), so the
  // memory is O(n²) for n parties, not one n×n run per party.
  std::optional<Matrix> exposure_flows;
  std::vector<SystemicImpact> impacts(which.systemic ? n - 1 : 0);
  std::vector<std::string> errors(jobs.size());
  std::atomic<bool> failed{false};
  parallel_for(
      jobs.size(), threads,
      [&](size_t k) {
        try {
          RunResult r = run_scenario(model, scenario, jobs[k]);
          if (k < systemic_first) {
            exposure_flows = dense_flows(r);
            return;
          }
          size_t p = k - systemic_first + 1;
          SystemicImpact& s = impacts[p - 1];
          s.party = int(p);
          for (size_t q = 1; q < n; ++q) {
            if (q == p) continue;
            const PartyOutcome& b = base.parties[q - 1];
            const PartyOutcome& o = r.parties[q - 1];
            s.equity_lost += std::max(0.0, b.equity - o.equity);
            if (o.defaulted && !b.defaulted) {
              ++s.induced_defaults;
              s.defaulted.push_back(int(q));
            }
          }
        } catch (const std::exception& e) {
          errors[k] = e.what();
          failed.store(true);
        }
      },
      &failed);
  // A failed analysis run is an error of the whole analysis (the first failing run's, in job order).
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (errors[k].empty()) continue;
    if (k < systemic_first)
      throw RunError(
          fmt::format("the exposure analysis failed: scenario '{}' fails when every obligation is paid "
                      "in full: {}",
                      name, errors[k]));
    throw RunError(
        fmt::format("the systemic importance analysis failed: the run of scenario '{}' in which {} "
                    "defaults at the start fails: {}",
                    name, model.parties[size_t(*jobs[k].default_at_start)].name, errors[k]));
  }

  if (which.exposure) a.exposure = exposure_from(*exposure_flows);
  const Matrix flows = which.circularity || which.concentration ? dense_flows(base) : Matrix{};
  if (which.circularity) a.circularity = circularity(flows);
  if (which.concentration) {
    std::vector<Concentration> cs(n);
    for (size_t p = 1; p < n; ++p) cs[p] = concentration(flows, int(p));
    a.concentration = std::move(cs);
  }
  if (which.systemic) {
    rank(impacts);
    a.systemic = std::move(impacts);
  }
  return a;
}

}  // namespace deal::rt
