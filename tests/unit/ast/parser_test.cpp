// Parser: every declaration, member, clause, statement and expression form, with the
// precedence table, named arguments, optional semicolons and line continuation.
#include <catch2/catch.hpp>

#include "frontend_util.hpp"

using namespace deal::ast;
using deal::test::parse;
using deal::test::parse_expr;

namespace {

// The expression fully parenthesised, to pin down how it grouped.
std::string shape(const Expr& e) {
  std::string s;
  switch (e.kind) {
    case ExprKind::Binary:
      s += "(";
      s += shape(*e.args[0]) + " " + e.op + " " + shape(*e.args[1]);
      s += ")";
      return s;
    case ExprKind::Unary:
      s += "(";
      s += e.op + (e.op == "not" ? " " : "") + shape(*e.args[0]);
      s += ")";
      return s;
    case ExprKind::If:
      s += "(if ";
      s += shape(*e.args[0]) + " then " + shape(*e.args[1]) + " else " + shape(*e.args[2]);
      s += ")";
      return s;
    case ExprKind::Field:
      return shape(*e.args[0]) + "." + e.name;
    case ExprKind::Call: {
      s = e.name + "(";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) s += ", ";
        if (!e.arg_names[i].empty()) s += e.arg_names[i] + ": ";
        s += shape(*e.args[i]);
      }
      return s + ")";
    }
    default:
      return print(e);
  }
}

std::string shape_of(const std::string& text) {
  auto p = parse_expr(text);
  INFO(text << "\n" << p->errors());
  REQUIRE(p->expr);
  return shape(*p->expr);
}

const Decl& only_decl(const deal::test::ParsedModule& p) {
  INFO(p.errors());
  REQUIRE(p.ok());
  REQUIRE(p.module.decls.size() == 1);
  return p.module.decls[0];
}

}  // namespace

// ------------------------------------------------------------------ expressions

TEST_CASE("precedence: or < and < not < comparison < + - < * / < unary < ^ < postfix", "[parser]") {
  CHECK(shape_of("1 + 2 * 3") == "(1 + (2 * 3))");
  CHECK(shape_of("1 * 2 + 3") == "((1 * 2) + 3)");
  CHECK(shape_of("a or b and c") == "(a or (b and c))");
  CHECK(shape_of("a and b or c") == "((a and b) or c)");
  CHECK(shape_of("not a and b") == "((not a) and b)");
  CHECK(shape_of("not a == b") == "(not (a == b))");
  CHECK(shape_of("a + 1 < b * 2") == "((a + 1) < (b * 2))");
  CHECK(shape_of("a < b and c >= d") == "((a < b) and (c >= d))");
  CHECK(shape_of("-a * b") == "((-a) * b)");
  CHECK(shape_of("a - -b") == "(a - (-b))");
  CHECK(shape_of("+a") == "(+a)");
  CHECK(shape_of("A.cash * 2") == "(A.cash * 2)");
  CHECK(shape_of("f(x).y ^ 2") == "(f(x).y ^ 2)");
}

TEST_CASE("binary operators are left-associative", "[parser]") {
  CHECK(shape_of("a - b - c") == "((a - b) - c)");
  CHECK(shape_of("a / b * c") == "((a / b) * c)");
  CHECK(shape_of("a or b or c") == "((a or b) or c)");
}

TEST_CASE("^ is right-associative and binds tighter than unary minus", "[parser]") {
  CHECK(shape_of("2^3^2") == "(2 ^ (3 ^ 2))");
  CHECK(shape_of("-2^2") == "(-(2 ^ 2))");
  CHECK(shape_of("2^-1") == "(2 ^ (-1))");
  CHECK(shape_of("(-2)^2") == "((-2) ^ 2)");
  CHECK(shape_of("a * b^2") == "(a * (b ^ 2))");
}

TEST_CASE("comparisons are non-associative", "[parser]") {
  auto p = parse_expr("a < b < c");
  CHECK_FALSE(p->expr);
  CHECK(p->errors().find("comparisons cannot be chained; write 'a < b and b < c'") != std::string::npos);
  CHECK(parse_expr("a == b != c")->errors().find("cannot be chained") != std::string::npos);
  CHECK(shape_of("(a < b) == c") == "((a < b) == c)");
}

