// Programs that used to pass `check` and then abort the run (issue 14): each is now a
// located compile error that names the limit.
#include <catch2/catch.hpp>

#include "check_helpers.hpp"

using deal::test::check_source;

namespace {

std::string errors_of(const std::string& src) {
  auto c = check_source(src);
  return c.ok() ? std::string("(no error)") : c.messages;
}

}  // namespace

TEST_CASE("a calendar must stay within the years 1..9999, the end of its last step included", "[check][limits]") {
  // Year 0 is not a date at all.
  CHECK_THAT(errors_of("calendar 0000Q1 .. 0001Q4 step quarter\nparty A { cash = $1B }\n"),
             Catch::Contains("t.deal:1:10: error: '0000Q1' is not a date: the year must be 0001 to 9999"));
  CHECK_THAT(errors_of("calendar 0000-01 .. 0001-12 step month\nparty A { cash = $1B }\n"),
             Catch::Contains("the year must be 0001 to 9999"));
  CHECK_THAT(errors_of("calendar 0000-01-01 .. 0001-12 step year\nparty A { cash = $1B }\n"),
             Catch::Contains("the year must be 0001 to 9999"));
  // The last step of these ends on 10000-01-01.
  CHECK_THAT(errors_of("calendar 9999Q1 .. 9999Q4 step quarter\nparty A { cash = $1B }\n"),
             Catch::Contains("t.deal:1:20: error: the calendar's last quarter ends in the year 10000") &&
                 Catch::Contains("must lie in the years 1..9999"));
  CHECK_THAT(errors_of("calendar 9999-01 .. 9999-12 step month\nparty A { cash = $1B }\n"),
             Catch::Contains("the calendar's last month ends in the year 10000"));
  CHECK_THAT(errors_of("calendar 9990-01 .. 9999-01 step year\nparty A { cash = $1B }\n"),
             Catch::Contains("the calendar's last year ends in the year 10000"));
  // The widest calendars that fit are accepted.
  CHECK(check_source("calendar 0001Q1 .. 0002Q4 step quarter\nparty A { cash = $1B }\n").ok());
  CHECK(check_source("calendar 9999Q1 .. 9999Q3 step quarter\nparty A { cash = $1B }\n").ok());
  CHECK(check_source("calendar 9999-01 .. 9999-11 step month\nparty A { cash = $1B }\n").ok());
  CHECK(check_source("calendar 9990-01 .. 9998-12 step year\nparty A { cash = $1B }\n").ok());
}

TEST_CASE("a constant date outside the years 1..9999 or not finite is an error where it is written",
          "[check][limits]") {
  // The horizon (issue 14: `2025Q1 + (0/0) * 1y` aborted the run with "non-finite date").
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { horizon 2025Q1 + (0/0) * 1y }\n"),
             Catch::Contains("t.deal:3:22: error: this date is not a finite date"));
  CHECK_THAT(errors_of("calendar 9998Q1 .. 9999Q1 step quarter\nparty A { cash = $1B }\n"
                       "scenario s { horizon 9999Q2 + 1y }\n"),
             Catch::Contains("t.deal:3:22: error: this date is outside the years 1..9999"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { horizon 2025Q1 - 2025y }\n"),
             Catch::Contains("this date is outside the years 1..9999"));
  // Any other constant date: an `at`, a param, a deal's argument.
  CHECK_THAT(errors_of("party A { cash = $1B }\nshock k { at 2025Q1 + (1/0) * 1y { A.cash = $0 } }\n"),
             Catch::Contains("t.deal:3:14: error: this date is not a finite date"));
  CHECK_THAT(errors_of("param d = 2025Q1 + 8000y\nparty A { cash = $1B }\n"),
             Catch::Contains("t.deal:2:11: error: this date is outside the years 1..9999"));
  CHECK_THAT(errors_of("party A { cash = $1B }\ncontract c(p: Party, start: Date) { at start { pay(p, World, $1) } }\n"
                       "deal d = c(A, 2025Q1 + (0/0) * 1y)\n"),
             Catch::Contains("t.deal:4:15: error: this date is not a finite date"));
  // In range: fine, including dates that only the folding computes.
  CHECK(check_source("party A { cash = $1B }\nscenario s { horizon 2025Q1 + 6mo }\n").ok());
}

TEST_CASE("clearing alpha and beta are constants in [0, 1]; NaN is refused", "[check][limits]") {
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { clearing { alpha = 0/0 } }\n"),
             Catch::Contains("t.deal:3:33: error: alpha must be a number between 0% and 100%, not NaN"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { clearing { beta = 0/0 } }\n"),
             Catch::Contains("beta must be a number between 0% and 100%, not NaN"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { clearing { beta = 1/0 } }\n"),
             Catch::Contains("beta must be a number between 0% and 100%, not inf"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { clearing { alpha = -10% } }\n"),
             Catch::Contains("alpha must be a number between 0% and 100%, not -0.1"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { clearing { alpha = $1 } }\n"),
             Catch::Contains("alpha must be a number between 0% and 100%, not Money"));
  CHECK_THAT(errors_of("param a = 50%\nparty A { cash = $1B }\nscenario s { clearing { alpha = a } }\n"),
             Catch::Contains("alpha must be a number between 0% and 100% (a constant"));
  auto ok = check_source("party A { cash = $1B }\nscenario s { clearing { alpha = 0%  beta = 100% } }\n");
  REQUIRE(ok.ok());
  CHECK(ok.program->scenarios[0].alpha == 0);
  CHECK(ok.program->scenarios[0].beta == 1);
}

TEST_CASE("paths and seed name their limit, 2^53", "[check][limits]") {
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { paths 1e16 }\n"),
             Catch::Contains("t.deal:3:20: error: paths must be a whole number from 1 to 2^53 (9007199254740992)"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { seed 1e17 }\n"),
             Catch::Contains("seed must be a whole number from 0 to 2^53 (9007199254740992)"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nscenario s { paths 0 }\n"),
             Catch::Contains("paths must be a whole number from 1 to 2^53"));
  auto ok = check_source("party A { cash = $1B }\nscenario s { paths 9007199254740992  seed 0 }\n");
  REQUIRE(ok.ok());
  CHECK(ok.program->scenarios[0].paths == 9007199254740992LL);
}
