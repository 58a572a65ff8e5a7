#include "compiler/check/program.hpp"

#include <algorithm>
#include <cmath>

#include "compiler/ast/ast.hpp"

namespace deal::check {

namespace {
int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[(m - 1) % 12];
}

template <class V>
int find_by_name(const V& v, const std::string& name) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return static_cast<int>(i);
  return -1;
}
}  // namespace

double date_to_months(const CalendarDate& d) {
  return 12.0 * d.year + (d.month - 1) + double(d.day - 1) / days_in_month(d.year, d.month);
}

double date_to_months(const ast::DateLit& d) { return date_to_months(CalendarDate{d.year, d.month, d.day}); }

bool date_representable(double months) {
  static const double first = date_to_months(CalendarDate{1, 1, 1}), last = date_to_months(CalendarDate{9999, 12, 31});
  return std::isfinite(months) && months >= first && months <= last;
}

namespace {

struct CallFinder {
  Builtin b;
  bool found = false;
  void expr(const HExpr& e) {
    if (e.op == Op::Call && e.fn == b) found = true;
    for (const HExpr& a : e.args) expr(a);
  }
  void opt(const std::optional<HExpr>& e) {
    if (e) expr(*e);
  }
  void body(const HBody& stmts) {
    for (const HStmt& s : stmts) {
      expr(s.value);
      for (const HExpr& a : s.args) expr(a);
      body(s.then_body);
      body(s.else_body);
    }
  }
  void clause(const HClause& c) {
    opt(c.at), opt(c.from), opt(c.length), opt(c.until), opt(c.cond);
    body(c.body);
  }
  void states(const std::vector<HState>& ss) {
    for (const HState& s : ss) opt(s.init);
  }
};

}  // namespace

bool Program::calls(Builtin b) const {
  CallFinder f{b};
  for (const HParam& p : params) f.expr(p.init);
  for (const HParty& p : parties) {
    f.states(p.states);
    for (const HClause& c : p.clauses) f.clause(c);
    f.expr(p.value);
    f.opt(p.liquidation);
  }
  for (const HDeal& d : deals) {
    f.states(d.states);
    for (const HClause& c : d.clauses) f.clause(c);
  }
  for (const HFn& fn : fns) f.expr(fn.body);
  for (const HShock& s : shocks) {
    f.body(s.sets);
    for (const HClause& c : s.clauses) f.clause(c);
  }
  for (const HScenario& s : scenarios) {
    for (const auto& o : s.overrides) {
      f.opt(o.value);
      if (o.dist)
        for (const HExpr& a : o.dist->args) f.expr(a);
    }
    for (const HTrack& t : s.tracks) f.expr(t.expr);
  }
  return f.found;
}

int Program::find_party(const std::string& name) const { return find_by_name(parties, name); }
int Program::find_deal(const std::string& name) const { return find_by_name(deals, name); }
int Program::find_param(const std::string& name) const { return find_by_name(params, name); }
int Program::find_scenario(const std::string& name) const { return find_by_name(scenarios, name); }

int Program::add_tracking_scenario(int base, const std::string& name, const std::string& label, HExpr expr) {
  HScenario s = base >= 0 ? scenarios.at(size_t(base)) : HScenario{};
  s.name = name;
  s.span = expr.span;
  s.implicit = false;
  auto same = std::find_if(s.tracks.begin(), s.tracks.end(), [&](const HTrack& t) { return t.label == label; });
  if (same != s.tracks.end()) same->expr = std::move(expr);
  else s.tracks.push_back({label, std::move(expr)});
  scenarios.push_back(std::move(s));
  return int(scenarios.size()) - 1;
}

}  // namespace deal::check
