#include "report/format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "runtime/format.hpp"

namespace deal::report {

std::string money(double v) { return rt::format_money(v); }

std::string with_unit(double v, const std::string& unit) { return rt::format_quantity(v, unit); }

std::string month_label(double months) {
  // Outside the calendar's years (a date computed far out, or never set) there is no
  // date to show.
  if (!std::isfinite(months) || months < 12.0 * 1 || months >= 12.0 * 10000) return "—";
  return rt::format_date_compact(rt::from_ticks(months * double(rt::kTicksPerMonth)));
}

std::string value(double v, rt::ValueKind kind, const std::string& unit) {
  switch (kind) {
    case rt::ValueKind::Bool:
      return v != 0 ? "true" : "false";
    case rt::ValueKind::Date:
      return month_label(v);
    default:
      return with_unit(v, unit);
  }
}

std::string step_label(rt::Date d, rt::StepUnit unit) {
  switch (unit) {
    case rt::StepUnit::Year:
      return d.month == 1 && d.day == 1 ? fmt::format("{}", d.year) : rt::format_date(d);
    case rt::StepUnit::Quarter:
      return rt::format_date_compact(d);
    case rt::StepUnit::Month:
      return d.day == 1 ? fmt::format("{:04}-{:02}", d.year, d.month) : rt::format_date(d);
  }
  return rt::format_date(d);
}

std::string text_table(const std::vector<std::vector<std::string>>& rows, size_t right_from) {
  auto width = [](const std::string& s) {
    size_t w = 0;
    for (unsigned char c : s) w += (c & 0xC0) != 0x80;
    return w;
  };
  std::vector<size_t> w;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (w.size() <= i) w.push_back(0);
      w[i] = std::max(w[i], width(r[i]));
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < r.size(); ++i) {
      std::string pad(w[i] - width(r[i]), ' ');
      line += (i ? "  " : "") + (i >= right_from ? pad + r[i] : r[i] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_number(double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string(); }

std::string sparkline(const std::vector<double>& v) {
  static const char* bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  std::string s;
  for (double x : v) {
    if (!std::isfinite(x)) {
      s += " ";
      continue;
    }
    int k = hi > lo ? int(std::lround((x - lo) / (hi - lo) * 7)) : 3;
    s += bars[std::clamp(k, 0, 7)];
  }
  return s;
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) {
    double pad = std::fabs(lo) > 0 ? std::fabs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  double raw = (hi - lo) / target, mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double f : {1.0, 2.0, 5.0, 10.0})
    if (f * mag >= raw) {
      step = f * mag;
      break;
    }
  std::vector<double> t;
  // The tolerances keep a bound that is a tick up to rounding (0.3 / 0.1) on the axis.
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return t;
}

}  // namespace deal::report