TEST_CASE("if-then-else expressions extend as far as possible", "[parser]") {
  CHECK(shape_of("if c then a else b + 1") == "(if c then a else (b + 1))");
  CHECK(shape_of("1 + if c then a else b") == "(1 + (if c then a else b))");
  CHECK(shape_of("if a then if b then 1 else 2 else 3") == "(if a then (if b then 1 else 2) else 3)");
  CHECK(shape_of("if x > 0 and y then x else -x") == "(if ((x > 0) and y) then x else (-x))");
}

TEST_CASE("calls, named arguments and field access", "[parser]") {
  CHECK(shape_of("min(a, b)") == "min(a, b)");
  CHECK(shape_of("pay(A, B, x, priority: 1)") == "pay(A, B, x, priority: 1)");
  CHECK(shape_of("f()") == "f()");
  CHECK(shape_of("f(a,)") == "f(a)");           // a trailing comma is allowed
  CHECK(shape_of("Lab.value") == "Lab.value");  // the keyword is allowed after a dot
  CHECK(shape_of("d.x.y") == "d.x.y");
  auto p = parse_expr("pay(A, B, x, priority: 1)");
  REQUIRE(p->expr);
  CHECK(p->expr->kind == ExprKind::Call);
  CHECK(p->expr->arg_names == std::vector<std::string>{"", "", "", "priority"});
  CHECK(p->expr->arg_name_spans[3].col == 14);
  CHECK(p->expr->op_span.col == 1);
  CHECK(p->expr->op_span.end_col == 4);
}

TEST_CASE("parentheses are remembered but do not change the tree's meaning", "[parser]") {
  auto p = parse_expr("(a + b) * c");
  REQUIRE(p->expr);
  CHECK(p->expr->args[0]->parenthesized);
  CHECK(p->expr->args[0]->span.col == 1);
  CHECK(p->expr->args[0]->span.end_col == 8);
  auto q = parse_expr("((a + b)) * c");
  REQUIRE(q->expr);
  CHECK(equal(*p->expr, *q->expr));
}

TEST_CASE("expression spans: 1-based columns, end exclusive, operator spans", "[parser]") {
  auto p = parse_expr("x + 2 * y");
  REQUIRE(p->expr);
  const Expr& e = *p->expr;
  CHECK(e.span == deal::Span{1, 1, 1, 1, 10});
  CHECK(e.op_span == deal::Span{1, 1, 3, 1, 4});
  CHECK(e.args[1]->op_span == deal::Span{1, 1, 7, 1, 8});
  CHECK(e.args[1]->span == deal::Span{1, 1, 5, 1, 10});
  auto f = parse_expr("buyer.capacity");
  REQUIRE(f->expr);
  CHECK(f->expr->kind == ExprKind::Field);
  CHECK(f->expr->op_span == deal::Span{1, 1, 7, 1, 15});
}

// ------------------------------------------------------------------ declarations

TEST_CASE("import, calendar, unit, param", "[parser]") {
  auto p = parse(R"(
import "std/contracts"
calendar 2025Q1 .. 2027Q4 step quarter
unit GW
param growth = 60%/y
param price: Money/Duration = $1B/y
)");
  INFO(p->errors());
  REQUIRE(p->ok());
  const auto& d = p->module.decls;
  REQUIRE(d.size() == 5);
  CHECK(d[0].kind == DeclKind::Import);
  CHECK(d[0].import->path == "std/contracts");
  CHECK(d[0].import->path_span.col == 8);
  CHECK(d[1].kind == DeclKind::Calendar);
  CHECK(d[1].calendar->from->date == DateLit{2025, 1, 1});
  CHECK(d[1].calendar->to->date == DateLit{2027, 10, 1});
  CHECK(d[1].calendar->step == Period::Quarter);
  CHECK(d[2].unit->name == "GW");
  CHECK(d[3].param->name == "growth");
  CHECK_FALSE(d[3].param->type);
  REQUIRE(d[4].param->type);
  REQUIRE(d[4].param->type->factors.size() == 2);
  CHECK(d[4].param->type->factors[0].name == "Money");
  CHECK(d[4].param->type->factors[1].name == "Duration");
  CHECK(d[4].param->type->factors[1].exponent == -1);
  CHECK(print(*d[4].param->type) == "Money/Duration");
}

