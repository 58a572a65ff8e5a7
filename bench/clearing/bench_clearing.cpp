// Clearing benchmark: networks of 10 … 10,000 parties with ~10 obligations each.
//
//   NoDefault    every party can pay: the fast path, linear in the number of obligations
//   Cascade      parties are barely solvent and 1% of them lose their cash: a large
//                default cascade cleared exactly (one priority level, Eisenberg–Noe)
//   CascadeRV    the same with two priority levels and alpha = beta = 0.9
//   CascadeExact the Eisenberg–Noe cascade with the propagation phase switched off, so
//                that the exact rounds alone find the cascade (one wave per round)
//
// Each run reuses one ClearingWorkspace and ClearingResult, as a Monte Carlo driver does.
// Counters: obligations per second, parties defaulted, rounds and linear solves.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "runtime/clearing.hpp"

using namespace deal::rt;

namespace {

struct Network {
  std::vector<Obligation> obs;
  std::vector<double> cash;
};

// n parties; each owes `degree` random others and World; cash covers what it owes beyond
// what it receives, plus a margin (a fraction of its dues). `shocked` parties lose all cash.
Network make_network(int n, int degree, double margin, double shocked_share, bool priorities, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  Network net;
  net.obs.reserve(size_t(n) * size_t(degree + 2));
  std::vector<double> owed(size_t(n), 0.0), recv(size_t(n), 0.0);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < degree - 1; ++k) {
      int j = int(U(g) * n);
      if (j == i) j = (j + 1) % n;
      const double a = 1e6 * (1 + 99 * U(g));
      net.obs.push_back(Obligation{i, j, priorities ? 1 + int(U(g) * 2) : 1, -1, a});
      owed[size_t(i)] += a;
      recv[size_t(j)] += a;
    }
    const double w = 1e6 * (1 + 49 * U(g));  // running costs to World
    net.obs.push_back(Obligation{i, kWorld, 1, -1, w});
    owed[size_t(i)] += w;
    const double in = 1e6 * (1 + 49 * U(g));  // revenue from World
    net.obs.push_back(Obligation{kWorld, i, 1, -1, in});
    recv[size_t(i)] += in;
  }
  net.cash.resize(size_t(n));
  for (int i = 0; i < n; ++i)
    net.cash[size_t(i)] = std::max(0.0, owed[size_t(i)] - recv[size_t(i)]) + margin * owed[size_t(i)];
  const int hit = shocked_share > 0 ? std::max(1, int(shocked_share * n)) : 0;
  for (int k = 0; k < hit; ++k) net.cash[size_t(U(g) * n)] = 0.0;
  return net;
}

void run(benchmark::State& state, double margin, double shocked, bool priorities, double ab, bool propagate) {
  const int n = int(state.range(0));
  const Network net = make_network(n, 10, margin, shocked, priorities, 42);
  ClearingInput in;
  in.obligations = net.obs;
  in.cash = net.cash;
  in.options.alpha = in.options.beta = ab;
  in.options.propagate = propagate;
  ClearingWorkspace ws;
  ClearingResult out;
  clear(in, ws, out);  // warm the buffers
  for (auto _ : state) {
    clear(in, ws, out);
    benchmark::DoNotOptimize(out.paid.data());
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(net.obs.size()));
  state.counters["obligations"] = double(net.obs.size());
  state.counters["defaults"] = double(out.defaults.size());
  state.counters["rounds"] = out.stats.rounds;
  state.counters["solves"] = out.stats.linear_solves;
  state.counters["block"] = out.stats.largest_block;
}

void NoDefault(benchmark::State& s) { run(s, 0.05, 0.0, false, 1.0, true); }
void Cascade(benchmark::State& s) { run(s, 0.0, 0.05, false, 1.0, true); }
void CascadeRV(benchmark::State& s) { run(s, 0.02, 0.02, true, 0.9, true); }
void CascadeExact(benchmark::State& s) { run(s, 0.0, 0.05, false, 1.0, false); }

}  // namespace

BENCHMARK(NoDefault)->RangeMultiplier(10)->Range(10, 10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(Cascade)->RangeMultiplier(10)->Range(10, 10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(CascadeRV)->RangeMultiplier(10)->Range(10, 10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(CascadeExact)->RangeMultiplier(10)->Range(10, 10000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
