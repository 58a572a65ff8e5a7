// Expressions: name resolution, literals with units, operators, built-ins and the
// dimension rules of LANGUAGE.md §3.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/checker.hpp"
#include "compiler/check/stdlib_names.hpp"

namespace deal::check {

namespace {

HExpr make(Op op, Type t, Span s, std::vector<HExpr> args = {}) {
  HExpr e;
  e.op = op;
  e.type = std::move(t);
  e.span = s;
  e.args = std::move(args);
  return e;
}

// Years per time-unit suffix.
std::optional<double> time_unit(const std::string& u) {
  if (u == "y") return 1.0;
  if (u == "q") return 0.25;
  if (u == "mo") return 1.0 / 12;
  if (u == "w") return 7.0 / 365;
  if (u == "d") return 1.0 / 365;
  return std::nullopt;
}

bool valid_date(const ast::DateLit& d) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  int max = d.month == 2 && !leap ? 28 : days[d.month - 1];
  return d.day <= max;
}

// The largest slot an expression reads (for the initialization-order rule).
int max_slot(const HExpr& e) {
  int m = e.op == Op::Slot ? e.index : -1;
  for (const HExpr& a : e.args) m = std::max(m, max_slot(a));
  return m;
}

struct BuiltinInfo {
  const char* name;
  Builtin b;
};
const BuiltinInfo kBuiltins[] = {
    {"min", Builtin::Min},
    {"max", Builtin::Max},
    {"abs", Builtin::Abs},
    {"floor", Builtin::Floor},
    {"ceil", Builtin::Ceil},
    {"round", Builtin::Round},
    {"exp", Builtin::Exp},
    {"log", Builtin::Log},
    {"sqrt", Builtin::Sqrt},
    {"clamp", Builtin::Clamp},
    {"years", Builtin::Years},
    {"date_of", Builtin::DateOf},
    {"annuity", Builtin::Annuity},
    {"npv", Builtin::Npv},
    {"discount", Builtin::Discount},
    {"paid", Builtin::Paid},
    {"due", Builtin::Due},
    {"inflow", Builtin::Inflow},
    {"outflow", Builtin::Outflow},
    {"revenue_from", Builtin::RevenueFrom},
    {"equity", Builtin::Equity},
    {"defaulted", Builtin::Defaulted},
    {"holdings", Builtin::Holdings},
    {"normal", Builtin::Normal},
    {"lognormal", Builtin::Lognormal},
    {"uniform", Builtin::Uniform},
    {"bernoulli", Builtin::Bernoulli},
};

const char* where_word(Ctx::Where w) {
  switch (w) {
    case Ctx::ParamInit:
      return "a param's value or a deal argument";
    case Ctx::StateInit:
      return "an initial value";
    case Ctx::FnBody:
      return "a function body";
    default:
      return "here";
  }
}

}  // namespace

bool is_builtin_fn(const std::string& name) {
  for (const BuiltinInfo& b : kBuiltins)
    if (name == b.name) return true;
  return false;
}

const std::set<std::string>& statement_names() {
  static const std::set<std::string> names = {"pay", "receive", "own", "sell", "borrow", "claim", "issue"};
  return names;
}

std::optional<double> Checker::const_value(const HExpr& e) const {
  auto a = [&](size_t i) { return const_value(e.args[i]); };
  switch (e.op) {
    case Op::Const:
      return e.num;
    case Op::Neg:
      if (auto x = a(0)) return -*x;
      return std::nullopt;
    case Op::Not:
      if (auto x = a(0)) return *x == 0 ? 1.0 : 0.0;
      return std::nullopt;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow: {
      auto x = a(0), y = a(1);
      if (!x || !y) return std::nullopt;
      switch (e.op) {
        case Op::Add:
          return *x + *y;
        case Op::Sub:
          return *x - *y;
        case Op::Mul:
          return *x * *y;
        case Op::Div:
          return *x / *y;
        default:
          return std::pow(*x, *y);
      }
    }
    default:
      return std::nullopt;
  }
}

const ast::Member* Checker::money_state_in(const ast::Expr& e, const Ctx& ctx) const {
  if (e.kind == ast::ExprKind::Name && ctx.party >= 0) {
    const PartyInfo& pi = party_info_[size_t(ctx.party)];
    auto it = pi.states.find(e.name);
    if (it != pi.states.end() && size_t(it->second) < pi.lazy.size()) {
      const LazyState& ls = pi.lazy[size_t(it->second)];
      if (ls.member && ls.member->value && ls.type.is_num() && ls.type.dim == Dim::money()) return ls.member;
    }
  }
  for (const ast::ExprPtr& a : e.args)
    if (const ast::Member* m = money_state_in(*a, ctx)) return m;
  return nullptr;
}

bool Checker::expect(const HExpr& e, const Type& want, Span span, const char* what, Ctx& ctx, const ast::Expr* source) {
  if (e.type.is_error() || want.is_error() || e.type == want) return true;
  mismatch(ctx, span, fmt::format("{} must be {}, not {}", what, type_str(want), type_str(e.type)), want, e.type,
           source);
  return false;
}

