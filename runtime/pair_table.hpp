// This step's payments summed per (receiver, payer) pair, for revenue_from().
//
// Two representations, chosen by the number of parties (World included):
//   * dense (parties² ≤ kDenseLimit, every model of a few dozen parties such as the AI
//     web): a parties × parties array of sums, each with the epoch in which it was last
//     written. A cleared payment is one add into its cell; clear() is one increment of the
//     epoch (a cell of an older epoch reads 0), so neither hashing nor a list of pending
//     payments is needed, and a read is one load and one compare.
//   * hashed (larger networks, where the dense array would not fit in cache): payments are
//     only listed as they are cleared; the first lookup after a clearing round adds the
//     new ones into an open-addressing hash table (emptied through the list of its used
//     slots, so clearing it costs what was added).
// Either way each pair's payments are added in clearing order starting from 0: the same
// bits as summing the list of its payments in that order, whichever representation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace deal::rt {

class PairTable {
 public:
  // Cells of the dense form at most (12 bytes each: 768 KiB).
  static constexpr size_t kDenseLimit = size_t(1) << 16;

  PairTable() = default;
  // Ids run from 0 to parties − 1; the dense array is allocated at the first payment, so a
  // model that never reads revenue_from (and adds nothing) pays nothing for it.
  explicit PairTable(int parties)
      : parties_(parties), dense_(parties > 0 && size_t(parties) * size_t(parties) <= kDenseLimit) {}

  void clear();
  // The dense form's cells for a loop of additions: plain pointers and the epoch, held in
  // registers (a stamp store could otherwise alias the table's own int members).
  struct DenseWriter {
    uint32_t* stamps;
    double* sums;
    uint32_t epoch;
    size_t stride;
    void add(int receiver, int payer, double v) const {
      const size_t i = size_t(receiver) * stride + size_t(payer);
      if (stamps[i] != epoch) {
        stamps[i] = epoch;
        sums[i] = 0;
      }
      sums[i] += v;
    }
  };
  // Only for the dense form (dense()).
  DenseWriter dense_writer() {
    if (stamps_.empty()) allocate_dense();
    return {stamps_.data(), sums_.data(), epoch_, size_t(parties_)};
  }
  void add(int receiver, int payer, double v) {
    if (dense_) return dense_writer().add(receiver, payer, v);
    pending_.push_back({receiver, payer, v});
  }
  double get(int receiver, int payer) {
    if (!dense_) return get_hashed(receiver, payer);
    if (uint32_t(receiver) >= uint32_t(parties_) || uint32_t(payer) >= uint32_t(parties_) || stamps_.empty())
      return 0.0;
    const size_t i = cell(receiver, payer);
    return stamps_[i] == epoch_ ? sums_[i] : 0.0;
  }
  // Whether the dense form is used.
  bool dense() const { return dense_; }

 private:
  [[gnu::noinline]] double get_hashed(int receiver, int payer);
  struct Pending {
    int receiver, payer;
    double paid;
  };
  size_t cell(int receiver, int payer) const { return size_t(receiver) * size_t(parties_) + size_t(payer); }
  void allocate_dense();
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
  int parties_ = 0;     // 0: unknown, always hashed
  bool dense_ = false;  // parties² ≤ kDenseLimit
  // Dense: the cell of (receiver, payer) holds a sum of this epoch when its stamp is epoch_.
  std::vector<uint32_t> stamps_;
  uint32_t epoch_ = 1;
  // Hashed: keys_ and sums_ are the table (sums_ is the dense form's sums too).
  std::vector<uint64_t> keys_;
  std::vector<double> sums_;
  std::vector<uint32_t> used_;
  std::vector<Pending> pending_;
  int shift_ = 58;
};

}  // namespace deal::rt
