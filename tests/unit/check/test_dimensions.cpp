// Dimension rules of LANGUAGE.md §3, one test per rule.
#include <catch2/catch.hpp>

#include "check_helpers.hpp"

using deal::test::check_source;
using deal::test::param_type;
using deal::test::type_of;

namespace {
double param_value(const std::string& expr) {
  auto c = check_source("unit GW\nparam x = " + expr + "\n");
  REQUIRE(c.ok());
  const auto& init = c.program->params[0].init;
  REQUIRE(init.is_const());
  return init.num;
}
}  // namespace

TEST_CASE("literals carry the named dimensions of the table in §3", "[dim]") {
  CHECK(type_of("3") == "Number");
  CHECK(type_of("20%") == "Number");
  CHECK(type_of("1.5B") == "Number");
  CHECK(type_of("$38B") == "Money ($)");
  CHECK(type_of("7y") == "Duration (y)");
  CHECK(type_of("18mo") == "Duration (y)");
  CHECK(type_of("$13B/y") == "Flow ($/y)");
  CHECK(type_of("60%/y") == "Rate (1/y)");
  CHECK(type_of("6GW") == "Quantity[GW] (GW)");
  CHECK(type_of("$35B/GW") == "Price[GW] ($/GW)");
  CHECK(type_of("$12B/y/GW") == "$/y/GW");
}

TEST_CASE("time units are scaled years; per-unit suffixes divide", "[dim]") {
  CHECK(param_value("18mo") == Approx(1.5));
  CHECK(param_value("2q") == Approx(0.5));
  CHECK(param_value("1w") == Approx(7.0 / 365));
  CHECK(param_value("365d") == Approx(1.0));
  CHECK(param_value("$1.5B") == Approx(1.5e9));
  CHECK(param_value("20%") == Approx(0.2));
  CHECK(param_value("$12B/mo") == Approx(144e9));
  CHECK(param_value("60%/y") == Approx(0.6));
}

TEST_CASE("+ and - need equal dimensions, with the operator located", "[dim]") {
  auto c = check_source("param x = $1B + $1B/y\n");
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.messages, Catch::Contains("t.deal:2:15: error: cannot add Money ($) and Flow ($/y)"));
  CHECK(type_of("$1B - $2B") == "Money ($)");
  CHECK_THAT(type_of("1y - 3"), Catch::Contains("cannot subtract Duration (y) and Number"));
}

TEST_CASE("* and / add and subtract exponents", "[dim]") {
  CHECK(type_of("$12B/y * 2y") == "Money ($)");
  CHECK(type_of("$24B / 3y") == "Flow ($/y)");
  CHECK(type_of("2GW * $12B/y/GW") == "Flow ($/y)");
  CHECK(type_of("$1B / $2B") == "Number");
  CHECK(type_of("1 / 2y") == "Rate (1/y)");
}

TEST_CASE("^ needs a dimensionless exponent, and a dimensionless base unless the exponent is an integer literal",
          "[dim]") {
  CHECK(type_of("2 ^ 3") == "Number");
  CHECK(type_of("1.05 ^ 2.5") == "Number");
  CHECK(type_of("2GW ^ 2") == "GW^2");
  CHECK(type_of("2y ^ -1") == "Rate (1/y)");
  CHECK_THAT(type_of("2 ^ 1y"), Catch::Contains("exponent of '^' must be a plain Number"));
  CHECK_THAT(type_of("$2B ^ 1.5"), Catch::Contains("whole-number literal power"));
}

TEST_CASE("exp and log need dimensionless values; sqrt needs even exponents", "[dim]") {
  CHECK(type_of("exp(0.5)") == "Number");
  CHECK_THAT(type_of("exp($1B)"), Catch::Contains("'exp' of a dimensioned value"));
  CHECK_THAT(type_of("log(2y)"), Catch::Contains("'log' of a dimensioned value"));
  CHECK(type_of("sqrt(4GW * 1GW)") == "Quantity[GW] (GW)");
  CHECK_THAT(type_of("sqrt($4B)"), Catch::Contains("not even"));
}