TEST_CASE("calendar steps", "[parser]") {
  for (auto [word, period] :
       {std::pair{"month", Period::Month}, {"quarter", Period::Quarter}, {"year", Period::Year}}) {
    auto p = parse(std::string("calendar 2025-01 .. 2026-12 step ") + word);
    CHECK(only_decl(*p).calendar->step == period);
  }
  CHECK(parse("calendar 2025Q1 .. 2026Q4 step week")
            ->errors()
            .find("expected 'month', 'quarter' or 'year' after 'step', found 'week'") != std::string::npos);
}

TEST_CASE("party with kind and every kind of member", "[parser]") {
  auto p = parse(R"(
party Lab is lab {
  cash = $8B
  capacity: Quantity[GW] = 1GW
  credit = $5B
  let burn = 0.7 * revenue
  every step { cash -= burn * dt }
  value = cash - debt
}
)");
  const Decl& d = only_decl(*p);
  REQUIRE(d.kind == DeclKind::Party);
  const PartyDecl& party = *d.party;
  CHECK(party.name == "Lab");
  CHECK(party.kind == "lab");
  CHECK(party.name_span.col == 7);
  CHECK(party.kind_span.col == 14);
  REQUIRE(party.members.size() == 6);
  CHECK(party.members[0].kind == MemberKind::Field);
  CHECK(party.members[0].name == "cash");
  CHECK(party.members[1].type->factors[0].name == "Quantity");
  CHECK(party.members[1].type->factors[0].unit == "GW");
  CHECK(party.members[2].name == "credit");
  CHECK(party.members[3].kind == MemberKind::Let);
  CHECK(party.members[4].kind == MemberKind::Clause);
  CHECK(party.members[4].clause.kind == ClauseKind::Every);
  CHECK(party.members[4].clause.period == Period::Step);
  CHECK(party.members[5].kind == MemberKind::Value);
  CHECK(party.close_span.line == 9);
}

TEST_CASE("contract parameters, defaults and every clause form", "[parser]") {
  auto p = parse(R"(
contract c(buyer: Party, seller: Party, total: Money = $1B, gw: Quantity[GW], start: Date) {
  let rate = total / 1y
  paid = $0
  at start { buyer.capacity += gw }
  every step from start for 3y { pay(buyer, seller, total * span / 3y) }
  every month until 2027Q1 { paid += 1 }
  every quarter {}
  every year from start {}
  when seller.cash < $0 { terminate }
  whenever buyer.cash > $1B { emit "rich" }
  on default(seller) { buyer.capacity -= gw; terminate }
}
)");
  const Decl& d = only_decl(*p);
  const ContractDecl& c = *d.contract;
  REQUIRE(c.params.size() == 5);
  CHECK(c.params[2].name == "total");
  REQUIRE(c.params[2].default_value);
  CHECK(c.params[2].default_value->value == 1e9);
  CHECK_FALSE(c.params[0].default_value);
  CHECK(c.params[3].type.factors[0].unit == "GW");
  REQUIRE(c.members.size() == 10);
  const Clause& at = c.members[2].clause;
  CHECK(at.kind == ClauseKind::At);
  CHECK(at.expr->name == "start");
  CHECK(at.span == deal::Span{1, 5, 3, 5, 13});  // keyword through the opening brace
  const Clause& every = c.members[3].clause;
  CHECK(every.kind == ClauseKind::Every);
  CHECK(every.from->name == "start");
  CHECK(every.length->units[0].name == "y");
  CHECK_FALSE(every.until);
  const Clause& monthly = c.members[4].clause;
  CHECK(monthly.period == Period::Month);
  CHECK(monthly.until->kind == ExprKind::Date);
  CHECK(c.members[5].clause.period == Period::Quarter);
  CHECK(c.members[6].clause.period == Period::Year);
  CHECK(c.members[7].clause.kind == ClauseKind::When);
  CHECK(c.members[8].clause.kind == ClauseKind::Whenever);
  const Clause& od = c.members[9].clause;
  CHECK(od.kind == ClauseKind::OnDefault);
  CHECK(od.party == "seller");
  CHECK(od.party_span.col == 14);
  REQUIRE(od.body.size() == 2);
  CHECK(od.body[1]->kind == StmtKind::Terminate);
}

