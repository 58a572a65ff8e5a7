#include "runtime/pair_table.hpp"

#include <algorithm>
#include <bit>

namespace deal::rt {

void PairTable::clear() {
  if (dense()) {
    // Every cell now reads 0; after 2^32 − 1 clears the stamps are reset once.
    if (++epoch_ == 0) {
      std::fill(stamps_.begin(), stamps_.end(), 0u);
      epoch_ = 1;
    }
    return;
  }
  for (uint32_t i : used_) keys_[i] = kEmpty;
  used_.clear();
  pending_.clear();
}

double PairTable::get_hashed(int receiver, int payer) {
  if (!pending_.empty()) insert_pending();
  if (keys_.empty()) return 0;
  uint64_t k = key(receiver, payer);
  size_t i = find(k);
  return keys_[i] == k ? sums_[i] : 0.0;
}

void PairTable::allocate_dense() {
  const size_t cells = size_t(parties_) * size_t(parties_);
  stamps_.assign(cells, 0u);  // stamp 0 is never the current epoch
  sums_.assign(cells, 0.0);
}

void PairTable::insert_pending() {
  for (const Pending& p : pending_) insert(p.receiver, p.payer, p.paid);
  pending_.clear();
}

void PairTable::insert(int receiver, int payer, double v) {
  if ((used_.size() + 1) * 2 > keys_.size()) grow();
  uint64_t k = key(receiver, payer);
  size_t i = find(k);
  if (keys_[i] == kEmpty) {
    keys_[i] = k;
    sums_[i] = 0;
    used_.push_back(uint32_t(i));
  }
  sums_[i] += v;
}

void PairTable::grow() {
  std::vector<uint64_t> old_keys(std::max<size_t>(64, keys_.size() * 2), kEmpty);
  shift_ = 64 - std::countr_zero(old_keys.size());
  std::vector<double> old_sums(old_keys.size(), 0.0);
  old_keys.swap(keys_);
  old_sums.swap(sums_);
  std::vector<uint32_t> old_used;
  old_used.swap(used_);
  for (uint32_t j : old_used) {
    size_t i = find(old_keys[j]);
    keys_[i] = old_keys[j];
    sums_[i] = old_sums[j];
    used_.push_back(uint32_t(i));
  }
}

}  // namespace deal::rt
