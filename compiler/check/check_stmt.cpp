// Statements and clauses: assignments, `set`, built-in statements (pay, own, …),
// control flow, and the schedules of `at`, `every`, `when`, `whenever`, `on default`.
#include <cmath>

#include <fmt/format.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/checker.hpp"

namespace deal::check {

HBody Checker::block(const ast::Block& b, Ctx& ctx) {
  HBody out;
  ctx.scopes.emplace_back();
  for (const ast::StmtPtr& s : b)
    if (auto h = stmt(*s, ctx)) out.push_back(std::move(*h));
  ctx.scopes.pop_back();
  return out;
}

std::vector<const ast::Expr*> Checker::match_args(const ast::Expr& call, const std::vector<std::string>& names,
                                                  size_t required, Ctx& ctx) {
  std::vector<const ast::Expr*> out(names.size(), nullptr);
  size_t pos = 0;
  bool ok = true;
  for (size_t i = 0; i < call.args.size(); ++i) {
    const std::string& an = i < call.arg_names.size() ? call.arg_names[i] : std::string();
    if (an.empty()) {
      if (pos >= names.size()) {
        error(ctx, call.args[i]->span, fmt::format("too many arguments: '{}' takes {}", call.name, names.size()));
        return {};
      }
      out[pos++] = call.args[i].get();
      continue;
    }
    size_t k = 0;
    while (k < names.size() && names[k] != an) ++k;
    if (k == names.size()) {
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      error(ctx, call.arg_name_spans[i], fmt::format("'{}' has no argument '{}' (it takes {})", call.name, an, list),
            codes::kNoSuchParameter);
      ok = false;
    } else if (out[k]) {
      error(ctx, call.arg_name_spans[i], fmt::format("argument '{}' is given twice", an));
      ok = false;
    } else {
      out[k] = call.args[i].get();
    }
  }
  for (size_t k = 0; k < required && ok; ++k) {
    if (!out[k]) {
      error(ctx, call.span, fmt::format("missing argument '{}' in '{}(…)'", names[k], call.name),
            codes::kMissingArgument);
      ok = false;
    }
  }
  if (!ok) return {};
  return out;
}

std::optional<HStmt> Checker::stmt(const ast::Stmt& s, Ctx& ctx) {
  switch (s.kind) {
    case ast::StmtKind::Let: {
      HExpr v = expr(*s.value, ctx);
      if (v.type.kind == Kind::String) {
        error(ctx, s.value->span, "a local cannot hold a string");
        v.type = Type::error();
      }
      // No shadowing of locals in enclosing blocks or of the members in scope (a
      // local may shadow a global name).
      for (const auto& sc : ctx.scopes)
        if (auto it = sc.find(s.name); it != sc.end()) {
          Diagnostic& d = diags_.error(s.name_span, fmt::format("'{}' is already a local here", s.name));
          d.notes.push_back({it->second.span, "declared here"});
          return std::nullopt;
        }
      bool member =
          (ctx.party >= 0 &&
           (party_info_[ctx.party].states.count(s.name) || party_info_[ctx.party].lets.count(s.name))) ||
          (ctx.deal >= 0 && (deal_info_[ctx.deal].states.count(s.name) || deal_info_[ctx.deal].lets.count(s.name) ||
                             deal_info_[ctx.deal].bindings.count(s.name)));
      if (member) {
        error(ctx, s.name_span,
              fmt::format("'{}' would hide the member of the same name; choose another name", s.name));
        return std::nullopt;
      }
      int id = (*ctx.local_count)++;
      ctx.scopes.back()[s.name] = Ctx::Local{id, v.type, s.name_span};
      HStmt h;
      h.kind = SKind::Let;
      h.span = s.span;
      h.index = id;
      h.name = s.name;
      h.value = std::move(v);
      return h;
    }
    case ast::StmtKind::Assign:
      return assign(s, ctx);
    case ast::StmtKind::SetParam:
      return set_param(s, ctx);
    case ast::StmtKind::If: {
      HStmt h;
      h.kind = SKind::If;
      h.span = s.span;
      h.value = expr(*s.value, ctx);
      expect(h.value, Type::boolean(), s.value->span, "the condition of `if`", ctx);
      h.then_body = block(s.then_block, ctx);
      h.else_body = block(s.else_block, ctx);
      return h;
    }
    case ast::StmtKind::Expr:
      return call_stmt(s, ctx);
    case ast::StmtKind::Default: {
      HStmt h;
      h.kind = SKind::Default;
      h.span = s.span;
      HExpr p = expr(*s.value, ctx);
      if (!expect_kind(p, Kind::Party, s.value->span, "the argument of `default`", ctx)) return std::nullopt;
      if (auto c = const_value(p); c && *c == 0) {
        error(ctx, s.value->span, "World never defaults");
        return std::nullopt;
      }
      h.args.push_back(std::move(p));
      return h;
    }
    case ast::StmtKind::Terminate: {
      HStmt h;
      h.kind = SKind::Terminate;
      h.span = s.span;
      if (!s.value) {
        if (ctx.deal < 0) {
          error(ctx, s.span,
                "a bare `terminate` ends the current deal, so it belongs in a contract; name the deal: "
                "`terminate(deal_name)`");
          return std::nullopt;
        }
        h.index = ctx.deal;
        return h;
      }
      HExpr d = expr(*s.value, ctx);
      if (!expect_kind(d, Kind::Deal, s.value->span, "the argument of `terminate`", ctx)) return std::nullopt;
      auto c = const_value(d);
      if (!c) {
        error(ctx, s.value->span, "`terminate` needs a deal named directly");
        return std::nullopt;
      }
      h.index = int(*c);
      return h;
    }
    case ast::StmtKind::Emit: {
      HStmt h;
      h.kind = SKind::Emit;
      h.span = s.span;
      if (!s.value || s.value->kind != ast::ExprKind::String) {
        error(ctx, s.span, "`emit` takes a string, e.g. emit \"cash is {Lab.cash}\"");
        return std::nullopt;
      }
      h.pieces = s.value->pieces;
      for (const ast::ExprPtr& a : s.value->args) {
        HExpr v = expr(*a, ctx);
        if (v.type.kind == Kind::String) error(ctx, a->span, "a string cannot be interpolated into a string");
        h.args.push_back(std::move(v));
      }
      return h;
    }
  }
  return std::nullopt;
}

HExpr Checker::compound(const std::string& op, HExpr current, HExpr value, Span span, Ctx& ctx,
                        const ast::Expr* source) {
  const Type t = current.type;
  if (current.type.is_error() || value.type.is_error()) return HExpr::constant(0, Type::error(), span);
  auto fail = [&](const std::string& msg) {
    if (op == "=" || op == "+=" || op == "-=") mismatch(ctx, span, msg, t, value.type, source);
    else error(ctx, span, msg, codes::kDimensions);
    return HExpr::constant(0, Type::error(), span);
  };
  if (op == "=") {
    if (!(value.type == t))
      return fail(fmt::format("cannot assign {} to a state of type {}", type_str(value.type), type_str(t)));
    return value;
  }
  HExpr r;
  r.type = t;
  r.span = span;
  if (op == "+=" || op == "-=") {
    bool date_shift = t.kind == Kind::Date && value.type == Type::num(Dim::time());
    if (!date_shift && (!t.is_num() || !(value.type == t)))
      return fail(fmt::format("cannot {} {} {} a state of type {}", op == "+=" ? "add" : "subtract",
                              type_str(value.type), op == "+=" ? "to" : "from", type_str(t)));
    if (date_shift)
      value = [&] {
        HExpr m;
        m.op = Op::Mul;
        m.type = Type::date();
        m.span = value.span;
        m.args = {std::move(value), HExpr::constant(12, Type::num(), span)};
        return m;
      }();
    r.op = op == "+=" ? Op::Add : Op::Sub;
  } else {
    if (!t.is_num() || !(value.type == Type::num()))
      return fail(fmt::format("'{}' scales a number by a plain Number, not {} (the state would change dimension)", op,
                              type_str(value.type)));
    r.op = op == "*=" ? Op::Mul : Op::Div;
  }
  r.args = {std::move(current), std::move(value)};
  return r;
}

std::optional<HStmt> Checker::assign(const ast::Stmt& s, Ctx& ctx) {
  const ast::Expr& target = *s.target;
  int slot = -1;
  Type t;
  std::string display;
  auto read_only = [&](const std::string& what) {
    error(ctx, target.span, what, codes::kNotAssignable);
    return std::nullopt;
  };
  if (target.kind == ast::ExprKind::Name) {
    const std::string& n = target.name;
    for (const auto& sc : ctx.scopes)
      if (sc.count(n)) return read_only(fmt::format("'{}' is a local (`let`) and cannot be changed; use a state", n));
    if (ctx.deal >= 0) {
      DealInfo& di = deal_info_[ctx.deal];
      if (auto it = di.states.find(n); it != di.states.end() && !di.bindings.count(n)) {
        resolve_deal_state(ctx.deal, it->second);
        slot = prog_.deals[ctx.deal].states[it->second].slot;
        t = di.lazy[it->second].type;
      } else if (di.bindings.count(n)) {
        return read_only(fmt::format("'{}' is a contract parameter and cannot be changed", n));
      } else if (di.lets.count(n)) {
        return read_only(fmt::format("'{}' is a derived value (`let`) and cannot be assigned", n));
      } else if (n == "alive" || n == "paid" || n == "due") {
        return read_only(fmt::format("'{}' is kept by the runtime and cannot be assigned", n));
      }
    }
    if (slot < 0 && ctx.party >= 0) {
      PartyInfo& pi = party_info_[ctx.party];
      if (auto it = pi.states.find(n); it != pi.states.end()) {
        if (n == "defaulted" || n == "default_date" || n == "equity")
          return read_only(fmt::format("'{}' is set by the runtime and cannot be assigned", n));
        resolve_party_state(ctx.party, it->second);
        slot = prog_.parties[ctx.party].states[it->second].slot;
        t = pi.lazy[it->second].type;
      } else if (pi.lets.count(n)) {
        return read_only(fmt::format("'{}' is a derived value (`let`) and cannot be assigned", n));
      }
    }
    if (slot < 0) {
      auto g = globals_.find(n);
      if (g != globals_.end() && g->second.kind == Global::Param)
        return read_only(fmt::format("'{}' is a param: change it with `set {} = …` in a shock", n, n));
      if (g == globals_.end()) {
        HExpr probe = name_ref(target, ctx);  // reports "unknown name" with a suggestion
        (void)probe;
        return std::nullopt;
      }
      return read_only(fmt::format("'{}' cannot be assigned", n));
    }
    display = prog_.slot_names[slot];
  } else if (target.kind == ast::ExprKind::Field) {
    HExpr obj = expr(*target.args[0], ctx);
    if (obj.type.is_error()) return std::nullopt;
    auto id = const_value(obj);
    if (!id || (obj.type.kind != Kind::Party && obj.type.kind != Kind::Deal))
      return read_only("only the fields of a party or deal named directly can be assigned");
    const std::string& f = target.name;
    if (obj.type.kind == Kind::Party) {
      int p = int(*id);
      PartyInfo& pi = party_info_[p];
      auto it = pi.states.find(f);
      if (it == pi.states.end()) {
        if (pi.lets.count(f))
          return read_only(
              fmt::format("'{}.{}' is a derived value (`let`) and cannot be assigned", prog_.parties[p].name, f));
        std::vector<std::string> names;
        for (const auto& [k, v] : pi.states) names.push_back(k);
        std::string sug = suggest(f, names);
        if (ctx.deal >= 0 && s.value) {
          // The assigned value says what the field holds (`buyer.capacity += gw`: GW).
          Type wanted = s.value ? expr(*s.value, ctx).type : Type::error();
          if (missing_contract_field(ctx, *target.args[0], p, f, target.op_span, wanted)) return std::nullopt;
        }
        error(ctx, target.op_span,
              fmt::format("party '{}' has no field '{}'{}", prog_.parties[p].name, f,
                          sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
        return std::nullopt;
      }
      if (f == "defaulted" || f == "default_date" || f == "equity")
        return read_only(fmt::format("'{}' is set by the runtime and cannot be assigned", f));
      if (p == 0) return read_only("World's state cannot be assigned");
      // LANGUAGE.md §6.3: money is created only by World and `borrow`. A deal (or a party
      // writing someone else's cash) that set a party's cash would create or destroy
      // money outside the ledger. Shocks may (they are the modeller's interventions), and
      // so may a party's own block, for its own cash (docs/language.md §6).
      if (f == "cash" && ctx.shock < 0 && (ctx.deal >= 0 || (ctx.party >= 0 && ctx.party != p))) {
        std::string who = ast::print(*target.args[0]);
        return read_only(fmt::format(
            "{} cannot assign '{}.cash': money changes hands only through payments (LANGUAGE.md §6.3); use "
            "pay({}, to, amount), pay(from, {}, amount) or borrow({}, amount) (only a shock, or the party's own "
            "block, may set cash)",
            ctx.deal >= 0 ? std::string("a contract") : fmt::format("party '{}'", prog_.parties[ctx.party].name), who,
            who, who, who));
      }
      resolve_party_state(p, it->second);
      slot = prog_.parties[p].states[it->second].slot;
      t = pi.lazy[it->second].type;
    } else {
      int d = int(*id);
      layout_deal(d);
      DealInfo& di = deal_info_[d];
      if (ctx.deal != d && ctx.shock < 0)
        return read_only(
            fmt::format("deal '{}''s state is written only by the deal itself and by shocks", di.decl->name));
      auto it = di.states.find(f);
      if (it == di.states.end() || di.bindings.count(f)) {
        if (di.bindings.count(f))
          return read_only(fmt::format("'{}' is a contract parameter and cannot be changed", f));
        error(ctx, target.op_span, fmt::format("deal '{}' has no state '{}'", di.decl->name, f));
        return std::nullopt;
      }
      resolve_deal_state(d, it->second);
      slot = prog_.deals[d].states[it->second].slot;
      t = di.lazy[it->second].type;
    }
    display = prog_.slot_names[slot];
  } else {
    return read_only("only states can be assigned (a name or a party's or deal's field)");
  }
  HExpr value = expr(*s.value, ctx);
  if (auto k = const_value(value); k && *k < 0 && s.op == "=" && value.type.is_num())
    for (const HParty& party : prog_.parties)
      if (party.base >= 0 && (slot == party.base + kDebt || slot == party.base + kCredit)) {
        error(ctx, s.value->span,
              fmt::format("a party's {} cannot be negative (it is an amount {})",
                          slot == party.base + kDebt ? "debt" : "credit",
                          slot == party.base + kDebt ? "owed" : "it may draw"));
        return std::nullopt;
      }
  HExpr v = compound(s.op, HExpr::slot(slot, t, target.span), std::move(value), s.span, ctx, s.value.get());
  if (v.type.is_error()) return std::nullopt;
  HStmt h;
  h.kind = SKind::Store;
  h.span = s.span;
  h.index = slot;
  h.name = display;
  h.value = std::move(v);
  return h;
}

std::optional<HStmt> Checker::set_param(const ast::Stmt& s, Ctx& ctx) {
  if (ctx.shock < 0) {
    error(ctx, s.span, "`set` changes a param and is only allowed in shocks");
    return std::nullopt;
  }
  auto g = globals_.find(s.name);
  if (g == globals_.end() || g->second.kind != Global::Param) {
    std::vector<std::string> names;
    for (const ast::ParamDecl* p : param_decls_) names.push_back(p->name);
    std::string sug = suggest(s.name, names);
    error(ctx, s.name_span,
          fmt::format("unknown param '{}'{}", s.name, sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
    return std::nullopt;
  }
  resolve_param(g->second.index);
  const LazyState& ls = param_lazy_[g->second.index];
  HExpr value = expr(*s.value, ctx);
  HExpr v = compound(s.op, HExpr::slot(ls.slot, ls.type, s.name_span), std::move(value), s.span, ctx, s.value.get());
  if (v.type.is_error()) return std::nullopt;
  HStmt h;
  h.kind = SKind::Store;
  h.span = s.span;
  h.index = ls.slot;
  h.name = prog_.slot_names[ls.slot];
  h.value = std::move(v);
  return h;
}

std::optional<HStmt> Checker::call_stmt(const ast::Stmt& s, Ctx& ctx) {
  const ast::Expr& c = *s.value;
  if (c.kind != ast::ExprKind::Call) {
    error(ctx, s.span, "this expression does nothing as a statement");
    return std::nullopt;
  }
  const std::string& n = c.name;
  HStmt h;
  h.span = s.span;
  h.deal = ctx.deal;
  Type party = Type::party(), money = Type::num(Dim::money());
  auto self = [&]() { return HExpr::constant(ctx.party, Type::party(), c.op_span); };
  auto count_positional = [&]() {
    size_t k = 0;
    for (size_t i = 0; i < c.args.size(); ++i)
      if (i >= c.arg_names.size() || c.arg_names[i].empty()) ++k;
    return k;
  };
  auto named = [&](const char* name) {
    for (const std::string& an : c.arg_names)
      if (an == name) return true;
    return false;
  };
  auto check = [&](const ast::Expr* e, const Type& want, const char* what) {
    HExpr v = expr(*e, ctx);
    expect(v, want, e->span, what, ctx, e);
    return v;
  };
  auto check_party = [&](const ast::Expr* e, const char* what) {
    HExpr v = expr(*e, ctx);
    expect_kind(v, Kind::Party, e->span, what, ctx);
    return v;
  };
  auto priority = [&](const ast::Expr* e) {
    if (!e) return HExpr::constant(1, Type::num(), c.span);
    HExpr v = check(e, Type::num(), "the priority");
    if (auto k = const_value(v); k && (*k != std::floor(*k) || *k < 0 || *k > 1000))
      error(ctx, e->span, "a priority is a whole number from 0 (most senior) to 1000");
    return v;
  };

  if (n == "pay") {
    h.kind = SKind::Pay;
    // In a party block: `pay(World)` (no amount) and `pay(World, $1B, 2)` (a priority
    // given by position, read as pay(from, to, amount)) are the usual slips.
    if (ctx.party >= 0 && !named("from") && !named("to") && !named("amount")) {
      size_t positional = count_positional();
      const ast::Expr* third = positional == 3 && c.args.size() >= 3 ? c.args[2].get() : nullptr;
      bool priority_by_position =
          third && third->kind == ast::ExprKind::Number && !third->is_money && third->units.empty();
      if (positional == 1 || priority_by_position) {
        error(ctx, positional == 1 ? c.span : third->span,
              positional == 1 ? "`pay` in a party block needs the payee and the amount"
                              : "the third argument of `pay` is an amount, and this is a number",
              codes::kPayInParty,
              {"a party pays with `pay(to, amount)` (from itself) or `pay(from, to, amount)`; a priority is named: "
               "`pay(World, $1B, priority: 2)`"});
        return std::nullopt;
      }
    }
    bool implicit_from = ctx.party >= 0 && !named("from") && count_positional() == 2;
    if (implicit_from) {
      auto a = match_args(c, {"to", "amount", "priority"}, 2, ctx);
      if (a.empty()) return std::nullopt;
      h.args = {self(), check_party(a[0], "the payee"), check(a[1], money, "the amount paid"), priority(a[2])};
    } else {
      auto a = match_args(c, {"from", "to", "amount", "priority"}, 3, ctx);
      if (a.empty()) return std::nullopt;
      h.args = {check_party(a[0], "the payer"), check_party(a[1], "the payee"), check(a[2], money, "the amount paid"),
                priority(a[3])};
    }
  } else if (n == "receive") {
    if (ctx.party < 0) {
      error(ctx, c.op_span, "`receive(from, amount)` is for party blocks; elsewhere write pay(from, to, amount)");
      return std::nullopt;
    }
    h.kind = SKind::Pay;
    auto a = match_args(c, {"from", "amount", "priority"}, 2, ctx);
    if (a.empty()) return std::nullopt;
    h.args = {check_party(a[0], "the payer"), self(), check(a[1], money, "the amount received"), priority(a[2])};
  } else if (n == "own" || n == "sell") {
    h.kind = n == "own" ? SKind::Own : SKind::Sell;
    auto a = match_args(c, {"holder", "issuer", "stake"}, 3, ctx);
    if (a.empty()) return std::nullopt;
    h.args = {check_party(a[0], "the holder"), check_party(a[1], "the issuer"), check(a[2], Type::num(), "the stake")};
    if (auto k = const_value(h.args[2]); k && (*k < 0 || *k > 1))
      error(ctx, a[2]->span, "a stake is a fraction between 0% and 100%");
    // Parties are names, so both are known here (in a contract, per deal).
    auto holder = const_value(h.args[0]), issuer = const_value(h.args[1]);
    if (h.args[0].type.kind == Kind::Party && h.args[1].type.kind == Kind::Party && holder && issuer &&
        *holder == *issuer && *holder != 0)
      error(ctx, Span::cover(a[0]->span, a[1]->span),
            fmt::format("a party cannot {} a stake in itself: '{}' is both the holder and the issuer", n,
                        prog_.parties[size_t(*holder)].name));
  } else if (n == "claim") {
    // LANGUAGE.md §5: only where a party has just defaulted, against that party.
    if (ctx.defaulted < 0) {
      error(ctx, c.op_span,
            "`claim(creditor, amount)` files a claim against a defaulted party: it is only allowed in an "
            "`on default(p)` clause");
      return std::nullopt;
    }
    h.kind = SKind::Claim;
    auto a = match_args(c, {"creditor", "amount", "priority"}, 2, ctx);
    if (a.empty()) return std::nullopt;
    h.args = {HExpr::constant(ctx.defaulted, Type::party(), c.op_span), check_party(a[0], "the creditor"),
              check(a[1], money, "the amount claimed"), priority(a[2])};
    if (auto k = const_value(h.args[2]); h.args[2].type.is_num() && k && *k < 0)
      error(ctx, a[1]->span, "a claim is an amount of at least $0: what the creditor loses because the deal ends");
    if (auto who = const_value(h.args[1]); h.args[1].type.kind == Kind::Party && who && *who == ctx.defaulted)
      error(ctx, a[0]->span,
            fmt::format("'{}' cannot file a claim against itself", prog_.parties[size_t(ctx.defaulted)].name));
  } else if (n == "issue") {
    h.kind = SKind::Issue;
    auto a = match_args(c, {"issuer", "holder", "stake"}, 3, ctx);
    if (a.empty()) return std::nullopt;
    h.args = {check_party(a[0], "the issuer"), check_party(a[1], "the holder"), check(a[2], Type::num(), "the stake")};
    if (auto k = const_value(h.args[2]); k && !(*k >= 0 && *k < 1))
      error(ctx, a[2]->span, "a new stake is a fraction from 0% up to, but not including, 100%");
    auto issuer = const_value(h.args[0]), holder = const_value(h.args[1]);
    if (h.args[0].type.kind == Kind::Party && h.args[1].type.kind == Kind::Party && holder && issuer &&
        *holder == *issuer && *holder != 0)
      error(ctx, Span::cover(a[0]->span, a[1]->span),
            fmt::format("a party cannot issue shares to itself: '{}' is both the issuer and the holder",
                        prog_.parties[size_t(*holder)].name));
  } else if (n == "borrow") {
    h.kind = SKind::Borrow;
    const ast::Expr* amount = nullptr;
    if (ctx.party >= 0 && count_positional() == 1 && !named("party")) {
      auto a = match_args(c, {"amount"}, 1, ctx);
      if (a.empty()) return std::nullopt;
      amount = a[0];
      h.args = {self(), check(a[0], money, "the amount borrowed")};
    } else {
      auto a = match_args(c, {"party", "amount"}, 2, ctx);
      if (a.empty()) return std::nullopt;
      amount = a[1];
      h.args = {check_party(a[0], "the borrower"), check(a[1], money, "the amount borrowed")};
      if (auto who = const_value(h.args[0]); h.args[0].type.kind == Kind::Party && who && *who == 0)
        error(ctx, a[0]->span,
              "World cannot borrow: it stands for everyone outside the model and is the lender of every "
              "borrow(party, amount)");
    }
    if (auto k = const_value(h.args[1]); h.args[1].type.is_num() && k && *k < 0)
      error(ctx, amount->span,
            "the amount borrowed cannot be negative (to repay, pay the lender: pay(World, amount) and lower debt)");
  } else {
    auto g = globals_.find(n);
    if (g != globals_.end() && g->second.kind == Global::Fn) {
      error(ctx, s.span, fmt::format("calling '{}' here does nothing: functions are pure; use its value", n));
    } else {
      HExpr probe = expr(c, ctx);  // reports unknown functions with a suggestion
      if (!probe.type.is_error()) error(ctx, s.span, fmt::format("calling '{}' here does nothing: use its value", n));
    }
    return std::nullopt;
  }
  for (const HExpr& a : h.args)
    if (a.type.is_error()) return std::nullopt;
  return h;
}

HClause Checker::clause(const ast::Clause& c, Ctx& outer) {
  HClause h;
  h.kind = lower(c.kind);
  h.period = lower(c.period);
  h.span = c.span;
  Ctx ctx = outer;
  ctx.where = Ctx::Condition;
  ctx.scopes.clear();
  int locals = 0;
  ctx.local_count = &locals;
  auto date_expr = [&](const ast::ExprPtr& e, const char* what) -> std::optional<HExpr> {
    if (!e) return std::nullopt;
    HExpr v = expr(*e, ctx);
    expect(v, Type::date(), e->span, what, ctx);
    return v;
  };
  switch (c.kind) {
    case ast::ClauseKind::At:
      h.at = date_expr(c.expr, "the date of `at`");
      break;
    case ast::ClauseKind::Every:
      h.from = date_expr(c.from, "the start of the window (`from`)");
      h.until = date_expr(c.until, "the end of the window (`until`)");
      if (c.length) {
        HExpr v = expr(*c.length, ctx);
        expect(v, Type::num(Dim::time()), c.length->span, "the length of the window (`for`)", ctx);
        h.length = std::move(v);
      }
      ctx.in_every = true;
      break;
    case ast::ClauseKind::When:
    case ast::ClauseKind::Whenever: {
      HExpr v = expr(*c.expr, ctx);
      expect(v, Type::boolean(), c.expr->span, "the condition", ctx);
      h.cond = std::move(v);
      break;
    }
    case ast::ClauseKind::OnDefault: {
      ast::Expr name;
      name.kind = ast::ExprKind::Name;
      name.name = c.party;
      name.span = c.party_span;
      HExpr p = expr(name, ctx);
      if (expect_kind(p, Kind::Party, c.party_span, "the argument of `on default`", ctx)) {
        if (auto id = const_value(p)) h.party = ctx.defaulted = int(*id);
        else error(ctx, c.party_span, "`on default` needs a party named directly or a Party parameter");
      }
      break;
    }
  }
  ctx.where = Ctx::Block;
  h.body = block(c.body, ctx);
  h.locals = locals;
  return h;
}

}  // namespace deal::check
