// The Monte Carlo benchmark network as a tight flat-array C++ loop: the limit a compiled
// evaluator can aim for on this model. Unlike handwritten.cpp it uses nothing of the
// runtime but its random streams (runtime/random.cpp, compiled in: the same Philox
// draws in the same order, so default probabilities match `deal` exactly). The work is
// the same: every step it scans every firm and every live contract, builds the step's
// obligations in flat arrays, and clears them — one pass when everyone can pay, the
// exact Eisenberg–Noe clearing vector (fictitious default: the short set grows, its
// payments solved exactly by dense Gaussian elimination) only when someone is short. It
// keeps no ledger rows, no per-deal paid/due and no default causes: only the statistics
// run.py compares (default probabilities, mean final cash, ledger totals).
//
// Usage: bench_montecarlo_limit network.json [--paths N] [--seed S] > result.json
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/random.hpp"

namespace {

struct Network {
  int steps = 0;
  double dt = 0.25, market_mean = 0, market_sd = 0;
  long long paths = 0;
  unsigned long long seed = 0;
  std::vector<std::string> names;
  std::vector<double> cash0, revenue0, cost, sigma, hazard;  // per firm
  std::vector<int> buyer, seller, start, end;                // per contract, window [start, end)
  std::vector<double> amount;
  std::vector<int> deals_of_start, deals_of;  // CSR: the contracts naming each firm
};

Network load(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  Network n;
  n.steps = j["steps"];
  n.dt = j["dt"];
  n.paths = j["paths"];
  n.seed = j["seed"];
  n.market_mean = j["market"]["mean"];
  n.market_sd = j["market"]["sd"];
  for (const auto& p : j["parties"]) {
    n.names.push_back(p["name"]);
    n.cash0.push_back(p["cash"]);
    n.revenue0.push_back(p["revenue"]);
    n.cost.push_back(p["cost"]);
    n.sigma.push_back(p["sigma"]);
    n.hazard.push_back(p["hazard"]);
  }
  for (const auto& d : j["deals"]) {
    n.buyer.push_back(d["buyer"]);
    n.seller.push_back(d["seller"]);
    n.start.push_back(d["start"]);
    n.end.push_back(int(d["start"]) + int(d["term"]));
    n.amount.push_back(double(d["amount"]) * 0.25);  // per quarter
  }
  size_t np = n.names.size();
  std::vector<std::vector<int>> of(np);
  for (size_t k = 0; k < n.buyer.size(); ++k) {
    of[size_t(n.buyer[k])].push_back(int(k));
    of[size_t(n.seller[k])].push_back(int(k));
  }
  for (const auto& v : of) {
    n.deals_of_start.push_back(int(n.deals_of.size()));
    n.deals_of.insert(n.deals_of.end(), v.begin(), v.end());
  }
  n.deals_of_start.push_back(int(n.deals_of.size()));
  return n;
}

// Solves A x = b in place (A n×n row-major, partial pivoting); x returned in b.
void solve_dense(std::vector<double>& a, std::vector<double>& b, size_t n) {
  for (size_t c = 0; c < n; ++c) {
    size_t p = c;
    for (size_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r * n + c]) > std::fabs(a[p * n + c])) p = r;
    if (p != c) {
      for (size_t k = 0; k < n; ++k) std::swap(a[c * n + k], a[p * n + k]);
      std::swap(b[c], b[p]);
    }
    double d = a[c * n + c];
    for (size_t r = c + 1; r < n; ++r) {
      double f = a[r * n + c] / d;
      if (f == 0) continue;
      for (size_t k = c; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
      b[r] -= f * b[c];
    }
  }
  for (size_t c = n; c-- > 0;) {
    double s = b[c];
    for (size_t k = c + 1; k < n; ++k) s -= a[c * n + k] * b[k];
    b[c] = s / a[c * n + c];
  }
}

