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

TEST_CASE("cash is set only by shocks and a party's own block: deals pay, borrow or receive", "[check][ledger]") {
  // A contract that writes a party's cash would create money --check-ledger never sees.
  std::string e = errors_of(
      "party A { cash = $1B }\nparty B { cash = $0 }\n"
      "contract gift(giver: Party, taker: Party) { every step { taker.cash += $1B } }\ndeal g = gift(A, B)\n");
  CHECK_THAT(e, Catch::Contains("t.deal:4:58: error: a contract cannot assign 'taker.cash': money changes hands "
                                "only through payments (LANGUAGE.md §6.3); use pay(taker, to, amount)"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nparty B { cash = $0  every step { A.cash = $5B } }\n"),
             Catch::Contains("t.deal:3:35: error: party 'B' cannot assign 'A.cash'"));
  // Allowed: a shock (c05 in the conformance suite), a party's own cash (c.f. e06), other
  // states of other parties, and a contract's own field named `cash`.
  CHECK(check_source("party A { cash = $1B }\nshock s { at 2025Q1 { A.cash -= $94B } }\n").ok());
  CHECK(check_source("party A { cash = $1B  every step { cash = cash / 2  self.cash *= 2 } }\n").ok());
  CHECK(check_source("party A { cash = $1B  x = 0 }\nparty B { every step { A.x += 1  A.debt += $1 } }\n").ok());
  CHECK(check_source("party A { cash = $1B }\ncontract c(p: Party) { cash = $0  every step { cash += $1 "
                     " p.debt += $1 } }\ndeal d = c(A)\n")
            .ok());
}

TEST_CASE("own(A, A), borrow(World), negative credit, debt and borrowing are compile errors", "[check][ledger]") {
  CHECK_THAT(errors_of("party A { cash = $1B  every step { own(A, A, 10%) } }\n"),
             Catch::Contains("t.deal:2:40: error: a party cannot own a stake in itself: 'A' is both the holder and "
                             "the issuer"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nshock s { at 2025Q1 { sell(A, A, 1%) } }\n"),
             Catch::Contains("a party cannot sell a stake in itself"));
  // In a contract, per deal: only the deal that binds both to one party is wrong.
  std::string e = errors_of(
      "party A { cash = $1B }\nparty B { cash = $1B }\n"
      "contract stake(h: Party, i: Party) { at 2025Q1 { own(h, i, 10%) } }\ndeal ok = stake(A, B)\n"
      "deal bad = stake(B, B)\n");
  CHECK_THAT(e, Catch::Contains("'B' is both the holder and the issuer (in deal 'bad')"));
  CHECK_THAT(e, !Catch::Contains("in deal 'ok'"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nshock s { at 2025Q1 { borrow(World, $1B) } }\n"),
             Catch::Contains("t.deal:3:30: error: World cannot borrow"));
  CHECK_THAT(errors_of("party A { cash = $1B  every step { borrow(-$1B) } }\n"),
             Catch::Contains("t.deal:2:43: error: the amount borrowed cannot be negative"));
  CHECK_THAT(errors_of("party A { cash = $1B  debt = -$1B }\n"),
             Catch::Contains("t.deal:2:30: error: a party's debt cannot be negative"));
  CHECK_THAT(errors_of("party A { cash = $1B  credit = -5 * $1B }\n"),
             Catch::Contains("t.deal:2:32: error: a party's credit cannot be negative"));
  CHECK_THAT(errors_of("party A { cash = $1B  every step { credit = -$1B } }\n"),
             Catch::Contains("t.deal:2:45: error: a party's credit cannot be negative"));
  CHECK_THAT(errors_of("party A { cash = $1B }\nshock s { at 2025Q1 { A.debt = -$1B } }\n"),
             Catch::Contains("a party's debt cannot be negative"));
  // Zero and positive values, and values known only at run time, are fine here.
  CHECK(check_source("param d = $1B\nparty A { cash = $1B  debt = $0  credit = d  every step { debt = d - $2B "
                     " borrow($1B)  own(A, World, 0%) } }\n")
            .ok());
}
