// The checker's internal state, shared by checker.cpp (declarations, names, the
// passes), layout.cpp (state slots, contract instantiation), scenarios.cpp (shocks,
// scenarios), check_expr.cpp (expressions), check_stmt.cpp (statements, clauses) and
// program_context.cpp (text checked against an already checked program).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "compiler/check/check.hpp"

namespace deal::check {

// What a global name denotes.
struct Global {
  enum Kind { Param, Party, Contract, Deal, Fn, Shock, Scenario } kind;
  int index;  // into the matching table below
  Span span;  // the declaring name
};

// The HIR's enums and dates from the AST's.
inline ClauseKind lower(ast::ClauseKind k) {
  switch (k) {
    case ast::ClauseKind::At:
      return ClauseKind::At;
    case ast::ClauseKind::Every:
      return ClauseKind::Every;
    case ast::ClauseKind::When:
      return ClauseKind::When;
    case ast::ClauseKind::Whenever:
      return ClauseKind::Whenever;
    case ast::ClauseKind::OnDefault:
      return ClauseKind::OnDefault;
  }
  return ClauseKind::At;
}
inline Period lower(ast::Period p) {
  switch (p) {
    case ast::Period::Step:
      return Period::Step;
    case ast::Period::Month:
      return Period::Month;
    case ast::Period::Quarter:
      return Period::Quarter;
    case ast::Period::Year:
      return Period::Year;
  }
  return Period::Step;
}
inline CalendarDate lower(const ast::DateLit& d) { return {d.year, d.month, d.day}; }

// "param", "party", … (for messages).
const char* kind_word(Global::Kind k);

// A contract parameter bound for one deal.
struct Binding {
  enum Kind { PartyId, DealId, Value } kind = Value;
  int id = -1;  // PartyId / DealId
  HExpr value;  // Value: a constant, or a Slot load of the deal's bound-argument state
};

enum class Resolve { Todo, Doing, Done };

// A state (param, party field, deal field) whose type is inferred lazily from its
// initializer, so declarations may refer to each other in any order.
struct LazyState {
  const ast::Expr* init = nullptr;
  const ast::Member* member = nullptr;
  Resolve status = Resolve::Todo;
  Type type;
  int slot = -1;
  Span span;
};

// `let` members of a party or a contract: checked once, on first use, and inlined
// wherever they are read.
struct Lets {
  std::map<std::string, const ast::Member*> members;
  std::map<std::string, Resolve> status;
  std::map<std::string, HExpr> values;
  bool count(const std::string& name) const { return members.count(name) > 0; }
  void add(const ast::Member* m) {
    members[m->name] = m;
    status[m->name] = Resolve::Todo;
  }
};

// What a checked Program keeps for check_expression (program.hpp): the names the
// checker resolved that the HIR does not hold. Built at the end of Checker::run and
// turned back into the checker's tables by Checker::restore (program_context.cpp).
struct ProgramScope {
  // `let` members: their source, cloned from the AST (a let is checked on first use,
  // so one the program never reads has no value yet), and the values already checked.
  struct LetSources {
    std::vector<ast::Member> members;  // name, spans, type annotation, value
    std::map<std::string, HExpr> values;
  };
  struct Deal {
    ast::DealDecl decl;                       // name, contract and spans (no arguments): for messages
    int contract = -1;                        // index into `contracts`
    std::map<std::string, Binding> bindings;  // the contract's parameters
    LetSources lets;
  };
  std::vector<ast::ContractDecl> contracts;  // names and spans only
  std::vector<Deal> deals;                   // parallel to Program::deals
  std::vector<LetSources> parties;           // parallel to Program::parties
};

struct PartyInfo {
  const ast::PartyDecl* decl = nullptr;  // null for World
  std::map<std::string, int> states;     // field name → index into HParty::states
  Lets lets;
  std::vector<LazyState> lazy;  // parallel to HParty::states
  bool laid_out = false;
};

struct DealInfo {
  const ast::DealDecl* decl = nullptr;
  const ast::ContractDecl* contract = nullptr;
  int shock = -1;
  std::map<std::string, Binding> bindings;  // contract parameters
  std::map<std::string, int> states;        // field name → index into HDeal::states
  std::vector<LazyState> lazy;
  Lets lets;
  Resolve layout = Resolve::Todo;
  bool bodies_done = false;
};

// Where an expression or statement is being checked.
struct Ctx {
  enum Where {
    ParamInit,  // param initializers, scenario overrides, deal arguments: params only
    StateInit,  // party/deal field initializers: params and earlier states
    Block,      // party/deal/shock statement blocks
    Condition,  // `when`/`whenever`/`at`/window expressions of clauses
    Track,      // tracked series (after valuation)
    Value,      // a party's `value` expression
    FnBody,     // user function body
  } where = ParamInit;
  int party = -1;  // checking inside this party (own fields by name; self)
  int deal = -1;   // checking inside this deal instance
  int shock = -1;  // inside this shock
  const HFn* fn = nullptr;
  bool in_every = false;  // `span` allowed
  int defaulted = -1;     // inside `on default(p)`: p's party id (a `claim` files against it)
  int init_slot = -1;     // StateInit: the slot being initialized (reads must come before it)
  // Locals: a stack of scopes, each name → (local id, type, span).
  struct Local {
    int id;
    Type type;
    Span span;
  };
  std::vector<std::map<std::string, Local>> scopes;
  int* local_count = nullptr;
  std::set<int>* fn_calls = nullptr;  // user functions called (for the recursion check)
  bool blocks() const { return where == Block; }
};

inline Ctx in_deal(int d) {
  Ctx c;
  c.deal = d;
  return c;
}

class Checker {
 public:
  Checker(const std::vector<ast::Module>& modules, const SourceManager& sm, Diagnostics& diags)
      : modules_(modules), sm_(sm), diags_(diags) {}
  std::optional<Program> run();

