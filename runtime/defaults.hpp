// Defaults and their causes (LANGUAGE.md §6.2, the "defaults" array of §7.1).
//
// A party defaults in a clearing round when it pays more than a tolerance ($1 by
// default) less than it owes. The event (DefaultEvent, runtime/obligation.hpp) records
// what it owed and paid in that round and the counterparties whose short payments to it
// made the difference: every party (never World, which always pays) that paid it less
// than it owed it in the same round, with those amounts, in declaration order of the
// parties.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/calendar.hpp"
#include "runtime/obligation.hpp"

namespace deal::rt {

// The event for `default(p)`: no amounts, no short payers.
DefaultEvent forced_default(int party, int step, Date date);

// Appends to `out`, in party order, an event for each party that is not already
// defaulted (`already_defaulted` may be empty) and paid more than `tolerance` less than it
// owed. `owed[i]`/`paid[i]` are the party totals of the round, `paid_per_obligation[k]` the
// payment on obligations[k]. Short payers are listed when they paid the defaulter more
// than `tolerance` less than they owed it, unless `short_payers` is false (the events then
// have none, and the obligations are not read). `scratch` is reused between calls.
void collect_defaults(std::span<const Obligation> obligations, std::span<const double> paid_per_obligation,
                      std::span<const double> owed, std::span<const double> paid,
                      std::span<const std::uint8_t> already_defaulted, double tolerance, int step, Date date,
                      std::vector<DefaultEvent>& out, std::vector<int>& scratch, bool short_payers = true);

// One line for the event log, e.g.
//   "B defaulted on 2025-01-01: owed $10B, paid $4B; short because A paid 40% of $10B due"
// `names[i]` is party i's name.
std::string describe(const DefaultEvent& e, std::span<const std::string> names);

}  // namespace deal::rt
