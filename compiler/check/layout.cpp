// The state layout: a slot for every param, party state and deal state, in one flat
// per-path array; contract instantiation (binding a contract's parameters to a deal's
// arguments); the lazily inferred types and initial values of party and deal states.
#include "compiler/check/checker.hpp"
#include "compiler/check/stdlib_names.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace deal::check {

const std::set<std::string>& party_builtin_fields() {
  static const std::set<std::string> f = {"cash", "debt", "credit", "defaulted", "default_date", "equity"};
  return f;
}

int Checker::new_slot(const std::string& name) {
  prog_.slot_names.push_back(name);
  return prog_.slot_count++;
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
      // `liquidation = expr` is evaluated at resolution (§6.6), not a state: check_party_bodies.
      if (m.name == "liquidation") {
        if (m.kind == ast::MemberKind::Let)
          diags_.error(m.name_span,
                       "a party's `liquidation` is written `liquidation = expr` (it is evaluated when the party is "
                       "resolved in default)");
        continue;
      }
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
        hp.states[size_t(bi->second)].span = m.name_span;  // a run-time error on it names this line
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
    diags_.error(ls.span,
                 fmt::format("the initial value of '{}.{}' depends on itself", prog_.parties[p].name, hs.name));
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
    Diagnostic& e =
        diags_.error(ls.init->span, fmt::format("'{}' is Money, but this value is {}", hs.name, type_str(t)));
    e.with_id(codes::kDimensions);
    if (auto help = bare_number_help(Type::num(Dim::money()), t, *ls.init); !help.empty())
      e.with_id(codes::kBareNumber).help = help;
    t = Type::num(Dim::money());
  }
  if (!builtin && !t.is_error() && t.kind != Kind::Num && t.kind != Kind::Bool && t.kind != Kind::Date) {
    diags_.error(ls.init->span, fmt::format("a party state must be a number, a Bool or a Date, not {}", type_str(t)));
    t = Type::error();
  }
  if (ls.member) {
    check_annotation(ls.member->type, t, ls.init ? ls.init->span : ls.span, ls.init);
    if (ls.member->type && !t.is_error()) {
      Type want = resolve_type_ref(*ls.member->type);
      if (!want.is_error()) t = want;
    }
  }
  // An undrawn credit line and a debt are amounts owed; a negative one would be money
  // from nowhere in clearing (credit) or in the valuation (debt). Run-time values are
  // checked by the runtime.
  if (builtin && (idx == kDebt || idx == kCredit) && ls.init)
    if (auto v = const_value(init); v && *v < 0)
      diags_.error(ls.init->span, fmt::format("a party's {} cannot be negative (it is an amount {})", hs.name,
                                              idx == kDebt ? "owed" : "it may draw"));
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
    Diagnostic& e = diags_.error(
        decl->contract_span,
        g == globals_.end()
            ? fmt::format(
                  "unknown contract '{}'{}", decl->contract,
                  s.empty() || std_defines_contract(decl->contract) ? "" : fmt::format(" (did you mean '{}'?)", s))
            : fmt::format("'{}' is a {}, not a contract", decl->contract, kind_word(g->second.kind)));
    e.with_id(g == globals_.end() ? codes::kUnknownName : codes::kCheck);
    if (g == globals_.end() && std_defines_contract(decl->contract)) e.with_help(kImportStdHelp);
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
        Diagnostic& e = diags_.error(
            a.value->span, fmt::format("too many arguments: contract '{}' takes {}", c->name, c->params.size()));
        e.with_id(codes::kNoSuchParameter).notes.push_back({c->name_span, "contract declared here"});
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
      Diagnostic& e = diags_.error(
          decl->span, fmt::format("missing argument '{}' ({}) for contract '{}'", p.name, type_str(want), c->name));
      e.with_id(codes::kMissingArgument);
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
      Diagnostic& e = diags_.error(arg->span, fmt::format("argument '{}' of contract '{}' is {}, but this value is {}",
                                                          p.name, c->name, type_str(want), type_str(v.type)));
      e.with_id(codes::kArgumentType);
      if (auto help = bare_number_help(want, v.type, *arg); !help.empty()) e.with_id(codes::kBareNumber).help = help;
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
      Diagnostic& e =
          diags_.error(m.name_span, fmt::format("'{}' is declared twice in contract '{}'", m.name, c->name));
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
    else if (!want.is_error()) t = want;
  }
  ls.type = t;
  ls.status = Resolve::Done;
  hs.type = t;
  hs.init = std::move(init);
}

}  // namespace deal::check
