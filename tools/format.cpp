#include "tools/format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace deal::cli {

std::string money(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  const char* sign = v < 0 ? "-" : "";
  double a = std::fabs(v);
  if (a < 0.5) return "$0";
  if (a >= 1e12) return fmt::format("{}${:.2f}T", sign, a / 1e12);
  if (a >= 1e9) return fmt::format("{}${:.1f}B", sign, a / 1e9);
  if (a >= 1e6) return fmt::format("{}${:.1f}M", sign, a / 1e6);
  if (a >= 1e3) return fmt::format("{}${:.1f}k", sign, a / 1e3);
  return fmt::format("{}${:.0f}", sign, a);
}

std::string with_unit(double v, const std::string& unit) {
  if (unit == "$") return money(v);
  if (unit.rfind("$/", 0) == 0) return money(v) + unit.substr(1);
  if (unit == "1/y") return fmt::format("{:.1f}%/y", v * 100);
  if (unit == "y") return fmt::format("{:.3g}y", v);
  if (unit.empty()) return fmt::format("{:.4g}", v);
  return fmt::format("{:.4g} {}", v, unit);
}

std::string month_label(double months) {
  if (!std::isfinite(months)) return "—";
  rt::Date d = rt::from_ticks(months * double(rt::kTicksPerMonth));
  return rt::format_date_compact(d);
}

std::string value(double v, rt::ValueKind kind, const std::string& unit) {
  switch (kind) {
    case rt::ValueKind::Bool: return v != 0 ? "true" : "false";
    case rt::ValueKind::Date: return month_label(v);
    default: return with_unit(v, unit);
  }
}

std::string step_label(rt::Date d, rt::StepUnit unit) {
  switch (unit) {
    case rt::StepUnit::Year: return d.month == 1 && d.day == 1 ? fmt::format("{}", d.year) : rt::format_date(d);
    case rt::StepUnit::Quarter: return rt::format_date_compact(d);
    case rt::StepUnit::Month: return d.day == 1 ? fmt::format("{:04}-{:02}", d.year, d.month) : rt::format_date(d);
  }
  return rt::format_date(d);
}

std::string sparkline(const std::vector<double>& v) {
  static const char* bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  std::string s;
  for (double x : v) {
    if (!std::isfinite(x)) { s += " "; continue; }
    int k = hi > lo ? int(std::lround((x - lo) / (hi - lo) * 7)) : 3;
    s += bars[std::clamp(k, 0, 7)];
  }
  return s;
}

}  // namespace deal::cli
