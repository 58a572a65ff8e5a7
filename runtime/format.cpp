#include "runtime/format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace deal::rt {

std::string format_money(double v) {
  if (!std::isfinite(v)) return fmt::format("${}", v);
  const char* sign = v < 0 ? "-" : "";
  const double a = std::fabs(v);
  auto scaled = [&](double unit, const char* suffix) {
    double s = a / unit;
    // Three significant digits, trailing zeros dropped: $12.5B, $250M, $4B.
    std::string t = fmt::format("{:.{}f}", s, s >= 100 ? 0 : s >= 10 ? 1 : 2);
    if (t.find('.') != std::string::npos) {
      while (t.back() == '0') t.pop_back();
      if (t.back() == '.') t.pop_back();
    }
    return fmt::format("{}${}{}", sign, t, suffix);
  };
  if (a >= 1e12) return scaled(1e12, "T");
  if (a >= 1e9) return scaled(1e9, "B");
  if (a >= 1e6) return scaled(1e6, "M");
  if (a >= 1e3) return scaled(1e3, "k");
  return scaled(1.0, "");
}

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
