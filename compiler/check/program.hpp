// The checked program: what the checker hands to code generation.
//
// Every name is resolved, every contract is instantiated per deal with its concrete
// parties (LANGUAGE.md §4.6), every value has a type with its dimension, and every
// state has a slot in one flat per-path array of doubles. Dimensions are erased from
// here on: a Num, Bool (0/1), Date (months since year 0, see below), Party or Deal
// (integer id) is a double at run time.
//
// Dates at run time are "month numbers": 12·year + (month − 1) + (day − 1)/days_in_month.
// With this encoding LANGUAGE.md's day count is plain arithmetic: Date − Date =
// (m2 − m1)/12 years, Date + Duration = m + 12·years, and dates compare as numbers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/check/types.hpp"
#include "compiler/diagnostics.hpp"

namespace deal::ast {
struct DateLit;
}

namespace deal::check {

// The HIR has its own enums and dates (the checker converts the AST's): code generation
// and the model builder need no AST types.

// A calendar date (proleptic Gregorian): the calendar's bounds.
struct CalendarDate {
  int year = 0, month = 1, day = 1;
  bool operator==(const CalendarDate&) const = default;
};

// What schedules a clause.
enum class ClauseKind {
  At,         // at: once, in the step containing the date
  Every,      // every step|month|quarter|year, optionally in a window
  When,       // when: once, the first step the condition holds
  Whenever,   // whenever: every step the condition holds
  OnDefault,  // on default(party)
};
// The period of an `every` clause and of the calendar's step.
enum class Period { Step, Month, Quarter, Year };

double date_to_months(const CalendarDate& d);
double date_to_months(const ast::DateLit& d);  // a date literal (the checker)
// Whether a month number is a date the run-time calendar can hold: finite and within
// 0001-01-01 .. 9999-12-31 (runtime/calendar.cpp refuses anything else mid-run).
bool date_representable(double months);

// Built-in functions callable in expressions.
enum class Builtin {
  Min,
  Max,
  Abs,
  Floor,
  Ceil,
  Round,
  Exp,
  Log,
  Sqrt,
  Clamp,
  Years,     // years(d: Duration): Number
  DateOf,    // date_of(step: Number): Date
  Annuity,   // annuity(rate: Number, n: Number): Number — present value of n unit payments
  Npv,       // npv(rate: Rate, flow: Flow, term: Duration): Money — continuous-flow PV
  Discount,  // discount(rate: Rate, t: Duration): Number = (1+rate·1y)^-(t/1y)
  Paid,
  Due,  // paid(deal) / due(deal): cumulative Money
  Inflow,
  Outflow,      // inflow(P) / outflow(P): Money cleared in the latest clearing of this step (see docs)
  RevenueFrom,  // revenue_from(P, Q): Money paid by Q to P in the latest clearing
  Equity,       // equity(P): Money (value at the latest valuation)
  Defaulted,    // defaulted(P): Bool
  Holdings,     // holdings(P, Q): Number (stake)
  Normal,
  Lognormal,
  Uniform,
  Bernoulli,  // random draws, blocks only
};

enum class Op {
  Const,  // num
  Slot,   // index = slot
  Local,  // index = local id (in the enclosing function/block)
  Arg,    // index = parameter position of the enclosing fn
  Dt,
  Now,
  Span,
  StepIndex,
  Neg,
  Not,
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  And,
  Or,
  If,      // args: cond, then, else
  Call,    // builtin: fn; args
  CallFn,  // index = fn id (a user fn, or an extern fn bound by the host); args
};

struct HExpr {
  Op op = Op::Const;
  Type type;
  Span span;
  double num = 0;
  int index = -1;
  Builtin fn = Builtin::Min;
  std::vector<HExpr> args;

