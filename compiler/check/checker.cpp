// Declarations: collecting global names, the calendar, state layout of parties and
// deals (contract instantiation), functions, shocks and scenarios.
#include "compiler/check/checker.hpp"

#include "compiler/ast/parse.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

namespace deal::check {

namespace {

const char* kind_word(Global::Kind k) {
  switch (k) {
    case Global::Param: return "param";
    case Global::Party: return "party";
    case Global::Contract: return "contract";
    case Global::Deal: return "deal";
    case Global::Fn: return "fn";
    case Global::Shock: return "shock";
    case Global::Scenario: return "scenario";
  }
  return "name";
}

const std::set<std::string>& builtin_names() {
  static const std::set<std::string> names = {
      "min", "max", "abs", "floor", "ceil", "round", "exp", "log", "sqrt", "clamp", "years",
      "date_of", "annuity", "npv", "discount", "paid", "due", "inflow", "outflow", "revenue_from",
      "equity", "defaulted", "holdings", "normal", "lognormal", "uniform", "bernoulli", "pay",
      "receive", "own", "sell", "borrow", "dt", "span", "now"};
  return names;
}

const std::set<std::string>& party_builtin_fields() {
  static const std::set<std::string> f = {"cash", "debt", "credit", "defaulted", "default_date", "equity"};
  return f;
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

void Checker::error(const Ctx& ctx, Span span, const std::string& msg) {
  if (ctx.deal < 0 || deal_info_[ctx.deal].contract == nullptr) {
    diags_.error(span, msg);
    return;
  }
  // Inside a contract body instantiated for a deal: one report per place and message,
  // listing the deal(s) it was instantiated for.
  const DealInfo& di = deal_info_[ctx.deal];
  std::string key = fmt::format("{}:{}:{}|{}", span.file, span.line, span.col, msg);
  auto note = std::make_pair(di.decl->span, fmt::format("in deal '{}' = {}(…), declared here",
                                                        di.decl->name, di.decl->contract));
  auto it = reported_index_.find(key);
  if (it != reported_index_.end()) {
    // Already reported for another deal: the note list grows, the error count does not.
    auto& all = const_cast<std::vector<Diagnostic>&>(diags_.all());
    if (it->second < all.size()) all[it->second].notes.push_back(note);
    return;
  }
  Diagnostic& d = diags_.error(span, fmt::format("{} (in deal '{}')", msg, di.decl->name));
  d.notes.push_back(note);
  reported_index_[key] = diags_.all().size() - 1;
}

int Checker::new_slot(const std::string& name) {
  prog_.slot_names.push_back(name);
  return prog_.slot_count++;
}

void Checker::declare(const std::string& name, Global g) {
  if (name.empty()) return;
  if (builtin_names().count(name) || name == "World" || name == "self") {
    diags_.error(g.span, fmt::format("'{}' is a built-in name and cannot be redeclared", name));
    return;
  }
  auto [it, fresh] = globals_.emplace(name, g);
  if (!fresh) {
    Diagnostic& d = diags_.error(g.span, fmt::format("'{}' is already declared (as a {})", name,
                                                      kind_word(it->second.kind)));
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
        case ast::DeclKind::Import: break;
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
  auto date_of = [&](const ast::ExprPtr& e, ast::DateLit& out) {
    if (e && e->kind == ast::ExprKind::Date) {
      out = e->date;
      return true;
    }
    diags_.error(e ? e->span : calendar_->span, "the calendar's bounds must be date literals such as 2025Q1");
    return false;
  };
  bool ok = date_of(calendar_->from, prog_.calendar.from) & date_of(calendar_->to, prog_.calendar.to);
  prog_.calendar.step = calendar_->step;
  if (ok && date_to_months(prog_.calendar.to) < date_to_months(prog_.calendar.from))
    diags_.error(calendar_->to->span, "the calendar ends before it starts");
  if (ok && date_to_months(prog_.calendar.to) - date_to_months(prog_.calendar.from) > 12.0 * 1000)
    diags_.error(calendar_->span, "the calendar spans more than 1000 years");
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
        diags_.error(f.span, fmt::format("unknown unit '{}'", f.unit));
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
    } else if (f.name == "Bool" || f.name == "Date" || f.name == "Party" || f.name == "Deal" ||
               f.name == "String") {
      numeric = false;
      single = f.name == "Bool" ? Type::boolean() : f.name == "Date" ? Type::date()
             : f.name == "Party" ? Type::party() : f.name == "Deal" ? Type::deal() : Type::string();
      if (t.factors.size() > 1) {
        diags_.error(f.span, fmt::format("'{}' cannot be combined with other types", f.name));
        return Type::error();
      }
      continue;
    } else {
      std::vector<std::string> known = {"Number", "Money", "Duration", "Flow", "Rate", "Quantity",
                                        "Price", "Bool", "Date", "Party", "Deal", "String"};
      known.insert(known.end(), prog_.units.begin(), prog_.units.end());
      std::string s = suggest(f.name, known);
      diags_.error(f.span, fmt::format("unknown type '{}'{}", f.name,
                                       s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
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

void Checker::check_annotation(const std::optional<ast::TypeRef>& ann, const Type& actual, Span where) {
  if (!ann || actual.is_error()) return;
  Type want = resolve_type_ref(*ann);
  if (want.is_error() || want == actual) return;
  diags_.error(where, fmt::format("declared as {} but its value is {}", type_str(want), type_str(actual)));
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
  check_annotation(p->type, t, p->value ? p->value->span : p->name_span);
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
// Parties: built-in states, fields, lets.

int Checker::party_index(const ast::PartyDecl* p) const {
  for (size_t i = 1; i < party_info_.size(); ++i)
    if (party_info_[i].decl == p) return int(i);
  return -1;
}

void Checker::layout_parties() {
  for (size_t pi = 0; pi < prog_.parties.size(); ++pi) {
    HParty& hp = prog_.parties[pi];
    PartyInfo& info = party_info_[pi];
    const ast::PartyDecl* decl = info.decl;
    hp.is_world = pi == 0;
    hp.name = decl ? decl->name : "World";
    hp.kind = decl ? decl->kind : "world";
    hp.span = decl ? decl->name_span : Span{};
    hp.base = prog_.slot_count;
    static const char* names[kPartyBuiltins] = {"cash", "debt", "credit", "defaulted", "default_date", "equity"};
    for (int k = 0; k < kPartyBuiltins; ++k) {
      HState s;
      s.name = names[k];
      s.slot = new_slot(fmt::format("{}.{}", hp.name, names[k]));
      s.type = k == kDefaulted ? Type::boolean() : k == kDefaultDate ? Type::date() : Type::num(Dim::money());
      s.init = HExpr::constant(0, s.type);
      info.states[names[k]] = int(hp.states.size());
      hp.states.push_back(s);
      LazyState ls;
      ls.status = Resolve::Done;
      ls.type = s.type;
      ls.slot = s.slot;
      info.lazy.push_back(ls);
    }
    hp.value = HExpr();  // set in check_party_bodies
    if (!decl) continue;
    std::map<std::string, Span> seen;
    const ast::Member* value_member = nullptr;
    for (const ast::Member& m : decl->members) {
      if (m.kind == ast::MemberKind::Clause) continue;
      if (m.kind == ast::MemberKind::Value) {
        if (value_member) {
          Diagnostic& d = diags_.error(m.span, fmt::format("party '{}' has two `value` expressions", hp.name));
          d.notes.push_back({value_member->span, "the first is here"});
        }
        value_member = &m;
        continue;
      }
      if (auto it = seen.find(m.name); it != seen.end()) {
        Diagnostic& d = diags_.error(m.name_span, fmt::format("'{}' is declared twice in party '{}'", m.name, hp.name));
        d.notes.push_back({it->second, "previous declaration is here"});
        continue;
      }
      seen[m.name] = m.name_span;
      if (m.kind == ast::MemberKind::Let) {
        if (party_builtin_fields().count(m.name)) {
          diags_.error(m.name_span, fmt::format("'{}' is a built-in state of every party", m.name));
          continue;
        }
        info.lets.add(&m);
        continue;
      }
      // A field: built-in (cash, debt, credit) or a new state.
      if (m.name == "defaulted" || m.name == "default_date" || m.name == "equity") {
        diags_.error(m.name_span, fmt::format("'{}' is read-only: the runtime sets it", m.name));
        continue;
      }
      auto bi = info.states.find(m.name);
      if (bi != info.states.end()) {
        LazyState& ls = info.lazy[bi->second];
        ls.init = m.value.get();
        ls.member = &m;
        ls.status = Resolve::Todo;
        ls.span = m.name_span;
        continue;
      }
      HState s;
      s.name = m.name;
      s.span = m.name_span;
      s.slot = new_slot(fmt::format("{}.{}", hp.name, m.name));
      info.states[m.name] = int(hp.states.size());
      hp.states.push_back(s);
      LazyState ls;
      ls.init = m.value.get();
      ls.member = &m;
      ls.slot = s.slot;
      ls.span = m.name_span;
      info.lazy.push_back(ls);
    }
  }
}

void Checker::resolve_party_state(int p, int idx) {
  PartyInfo& info = party_info_[p];
  LazyState& ls = info.lazy[idx];
  HState& hs = prog_.parties[p].states[idx];
  if (ls.status == Resolve::Done) return;
  if (ls.status == Resolve::Doing) {
    diags_.error(ls.span, fmt::format("the initial value of '{}.{}' depends on itself", prog_.parties[p].name, hs.name));
    ls.type = Type::error();
    ls.status = Resolve::Done;
    return;
  }
  ls.status = Resolve::Doing;
  Ctx ctx;
  ctx.where = Ctx::StateInit;
  ctx.party = p;
  ctx.init_slot = hs.slot;
  HExpr init = ls.init ? expr(*ls.init, ctx) : HExpr::constant(0, Type::num(Dim::money()));
  if (ls.status == Resolve::Done) return;
  Type t = init.type;
  bool builtin = idx < kPartyBuiltins;
  if (builtin && !t.is_error() && !(t == Type::num(Dim::money()))) {
    diags_.error(ls.init->span, fmt::format("'{}' is Money, but this value is {}", hs.name, type_str(t)));
    t = Type::num(Dim::money());
  }
  if (!builtin && !t.is_error() && t.kind != Kind::Num && t.kind != Kind::Bool && t.kind != Kind::Date) {
    diags_.error(ls.init->span, fmt::format("a party state must be a number, a Bool or a Date, not {}", type_str(t)));
    t = Type::error();
  }
  if (ls.member) {
    check_annotation(ls.member->type, t, ls.init ? ls.init->span : ls.span);
    if (ls.member->type && !t.is_error()) {
      Type want = resolve_type_ref(*ls.member->type);
      if (!want.is_error()) t = want;
    }
  }
  if (builtin) t = hs.type;
  ls.type = t;
  ls.status = Resolve::Done;
  hs.type = t;
  hs.init = std::move(init);
}

// ---------------------------------------------------------------------------------
// Deals: bind the contract's parameters to this deal's arguments, lay out its states.

void Checker::layout_deal(int d) {
  DealInfo& di = deal_info_[d];
  if (di.layout == Resolve::Done) return;
  if (di.layout == Resolve::Doing) {
    diags_.error(di.decl->name_span, fmt::format("deal '{}' depends on itself", di.decl->name));
    return;
  }
  di.layout = Resolve::Doing;
  HDeal& hd = prog_.deals[d];
  const ast::DealDecl* decl = di.decl;
  hd.name = decl->name;
  hd.contract = decl->contract;
  hd.span = decl->name_span;
  hd.shock = di.shock;
  hd.base = new_slot(decl->name + ".alive");
  new_slot(decl->name + ".paid");
  new_slot(decl->name + ".due");

  auto g = globals_.find(decl->contract);
  if (g == globals_.end() || g->second.kind != Global::Contract) {
    std::vector<std::string> names;
    for (const ast::ContractDecl* c : contracts_) names.push_back(c->name);
    std::string s = suggest(decl->contract, names);
    diags_.error(decl->contract_span,
                 g == globals_.end()
                     ? fmt::format("unknown contract '{}'{}", decl->contract,
                                   s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s))
                     : fmt::format("'{}' is a {}, not a contract", decl->contract, kind_word(g->second.kind)));
    di.layout = Resolve::Done;
    return;
  }
  const ast::ContractDecl* c = contracts_[g->second.index];
  di.contract = c;

  // Match arguments to parameters: positional first, then by name.
  std::vector<const ast::Arg*> bound(c->params.size(), nullptr);
  size_t pos = 0;
  bool named_seen = false;
  for (const ast::Arg& a : decl->args) {
    if (a.name.empty()) {
      if (named_seen) {
        diags_.error(a.value->span, "a positional argument cannot follow a named one");
        continue;
      }
      if (pos >= c->params.size()) {
        Diagnostic& e = diags_.error(a.value->span, fmt::format("too many arguments: contract '{}' takes {}",
                                                                c->name, c->params.size()));
        e.notes.push_back({c->name_span, "contract declared here"});
        break;
      }
      bound[pos++] = &a;
      continue;
    }
    named_seen = true;
    auto it = std::find_if(c->params.begin(), c->params.end(), [&](const ast::Param& p) { return p.name == a.name; });
    if (it == c->params.end()) {
      std::vector<std::string> names;
      for (const ast::Param& p : c->params) names.push_back(p.name);
      std::string s = suggest(a.name, names);
      Diagnostic& e = diags_.error(a.name_span, fmt::format("contract '{}' has no parameter '{}'{}", c->name, a.name,
                                                            s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
      e.notes.push_back({c->name_span, "contract declared here"});
      continue;
    }
    size_t k = size_t(it - c->params.begin());
    if (bound[k]) {
      diags_.error(a.name_span, fmt::format("argument '{}' is given twice", a.name));
      continue;
    }
    bound[k] = &a;
  }

  for (size_t k = 0; k < c->params.size(); ++k) {
    const ast::Param& p = c->params[k];
    if (di.bindings.count(p.name)) {
      diags_.error(p.span, fmt::format("contract '{}' has two parameters named '{}'", c->name, p.name));
      continue;
    }
    Type want = resolve_type_ref(p.type);
    const ast::Expr* arg = bound[k] ? bound[k]->value.get() : p.default_value.get();
    if (!arg) {
      Diagnostic& e = diags_.error(decl->span, fmt::format("missing argument '{}' ({}) for contract '{}'", p.name,
                                                           type_str(want), c->name));
      e.notes.push_back({p.span, "parameter declared here"});
      di.bindings[p.name] = Binding{Binding::Value, -1, HExpr::constant(0, Type::error())};
      continue;
    }
    // Arguments see params and parties, and the parameters bound before them (defaults
    // such as `end: Date = start + term`).
    Ctx ctx;
    ctx.where = Ctx::ParamInit;
    ctx.deal = bound[k] ? -1 : d;
    HExpr v = expr(*arg, ctx);
    Binding b;
    if (!v.type.is_error() && !want.is_error() && !(v.type == want)) {
      diags_.error(arg->span, fmt::format("argument '{}' of contract '{}' is {}, but this value is {}", p.name,
                                          c->name, type_str(want), type_str(v.type)));
      v.type = Type::error();
    }
    if (want.kind == Kind::Party || want.kind == Kind::Deal) {
      auto cv = const_value(v);
      if (!v.type.is_error() && !cv) {
        diags_.error(arg->span, fmt::format("argument '{}' must name a {} directly", p.name,
                                            want.kind == Kind::Party ? "party" : "deal"));
      }
      b.kind = want.kind == Kind::Party ? Binding::PartyId : Binding::DealId;
      b.id = cv ? int(*cv) : -1;
      b.value = v;
    } else if (auto cv = const_value(v)) {
      b.value = HExpr::constant(*cv, v.type.is_error() ? want : v.type, arg->span);
    } else {
      // Bound once at the start of each path (after scenario overrides and draws).
      HState s;
      s.name = p.name;
      s.span = p.span;
      s.slot = new_slot(fmt::format("{}.{}", decl->name, p.name));
      s.type = want;
      s.init = v;
      di.states[p.name] = int(hd.states.size());
      hd.states.push_back(s);
      LazyState ls;
      ls.status = Resolve::Done;
      ls.type = want;
      ls.slot = s.slot;
      di.lazy.push_back(ls);
      b.value = HExpr::slot(s.slot, want);
    }
    di.bindings[p.name] = std::move(b);
  }

  // Fields and lets.
  std::map<std::string, Span> seen;
  for (const ast::Param& p : c->params) seen[p.name] = p.span;
  for (const ast::Member& m : c->members) {
    if (m.kind == ast::MemberKind::Clause) continue;
    if (m.kind == ast::MemberKind::Value) {
      diags_.error(m.span, "`value` belongs in a party (a contract has no equity)");
      continue;
    }
    if (auto it = seen.find(m.name); it != seen.end()) {
      Diagnostic& e = diags_.error(m.name_span, fmt::format("'{}' is declared twice in contract '{}'", m.name, c->name));
      e.notes.push_back({it->second, "previous declaration is here"});
      continue;
    }
    seen[m.name] = m.name_span;
    if (m.name == "alive" || m.name == "paid" || m.name == "due") {
      diags_.error(m.name_span, fmt::format("'{}' is a built-in of every deal", m.name));
      continue;
    }
    if (m.kind == ast::MemberKind::Let) {
      di.lets.add(&m);
      continue;
    }
    HState s;
    s.name = m.name;
    s.span = m.name_span;
    s.slot = new_slot(fmt::format("{}.{}", decl->name, m.name));
    di.states[m.name] = int(hd.states.size());
    hd.states.push_back(s);
    LazyState ls;
    ls.init = m.value.get();
    ls.member = &m;
    ls.slot = s.slot;
    ls.span = m.name_span;
    di.lazy.push_back(ls);
  }
  di.layout = Resolve::Done;
}

void Checker::resolve_deal_state(int d, int idx) {
  DealInfo& di = deal_info_[d];
  LazyState& ls = di.lazy[idx];
  HState& hs = prog_.deals[d].states[idx];
  if (ls.status == Resolve::Done) return;
  if (ls.status == Resolve::Doing) {
    error(in_deal(d), ls.span, fmt::format("the initial value of '{}' depends on itself", hs.name));
    ls.type = Type::error();
    ls.status = Resolve::Done;
    return;
  }
  ls.status = Resolve::Doing;
  Ctx ctx;
  ctx.where = Ctx::StateInit;
  ctx.deal = d;
  ctx.init_slot = hs.slot;
  HExpr init = expr(*ls.init, ctx);
  if (ls.status == Resolve::Done) return;
  Type t = init.type;
  if (!t.is_error() && t.kind != Kind::Num && t.kind != Kind::Bool && t.kind != Kind::Date) {
    error(ctx, ls.init->span, fmt::format("a deal state must be a number, a Bool or a Date, not {}", type_str(t)));
    t = Type::error();
  }
  if (ls.member && ls.member->type && !t.is_error()) {
    Type want = resolve_type_ref(*ls.member->type);
    if (!want.is_error() && !(want == t))
      error(ctx, ls.init->span, fmt::format("declared as {} but its value is {}", type_str(want), type_str(t)));
    else if (!want.is_error())
      t = want;
  }
  ls.type = t;
  ls.status = Resolve::Done;
  hs.type = t;
  hs.init = std::move(init);
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
      if (f->is_extern && !t.is_error() && t.kind != Kind::Num)
        diags_.error(p.span, "an extern fn takes numbers only");
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
        diags_.error(fn_decls_[f]->name_span,
                     fmt::format("function '{}' recurses ({}); recursion is not allowed, so that every program "
                                 "terminates",
                                 fn_decls_[g]->name, chain));
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
// Shocks and scenarios.

void Checker::check_shocks() {
  for (size_t si = 0; si < shock_decls_.size(); ++si) {
    const ast::ShockDecl* s = shock_decls_[si];
    HShock& hs = prog_.shocks[si];
    hs.name = s->name;
    hs.span = s->name_span;
    for (const ast::ShockItem& it : s->items) {
      Ctx ctx;
      ctx.where = Ctx::Block;
      ctx.shock = int(si);
      int locals = 0;
      ctx.local_count = &locals;
      switch (it.kind) {
        case ast::ShockItemKind::Set:
          if (it.set) {
            if (auto st = stmt(*it.set, ctx)) hs.sets.push_back(std::move(*st));
          }
          break;
        case ast::ShockItemKind::Clause:
          if (it.clause.kind != ast::ClauseKind::At && it.clause.kind != ast::ClauseKind::When) {
            diags_.error(it.clause.span, "a shock's clauses are `at DATE { … }` and `when COND { … }`");
            break;
          }
          hs.clauses.push_back(clause(it.clause, ctx));
          if (it.clause.kind == ast::ClauseKind::When)
            hs.clauses.back().fired_slot = new_slot(fmt::format("{}.when@{}", s->name, it.clause.span.line));
          break;
        case ast::ShockItemKind::Deal:
          if (it.deal) {
            auto g = globals_.find(it.deal->name);
            if (g != globals_.end() && g->second.kind == Global::Deal && deal_info_[g->second.index].decl == it.deal.get())
              hs.deals.push_back(g->second.index);
          }
          break;
      }
    }
  }
}

void Checker::check_scenarios() {
  // Resolve `extends` chains, parents first; a cycle is an error.
  std::vector<Resolve> status(scenario_decls_.size(), Resolve::Todo);
  std::function<void(int)> build = [&](int i) {
    if (status[i] == Resolve::Done) return;
    const ast::ScenarioDecl* s = scenario_decls_[i];
    HScenario& h = prog_.scenarios[i];
    if (status[i] == Resolve::Doing) {
      diags_.error(s->extends_span, fmt::format("scenario '{}' extends itself (through a cycle)", s->name));
      return;
    }
    status[i] = Resolve::Doing;
    h.name = s->name;
    h.span = s->name_span;
    if (!s->extends.empty()) {
      auto g = globals_.find(s->extends);
      if (g == globals_.end() || g->second.kind != Global::Scenario) {
        std::vector<std::string> names;
        for (auto* sd : scenario_decls_) names.push_back(sd->name);
        std::string sug = suggest(s->extends, names);
        diags_.error(s->extends_span, fmt::format("unknown scenario '{}'{}", s->extends,
                                                  sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
      } else {
        build(g->second.index);
        HScenario parent = prog_.scenarios[g->second.index];
        parent.name = h.name;
        parent.span = h.span;
        h = std::move(parent);
      }
    }
    for (const ast::ScenarioItem& it : s->items) {
      Ctx ctx;
      ctx.where = Ctx::ParamInit;
      auto int_const = [&](const ast::ExprPtr& e, const char* what, double lo) -> std::optional<double> {
        HExpr v = expr(*e, ctx);
        auto c = const_value(v);
        if (v.type.is_error()) return std::nullopt;
        if (!c || !(v.type == Type::num()) || *c != std::floor(*c) || *c < lo || *c > 9.0e15) {
          diags_.error(e->span, fmt::format("{} must be a whole number{}", what, lo > 0 ? " of at least 1" : " ≥ 0"));
          return std::nullopt;
        }
        return c;
      };
      switch (it.kind) {
        case ast::ScenarioItemKind::Apply:
          for (size_t k = 0; k < it.names.size(); ++k) {
            auto g = globals_.find(it.names[k]);
            if (g == globals_.end() || g->second.kind != Global::Shock) {
              std::vector<std::string> names;
              for (auto* sd : shock_decls_) names.push_back(sd->name);
              std::string sug = suggest(it.names[k], names);
              diags_.error(it.name_spans[k], fmt::format("unknown shock '{}'{}", it.names[k],
                                                         sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
              continue;
            }
            if (std::find(h.shocks.begin(), h.shocks.end(), g->second.index) != h.shocks.end()) {
              diags_.error(it.name_spans[k], fmt::format("shock '{}' is already applied in this scenario", it.names[k]));
              continue;
            }
            h.shocks.push_back(g->second.index);
          }
          break;
        case ast::ScenarioItemKind::Param: {
          auto g = globals_.find(it.param);
          if (g == globals_.end() || g->second.kind != Global::Param) {
            std::vector<std::string> names;
            for (auto* pd : param_decls_) names.push_back(pd->name);
            std::string sug = suggest(it.param, names);
            diags_.error(it.param_span, fmt::format("unknown param '{}'{}", it.param,
                                                    sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
            break;
          }
          int pi = g->second.index;
          const Type& want = prog_.params[pi].type;
          HScenario::Override ov;
          ov.param = pi;
          ov.span = it.span;
          if (it.value) {
            HExpr v = expr(*it.value, ctx);
            if (!v.type.is_error() && !want.is_error() && !(v.type == want))
              diags_.error(it.value->span, fmt::format("param '{}' is {}, but this value is {}", it.param,
                                                       type_str(want), type_str(v.type)));
            ov.value = std::move(v);
          } else if (it.dist) {
            HDistribution hd;
            hd.name = it.dist->name;
            hd.span = it.dist->span;
            for (const ast::ExprPtr& a : it.dist->args) hd.args.push_back(expr(*a, ctx));
            auto bad = [&](const std::string& msg) { diags_.error(it.dist->span, msg); };
            auto all_same = [&](size_t from, size_t to) {
              for (size_t k = from + 1; k < to && k < hd.args.size(); ++k)
                if (!hd.args[k].type.is_error() && !hd.args[from].type.is_error() &&
                    !(hd.args[k].type == hd.args[from].type))
                  return false;
              return true;
            };
            Type result = Type::error();
            size_t n = hd.args.size();
            bool any_error = std::any_of(hd.args.begin(), hd.args.end(), [](const HExpr& a) { return a.type.is_error(); });
            if (hd.name == "normal" || hd.name == "uniform" || hd.name == "triangular") {
              size_t want_n = hd.name == "triangular" ? 3 : 2;
              if (n != want_n) bad(fmt::format("{}() takes {} arguments", hd.name, want_n));
              else if (!all_same(0, n)) bad(fmt::format("the arguments of {}() must have the same dimension", hd.name));
              else if (!hd.args[0].type.is_num()) bad(fmt::format("{}() draws numbers", hd.name));
              else result = hd.args[0].type;
            } else if (hd.name == "lognormal") {
              if (n != 2 && n != 3) bad("lognormal() takes 2 or 3 arguments: mu, sigma (of the log) and an optional scale");
              else if (!any_error && (!(hd.args[0].type == Type::num()) || !(hd.args[1].type == Type::num())))
                bad("lognormal()'s mu and sigma are plain numbers (of the log); give a third argument to scale the result");
              else result = n == 3 ? hd.args[2].type : Type::num();
            } else if (hd.name == "bernoulli") {
              if (n != 1) bad("bernoulli() takes one argument, the probability");
              else if (!any_error && !(hd.args[0].type == Type::num())) bad("bernoulli()'s probability is a Number");
              else result = Type::boolean();
            } else if (hd.name == "choice") {
              if (n < 1) bad("choice() needs at least one value");
              else if (!all_same(0, n)) bad("the values of choice() must have the same type");
              else result = hd.args[0].type;
            } else {
              bad(fmt::format("unknown distribution '{}' (normal, lognormal, uniform, triangular, bernoulli, choice)",
                              hd.name));
            }
            if (any_error) result = Type::error();
            if (!result.is_error() && !want.is_error() && !(result == want))
              diags_.error(it.dist->span, fmt::format("param '{}' is {}, but {}() draws {}", it.param, type_str(want),
                                                      hd.name, type_str(result)));
            ov.dist = std::move(hd);
          }
          h.overrides.push_back(std::move(ov));
          break;
        }
        case ast::ScenarioItemKind::Horizon: {
          HExpr v = expr(*it.value, ctx);
          auto c = const_value(v);
          if (v.type.is_error()) break;
          if (v.type.kind != Kind::Date || !c) {
            diags_.error(it.value->span, "horizon must be a date, e.g. `horizon 2028Q4`");
            break;
          }
          double start = date_to_months(prog_.calendar.from), end = date_to_months(prog_.calendar.to);
          if (*c < start || *c > end + 12)
            diags_.error(it.value->span, "the horizon must fall within the calendar");
          h.horizon = *c;
          break;
        }
        case ast::ScenarioItemKind::Paths:
          if (auto c = int_const(it.value, "paths", 1)) h.paths = (long long)*c;
          break;
        case ast::ScenarioItemKind::Seed:
          if (auto c = int_const(it.value, "seed", 0)) h.seed = (unsigned long long)*c;
          break;
        case ast::ScenarioItemKind::Clearing:
          for (size_t k = 0; k < it.settings.size(); ++k) {
            const auto& [name, e] = it.settings[k];
            HExpr v = expr(*e, ctx);
            auto c = const_value(v);
            if (v.type.is_error()) continue;
            if (name != "alpha" && name != "beta") {
              diags_.error(it.setting_spans[k], fmt::format("unknown clearing setting '{}' (alpha, beta)", name));
              continue;
            }
            if (!c || !(v.type == Type::num()) || *c < 0 || *c > 1) {
              diags_.error(e->span, fmt::format("{} must be a number between 0% and 100%", name));
              continue;
            }
            (name == "alpha" ? h.alpha : h.beta) = *c;
          }
          break;
        case ast::ScenarioItemKind::Track:
          for (const ast::TrackItem& t : it.tracks) {
            Ctx tctx;
            tctx.where = Ctx::Track;
            HExpr v = expr(*t.expr, tctx);
            if (!v.type.is_error() && v.type.kind != Kind::Num && v.type.kind != Kind::Bool &&
                v.type.kind != Kind::Date) {
              diags_.error(t.expr->span, fmt::format("only numbers, Bools and Dates can be tracked, not {}",
                                                     type_str(v.type)));
              continue;
            }
            std::string label = t.label.empty() ? t.source_text : t.label;
            auto same = std::find_if(h.tracks.begin(), h.tracks.end(), [&](const HTrack& x) { return x.label == label; });
            if (same != h.tracks.end()) {
              same->expr = std::move(v);  // a later `track` of the same series wins (extends)
              continue;
            }
            h.tracks.push_back({label, std::move(v)});
          }
          break;
      }
    }
    status[i] = Resolve::Done;
  };
  for (size_t i = 0; i < scenario_decls_.size(); ++i) build(int(i));
  if (scenario_decls_.empty()) {
    HScenario h;
    h.name = "default";
    h.implicit = true;
    prog_.scenarios.push_back(h);
  }
}

// ---------------------------------------------------------------------------------

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
  return std::move(prog_);
}

std::optional<Program> check_program(const std::vector<ast::Module>& modules, const SourceManager& sm,
                                     Diagnostics& diags) {
  Checker c(modules, sm, diags);
  return c.run();
}

}  // namespace deal::check

namespace deal::check {

std::optional<std::pair<double, Type>> check_constant(const Program& program, const ast::Expr& e,
                                                      const SourceManager& sm, Diagnostics& diags) {
  static const std::vector<ast::Module> no_modules;
  Checker c(no_modules, sm, diags);
  c.prog_.units = program.units;
  for (size_t i = 0; i < program.units.size(); ++i) c.units_[program.units[i]] = int(i);
  Ctx ctx;
  ctx.where = Ctx::ParamInit;
  size_t before = diags.error_count();
  HExpr v = c.expr(e, ctx);
  if (diags.error_count() > before || v.type.is_error()) return std::nullopt;
  auto k = c.const_value(v);
  if (!k) {
    diags.error(e.span, "expected a constant such as 20%/y, $3B or 2027Q3");
    return std::nullopt;
  }
  return std::make_pair(*k, v.type);
}

std::optional<std::pair<double, Type>> parse_constant(const Program& program, const std::string& source_name,
                                                      const std::string& text, SourceManager& sm, Diagnostics& diags) {
  uint32_t id = sm.add(source_name, text);
  ast::ExprPtr e = ast::parse_expression(sm, id, diags);
  if (!e || diags.has_errors()) return std::nullopt;
  return check_constant(program, *e, sm, diags);
}

}  // namespace deal::check
