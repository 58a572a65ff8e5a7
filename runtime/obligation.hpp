// What a clearing round takes in and hands out: obligations, and the default events of
// LANGUAGE.md §6.2. Both clearing (clearing.hpp) and the default rules (defaults.hpp)
// work on these; they live apart from both so that neither header needs the other.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/calendar.hpp"

namespace deal::rt {

// The party id of World in obligations and ledger rows.
inline constexpr std::int32_t kWorld = -1;

// One `pay(from, to, amount, priority: p)` of the round.
struct Obligation {
  std::int32_t from = kWorld;  // party index 0..n-1, or kWorld
  std::int32_t to = kWorld;    // party index 0..n-1, or kWorld
  std::int32_t priority = 1;   // lower numbers are senior
  std::int32_t deal = -1;      // the deal that created it (for the ledger); -1 if none
  double amount = 0.0;         // due, ≥ 0
};

struct ShortPayer {
  int party = -1;
  double owed = 0.0;  // what it owed the defaulter in that round
  double paid = 0.0;  // what it paid
};

enum class DefaultCause : std::uint8_t {
  Shortfall,  // paid less than it owed in a clearing round
  Forced,     // `default(p)` in a shock or a block
};

// One creditor's claim on a defaulted party's estate (LANGUAGE.md §6.6): the claims of one
// (creditor, deal, priority) summed — those its deals' `on default` clauses filed and what
// the party left unpaid to it in the round it defaulted.
struct Claimant {
  int party = -1;  // the creditor's model id (0: World)
  int deal = -1;   // the deal on whose behalf, -1 for a party's or shock's payment
  int priority = 1;
  double claim = 0.0;
  double recovered = 0.0;
};

// How a default was resolved: the estate, the claims on it and what they recovered.
struct Resolution {
  bool done = false;    // false until the estate has been distributed
  double estate = 0.0;  // cash + liquidation value when the resolution started
  double liquidation = 0.0;
  double claims = 0.0;
  double recovered = 0.0;
  double surplus = 0.0;  // to the holders of stakes in the party, the rest to World
  double surplus_to_holders = 0.0;
  double default_cost = 0.0;        // Rogers–Veraart: what the estate lost (1 − alpha)
  std::vector<Claimant> claimants;  // largest claim first
  double recovery_rate() const { return claims > 0 ? recovered / claims : 1.0; }
};

struct DefaultEvent {
  int party = -1;
  int step = 0;
  Date date{};
  DefaultCause cause = DefaultCause::Shortfall;
  double owed = 0.0;  // total due from the party in the round
  double paid = 0.0;  // total it paid
  std::vector<ShortPayer> short_payers;
  Resolution resolution;

  double shortfall() const { return owed - paid; }
};

}  // namespace deal::rt