TEST_CASE("deal with positional and named arguments", "[parser]") {
  auto p = parse("deal lab_cloud = commitment(Lab, Cloud, $24B, 2025Q2, 3y, gw: 1GW)");
  const DealDecl& d = *only_decl(*p).deal;
  CHECK(d.name == "lab_cloud");
  CHECK(d.contract == "commitment");
  CHECK(d.contract_span.col == 18);
  REQUIRE(d.args.size() == 6);
  CHECK(d.args[0].name.empty());
  CHECK(d.args[5].name == "gw");
  CHECK(d.args[5].name_span.col == 59);
  CHECK(d.args[5].value->units[0].name == "GW");
}

TEST_CASE("fn and extern fn", "[parser]") {
  auto p = parse(R"(
fn npv2(rate: Rate, x: Money): Money = x / (1 + rate * 1y)
fn twice(x: Number) = 2 * x
extern fn gpu_index(t: Number): Number
)");
  INFO(p->errors());
  REQUIRE(p->ok());
  const auto& d = p->module.decls;
  REQUIRE(d.size() == 3);
  CHECK(d[0].fn->params.size() == 2);
  CHECK(d[0].fn->result->factors[0].name == "Money");
  CHECK_FALSE(d[0].fn->is_extern);
  CHECK_FALSE(d[1].fn->result);
  CHECK(d[2].kind == DeclKind::Fn);
  CHECK(d[2].fn->is_extern);
  CHECK_FALSE(d[2].fn->body);
  CHECK(d[2].fn->result->factors[0].name == "Number");
}

TEST_CASE("shock items: set, at, when, deal", "[parser]") {
  auto p = parse(R"(
shock crash {
  set growth = -40%/y
  at 2026Q1 { OpenAI.revenue *= 50%; openai_aws.delivering = false }
  when A.cash < $0 { default(A) terminate(openai_aws) }
  deal extra = commitment(Lab, Cloud, $1B, 2026Q1, 1y, gw: 1GW)
}
)");
  const ShockDecl& s = *only_decl(*p).shock;
  REQUIRE(s.items.size() == 4);
  CHECK(s.items[0].kind == ShockItemKind::Set);
  CHECK(s.items[0].set->kind == StmtKind::SetParam);
  CHECK(s.items[0].set->name == "growth");
  CHECK(s.items[0].set->op == "=");
  CHECK(s.items[1].clause.kind == ClauseKind::At);
  REQUIRE(s.items[1].clause.body.size() == 2);
  CHECK(s.items[1].clause.body[0]->op == "*=");
  CHECK(s.items[1].clause.body[1]->target->kind == ExprKind::Field);
  CHECK(s.items[2].clause.kind == ClauseKind::When);
  CHECK(s.items[2].clause.body[0]->kind == StmtKind::Default);
  CHECK(s.items[2].clause.body[1]->kind == StmtKind::Terminate);
  CHECK(s.items[2].clause.body[1]->value->name == "openai_aws");
  CHECK(s.items[3].kind == ShockItemKind::Deal);
  CHECK(s.items[3].deal->args[5].name == "gw");
}

TEST_CASE("scenario items", "[parser]") {
  auto p = parse(R"(
scenario stress extends base {
  apply lab_stalls, crash
  param growth = 20%/y
  param demand_growth ~ normal(30%/y, 25%/y)
  horizon 2026Q4
  paths 10000
  seed 7
  clearing { alpha = 50% beta = 60% }
  track Lab.cash, total / term * 1y as "per_year", equity(A)
}
)");
  const ScenarioDecl& s = *only_decl(*p).scenario;
  CHECK(s.extends == "base");
  CHECK(s.extends_span.col == 25);
  REQUIRE(s.items.size() == 8);
  CHECK(s.items[0].names == std::vector<std::string>{"lab_stalls", "crash"});
  CHECK(s.items[0].name_spans[1].col == 21);
  CHECK(s.items[1].param == "growth");
  CHECK(s.items[1].value->value == 0.2);
  CHECK_FALSE(s.items[1].dist);
  REQUIRE(s.items[2].dist);
  CHECK(s.items[2].dist->name == "normal");
  CHECK(s.items[2].dist->args.size() == 2);
  CHECK(s.items[3].kind == ScenarioItemKind::Horizon);
  CHECK(s.items[4].value->value == 10000);
  CHECK(s.items[5].value->value == 7);
  REQUIRE(s.items[6].settings.size() == 2);
  CHECK(s.items[6].settings[0].first == "alpha");
  CHECK(s.items[6].settings[1].second->value == 0.6);
  const auto& tracks = s.items[7].tracks;
  REQUIRE(tracks.size() == 3);
  CHECK(tracks[0].source_text == "Lab.cash");
  CHECK(tracks[0].label.empty());
  CHECK(tracks[1].source_text == "total/term*1y");
  CHECK(tracks[1].label == "per_year");
  CHECK(tracks[1].label_span.col == 40);
  CHECK(tracks[2].source_text == "equity(A)");
}

