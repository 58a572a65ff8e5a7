// The `.deal` abstract syntax tree: what the parser produces and every later stage
// reads. Owned trees (unique_ptr), every node with its source span; no ANTLR types.
//
// Expressions and statements are uniform nodes (a kind plus operands) because the
// checker, printer and code generator all walk them the same way; declarations are
// separate structs because their shapes differ.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics.hpp"

namespace deal::ast {

// A calendar date (proleptic Gregorian). Literals: 2027Q3, 2027-03, 2027-03-15.
struct DateLit {
  int year = 0, month = 1, day = 1;
  bool operator==(const DateLit&) const = default;
};

// One factor of a literal's unit suffix: `GW` (exponent +1) or `/y` (exponent -1).
// Time units are d, w, mo, q, y; anything else names a declared unit (or, for a
// per-unit suffix only, possibly a value in scope: `1/dt` means division — the
// checker decides, since only it knows the names).
struct UnitFactor {
  std::string name;
  int exponent = 1;
  Span span;
  bool operator==(const UnitFactor&) const = default;
};

// A type annotation: a product of named types, e.g. `Money`, `Quantity[GW]`,
// `Money/Duration`, `Price[GW]/Duration`. Each factor is a named type or base unit.
struct TypeFactor {
  std::string name;  // Number, Money, Duration, Flow, Rate, Quantity, Price, Bool, Date,
                     // Party, Deal, String — or a declared unit name
  std::string unit;  // the [U] argument of Quantity[U] / Price[U], else empty
  int exponent = 1;  // +1 multiplied, -1 divided
  Span span;
};
struct TypeRef {
  std::vector<TypeFactor> factors;  // never empty
  Span span;
};

enum class ExprKind {
  Number,  // numeric literal: value (scale, %, $ applied), is_money, units
  Bool,    // true / false: bool_value
  String,  // "…": parts (text pieces and interpolated expressions, see below)
  Date,    // date literal: date
  Name,    // identifier: name (a param, state, local, party, deal, World, self, dt, span, now …)
  Field,   // args[0].name  (party field or deal state)
  Unary,   // op: "-" "+" "not"; args[0]
  Binary,  // op: + - * / ^ < <= > >= == != and or; args[0], args[1]
  Call,    // name(args…), with arg_names[i] non-empty for named arguments (priority: 1)
  If,      // if args[0] then args[1] else args[2]
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::Number;
  Span span;     // the whole expression
  Span op_span;  // Binary/Unary: the operator token; Call: the callee name; Field: the field name

  // Number literals.
  double value = 0;       // after applying scale suffix and %
  bool is_money = false;  // written with a leading $
  std::vector<UnitFactor> units;
  std::string text;  // the literal exactly as written (for printing and messages)

  bool bool_value = false;  // Bool
  DateLit date;             // Date

  // Name / Field / Call: the identifier; Unary / Binary: the operator spelling.
  std::string name;
  std::string op;

  // Operands, call arguments, or (String) the interpolated expressions in order.
  std::vector<ExprPtr> args;
  std::vector<std::string> arg_names;  // Call: parallel to args; "" for positional
  std::vector<Span> arg_name_spans;    // Call: span of each argument's name (if named)

  // String: literal text pieces; pieces.size() == args.size() + 1, the string is
  // pieces[0] args[0] pieces[1] … (escapes already decoded).
  std::vector<std::string> pieces;

