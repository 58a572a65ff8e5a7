// Checking source text in the context of a checked program, outside its declarations:
// constants (`--set`, the REPL's `:set`, the API's `set`) and expressions (the REPL,
// embedding hosts). For expressions the checker's tables are rebuilt from the Program
// and the scope the checker left in it (Checker::save_scope / Checker::restore).
#include "compiler/check/checker.hpp"

#include <fmt/format.h>

#include "compiler/ast/parse.hpp"

namespace deal::check {

namespace {

const std::vector<ast::Module> no_modules;

ast::ExprPtr clone(const ast::Expr& e) {
  auto c = std::make_unique<ast::Expr>();
  c->kind = e.kind;
  c->span = e.span;
  c->op_span = e.op_span;
  c->value = e.value;
  c->is_money = e.is_money;
  c->units = e.units;
  c->text = e.text;
  c->bool_value = e.bool_value;
  c->date = e.date;
  c->name = e.name;
  c->op = e.op;
  for (const ast::ExprPtr& a : e.args) c->args.push_back(a ? clone(*a) : nullptr);
  c->arg_names = e.arg_names;
  c->arg_name_spans = e.arg_name_spans;
  c->pieces = e.pieces;
  c->parenthesized = e.parenthesized;
  return c;
}

ProgramScope::LetSources let_sources(const Lets& lets) {
  ProgramScope::LetSources out;
  for (const auto& [name, m] : lets.members) {
    ast::Member copy;
    copy.kind = m->kind;
    copy.span = m->span;
    copy.name = m->name;
    copy.name_span = m->name_span;
    copy.type = m->type;
    if (m->value) copy.value = clone(*m->value);
    out.members.push_back(std::move(copy));
    auto st = lets.status.find(name);
    auto v = lets.values.find(name);
    if (st != lets.status.end() && st->second == Resolve::Done && v != lets.values.end()) out.values[name] = v->second;
  }
  return out;
}

void restore_lets(Lets& lets, const ProgramScope::LetSources& src) {
  for (const ast::Member& m : src.members) {
    lets.add(&m);
    if (auto v = src.values.find(m.name); v != src.values.end()) {
      lets.status[m.name] = Resolve::Done;
      lets.values[m.name] = v->second;
    }
  }
}

// For a Program that did not come from check_program: deal names only.
std::shared_ptr<const ProgramScope> minimal_scope(const Program& p) {
  auto s = std::make_shared<ProgramScope>();
  for (const HDeal& d : p.deals) {
    ProgramScope::Deal sd;
    sd.decl.name = d.name;
    sd.decl.name_span = sd.decl.span = d.span;
    sd.decl.contract = d.contract;
    s->deals.push_back(std::move(sd));
  }
  s->parties.resize(p.parties.size());
  return s;
}

}  // namespace

void Checker::save_scope() {
  auto s = std::make_shared<ProgramScope>();
  for (const ast::ContractDecl* c : contracts_) {
    ast::ContractDecl stub;
    stub.name = c->name;
    stub.name_span = c->name_span;
    stub.span = c->span;
    s->contracts.push_back(std::move(stub));
  }
  for (const DealInfo& di : deal_info_) {
    ProgramScope::Deal d;
    d.decl.name = di.decl->name;
    d.decl.name_span = di.decl->name_span;
    d.decl.span = di.decl->span;
    d.decl.contract = di.decl->contract;
    d.decl.contract_span = di.decl->contract_span;
    auto c = std::find(contracts_.begin(), contracts_.end(), di.contract);
    d.contract = di.contract && c != contracts_.end() ? int(c - contracts_.begin()) : -1;
    d.bindings = di.bindings;
    d.lets = let_sources(di.lets);
    s->deals.push_back(std::move(d));
  }
  for (const PartyInfo& pi : party_info_) s->parties.push_back(let_sources(pi.lets));
  prog_.scope = std::move(s);
}

void Checker::restore(const Program& p) {
  prog_ = p;
  scope_ = p.scope ? p.scope : minimal_scope(p);
  const ProgramScope& s = *scope_;
  for (size_t i = 0; i < p.units.size(); ++i) units_[p.units[i]] = int(i);
  // The global names, as collect() declared them.
  for (size_t i = 0; i < p.params.size(); ++i)
    globals_.emplace(p.params[i].name, Global{Global::Param, int(i), p.params[i].span});
  for (size_t i = 1; i < p.parties.size(); ++i)
    globals_.emplace(p.parties[i].name, Global{Global::Party, int(i), p.parties[i].span});
  for (size_t i = 0; i < s.contracts.size(); ++i)
    globals_.emplace(s.contracts[i].name, Global{Global::Contract, int(i), s.contracts[i].name_span});
  for (size_t i = 0; i < p.deals.size(); ++i)
    globals_.emplace(p.deals[i].name, Global{Global::Deal, int(i), p.deals[i].span});
  for (size_t i = 0; i < p.fns.size(); ++i) globals_.emplace(p.fns[i].name, Global{Global::Fn, int(i), p.fns[i].span});
  for (size_t i = 0; i < p.shocks.size(); ++i)
    globals_.emplace(p.shocks[i].name, Global{Global::Shock, int(i), p.shocks[i].span});
  for (size_t i = 0; i < p.scenarios.size(); ++i)
    if (!p.scenarios[i].implicit)
      globals_.emplace(p.scenarios[i].name, Global{Global::Scenario, int(i), p.scenarios[i].span});
  for (const auto& c : s.contracts) contracts_.push_back(&c);
  // Everything is resolved: params, functions, states, layouts, bodies.
  param_lazy_.resize(p.params.size());
  for (size_t i = 0; i < p.params.size(); ++i) {
    LazyState& ls = param_lazy_[i];
    ls.status = Resolve::Done;
    ls.type = p.params[i].type;
    ls.slot = p.params[i].slot;
    ls.span = p.params[i].span;
  }
  fn_status_.assign(p.fns.size(), Resolve::Done);
  fn_callees_.resize(p.fns.size());
  auto states = [](const std::vector<HState>& hs, std::map<std::string, int>& names, std::vector<LazyState>& lazy) {
    for (size_t k = 0; k < hs.size(); ++k) {
      names[hs[k].name] = int(k);
      LazyState ls;
      ls.status = Resolve::Done;
      ls.type = hs[k].type;
      ls.slot = hs[k].slot;
      ls.span = hs[k].span;
      lazy.push_back(ls);
    }
  };
  party_info_.resize(p.parties.size());
  for (size_t i = 0; i < p.parties.size(); ++i) {
    PartyInfo& pi = party_info_[i];
    states(p.parties[i].states, pi.states, pi.lazy);
    if (i < s.parties.size()) restore_lets(pi.lets, s.parties[i]);
    pi.laid_out = true;
  }
  deal_info_.resize(p.deals.size());
  for (size_t d = 0; d < p.deals.size(); ++d) {
    DealInfo& di = deal_info_[d];
    const ProgramScope::Deal& sd = s.deals.at(d);
    di.decl = &sd.decl;
    di.contract = sd.contract >= 0 ? &s.contracts[size_t(sd.contract)] : nullptr;
    di.shock = p.deals[d].shock;
    di.bindings = sd.bindings;
    states(p.deals[d].states, di.states, di.lazy);
    restore_lets(di.lets, sd.lets);
    di.layout = Resolve::Done;
    di.bodies_done = true;
  }
}

bool Checker::check_trackable(const HExpr& v, Span span) {
  if (!v.type.is_error() && v.type.kind != Kind::Num && v.type.kind != Kind::Bool && v.type.kind != Kind::Date) {
    diags_.error(span, fmt::format("only numbers, Bools and Dates can be tracked, not {}", type_str(v.type)));
    return false;
  }
  return true;
}

std::optional<CheckedExpr> check_expression(const Program& program, const ast::Expr& e, const SourceManager& sm,
                                            Diagnostics& diags, bool any_type) {
  Checker c(no_modules, sm, diags);
  c.restore(program);
  Ctx ctx;
  ctx.where = Ctx::Track;  // as scenarios.cpp checks a `track`
  size_t before = diags.error_count();
  HExpr v = c.expr(e, ctx);
  if (!any_type) c.check_trackable(v, e.span);
  if (diags.error_count() > before || v.type.is_error()) return std::nullopt;
  CheckedExpr out;
  out.type = v.type;
  out.expr = std::move(v);
  return out;
}

std::optional<CheckedExpr> check_expression(const Program& program, std::string_view origin, std::string_view text,
                                            SourceManager& sm, Diagnostics& diags, bool any_type) {
  uint32_t id = sm.add(std::string(origin), std::string(text));
  size_t before = diags.error_count();
  ast::ExprPtr e = ast::parse_expression(sm, id, diags);
  if (!e || diags.error_count() > before) return std::nullopt;
  return check_expression(program, *e, sm, diags, any_type);
}

std::optional<std::pair<double, Type>> check_constant(const Program& program, const ast::Expr& e,
                                                      const SourceManager& sm, Diagnostics& diags) {
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
