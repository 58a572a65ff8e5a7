#include "runtime/calendar.hpp"

#include <cmath>
#include <fmt/format.h>

#include "runtime/require.hpp"

namespace deal::rt {

namespace {
constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;

std::int64_t month_index(int year, int month) { return std::int64_t(year) * 12 + (month - 1); }

// Floor division for possibly negative numerators.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace

bool is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  DEAL_REQUIRE(m >= 1 && m <= 12, fmt::format("month {} is not in 1..12", m));
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

Date Date::ymd(int y, int m, int d) {
  DEAL_REQUIRE(y >= kMinYear && y <= kMaxYear, fmt::format("year {} is outside {}..{}", y, kMinYear, kMaxYear));
  DEAL_REQUIRE(m >= 1 && m <= 12, fmt::format("month {} is not in 1..12", m));
  DEAL_REQUIRE(d >= 1 && d <= days_in_month(y, m), fmt::format("{:04}-{:02} has no day {}", y, m, d));
  return Date{y, m, d};
}

Date Date::quarter(int y, int q) {
  DEAL_REQUIRE(q >= 1 && q <= 4, fmt::format("quarter {} is not in 1..4", q));
  return ymd(y, 3 * (q - 1) + 1, 1);
}

std::int64_t to_ticks(Date d) {
  return month_index(d.year, d.month) * kTicksPerMonth +
         std::int64_t(d.day - 1) * (kTicksPerMonth / days_in_month(d.year, d.month));
}

Date from_ticks(double ticks) {
  DEAL_REQUIRE(std::isfinite(ticks), "date arithmetic produced a non-finite date");
  // Range first: converting a double beyond the int64 range is undefined behaviour.
  constexpr double kTicksPerYearD = 12.0 * double(kTicksPerMonth);
  const double year_of = std::floor(ticks / kTicksPerYearD);
  DEAL_REQUIRE(year_of >= kMinYear && year_of <= kMaxYear,
               fmt::format("date arithmetic left the years {}..{} (year {:.0f})", kMinYear, kMaxYear, year_of));
  std::int64_t whole = std::int64_t(std::floor(ticks));
  std::int64_t mi = floor_div(whole, kTicksPerMonth);
  int year = int(floor_div(mi, 12));
  int month = int(mi - std::int64_t(year) * 12) + 1;
  DEAL_REQUIRE(year >= kMinYear && year <= kMaxYear,
               fmt::format("date arithmetic left the years {}..{} (year {})", kMinYear, kMaxYear, year));
  int days = days_in_month(year, month);
  double in_month = ticks - double(mi * kTicksPerMonth);  // [0, kTicksPerMonth)
  double day_offset = in_month / double(kTicksPerMonth / days);
  auto rounded = std::int64_t(std::floor(day_offset + 0.5));
  if (rounded >= days) {  // rounds up into the next month
    ++month;
    if (month == 13) {
      month = 1;
      ++year;
    }
    rounded = 0;
  }
  return Date::ymd(year, month, int(rounded) + 1);
}

double months_between(Date a, Date b) { return double(to_ticks(b) - to_ticks(a)) / double(kTicksPerMonth); }

double years_between(Date a, Date b) { return double(to_ticks(b) - to_ticks(a)) / kTicksPerYear; }

Date add_years(Date a, double years) {
  DEAL_REQUIRE(std::isfinite(years), "cannot add a non-finite duration to a date");
  return from_ticks(double(to_ticks(a)) + years * kTicksPerYear);
}

Date add_months(Date a, int months) { return from_ticks(double(to_ticks(a) + std::int64_t(months) * kTicksPerMonth)); }

std::string format_date(Date d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

std::string format_date_compact(Date d) {
  if (d.day == 1 && (d.month - 1) % 3 == 0) return fmt::format("{:04}Q{}", d.year, (d.month - 1) / 3 + 1);
  if (d.day == 1) return fmt::format("{:04}-{:02}", d.year, d.month);
  return format_date(d);
}

std::optional<Date> parse_date(std::string_view s) {
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
  };
  int y = 0, m = 0, d = 1, q = 0;
  if (!digits(0, 4, y) || y < kMinYear) return std::nullopt;
  if (s.size() == 6 && s[4] == 'Q') {
    if (!digits(5, 1, q) || q < 1 || q > 4) return std::nullopt;
    return Date{y, 3 * (q - 1) + 1, 1};
  }
  if (s.size() != 7 && s.size() != 10) return std::nullopt;
  if (s[4] != '-' || !digits(5, 2, m) || m < 1 || m > 12) return std::nullopt;
  if (s.size() == 10) {
    if (s[7] != '-' || !digits(8, 2, d) || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  }
  return Date{y, m, d};
}

int months_per_step(StepUnit u) {
  switch (u) {
    case StepUnit::Month:
      return 1;
    case StepUnit::Quarter:
      return 3;
    case StepUnit::Year:
      return 12;
  }
  return 3;
}

std::string_view to_string(StepUnit u) {
  switch (u) {
    case StepUnit::Month:
      return "month";
    case StepUnit::Quarter:
      return "quarter";
    case StepUnit::Year:
      return "year";
  }
  return "?";
}

Window Window::starting(Date from) { return {double(to_ticks(from)), Window{}.hi}; }

Window Window::from_for(Date from, double term_years) {
  DEAL_REQUIRE(std::isfinite(term_years), "the term of a window must be finite");
  double lo = double(to_ticks(from));
  return {lo, lo + term_years * kTicksPerYear};
}

Window Window::from_until(Date from, Date until) { return {double(to_ticks(from)), double(to_ticks(until))}; }

Window Window::until(Date end) { return {Window{}.lo, double(to_ticks(end))}; }

Calendar::Calendar(Date first, Date last, StepUnit unit)
    : first_(first),
      unit_(unit),
      first_ticks_(to_ticks(first)),
      step_ticks_(std::int64_t(months_per_step(unit)) * kTicksPerMonth) {
  DEAL_REQUIRE(!(last < first),
               fmt::format("calendar ends ({}) before it starts ({})", format_date(last), format_date(first)));
  steps_ = int(floor_div(to_ticks(last) - first_ticks_, step_ticks_)) + 1;
}

Calendar Calendar::with_horizon(Date horizon) const {
  DEAL_REQUIRE(!(horizon < first_),
               fmt::format("horizon {} is before the calendar starts ({})", format_date(horizon), format_date(first_)));
  Calendar c = *this;
  std::int64_t k = step_index_unbounded(horizon) + 1;
  if (k < c.steps_) c.steps_ = int(k);
  return c;
}

Date Calendar::step_start(int k) const {
  DEAL_REQUIRE(k >= 0 && k <= steps_, fmt::format("step {} is outside 0..{}", k, steps_));
  return from_ticks(double(boundary_ticks(k)));
}

std::int64_t Calendar::step_index_unbounded(Date d) const { return floor_div(to_ticks(d) - first_ticks_, step_ticks_); }

int Calendar::step_of(Date d) const {
  std::int64_t k = step_index_unbounded(d);
  return (k < 0 || k >= steps_) ? -1 : int(k);
}

double Calendar::span(int k, const Window& w) const {
  DEAL_REQUIRE(k >= 0 && k < steps_, fmt::format("step {} is outside 0..{}", k, steps_ - 1));
  double a = double(boundary_ticks(k)), b = double(boundary_ticks(k + 1));
  double lo = std::max(a, w.lo), hi = std::min(b, w.hi);
  return hi > lo ? (hi - lo) / kTicksPerYear : 0.0;
}

bool Calendar::starts_month(int k) const {
  DEAL_REQUIRE(k >= 0 && k <= steps_, fmt::format("step {} is outside 0..{}", k, steps_));
  return boundary_ticks(k) % kTicksPerMonth == 0;
}

bool Calendar::starts_quarter(int k) const { return starts_month(k) && (boundary_ticks(k) / kTicksPerMonth) % 3 == 0; }

bool Calendar::starts_year(int k) const { return starts_month(k) && (boundary_ticks(k) / kTicksPerMonth) % 12 == 0; }

}  // namespace deal::rt
