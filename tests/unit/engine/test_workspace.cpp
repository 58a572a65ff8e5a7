// The REPL's workspace and evaluation (engine/workspace.hpp, engine/evaluate.hpp): a
// program built up one declaration at a time, refused changes leave it as it was,
// expressions are checked as tracks and run on one path.
#include <catch2/catch.hpp>

#include "engine/evaluate.hpp"
#include "engine/workspace.hpp"

using namespace deal;

namespace {

engine::Change typed(engine::Workspace& ws, const std::string& text) {
  return ws.declare(engine::kTypedInput, text, ".", false);
}

const char* kLab =
    "party Lab {\n"
    "  cash = $8B\n"
    "  revenue = $4B/y\n"
    "  every step { receive(World, revenue * dt) }\n"
    "}\n";

}  // namespace

TEST_CASE("declarations are added, redefined with what they re-check, and forgotten", "[workspace]") {
  engine::Workspace ws({});
  auto c = typed(ws, "param price = $12B/y");
  REQUIRE(c.ok);
  CHECK(c.lines == std::vector<std::string>{"defined param price"});
  c = typed(ws, "party Lab { cash = $1B  revenue = price }");
  REQUIRE(c.ok);
  c = typed(ws, "param price = $15B/y");
  REQUIRE(c.ok);
  CHECK(c.lines == std::vector<std::string>{"redefined param price (re-checked: party Lab)"});
  CHECK(ws.entries().size() == 2);
  CHECK(ws.entries()[0].text == "param price = $15B/y");  // replaced in place

  c = ws.forget("price");  // Lab uses it
  CHECK_FALSE(c.ok);
  CHECK_THAT(c.diagnostics, Catch::Contains("unknown name 'price'"));
  CHECK(c.notes == std::vector<std::string>{"(cannot forget param price: the declarations above use it)"});
  CHECK(ws.entries().size() == 2);
  c = ws.forget("Lab");
  REQUIRE(c.ok);
  CHECK(c.lines == std::vector<std::string>{"forgot party Lab"});
  CHECK(ws.forget("nothing").errors == std::vector<std::string>{"nothing named 'nothing' in the session"});
}

TEST_CASE("a declaration that does not check is refused and the workspace stays as it was", "[workspace]") {
  engine::Workspace ws({});
  REQUIRE(typed(ws, "param price = $12B/y").ok);
  auto c = typed(ws, "param price = $12B/y + $1B");
  CHECK_FALSE(c.ok);
  CHECK_THAT(c.diagnostics, Catch::Contains("<repl>:1:22: error: cannot add Flow ($/y) and Money ($)"));
  CHECK(c.notes == std::vector<std::string>{"(not added: the session keeps its previous declarations)"});
  CHECK(ws.entries()[0].text == "param price = $12B/y");
  c = typed(ws, "party {");
  CHECK_FALSE(c.ok);
  CHECK_THAT(c.diagnostics, Catch::Contains("<repl>:1:"));
}

TEST_CASE("the program compiles once it has a calendar, not before", "[workspace]") {
  engine::Workspace ws({});
  REQUIRE(typed(ws, kLab).ok);
  std::string why;
  CHECK_FALSE(ws.compiled(why));
  CHECK_THAT(why, Catch::Contains("no calendar yet"));
  CHECK_FALSE(ws.has_calendar());
  REQUIRE(typed(ws, "calendar 2025Q1 .. 2025Q4 step quarter").ok);
  CHECK(ws.has_calendar());
  const engine::Compiled* c = ws.compiled(why);
  REQUIRE(c);
  CHECK(ws.compiled(why) == c);  // once per accepted version
  REQUIRE(typed(ws, "param p = 1").ok);
  CHECK(ws.compiled(why) != nullptr);
}

TEST_CASE("expressions: constants without a calendar, states after one, with types and units", "[workspace]") {
  engine::Workspace ws({});
  engine::Problem why;
  auto v = engine::evaluate(ws, engine::kTypedInput, "$12B/y * 2y", "", true, {}, why);
  REQUIRE(v);
  CHECK(v->type_text == "Money ($)");
  CHECK(v->values == std::vector<double>{24e9});
  REQUIRE(typed(ws, kLab).ok);
  CHECK_FALSE(engine::evaluate(ws, engine::kTypedInput, "Lab.cash", "", true, {}, why));
  CHECK_THAT(why.text, Catch::Contains("reads the state of a run, and the session has no calendar yet"));
  REQUIRE(typed(ws, "calendar 2025Q1 .. 2025Q4 step quarter").ok);
  v = engine::evaluate(ws, engine::kTypedInput, "Lab.cash", "", true, {}, why);
  REQUIRE(v);
  CHECK(v->unit == "$");
  CHECK(v->scenario == "default");
  REQUIRE(v->values.size() == 4);
  CHECK(v->values.back() == Approx(12e9));
  // Only the type: nothing compiled, so a Party is fine.
  v = engine::evaluate(ws, engine::kTypedInput, "Lab", "", false, {}, why);
  REQUIRE(v);
  CHECK(v->type_text == "Party");
}

TEST_CASE("an expression's errors point into the typed text and leave the workspace alone", "[workspace]") {
  engine::Workspace ws({});
  REQUIRE(typed(ws, kLab).ok);
  REQUIRE(typed(ws, "calendar 2025Q1 .. 2025Q4 step quarter").ok);
  engine::Problem why;
  CHECK_FALSE(engine::evaluate(ws, engine::kTypedInput, "Lab.cahs", "", true, {}, why));
  CHECK(why.rendered);
  CHECK_THAT(why.text, Catch::Contains("<repl>:1:5: error: party 'Lab' has no field 'cahs'"));
  CHECK(ws.program().scenarios.size() == 1);  // the evaluation scenario went to a copy
}

TEST_CASE("an expression runs in the scenario in context, with its overrides", "[workspace]") {
  engine::Workspace ws({});
  REQUIRE(typed(ws,
                "calendar 2025Q1 .. 2025Q4 step quarter\nparam g = $1B\n"
                "party A { cash = $0  every step { receive(World, g) } }\n"
                "scenario base { }\nscenario big { param g = $2B }\n")
              .ok);
  engine::Problem why;
  auto base = engine::evaluate(ws, engine::kTypedInput, "A.cash", "base", true, {}, why);
  auto big = engine::evaluate(ws, engine::kTypedInput, "A.cash", "big", true, {}, why);
  REQUIRE(base);
  REQUIRE(big);
  CHECK(base->values.back() == Approx(4e9));
  CHECK(big->values.back() == Approx(8e9));
  CHECK(big->scenario == "big");
  // Several tracks at once (:show), each series under its label.
  auto p = engine::probe(ws, "<show>", {{"c", "A.cash"}, {"e", "A.equity"}}, "big", {}, why);
  REQUIRE(p);
  int found = 0;
  for (const auto& s : p->result.series) found += s.label == "c" || s.label == "e";
  CHECK(found == 2);
  for (const auto& s : p->result.series)
    if (s.label == "c") CHECK(s.values.back() == Approx(8e9));  // scenario big's override
  // Run on the session's compiled program with only the tracks compiled (no program of
  // its own), so the model is the session's.
  CHECK_FALSE(p->compiled);
  std::string why_not;
  CHECK(&p->model() == &ws.compiled(why_not)->model());
  CHECK(ws.program().scenarios.size() == 2);  // nothing added to the session's program
}
