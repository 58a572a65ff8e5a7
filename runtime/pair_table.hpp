// This step's payments summed per (receiver, payer) pair, for revenue_from().
//
// Payments are only listed as they are cleared; the first lookup after a clearing round
// adds the new ones into an open-addressing hash table (emptied through the list of its
// used slots, so clearing it costs what was added). Models that never call revenue_from
// pay for the list only. Each pair's payments are added in clearing order starting from
// 0: the same bits as summing the list of its payments in that order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace deal::rt {

class PairTable {
 public:
  void clear();
  void add(int receiver, int payer, double v) { pending_.push_back({receiver, payer, v}); }
  double get(int receiver, int payer) {
    if (!pending_.empty()) insert_pending();
    if (keys_.empty()) return 0;
    uint64_t k = key(receiver, payer);
    size_t i = find(k);
    return keys_[i] == k ? sums_[i] : 0.0;
  }

 private:
  struct Pending {
    int receiver, payer;
    double paid;
  };
  void insert_pending();
  void insert(int receiver, int payer, double v);
  void grow();

  static constexpr uint64_t kEmpty = ~uint64_t(0);
  static uint64_t key(int r, int p) { return (uint64_t(uint32_t(r)) << 32) | uint32_t(p); }
  size_t find(uint64_t k) const {
    // Fibonacci hashing: the top bits of k·2^64/φ depend on every bit of k.
    size_t mask = keys_.size() - 1, i = size_t((k * 0x9E3779B97F4A7C15ull) >> shift_);
    while (keys_[i] != kEmpty && keys_[i] != k) i = (i + 1) & mask;
    return i;
  }
  std::vector<uint64_t> keys_;
  std::vector<double> sums_;
  std::vector<uint32_t> used_;
  std::vector<Pending> pending_;
  int shift_ = 58;
};

}  // namespace deal::rt
