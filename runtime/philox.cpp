#include "runtime/philox.hpp"

#include <Random123/philox.h>

#include <stdexcept>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DEAL_PHILOX_X86 1
#include <immintrin.h>
#endif

namespace deal::rt {
namespace {

// Random123's constants: the round's multipliers and the key schedule's Weyl increments.
// A round maps the words (x0, x1, x2, x3) to {hi(M1·x2) ^ x1 ^ k0, lo(M1·x2),
// hi(M0·x0) ^ x3 ^ k1, lo(M0·x0)}; the key (k0, k1) is bumped between rounds.
constexpr uint32_t kM0 = PHILOX_M4x32_0, kM1 = PHILOX_M4x32_1;
constexpr uint32_t kW0 = PHILOX_W32_0, kW1 = PHILOX_W32_1;
constexpr int kRounds = r123::Philox4x32::rounds;

// One block after another: Random123's own Philox4x32 (Debian's librandom123-dev), the
// reference the vector kernels are checked against.
void blocks_portable(const uint32_t key[2], uint64_t block, const uint32_t path[2], uint32_t* out) {
  r123::Philox4x32 philox;
  r123::Philox4x32::key_type k = {{key[0], key[1]}};
  for (int b = 0; b < kPhiloxBlocks; ++b) {
    uint64_t c = block + uint64_t(b);
    r123::Philox4x32::ctr_type words = philox({{uint32_t(c), uint32_t(c >> 32), path[0], path[1]}}, k);
    for (int w = 0; w < 4; ++w) out[4 * b + w] = words[w];
  }
}

#ifdef DEAL_PHILOX_X86

// The vector kernels hold each of a block's four words in its own 64-bit lane, the low 32
// bits the word and the high 32 bits don't-care: pmuludq multiplies the low halves into a
// full 64-bit product, whose high half is the word `hi` (one shift) and whose low half is
// already `lo` (the don't-care half above it never reaches a multiply or the output, and
// XOR keeps halves apart). A round is then two multiplies, two shifts and four XORs for a
// register of blocks. Two registers per word are in flight at once for the pipeline.

void blocks_sse2(const uint32_t key[2], uint64_t block, const uint32_t path[2], uint32_t* out) {
  const __m128i m0 = _mm_set1_epi64x(kM0), m1 = _mm_set1_epi64x(kM1);
  for (int g = 0; g < kPhiloxBlocks; g += 4) {  // blocks g … g + 3, two per register
    __m128i x0[2], x1[2], x2[2], x3[2];
    for (int h = 0; h < 2; ++h) {
      uint64_t c = block + uint64_t(g + 2 * h);
      x0[h] = _mm_set_epi64x(int64_t(uint32_t(c + 1)), int64_t(uint32_t(c)));
      x1[h] = _mm_set_epi64x(int64_t((c + 1) >> 32), int64_t(c >> 32));
      x2[h] = _mm_set1_epi64x(path[0]);
      x3[h] = _mm_set1_epi64x(path[1]);
    }
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < kRounds; ++r) {
      const __m128i key0 = _mm_set1_epi64x(k0), key1 = _mm_set1_epi64x(k1);
      for (int h = 0; h < 2; ++h) {
        __m128i p0 = _mm_mul_epu32(x0[h], m0), p1 = _mm_mul_epu32(x2[h], m1);
        x0[h] = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(p1, 32), x1[h]), key0);
        x1[h] = p1;
        x2[h] = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(p0, 32), x3[h]), key1);
        x3[h] = p0;
      }
      k0 += kW0;
      k1 += kW1;
    }
    for (int h = 0; h < 2; ++h) {  // the low halves, block-major
      __m128i a = _mm_unpacklo_epi32(x0[h], x1[h]), b = _mm_unpackhi_epi32(x0[h], x1[h]);
      __m128i c = _mm_unpacklo_epi32(x2[h], x3[h]), d = _mm_unpackhi_epi32(x2[h], x3[h]);
      auto* o = reinterpret_cast<__m128i*>(out + 4 * (g + 2 * h));
      _mm_storeu_si128(o, _mm_unpacklo_epi64(a, c));
      _mm_storeu_si128(o + 1, _mm_unpacklo_epi64(b, d));
    }
  }
}

