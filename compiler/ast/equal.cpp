// Structural equality of ASTs: what a program means, not how it was written. Spans,
// literal spelling (`text`), the `parenthesized` flag, track `source_text` and the
// module's file id are ignored; numbers compare by value.
#include <cmath>

#include "compiler/ast/ast.hpp"

namespace deal::ast {

namespace {

bool eq(const ExprPtr& a, const ExprPtr& b);

bool eq_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool eq_units(const std::vector<UnitFactor>& a, const std::vector<UnitFactor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].exponent != b[i].exponent) return false;
  return true;
}

bool eq_type(const TypeRef& a, const TypeRef& b) {
  if (a.factors.size() != b.factors.size()) return false;
  for (size_t i = 0; i < a.factors.size(); ++i) {
    const TypeFactor &x = a.factors[i], &y = b.factors[i];
    if (x.name != y.name || x.unit != y.unit || x.exponent != y.exponent) return false;
  }
  return true;
}

bool eq_type(const std::optional<TypeRef>& a, const std::optional<TypeRef>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || eq_type(*a, *b);
}

bool eq_expr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.args.size() != b.args.size()) return false;
  switch (a.kind) {
    case ExprKind::Number:
      if (!eq_number(a.value, b.value) || a.is_money != b.is_money || !eq_units(a.units, b.units)) return false;
      break;
    case ExprKind::Bool:
      if (a.bool_value != b.bool_value) return false;
      break;
    case ExprKind::String:
      if (a.pieces != b.pieces) return false;
      break;
    case ExprKind::Date:
      if (!(a.date == b.date)) return false;
      break;
    case ExprKind::Name:
    case ExprKind::Field:
      if (a.name != b.name) return false;
      break;
    case ExprKind::Unary:
    case ExprKind::Binary:
      if (a.op != b.op) return false;
      break;
    case ExprKind::Call: {
      if (a.name != b.name) return false;
      // Missing names mean positional; compare with that reading.
      for (size_t i = 0; i < a.args.size(); ++i) {
        const std::string& x = i < a.arg_names.size() ? a.arg_names[i] : std::string();
        const std::string& y = i < b.arg_names.size() ? b.arg_names[i] : std::string();
        if (x != y) return false;
      }
      break;
    }
    case ExprKind::If:
      break;
  }
  for (size_t i = 0; i < a.args.size(); ++i)
    if (!eq(a.args[i], b.args[i])) return false;
  return true;
}

bool eq(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return !a && !b;
  return eq_expr(*a, *b);
}

bool eq_block(const Block& a, const Block& b);

bool eq_stmt(const Stmt& a, const Stmt& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case StmtKind::Let:
      return a.name == b.name && eq(a.value, b.value);
    case StmtKind::Assign:
      return a.op == b.op && eq(a.target, b.target) && eq(a.value, b.value);
    case StmtKind::SetParam:
      return a.name == b.name && a.op == b.op && eq(a.value, b.value);
    case StmtKind::If:
      return a.has_else == b.has_else && eq(a.value, b.value) && eq_block(a.then_block, b.then_block) &&
             eq_block(a.else_block, b.else_block);
    case StmtKind::Expr:
    case StmtKind::Default:
    case StmtKind::Terminate:
    case StmtKind::Emit:
      return eq(a.value, b.value);
  }
  return false;
}

bool eq_stmt(const StmtPtr& a, const StmtPtr& b) {
  if (!a || !b) return !a && !b;
  return eq_stmt(*a, *b);
}

bool eq_block(const Block& a, const Block& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!eq_stmt(a[i], b[i])) return false;
  return true;
}

bool eq_clause(const Clause& a, const Clause& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ClauseKind::At:
    case ClauseKind::When:
    case ClauseKind::Whenever:
      if (!eq(a.expr, b.expr)) return false;
      break;
    case ClauseKind::Every:
      if (a.period != b.period || !eq(a.from, b.from) || !eq(a.length, b.length) || !eq(a.until, b.until)) return false;
      break;
    case ClauseKind::OnDefault:
      if (a.party != b.party) return false;
      break;
  }
  return eq_block(a.body, b.body);
}

bool eq_members(const std::vector<Member>& a, const std::vector<Member>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const Member &x = a[i], &y = b[i];
    if (x.kind != y.kind) return false;
    if (x.kind == MemberKind::Clause) {
      if (!eq_clause(x.clause, y.clause)) return false;
      continue;
    }
    if (x.kind != MemberKind::Value && x.name != y.name) return false;
    if (!eq_type(x.type, y.type) || !eq(x.value, y.value)) return false;
  }
  return true;
}

bool eq_params(const std::vector<Param>& a, const std::vector<Param>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || !eq_type(a[i].type, b[i].type) || !eq(a[i].default_value, b[i].default_value))
      return false;
  return true;
}

bool eq_deal(const DealDecl& a, const DealDecl& b) {
  if (a.name != b.name || a.contract != b.contract || a.args.size() != b.args.size()) return false;
  for (size_t i = 0; i < a.args.size(); ++i)
    if (a.args[i].name != b.args[i].name || !eq(a.args[i].value, b.args[i].value)) return false;
  return true;
}

