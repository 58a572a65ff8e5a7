// The calendar and the month-based day count of LANGUAGE.md §3 and §4.2.
#include <catch2/catch.hpp>

#include <limits>
#include <random>

#include "runtime/calendar.hpp"
#include "runtime/require.hpp"

using namespace deal::rt;
using Catch::Matchers::Contains;

TEST_CASE("A month is exactly 1/12 y and a quarter exactly 1/4 y, whatever the days", "[calendar][daycount]") {
  // February (28 days) and March (31 days) count the same: the day count is in months.
  CHECK(years_between(Date::ymd(2025, 2, 1), Date::ymd(2025, 3, 1)) == 1.0 / 12);
  CHECK(years_between(Date::ymd(2025, 3, 1), Date::ymd(2025, 4, 1)) == 1.0 / 12);
  CHECK(years_between(Date::ymd(2024, 2, 1), Date::ymd(2024, 3, 1)) == 1.0 / 12);  // leap
  CHECK(years_between(Date::quarter(2025, 1), Date::quarter(2025, 2)) == 0.25);
  CHECK(years_between(Date::quarter(2025, 3), Date::quarter(2027, 3)) == 2.0);
  // Inside a month, days count as fractions of that month: (d2−1)/days − (d1−1)/days.
  CHECK(months_between(Date::ymd(2025, 2, 1), Date::ymd(2025, 2, 15)) == Approx(14.0 / 28));
  CHECK(months_between(Date::ymd(2025, 1, 15), Date::ymd(2025, 2, 15)) == Approx(1 + 14.0 / 28 - 14.0 / 31));
  CHECK(years_between(Date::ymd(2025, 3, 1), Date::ymd(2025, 2, 1)) == -1.0 / 12);
}

TEST_CASE("Date + Duration inverts the day count", "[calendar][daycount]") {
  CHECK(add_years(Date::quarter(2025, 1), 0.25) == Date::quarter(2025, 2));
  CHECK(add_years(Date::ymd(2025, 1, 1), 18.0 / 12) == Date::ymd(2026, 7, 1));
  CHECK(add_years(Date::ymd(2025, 1, 1), 7.0 / 365) == Date::ymd(2025, 1, 8));  // 7d
  CHECK(add_months(Date::ymd(2025, 11, 1), 3) == Date::ymd(2026, 2, 1));
  // Mid-month: Jan 15 is 14/31 of the way into January; one month later is 14/31 of the
  // way into February, 12.6 of its 28 days: the nearest day is Feb 14, not Feb 15.
  CHECK(add_years(Date::ymd(2025, 1, 15), 1.0 / 12) == Date::ymd(2025, 2, 14));
  // For any two dates a, b: a + (b − a) == b, exactly.
  std::mt19937 g(42);
  std::uniform_int_distribution<int> Y(1990, 2060), M(1, 12), D(1, 31);
  for (int k = 0; k < 20000; ++k) {
    auto pick = [&] {
      int y = Y(g), m = M(g);
      return Date::ymd(y, m, std::min(D(g), days_in_month(y, m)));
    };
    Date a = pick(), b = pick();
    INFO(format_date(a) << " + (" << format_date(b) << " - " << format_date(a) << ")");
    REQUIRE(add_years(a, years_between(a, b)) == b);
  }
}

TEST_CASE("Dates format as YYYY-MM-DD, and quarter starts as 2027Q3", "[calendar]") {
  CHECK(format_date(Date::ymd(2025, 1, 1)) == "2025-01-01");
  CHECK(format_date(Date::ymd(2027, 12, 31)) == "2027-12-31");
  CHECK(format_date_compact(Date::quarter(2027, 3)) == "2027Q3");
  CHECK(format_date_compact(Date::ymd(2027, 3, 1)) == "2027-03");
  CHECK(format_date_compact(Date::ymd(2027, 3, 15)) == "2027-03-15");
  CHECK(parse_date("2027Q3") == Date::ymd(2027, 7, 1));
  CHECK(parse_date("2027-03") == Date::ymd(2027, 3, 1));
  CHECK(parse_date("2024-02-29") == Date::ymd(2024, 2, 29));
  CHECK_FALSE(parse_date("2025-02-29"));
  CHECK_FALSE(parse_date("2027Q5"));
  CHECK_FALSE(parse_date("2027-13"));
  CHECK_FALSE(parse_date("27-03-01"));
  CHECK_THROWS_WITH(Date::ymd(2025, 2, 30), Contains("2025-02 has no day 30"));
}

