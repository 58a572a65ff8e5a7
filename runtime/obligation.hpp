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

struct DefaultEvent {
  int party = -1;
  int step = 0;
  Date date{};
  DefaultCause cause = DefaultCause::Shortfall;
  double owed = 0.0;  // total due from the party in the round
  double paid = 0.0;  // total it paid
  std::vector<ShortPayer> short_payers;

  double shortfall() const { return owed - paid; }
};

}  // namespace deal::rt
