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

// The vector kernels hold word w of several blocks in one register. A 32 × 32 → 64-bit
// multiply (pmuludq) takes the even 32-bit lanes, so the odd lanes are shifted down and
// multiplied separately; the products' high and low halves are then put back in lane order.
// The counters' low words of the lanes, as 32-bit integers: block + i for lane i.
void lane_counters(uint64_t first, int lanes, uint32_t* lo, uint32_t* hi) {
  for (int i = 0; i < lanes; ++i) {
    uint64_t c = first + uint64_t(i);
    lo[i] = uint32_t(c);
    hi[i] = uint32_t(c >> 32);
  }
}

inline void mulhilo_sse2(__m128i x, __m128i m, __m128i& hi, __m128i& lo) {
  const __m128i low = _mm_set1_epi64x(0xffffffff);
  __m128i even = _mm_mul_epu32(x, m), odd = _mm_mul_epu32(_mm_srli_epi64(x, 32), m);
  hi = _mm_or_si128(_mm_srli_epi64(even, 32), _mm_andnot_si128(low, odd));
  lo = _mm_or_si128(_mm_and_si128(even, low), _mm_slli_epi64(odd, 32));
}

void blocks_sse2(const uint32_t key[2], uint64_t block, const uint32_t path[2], uint32_t* out) {
  const __m128i m0 = _mm_set1_epi32(int(kM0)), m1 = _mm_set1_epi32(int(kM1));
  for (int g = 0; g < kPhiloxBlocks; g += 4) {
    alignas(16) uint32_t lo[4], hi[4];
    lane_counters(block + uint64_t(g), 4, lo, hi);
    __m128i x0 = _mm_load_si128(reinterpret_cast<const __m128i*>(lo));
    __m128i x1 = _mm_load_si128(reinterpret_cast<const __m128i*>(hi));
    __m128i x2 = _mm_set1_epi32(int(path[0])), x3 = _mm_set1_epi32(int(path[1]));
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < kRounds; ++r) {
      __m128i h0, l0, h1, l1;
      mulhilo_sse2(x0, m0, h0, l0);
      mulhilo_sse2(x2, m1, h1, l1);
      x0 = _mm_xor_si128(_mm_xor_si128(h1, x1), _mm_set1_epi32(int(k0)));
      x1 = l1;
      x2 = _mm_xor_si128(_mm_xor_si128(h0, x3), _mm_set1_epi32(int(k1)));
      x3 = l0;
      k0 += kW0;
      k1 += kW1;
    }
    // Transpose the 4 × 4 (word × block) tile to block-major order.
    __m128i a = _mm_unpacklo_epi32(x0, x1), b = _mm_unpackhi_epi32(x0, x1);
    __m128i c = _mm_unpacklo_epi32(x2, x3), d = _mm_unpackhi_epi32(x2, x3);
    auto* o = reinterpret_cast<__m128i*>(out + 4 * g);
    _mm_storeu_si128(o, _mm_unpacklo_epi64(a, c));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi64(a, c));
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi64(b, d));
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi64(b, d));
  }
}

__attribute__((target("avx2"))) inline void mulhilo_avx2(__m256i x, __m256i m, __m256i& hi, __m256i& lo) {
  const __m256i low = _mm256_set1_epi64x(0xffffffff);
  __m256i even = _mm256_mul_epu32(x, m), odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
  hi = _mm256_or_si256(_mm256_srli_epi64(even, 32), _mm256_andnot_si256(low, odd));
  lo = _mm256_or_si256(_mm256_and_si256(even, low), _mm256_slli_epi64(odd, 32));
}

__attribute__((target("avx2"))) void blocks_avx2(const uint32_t key[2], uint64_t block, const uint32_t path[2],
                                                 uint32_t* out) {
  const __m256i m0 = _mm256_set1_epi32(int(kM0)), m1 = _mm256_set1_epi32(int(kM1));
  for (int g = 0; g < kPhiloxBlocks; g += 8) {
    alignas(32) uint32_t lo[8], hi[8], words[4][8];
    lane_counters(block + uint64_t(g), 8, lo, hi);
    __m256i x0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
    __m256i x1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
    __m256i x2 = _mm256_set1_epi32(int(path[0])), x3 = _mm256_set1_epi32(int(path[1]));
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < kRounds; ++r) {
      __m256i h0, l0, h1, l1;
      mulhilo_avx2(x0, m0, h0, l0);
      mulhilo_avx2(x2, m1, h1, l1);
      x0 = _mm256_xor_si256(_mm256_xor_si256(h1, x1), _mm256_set1_epi32(int(k0)));
      x1 = l1;
      x2 = _mm256_xor_si256(_mm256_xor_si256(h0, x3), _mm256_set1_epi32(int(k1)));
      x3 = l0;
      k0 += kW0;
      k1 += kW1;
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[0]), x0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[1]), x1);
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[2]), x2);
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[3]), x3);
    for (int i = 0; i < 8; ++i)
      for (int w = 0; w < 4; ++w) out[4 * (g + i) + w] = words[w][i];
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
