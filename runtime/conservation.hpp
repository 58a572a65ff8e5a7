// Conservation of money (LANGUAGE.md §6.3) and ledger sanity, for `--check-ledger`.
//
// Money is neither created nor destroyed except by World and by borrowing. With every
// World flow in the ledger (contractual payments, default costs, credit draws, borrow),
//
//   Σ cash  =  initial Σ cash  +  paid by World  −  paid to World  +  adjustments
//
// after every step, where "paid by World" includes credit draws and `borrow` (the
// lender is World) and "adjustments" are the ledger's rows of direct writes to cash (a
// shock's `N3.cash -= $94B`, a party's own `cash = …`). A change of cash with no row
// is a leak the check reports. Equivalently,
// Σ cash + (flows to World) − (flows from World) − borrowing − adjustments is constant.
// The check also requires 0 ≤ paid ≤ due on every ledger row.
//
// Tolerance: relative 1e-9 of the largest magnitude involved (and at least 1e-6 dollars),
// far above rounding and far below any real leak.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "runtime/calendar.hpp"
#include "runtime/ledger.hpp"

namespace deal::rt {

struct MoneyBalance {
  double initial = 0.0;     // Σ cash when the books were opened
  double cash = 0.0;        // Σ cash now
  double from_world = 0.0;  // contractual payments by World
  double to_world = 0.0;    // contractual payments to World
  double default_costs = 0.0;
  double borrowed = 0.0;               // credit draws + borrow
  double adjustments = 0.0;            // direct writes to cash (the ledger's adjustment rows, net)
  double liquidation = 0.0;            // liquidation proceeds paid by World into estates (§6.6)
  double to_world_from_estates = 0.0;  // claims of World and surpluses no party holds, paid by estates
  double expected() const {
    return initial + from_world - to_world - default_costs + borrowed + adjustments + liquidation -
           to_world_from_estates;
  }
  double difference() const { return cash - expected(); }
};

class ConservationCheck {
 public:
  ConservationCheck() = default;
  explicit ConservationCheck(double relative_tolerance) : rel_tol_(relative_tolerance) {}

  // Opens the books at the start of a path with the parties' cash; the ledger should be
  // empty (or reset) at that moment.
  void start(std::span<const double> cash);

  // The balance now, from the cash array and the ledger's totals.
  MoneyBalance balance(std::span<const double> cash, const Ledger& ledger) const;

  // nullopt if the books balance and every row has 0 ≤ paid ≤ due; otherwise a message
  // naming the step, the date, the figures and (for a bad row) the row. `names[i]` is
  // party i's name (may be empty: indices are printed).
  std::optional<std::string> check(std::span<const double> cash, const Ledger& ledger, int step, Date date,
                                   std::span<const std::string> names = {}) const;

 private:
  double rel_tol_ = 1e-9;
  double initial_ = 0.0;
};

}  // namespace deal::rt
