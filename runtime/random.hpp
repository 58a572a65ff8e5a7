// Reproducible random streams (LANGUAGE.md §6.4): one counter-based Philox4x32-10
// stream per (seed, path), so a path's draws do not depend on threads or scheduling.
// Samplers use only +, ×, ÷, sqrt, log and exp (no std::*_distribution, whose output
// differs between standard libraries), so the same seed gives the same bits: +, ×, ÷
// and sqrt are correctly rounded everywhere, random.cpp forbids fused multiply-adds, and
// log/exp come from the C library (glibc's are correctly rounded in practice; a platform
// whose libm differs in the last bit could differ there).
//
// Draw order: each path's stream starts at counter 0. One uniform01() uses two 32-bit
// words (a Philox block gives four); normal and lognormal use one uniform01() (inversion,
// never rejection), so every draw consumes a fixed number of words and a path's k-th draw
// does not depend on the values of the draws before it.
#pragma once

#include <cstdint>

namespace deal::rt {

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t path);

  uint32_t next_u32() {
    if (used_ == 4) refill();
    return buffer_[used_++];
  }
  // Uniform on the open interval (0, 1), 53 random bits from two consecutive words.
  double uniform01() {
    uint64_t hi, lo;
    if (used_ <= 2) {  // both words from the current block (the usual case)
      hi = buffer_[used_];
      lo = buffer_[used_ + 1];
      used_ += 2;
    } else {
      hi = next_u32();
      lo = next_u32();
    }
    uint64_t bits = ((hi >> 5) << 26) | (lo >> 6);     // 27 + 26 = 53 bits
    return (double(bits) + 0.5) / 9007199254740992.0;  // (0, 1), never 0 or 1
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Standard normal by inversion (Wichura's AS 241, relative error ~1e-16).
  double std_normal();
  double normal(double mean, double sd) { return mean + sd * std_normal(); }
  double lognormal(double mu, double sigma, double scale);
  bool bernoulli(double p) { return uniform01() < p; }
  double triangular(double lo, double mode, double hi);
  // An index in [0, count) with equal chances (`choice(a, b, …)`); 0 if count < 1.
  int index(int count);

 private:
  uint32_t key_[2];
  uint32_t counter_[4] = {0, 0, 0, 0};
  uint32_t buffer_[4] = {0, 0, 0, 0};
  int used_ = 4;
  void refill();
};

// Φ⁻¹(p) for p in (0, 1).
double inverse_normal_cdf(double p);

}  // namespace deal::rt
