// Dates, the month-based day count of LANGUAGE.md §3 and the step calendar of §4.2.
//
// Day count. Time between two dates is counted in months, so that a month is exactly
// 1/12 y and a quarter exactly 1/4 y whatever its number of days:
//
//   months(y1-m1-d1 → y2-m2-d2) = 12(y2-y1) + (m2-m1) + (d2-1)/days(y2,m2) - (d1-1)/days(y1,m1)
//
// Internally a date is placed on a "month axis" measured in ticks: one month is
// kTicksPerMonth = lcm(28, 29, 30, 31) = 377580 ticks, so every day of every month starts
// at an integer tick. Differences of dates, step boundaries and spans of whole-day
// windows are therefore exact integers; only the final conversion to years rounds.
//
// Date + Duration inverts the day count: it is the day whose month-axis position is
// nearest to (position of the date + 12 × years months). For any two dates a and b,
// add_years(a, years_between(a, b)) == b.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace deal::rt {

inline constexpr std::int64_t kTicksPerMonth = 377580;  // lcm(28, 29, 30, 31)
inline constexpr double kTicksPerYear = 12.0 * kTicksPerMonth;

bool is_leap_year(int year);
int days_in_month(int year, int month);  // month 1..12

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..days_in_month(year, month)

  // Checked construction: throws deal::rt::Error naming the bad field.
  static Date ymd(int year, int month, int day = 1);
  // The first day of quarter q (1..4) of the year: quarter(2027, 3) is 2027-07-01.
  static Date quarter(int year, int q);

  friend constexpr auto operator<=>(const Date&, const Date&) = default;
  friend constexpr bool operator==(const Date&, const Date&) = default;
};

// Position of the date on the month axis, in ticks (exact).
std::int64_t to_ticks(Date d);
// The day nearest to a position on the month axis (ties round up to the later day).
Date from_ticks(double ticks);

// b - a in years by the month-based day count (negative when b < a).
double years_between(Date a, Date b);
double months_between(Date a, Date b);
// a + years (years may be negative), rounded to the nearest day.
Date add_years(Date a, double years);
Date add_months(Date a, int months);  // exact when a is the first of a month

// "2025-01-01"
std::string format_date(Date d);
// The shortest form that the language's date literals accept: "2027Q3" for the first
// day of a quarter, "2027-03" for the first of another month, otherwise "2027-03-15".
std::string format_date_compact(Date d);
// Parses "2027Q3", "2027-03" and "2027-03-15"; nullopt if malformed or not a real day.
std::optional<Date> parse_date(std::string_view text);

enum class StepUnit : std::uint8_t { Month, Quarter, Year };
int months_per_step(StepUnit u);  // 1, 3, 12
std::string_view to_string(StepUnit u);

// A half-open window [from, until) on the month axis, for `every step from D for T`
// (until = D + T, kept unrounded) and `every step from D until E`. Windows are built by
// the named constructors; an empty or reversed window has no overlap with any step.
struct Window {
  double lo = -std::numeric_limits<double>::infinity();  // ticks
  double hi = std::numeric_limits<double>::infinity();   // ticks

  static Window all() { return {}; }
  static Window starting(Date from);                     // [from, ∞)
  static Window from_for(Date from, double term_years);  // [from, from + term)
  static Window from_until(Date from, Date until);       // [from, until)
  static Window until(Date end);                         // (-∞, end)
};

// The steps of a calendar `calendar D1 .. D2 step unit`: step k covers
// [s_k, s_{k+1}) with s_k = D1 + k·unit; the last step is the one containing D2.
class Calendar {
 public:
  Calendar() = default;
  Calendar(Date first, Date last, StepUnit unit);

  // The same calendar ended at the step containing `horizon` (a scenario's `horizon D`);
  // a horizon beyond the end changes nothing.
  Calendar with_horizon(Date horizon) const;

  int steps() const { return steps_; }
  StepUnit unit() const { return unit_; }
  Date first() const { return first_; }

  // Start date of step k (0 ≤ k ≤ steps(); k == steps() is the end of the last step).
  Date step_start(int k) const;
  Date step_end(int k) const { return step_start(k + 1); }
  // Exact step boundary on the month axis.
  std::int64_t boundary_ticks(int k) const { return first_ticks_ + std::int64_t(k) * step_ticks_; }

  // Length of every step in years: 1/12, 1/4 or 1 (the day count makes them equal).
  double dt() const { return double(months_per_step(unit_)) / 12.0; }

  // The step containing d, or -1 if d falls before the first step or after the last.
  int step_of(Date d) const;
  // The same without the range check (may be negative or ≥ steps()).
  std::int64_t step_index_unbounded(Date d) const;

  // Overlap of step k with a window, in years (the `span` of LANGUAGE.md §4.6).
  double span(int k, const Window& w) const;
  bool overlaps(int k, const Window& w) const { return span(k, w) > 0.0; }

  // Whether step k starts a calendar month / quarter / year: the `every month`,
  // `every quarter`, `every year` clauses run only on such steps.
  bool starts_month(int k) const;
  bool starts_quarter(int k) const;
  bool starts_year(int k) const;

 private:
  Date first_{};
  StepUnit unit_ = StepUnit::Quarter;
  int steps_ = 0;
  std::int64_t first_ticks_ = 0;
  std::int64_t step_ticks_ = 3 * kTicksPerMonth;
};

}  // namespace deal::rt
