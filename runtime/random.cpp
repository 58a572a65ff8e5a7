#include "runtime/random.hpp"

#include <algorithm>
#include <cmath>

// No fused multiply-adds: a*b+c rounded once would give other bits on machines with FMA.
// (GCC does not contract in ISO C++ mode, -std=c++20, which the build uses; Clang would.)
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

namespace deal::rt {

RandomStream::RandomStream(uint64_t seed, uint64_t path) {
  // The key is the seed; the path index occupies the high half of the counter, so every
  // path has its own 2^64-draw-block stream.
  key_[0] = uint32_t(seed);
  key_[1] = uint32_t(seed >> 32);
  path_[0] = uint32_t(path);
  path_[1] = uint32_t(path >> 32);
}

void RandomStream::refill() {
  philox4x32_blocks(key_, block_, path_, words_);
  block_ += kBlocks;
  used_ = 0;
  normals_ready_ = false;
}

namespace {

// AS 241's two pieces, shared by the scalar and the batched inversion so that both
// perform the same operations in the same order.
inline double central_normal(double q) {
  double r = 0.180625 - q * q;
  return q *
         (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
              45921.953931549871457) *
                 r +
             13731.693765509461125) *
                r +
            1971.5909503065514427) *
               r +
           133.14166789178437745) *
              r +
          3.387132872796366608) /
         (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
              21213.794301586595867) *
                 r +
             5394.1960214247511077) *
                r +
            687.1870074920579083) *
               r +
           42.313330701600911252) *
              r +
          1.0);
}

double tail_normal(double p, double q) {
  double r = q < 0 ? p : 1 - p;
  r = std::sqrt(-std::log(r));
  double x;
  if (r <= 5) {
    r -= 1.6;
    x = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
             1.27045825245236838258) *
                r +
            3.64784832476320460504) *
               r +
           5.7694972214606914055) *
              r +
          4.6303378461565452959) *
             r +
         1.42343711074968357734) /
        (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
             0.14810397642748007459) *
                r +
            0.68976733498510000455) *
               r +
           1.6763848301838038494) *
              r +
          2.05319162663775882187) *
             r +
         1.0);
  } else {
    r -= 5;
    x = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
             0.026532189526576123093) *
                r +
            0.29656057182850489123) *
               r +
           1.7848265399172913358) *
              r +
          5.4637849111641143699) *
             r +
         6.6579046435011037772) /
        (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
             7.868691311456132591e-4) *
                r +
            0.0148753612908506148525) *
               r +
           0.13692988092273580531) *
              r +
          0.59983220655588793769) *
             r +
         1.0);
  }
  return q < 0 ? -x : x;
}

// The 32 pairs of a refill at once: their uniforms (the 53 bits as two exact int32 →
// double conversions, which vectorise where a 64-bit one does not: the value uniform_of
// gives), the central range's rational function for all of them (branch-free, in vector
// lanes), then the tails — about 15% of draws — one by one. Built twice on x86-64 with GCC,
// for AVX2 and for the baseline, the processor choosing at load time (an ifunc): the same
// operations, correctly rounded, in either (AVX2 brings no fused multiply-add).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void invert_uniform_pairs(const uint32_t* words, double* normals) {
  constexpr int n = RandomStream::kPairs;
  double p[n], q[n];
  for (int i = 0; i < n; ++i) {
    double bits = double(int32_t(words[2 * i] >> 5)) * 67108864.0 + double(int32_t(words[2 * i + 1] >> 6));
    p[i] = (bits + 0.5) / 9007199254740992.0;
    q[i] = p[i] - 0.5;
  }
  for (int i = 0; i < n; ++i) normals[i] = central_normal(q[i]);
  for (int i = 0; i < n; ++i)
    if (!(std::fabs(q[i]) <= 0.425)) normals[i] = tail_normal(p[i], q[i]);
}

}  // namespace

double RandomStream::uniform01_refilling() {
  uint32_t hi = next_u32(), lo = next_u32();  // the pair may straddle two refills
  return uniform_of(hi, lo);
}

// std_normal's other cases: the refill is used up (refill, then invert it), its normals
// are not computed yet (invert them), or the next draw starts at an odd word (only after
// an odd number of next_u32): its pair may straddle two refills and is none of the pairs
// inverted together, so it is inverted alone.
double RandomStream::normal_inverting() {
  if (used_ == kWords) refill();
  if (used_ & 1) return inverse_normal_cdf(uniform01());
  if (!normals_ready_) {
    invert_uniform_pairs(words_, normals_);
    normals_ready_ = true;
  }
  double z = normals_[used_ >> 1];
  used_ += 2;
  return z;
}

double RandomStream::lognormal(double mu, double sigma, double scale) {
  return scale * std::exp(mu + sigma * std_normal());
}

int RandomStream::index(int count) {
  if (count < 1) return 0;
  // floor(u · count) with u in (0, 1): every index has probability 1/count up to 2^-53.
  int k = int(uniform01() * double(count));
  return std::min(k, count - 1);
}

double RandomStream::triangular(double lo, double mode, double hi) {
  double u = uniform01();
  if (hi <= lo) return lo;
  double f = (mode - lo) / (hi - lo);
  if (u < f) return lo + std::sqrt(u * (hi - lo) * (mode - lo));
  return hi - std::sqrt((1 - u) * (hi - lo) * (hi - mode));
}

// Wichura, "Algorithm AS 241: The percentage points of the normal distribution" (1988),
// PPND16: rational approximations on three ranges of q = p − 0.5.
double inverse_normal_cdf(double p) {
  double q = p - 0.5;
  return std::fabs(q) <= 0.425 ? central_normal(q) : tail_normal(p, q);
}

}  // namespace deal::rt