TEST_CASE("Steps: the calendar runs from D1 to the step containing D2", "[calendar]") {
  Calendar q(Date::quarter(2025, 1), Date::quarter(2027, 4), StepUnit::Quarter);
  CHECK(q.steps() == 12);
  CHECK(q.dt() == 0.25);
  CHECK(q.step_start(0) == Date::ymd(2025, 1, 1));
  CHECK(q.step_start(5) == Date::ymd(2026, 4, 1));
  CHECK(q.step_end(11) == Date::ymd(2028, 1, 1));
  // `calendar 2025Q1 .. 2025Q1 step quarter` has one step; D2 inside a step counts it.
  CHECK(Calendar(Date::quarter(2025, 1), Date::quarter(2025, 1), StepUnit::Quarter).steps() == 1);
  CHECK(Calendar(Date::quarter(2025, 1), Date::ymd(2025, 5, 20), StepUnit::Quarter).steps() == 2);
  Calendar m(Date::ymd(2025, 1, 1), Date::ymd(2025, 12, 1), StepUnit::Month);
  CHECK(m.steps() == 12);
  CHECK(m.dt() == 1.0 / 12);
  Calendar y(Date::ymd(2025, 1, 1), Date::ymd(2030, 6, 1), StepUnit::Year);
  CHECK(y.steps() == 6);
  // A scenario's horizon ends the calendar earlier, never later.
  CHECK(q.with_horizon(Date::quarter(2026, 2)).steps() == 6);
  CHECK(q.with_horizon(Date::quarter(2030, 1)).steps() == 12);
  CHECK_THROWS_WITH(Calendar(Date::quarter(2025, 2), Date::quarter(2025, 1), StepUnit::Quarter),
                    Contains("calendar ends (2025-01-01) before it starts (2025-04-01)"));
}

TEST_CASE("Step lookup for an event date", "[calendar]") {
  Calendar q(Date::quarter(2025, 1), Date::quarter(2026, 4), StepUnit::Quarter);
  CHECK(q.step_of(Date::ymd(2025, 1, 1)) == 0);
  CHECK(q.step_of(Date::ymd(2025, 3, 31)) == 0);
  CHECK(q.step_of(Date::ymd(2025, 4, 1)) == 1);
  CHECK(q.step_of(Date::ymd(2026, 12, 31)) == 7);
  CHECK(q.step_of(Date::ymd(2027, 1, 1)) == -1);  // after the last step
  CHECK(q.step_of(Date::ymd(2024, 12, 31)) == -1);
  CHECK(q.step_index_unbounded(Date::ymd(2024, 12, 31)) == -1);
}

TEST_CASE("Steps that start a month, a quarter or a year (every month|quarter|year)", "[calendar]") {
  Calendar m(Date::ymd(2025, 11, 1), Date::ymd(2026, 6, 1), StepUnit::Month);
  std::vector<int> quarters, years;
  for (int k = 0; k < m.steps(); ++k) {
    CHECK(m.starts_month(k));
    if (m.starts_quarter(k)) quarters.push_back(k);
    if (m.starts_year(k)) years.push_back(k);
  }
  CHECK(quarters == std::vector<int>{2, 5});  // 2026-01, 2026-04
  CHECK(years == std::vector<int>{2});
  // A calendar that starts mid-month has steps that start no month.
  Calendar odd(Date::ymd(2025, 1, 15), Date::ymd(2025, 6, 1), StepUnit::Month);
  CHECK_FALSE(odd.starts_month(0));
  CHECK_FALSE(odd.starts_quarter(1));
}

