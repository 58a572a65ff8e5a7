// The REPL refuses declarations the run could not evaluate (issue 14): a calendar whose
// dates leave the years 1..9999 is an error when typed, and the session keeps its
// previous calendar.
#include <catch2/catch.hpp>

#include "engine/workspace.hpp"

using namespace deal;

TEST_CASE("the REPL refuses a calendar outside the years 1..9999", "[workspace][limits]") {
  engine::Workspace ws({});
  auto c = ws.declare(engine::kTypedInput, "calendar 9999Q1 .. 9999Q4 step quarter", ".", false);
  CHECK_FALSE(c.ok);
  CHECK_THAT(c.diagnostics, Catch::Contains("<repl>:1:20: error: the calendar's last quarter ends in the year 10000"));
  CHECK_FALSE(ws.has_calendar());
  c = ws.declare(engine::kTypedInput, "calendar 0000Q1 .. 0001Q4 step quarter", ".", false);
  CHECK_FALSE(c.ok);
  CHECK_THAT(c.diagnostics, Catch::Contains("the year must be 0001 to 9999"));
  CHECK_FALSE(ws.has_calendar());
  REQUIRE(ws.declare(engine::kTypedInput, "calendar 2025Q1 .. 2025Q4 step quarter", ".", false).ok);
  c = ws.declare(engine::kTypedInput, "calendar 9999-01 .. 9999-12 step month", ".", false);
  CHECK_FALSE(c.ok);
  CHECK(ws.has_calendar());
  CHECK(ws.entries().at(0).text == "calendar 2025Q1 .. 2025Q4 step quarter");
}