  // Parenthesised in the source (only for faithful printing of spans; no semantics).
  bool parenthesized = false;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

enum class StmtKind {
  Let,        // let name = value
  Assign,     // target op value; op is "=", "+=", "-=", "*=", "/="; target is a Name or Field expr
  SetParam,   // set name op value (shocks, scenarios); op as in Assign
  If,         // if cond { then_block } else …; else_block may hold a single nested If (else if)
  Expr,       // an expression statement: a call such as pay(…), receive(…), own(…), borrow(…)
  Default,    // default(value)
  Terminate,  // terminate, or terminate(value) naming a deal (value may be null)
  Emit,       // emit "text {expr}": value is a String expression
};

struct Stmt {
  StmtKind kind = StmtKind::Expr;
  Span span;
  std::string name;  // Let / SetParam: the name
  Span name_span;
  std::string op;    // Assign / SetParam
  ExprPtr target;    // Assign
  ExprPtr value;     // Let/Assign/SetParam: right-hand side; If: condition; Expr/Default/Terminate/Emit: operand
  Block then_block;  // If
  Block else_block;  // If (empty when no else)
  bool has_else = false;
};

// Schedules of clauses (contracts, parties, shocks).
enum class ClauseKind {
  At,         // at date { … }
  Every,      // every step|month|quarter|year (from D)? (for T | until D)? { … }
  When,       // when cond { … }      (once)
  Whenever,   // whenever cond { … }  (every step it holds)
  OnDefault,  // on default(party) { … }
};
enum class Period { Step, Month, Quarter, Year };

struct Clause {
  ClauseKind kind = ClauseKind::At;
  Span span;                     // the clause header (keyword through the block's opening brace)
  ExprPtr expr;                  // At: the date; When/Whenever: the condition
  Period period = Period::Step;  // Every
  ExprPtr from;                  // Every: optional start date
  ExprPtr length;                // Every: optional `for` duration
  ExprPtr until;                 // Every: optional `until` date
  std::string party;             // OnDefault: the party parameter (or party) name
  Span party_span;
  Block body;
};

// A member of a party or contract body.
enum class MemberKind {
  Field,   // name = expr       (a state with its initial value; `credit` and `cash` included)
  Let,     // let name = expr   (derived, re-evaluated on every read)
  Value,   // value = expr      (party equity valuation)
  Clause,  // every / at / when / whenever / on default
};
struct Member {
  MemberKind kind = MemberKind::Field;
  Span span;
  std::string name;  // Field / Let
  Span name_span;
  std::optional<TypeRef> type;  // optional annotation: `name: Type = expr`
  ExprPtr value;                // Field / Let / Value
  Clause clause;                // Clause
};

struct Param {  // of a contract or fn
  std::string name;
  Span span;  // the name
  TypeRef type;
  ExprPtr default_value;  // contracts only; may be null
};

struct Arg {         // of a deal instantiation
  std::string name;  // "" when positional
  Span name_span;
  ExprPtr value;
};

// A distribution draw: `~ normal(30%/y, 25%/y)`.
struct Distribution {
  std::string name;  // normal, lognormal, uniform, triangular, bernoulli, choice
  Span span;
  std::vector<ExprPtr> args;
};

struct ImportDecl {
  std::string path;
  Span span;
  Span path_span;
};
struct CalendarDecl {
  ExprPtr from, to;
  Period step = Period::Quarter;
  Span span;
};
struct UnitDecl {
  std::string name;
  Span span;
};
struct ParamDecl {
  std::string name;
  Span name_span;
  Span span;
  std::optional<TypeRef> type;
  ExprPtr value;
};
struct PartyDecl {
  std::string name;
  Span name_span;
  Span span;
  std::string kind;
  Span kind_span;  // `is kind`, "" if absent
  std::vector<Member> members;
  Span close_span;  // the closing brace
};
struct ContractDecl {
  std::string name;
  Span name_span;
  Span span;
  std::vector<Param> params;
  std::vector<Member> members;
};
struct DealDecl {
  std::string name;
  Span name_span;
  Span span;
  std::string contract;
  Span contract_span;
  std::vector<Arg> args;
};
struct FnDecl {
  std::string name;
  Span name_span;
  Span span;
  std::vector<Param> params;
  std::optional<TypeRef> result;
  ExprPtr body;
  bool is_extern = false;  // `extern fn name(…): T` — bound by the host (no body)
};

// Shock items.
enum class ShockItemKind { Set, Clause, Deal };
struct ShockItem {
  ShockItemKind kind = ShockItemKind::Set;
  Span span;
  StmtPtr set;                     // Set: a SetParam statement
  Clause clause;                   // Clause: At or When
  std::unique_ptr<DealDecl> deal;  // Deal
};
struct ShockDecl {
  std::string name;
  Span name_span;
  Span span;
  std::vector<ShockItem> items;
};

// Scenario items.
struct TrackItem {
  ExprPtr expr;
  std::string label;
  Span label_span;
  std::string source_text;
};
enum class ScenarioItemKind { Apply, Param, Horizon, Paths, Seed, Clearing, Track };
struct ScenarioItem {
  ScenarioItemKind kind = ScenarioItemKind::Apply;
  Span span;
  std::vector<std::string> names;  // Apply: shock names
  std::vector<Span> name_spans;
  std::string param;
  Span param_span;                                        // Param
  ExprPtr value;                                          // Param (= expr), Horizon (date), Paths, Seed
  std::optional<Distribution> dist;                       // Param (~ dist)
  std::vector<std::pair<std::string, ExprPtr>> settings;  // Clearing: alpha / beta
  std::vector<Span> setting_spans;
  std::vector<TrackItem> tracks;  // Track
};
struct ScenarioDecl {
  std::string name;
  Span name_span;
  Span span;
  std::string extends;
  Span extends_span;
  std::vector<ScenarioItem> items;
};

enum class DeclKind { Import, Calendar, Unit, Param, Party, Contract, Deal, Fn, Shock, Scenario };
struct Decl {
  DeclKind kind;
  // Exactly one of these is set, matching kind.
  std::unique_ptr<ImportDecl> import;
  std::unique_ptr<CalendarDecl> calendar;
  std::unique_ptr<UnitDecl> unit;
  std::unique_ptr<ParamDecl> param;
  std::unique_ptr<PartyDecl> party;
  std::unique_ptr<ContractDecl> contract;
  std::unique_ptr<DealDecl> deal;
  std::unique_ptr<FnDecl> fn;
  std::unique_ptr<ShockDecl> shock;
  std::unique_ptr<ScenarioDecl> scenario;
};

// One parsed file.
struct Module {
  uint32_t file = 0;  // SourceManager id
  std::vector<Decl> decls;
};

// Structural equality ignoring spans and literal spelling (used by the round-trip
// test: print → parse gives an equal tree). Defined in ast/equal.cpp.
bool equal(const Module& a, const Module& b);
bool equal(const Expr& a, const Expr& b);

}  // namespace deal::ast