TEST_CASE("The c02 case: $12B over 1y from 2025-02 on a quarterly calendar pays 2, 3, 3, 3, 1 B", "[calendar][span]") {
  Calendar q(Date::quarter(2025, 1), Date::quarter(2026, 4), StepUnit::Quarter);
  const Window w = Window::from_for(Date::ymd(2025, 2, 1), 1.0);
  std::vector<double> paid;
  double total = 0;
  for (int k = 0; k < q.steps(); ++k) {
    double p = 12e9 * q.span(k, w) / 1.0;
    paid.push_back(p);
    total += p;
  }
  CHECK(paid == std::vector<double>{2e9, 3e9, 3e9, 3e9, 1e9, 0, 0, 0});
  CHECK(total == 12e9);
  CHECK(q.overlaps(4, w));
  CHECK_FALSE(q.overlaps(5, w));
}

TEST_CASE("Spans of windows starting mid-month sum to the term", "[calendar][span]") {
  // The day count puts every day on an exact grid, so the spans of consecutive steps
  // telescope: their sum is the term up to the rounding of the final divisions (exact
  // for whole months, as in c02; ~1e-13 when the term is not a whole number of days).
  std::mt19937 g(7);
  std::uniform_int_distribution<int> Y(2024, 2027), M(1, 12), D(1, 31), T(1, 40);
  for (StepUnit u : {StepUnit::Month, StepUnit::Quarter, StepUnit::Year}) {
    Calendar c(Date::ymd(2023, 1, 1), Date::ymd(2040, 12, 31), u);
    for (int k = 0; k < 2000; ++k) {
      int y = Y(g), m = M(g);
      Date from = Date::ymd(y, m, std::min(D(g), days_in_month(y, m)));
      double term = T(g) / 4.0 + (k % 3 == 0 ? 7.0 / 365 : 0.0);
      Window w = Window::from_for(from, term);
      double sum = 0;
      int touched = 0;
      for (int s = 0; s < c.steps(); ++s) {
        double sp = c.span(s, w);
        REQUIRE(sp >= 0);
        REQUIRE(sp <= c.dt() + 1e-15);
        sum += sp;
        touched += sp > 0;
      }
      INFO(format_date(from) << " for " << term << "y");
      REQUIRE(sum == Approx(term).epsilon(k % 3 == 0 ? 1e-12 : 1e-14));
      REQUIRE(touched >= 1);
    }
  }
  // `until`: [from, until) and an open-ended window.
  Calendar q(Date::quarter(2025, 1), Date::quarter(2025, 4), StepUnit::Quarter);
  CHECK(q.span(1, Window::from_until(Date::ymd(2025, 5, 1), Date::ymd(2025, 6, 1))) == 1.0 / 12);
  CHECK(q.span(3, Window::starting(Date::ymd(2025, 5, 1))) == 0.25);
  CHECK(q.span(0, Window::starting(Date::ymd(2025, 5, 1))) == 0.0);
  CHECK(q.span(2, Window::all()) == 0.25);
}

// Far outside the years 1..9999 — even beyond what an int64 of ticks holds — a date is a
// clear error, never undefined behaviour in the conversion.
TEST_CASE("Dates far outside the calendar's years are refused", "[calendar]") {
  using deal::rt::from_ticks;
  CHECK_THROWS_WITH(from_ticks(1e300), Contains("date arithmetic left the years 1..9999"));
  CHECK_THROWS_WITH(from_ticks(-1e300), Contains("date arithmetic left the years 1..9999"));
  CHECK_THROWS_WITH(from_ticks(9.3e18), Contains("left the years"));
  CHECK_THROWS(from_ticks(std::numeric_limits<double>::infinity()));
}