TEST_CASE("track labels default to the source text without whitespace", "[parser]") {
  auto p = parse("scenario s { track A . cash, max( a , b ) }");
  const auto& tracks = only_decl(*p).scenario->items[0].tracks;
  CHECK(tracks[0].source_text == "A.cash");
  CHECK(tracks[1].source_text == "max(a,b)");
}

// ------------------------------------------------------------------ statements

TEST_CASE("statements", "[parser]") {
  auto p = parse(R"(
party A {
  every step {
    let x = 1
    cash = x
    cash += 1
    cash -= 1
    cash *= 2
    cash /= 2
    self.cash = 3
    B.capacity += 1GW
    set growth = 10%/y
    pay(World, $1B, priority: 1)
    receive(World, $2B)
    own(A, B, stake: 10%)
    sell(A, B, 5%)
    borrow(A, $1B)
    default(B)
    terminate
    terminate(d)
    emit "cash is {cash / 1B}B"
  }
}
)");
  const auto& body = only_decl(*p).party->members[0].clause.body;
  REQUIRE(body.size() == 18);
  CHECK(body[0]->kind == StmtKind::Let);
  CHECK(body[0]->name == "x");
  CHECK(body[0]->name_span.col == 9);
  CHECK(body[1]->kind == StmtKind::Assign);
  CHECK(body[1]->target->name == "cash");
  std::vector<std::string> ops;
  for (int i = 1; i <= 5; ++i) ops.push_back(body[i]->op);
  CHECK(ops == std::vector<std::string>{"=", "+=", "-=", "*=", "/="});
  CHECK(body[6]->target->kind == ExprKind::Field);
  CHECK(body[6]->target->args[0]->name == "self");
  CHECK(body[7]->target->name == "capacity");
  CHECK(body[8]->kind == StmtKind::SetParam);
  CHECK(body[8]->name == "growth");
  CHECK(body[9]->kind == StmtKind::Expr);
  CHECK(body[9]->value->kind == ExprKind::Call);
  CHECK(body[9]->value->arg_names[2] == "priority");
  CHECK(body[11]->value->name == "own");
  CHECK(body[14]->kind == StmtKind::Default);
  CHECK(body[15]->kind == StmtKind::Terminate);
  CHECK_FALSE(body[15]->value);
  CHECK(body[16]->value->name == "d");
  CHECK(body[17]->kind == StmtKind::Emit);
  CHECK(body[17]->value->kind == ExprKind::String);
  CHECK(body[17]->value->pieces == std::vector<std::string>{"cash is ", "B"});
}

TEST_CASE("if / else if / else", "[parser]") {
  auto p = parse(R"(
party A {
  every step {
    if cash < $0 { default(self) } else if cash < $1B { emit "low" } else { emit "ok" }
    if x {}
    if x {} else {}
  }
}
)");
  const auto& body = only_decl(*p).party->members[0].clause.body;
  REQUIRE(body.size() == 3);
  const Stmt& s = *body[0];
  CHECK(s.kind == StmtKind::If);
  CHECK(s.value->op == "<");
  CHECK(s.then_block.size() == 1);
  CHECK(s.has_else);
  REQUIRE(s.else_block.size() == 1);
  const Stmt& elif = *s.else_block[0];
  CHECK(elif.kind == StmtKind::If);
  CHECK(elif.has_else);
  CHECK(elif.else_block.size() == 1);
  CHECK_FALSE(body[1]->has_else);
  CHECK(body[2]->has_else);
  CHECK(body[2]->else_block.empty());
}