struct Path {
  const Network& net;
  size_t n;  // firms; index n is World
  // Per firm (and World at n).
  std::vector<double> cash, revenue, owe, in, ratio;
  std::vector<std::uint8_t> defaulted, alive;  // firms; contracts
  std::vector<int> default_step, in_short, dindex, newly;
  // The step's obligations, structure of arrays.
  std::vector<int> from, to;
  std::vector<double> due;
  // Slow path scratch.
  std::vector<int> shortset;
  std::vector<double> a, b;
  double total_due = 0, total_paid = 0;
  long long rows = 0;

  explicit Path(const Network& nw) : net(nw), n(nw.names.size()) {
    cash.resize(n + 1);
    revenue.resize(n);
    owe.resize(n + 1);
    in.resize(n + 1);
    ratio.resize(n + 1);
    in_short.resize(n + 1);
    dindex.resize(n + 1);
    from.reserve(4 * n + nw.buyer.size());
    to.reserve(from.capacity());
    due.reserve(from.capacity());
  }

  void add(int f, int t, double x) {
    from.push_back(f);
    to.push_back(t);
    due.push_back(x);
  }

  bool short_of(size_t i) const { return cash[i] + in[i] < owe[i] - 1e-12 * (owe[i] + cash[i]); }

  // Clears the step's obligations; marks who could not pay in full.
  void clear(int k) {
    const size_t m = due.size();
    std::fill(owe.begin(), owe.end(), 0.0);
    std::fill(in.begin(), in.end(), 0.0);
    for (size_t o = 0; o < m; ++o) {
      owe[size_t(from[o])] += due[o];
      in[size_t(to[o])] += due[o];
    }
    rows += (long long)m;
    for (size_t o = 0; o < m; ++o) total_due += due[o];
    shortset.clear();
    for (size_t i = 0; i < n; ++i)
      if (short_of(i)) shortset.push_back(int(i));
    if (shortset.empty()) {  // the fast path: everyone pays in full
      for (size_t i = 0; i < n; ++i) cash[i] += in[i] - owe[i];
      for (size_t o = 0; o < m; ++o) total_paid += due[o];
      return;
    }
    // Fictitious default: solve the short set's payments exactly, grow the set, repeat.
    std::fill(ratio.begin(), ratio.end(), 1.0);
    std::fill(in_short.begin(), in_short.end(), 0);
    for (;;) {
      const size_t s = shortset.size();
      for (size_t q = 0; q < s; ++q) {
        in_short[size_t(shortset[q])] = 1;
        dindex[size_t(shortset[q])] = int(q);
      }
      // p_i = cash_i + Σ_{j∉S} due_ji + Σ_{j∈S} due_ji · p_j / owe_j   for i ∈ S
      a.assign(s * s, 0.0);
      b.assign(s, 0.0);
      for (size_t q = 0; q < s; ++q) {
        a[q * s + q] = 1.0;
        b[q] = cash[size_t(shortset[q])];
      }
      for (size_t o = 0; o < m; ++o) {
        size_t t = size_t(to[o]);
        if (t == n || !in_short[t]) continue;
        size_t f = size_t(from[o]);
        size_t r = size_t(dindex[t]);
        if (f != n && in_short[f]) a[r * s + size_t(dindex[f])] -= due[o] / owe[f];
        else b[r] += due[o];
      }
      solve_dense(a, b, s);
      for (size_t q = 0; q < s; ++q) {
        size_t i = size_t(shortset[q]);
        ratio[i] = std::clamp(b[q] / owe[i], 0.0, 1.0);
      }
      // Receipts at these ratios; anyone newly short joins the set.
      std::fill(in.begin(), in.end(), 0.0);
      for (size_t o = 0; o < m; ++o) in[size_t(to[o])] += due[o] * ratio[size_t(from[o])];
      size_t before = shortset.size();
      for (size_t i = 0; i < n; ++i)
        if (!in_short[i] && short_of(i)) shortset.push_back(int(i));
      if (shortset.size() == before) break;
    }
    for (size_t i = 0; i < n; ++i) {
      double pays = owe[i] * ratio[i];
      cash[i] = std::max(0.0, cash[i] + in[i] - pays);
      if (owe[i] - pays > 1.0 && !defaulted[i]) mark_default(i, k);
    }
    for (size_t o = 0; o < m; ++o) total_paid += due[o] * ratio[size_t(from[o])];
  }