void Checker::mismatch(const Ctx& ctx, Span span, const std::string& msg, const Type& want, const Type& got,
                       const ast::Expr* source) {
  if (source) {
    if (auto help = bare_number_help(want, got, *source); !help.empty()) {
      error(ctx, span, msg, codes::kBareNumber, help);
      return;
    }
    // An amount × time where an amount is due, or an amount where a flow is: a state
    // that was meant to be a flow, declared without its `/y`.
    bool off_by_time =
        got.is_num() && want.is_num() && (got.dim == want.dim * Dim::time() || got.dim * Dim::time() == want.dim);
    if (const ast::Member* m = off_by_time ? money_state_in(*source, ctx) : nullptr) {
      error(ctx, span, msg, codes::kDimensions,
            {fmt::format("declare '{}' with its rate unit if it is a flow: `{} = {}/y`", m->name, m->name,
                         ast::print(*m->value))});
      auto& all = const_cast<std::vector<Diagnostic>&>(diags_.all());
      if (!all.empty())
        all.back().notes.push_back(
            {m->span, fmt::format("'{}' is declared here as Money ($), an amount, not an amount per year", m->name)});
      return;
    }
  }
  error(ctx, span, msg, codes::kDimensions);
}

bool Checker::expect_kind(const HExpr& e, Kind k, Span span, const char* what, Ctx& ctx) {
  if (e.type.is_error() || e.type.kind == k) return true;
  static const char* names[] = {"a number", "a Bool", "a Date", "a party", "a deal", "a String", "?"};
  error(ctx, span, fmt::format("{} must be {}, not {}", what, names[int(k)], type_str(e.type)));
  return false;
}

HExpr Checker::expr(const ast::Expr& e, Ctx& ctx) {
  switch (e.kind) {
    case ast::ExprKind::Number:
      return literal(e, ctx);
    case ast::ExprKind::Bool:
      return HExpr::constant(e.bool_value ? 1 : 0, Type::boolean(), e.span);
    case ast::ExprKind::String: {
      // Strings are only meaningful in `emit`; check interpolations anyway.
      for (const ast::ExprPtr& a : e.args) expr(*a, ctx);
      return HExpr::constant(0, Type::string(), e.span);
    }
    case ast::ExprKind::Date:
      if (!valid_date(e.date)) {
        error(ctx, e.span, fmt::format("'{}' is not a valid date", e.text));
        return HExpr::constant(0, Type::error(), e.span);
      }
      return HExpr::constant(date_to_months(e.date), Type::date(), e.span);
    case ast::ExprKind::Name:
      return name_ref(e, ctx);
    case ast::ExprKind::Field:
      return field_ref(e, ctx);
    case ast::ExprKind::Unary:
      return unary(e, ctx);
    case ast::ExprKind::Binary:
      return binary(e, ctx);
    case ast::ExprKind::Call:
      return call(e, ctx);
    case ast::ExprKind::If: {
      HExpr c = expr(*e.args[0], ctx);
      expect(c, Type::boolean(), e.args[0]->span, "the condition of `if`", ctx);
      HExpr a = expr(*e.args[1], ctx), b = expr(*e.args[2], ctx);
      Type t = a.type;
      if (a.type.is_error() || b.type.is_error()) t = Type::error();
      else if (!(a.type == b.type)) {
        error(ctx, e.args[2]->span,
              fmt::format("the branches of `if` differ: {} and {}", type_str(a.type), type_str(b.type)));
        t = Type::error();
      }
      return make(Op::If, t, e.span, {std::move(c), std::move(a), std::move(b)});
    }
  }
  return HExpr::constant(0, Type::error(), e.span);
}

// `$12B/y/GW`, `60%/y`, `18mo`, `6GW`, and `1/dt` (a per-unit suffix naming a value divides).
HExpr Checker::literal(const ast::Expr& e, Ctx& ctx) {
  double value = e.value;
  Dim dim = e.is_money ? Dim::money() : Dim::number();
  std::optional<HExpr> divided;  // set once a suffix turned out to name a value
  for (const ast::UnitFactor& u : e.units) {
    Dim ud;
    double scale = 1;
    if (auto t = time_unit(u.name)) {
      ud = Dim::time();
      scale = *t;
    } else if (auto it = units_.find(u.name); it != units_.end()) {
      ud = Dim::unit(it->second);
    } else if (u.exponent < 0) {
      // Not a unit: a value in scope means division (`1/dt`).
      ast::Expr name;
      name.kind = ast::ExprKind::Name;
      name.name = u.name;
      name.span = u.span;
      // Known names: locals, fn parameters, deal/party members, globals, built-in values.
      bool known = globals_.count(u.name) || u.name == "dt" || u.name == "span" || u.name == "now";
      for (const auto& sc : ctx.scopes) known = known || sc.count(u.name);
      if (ctx.fn)
        for (const auto& pn : ctx.fn->param_names) known = known || pn == u.name;
      if (ctx.deal >= 0) {
        const DealInfo& di = deal_info_[ctx.deal];
        known = known || di.bindings.count(u.name) || di.states.count(u.name) || di.lets.count(u.name);
      }
      if (ctx.party >= 0) {
        const PartyInfo& pi = party_info_[ctx.party];
        known = known || pi.states.count(u.name) || pi.lets.count(u.name);
      }
      if (!known) {
        error(ctx, u.span,
              fmt::format("'{}' is neither a unit nor a value in scope; to divide, write spaces: "
                          "'{} / {}'",
                          u.name, e.text.substr(0, e.text.find('/')), u.name));
        return HExpr::constant(0, Type::error(), e.span);
      }
      HExpr lhs = divided ? std::move(*divided) : HExpr::constant(value, Type::num(dim), e.span);
      HExpr rhs = name_ref(name, ctx);
      if (rhs.type.is_error()) return HExpr::constant(0, Type::error(), e.span);
      if (!rhs.type.is_num()) {
        error(ctx, u.span, fmt::format("cannot divide by '{}', which is {}", u.name, type_str(rhs.type)));
        return HExpr::constant(0, Type::error(), e.span);
      }
      Type t = Type::num(lhs.type.dim / rhs.type.dim);
      divided = make(Op::Div, t, e.span, {std::move(lhs), std::move(rhs)});
      continue;
    } else {
      std::vector<std::string> names = prog_.units;
      for (const char* t : {"d", "w", "mo", "q", "y"}) names.push_back(t);
      std::string s = suggest(u.name, names);
      bool from_std = std_defines_unit(u.name);
      if (from_std) s.clear();
      error(
          ctx, u.span,
          fmt::format(
              "unknown unit '{}'{}{}", u.name, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s),
              prog_.units.empty() && s.empty() && !from_std ? fmt::format("; declare it with `unit {}`", u.name) : ""),
          codes::kUnknownUnit, from_std ? std::vector<std::string>{kImportStdHelp} : std::vector<std::string>{});
      return HExpr::constant(0, Type::error(), e.span);
    }
    if (divided) {
      // A unit after a division: multiply/divide the quotient by the unit's scale.
      Type t = Type::num(u.exponent > 0 ? divided->type.dim * ud : divided->type.dim / ud);
      HExpr k =
          HExpr::constant(u.exponent > 0 ? scale : 1 / scale, Type::num(u.exponent > 0 ? ud : Dim() / ud), u.span);
      divided = make(Op::Mul, t, e.span, {std::move(*divided), std::move(k)});
      continue;
    }
    if (u.exponent > 0) {
      value *= scale;
      dim = dim * ud;
    } else {
      value /= scale;
      dim = dim / ud;
    }
  }
  if (divided) return std::move(*divided);
  return HExpr::constant(value, Type::num(dim), e.span);
}

