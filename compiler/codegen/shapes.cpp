#include "compiler/codegen/shapes.hpp"

#include <algorithm>
#include <cstdint>
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
  // Parties' sources differ, so their run-time error sites are leaves too.
  bool call_sites = false;
  // Per slot: 0, or 1 for a party's cash, 2 for its debt or credit. Codegen checks a
  // store by its template's target, so members must agree on it.
  const std::vector<uint8_t>* money = nullptr;

  void call_site(const void* node, int which, Span span) {
    if (call_sites) leaf(node, which, LeafKind::Id, sites.call(span));
  }

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
    // After the arguments, as codegen registers them.
    if ((e.op == Op::Call && e.fn == check::Builtin::DateOf) ||
        (e.op == Op::CallFn && program.fns.at(size_t(e.index)).is_extern))
      call_site(&e, kLeafCall, e.span);
  }

  // A clause's date, with the site of its NaN check.
  void date(const std::optional<HExpr>& e) {
    optional(e);
    if (e) call_site(&*e, kLeafDate, e->span);
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
        tok(s.index >= 0 && size_t(s.index) < money->size() ? (*money)[size_t(s.index)] : 0);
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
    if (s.kind == SKind::Pay || s.kind == SKind::Own || s.kind == SKind::Sell || s.kind == SKind::Borrow ||
        s.kind == SKind::Claim || s.kind == SKind::Issue)
      call_site(&s, kLeafCall, s.span);
    body(s.then_body);
    body(s.else_body);
  }

  void clause(const HClause& c) {
    tok(int(c.kind));
    tok(int(c.period));
    date(c.at);
    date(c.from);
    date(c.length);
    date(c.until);
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

  void party(const check::HParty& p, int id, PartyPart which) {
    tok(100 + int(which));
    if (which == PartyPart::Values) {
      leaf(&p, kLeafOut, LeafKind::Id, id);
      expr(p.value);
      return;
    }
    leaf(&p, kLeafAlive, LeafKind::Slot, p.base + check::kDefaulted);
    tok((long long)p.clauses.size());
    for (const HClause& c : p.clauses) clause(c);
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

namespace {

std::vector<uint8_t> money_slots(const check::Program& program) {
  std::vector<uint8_t> m(size_t(std::max(1, program.slot_count)), 0);
  for (size_t p = 1; p < program.parties.size(); ++p) {
    const size_t base = size_t(program.parties[p].base);
    m.at(base + check::kCash) = 1;
    m.at(base + check::kDebt) = 2;
    m.at(base + check::kCredit) = 2;
  }
  return m;
}

// Groups walked members by their structure key and turns the leaves on which the members
// of a group differ into table columns. `walk(member, w)` fills the walk of one member.
struct Grouper {
  Shapes out;
  std::unordered_map<std::string, int> by_key;
  std::vector<std::vector<Leaf>> templates;              // per shape: the first member's leaves
  std::vector<std::vector<std::vector<double>>> values;  // per shape, per member: leaf values

  void add(int member, Walk& w) {
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
    s.deals.push_back(member);
    values[size_t(it->second)].push_back(std::move(v));
  }

  // A leaf on which the members differ is a hole: a column of the shape's table.
  Shapes finish() {
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
    return std::move(out);
  }
};

}  // namespace

Shapes find_shapes(const check::Program& program, const std::vector<int>& deals, DealPart part, const SiteIds& sites) {
  Grouper g;
  const std::vector<uint8_t> money = money_slots(program);
  for (int d : deals) {
    const check::HDeal& deal = program.deals.at(size_t(d));
    if (!has_part(deal, part)) continue;
    Walk w{program, d, sites, {}, {}};
    w.money = &money;
    w.part(deal, part);
    g.add(d, w);
  }
  return g.finish();
}

Shapes find_party_shapes(const check::Program& program, PartyPart part, const SiteIds& sites) {
  Grouper g;
  const std::vector<uint8_t> money = money_slots(program);
  for (size_t p = 1; p < program.parties.size(); ++p) {
    const check::HParty& party = program.parties[p];
    if (part == PartyPart::Step && party.clauses.empty()) continue;
    Walk w{program, int(p), sites, {}, {}};
    w.call_sites = true;
    w.money = &money;
    w.party(party, int(p), part);
    g.add(int(p), w);
  }
  return g.finish();
}

}  // namespace deal::codegen
