#include "compiler/codegen/shapes.hpp"

#include <cstring>
#include <string>
#include <unordered_map>

namespace deal::codegen {

namespace {

using check::HClause;
using check::HExpr;
using check::HStmt;
using check::Op;
using check::SKind;

struct Leaf {
  LeafRef ref;
  LeafKind kind;
  double value;
};

// One deal's part, walked in a fixed order: its structure as a key (everything but the
// leaves' values) and its leaves.
struct Walk {
  const check::Program& program;
  int deal;
  const SiteIds& sites;
  std::string key;
  std::vector<Leaf> leaves;
  const void* scope = nullptr;

  void tok(long long v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void text(const std::string& s) {
    tok((long long)s.size());
    key += s;
  }
  void leaf(const void* node, int which, LeafKind kind, double value) {
    key += char('a' + int(kind));
    leaves.push_back({{node, which, scope}, kind, value});
  }

  void expr(const HExpr& e) {
    tok(int(e.op));
    switch (e.op) {
      case Op::Const:
        leaf(&e, kLeafValue, LeafKind::Number, e.num);
        break;
      case Op::Slot:
        leaf(&e, kLeafValue, LeafKind::Slot, e.index);
        break;
      case Op::Local:
      case Op::Arg:
      case Op::CallFn:
        tok(e.index);
        break;
      case Op::Call:
        tok(int(e.fn));
        break;
      default:
        break;
    }
    tok((long long)e.args.size());
    for (const HExpr& a : e.args) expr(a);
  }

  void optional(const std::optional<HExpr>& e) {
    tok(e.has_value());
    if (e) expr(*e);
  }

  void body(const check::HBody& b) {
    tok((long long)b.size());
    for (const HStmt& s : b) stmt(s);
  }

  void stmt(const HStmt& s) {
    tok(1000 + int(s.kind));
    switch (s.kind) {
      case SKind::Let:
        tok(s.index);
        break;
      case SKind::Store:
        leaf(&s, kLeafValue, LeafKind::Slot, s.index);
        leaf(&s, kLeafSite, LeafKind::Id, sites.store(s, deal));
        break;
      case SKind::Pay:
      case SKind::Claim:
        leaf(&s, kLeafDeal, LeafKind::Id, s.deal);
        break;
      case SKind::Terminate:
        leaf(&s, kLeafValue, LeafKind::Slot, program.deals.at(size_t(s.index)).base + check::kAlive);
        break;
      case SKind::Emit:
        tok((long long)s.pieces.size());
        for (const auto& piece : s.pieces) text(piece);
        leaf(&s, kLeafSite, LeafKind::Id, sites.emit(s, deal));
        break;
      default:
        break;
    }
    expr(s.value);
    tok((long long)s.args.size());
    for (const HExpr& a : s.args) expr(a);
    body(s.then_body);
    body(s.else_body);
  }

  void clause(const HClause& c) {
    tok(int(c.kind));
    tok(int(c.period));
    optional(c.at);
    optional(c.from);
    optional(c.length);
    optional(c.until);
    optional(c.cond);
    tok(c.locals);
    tok(c.fired_slot >= 0);
    if (c.fired_slot >= 0) leaf(&c, kLeafFired, LeafKind::Slot, c.fired_slot);
    body(c.body);
  }

  void part(const check::HDeal& d, DealPart which) {
    tok(int(which));
    leaf(&d, kLeafAlive, LeafKind::Slot, d.base + check::kAlive);
    if (which == DealPart::OnDefault) {
      for (const auto& od : d.on_default) {
        if (od.clause < 0) continue;
        scope = &od;
        leaf(&od, kLeafParty, LeafKind::Id, od.party);
        clause(d.clauses.at(size_t(od.clause)));
        scope = nullptr;
      }
      return;
    }
    for (const HClause* c : part_clauses(d, which)) clause(*c);
  }
};

}  // namespace

std::vector<const check::HClause*> part_clauses(const check::HDeal& deal, DealPart part) {
  std::vector<const check::HClause*> out;
  for (const HClause& c : deal.clauses) {
    if (c.kind == check::ClauseKind::OnDefault) continue;
    bool trigger = c.kind == check::ClauseKind::When;
    if ((part == DealPart::Triggers) == trigger && part != DealPart::OnDefault) out.push_back(&c);
  }
  return out;
}

bool has_part(const check::HDeal& deal, DealPart part) {
  if (part == DealPart::OnDefault) {
    for (const auto& od : deal.on_default)
      if (od.clause >= 0) return true;
    return false;
  }
  return !part_clauses(deal, part).empty();
}

Shapes find_shapes(const check::Program& program, const std::vector<int>& deals, DealPart part, const SiteIds& sites) {
  Shapes out;
  std::unordered_map<std::string, int> by_key;
  std::vector<std::vector<Leaf>> templates;              // per shape: the first member's leaves
  std::vector<std::vector<std::vector<double>>> values;  // per shape, per member: leaf values
  for (int d : deals) {
    const check::HDeal& deal = program.deals.at(size_t(d));
    if (!has_part(deal, part)) continue;
    Walk w{program, d, sites, {}, {}};
    w.part(deal, part);
    auto [it, fresh] = by_key.try_emplace(std::move(w.key), int(out.shapes.size()));
    if (fresh) {
      out.shapes.emplace_back();
      templates.push_back(w.leaves);
      values.emplace_back();
    }
    Shape& s = out.shapes[size_t(it->second)];
    std::vector<double> v;
    v.reserve(w.leaves.size());
    for (const Leaf& l : w.leaves) v.push_back(l.value);
    out.order.emplace_back(it->second, int(s.deals.size()));
    s.deals.push_back(d);
    values[size_t(it->second)].push_back(std::move(v));
  }
  // A leaf on which the members differ is a hole: a column of the shape's table.
  for (size_t k = 0; k < out.shapes.size(); ++k) {
    Shape& s = out.shapes[k];
    const auto& leaves = templates[k];
    const auto& rows = values[k];
    std::vector<int> column(leaves.size(), -1);
    for (size_t j = 0; j < leaves.size(); ++j) {
      bool same = true;
      for (const auto& row : rows)
        if (std::memcmp(&row[j], &rows[0][j], sizeof(double)) != 0) same = false;
      if (same) {
        s.fixed[leaves[j].ref] = rows[0][j];
        continue;
      }
      Column c;
      c.kind = leaves[j].kind;
      c.index = c.kind == LeafKind::Number ? s.number_columns++ : s.int_columns++;
      s.holes[leaves[j].ref] = c;
      column[j] = int(j);
    }
    s.numbers.reserve(rows.size() * size_t(s.number_columns));
    s.ints.reserve(rows.size() * size_t(s.int_columns));
    for (const auto& row : rows)
      for (size_t j = 0; j < leaves.size(); ++j) {
        if (column[j] < 0) continue;
        if (leaves[j].kind == LeafKind::Number) s.numbers.push_back(row[j]);
        else s.ints.push_back(int(row[j]));
      }
  }
  return out;
}

}  // namespace deal::codegen
