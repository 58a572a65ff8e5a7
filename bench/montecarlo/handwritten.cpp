// The Monte Carlo benchmark network written by hand in C++ (no JIT, no driver): the
// practical limit for `deal run`. It does the same work per path as the .deal program
// generate.py writes — the same draws from the same Philox stream in the same order, the
// same obligations in the same order, the same exact clearing (deal::rt::clear), the same
// default handling — and the same statistics: default probabilities, mean final cash,
// ledger totals, and the mean and percentiles of the tracked cash series.
//
// Usage: bench_montecarlo_cpp network.json [--paths N] [--seed S] > result.json
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/clearing.hpp"
#include "runtime/random.hpp"
#include "runtime/statistics.hpp"

using deal::rt::ClearingInput;
using deal::rt::ClearingResult;
using deal::rt::ClearingWorkspace;
using deal::rt::kWorld;
using deal::rt::Obligation;
using deal::rt::RandomStream;

namespace {

struct Party {
  std::string name;
  double cash, revenue, cost, sigma, hazard;
};
struct Deal {
  int buyer, seller, start, term;
  double amount;
};

struct Network {
  int steps = 0;
  double dt = 0.25, market_mean = 0, market_sd = 0;
  long long paths = 0;
  unsigned long long seed = 0;
  std::vector<Party> parties;
  std::vector<Deal> deals;
  std::vector<int> tracked;
  std::vector<std::vector<int>> deals_of;  // per party: the deals naming it
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
  for (const auto& p : j["parties"])
    n.parties.push_back({p["name"], p["cash"], p["revenue"], p["cost"], p["sigma"], p["hazard"]});
  for (const auto& d : j["deals"]) n.deals.push_back({d["buyer"], d["seller"], d["start"], d["term"], d["amount"]});
  for (int t : j["tracked"]) n.tracked.push_back(t);
  n.deals_of.resize(n.parties.size());
  for (size_t k = 0; k < n.deals.size(); ++k) {
    n.deals_of[size_t(n.deals[k].buyer)].push_back(int(k));
    n.deals_of[size_t(n.deals[k].seller)].push_back(int(k));
  }
  return n;
}

// One path's state and the buffers reused from path to path.
struct Path {
  const Network& net;
  size_t n;
  std::vector<double> cash, revenue, credit, debt;
  std::vector<std::uint8_t> defaulted, deal_alive;
  std::vector<int> default_step, newly;
  std::vector<Obligation> obligations;
  ClearingWorkspace ws;
  ClearingResult cr;
  double due = 0, paid = 0;
  long long rows = 0;

  explicit Path(const Network& nw) : net(nw), n(nw.parties.size()) {
    credit.assign(n, 0.0);
    debt.assign(n, 0.0);
  }

  void force_default(int i, int k) {
    defaulted[size_t(i)] = 1;
    default_step[size_t(i)] = k;
    newly.push_back(i);
  }

  // Clears, then ends the deals of every new defaulter, until nothing is left (§6 4–5).
  void settle(int k) {
    for (;;) {
      if (!obligations.empty()) {
        ClearingInput in;
        in.obligations = obligations;
        in.cash = cash;
        in.credit = credit;
        in.debt = debt;
        in.defaulted = defaulted;
        in.step = k;
        deal::rt::clear(in, ws, cr);
        for (size_t o = 0; o < obligations.size(); ++o) {
          due += obligations[o].amount;
          paid += cr.paid[o];
        }
        rows += (long long)obligations.size();
        std::copy(cr.cash.begin(), cr.cash.end(), cash.begin());
        for (const auto& e : cr.defaults) force_default(e.party, k);
        obligations.clear();
      }
      if (newly.empty()) return;
      for (int i : newly)
        for (int d : net.deals_of[size_t(i)]) deal_alive[size_t(d)] = 0;
      newly.clear();
    }
  }