  static HExpr constant(double v, Type t, Span s = {}) {
    HExpr e;
    e.op = Op::Const;
    e.num = v;
    e.type = std::move(t);
    e.span = s;
    return e;
  }
  static HExpr slot(int index, Type t, Span s = {}) {
    HExpr e;
    e.op = Op::Slot;
    e.index = index;
    e.type = std::move(t);
    e.span = s;
    return e;
  }
  bool is_const() const { return op == Op::Const; }
};

enum class SKind {
  Let,        // local[index] = args[0]
  Store,      // slot[index] = value (compound assignments already desugared); name = state's display name
  If,         // cond; then_body; else_body
  Pay,        // from, to, amount, priority (all in `args`), deal = id or -1
  Own,        // holder, issuer, stake
  Sell,       // holder, issuer, stake
  Borrow,     // party, amount
  Claim,      // debtor (the defaulted party), creditor, amount, priority; deal = id (LANGUAGE.md §6.6)
  Issue,      // issuer, holder, stake: new shares, every existing stake diluted by 1 − stake
  Default,    // party
  Terminate,  // index = deal id
  Emit,       // pieces (text) and args (values to format)
};

struct HStmt {
  SKind kind = SKind::Let;
  Span span;
  int index = -1;    // Let: local id; Store: slot; Terminate: deal id
  std::string name;  // Store: the state's display name ("Lab.revenue", "param demand_growth")
  HExpr value;       // Let / Store / If (condition)
  std::vector<HExpr> args;
  std::vector<std::string> pieces;  // Emit
  std::vector<HStmt> then_body, else_body;
  int deal = -1;  // Pay, Claim: the deal on whose behalf (ledger attribution), -1 for parties/shocks
};

using HBody = std::vector<HStmt>;

// A scheduled block (party `every`, deal clauses, shock clauses).
struct HClause {
  ClauseKind kind = ClauseKind::At;
  Period period = Period::Step;
  Span span;
  std::optional<HExpr> at;      // At: the date
  std::optional<HExpr> from;    // Every: window start (Date)
  std::optional<HExpr> length;  // Every: `for` (Duration)
  std::optional<HExpr> until;   // Every: `until` (Date)
  std::optional<HExpr> cond;    // When / Whenever
  int party = -1;               // OnDefault: the concrete party id
  int fired_slot = -1;          // When: 0/1 slot recording that it fired
  int locals = 0;               // number of locals the body uses
  HBody body;
};

struct HState {
  std::string name;  // field name
  int slot = -1;
  Type type;
  std::optional<HExpr> init;  // evaluated at path start, in declaration order
  Span span;
};

// Built-in state offsets of a party: slot = base + one of these.
enum PartySlot { kCash = 0, kDebt, kCredit, kDefaulted, kDefaultDate, kEquity, kPartyBuiltins };

struct HParty {
  std::string name, kind;
  Span span;
  int base = -1;                     // slots base..base+kPartyBuiltins-1 are the built-ins
  std::vector<HState> states;        // every state incl. cash, debt, credit (with their inits)
  std::vector<HClause> clauses;      // `every` blocks (and any other clause kinds allowed)
  HExpr value;                       // equity valuation (default cash − debt)
  std::optional<HExpr> liquidation;  // what its other assets fetch when resolved in default (§6.6); none: $0
  bool is_world = false;             // id 0 is World
};

// Deal states: alive flag and per-deal accumulators first, then bound arguments and fields.
enum DealSlot { kAlive = 0, kPaid, kDue, kDealBuiltins };

struct HDeal {
  std::string name, contract;
  Span span;                     // the deal declaration
  int base = -1;                 // slots base.. for kAlive, kPaid, kDue
  std::vector<HState> states;    // bound non-constant arguments and fields
  std::vector<HClause> clauses;  // at / every / whenever / when (in clause order)
  // For each party the deal names (Party-typed parameters): what its default does.
  struct OnDefault {
    int party;
    int clause;
  };  // clause = index into clauses, -1 = terminate
  std::vector<OnDefault> on_default;
  int shock = -1;            // declared inside this shock (exists only when it is applied)
  std::vector<int> parties;  // the parties bound to its Party parameters, in parameter order
};

struct HParam {
  std::string name;
  Span span;
  int slot = -1;
  Type type;
  HExpr init;
};

struct HFn {
  std::string name;
  Span span;
  std::vector<Type> params;
  std::vector<std::string> param_names;
  Type result;
  HExpr body;  // uses Op::Arg for parameters; is_extern: empty
  int locals = 0;
  bool is_extern = false;
};

struct HShock {
  std::string name;
  Span span;
  HBody sets;                    // `set` statements run at the start of the run
  std::vector<HClause> clauses;  // at / when
  std::vector<int> deals;        // deals declared inside
};

struct HDistribution {
  std::string name;  // normal, lognormal, uniform, triangular, bernoulli, choice
  std::vector<HExpr> args;
  Span span;
};

struct HTrack {
  std::string label;
  HExpr expr;
};

struct HScenario {
  std::string name;
  Span span;
  std::vector<int> shocks;  // in apply order (parents' first)
  struct Override {
    int param;
    std::optional<HExpr> value;
    std::optional<HDistribution> dist;
    Span span;
  };
  std::vector<Override> overrides;  // in order; later ones win
  std::optional<double> horizon;    // month number of the horizon date
  long long paths = 1;
  unsigned long long seed = 0;
  double alpha = 1, beta = 1;
  std::vector<HTrack> tracks;
  bool implicit = false;  // the `default` scenario of a program without scenarios
};

struct Calendar {
  CalendarDate from, to;
  Period step = Period::Quarter;
};

// What the checker knew of the program's names beyond the HIR (`let` members,
// contract arguments per deal, contract names), kept for check_expression (check.hpp).
// Opaque outside the checker (defined in checker.hpp).
struct ProgramScope;

struct Program {
  Calendar calendar;
  UnitNames units;
  int slot_count = 0;
  std::vector<std::string> slot_names;  // for messages ("Lab.cash")
  std::vector<HParam> params;
  std::vector<int> param_init_order;  // dependencies first
  std::vector<HParty> parties;        // parties[0] is World
  std::vector<HDeal> deals;
  std::vector<HFn> fns;
  std::vector<HShock> shocks;
  std::vector<HScenario> scenarios;
  std::shared_ptr<const ProgramScope> scope;  // set by check_program; shared by copies

  // Whether any expression of the program calls the built-in `b` (the runtime skips the
  // bookkeeping of built-ins nobody reads, e.g. revenue_from's pair sums).
  bool calls(Builtin b) const;

  int find_party(const std::string& name) const;
  int find_deal(const std::string& name) const;
  int find_param(const std::string& name) const;
  int find_scenario(const std::string& name) const;

  // Appends a copy of scenario `base` (-1: a scenario with no shocks, overrides or
  // tracks, as a `scenario` without items) named `name`, tracking `expr` as `label` —
  // replacing a track of that label, as a later `track` in a scenario that `extends`
  // does. `expr` is an expression of this program, e.g. from check_expression. The copy
  // is never `implicit`; its span is expr's. Returns the new scenario's index.
  int add_tracking_scenario(int base, const std::string& name, const std::string& label, HExpr expr);
};

}  // namespace deal::check