TEST_CASE("min, max, clamp and comparisons need equal dimensions", "[dim]") {
  CHECK(type_of("min($1B, $2B, $3B)") == "Money ($)");
  CHECK_THAT(type_of("max($1B, 1y)"), Catch::Contains("one dimension"));
  CHECK(type_of("clamp(5%, 0, 1)") == "Number");
  CHECK_THAT(type_of("clamp(5%, $0, 1)"), Catch::Contains("one dimension"));
  CHECK(type_of("$1B < $2B") == "Bool");
  CHECK_THAT(type_of("$1B < 2"), Catch::Contains("cannot compare Money ($) and Number"));
}

TEST_CASE("dates: Date - Date is a Duration, Date ± Duration a Date, dates compare", "[dim]") {
  CHECK(type_of("2027Q3 - 2025Q1") == "Duration (y)");
  CHECK(param_value("2027Q3 - 2025Q1") == Approx(2.5));
  CHECK(param_value("2025-03 - 2025-02") == Approx(1.0 / 12));
  CHECK(type_of("2025Q1 + 18mo") == "Date");
  CHECK(type_of("2025Q1 - 1y") == "Date");
  CHECK(type_of("2025Q1 < 2026Q1") == "Bool");
  CHECK_THAT(type_of("2025Q1 + 2026Q1"), Catch::Contains("cannot add Date and Date"));
  CHECK_THAT(type_of("2025Q1 + 3"), Catch::Contains("cannot add Date and Number"));
  CHECK_THAT(type_of("2025-02-30"), Catch::Contains("that month has 28 days"));
}

TEST_CASE("annotations are checked against the initializer, including Quantity[U] and Price[U]", "[dim]") {
  CHECK(param_type("unit GW\nparam x: Quantity[GW] = 2GW\n") == "Quantity[GW] (GW)");
  CHECK(param_type("unit GW\nparam x: Price[GW] = $3B/GW\n") == "Price[GW] ($/GW)");
  CHECK(param_type("param x: Money/Duration = $3B/y\n") == "Flow ($/y)");
  CHECK_THAT(param_type("param x: Rate = $1B\n"), Catch::Contains("declared as Rate (1/y) but its value is Money ($)"));
  CHECK_THAT(param_type("param x: Quantity[MW] = 1\n"), Catch::Contains("unknown unit 'MW'"));
  CHECK_THAT(param_type("param x: Muney = $1\n"), Catch::Contains("did you mean 'Money'?"));
}

TEST_CASE("a per-unit suffix that names a value divides; one that names nothing is an error", "[dim]") {
  auto c = check_source("party A { cash = $1B  every step { cash = 2/dt } }\n");
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.messages, Catch::Contains("cannot assign Rate (1/y) to a state of type Money ($)"));
  auto ok = check_source("party A { cash = $1B  every step { cash = cash * (1/dt * dt) } }\n");
  CHECK(ok.ok());
  CHECK_THAT(type_of("2/foo"),
             Catch::Contains("'foo' is neither a unit nor a value in scope; to divide, write spaces: '2 / foo'"));
  CHECK_THAT(type_of("3parsecs"), Catch::Contains("unknown unit 'parsecs'"));
}

TEST_CASE("if-expressions need a Bool condition and branches of one type", "[dim]") {
  CHECK(type_of("if 1 < 2 then $1B else $2B") == "Money ($)");
  CHECK_THAT(type_of("if 1 < 2 then $1B else 2y"), Catch::Contains("branches of `if` differ"));
  CHECK_THAT(type_of("if 3 then 1 else 2"), Catch::Contains("condition of `if` must be Bool"));
}

TEST_CASE("built-ins: years, npv, discount, draws", "[dim]") {
  CHECK(type_of("years(18mo)") == "Number");
  CHECK(type_of("npv(5%/y, $1B/y, 3y)") == "Money ($)");
  CHECK(type_of("discount(5%/y, 2y)") == "Number");
  CHECK_THAT(type_of("npv(5%, $1B/y, 3y)"), Catch::Contains("the discount rate must be Rate (1/y), not Number"));
  CHECK_THAT(type_of("normal(1, 2)"), Catch::Contains("random draws"));
}