  // Runs path p; `record(k)` after each step.
  template <class Record>
  void run(long long p, Record record) {
    RandomStream rng(net.seed, uint64_t(p));
    const double dt = net.dt, sqrt_dt = std::sqrt(dt);
    const double market = net.market_mean + net.market_sd * rng.std_normal();
    cash.resize(n);
    revenue.resize(n);
    for (size_t i = 0; i < n; ++i) {
      cash[i] = net.parties[i].cash;
      revenue[i] = net.parties[i].revenue;
    }
    defaulted.assign(n, 0);
    default_step.assign(n, -1);
    deal_alive.assign(net.deals.size(), 1);
    for (int k = 0; k < net.steps; ++k) {
      // Parties: fail outright, or move revenue and pay running costs.
      for (size_t i = 0; i < n; ++i) {
        if (defaulted[i]) continue;
        const Party& q = net.parties[i];
        if (rng.bernoulli(q.hazard)) {
          force_default(int(i), k);
          continue;
        }
        double z = rng.std_normal();
        revenue[i] = revenue[i] * std::exp(dt * market + z * (sqrt_dt * q.sigma));
        obligations.push_back({kWorld, int(i), 1, -1, revenue[i] * dt});
        obligations.push_back({int(i), kWorld, 1, -1, dt * q.cost});
      }
      // Supply contracts in their window; a defaulted buyer creates no obligation.
      for (size_t d = 0; d < net.deals.size(); ++d) {
        const Deal& x = net.deals[d];
        if (!deal_alive[d] || k < x.start || k >= x.start + x.term) continue;
        if (defaulted[size_t(x.buyer)]) continue;
        obligations.push_back({x.buyer, x.seller, 1, int(d), x.amount * 0.25});
      }
      settle(k);
      record(k);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_montecarlo_cpp network.json [--paths N] [--seed S]\n");
    return 2;
  }
  Network net = load(argv[1]);
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--paths") net.paths = std::stoll(argv[i + 1]);
    else if (a == "--seed") net.seed = std::stoull(argv[i + 1]);
  }
  const size_t n = net.parties.size(), nt = net.tracked.size(), steps = size_t(net.steps);
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();

  Path path(net);
  std::vector<long long> defaults(n, 0);
  std::vector<deal::rt::CompensatedSum> final_cash(n);
  std::vector<std::vector<double>> track(nt * steps, std::vector<double>(size_t(net.paths)));
  deal::rt::CompensatedSum due, paid;
  long long rows = 0;
  for (long long p = 0; p < net.paths; ++p) {
    path.due = path.paid = 0;
    path.rows = 0;
    path.run(p, [&](int k) {
      for (size_t t = 0; t < nt; ++t) track[t * steps + size_t(k)][size_t(p)] = path.cash[size_t(net.tracked[t])];
    });
    for (size_t i = 0; i < n; ++i) {
      if (path.default_step[i] >= 0) ++defaults[i];
      final_cash[i].add(path.cash[i]);
    }
    due.add(path.due);
    paid.add(path.paid);
    rows += path.rows;
  }
  nlohmann::json series = nlohmann::json::object();
  for (size_t t = 0; t < nt; ++t) {
    nlohmann::json mean = nlohmann::json::array(), p5 = mean, p50 = mean, p95 = mean;
    for (size_t k = 0; k < steps; ++k) {
      deal::rt::Summary s = deal::rt::summarize_exact(track[t * steps + k]);
      mean.push_back(s.mean);
      p5.push_back(s.p5);
      p50.push_back(s.p50);
      p95.push_back(s.p95);
    }
    series[net.parties[size_t(net.tracked[t])].name + ".cash"] = {
        {"mean", mean}, {"p5", p5}, {"p50", p50}, {"p95", p95}};
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu_seconds = double(std::clock() - c0) / CLOCKS_PER_SEC;

  nlohmann::json out;
  out["implementation"] = "hand-written C++";
  out["paths"] = net.paths;
  out["seed"] = net.seed;
  out["seconds"] = seconds;
  out["cpu_seconds"] = cpu_seconds;
  out["paths_per_second"] = double(net.paths) / seconds;
  nlohmann::json parties = nlohmann::json::object();
  for (size_t i = 0; i < n; ++i)
    parties[net.parties[i].name] = {{"default_probability", double(defaults[i]) / double(net.paths)},
                                    {"final_cash", final_cash[i].value() / double(net.paths)}};
  out["parties"] = parties;
  out["series"] = series;
  out["ledger"] = {{"rows", (rows + net.paths / 2) / net.paths},
                   {"due", due.value() / double(net.paths)},
                   {"paid", paid.value() / double(net.paths)}};
  std::printf("%s\n", out.dump(1).c_str());
  return 0;
}