HExpr Checker::let_value(Lets& lets, const std::string& name, Span span, Ctx ctx, const std::string& display) {
  Resolve& st = lets.status[name];
  if (st == Resolve::Done) return lets.values[name];
  if (st == Resolve::Doing) {
    error(ctx, span, fmt::format("'{}' is defined in terms of itself", display));
    lets.values[name] = HExpr::constant(0, Type::error(), span);
    st = Resolve::Done;
    return lets.values[name];
  }
  st = Resolve::Doing;
  ctx.where = Ctx::Track;  // a let reads whatever a tracked value may read
  const ast::Member* m = lets.members.at(name);
  HExpr v = expr(*m->value, ctx);
  if (st == Resolve::Done) return lets.values[name];  // a cycle was reported meanwhile
  if (m->type && !v.type.is_error()) {
    Type want = resolve_type_ref(*m->type);
    if (!want.is_error() && !(want == v.type))
      error(ctx, m->value->span, fmt::format("declared as {} but its value is {}", type_str(want), type_str(v.type)));
  }
  lets.values[name] = v;
  st = Resolve::Done;
  return v;
}

namespace {
// States may be read where the value can change while the scenario runs.
bool reads_state_ok(Ctx::Where w) { return w != Ctx::ParamInit && w != Ctx::FnBody; }
}  // namespace

std::optional<HExpr> Checker::party_field(int p, const std::string& name, Span span, Ctx& ctx) {
  PartyInfo& info = party_info_[p];
  std::optional<HExpr> out;
  if (auto it = info.states.find(name); it != info.states.end()) {
    resolve_party_state(p, it->second);
    const HState& s = prog_.parties[p].states[it->second];
    out = HExpr::slot(s.slot, info.lazy[it->second].type, span);
  } else if (info.lets.count(name)) {
    Ctx in_party;
    in_party.party = p;
    out = let_value(info.lets, name, span, in_party, fmt::format("{}.{}", prog_.parties[p].name, name));
    out->span = span;
  } else {
    return std::nullopt;
  }
  if (!reads_state_ok(ctx.where)) {
    error(ctx, span,
          fmt::format("{} cannot read the state '{}.{}' (it changes while the scenario runs)", where_word(ctx.where),
                      prog_.parties[p].name, name));
    return HExpr::constant(0, Type::error(), span);
  }
  return out;
}

std::optional<HExpr> Checker::deal_field(int d, const std::string& name, Span span, Ctx& ctx) {
  layout_deal(d);
  DealInfo& info = deal_info_[d];
  const HDeal& hd = prog_.deals[d];
  std::optional<HExpr> out;
  bool is_state = true;
  if (name == "alive") out = HExpr::slot(hd.base + kAlive, Type::boolean(), span);
  else if (name == "paid") out = HExpr::slot(hd.base + kPaid, Type::num(Dim::money()), span);
  else if (name == "due") out = HExpr::slot(hd.base + kDue, Type::num(Dim::money()), span);
  else if (auto it = info.states.find(name); it != info.states.end()) {
    resolve_deal_state(d, it->second);
    out = HExpr::slot(hd.states[it->second].slot, info.lazy[it->second].type, span);
  } else if (auto b = info.bindings.find(name); b != info.bindings.end()) {
    out = b->second.value;
    out->span = span;
    is_state = out->op == Op::Slot;
  } else if (info.lets.count(name)) {
    out = let_value(info.lets, name, span, in_deal(d), name);
    out->span = span;
  } else {
    return std::nullopt;
  }
  if (is_state && !reads_state_ok(ctx.where) && !(ctx.deal == d && out->op == Op::Const)) {
    // Bound arguments are readable by later defaults of the same deal.
    bool own_binding = ctx.deal == d && info.bindings.count(name);
    if (!own_binding) {
      error(ctx, span,
            fmt::format("{} cannot read the state '{}.{}' (it changes while the scenario runs)", where_word(ctx.where),
                        hd.name, name));
      return HExpr::constant(0, Type::error(), span);
    }
  }
  return out;
}