TEST_CASE("emit is not reserved: it can still be a name", "[parser]") {
  auto p = parse("party A { emit = 1  every step { emit = emit + 1  emit \"x\" } }");
  const auto& party = *only_decl(*p).party;
  CHECK(party.members[0].name == "emit");
  CHECK(party.members[1].clause.body[0]->kind == StmtKind::Assign);
  CHECK(party.members[1].clause.body[1]->kind == StmtKind::Emit);
}

// ------------------------------------------------------------------ layout rules

TEST_CASE("semicolons are optional separators", "[parser]") {
  auto a = parse("party A { cash = 1; debt = 2; every step { x = 1; y = 2; }; }; param p = 1;;");
  auto b = parse("party A { cash = 1 debt = 2 every step { x = 1 y = 2 } } param p = 1");
  INFO(a->errors());
  REQUIRE(a->ok());
  REQUIRE(b->ok());
  CHECK(equal(a->module, b->module));
  auto c = parse("party A {\n cash = 1\n debt = 2\n}");
  REQUIRE(c->ok());
  CHECK(c->module.decls[0].party->members.size() == 2);
}

TEST_CASE("line breaks are not significant: ( and - continue the expression", "[parser]") {
  auto p = parse("party A {\n  every step {\n    x = a\n    - b\n    y = f\n    (1)\n  }\n}");
  const auto& body = only_decl(*p).party->members[0].clause.body;
  REQUIRE(body.size() == 2);
  CHECK(body[0]->value->kind == ExprKind::Binary);
  CHECK(body[0]->value->op == "-");
  CHECK(body[1]->value->kind == ExprKind::Call);
  CHECK(body[1]->value->name == "f");
  // Several statements on one line need no separator.
  auto q = parse("contract c(x: Party, y: Party) { at 2025Q1 { own(x, y, 1%)  own(y, x, 2%) } }");
  CHECK(only_decl(*q).contract->members[0].clause.body.size() == 2);
}

TEST_CASE("declarations and statements keep their spans", "[parser]") {
  auto p = parse("param x = 1\n\nparty A {\n  cash = $1B\n}\n");
  INFO(p->errors());
  REQUIRE(p->ok());
  const auto& party = *p->module.decls[1].party;
  CHECK(party.span.line == 3);
  CHECK(party.span.end_line == 5);
  CHECK(party.members[0].span == deal::Span{1, 4, 3, 4, 13});
  CHECK(party.members[0].name_span == deal::Span{1, 4, 3, 4, 7});
  CHECK(party.members[0].value->span == deal::Span{1, 4, 10, 4, 13});
  CHECK(p->module.decls[0].param->span == deal::Span{1, 1, 1, 1, 12});
  CHECK(p->module.file == p->file);
}

TEST_CASE("declarations parse independently: a bad one does not hide the next", "[parser]") {
  auto p = parse("param a = (1 +\nparam b = 2\nparty A { cash = ) }\nparty B { cash = 1 }\n");
  CHECK(p->diags.error_count() == 2);
  REQUIRE(p->module.decls.size() == 2);
  CHECK(p->module.decls[0].param->name == "b");
  CHECK(p->module.decls[1].party->name == "B");
}

TEST_CASE("parse_expression needs the whole input to be one expression", "[parser]") {
  auto p = parse_expr("20%/y");
  REQUIRE(p->expr);
  CHECK(p->expr->value == 0.2);
  auto q = parse_expr("1 2");
  CHECK_FALSE(q->expr);
  CHECK(q->errors() ==
        "expr:1:3: error: unexpected '2'; expected the end of the input [E001]\n"
        "    1 | 1 2\n"
        "      |   ^\n");
  auto e = parse_expr("");
  CHECK_FALSE(e->expr);
  CHECK(e->errors().find("expected an expression") != std::string::npos);
}

TEST_CASE("CRLF line endings and tabs", "[parser]") {
  auto p = parse("party A {\r\n\tcash = $1B\r\n}\r\nparam x = (1 +\r\n");
  CHECK(p->diags.error_count() == 1);
  REQUIRE(p->module.decls.size() == 1);
  CHECK(p->module.decls[0].party->members[0].span == deal::Span{1, 2, 2, 2, 12});
  CHECK(p->errors() ==
        "test.deal:4:15: error: unexpected end of file; expected an expression [E001]\n"
        "    4 | param x = (1 +\n"
        "      |               ^\n");
}