  // ---- declarations (checker.cpp)
  void collect();
  void declare(const std::string& name, Global g);
  void check_calendar();
  void resolve_param(int i);
  void check_party_bodies();
  void check_deal_bodies(int d);
  void check_fns();
  void resolve_fn_body(int i);
  void check_recursion();
  Type resolve_type_ref(const ast::TypeRef& t);
  void check_annotation(const std::optional<ast::TypeRef>& ann, const Type& actual, Span where,
                        const ast::Expr* value = nullptr);
  std::string type_str(const Type& t) const { return describe(t, prog_.units); }
  // A literal of value zero of type `t` ("0GW", "$0", "$0/y"), or "…" when there is none
  // simple enough to suggest.
  std::string zero_literal(const Type& t) const;
  // A party given to a contract lacks a field the contract uses through the parameter
  // `param` (`buyer.capacity`): one error at the deal's line per (deal, party, field),
  // how to add the field as help, and each line of the contract that uses it as a note.
  // False when not inside a contract instantiated for a deal (report it as usual then).
  bool missing_contract_field(const Ctx& ctx, const ast::Expr& object, int party, const std::string& field, Span use,
                              const Type& wanted);
  std::string dim_str(const Dim& d) const { return describe(d, prog_.units); }

  // Errors inside a deal's contract body are reported once per (place, message),
  // with a note naming the deal(s).
  // Reports at `span`; inside a contract instantiated for deals, once per place with the
  // deals as notes. `id` is the stable code (codes::…; null: the stage's), `help` lines
  // say how to fix it.
  void error(const Ctx& ctx, Span span, const std::string& msg, const char* id = nullptr,
             std::vector<std::string> help = {});

  // ---- state layout (layout.cpp)
  int new_slot(const std::string& name);
  int party_index(const ast::PartyDecl* p) const;
  void layout_parties();
  void resolve_party_state(int party, int idx);
  void layout_deal(int d);
  void resolve_deal_state(int d, int idx);

  // ---- shocks and scenarios (scenarios.cpp)
  void check_shocks();
  void check_scenarios();

  // ---- in the context of a checked program (program_context.cpp)
  // The checker's tables for `program`'s names as they were at the end of its check.
  void restore(const Program& program);
  // Keeps in prog_.scope what restore needs beyond the HIR.
  void save_scope();
  // A tracked value is a number, a Bool or a Date; reports any other type.
  bool check_trackable(const HExpr& v, Span span);