HExpr Checker::name_ref(const ast::Expr& e, Ctx& ctx) {
  const std::string& n = e.name;
  auto finish = [&](HExpr v) {
    v.span = e.span;
    if (ctx.where == Ctx::StateInit && ctx.init_slot >= 0 && max_slot(v) >= ctx.init_slot) {
      error(ctx, e.span,
            fmt::format("'{}' is not initialized yet here: an initial value may use params and the "
                        "states declared before it",
                        n));
      return HExpr::constant(0, Type::error(), e.span);
    }
    return v;
  };
  for (auto it = ctx.scopes.rbegin(); it != ctx.scopes.rend(); ++it) {
    if (auto l = it->find(n); l != it->end()) {
      HExpr v = make(Op::Local, l->second.type, e.span);
      v.index = l->second.id;
      return v;
    }
  }
  if (ctx.fn) {
    for (size_t i = 0; i < ctx.fn->param_names.size(); ++i)
      if (ctx.fn->param_names[i] == n) {
        HExpr v = make(Op::Arg, ctx.fn->params[i], e.span);
        v.index = int(i);
        return v;
      }
  }
  if (ctx.deal >= 0) {
    DealInfo& di = deal_info_[ctx.deal];
    if (auto b = di.bindings.find(n); b != di.bindings.end()) return finish(b->second.value);
    if (di.states.count(n) || di.lets.count(n) || n == "alive" || n == "paid" || n == "due")
      if (auto v = deal_field(ctx.deal, n, e.span, ctx)) return finish(*v);
  }
  if (ctx.party >= 0) {
    if (auto v = party_field(ctx.party, n, e.span, ctx)) return finish(*v);
  }
  if (n == "dt" || n == "now" || n == "span") {
    if (ctx.where == Ctx::ParamInit || ctx.where == Ctx::StateInit || ctx.where == Ctx::FnBody) {
      error(ctx, e.span,
            fmt::format("'{}' is only defined while a scenario runs, not in {}", n, where_word(ctx.where)));
      return HExpr::constant(0, Type::error(), e.span);
    }
    if (n == "span" && !ctx.in_every) {
      error(ctx, e.span, "'span' is only defined inside `every` blocks (the overlap of the step with the window)");
      return HExpr::constant(0, Type::error(), e.span);
    }
    return make(n == "dt"    ? Op::Dt
                : n == "now" ? Op::Now
                             : Op::Span,
                n == "now" ? Type::date() : Type::num(Dim::time()), e.span);
  }
  if (n == "self") {
    if (ctx.party >= 0) return HExpr::constant(ctx.party, Type::party(), e.span);
    if (ctx.deal >= 0) return HExpr::constant(ctx.deal, Type::deal(), e.span);
    error(ctx, e.span, "'self' is only defined inside a party (the party) or a contract (the deal)");
    return HExpr::constant(0, Type::error(), e.span);
  }
  if (n == "World") return HExpr::constant(0, Type::party(), e.span);
  if (auto g = globals_.find(n); g != globals_.end()) {
    switch (g->second.kind) {
      case Global::Param: {
        resolve_param(g->second.index);
        const LazyState& ls = param_lazy_[g->second.index];
        return HExpr::slot(ls.slot, ls.type, e.span);
      }
      case Global::Party:
        return HExpr::constant(g->second.index, Type::party(), e.span);
      case Global::Deal:
        return HExpr::constant(g->second.index, Type::deal(), e.span);
      case Global::Contract:
        error(ctx, e.span, fmt::format("'{}' is a contract, not a value (declare a deal: `deal x = {}(…)`)", n, n));
        return HExpr::constant(0, Type::error(), e.span);
      case Global::Fn:
        error(ctx, e.span, fmt::format("'{}' is a function: call it with arguments, {}(…)", n, n));
        return HExpr::constant(0, Type::error(), e.span);
      case Global::Shock:
      case Global::Scenario:
        error(ctx, e.span,
              fmt::format("'{}' is a {}, not a value", n, g->second.kind == Global::Shock ? "shock" : "scenario"));
        return HExpr::constant(0, Type::error(), e.span);
    }
  }
  // Unknown: suggest among everything visible.
  std::vector<std::string> names;
  for (const auto& [k, v] : globals_) names.push_back(k);
  std::sort(names.begin(), names.end());  // the order of a sorted map, so suggestions do not depend on hashing
  for (const auto& sc : ctx.scopes)
    for (const auto& [k, v] : sc) names.push_back(k);
  if (ctx.fn) names.insert(names.end(), ctx.fn->param_names.begin(), ctx.fn->param_names.end());
  if (ctx.party >= 0) {
    for (const auto& [k, v] : party_info_[ctx.party].states) names.push_back(k);
    for (const auto& [k, v] : party_info_[ctx.party].lets.members) names.push_back(k);
  }
  if (ctx.deal >= 0) {
    for (const auto& [k, v] : deal_info_[ctx.deal].bindings) names.push_back(k);
    for (const auto& [k, v] : deal_info_[ctx.deal].states) names.push_back(k);
    for (const auto& [k, v] : deal_info_[ctx.deal].lets.members) names.push_back(k);
  }
  std::string s = suggest(n, names);
  error(ctx, e.span, fmt::format("unknown name '{}'{}", n, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)),
        codes::kUnknownName);
  return HExpr::constant(0, Type::error(), e.span);
}