__attribute__((target("avx2"))) void blocks_avx2(const uint32_t key[2], uint64_t block, const uint32_t path[2],
                                                 uint32_t* out) {
  const __m256i m0 = _mm256_set1_epi64x(kM0), m1 = _mm256_set1_epi64x(kM1);
  for (int g = 0; g < kPhiloxBlocks; g += 8) {  // blocks g … g + 7, four per register
    __m256i x0[2], x1[2], x2[2], x3[2];
    for (int h = 0; h < 2; ++h) {
      // Lanes in the order blocks 0, 2, 1, 3 of the register's four, so that the unpacking
      // below, which works within 128-bit halves, puts consecutive blocks side by side.
      uint64_t c = block + uint64_t(g + 4 * h);
      x0[h] = _mm256_set_epi64x(int64_t(uint32_t(c + 3)), int64_t(uint32_t(c + 1)), int64_t(uint32_t(c + 2)),
                                int64_t(uint32_t(c)));
      x1[h] =
          _mm256_set_epi64x(int64_t((c + 3) >> 32), int64_t((c + 1) >> 32), int64_t((c + 2) >> 32), int64_t(c >> 32));
      x2[h] = _mm256_set1_epi64x(path[0]);
      x3[h] = _mm256_set1_epi64x(path[1]);
    }
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < kRounds; ++r) {
      const __m256i key0 = _mm256_set1_epi64x(k0), key1 = _mm256_set1_epi64x(k1);
      for (int h = 0; h < 2; ++h) {
        __m256i p0 = _mm256_mul_epu32(x0[h], m0), p1 = _mm256_mul_epu32(x2[h], m1);
        x0[h] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1[h]), key0);
        x1[h] = p1;
        x2[h] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3[h]), key1);
        x3[h] = p0;
      }
      k0 += kW0;
      k1 += kW1;
    }
    for (int h = 0; h < 2; ++h) {
      // Within each 128-bit half (lanes: blocks 0 and 2 low, 1 and 3 high — see above), a
      // is {w0, w1} of the half's first lane and b of its second; c and d the same of w2,
      // w3. So one register holds blocks 0 and 1 whole, the other 2 and 3.
      __m256i a = _mm256_unpacklo_epi32(x0[h], x1[h]), b = _mm256_unpackhi_epi32(x0[h], x1[h]);
      __m256i c = _mm256_unpacklo_epi32(x2[h], x3[h]), d = _mm256_unpackhi_epi32(x2[h], x3[h]);
      auto* o = reinterpret_cast<__m256i*>(out + 4 * (g + 4 * h));
      _mm256_storeu_si256(o, _mm256_unpacklo_epi64(a, c));
      _mm256_storeu_si256(o + 1, _mm256_unpacklo_epi64(b, d));
    }
  }
}

#endif

using Kernel = void (*)(const uint32_t*, uint64_t, const uint32_t*, uint32_t*);

Kernel kernel_of(PhiloxKernel kernel) {
  switch (kernel) {
    case PhiloxKernel::portable:
      return blocks_portable;
#ifdef DEAL_PHILOX_X86
    case PhiloxKernel::sse2:
      return blocks_sse2;
    case PhiloxKernel::avx2:
      return __builtin_cpu_supports("avx2") ? blocks_avx2 : nullptr;
#else
    default:
      return nullptr;
#endif
  }
  return nullptr;
}

Kernel best_kernel() {
  for (PhiloxKernel k : {PhiloxKernel::avx2, PhiloxKernel::sse2})
    if (Kernel f = kernel_of(k)) return f;
  return blocks_portable;
}

}  // namespace

bool philox_kernel_available(PhiloxKernel kernel) { return kernel_of(kernel) != nullptr; }

void philox4x32_blocks(const uint32_t key[2], uint64_t block, const uint32_t path[2], uint32_t* out) {
  static const Kernel best = best_kernel();
  best(key, block, path, out);
}

void philox4x32_blocks(PhiloxKernel kernel, const uint32_t key[2], uint64_t block, const uint32_t path[2],
                       uint32_t* out) {
  Kernel f = kernel_of(kernel);
  if (!f) throw std::invalid_argument("this machine cannot run the requested Philox kernel");
  f(key, block, path, out);
}

}  // namespace deal::rt
