// The random streams' two bulk steps, each against doing it one at a time: a refill's 16
// Philox blocks with each kernel this machine runs (Random123 one block after another is
// the `portable` kernel), and standard normals drawn from a stream (a refill's 32 inverted
// together) against inverse_normal_cdf(uniform01()) one by one. The items/s counter is
// blocks per second and normals per second. Figures: bench/README.md.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "runtime/philox.hpp"
#include "runtime/random.hpp"

using deal::rt::PhiloxKernel;

namespace {

void philox(benchmark::State& state, PhiloxKernel kernel) {
  if (!deal::rt::philox_kernel_available(kernel)) {
    state.SkipWithError("this processor cannot run the kernel");
    return;
  }
  const uint32_t key[2] = {7, 0}, path[2] = {3, 0};
  uint32_t out[4 * deal::rt::kPhiloxBlocks];
  uint64_t block = 0;
  for (auto _ : state) {
    deal::rt::philox4x32_blocks(kernel, key, block, path, out);
    block += deal::rt::kPhiloxBlocks;
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * deal::rt::kPhiloxBlocks);
}
BENCHMARK_CAPTURE(philox, portable, PhiloxKernel::portable);
BENCHMARK_CAPTURE(philox, sse2, PhiloxKernel::sse2);
BENCHMARK_CAPTURE(philox, avx2, PhiloxKernel::avx2);

void normals_batched(benchmark::State& state) {
  deal::rt::RandomStream s(7, 3);
  for (auto _ : state) benchmark::DoNotOptimize(s.std_normal());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(normals_batched);

void normals_one_at_a_time(benchmark::State& state) {
  deal::rt::RandomStream s(7, 3);
  for (auto _ : state) benchmark::DoNotOptimize(deal::rt::inverse_normal_cdf(s.uniform01()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(normals_one_at_a_time);

}  // namespace

BENCHMARK_MAIN();
