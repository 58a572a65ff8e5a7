// Declarations: collecting global names, the calendar, type annotations, params,
// the bodies of parties and deals, functions; the checker's driver (Checker::run).
// The state layout is in layout.cpp, shocks and scenarios in scenarios.cpp.
#include "compiler/check/checker.hpp"
#include "compiler/check/stdlib_names.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

namespace deal::check {

const char* kind_word(Global::Kind k) {
  switch (k) {
    case Global::Param:
      return "param";
    case Global::Party:
      return "party";
    case Global::Contract:
      return "contract";
    case Global::Deal:
      return "deal";
    case Global::Fn:
      return "fn";
    case Global::Shock:
      return "shock";
    case Global::Scenario:
      return "scenario";
  }
  return "name";
}

namespace {

const std::set<std::string>& builtin_names() {
  static const std::set<std::string> names = {
      "min",       "max",     "abs",       "floor",        "ceil",    "round",     "exp",      "log",
      "sqrt",      "clamp",   "years",     "date_of",      "annuity", "npv",       "discount", "paid",
      "due",       "inflow",  "outflow",   "revenue_from", "equity",  "defaulted", "holdings", "normal",
      "lognormal", "uniform", "bernoulli", "pay",          "receive", "own",       "sell",     "borrow",
      "claim",     "issue",   "dt",        "span",         "now"};
  return names;
}

}  // namespace

std::string suggest(const std::string& name, const std::vector<std::string>& candidates) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = std::max<size_t>(1, name.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::vector<std::string> bare_number_help(const Type& want, const Type& got, const ast::Expr& value) {
  if (!want.is_num() || !got.is_num() || !(got.dim == Dim::number())) return {};
  bool literal = value.kind == ast::ExprKind::Number && !value.is_money && value.units.empty() && !value.text.empty();
  std::string text = literal ? value.text : "";
  if (want.dim == Dim::money())
    return {fmt::format("write `${}`: an amount of money starts with `$`", literal ? text : "40B")};
  if (want.dim == Dim::money() / Dim::time())
    return {fmt::format("write `${}/y`: a flow is an amount per year", literal ? text : "2B")};
  if (want.dim == Dim::number() / Dim::time())
    return {fmt::format("write `{}/y`: a rate is per year", literal ? text : "50%")};
  return {};
}

std::string Checker::zero_literal(const Type& t) const {
  if (t.kind == Kind::Bool) return "false";
  if (!t.is_num()) return "…";
  const Dim& d = t.dim;
  std::string out = d.exp(0) == 1 ? "$0" : d.exp(0) == 0 ? "0" : "";
  if (out.empty()) return "…";
  int units = 0;
  for (size_t u = 0; u < prog_.units.size(); ++u) {
    int e = d.exp(u + 2);
    if (e == 0) continue;
    if (e != 1 || ++units > 1 || d.exp(0) != 0) return "…";
    out += prog_.units[u];
  }
  if (d.exp(1) == -1) out += "/y";
  else if (d.exp(1) == 1 && d.exp(0) == 0 && units == 0) out += "y";
  else if (d.exp(1) != 0) return "…";
  return out;
}

bool Checker::missing_contract_field(const Ctx& ctx, const ast::Expr& object, int party, const std::string& field,
                                     Span use, const Type& wanted) {
  if (ctx.deal < 0 || deal_info_[ctx.deal].contract == nullptr || object.kind != ast::ExprKind::Name) return false;
  const DealInfo& di = deal_info_[ctx.deal];
  bool is_param = false;
  for (const ast::Param& p : di.contract->params) is_param = is_param || p.name == object.name;
  if (!is_param) return false;
  const std::string& party_name = prog_.parties[size_t(party)].name;
  auto note = std::make_pair(use, fmt::format("`{}` uses {}.{} here", di.contract->name, object.name, field));
  // One error per party and field, at the first deal that needs it: the fix (add the
  // field to the party) is one, however many deals need it; the others are notes.
  std::string key = fmt::format("field|{}|{}", party, field);
  std::string deal_key = fmt::format("field|{}|{}|{}", party, field, ctx.deal);
  std::string uses_key = "uses|" + key;
  auto it = reported_index_.find(key);
  auto& all = const_cast<std::vector<Diagnostic>&>(diags_.all());
  std::string zero = zero_literal(wanted);
  std::string help = fmt::format("add `{} = {}` to party {}", field, zero, party_name);
  if (it != reported_index_.end()) {
    if (it->second >= all.size()) return true;
    Diagnostic& d = all[it->second];
    if (reported_index_.emplace(deal_key, 0).second)
      d.notes.push_back(
          {di.decl->span, fmt::format("deal '{}' = {}(…) needs it too", di.decl->name, di.contract->name)});
    else if (reported_index_[uses_key]++ < 3) d.notes.push_back(note);  // a few uses show where; all would be noise
    if (zero != "…" && !d.help.empty() && d.help[0].find("= …`") != std::string::npos) d.help[0] = help;  // now known
    return true;
  }
  reported_index_[deal_key] = 0;
  reported_index_[uses_key] = 1;
  Diagnostic& d = diags_.error(di.decl->span, fmt::format("party '{}' has no field '{}' that `{}` needs (as '{}')",
                                                          party_name, field, di.contract->name, object.name));
  d.with_id(codes::kPartyLacksField);
  d.with_help(help);
  d.notes.push_back(note);
  reported_index_[key] = diags_.all().size() - 1;
  return true;
}

void Checker::error(const Ctx& ctx, Span span, const std::string& msg, const char* id, std::vector<std::string> help) {
  auto coded = [&](Diagnostic& d) {
    if (id) d.id = id;
    d.help = std::move(help);
  };
  if (ctx.deal < 0 || deal_info_[ctx.deal].contract == nullptr) {
    coded(diags_.error(span, msg));
    return;
  }
  // Inside a contract body instantiated for a deal: one report per place and message,
  // listing the deal(s) it was instantiated for.
  const DealInfo& di = deal_info_[ctx.deal];
  std::string key = fmt::format("{}:{}:{}|{}", span.file, span.line, span.col, msg);
  auto note = std::make_pair(di.decl->span,
                             fmt::format("in deal '{}' = {}(…), declared here", di.decl->name, di.decl->contract));
  auto it = reported_index_.find(key);
  if (it != reported_index_.end()) {
    // Already reported for another deal: the note list grows, the error count does not.
    auto& all = const_cast<std::vector<Diagnostic>&>(diags_.all());
    if (it->second < all.size()) all[it->second].notes.push_back(note);
    return;
  }
  Diagnostic& d = diags_.error(span, fmt::format("{} (in deal '{}')", msg, di.decl->name));
  coded(d);
  d.notes.push_back(note);
  reported_index_[key] = diags_.all().size() - 1;
}

void Checker::declare(const std::string& name, Global g) {
  if (name.empty()) return;
  // A contract is only ever named after `deal x =`, where no built-in can stand, so it may
  // share a built-in function's name (`contract round(…)`); in expressions the built-in wins.
  bool builtin = builtin_names().count(name) && !(g.kind == Global::Contract && is_builtin_fn(name));
  if (builtin || name == "World" || name == "self") {
    diags_.error(g.span, fmt::format("'{}' is a built-in name and cannot be redeclared", name));
    return;
  }
  auto [it, fresh] = globals_.emplace(name, g);
  if (!fresh) {
    Diagnostic& d =
        diags_.error(g.span, fmt::format("'{}' is already declared (as a {})", name, kind_word(it->second.kind)))
            .with_id(codes::kDuplicate);
    d.notes.push_back({it->second.span, "previous declaration is here"});
  }
}

// ---------------------------------------------------------------------------------
// Pass 1: every global name, in load order.

void Checker::collect() {
  // World is party 0.
  prog_.parties.push_back({});
  party_info_.push_back({});
  for (const ast::Module& m : modules_) {
    for (const ast::Decl& d : m.decls) {
      switch (d.kind) {
        case ast::DeclKind::Import:
          break;
        case ast::DeclKind::Calendar:
          if (calendar_) {
            Diagnostic& e = diags_.error(d.calendar->span, "a program has exactly one calendar");
            e.notes.push_back({calendar_->span, "the first calendar is here"});
          } else {
            calendar_ = d.calendar.get();
          }
          break;
        case ast::DeclKind::Unit: {
          const std::string& n = d.unit->name;
          static const std::set<std::string> reserved = {"k", "M", "B", "T", "d", "w", "mo", "q", "y"};
          if (reserved.count(n)) {
            diags_.error(d.unit->span, fmt::format("'{}' cannot name a unit: it is a scale or time suffix", n));
          } else if (auto it = unit_spans_.find(n); it != unit_spans_.end()) {
            Diagnostic& e = diags_.error(d.unit->span, fmt::format("unit '{}' is already declared", n));
            e.with_id(codes::kDuplicate);
            e.notes.push_back({it->second, "previous declaration is here"});
          } else {
            units_[n] = static_cast<int>(prog_.units.size());
            unit_spans_[n] = d.unit->span;
            prog_.units.push_back(n);
          }
          break;
        }
        case ast::DeclKind::Param:
          declare(d.param->name, {Global::Param, int(param_decls_.size()), d.param->name_span});
          param_decls_.push_back(d.param.get());
          break;
        case ast::DeclKind::Party:
          declare(d.party->name, {Global::Party, int(prog_.parties.size()), d.party->name_span});
          prog_.parties.push_back({});
          party_info_.push_back({});
          party_info_.back().decl = d.party.get();
          break;
        case ast::DeclKind::Contract:
          declare(d.contract->name, {Global::Contract, int(contracts_.size()), d.contract->name_span});
          contracts_.push_back(d.contract.get());
          break;
        case ast::DeclKind::Deal:
          declare(d.deal->name, {Global::Deal, int(deal_info_.size()), d.deal->name_span});
          deal_info_.push_back({});
          deal_info_.back().decl = d.deal.get();
          break;
        case ast::DeclKind::Fn:
          declare(d.fn->name, {Global::Fn, int(fn_decls_.size()), d.fn->name_span});
          fn_decls_.push_back(d.fn.get());
          break;
        case ast::DeclKind::Shock:
          declare(d.shock->name, {Global::Shock, int(shock_decls_.size()), d.shock->name_span});
          for (const ast::ShockItem& it : d.shock->items) {
            if (it.kind != ast::ShockItemKind::Deal || !it.deal) continue;
            declare(it.deal->name, {Global::Deal, int(deal_info_.size()), it.deal->name_span});
            deal_info_.push_back({});
            deal_info_.back().decl = it.deal.get();
            deal_info_.back().shock = int(shock_decls_.size());
          }
          shock_decls_.push_back(d.shock.get());
          break;
        case ast::DeclKind::Scenario:
          declare(d.scenario->name, {Global::Scenario, int(scenario_decls_.size()), d.scenario->name_span});
          scenario_decls_.push_back(d.scenario.get());
          break;
      }
    }
  }
  if (!calendar_) {
    Span where;
    if (!modules_.empty()) where = Span{modules_[0].file, 1, 1, 1, 1};
    diags_.error(where, "the program has no calendar (add e.g. `calendar 2025Q1 .. 2030Q4 step quarter`)");
  }
}

void Checker::check_calendar() {
  if (!calendar_) return;
  auto date_of = [&](const ast::ExprPtr& e, CalendarDate& out) {
    if (e && e->kind == ast::ExprKind::Date) {
      out = lower(e->date);
      return true;
    }
    diags_.error(e ? e->span : calendar_->span, "the calendar's bounds must be date literals such as 2025Q1");
    return false;
  };
  bool ok = date_of(calendar_->from, prog_.calendar.from) & date_of(calendar_->to, prog_.calendar.to);
  prog_.calendar.step = lower(calendar_->step);
  if (ok && date_to_months(prog_.calendar.to) < date_to_months(prog_.calendar.from))
    diags_.error(calendar_->to->span, "the calendar ends before it starts");
  if (ok && date_to_months(prog_.calendar.to) - date_to_months(prog_.calendar.from) > 12.0 * 1000)
    diags_.error(calendar_->span, "the calendar spans more than 1000 years");
  // The run computes the end of every step, the last one included, as a date: that end
  // must be a date too (years 1..9999), or the run would abort on its first step.
  if (ok && date_to_months(prog_.calendar.to) >= date_to_months(prog_.calendar.from)) {
    double from = date_to_months(prog_.calendar.from), to = date_to_months(prog_.calendar.to);
    int months = prog_.calendar.step == Period::Month ? 1 : prog_.calendar.step == Period::Year ? 12 : 3;
    double steps = std::floor((to - from) / months) + 1;
    double end = from + steps * months;
    if (!date_representable(end)) {
      const char* unit = prog_.calendar.step == Period::Month  ? "month"
                         : prog_.calendar.step == Period::Year ? "year"
                                                               : "quarter";
      diags_.error(
          calendar_->to->span,
          fmt::format("the calendar's last {} ends in the year {}: every date of a calendar, the end of "
                      "its last step included, must lie in the years 1..9999 (end the calendar a step earlier)",
                      unit, int(std::floor(end / 12))));
    }
  }
}

// ---------------------------------------------------------------------------------
// Types written in annotations.

Type Checker::resolve_type_ref(const ast::TypeRef& t) {
  Dim dim;
  bool numeric = true;
  Type single = Type::error();
  for (const ast::TypeFactor& f : t.factors) {
    Dim d;
    auto unit_arg = [&]() -> std::optional<Dim> {
      auto it = units_.find(f.unit);
      if (f.unit.empty()) {
        diags_.error(f.span, fmt::format("'{}' needs a unit argument, e.g. {}[GW]", f.name, f.name));
        return std::nullopt;
      }
      if (it == units_.end()) {
        Diagnostic& e = diags_.error(f.span, fmt::format("unknown unit '{}'", f.unit)).with_id(codes::kUnknownUnit);
        if (std_defines_unit(f.unit)) e.with_help(kImportStdHelp);
        return std::nullopt;
      }
      return Dim::unit(it->second);
    };
    if (f.name == "Number") d = Dim::number();
    else if (f.name == "Money") d = Dim::money();
    else if (f.name == "Duration") d = Dim::time();
    else if (f.name == "Flow") d = Dim::money() / Dim::time();
    else if (f.name == "Rate") d = Dim::number() / Dim::time();
    else if (f.name == "Quantity") {
      auto u = unit_arg();
      if (!u) return Type::error();
      d = *u;
    } else if (f.name == "Price") {
      auto u = unit_arg();
      if (!u) return Type::error();
      d = Dim::money() / *u;
    } else if (auto it = units_.find(f.name); it != units_.end()) {
      d = Dim::unit(it->second);
    } else if (f.name == "Bool" || f.name == "Date" || f.name == "Party" || f.name == "Deal" || f.name == "String") {
      numeric = false;
      single = f.name == "Bool"    ? Type::boolean()
               : f.name == "Date"  ? Type::date()
               : f.name == "Party" ? Type::party()
               : f.name == "Deal"  ? Type::deal()
                                   : Type::string();
      if (t.factors.size() > 1) {
        diags_.error(f.span, fmt::format("'{}' cannot be combined with other types", f.name));
        return Type::error();
      }
      continue;
    } else {
      std::vector<std::string> known = {"Number", "Money", "Duration", "Flow",  "Rate", "Quantity",
                                        "Price",  "Bool",  "Date",     "Party", "Deal", "String"};
      known.insert(known.end(), prog_.units.begin(), prog_.units.end());
      std::string s = suggest(f.name, known);
      diags_.error(
          f.span, fmt::format("unknown type '{}'{}", f.name, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
      return Type::error();
    }
    if (f.name != "Quantity" && f.name != "Price" && !f.unit.empty()) {
      diags_.error(f.span, fmt::format("'{}' takes no unit argument", f.name));
      return Type::error();
    }
    dim = f.exponent > 0 ? dim * d : dim / d;
  }
  return numeric ? Type::num(dim) : single;
}

void Checker::check_annotation(const std::optional<ast::TypeRef>& ann, const Type& actual, Span where,
                               const ast::Expr* value) {
  if (!ann || actual.is_error()) return;
  Type want = resolve_type_ref(*ann);
  if (want.is_error() || want == actual) return;
  Diagnostic& e =
      diags_.error(where, fmt::format("declared as {} but its value is {}", type_str(want), type_str(actual)));
  e.with_id(codes::kDimensions);
  if (auto help = value ? bare_number_help(want, actual, *value) : std::vector<std::string>{}; !help.empty())
    e.with_id(codes::kBareNumber).help = help;
}

// ---------------------------------------------------------------------------------
// Params: types inferred from initializers, resolved on demand (any order).

void Checker::resolve_param(int i) {
  LazyState& ls = param_lazy_[i];
  if (ls.status == Resolve::Done) return;
  const ast::ParamDecl* p = param_decls_[i];
  if (ls.status == Resolve::Doing) {
    diags_.error(p->name_span, fmt::format("param '{}' depends on itself", p->name));
    ls.type = Type::error();
    ls.status = Resolve::Done;
    return;
  }
  ls.status = Resolve::Doing;
  Ctx ctx;
  ctx.where = Ctx::ParamInit;
  HExpr init = p->value ? expr(*p->value, ctx) : HExpr::constant(0, Type::error());
  if (ls.status == Resolve::Done) return;  // a cycle was reported while checking
  Type t = init.type;
  if (!t.is_error() && t.kind != Kind::Num && t.kind != Kind::Bool && t.kind != Kind::Date) {
    diags_.error(p->value->span, fmt::format("a param must be a number, a Bool or a Date, not {}", type_str(t)));
    t = Type::error();
  }
  check_annotation(p->type, t, p->value ? p->value->span : p->name_span, p->value.get());
  if (p->type && !t.is_error()) {
    Type want = resolve_type_ref(*p->type);
    if (!want.is_error()) t = want;
  }
  ls.type = t;
  ls.status = Resolve::Done;
  HParam& hp = prog_.params[i];
  hp.type = t;
  hp.init = std::move(init);
  prog_.param_init_order.push_back(i);
}

// ---------------------------------------------------------------------------------
// Bodies.

void Checker::check_party_bodies() {
  for (size_t pi = 1; pi < prog_.parties.size(); ++pi) {
    HParty& hp = prog_.parties[pi];
    const ast::PartyDecl* decl = party_info_[pi].decl;
    bool has_value = false;
    for (const ast::Member& m : decl->members) {
      if (m.kind == ast::MemberKind::Value) {
        if (has_value) continue;
        has_value = true;
        Ctx ctx;
        ctx.where = Ctx::Value;
        ctx.party = int(pi);
        hp.value = expr(*m.value, ctx);
        expect(hp.value, Type::num(Dim::money()), m.value->span, "a party's `value`", ctx);
      } else if (m.kind == ast::MemberKind::Field && m.name == "liquidation") {
        Ctx ctx;
        ctx.where = Ctx::Value;
        ctx.party = int(pi);
        HExpr v = expr(*m.value, ctx);
        if (expect(v, Type::num(Dim::money()), m.value->span, "a party's `liquidation`", ctx)) {
          if (auto k = const_value(v); k && *k < 0)
            diags_.error(m.value->span, "a party's `liquidation` value is at least $0");
          hp.liquidation = std::move(v);
        }
      } else if (m.kind == ast::MemberKind::Clause) {
        if (m.clause.kind != ast::ClauseKind::Every) {
          diags_.error(m.clause.span,
                       "a party's own dynamics go in `every` blocks; use a contract or a shock for `at`, "
                       "`when`, `whenever` and `on default`");
          continue;
        }
        Ctx ctx;
        ctx.where = Ctx::Block;
        ctx.party = int(pi);
        hp.clauses.push_back(clause(m.clause, ctx));
      }
    }
    if (!has_value) {
      // value = cash - debt
      HExpr cash = HExpr::slot(hp.base + kCash, Type::num(Dim::money()));
      HExpr debt = HExpr::slot(hp.base + kDebt, Type::num(Dim::money()));
      HExpr v;
      v.op = Op::Sub;
      v.type = Type::num(Dim::money());
      v.args = {cash, debt};
      hp.value = v;
    }
  }
  // World's valuation is never used; keep it a constant.
  prog_.parties[0].value = HExpr::constant(0, Type::num(Dim::money()));
}

void Checker::check_deal_bodies(int d) {
  DealInfo& di = deal_info_[d];
  if (di.bodies_done || !di.contract) return;
  di.bodies_done = true;
  HDeal& hd = prog_.deals[d];
  std::set<int> handled;
  for (const ast::Member& m : di.contract->members) {
    if (m.kind != ast::MemberKind::Clause) continue;
    Ctx ctx;
    ctx.where = Ctx::Block;
    ctx.deal = d;
    HClause hc = clause(m.clause, ctx);
    if (m.clause.kind == ast::ClauseKind::When) {
      hc.fired_slot = new_slot(fmt::format("{}.when@{}", hd.name, m.clause.span.line));
    }
    if (m.clause.kind == ast::ClauseKind::OnDefault && hc.party >= 0) {
      hd.on_default.push_back({hc.party, int(hd.clauses.size())});
      handled.insert(hc.party);
    }
    hd.clauses.push_back(std::move(hc));
  }
  for (const ast::Param& p : di.contract->params) {
    auto it = di.bindings.find(p.name);
    if (it != di.bindings.end() && it->second.kind == Binding::PartyId && it->second.id >= 0)
      hd.parties.push_back(it->second.id);
  }
  // A default of any party the deal names, without its own clause, terminates the deal.
  for (const ast::Param& p : di.contract->params) {
    auto it = di.bindings.find(p.name);
    if (it == di.bindings.end() || it->second.kind != Binding::PartyId || it->second.id <= 0) continue;
    if (handled.insert(it->second.id).second) hd.on_default.push_back({it->second.id, -1});
  }
}

// ---------------------------------------------------------------------------------
// Functions.

void Checker::check_fns() {
  for (size_t i = 0; i < fn_decls_.size(); ++i) {
    const ast::FnDecl* f = fn_decls_[i];
    HFn& h = prog_.fns[i];
    h.name = f->name;
    h.span = f->name_span;
    h.is_extern = f->is_extern;
    std::set<std::string> names;
    for (const ast::Param& p : f->params) {
      if (!names.insert(p.name).second)
        diags_.error(p.span, fmt::format("function '{}' has two parameters named '{}'", f->name, p.name));
      if (p.default_value) diags_.error(p.default_value->span, "function parameters cannot have default values");
      Type t = resolve_type_ref(p.type);
      if (f->is_extern && !t.is_error() && t.kind != Kind::Num) diags_.error(p.span, "an extern fn takes numbers only");
      h.params.push_back(t);
      h.param_names.push_back(p.name);
    }
    if (f->result) h.result = resolve_type_ref(*f->result);
    if (f->is_extern) {
      if (!f->result) diags_.error(f->name_span, "an extern fn needs its result type, e.g. `: Number`");
      else if (!h.result.is_error() && h.result.kind != Kind::Num)
        diags_.error(f->result->span, "an extern fn returns a number");
    }
  }
  for (size_t i = 0; i < fn_decls_.size(); ++i) resolve_fn_body(int(i));
}

// A body is checked on first use (or in declaration order), so a function without a
// result annotation can be called before its declaration.
void Checker::resolve_fn_body(int i) {
  if (fn_status_[i] != Resolve::Todo) return;
  const ast::FnDecl* f = fn_decls_[i];
  HFn& h = prog_.fns[i];
  if (f->is_extern || !f->body) {
    fn_status_[i] = Resolve::Done;
    return;
  }
  fn_status_[i] = Resolve::Doing;
  Ctx ctx;
  ctx.where = Ctx::FnBody;
  ctx.fn = &h;
  int locals = 0;
  ctx.local_count = &locals;
  ctx.fn_calls = &fn_callees_[i];
  HExpr body = expr(*f->body, ctx);
  if (f->result) {
    if (!h.result.is_error() && !body.type.is_error() && !(body.type == h.result))
      diags_.error(f->body->span, fmt::format("function '{}' is declared to return {}, but its body is {}", f->name,
                                              type_str(h.result), type_str(body.type)));
  } else {
    h.result = body.type;
  }
  h.body = std::move(body);
  h.locals = locals;
  fn_status_[i] = Resolve::Done;
}

void Checker::check_recursion() {
  // Depth-first search for a cycle in the call graph; report each cycle once.
  std::vector<int> color(fn_decls_.size(), 0), stack;
  std::function<void(int)> visit = [&](int f) {
    color[f] = 1;
    stack.push_back(f);
    for (int g : fn_callees_[f]) {
      if (color[g] == 1) {
        std::string chain;
        auto start = std::find(stack.begin(), stack.end(), g);
        for (auto it = start; it != stack.end(); ++it) chain += fn_decls_[*it]->name + " → ";
        chain += fn_decls_[g]->name;
        diags_
            .error(fn_decls_[f]->name_span,
                   fmt::format("function '{}' recurses ({}); recursion is not allowed, so that every program "
                               "terminates",
                               fn_decls_[g]->name, chain))
            .with_id(codes::kRecursion);
      } else if (color[g] == 0) {
        visit(g);
      }
    }
    stack.pop_back();
    color[f] = 2;
  };
  for (size_t i = 0; i < fn_decls_.size(); ++i)
    if (color[i] == 0) visit(int(i));
}

// ---------------------------------------------------------------------------------
// The passes, in order.

std::optional<Program> Checker::run() {
  collect();
  check_calendar();
  prog_.params.resize(param_decls_.size());
  param_lazy_.resize(param_decls_.size());
  for (size_t i = 0; i < param_decls_.size(); ++i) {
    prog_.params[i].name = param_decls_[i]->name;
    prog_.params[i].span = param_decls_[i]->name_span;
    prog_.params[i].slot = new_slot("param " + param_decls_[i]->name);
    param_lazy_[i].slot = prog_.params[i].slot;
  }
  prog_.fns.resize(fn_decls_.size());
  fn_status_.assign(fn_decls_.size(), Resolve::Todo);
  fn_callees_.resize(fn_decls_.size());
  prog_.deals.resize(deal_info_.size());
  prog_.shocks.resize(shock_decls_.size());
  prog_.scenarios.resize(scenario_decls_.size());

  layout_parties();
  check_fns();
  for (size_t i = 0; i < param_decls_.size(); ++i) resolve_param(int(i));
  for (size_t p = 0; p < prog_.parties.size(); ++p)
    for (size_t k = 0; k < party_info_[p].lazy.size(); ++k) resolve_party_state(int(p), int(k));
  for (size_t d = 0; d < deal_info_.size(); ++d) layout_deal(int(d));
  for (size_t d = 0; d < deal_info_.size(); ++d)
    for (size_t k = 0; k < deal_info_[d].lazy.size(); ++k) resolve_deal_state(int(d), int(k));
  check_party_bodies();
  for (size_t d = 0; d < deal_info_.size(); ++d) check_deal_bodies(int(d));
  check_shocks();
  check_scenarios();
  check_recursion();
  if (diags_.has_errors()) return std::nullopt;
  save_scope();
  return std::move(prog_);
}

std::optional<Program> check_program(const std::vector<ast::Module>& modules, const SourceManager& sm,
                                     Diagnostics& diags) {
  Checker c(modules, sm, diags);
  return c.run();
}

}  // namespace deal::check
