// Values with their units, as people read them: $38.2B, 12.5%/y, $1.2B/y, 2.5y, 3 GW.
// The runtime's messages and every report use these (report/format.hpp builds on them).
#pragma once

#include <string>

namespace deal::rt {

// "$12.5B", "$250M", "$3.2k", "$7", "-$4B": three significant digits, for messages.
std::string format_money(double dollars);

// `unit` is the checker's dimension symbol ("$", "$/y", "1/y", "y", "GW", "$/GW", ""
// for a plain number).
std::string format_quantity(double v, const std::string& unit);

}  // namespace deal::rt
