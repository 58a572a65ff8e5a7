// Reproducible random streams (LANGUAGE.md §6.4): one counter-based Philox4x32-10
// stream per (seed, path), so a path's draws do not depend on threads or scheduling.
// Samplers use only +, ×, ÷, sqrt, log and exp (no std::*_distribution, whose output
// differs between standard libraries), so the same seed gives the same bits: +, ×, ÷
// and sqrt are correctly rounded everywhere, random.cpp forbids fused multiply-adds, and
// log/exp come from the C library (glibc's are correctly rounded in practice; a platform
// whose libm differs in the last bit could differ there).
//
// Draw order: each path's stream starts at counter 0. One uniform01() uses two 32-bit
// words (a Philox block gives four, a refill sixteen blocks); normal and lognormal use one
// uniform01() (inversion, never rejection), so every draw consumes a fixed number of words
// and a path's k-th draw does not depend on the values of the draws before it.
#pragma once

#include <cstdint>

#include "runtime/philox.hpp"

namespace deal::rt {

class RandomStream {
 public:
  // A refill computes this many consecutive Philox blocks at once (in vector lanes,
  // philox.hpp); the words come in the same counter order as one block at a time, so the
  // stream is the same.
  static constexpr int kBlocks = kPhiloxBlocks;
  static constexpr int kWords = 4 * kBlocks;
  static constexpr int kPairs = kWords / 2;

  RandomStream(uint64_t seed, uint64_t path);

  uint32_t next_u32() {
    if (used_ == kWords) refill();
    return words_[used_++];
  }
  // Uniform on the open interval (0, 1), 53 random bits from two consecutive words. The
  // usual case inline and without calls (so a caller needs no stack frame for it); a
  // refill, out of line.
  double uniform01() {
    if (used_ + 2 <= kWords) [[likely]] {  // both words from the current refill
      double u = uniform_of(words_[used_], words_[used_ + 1]);
      used_ += 2;
      return u;
    }
    return uniform01_refilling();
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Standard normal by inversion (Wichura's AS 241, relative error ~1e-16): Φ⁻¹ of the
  // next uniform01(). Every draw takes a pair of words, so a refill's words are 32 pairs
  // at even offsets; the first normal asked of a refill inverts all 32 together (the
  // central range's rational function in vector lanes), and later normals of that refill
  // are a load. The same operations on the same uniforms: the same bits as one at a time.
  double std_normal() {
    if (normals_ready_ && (used_ & 1) == 0 && used_ < kWords) [[likely]] {
      double z = normals_[used_ >> 1];
      used_ += 2;
      return z;
    }
    return normal_inverting();
  }
  double normal(double mean, double sd) { return mean + sd * std_normal(); }
  double lognormal(double mu, double sigma, double scale);
  bool bernoulli(double p) { return uniform01() < p; }
  double triangular(double lo, double mode, double hi);
  // An index in [0, count) with equal chances (`choice(a, b, …)`); 0 if count < 1.
  int index(int count);

  // The uniform of words (hi, lo): their top 27 and 26 bits, (bits + ½) / 2⁵³.
  static double uniform_of(uint32_t hi, uint32_t lo) {
    uint64_t bits = (uint64_t(hi >> 5) << 26) | (lo >> 6);  // 27 + 26 = 53 bits
    return (double(bits) + 0.5) / 9007199254740992.0;       // (0, 1), never 0 or 1
  }

 private:
  uint32_t key_[2];
  uint64_t block_ = 0;  // the next refill's first block (the counter's low 64 bits)
  uint32_t path_[2];    // the counter's high 64 bits
  uint32_t words_[kWords] = {};
  int used_ = kWords;
  bool normals_ready_ = false;
  double normals_[kPairs];
  void refill();
  double uniform01_refilling();
  double normal_inverting();
};

// Φ⁻¹(p) for p in (0, 1).
double inverse_normal_cdf(double p);

}  // namespace deal::rt
