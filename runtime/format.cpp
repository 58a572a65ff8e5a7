#include "runtime/format.hpp"

#include <cmath>

#include <fmt/format.h>

#include "runtime/defaults.hpp"

namespace deal::rt {

std::string format_quantity(double v, const std::string& unit) {
  if (unit == "$") return format_money(v);
  if (unit.rfind("$/", 0) == 0) return format_money(v) + unit.substr(1);
  if (!std::isfinite(v)) return fmt::format("{}{}", v, unit.empty() ? "" : " " + unit);
  if (unit == "1/y") return fmt::format("{:.4g}%/y", v * 100);
  if (unit == "y") return fmt::format("{:.4g}y", v);
  if (unit.empty()) return fmt::format("{:.4g}", v);
  return fmt::format("{:.4g} {}", v, unit);
}

}  // namespace deal::rt
