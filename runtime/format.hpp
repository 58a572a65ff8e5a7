// Values with their units, as people read them: $38.2B, 12.5%/y, $1.2B/y, 2.5y, 3 GW.
#pragma once

#include <string>

namespace deal::rt {

// `unit` is the checker's dimension symbol ("$", "$/y", "1/y", "y", "GW", "$/GW", ""
// for a plain number). Money uses format_money (runtime/defaults.hpp).
std::string format_quantity(double v, const std::string& unit);

}  // namespace deal::rt