  // ---- expressions (check_expr.cpp)
  HExpr expr(const ast::Expr& e, Ctx& ctx);
  HExpr literal(const ast::Expr& e, Ctx& ctx);
  HExpr name_ref(const ast::Expr& e, Ctx& ctx);
  HExpr field_ref(const ast::Expr& e, Ctx& ctx);
  HExpr unary(const ast::Expr& e, Ctx& ctx);
  HExpr binary(const ast::Expr& e, Ctx& ctx);
  HExpr binary_unfolded(const ast::Expr& e, Ctx& ctx);
  HExpr call(const ast::Expr& e, Ctx& ctx);
  HExpr builtin_call(const ast::Expr& e, Builtin b, std::vector<HExpr> args, Ctx& ctx);
  HExpr fn_call(const ast::Expr& e, int fn, std::vector<HExpr> args, Ctx& ctx);
  // Field `name` of party `p` / deal `d` as read from context ctx.
  std::optional<HExpr> party_field(int p, const std::string& name, Span span, Ctx& ctx);
  std::optional<HExpr> deal_field(int d, const std::string& name, Span span, Ctx& ctx);
  // The value of `let name` of a party (ctx.party set) or a deal (ctx.deal set).
  HExpr let_value(Lets& lets, const std::string& name, Span span, Ctx ctx, const std::string& display);
  // `source`, when given, is the expression checked: a bare number or a state declared
  // without its rate unit then gets a help line or a note at the declaration.
  bool expect(const HExpr& e, const Type& want, Span span, const char* what, Ctx& ctx,
              const ast::Expr* source = nullptr);
  // The declaration of a party state named in `e` (in the current party block) that
  // holds Money: what a flow declared without its `/y` looks like.
  const ast::Member* money_state_in(const ast::Expr& e, const Ctx& ctx) const;
  // Reports a value of type `got` where `want` is needed, with the help `source` (the
  // value's expression, when known) allows: a bare number, a state missing its `/y`.
  void mismatch(const Ctx& ctx, Span span, const std::string& msg, const Type& want, const Type& got,
                const ast::Expr* source);
  bool expect_kind(const HExpr& e, Kind k, Span span, const char* what, Ctx& ctx);
  // Evaluates a constant expression (literals and arithmetic on them), if it is one.
  std::optional<double> const_value(const HExpr& e) const;

  // ---- statements (check_stmt.cpp)
  HBody block(const ast::Block& b, Ctx& ctx);
  std::optional<HStmt> stmt(const ast::Stmt& s, Ctx& ctx);
  std::optional<HStmt> assign(const ast::Stmt& s, Ctx& ctx);
  std::optional<HStmt> set_param(const ast::Stmt& s, Ctx& ctx);
  std::optional<HStmt> call_stmt(const ast::Stmt& s, Ctx& ctx);
  HClause clause(const ast::Clause& c, Ctx& ctx);
  // Arguments of a built-in statement matched against parameter names (positional then named).
  std::vector<const ast::Expr*> match_args(const ast::Expr& call, const std::vector<std::string>& names,
                                           size_t required, Ctx& ctx);
  HExpr compound(const std::string& op, HExpr current, HExpr value, Span span, Ctx& ctx,
                 const ast::Expr* source = nullptr);

  const std::vector<ast::Module>& modules_;
  const SourceManager& sm_;
  Diagnostics& diags_;
  Program prog_;

  // Hashed: a network has one global per deal and party (10⁵ names), looked up for each.
  std::unordered_map<std::string, Global> globals_;
  std::map<std::string, int> units_;
  std::map<std::string, Span> unit_spans_;
  const ast::CalendarDecl* calendar_ = nullptr;
  std::vector<const ast::ParamDecl*> param_decls_;
  std::vector<LazyState> param_lazy_;
  std::vector<const ast::ContractDecl*> contracts_;
  std::vector<const ast::FnDecl*> fn_decls_;
  std::vector<Resolve> fn_status_;
  std::vector<std::set<int>> fn_callees_;
  std::vector<const ast::ShockDecl*> shock_decls_;
  std::vector<const ast::ScenarioDecl*> scenario_decls_;
  std::vector<PartyInfo> party_info_;
  std::vector<DealInfo> deal_info_;
  std::set<std::pair<std::string, std::string>> reported_;  // (span key, message) in contracts
  std::map<std::string, size_t> reported_index_;
  std::shared_ptr<const ProgramScope> scope_;  // restore: the scope the tables point into
};

// A built-in function's name (min, round, …): a contract may share it (checker.cpp).
bool is_builtin_fn(const std::string& name);
// The names of the statement calls (pay, own, claim, …): never values.
const std::set<std::string>& statement_names();
// The fields every party has (cash, debt, credit, defaulted, default_date, equity).
const std::set<std::string>& party_builtin_fields();

// The help for a bare number where Money, a Flow or a Rate is expected ("write `$40B`",
// "write `50%/y`"), spelled from the literal the user wrote; empty otherwise.
std::vector<std::string> bare_number_help(const Type& want, const Type& got, const ast::Expr& value);

// Edit-distance suggestion among candidates ("did you mean 'OpenAI'?"), or "".
std::string suggest(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace deal::check