template <class T, class F>
bool eq_ptr(const std::unique_ptr<T>& a, const std::unique_ptr<T>& b, F f) {
  if (!a || !b) return !a && !b;
  return f(*a, *b);
}

bool eq_scenario_item(const ScenarioItem& a, const ScenarioItem& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ScenarioItemKind::Apply:
      return a.names == b.names;
    case ScenarioItemKind::Param: {
      if (a.param != b.param || a.dist.has_value() != b.dist.has_value()) return false;
      if (!a.dist) return eq(a.value, b.value);
      if (a.dist->name != b.dist->name || a.dist->args.size() != b.dist->args.size()) return false;
      for (size_t i = 0; i < a.dist->args.size(); ++i)
        if (!eq(a.dist->args[i], b.dist->args[i])) return false;
      return true;
    }
    case ScenarioItemKind::Horizon:
    case ScenarioItemKind::Paths:
    case ScenarioItemKind::Seed:
      return eq(a.value, b.value);
    case ScenarioItemKind::Clearing: {
      if (a.settings.size() != b.settings.size()) return false;
      for (size_t i = 0; i < a.settings.size(); ++i)
        if (a.settings[i].first != b.settings[i].first || !eq(a.settings[i].second, b.settings[i].second)) return false;
      return true;
    }
    case ScenarioItemKind::Track: {
      if (a.tracks.size() != b.tracks.size()) return false;
      for (size_t i = 0; i < a.tracks.size(); ++i)
        if (a.tracks[i].label != b.tracks[i].label || !eq(a.tracks[i].expr, b.tracks[i].expr)) return false;
      return true;
    }
  }
  return false;
}

bool eq_shock_item(const ShockItem& a, const ShockItem& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ShockItemKind::Set:
      return eq_stmt(a.set, b.set);
    case ShockItemKind::Clause:
      return eq_clause(a.clause, b.clause);
    case ShockItemKind::Deal:
      return eq_ptr(a.deal, b.deal, eq_deal);
  }
  return false;
}

bool eq_decl(const Decl& a, const Decl& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case DeclKind::Import:
      return eq_ptr(a.import, b.import, [](const ImportDecl& x, const ImportDecl& y) { return x.path == y.path; });
    case DeclKind::Calendar:
      return eq_ptr(a.calendar, b.calendar, [](const CalendarDecl& x, const CalendarDecl& y) {
        return x.step == y.step && eq(x.from, y.from) && eq(x.to, y.to);
      });
    case DeclKind::Unit:
      return eq_ptr(a.unit, b.unit, [](const UnitDecl& x, const UnitDecl& y) { return x.name == y.name; });
    case DeclKind::Param:
      return eq_ptr(a.param, b.param, [](const ParamDecl& x, const ParamDecl& y) {
        return x.name == y.name && eq_type(x.type, y.type) && eq(x.value, y.value);
      });
    case DeclKind::Party:
      return eq_ptr(a.party, b.party, [](const PartyDecl& x, const PartyDecl& y) {
        return x.name == y.name && x.kind == y.kind && eq_members(x.members, y.members);
      });
    case DeclKind::Contract:
      return eq_ptr(a.contract, b.contract, [](const ContractDecl& x, const ContractDecl& y) {
        return x.name == y.name && eq_params(x.params, y.params) && eq_members(x.members, y.members);
      });
    case DeclKind::Deal:
      return eq_ptr(a.deal, b.deal, eq_deal);
    case DeclKind::Fn:
      return eq_ptr(a.fn, b.fn, [](const FnDecl& x, const FnDecl& y) {
        return x.name == y.name && x.is_extern == y.is_extern && eq_params(x.params, y.params) &&
               eq_type(x.result, y.result) && eq(x.body, y.body);
      });
    case DeclKind::Shock:
      return eq_ptr(a.shock, b.shock, [](const ShockDecl& x, const ShockDecl& y) {
        if (x.name != y.name || x.items.size() != y.items.size()) return false;
        for (size_t i = 0; i < x.items.size(); ++i)
          if (!eq_shock_item(x.items[i], y.items[i])) return false;
        return true;
      });
    case DeclKind::Scenario:
      return eq_ptr(a.scenario, b.scenario, [](const ScenarioDecl& x, const ScenarioDecl& y) {
        if (x.name != y.name || x.extends != y.extends || x.items.size() != y.items.size()) return false;
        for (size_t i = 0; i < x.items.size(); ++i)
          if (!eq_scenario_item(x.items[i], y.items[i])) return false;
        return true;
      });
  }
  return false;
}

}  // namespace

bool equal(const Module& a, const Module& b) {
  if (a.decls.size() != b.decls.size()) return false;
  for (size_t i = 0; i < a.decls.size(); ++i)
    if (!eq_decl(a.decls[i], b.decls[i])) return false;
  return true;
}

bool equal(const Expr& a, const Expr& b) { return eq_expr(a, b); }

}  // namespace deal::ast
