// The double-entry ledger: one row per obligation of every clearing round, plus the
// rows that move money outside contracts — credit draws (World, as lender, pays the
// party), default costs (the party pays World what Rogers–Veraart's cut destroyed) and
// `borrow` drawdowns. With these rows every change of the parties' cash is explained,
// which is what the conservation check (runtime/conservation.hpp) verifies.
//
// Totals are kept by kind as rows arrive, so a Monte Carlo driver can switch rows off
// (LedgerOptions::keep_rows = false) and still report §7.1's "ledger" object
// (contractual rows only), "credit_drawn" and "default_costs". The flow matrix F[i][j]
// (cumulative contractual payments from i to j, World as the last index) feeds the
// analyses (circularity, concentration); it takes (n+1)² doubles and can be switched off.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "runtime/clearing.hpp"

namespace deal::rt {

enum class FlowKind : std::uint8_t {
  Contractual,  // pay/receive: an obligation of a clearing round
  CreditDraw,   // World (the lender) → party: credit drawn in clearing; becomes debt
  DefaultCost,  // party → World: what a defaulter's resources lost (alpha, beta < 1)
  Borrow,       // World (the lender) → party: `borrow(party, amount)`
  Adjustment,   // a direct write of a party's cash (a shock's `A.cash -= $5B`, a party's
                // own `cash = …`): World → party when it rises, party → World when it falls
  // Resolution of a default (LANGUAGE.md §6.6):
  Claim,        // defaulted party → creditor: due = the claim, paid = what its estate recovered
  Liquidation,  // World → defaulted party: its `liquidation` value, added to its estate
  Surplus,      // defaulted party → holder of a stake in it (or World): what its estate had left
};
inline constexpr int kFlowKinds = 8;
const char* to_string(FlowKind k);

struct LedgerRow {
  std::int32_t step = 0;
  std::int32_t deal = -1;  // -1 when no deal created it
  std::int32_t from = kWorld;
  std::int32_t to = kWorld;
  std::int32_t priority = 1;
  FlowKind kind = FlowKind::Contractual;
  double due = 0.0;
  double paid = 0.0;
};

// §7.1: "ledger": { "rows": …, "due": …, "paid": … } — contractual rows only.
struct LedgerTotals {
  std::int64_t rows = 0;
  double due = 0.0;
  double paid = 0.0;
};

struct LedgerOptions {
  bool keep_rows = true;    // store every row (off for large Monte Carlo runs)
  bool track_flows = true;  // maintain the cumulative flow of each pair of parties
};

class Ledger {
 public:
  Ledger() = default;
  explicit Ledger(int parties, LedgerOptions options = {});

  int parties() const { return parties_; }
  const LedgerOptions& options() const { return options_; }

  // Appends one row (checked: parties in range, finite non-negative amounts).
  void append(const LedgerRow& row);
  // All rows of a clearing round, at step in.step: a row per obligation in input order —
  // contractual, or of kind Claim from index `first_claim` on (a resolution round puts the
  // estates' claims last) — then per party (in order) a credit-draw row and a default-cost
  // row where those are non-zero.
  // From `first_surplus` on, rows are estates' surpluses (kind Surplus, due = paid; none
  // when nothing was paid).
  void record(const ClearingInput& in, const ClearingResult& result, size_t first_claim = SIZE_MAX,
              size_t first_surplus = SIZE_MAX);
  void record_borrow(int step, int party, double amount);
  // A direct change of `party`'s cash by `delta` (a row of kind Adjustment; none for 0).
  void record_adjustment(int step, int party, double delta);
  // Empties the ledger for a new path; keeps its capacity.
  void reset();

  std::span<const LedgerRow> rows() const { return rows_; }
  LedgerTotals contractual() const { return totals(FlowKind::Contractual); }
  LedgerTotals totals(FlowKind kind) const { return totals_[int(kind)]; }
  double credit_drawn() const { return totals_[int(FlowKind::CreditDraw)].paid; }
  double default_costs() const { return totals_[int(FlowKind::DefaultCost)].paid; }
  double borrowed() const { return totals_[int(FlowKind::Borrow)].paid; }
  // Net money the adjustment rows brought in (World → parties minus parties → World).
  double adjusted_in() const { return adjusted_in_; }
  double adjusted_out() const { return adjusted_out_; }

  // Money that crossed the boundary of the modelled parties, all kinds, cumulative.
  double paid_by_world() const { return world_out_; }  // World → parties
  double paid_to_world() const { return world_in_; }   // parties → World
  // The same, of one kind.
  double paid_by_world(FlowKind k) const { return world_out_by_[int(k)]; }
  double paid_to_world(FlowKind k) const { return world_in_by_[int(k)]; }

  // Cumulative contractual payments (requires track_flows). Party index or kWorld.
  double flow(int from, int to) const;
  double outflow(int party) const;  // Σ_j F[party][j], World included
  double inflow(int party) const;   // Σ_i F[i][party], World included
  // Every pair with a contractual row, sorted by (from, to); World is kWorld. Sparse: a
  // network of 10,000 parties has ~10⁵ pairs, not 10⁸.
  struct PairFlow {
    int from, to;
    double paid;
  };
  std::vector<PairFlow> pair_flows() const;

  // Cumulative due and paid per deal id (contractual rows), for paid(deal) / due(deal).
  double deal_due(int deal) const;
  double deal_paid(int deal) const;

  // The first row ever appended with paid > due (beyond 1e-9 relative) or negative
  // paid, and its index; kept even when rows are not.
  const std::optional<std::pair<std::int64_t, LedgerRow>>& first_violation() const { return violation_; }
  std::int64_t rows_appended() const { return appended_; }

 private:
  int index(int party) const { return party < 0 ? parties_ : party; }

  int parties_ = 0;
  LedgerOptions options_{};
  std::vector<LedgerRow> rows_;
  LedgerTotals totals_[kFlowKinds]{};
  std::unordered_map<std::uint64_t, double> flows_;  // key: index(from) · (n+1) + index(to)
  std::vector<double> deal_due_, deal_paid_;
  double world_in_ = 0.0, world_out_ = 0.0;
  double world_in_by_[kFlowKinds]{}, world_out_by_[kFlowKinds]{};
  double adjusted_in_ = 0.0, adjusted_out_ = 0.0;
  std::int64_t appended_ = 0;
  std::optional<std::pair<std::int64_t, LedgerRow>> violation_;
};

// (n+1)×(n+1) row-major matrix of paid amounts of the given rows, restricted to the kinds
// whose bit (1 << int(kind)) is set in `kinds`; World is index n.
std::vector<double> flow_matrix(std::span<const LedgerRow> rows, int parties,
                                unsigned kinds = 1u << int(FlowKind::Contractual));

}  // namespace deal::rt
