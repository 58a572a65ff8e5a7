// Reproducible random streams (LANGUAGE.md §6.4): one counter-based Philox4x32-10
// stream per (seed, path), so a path's draws do not depend on threads or scheduling.
// Samplers use only +, ×, ÷, sqrt and log (no std::*_distribution, whose output
// differs between standard libraries), so the same seed gives the same bits.
#pragma once

#include <cstdint>

namespace deal::rt {

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t path);

  uint32_t next_u32();
  // Uniform on the open interval (0, 1), 53 random bits.
  double uniform01();
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Standard normal by inversion (Wichura's AS 241, relative error ~1e-16).
  double std_normal();
  double normal(double mean, double sd) { return mean + sd * std_normal(); }
  double lognormal(double mu, double sigma, double scale);
  bool bernoulli(double p) { return uniform01() < p; }
  double triangular(double lo, double mode, double hi);

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