  void mark_default(size_t i, int k) {
    defaulted[i] = 1;
    default_step[i] = k;
    newly.push_back(int(i));
  }

  template <class Record>
  void run(long long p, Record record) {
    deal::rt::RandomStream rng(net.seed, uint64_t(p));
    const double dt = net.dt, sqrt_dt = std::sqrt(dt);
    const double market = net.market_mean + net.market_sd * rng.std_normal();
    for (size_t i = 0; i < n; ++i) {
      cash[i] = net.cash0[i];
      revenue[i] = net.revenue0[i];
    }
    defaulted.assign(n, 0);
    default_step.assign(n, -1);
    alive.assign(net.buyer.size(), 1);
    const size_t nd = net.buyer.size();
    for (int k = 0; k < net.steps; ++k) {
      from.clear();
      to.clear();
      due.clear();
      for (size_t i = 0; i < n; ++i) {
        if (defaulted[i]) continue;
        if (rng.bernoulli(net.hazard[i])) {
          mark_default(i, k);
          continue;
        }
        double z = rng.std_normal();
        revenue[i] *= std::exp(dt * market + z * (sqrt_dt * net.sigma[i]));
        add(int(n), int(i), revenue[i] * dt);
        add(int(i), int(n), dt * net.cost[i]);
      }
      for (size_t d = 0; d < nd; ++d)
        if (alive[d] && k >= net.start[d] && k < net.end[d] && !defaulted[size_t(net.buyer[d])])
          add(net.buyer[d], net.seller[d], net.amount[d]);
      clear(k);
      // A defaulter's contracts end (after the step's clearing, as in `deal`).
      for (int i : newly)
        for (int q = net.deals_of_start[size_t(i)]; q < net.deals_of_start[size_t(i) + 1]; ++q)
          alive[size_t(net.deals_of[size_t(q)])] = 0;
      newly.clear();
      record(k);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_montecarlo_limit network.json [--paths N] [--seed S]\n");
    return 2;
  }
  Network net = load(argv[1]);
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--paths") net.paths = std::stoll(argv[i + 1]);
    else if (arg == "--seed") net.seed = std::stoull(argv[i + 1]);
  }
  const size_t n = net.names.size();
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  Path path(net);
  std::vector<long long> defaults(n, 0);
  std::vector<double> final_cash(n, 0.0);
  double due = 0, paid = 0;
  long long rows = 0;
  for (long long p = 0; p < net.paths; ++p) {
    path.total_due = path.total_paid = 0;
    path.rows = 0;
    path.run(p, [](int) {});
    for (size_t i = 0; i < n; ++i) {
      defaults[i] += path.default_step[i] >= 0;
      final_cash[i] += path.cash[i];
    }
    due += path.total_due;
    paid += path.total_paid;
    rows += path.rows;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu_seconds = double(std::clock() - c0) / CLOCKS_PER_SEC;
  nlohmann::json out;
  out["implementation"] = "flat-array C++ limit";
  out["paths"] = net.paths;
  out["seed"] = net.seed;
  out["seconds"] = seconds;
  out["cpu_seconds"] = cpu_seconds;
  out["paths_per_second"] = double(net.paths) / seconds;
  nlohmann::json parties = nlohmann::json::object();
  for (size_t i = 0; i < n; ++i)
    parties[net.names[i]] = {{"default_probability", double(defaults[i]) / double(net.paths)},
                             {"final_cash", final_cash[i] / double(net.paths)}};
  out["parties"] = parties;
  out["ledger"] = {{"rows", (rows + net.paths / 2) / net.paths},
                   {"due", due / double(net.paths)},
                   {"paid", paid / double(net.paths)}};
  std::printf("%s\n", out.dump(1).c_str());
  return 0;
}
