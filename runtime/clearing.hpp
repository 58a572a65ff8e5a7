// Clearing of one round of obligations (LANGUAGE.md §6.1): the greatest clearing vector
// of a network of n parties plus World, with priority levels (seniority), credit lines
// and Rogers–Veraart default costs. Eisenberg–Noe is the case alpha = beta = 1.
//
// The rules, for every party i (World always pays in full and never defaults):
//   resources  e_i = cash_i (if positive) + undrawn credit_i
//   receipts   r_i = what the others (and World) pay i in this round
//   i pays its priority levels in turn, lowest number first, pro rata within a level, out
//   of its available funds:
//      solvent   (e_i + r_i ≥ owed_i)  funds = e_i + r_i, so it pays everything it owes;
//      insolvent (e_i + r_i < owed_i)  funds = alpha·e_i + beta·r_i < owed_i.
//   The clearing vector is the GREATEST vector of payments consistent with these rules.
//   What an insolvent party loses to the cut, (1-alpha)·e_i + (1-beta)·r_i, is paid to
//   World as a default cost, so money is conserved. A party draws its credit line only for
//   what its cash and receipts cannot cover; an insolvent party draws all of it. Cash never
//   becomes negative (it stays as it was if it came in negative).
//
// The algorithm (clearing.cpp, docs/semantics.md) is exact — a finite sequence of linear
// solves, not a fixed number of iterations — and runs in O(obligations) when nobody is
// short (the common case in a Monte Carlo step).
//
// Usage in a driver (one ClearingWorkspace and one ClearingResult per thread, reused):
//
//   ClearingInput in{obligations, cash, credit, debt, defaulted, opts, step, date};
//   clear(in, ws, result);                  // no allocation once the buffers are warm
//   copy result.cash/credit/debt back; report result.defaults; ledger.record(in, result)
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/calendar.hpp"
#include "runtime/obligation.hpp"

