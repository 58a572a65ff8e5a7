// Equity with cross-holdings (LANGUAGE.md §6.5; Elliott–Golub–Jackson).
//
//   equity_i = value_i + Σ_j holdings(i, j) · equity_j      for every live party i
//   equity_i = 0                                             for a defaulted party i
//
// Stakes in a defaulted issuer are worth nothing (and the driver removes them with
// Holdings::remove_issuer when the issuer defaults, so `holdings(P, Q)` reads 0). The
// live parties that take part in some holding form the system (I − H) e = v, solved
// exactly by a full-pivoting LU; a singular system (e.g. two parties owning all of each
// other) is an error that names the parties whose equity it leaves undetermined.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace deal::rt {

class Holdings {
 public:
  struct Entry {
    int holder = -1;
    int issuer = -1;
    double stake = 0.0;  // fraction of the issuer's equity
  };

  // Rounding slack when stakes are compared with 100% or with what a holder holds.
  static constexpr double kStakeTol = 1e-12;

  Holdings() = default;
  explicit Holdings(int parties) : parties_(parties) {}
  // A copy has the same entries, so it keeps the version; a moved-from object is changed.
  Holdings(const Holdings&) = default;
  Holdings& operator=(const Holdings&) = default;
  Holdings(Holdings&& o) noexcept : parties_(o.parties_), entries_(std::move(o.entries_)), version_(o.version_) {
    o.changed();
  }
  Holdings& operator=(Holdings&& o) noexcept {
    parties_ = o.parties_;
    entries_ = std::move(o.entries_);
    version_ = o.version_;
    o.changed();
    return *this;
  }

  int parties() const { return parties_; }
  // `own(holder, issuer, stake)`: adds to the holder's stake.
  void own(int holder, int issuer, double stake);
  // `sell(holder, issuer, stake)`: the holder must hold at least that much.
  void sell(int holder, int issuer, double stake);
  // `issue(issuer, holder, stake)`: new shares (LANGUAGE.md §5). Every existing stake in
  // `issuer` is diluted by 1 − stake, then `holder` receives `stake` (in [0, 1); holder −1 is World, which holds what no party does).
  void issue(int issuer, int holder, double stake);
  double stake(int holder, int issuer) const;
  // The sum of every holder's stake in `issuer`.
  double held_in(int issuer) const;
  // Every holder loses its stake in `issuer` (the issuer defaulted).
  void remove_issuer(int issuer);
  void clear() {
    entries_.clear();
    changed();
  }

  std::span<const Entry> entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  // A stamp of the entries, unique in the process: every change takes a fresh one, so two
  // Holdings (or one at two times) with the same version have the same entries in the same
  // order. The valuation cache compares versions instead of matrices.
  std::uint64_t version() const { return version_; }

 private:
  static std::uint64_t fresh_version() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
  void changed() { version_ = fresh_version(); }

  int parties_ = 0;
  std::vector<Entry> entries_;  // one per (holder, issuer), stake > 0
  std::uint64_t version_ = fresh_version();
};

// Reusable scratch memory for value_equity, one per thread. It keeps the last
// factorisation of I − H and reuses it while the holdings among live parties are the same,
// so a step's valuation is then one solve: recognised by the holdings' version and the
// default flags alone (nothing to rebuild), or, after a change, by the rebuilt system
// being equal to the cached one (e.g. every path of a Monte Carlo run starts from the
// same holdings).
struct ValuationCache;  // valuation.cpp
struct ValuationWorkspace {
  std::vector<int> index;    // party → row of the system, or -1
  std::vector<int> members;  // rows → party
  std::unique_ptr<ValuationCache> cache;

  ValuationWorkspace();
  ~ValuationWorkspace();
  ValuationWorkspace(ValuationWorkspace&&) noexcept;
  ValuationWorkspace& operator=(ValuationWorkspace&&) noexcept;
  // A copy starts with an empty cache (caches are not shared between threads).
  ValuationWorkspace(const ValuationWorkspace& o);
  ValuationWorkspace& operator=(const ValuationWorkspace& o);
};

// equity[i] for every party. `defaulted` may be empty (nobody defaulted); `names` is used
// in the error message for a singular system (indices are printed without it).
void value_equity(std::span<const double> value, const Holdings& holdings, std::span<const std::uint8_t> defaulted,
                  std::span<double> equity, ValuationWorkspace& ws, std::span<const std::string> names = {});
std::vector<double> value_equity(std::span<const double> value, const Holdings& holdings,
                                 std::span<const std::uint8_t> defaulted = {}, std::span<const std::string> names = {});

}  // namespace deal::rt