HExpr Checker::field_ref(const ast::Expr& e, Ctx& ctx) {
  HExpr obj = expr(*e.args[0], ctx);
  if (obj.type.is_error()) return HExpr::constant(0, Type::error(), e.span);
  auto id = const_value(obj);
  if ((obj.type.kind == Kind::Party || obj.type.kind == Kind::Deal) && !id) {
    error(ctx, e.args[0]->span, "a field can only be read from a party or deal named directly");
    return HExpr::constant(0, Type::error(), e.span);
  }
  std::optional<HExpr> v;
  if (obj.type.kind == Kind::Party) {
    int p = int(*id);
    v = party_field(p, e.name, e.op_span, ctx);
    if (!v) {
      std::vector<std::string> names;
      for (const auto& [k, x] : party_info_[p].states) names.push_back(k);
      for (const auto& [k, x] : party_info_[p].lets.members) names.push_back(k);
      std::string s = suggest(e.name, names);
      if (missing_contract_field(ctx, *e.args[0], p, e.name, e.op_span, Type::error()))
        return HExpr::constant(0, Type::error(), e.span);
      error(ctx, e.op_span,
            fmt::format("party '{}' has no field '{}'{}", prog_.parties[p].name, e.name,
                        s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
      return HExpr::constant(0, Type::error(), e.span);
    }
  } else if (obj.type.kind == Kind::Deal) {
    int d = int(*id);
    v = deal_field(d, e.name, e.op_span, ctx);
    if (!v) {
      error(ctx, e.op_span,
            fmt::format("deal '{}' has no field '{}'",
                        prog_.deals[d].name.empty() ? deal_info_[d].decl->name : prog_.deals[d].name, e.name));
      return HExpr::constant(0, Type::error(), e.span);
    }
  } else {
    error(ctx, e.op_span,
          fmt::format("'.{}': only parties and deals have fields, and this is {}", e.name, type_str(obj.type)));
    return HExpr::constant(0, Type::error(), e.span);
  }
  v->span = e.span;
  if (ctx.where == Ctx::StateInit && ctx.init_slot >= 0 && max_slot(*v) >= ctx.init_slot) {
    error(ctx, e.span,
          fmt::format("'{}' is not initialized yet here: an initial value may use params and the "
                      "states declared before it",
                      e.name));
    return HExpr::constant(0, Type::error(), e.span);
  }
  return *v;
}

HExpr Checker::unary(const ast::Expr& e, Ctx& ctx) {
  HExpr a = expr(*e.args[0], ctx);
  if (a.type.is_error()) return HExpr::constant(0, Type::error(), e.span);
  if (e.op == "not") {
    expect(a, Type::boolean(), e.args[0]->span, "the operand of `not`", ctx);
    return make(Op::Not, Type::boolean(), e.span, {std::move(a)});
  }
  if (!a.type.is_num()) {
    error(ctx, e.op_span, fmt::format("unary '{}' needs a number, not {}", e.op, type_str(a.type)));
    return HExpr::constant(0, Type::error(), e.span);
  }
  if (e.op == "+") return a;
  Type t = a.type;
  return make(Op::Neg, t, e.span, {std::move(a)});
}

HExpr Checker::binary(const ast::Expr& e, Ctx& ctx) {
  HExpr r = binary_unfolded(e, ctx);
  // Constant arithmetic is folded, so deal arguments like `2025Q1 + 18mo` stay constants.
  if ((r.type.kind == Kind::Num || r.type.kind == Kind::Date) && r.op != Op::Const)
    if (auto v = const_value(r)) {
      // A constant date the run could not represent would abort it (a horizon, an `at`,
      // a deal's start): refuse it here, where the expression is.
      if (r.type.kind == Kind::Date && !date_representable(*v)) {
        error(ctx, r.span,
              std::isfinite(*v) ? "this date is outside the years 1..9999"
                                : "this date is not a finite date (its arithmetic divides by zero or overflows)");
        return HExpr::constant(0, Type::error(), e.span);
      }
      return HExpr::constant(*v, r.type, r.span);
    }
  return r;
}

HExpr Checker::binary_unfolded(const ast::Expr& e, Ctx& ctx) {
  HExpr a = expr(*e.args[0], ctx), b = expr(*e.args[1], ctx);
  const std::string& op = e.op;
  if (a.type.is_error() || b.type.is_error()) return HExpr::constant(0, Type::error(), e.span);
  const Type& ta = a.type;
  const Type& tb = b.type;
  auto fail = [&](const std::string& msg) {
    error(ctx, e.op_span, msg, codes::kDimensions);
    return HExpr::constant(0, Type::error(), e.span);
  };
  auto bin = [&](Op o, Type t) { return make(o, std::move(t), e.span, {std::move(a), std::move(b)}); };
  Type dur = Type::num(Dim::time());

  if (op == "and" || op == "or") {
    if (ta.kind != Kind::Bool || tb.kind != Kind::Bool)
      return fail(fmt::format("'{}' needs Bools, not {} and {}", op, type_str(ta), type_str(tb)));
    return bin(op == "and" ? Op::And : Op::Or, Type::boolean());
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=") {
    Op o = op == "<"    ? Op::Lt
           : op == "<=" ? Op::Le
           : op == ">"  ? Op::Gt
           : op == ">=" ? Op::Ge
           : op == "==" ? Op::Eq
                        : Op::Ne;
    bool ordered = o == Op::Lt || o == Op::Le || o == Op::Gt || o == Op::Ge;
    if (!(ta == tb)) {
      if (ta.is_num() && tb.is_num())
        return fail(fmt::format("cannot compare {} and {}", dim_str(ta.dim), dim_str(tb.dim)));
      return fail(fmt::format("cannot compare {} and {}", type_str(ta), type_str(tb)));
    }
    if (ordered && ta.kind != Kind::Num && ta.kind != Kind::Date)
      return fail(fmt::format("'{}' needs numbers or dates, not {}", op, type_str(ta)));
    if (ta.kind == Kind::String) return fail("strings cannot be compared");
    return bin(o, Type::boolean());
  }
  if (op == "+" || op == "-") {
    bool plus = op == "+";
    // Dates are month numbers at run time: shift by 12 months per year of the Duration.
    auto months = [&](HExpr d) {
      return make(Op::Mul, Type::num(), d.span, {std::move(d), HExpr::constant(12, Type::num())});
    };
    if (ta.kind == Kind::Date && tb == dur)
      return make(plus ? Op::Add : Op::Sub, Type::date(), e.span, {std::move(a), months(std::move(b))});
    if (plus && ta == dur && tb.kind == Kind::Date)
      return make(Op::Add, Type::date(), e.span, {std::move(b), months(std::move(a))});
    if (!plus && ta.kind == Kind::Date && tb.kind == Kind::Date) {
      // Months between the two dates, in years.
      HExpr diff = bin(Op::Sub, dur);
      return make(Op::Div, dur, e.span, {std::move(diff), HExpr::constant(12, Type::num(), e.span)});
    }
    if (ta.kind == Kind::Date || tb.kind == Kind::Date)
      return fail(fmt::format("cannot {} {} and {}", plus ? "add" : "subtract", type_str(ta), type_str(tb)));
    if (!ta.is_num() || !tb.is_num())
      return fail(fmt::format("'{}' needs numbers, not {} and {}", op, type_str(ta), type_str(tb)));
    if (!(ta.dim == tb.dim))
      return fail(fmt::format("cannot {} {} and {}", plus ? "add" : "subtract", dim_str(ta.dim), dim_str(tb.dim)));
    return bin(plus ? Op::Add : Op::Sub, ta);
  }
  if (op == "*" || op == "/") {
    if (!ta.is_num() || !tb.is_num())
      return fail(fmt::format("'{}' needs numbers, not {} and {}", op, type_str(ta), type_str(tb)));
    Dim d = op == "*" ? ta.dim * tb.dim : ta.dim / tb.dim;
    return bin(op == "*" ? Op::Mul : Op::Div, Type::num(d));
  }
  if (op == "^") {
    if (!ta.is_num() || !tb.is_num())
      return fail(fmt::format("'^' needs numbers, not {} and {}", type_str(ta), type_str(tb)));
    if (!tb.dim.dimensionless())
      return fail(fmt::format("the exponent of '^' must be a plain Number, not {}", dim_str(tb.dim)));
    if (ta.dim.dimensionless()) return bin(Op::Pow, Type::num());
    // A dimensioned base needs an integer literal exponent (so the result's dimension is known).
    const ast::Expr* x = e.args[1].get();
    int sign = 1;
    while (x->kind == ast::ExprKind::Unary && (x->op == "-" || x->op == "+")) {
      if (x->op == "-") sign = -sign;
      x = x->args[0].get();
    }
    bool int_lit = x->kind == ast::ExprKind::Number && x->units.empty() && !x->is_money &&
                   x->value == std::floor(x->value) && std::fabs(x->value) <= 64;
    if (!int_lit)
      return fail(fmt::format("{} can only be raised to a whole-number literal power (e.g. ^2)", dim_str(ta.dim)));
    int n = sign * int(x->value);
    return bin(Op::Pow, Type::num(ta.dim.pow(n)));
  }
  return fail(fmt::format("unknown operator '{}'", op));
}

HExpr Checker::call(const ast::Expr& e, Ctx& ctx) {
  const std::string& n = e.name;
  if (statement_names().count(n)) {
    error(ctx, e.op_span, fmt::format("'{}(…)' is a statement, not a value", n));
    return HExpr::constant(0, Type::error(), e.span);
  }
  auto g = globals_.find(n);
  // A contract that shares a built-in's name (`contract round(…)`) leaves the built-in callable.
  if (g != globals_.end() && g->second.kind == Global::Contract && is_builtin_fn(n)) g = globals_.end();
  if (g != globals_.end()) {
    if (g->second.kind != Global::Fn) {
      error(ctx, e.op_span, fmt::format("'{}' is not a function", n));
      return HExpr::constant(0, Type::error(), e.span);
    }
    int fi = g->second.index;
    const std::vector<std::string>& params = prog_.fns[fi].param_names;
    // Match positional then named arguments to parameters.
    std::vector<const ast::Expr*> bound(params.size(), nullptr);
    size_t pos = 0;
    bool ok = true;
    for (size_t i = 0; i < e.args.size(); ++i) {
      const std::string& an = i < e.arg_names.size() ? e.arg_names[i] : std::string();
      if (an.empty()) {
        if (pos >= bound.size()) {
          error(ctx, e.args[i]->span, fmt::format("too many arguments: '{}' takes {}", n, params.size()));
          ok = false;
          break;
        }
        bound[pos++] = e.args[i].get();
        continue;
      }
      size_t k = 0;
      while (k < params.size() && params[k] != an) ++k;
      if (k == params.size()) {
        error(ctx, e.arg_name_spans[i], fmt::format("'{}' has no parameter '{}'", n, an), codes::kNoSuchParameter);
        ok = false;
      } else if (bound[k]) {
        error(ctx, e.arg_name_spans[i], fmt::format("argument '{}' is given twice", an));
        ok = false;
      } else {
        bound[k] = e.args[i].get();
      }
    }
    std::vector<HExpr> args;
    for (size_t k = 0; k < bound.size() && ok; ++k) {
      if (!bound[k]) {
        error(ctx, e.span, fmt::format("missing argument '{}' in call to '{}'", params[k], n), codes::kMissingArgument);
        ok = false;
        break;
      }
      args.push_back(expr(*bound[k], ctx));
    }
    if (!ok) return HExpr::constant(0, Type::error(), e.span);
    return fn_call(e, fi, std::move(args), ctx);
  }
  for (const BuiltinInfo& b : kBuiltins) {
    if (n != b.name) continue;
    for (size_t i = 0; i < e.arg_names.size(); ++i)
      if (!e.arg_names[i].empty()) {
        error(ctx, e.arg_name_spans[i], fmt::format("'{}' takes no named arguments", n));
        return HExpr::constant(0, Type::error(), e.span);
      }
    std::vector<HExpr> args;
    bool bad = false;
    for (const ast::ExprPtr& a : e.args) {
      args.push_back(expr(*a, ctx));
      bad = bad || args.back().type.is_error();
    }
    if (bad) return HExpr::constant(0, Type::error(), e.span);
    return builtin_call(e, b.b, std::move(args), ctx);
  }
  std::vector<std::string> names;
  for (const BuiltinInfo& b : kBuiltins) names.push_back(b.name);
  for (const HFn& f : prog_.fns) names.push_back(f.name);
  std::string s = suggest(n, names);
  error(ctx, e.op_span,
        fmt::format("unknown function '{}'{}", n, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
  return HExpr::constant(0, Type::error(), e.span);
}

HExpr Checker::fn_call(const ast::Expr& e, int fi, std::vector<HExpr> args, Ctx& ctx) {
  if (ctx.fn_calls) ctx.fn_calls->insert(fi);
  if (fn_status_[fi] == Resolve::Todo && !fn_decls_[fi]->result) resolve_fn_body(fi);
  const HFn& f = prog_.fns[fi];
  bool ok = true;
  for (size_t k = 0; k < args.size() && k < f.params.size(); ++k) {
    if (args[k].type.is_error() || f.params[k].is_error()) {
      ok = false;
      continue;
    }
    if (!(args[k].type == f.params[k])) {
      error(ctx, args[k].span,
            fmt::format("argument '{}' of '{}' must be {}, not {}", f.param_names[k], f.name, type_str(f.params[k]),
                        type_str(args[k].type)));
      ok = false;
    }
  }
  Type result = f.result;
  if (fn_status_[fi] == Resolve::Doing && !fn_decls_[fi]->result) result = Type::error();  // recursion: reported later
  HExpr c = make(Op::CallFn, ok ? result : Type::error(), e.span, std::move(args));
  c.index = fi;
  return c;
}

HExpr Checker::builtin_call(const ast::Expr& e, Builtin b, std::vector<HExpr> args, Ctx& ctx) {
  const std::string& n = e.name;
  auto fail = [&](const std::string& msg) {
    error(ctx, e.op_span, msg);
    return HExpr::constant(0, Type::error(), e.span);
  };
  auto arity = [&](size_t lo, size_t hi) {
    if (args.size() >= lo && args.size() <= hi) return true;
    if (lo == hi)
      error(ctx, e.op_span, fmt::format("'{}' takes {} argument{}, not {}", n, lo, lo == 1 ? "" : "s", args.size()));
    else error(ctx, e.op_span, fmt::format("'{}' takes {} to {} arguments, not {}", n, lo, hi, args.size()));
    return false;
  };
  auto result = [&](Type t) {
    HExpr c = make(Op::Call, std::move(t), e.span, std::move(args));
    c.fn = b;
    return c;
  };
  auto arg_is = [&](size_t i, const Type& t, const char* what) {
    return expect(args[i], t, e.args[i]->span, what, ctx);
  };
  auto arg_kind = [&](size_t i, Kind k, const char* what) {
    return expect_kind(args[i], k, e.args[i]->span, what, ctx);
  };
  Type money = Type::num(Dim::money()), dur = Type::num(Dim::time()), rate = Type::num(Dim::number() / Dim::time());
  bool draws = b == Builtin::Normal || b == Builtin::Lognormal || b == Builtin::Uniform || b == Builtin::Bernoulli;
  if (draws && !ctx.blocks())
    return fail(
        fmt::format("random draws like '{}(…)' are only allowed in statement blocks; for one draw per "
                    "path use `param x ~ {}(…)` in a scenario",
                    n, n));
  bool runtime_query = b == Builtin::Paid || b == Builtin::Due || b == Builtin::Inflow || b == Builtin::Outflow ||
                       b == Builtin::RevenueFrom || b == Builtin::Equity || b == Builtin::Defaulted ||
                       b == Builtin::Holdings || b == Builtin::DateOf;
  if (runtime_query && !reads_state_ok(ctx.where))
    return fail(fmt::format("'{}' reads the running scenario, which {} cannot", n, where_word(ctx.where)));
  if (runtime_query && ctx.where == Ctx::StateInit)
    return fail(fmt::format("'{}' reads the running scenario, which an initial value cannot", n));

  switch (b) {
    case Builtin::Min:
    case Builtin::Max: {
      if (args.size() < 2) return fail(fmt::format("'{}' takes at least 2 arguments", n));
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].type.kind != Kind::Num && args[i].type.kind != Kind::Date)
          return fail(fmt::format("'{}' compares numbers or dates, not {}", n, type_str(args[i].type)));
        if (!(args[i].type == args[0].type)) {
          if (args[i].type.is_num() && args[0].type.is_num())
            return fail(fmt::format("'{}' needs arguments of one dimension: {} and {}", n, dim_str(args[0].type.dim),
                                    dim_str(args[i].type.dim)));
          return fail(fmt::format("'{}' needs arguments of one type: {} and {}", n, type_str(args[0].type),
                                  type_str(args[i].type)));
        }
      }
      Type t = args[0].type;
      return result(t);
    }
    case Builtin::Abs:
    case Builtin::Floor:
    case Builtin::Ceil:
    case Builtin::Round: {
      if (!arity(1, 1)) return HExpr::constant(0, Type::error(), e.span);
      if (!arg_kind(0, Kind::Num, "the argument")) return HExpr::constant(0, Type::error(), e.span);
      Type t = args[0].type;
      return result(t);
    }
    case Builtin::Exp:
    case Builtin::Log: {
      if (!arity(1, 1)) return HExpr::constant(0, Type::error(), e.span);
      if (!arg_kind(0, Kind::Num, "the argument")) return HExpr::constant(0, Type::error(), e.span);
      if (!args[0].type.dim.dimensionless())
        return fail(fmt::format("'{}' of a dimensioned value ({}) is undefined; divide by a unit first", n,
                                dim_str(args[0].type.dim)));
      return result(Type::num());
    }
    case Builtin::Sqrt: {
      if (!arity(1, 1)) return HExpr::constant(0, Type::error(), e.span);
      if (!arg_kind(0, Kind::Num, "the argument")) return HExpr::constant(0, Type::error(), e.span);
      if (!args[0].type.dim.all_even())
        return fail(
            fmt::format("'sqrt' of {} has no dimension (its exponents are not even)", dim_str(args[0].type.dim)));
      Type t = Type::num(args[0].type.dim.half());
      return result(t);
    }
    case Builtin::Clamp: {
      if (!arity(3, 3)) return HExpr::constant(0, Type::error(), e.span);
      for (size_t i = 0; i < 3; ++i)
        if (!arg_kind(i, Kind::Num, "each argument of clamp")) return HExpr::constant(0, Type::error(), e.span);
      if (!(args[1].type == args[0].type) || !(args[2].type == args[0].type))
        return fail(fmt::format("'clamp' needs arguments of one dimension: {}, {} and {}", dim_str(args[0].type.dim),
                                dim_str(args[1].type.dim), dim_str(args[2].type.dim)));
      Type t = args[0].type;
      return result(t);
    }
    case Builtin::Years:
      if (!arity(1, 1) || !arg_is(0, dur, "the argument of years")) return HExpr::constant(0, Type::error(), e.span);
      return result(Type::num());
    case Builtin::DateOf:
      if (!arity(1, 1) || !arg_is(0, Type::num(), "the step number")) return HExpr::constant(0, Type::error(), e.span);
      return result(Type::date());
    case Builtin::Annuity:
      if (!arity(2, 2) || !arg_is(0, Type::num(), "the rate per period") ||
          !arg_is(1, Type::num(), "the number of periods"))
        return HExpr::constant(0, Type::error(), e.span);
      return result(Type::num());
    case Builtin::Npv:
      if (!arity(3, 3) || !arg_is(0, rate, "the discount rate") ||
          !arg_is(1, Type::num(Dim::money() / Dim::time()), "the flow") || !arg_is(2, dur, "the term"))
        return HExpr::constant(0, Type::error(), e.span);
      return result(money);
    case Builtin::Discount:
      if (!arity(2, 2) || !arg_is(0, rate, "the discount rate") || !arg_is(1, dur, "the time"))
        return HExpr::constant(0, Type::error(), e.span);
      return result(Type::num());
    case Builtin::Paid:
    case Builtin::Due:
      if (!arity(1, 1) || !arg_kind(0, Kind::Deal, "the argument")) return HExpr::constant(0, Type::error(), e.span);
      return result(money);
    case Builtin::Inflow:
    case Builtin::Outflow:
    case Builtin::Equity:
      if (!arity(1, 1) || !arg_kind(0, Kind::Party, "the argument")) return HExpr::constant(0, Type::error(), e.span);
      return result(money);
    case Builtin::Defaulted:
      if (!arity(1, 1) || !arg_kind(0, Kind::Party, "the argument")) return HExpr::constant(0, Type::error(), e.span);
      return result(Type::boolean());
    case Builtin::RevenueFrom:
      if (!arity(2, 2) || !arg_kind(0, Kind::Party, "the receiving party") ||
          !arg_kind(1, Kind::Party, "the paying party"))
        return HExpr::constant(0, Type::error(), e.span);
      return result(money);
    case Builtin::Holdings:
      if (!arity(2, 2) || !arg_kind(0, Kind::Party, "the holder") || !arg_kind(1, Kind::Party, "the issuer"))
        return HExpr::constant(0, Type::error(), e.span);
      return result(Type::num());
    case Builtin::Normal:
    case Builtin::Uniform: {
      if (!arity(2, 2)) return HExpr::constant(0, Type::error(), e.span);
      if (!arg_kind(0, Kind::Num, "the first argument") || !arg_kind(1, Kind::Num, "the second argument"))
        return HExpr::constant(0, Type::error(), e.span);
      if (!(args[0].type == args[1].type))
        return fail(fmt::format("'{}' needs arguments of one dimension: {} and {}", n, dim_str(args[0].type.dim),
                                dim_str(args[1].type.dim)));
      Type t = args[0].type;
      return result(t);
    }
    case Builtin::Lognormal: {
      if (!arity(2, 3)) return HExpr::constant(0, Type::error(), e.span);
      if (!arg_is(0, Type::num(), "mu (of the log)") || !arg_is(1, Type::num(), "sigma (of the log)"))
        return HExpr::constant(0, Type::error(), e.span);
      Type t = Type::num();
      if (args.size() == 3) {
        if (!arg_kind(2, Kind::Num, "the scale")) return HExpr::constant(0, Type::error(), e.span);
        t = args[2].type;
      }
      return result(t);
    }
    case Builtin::Bernoulli:
      if (!arity(1, 1) || !arg_is(0, Type::num(), "the probability")) return HExpr::constant(0, Type::error(), e.span);
      return result(Type::boolean());
  }
  return fail(fmt::format("'{}' cannot be called here", n));
}

}  // namespace deal::check
