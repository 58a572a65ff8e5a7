// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011), the counter-based generator under every random stream (random.hpp),
// computed a refill of consecutive blocks at a time. On x86-64 the blocks run in vector
// lanes (SSE2, which every x86-64 has, or AVX2 where the processor has it: chosen once, at
// the first refill); elsewhere Random123's Philox4x32 one block after another. Every kernel
// gives Random123's words (tests/unit/runtime/test_random.cpp), so the stream does not
// depend on the machine.
#pragma once

#include <cstdint>

namespace deal::rt {

// Blocks per call: 64 words, 32 uniforms.
constexpr int kPhiloxBlocks = 16;

enum class PhiloxKernel { portable, sse2, avx2 };

// Whether this build and processor can run the kernel (portable always can).
bool philox_kernel_available(PhiloxKernel kernel);

// Blocks {block, block + 1, …, block + 15} (the counter's low 64 bits; its high 64 bits
// are path[0], path[1]) under key[0], key[1]: block i's four words at out[4i … 4i + 3].
// The fastest available kernel.
void philox4x32_blocks(const uint32_t key[2], uint64_t block, const uint32_t path[2], uint32_t* out);
// The same with a given kernel (for tests and benchmarks; it must be available).
void philox4x32_blocks(PhiloxKernel kernel, const uint32_t key[2], uint64_t block, const uint32_t path[2],
                       uint32_t* out);

}  // namespace deal::rt