namespace deal::rt {

struct ClearingOptions {
  double alpha = 1.0;  // share of an insolvent party's own resources that stays usable
  double beta = 1.0;   // share of an insolvent party's receipts that stays usable
  // A party is marked defaulted when it pays more than this many dollars less than it
  // owes (§6.2); the same tolerance decides who is listed as a short payer.
  double default_tolerance = 1.0;
  // The propagation phase (Gauss–Seidel on the clearing map before each exact round)
  // only speeds the algorithm up; switching it off leaves the result unchanged and is
  // meant for tests and benchmarks of the exact rounds alone.
  bool propagate = true;
  // Solve only for the parties at risk (the short ones and the creditors they could pull
  // under) when they are at most half the network; the result is the same greatest
  // clearing vector. Off: the whole network (tests compare the two).
  bool reduce = true;
  // List each new default's short payers (DefaultEvent::short_payers). A caller that only
  // needs who defaulted (Monte Carlo paths) turns it off: it is a pass over the round's
  // obligations and an allocation per defaulter.
  bool short_payers = true;
};

struct ClearingInput {
  std::span<const Obligation> obligations;
  std::span<const double> cash;             // n entries; n is the number of parties
  std::span<const double> credit;           // undrawn credit; empty means none
  std::span<const double> debt;             // empty means zero
  std::span<const std::uint8_t> defaulted;  // already defaulted before this round; may be empty
  // Estates being resolved in this round (LANGUAGE.md §6.6): their cash is already what is
  // left after the alpha cut, so they are not cut again (alpha and beta are 1 for them).
  // May be empty.
  std::span<const std::uint8_t> precut;
  ClearingOptions options{};
  // Optional, from a caller that has already made the pass (PathRun::clear_covered): every
  // party's dues and receipts at full payment, summed in obligation order exactly as
  // clear() sums them. Giving them also vouches that the input is valid — parties in
  // range, amounts finite and ≥ 0, cash, credit and debt finite — so clear() skips its
  // checks and that pass. Empty: clear() checks and sums itself.
  std::span<const double> due_at_full, received_at_full;
  int step = 0;  // copied into the default events
  Date date{};   // copied into the default events
};

struct ClearingStats {
  bool fast_path = true;   // nobody was short: every obligation paid in full, O(m)
  int rounds = 0;          // rounds of the exact algorithm (0 on the fast path)
  int linear_solves = 0;   // linear systems solved
  int largest_block = 0;   // size of the largest strongly connected block solved
  int closed_blocks = 0;   // balanced closed blocks (beta = 1) settled at their bound
  int parties_solved = 0;  // parties the slow path solved for (all, or those at risk)
};

// Everything the driver needs after a round. Vectors are resized by clear() and keep
// their capacity between calls.
struct ClearingResult {
  std::vector<double> paid;             // per obligation, in input order
  std::vector<double> cash;             // per party, after the round
  std::vector<double> credit;           // undrawn credit after the round
  std::vector<double> debt;             // debt after the round (drawn credit added)
  std::vector<double> owed;             // per party: total due this round
  std::vector<double> paid_out;         // per party: total paid (excluding default costs)
  std::vector<double> received;         // per party: total received, World included
  std::vector<double> credit_drawn;     // per party: credit drawn this round
  std::vector<double> default_cost;     // per party: Rogers–Veraart cost paid to World
  std::vector<std::uint8_t> insolvent;  // per party: its resources were cut (e + r < owed)
  std::vector<DefaultEvent> defaults;   // newly defaulted parties, in party order
  double world_received = 0.0;          // paid to World on obligations (default costs excluded)
  double world_paid = 0.0;              // paid by World
  ClearingStats stats{};
};

// Reusable scratch memory for clear(): one per thread.
class ClearingWorkspace {
 public:
  ClearingWorkspace();
  ~ClearingWorkspace();
  ClearingWorkspace(ClearingWorkspace&&) noexcept;
  ClearingWorkspace& operator=(ClearingWorkspace&&) noexcept;
  ClearingWorkspace(const ClearingWorkspace&) = delete;
  ClearingWorkspace& operator=(const ClearingWorkspace&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// The pieces of a round that a driver may apply itself when nobody is short (PathRun's
// fast path): clear() computes with exactly these, so the results are the same bits.
namespace clearing {
// Slack of the solvency test relative to the amounts involved: a party whose resources
// plus receipts fall short of its dues by less than this is solvent (rounding).
inline constexpr double kSolvencyRelTol = 1e-12;
// Resources e_i: cash (if positive) and undrawn credit (if positive).
inline double funds(double cash, double credit) { return std::max(0.0, cash) + std::max(0.0, credit); }
// Whether a party with funds e, receipts r at full payment and dues p cannot pay in full.
inline bool short_at_full(double e, double r, double p) { return e + r < p - kSolvencyRelTol * (p + e); }
// A party's balances after the round: it received r, paid x and lost `cost` to World.
struct Balances {
  double cash, credit, debt, drawn;
};
inline Balances settle(double cash, double credit, double debt, double r, double x, double cost) {
  const double usable_credit = std::max(0.0, credit);
  const double avail = std::max(0.0, cash);
  // It draws its credit line only for what its cash and receipts cannot cover.
  const double draw = std::clamp(x + cost - r - avail, 0.0, usable_credit);
  // Cash never goes negative (nor more negative than it came in): what rounding
  // leaves below that floor is at most the solvency slack, ~1e-12 of the amounts.
  const double new_cash = std::max(cash + r - x - cost + draw, std::min(0.0, cash));
  return {new_cash, credit - draw, debt + draw, draw};
}
}  // namespace clearing

// Clears one round. Throws deal::rt::Error on bad input (party index out of range,
// negative or non-finite amount, non-finite cash/credit/debt, alpha/beta outside [0, 1]).
// Negative cash or credit is allowed and counts as no resources.
void clear(const ClearingInput& in, ClearingWorkspace& ws, ClearingResult& out);
// Convenience for tests and one-off use (allocates).
ClearingResult clear(const ClearingInput& in);

}  // namespace deal::rt
