#include "tools/format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "runtime/defaults.hpp"
#include "runtime/format.hpp"

namespace deal::cli {

std::string money(double v) { return rt::format_money(v); }

std::string with_unit(double v, const std::string& unit) { return rt::format_quantity(v, unit); }

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
