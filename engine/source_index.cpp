// The source index: one walk over the AST of every loaded file (the root and its
// imports), with the same scoping the checker uses — a contract's arguments and members,
// a party's members, a fn's parameters, `let`s of a block for the statements after them,
// then the top-level names — recording each declaration and each use it resolves.
// Types come from the checked program where it exists (params, party states, fns) and,
// for any other expression, from check::check_expression, as a `track` would see it.
#include "engine/source_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <tuple>
#include <cmath>
#include <set>

#include "compiler/ast/parse.hpp"
#include "engine/frontend_lock.hpp"
#include "engine/library.hpp"

namespace deal::engine {
namespace {

bool contains(const Span& s, uint32_t file, uint32_t line, uint32_t col) {
  if (!s.valid() || s.file != file) return false;
  if (line < s.line || line > s.end_line) return false;
  if (line == s.line && col < s.col) return false;
  // The end column is exclusive, but a cursor right after a name still means the name.
  if (line == s.end_line && col > s.end_col) return false;
  return true;
}

// Smaller spans first: the innermost wins.
uint64_t extent(const Span& s) { return uint64_t(s.end_line - s.line) * 100000 + (s.end_col - s.col); }

// The source text a span covers (code point columns → bytes).
std::string span_text(const SourceManager& sm, const Span& s) {
  if (!s.valid() || s.file == 0 || s.file > sm.size()) return {};
  std::string out;
  for (uint32_t l = s.line; l <= s.end_line; ++l) {
    std::string_view text = sm.line_text(s.file, l);
    uint32_t from = l == s.line ? s.col : 1, to = l == s.end_line ? s.end_col : UINT32_MAX;
    uint32_t col = 1;
    for (size_t i = 0; i < text.size();) {
      size_t n = 1;
      unsigned char b = static_cast<unsigned char>(text[i]);
      if (b >= 0xF0) n = 4;
      else if (b >= 0xE0) n = 3;
      else if (b >= 0xC0) n = 2;
      if (col >= from && col < to) out.append(text.substr(i, n));
      i += n;
      ++col;
    }
    if (l != s.end_line) out += '\n';
  }
  return out;
}

std::string type_text(const SourceManager& sm, const ast::TypeRef& t) {
  std::string s = span_text(sm, t.span);
  return s.empty() ? ast::print(t) : s;
}

std::string params_text(const SourceManager& sm, const std::vector<ast::Param>& params) {
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out += ", ";
    out += p.name + ": " + type_text(sm, p.type);
    if (p.default_value) out += " = " + ast::print(*p.default_value);
  }
  return out;
}

bool is_ident_char(char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }

// The value of an expression when it is constant: literals, and params whose initial
// value is constant (what the run starts with, before any scenario's override),
// combined with arithmetic. `depth` bounds the walk through params.
std::optional<double> fold(const check::Program& p, const check::HExpr& e, int depth = 0) {
  if (depth > 50) return std::nullopt;
  using check::Op;
  switch (e.op) {
    case Op::Const:
      return e.num;
    case Op::Slot:
      for (const auto& param : p.params)
        if (param.slot == e.index) return fold(p, param.init, depth + 1);
      return std::nullopt;
    case Op::Neg: {
      auto a = e.args.empty() ? std::nullopt : fold(p, e.args[0], depth + 1);
      return a ? std::optional<double>(-*a) : std::nullopt;
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow: {
      if (e.args.size() != 2) return std::nullopt;
      auto a = fold(p, e.args[0], depth + 1), b = fold(p, e.args[1], depth + 1);
      if (!a || !b) return std::nullopt;
      if (e.op == Op::Add) return *a + *b;
      if (e.op == Op::Sub) return *a - *b;
      if (e.op == Op::Mul) return *a * *b;
      if (e.op == Op::Pow) return std::pow(*a, *b);
      if (*b == 0) return std::nullopt;
      return *a / *b;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

const std::vector<std::string>& keywords() {
  static const std::vector<std::string> k = {
      "calendar", "step",  "unit",  "param",  "party",   "contract", "deal",  "shock",    "scenario",
      "extends",  "apply", "fn",    "extern", "let",     "if",       "then",  "else",     "every",
      "at",       "from",  "for",   "until",  "when",    "whenever", "on",    "default",  "terminate",
      "set",      "track", "paths", "seed",   "horizon", "import",   "value", "self",     "and",
      "or",       "not",   "true",  "false",  "World",   "is",       "as",    "clearing", "emit"};
  return k;
}

// ---------------------------------------------------------------- the walk

struct SourceIndex::Walker {
  SourceIndex& ix;
  const SourceManager& sm;
  std::vector<std::map<std::string, int>> scopes;  // innermost last

  int add(std::string name, std::string kind, Span name_span, Span span, int container = -1) {
    SymbolInfo s;
    s.name = std::move(name);
    s.kind = std::move(kind);
    s.name_span = name_span;
    s.span = span;
    s.container = container;
    if (name_span.valid())
      s.doc = doc_comment_above(sm, span.valid() ? span.file : name_span.file,
                                span.valid() ? span.line : name_span.line, 40);
    ix.symbols_.push_back(std::move(s));
    int id = int(ix.symbols_.size()) - 1;
    if (container >= 0) ix.members_[container].emplace(ix.symbols_[id].name, id);
    return id;
  }
  void use(const Span& span, int symbol) {
    if (symbol >= 0 && span.valid()) ix.refs_.emplace_back(span, symbol);
  }
  int lookup(const std::string& name) const {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end()) return f->second;
    }
    auto g = ix.globals_.find(name);
    return g == ix.globals_.end() ? -1 : g->second;
  }
  int global(const std::string& name, std::initializer_list<const char*> kinds) const {
    auto g = ix.globals_.find(name);
    if (g == ix.globals_.end()) return -1;
    for (const char* k : kinds)
      if (ix.symbols_[g->second].kind == k) return g->second;
    return -1;
  }
  int member(int owner, const std::string& name) const {
    auto m = ix.members_.find(owner);
    if (m == ix.members_.end()) return -1;
    auto f = m->second.find(name);
    return f == m->second.end() ? -1 : f->second;
  }
  // The party or contract whose members `e.name` reads: a party, a deal (its contract),
  // `self`, or an argument of Party type (unknown: none).
  int owner_of(const ast::Expr& base) const {
    if (base.kind != ast::ExprKind::Name) return -1;
    int s = lookup(base.name);
    if (s < 0) return -1;
    const SymbolInfo& info = ix.symbols_[s];
    if (info.kind == "party") return s;
    if (info.kind == "deal") {
      auto c = ix.dealt_.find(s);
      return c == ix.dealt_.end() ? -1 : c->second;
    }
    return -1;
  }

  void units(const std::vector<ast::UnitFactor>& us) {
    for (const auto& u : us) use(u.span, global(u.name, {"unit"}));
  }
  void type(const ast::TypeRef& t) {
    for (const auto& f : t.factors) use(f.span, global(f.name, {"unit"}));
  }

  void expr(const ast::Expr* e) {
    if (!e) return;
    ix.exprs_.push_back(e);
    switch (e->kind) {
      case ast::ExprKind::Number:
        units(e->units);
        break;
      case ast::ExprKind::Name:
        use(e->span, lookup(e->name));
        break;
      case ast::ExprKind::Field: {
        expr(e->args.empty() ? nullptr : e->args[0].get());
        if (!e->args.empty()) use(e->op_span, member(owner_of(*e->args[0]), e->name));
        return;
      }
      case ast::ExprKind::Call: {
        int callee = global(e->name, {"fn"});
        use(e->op_span, callee);
        for (size_t i = 0; i < e->args.size(); ++i) {
          if (i < e->arg_names.size() && !e->arg_names[i].empty() && i < e->arg_name_spans.size())
            use(e->arg_name_spans[i], member(callee, e->arg_names[i]));
          expr(e->args[i].get());
        }
        return;
      }
      default:
        break;
    }
    for (const auto& a : e->args) expr(a.get());
  }

  void block(const ast::Block& b, int owner) {
    scopes.emplace_back();
    for (const auto& s : b) stmt(*s, owner);
    scopes.pop_back();
  }
  void stmt(const ast::Stmt& s, int owner) {
    switch (s.kind) {
      case ast::StmtKind::Let: {
        expr(s.value.get());
        int id = add(s.name, "local", s.name_span, s.span, -1);
        scopes.back()[s.name] = id;
        return;
      }
      case ast::StmtKind::SetParam:
        use(s.name_span, global(s.name, {"param"}));
        break;
      case ast::StmtKind::Assign:
        expr(s.target.get());
        break;
      case ast::StmtKind::If:
        expr(s.value.get());
        block(s.then_block, owner);
        block(s.else_block, owner);
        return;
      default:
        break;
    }
    expr(s.value.get());
  }
  void clause(const ast::Clause& c, int owner) {
    expr(c.expr.get());
    expr(c.from.get());
    expr(c.length.get());
    expr(c.until.get());
    if (c.kind == ast::ClauseKind::OnDefault) use(c.party_span, lookup(c.party));
    block(c.body, owner);
  }
  void members(const std::vector<ast::Member>& ms, int owner) {
    for (const auto& m : ms) {
      if (m.type) type(*m.type);
      if (m.kind == ast::MemberKind::Clause) clause(m.clause, owner);
      else expr(m.value.get());
    }
  }
  void deal(const ast::DealDecl& d, int self) {
    int contract = global(d.contract, {"contract"});
    use(d.contract_span, contract);
    if (contract >= 0) ix.dealt_[self] = contract;
    for (const auto& a : d.args) {
      if (!a.name.empty()) use(a.name_span, member(contract, a.name));
      expr(a.value.get());
    }
  }

  // Pass 1: the top-level names of every module (a name used before its declaration, or
  // from another file, resolves) and their members.
  void declare(const ast::Module& m) {
    for (const auto& d : m.decls) {
      auto top = [&](const std::string& name, const char* kind, Span ns, Span span) {
        int id = add(name, kind, ns, span);
        ix.globals_.emplace(name, id);
        return id;
      };
      switch (d.kind) {
        case ast::DeclKind::Unit:
          top(d.unit->name, "unit", d.unit->span, d.unit->span);
          break;
        case ast::DeclKind::Param: {
          int id = top(d.param->name, "param", d.param->name_span, d.param->span);
          ix.symbols_[id].signature = "param " + d.param->name +
                                      (d.param->type ? ": " + type_text(sm, *d.param->type) : "") + " = " +
                                      (d.param->value ? ast::print(*d.param->value) : "");
          break;
        }
        case ast::DeclKind::Party: {
          const auto& p = *d.party;
          int id = top(p.name, "party", p.name_span, p.span);
          ix.symbols_[id].signature = "party " + p.name + (p.kind.empty() ? "" : " is " + p.kind);
          for (const auto& mem : p.members)
            if (mem.kind == ast::MemberKind::Field || mem.kind == ast::MemberKind::Let) {
              int f = add(mem.name, mem.kind == ast::MemberKind::Field ? "field" : "let", mem.name_span, mem.span, id);
              ix.symbols_[f].signature = (mem.kind == ast::MemberKind::Let ? "let " : "") + p.name + "." + mem.name +
                                         " = " + (mem.value ? ast::print(*mem.value) : "");
            }
          break;
        }
        case ast::DeclKind::Contract: {
          const auto& c = *d.contract;
          int id = top(c.name, "contract", c.name_span, c.span);
          ix.symbols_[id].signature = "contract " + c.name + "(" + params_text(sm, c.params) + ")";
          for (const auto& p : c.params) {
            int a = add(p.name, "argument", p.span, p.span, id);
            ix.symbols_[a].signature = p.name + ": " + type_text(sm, p.type);
          }
          for (const auto& mem : c.members)
            if (mem.kind == ast::MemberKind::Field || mem.kind == ast::MemberKind::Let) {
              int f = add(mem.name, mem.kind == ast::MemberKind::Field ? "field" : "let", mem.name_span, mem.span, id);
              ix.symbols_[f].signature = (mem.kind == ast::MemberKind::Let ? "let " : "") + c.name + "." + mem.name +
                                         " = " + (mem.value ? ast::print(*mem.value) : "");
            }
          break;
        }
        case ast::DeclKind::Deal: {
          int id = top(d.deal->name, "deal", d.deal->name_span, d.deal->span);
          ix.symbols_[id].signature = span_text(sm, d.deal->span);
          break;
        }
        case ast::DeclKind::Fn: {
          const auto& f = *d.fn;
          int id = top(f.name, "fn", f.name_span, f.span);
          ix.symbols_[id].signature = std::string(f.is_extern ? "extern " : "") + "fn " + f.name + "(" +
                                      params_text(sm, f.params) + ")" +
                                      (f.result ? ": " + type_text(sm, *f.result) : "");
          for (const auto& p : f.params) {
            int a = add(p.name, "argument", p.span, p.span, id);
            ix.symbols_[a].signature = p.name + ": " + type_text(sm, p.type);
          }
          break;
        }
        case ast::DeclKind::Shock: {
          int id = top(d.shock->name, "shock", d.shock->name_span, d.shock->span);
          ix.symbols_[id].signature = "shock " + d.shock->name;
          for (const auto& item : d.shock->items)
            if (item.kind == ast::ShockItemKind::Deal && item.deal) {
              int dl = top(item.deal->name, "deal", item.deal->name_span, item.deal->span);
              ix.symbols_[dl].signature = span_text(sm, item.deal->span);
            }
          break;
        }
        case ast::DeclKind::Scenario: {
          const auto& s = *d.scenario;
          int id = top(s.name, "scenario", s.name_span, s.span);
          ix.symbols_[id].signature = "scenario " + s.name + (s.extends.empty() ? "" : " extends " + s.extends);
          break;
        }
        case ast::DeclKind::Import: {
          // The file the import loaded (the loader names it by its resolved path).
          const std::string& spec = d.import->path;
          std::string tail = spec.rfind("std/", 0) == 0 ? "/" + spec.substr(4) + ".deal" : "/" + spec;
          for (uint32_t f = 1; f <= sm.size(); ++f) {
            const std::string& path = sm.file(f).path;
            if (path == spec ||
                (path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0)) {
              Span start{f, 1, 1, 1, 1};
              int id = add(spec, "file", start, start);
              ix.symbols_[id].signature = "import \"" + spec + "\"  // " + path;
              ix.symbols_[id].doc.clear();
              use(d.import->path_span, id);
              break;
            }
          }
          break;
        }
        default:
          break;
      }
    }
  }

  // Pass 2: every use.
  void resolve(const ast::Module& m) {
    for (const auto& d : m.decls) {
      switch (d.kind) {
        case ast::DeclKind::Calendar:
          expr(d.calendar->from.get());
          expr(d.calendar->to.get());
          break;
        case ast::DeclKind::Param:
          if (d.param->type) type(*d.param->type);
          expr(d.param->value.get());
          break;
        case ast::DeclKind::Party: {
          int id = global(d.party->name, {"party"});
          scopes.push_back(id >= 0 ? ix.members_[id] : std::map<std::string, int>{});
          members(d.party->members, id);
          scopes.pop_back();
          break;
        }
        case ast::DeclKind::Contract: {
          int id = global(d.contract->name, {"contract"});
          for (const auto& p : d.contract->params) {
            type(p.type);
            expr(p.default_value.get());
          }
          scopes.push_back(id >= 0 ? ix.members_[id] : std::map<std::string, int>{});
          members(d.contract->members, id);
          scopes.pop_back();
          break;
        }
        case ast::DeclKind::Deal:
          deal(*d.deal, global(d.deal->name, {"deal"}));
          break;
        case ast::DeclKind::Fn: {
          int id = global(d.fn->name, {"fn"});
          for (const auto& p : d.fn->params) type(p.type);
          if (d.fn->result) type(*d.fn->result);
          scopes.push_back(id >= 0 ? ix.members_[id] : std::map<std::string, int>{});
          expr(d.fn->body.get());
          scopes.pop_back();
          break;
        }
        case ast::DeclKind::Shock:
          for (const auto& item : d.shock->items) {
            if (item.kind == ast::ShockItemKind::Set && item.set) {
              scopes.emplace_back();
              stmt(*item.set, -1);
              scopes.pop_back();
            } else if (item.kind == ast::ShockItemKind::Clause) {
              clause(item.clause, -1);
            } else if (item.deal) {
              deal(*item.deal, global(item.deal->name, {"deal"}));
            }
          }
          break;
        case ast::DeclKind::Scenario: {
          const auto& s = *d.scenario;
          if (!s.extends.empty()) use(s.extends_span, global(s.extends, {"scenario"}));
          for (const auto& item : s.items) {
            for (size_t i = 0; i < item.names.size() && i < item.name_spans.size(); ++i)
              use(item.name_spans[i], global(item.names[i], {"shock"}));
            if (item.kind == ast::ScenarioItemKind::Param) use(item.param_span, global(item.param, {"param"}));
            expr(item.value.get());
            if (item.dist)
              for (const auto& a : item.dist->args) expr(a.get());
            for (const auto& st : item.settings) expr(st.second.get());
            for (const auto& t : item.tracks) expr(t.expr.get());
          }
          break;
        }
        default:
          break;
      }
    }
  }
};

SourceIndex::SourceIndex(const Checked& checked, const check::Program* fallback)
    : c_(checked), program_(checked.program ? &*checked.program : fallback) {
  Walker w{*this, c_.sm, {}};
  for (const auto& m : c_.modules) w.declare(m);
  for (const auto& m : c_.modules) w.resolve(m);
}

// ---------------------------------------------------------------- queries

int SourceIndex::symbol_at(uint32_t file, uint32_t line, uint32_t col) const {
  int best = -1;
  uint64_t best_extent = UINT64_MAX;
  auto consider = [&](const Span& s, int symbol) {
    if (contains(s, file, line, col) && extent(s) < best_extent) {
      best = symbol;
      best_extent = extent(s);
    }
  };
  for (const auto& [span, symbol] : refs_) consider(span, symbol);
  for (size_t i = 0; i < symbols_.size(); ++i) consider(symbols_[i].name_span, int(i));
  return best;
}

std::vector<Span> SourceIndex::references(int symbol, bool with_declaration) const {
  std::vector<Span> out;
  if (symbol < 0 || size_t(symbol) >= symbols_.size()) return out;
  if (with_declaration && symbols_[symbol].name_span.valid()) out.push_back(symbols_[symbol].name_span);
  for (const auto& [span, s] : refs_)
    if (s == symbol) out.push_back(span);
  return out;
}

std::string format_constant(double value, const check::Type& type, const check::UnitNames& units) {
  switch (type.kind) {
    case check::Kind::Bool:
      return value != 0 ? "true" : "false";
    case check::Kind::Date: {
      double m = std::floor(value + 1e-9);
      int year = int(std::floor(m / 12)), month = int(m - 12.0 * year) + 1;
      return fmt::format("{:04}-{:02}", year, month);
    }
    case check::Kind::Num:
      break;
    default:
      return fmt::format("{}", value);
  }
  std::string symbol = check::dim_symbol(type.dim, units);
  bool money = !symbol.empty() && symbol[0] == '$';
  bool plain = symbol == "1" || symbol.empty();
  auto scaled = [&](double v) {
    static const std::pair<double, const char*> scales[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
    for (const auto& [f, s] : scales)
      if (std::fabs(v) >= f) return fmt::format("{:.4g}{}", v / f, s);
    return fmt::format("{:.6g}", v);
  };
  if (money) return (value < 0 ? "-$" : "$") + scaled(std::fabs(value)) + symbol.substr(1);
  if (plain) return scaled(value);
  if (symbol.rfind("1/", 0) == 0) return fmt::format("{:.6g}", value) + symbol.substr(1);
  return fmt::format("{:.6g}", value) + symbol;
}

std::string SourceIndex::symbol_hover(int id) const {
  const SymbolInfo& s = symbols_[id];
  const check::Program* p = program_;
  std::string head = s.signature.empty() ? s.kind + " " + s.name : s.signature;
  std::string out = "```deal\n" + head + "\n```\n";
  auto units = p ? p->units : check::UnitNames{};
  if (p && s.kind == "param") {
    int k = p->find_param(s.name);
    if (k >= 0) {
      const auto& hp = p->params[k];
      out += "\n" + check::describe(hp.type, units);
      if (auto v = fold(*p, hp.init)) out += " = `" + format_constant(*v, hp.type, units) + "`";
      out += "\n";
      std::string overrides;
      for (const auto& sc : p->scenarios)
        for (const auto& o : sc.overrides)
          if (o.param == k) {
            overrides += "- scenario `" + sc.name + "`: ";
            if (auto v = o.value ? fold(*p, *o.value) : std::nullopt)
              overrides += "`" + format_constant(*v, hp.type, units) + "`";
            else if (o.dist) overrides += "`~ " + o.dist->name + "(…)`";
            else overrides += "`" + span_text(c_.sm, o.span) + "`";
            overrides += "\n";
          }
      if (!overrides.empty()) out += "\nOverrides:\n" + overrides;
    }
  } else if (p && s.kind == "party") {
    int k = p->find_party(s.name);
    if (k >= 0) {
      out += "\nFields:\n";
      for (const auto& st : p->parties[k].states)
        out += "- `" + st.name + "`: " + check::describe(st.type, units) + "\n";
    }
  } else if (p && (s.kind == "field" || s.kind == "let") && s.container >= 0 && symbols_[s.container].kind == "party") {
    int k = p->find_party(symbols_[s.container].name);
    if (k >= 0)
      for (const auto& st : p->parties[k].states)
        if (st.name == s.name) out += "\n" + check::describe(st.type, units) + "\n";
  } else if (p && s.kind == "deal") {
    int k = p->find_deal(s.name);
    if (k >= 0) {
      auto c = dealt_.find(id);
      out += "\nContract `" + p->deals[k].contract + "`" +
             (c != dealt_.end() ? ": `" + symbols_[c->second].signature + "`" : "") + "\n";
    }
  }
  if (p && !c_.program) out += "\n*(types and values as of the last version that checked)*\n";
  if (!s.doc.empty()) out += "\n---\n" + s.doc;
  return out;
}

std::optional<std::string> SourceIndex::hover(uint32_t file, uint32_t line, uint32_t col) const {
  int s = symbol_at(file, line, col);
  if (s >= 0 && symbols_[s].kind != "local" && symbols_[s].kind != "argument") return symbol_hover(s);
  // The innermost expression under the cursor, typed as a track of the program would be.
  const ast::Expr* best = nullptr;
  for (const ast::Expr* e : exprs_)
    if (contains(e->span, file, line, col) && (!best || extent(e->span) < extent(best->span))) best = e;
  if (s >= 0 && !best) return symbol_hover(s);
  if (!best || !program_) return s >= 0 ? std::optional<std::string>(symbol_hover(s)) : std::nullopt;
  Diagnostics scratch;
  std::optional<check::CheckedExpr> typed;
  {
    std::lock_guard<std::mutex> lock(frontend_mutex());
    typed = check::check_expression(*program_, *best, c_.sm, scratch, true);
  }
  if (!typed) return s >= 0 ? std::optional<std::string>(symbol_hover(s)) : std::nullopt;
  const auto& units = program_->units;
  std::string out = "```deal\n" + ast::print(*best) + "\n```\n" + check::describe(typed->type, units);
  if (typed->type.kind != check::Kind::String)
    if (auto v = fold(*program_, typed->expr)) out += " = `" + format_constant(*v, typed->type, units) + "`";
  return out + "\n";
}

std::vector<Completion> SourceIndex::complete(uint32_t file, uint32_t line, uint32_t col,
                                              const std::string& prefix) const {
  std::vector<Completion> out;
  // The word being typed and what precedes it.
  size_t w = prefix.size();
  while (w > 0 && is_ident_char(prefix[w - 1])) --w;
  // After `NAME.`: the members of that party or deal's contract.
  if (w > 0 && prefix[w - 1] == '.') {
    size_t b = w - 1;
    while (b > 0 && is_ident_char(prefix[b - 1])) --b;
    std::string base = prefix.substr(b, w - 1 - b);
    auto g = globals_.find(base);
    int owner = -1;
    if (g != globals_.end()) {
      const auto& info = symbols_[g->second];
      if (info.kind == "party") owner = g->second;
      if (info.kind == "deal") {
        auto c = dealt_.find(g->second);
        if (c != dealt_.end()) owner = c->second;
      }
    }
    // A Party argument of the contract or fn the cursor is in: any party's built-ins.
    bool party_argument = false;
    if (owner < 0)
      for (const auto& [container, names] : members_)
        if (contains(symbols_[container].span, file, line, col)) {
          auto a = names.find(base);
          if (a != names.end() && symbols_[a->second].kind == "argument" &&
              symbols_[a->second].signature == base + ": Party")
            party_argument = true;
        }
    std::set<std::string> members;
    if (owner >= 0) {
      auto m = members_.find(owner);
      if (m != members_.end())
        for (const auto& [name, id] : m->second) {
          members.insert(name);
          out.push_back({name, symbols_[id].kind, symbols_[id].signature, {}});
        }
    }
    if ((owner >= 0 && symbols_[owner].kind == "party") || party_argument)
      for (const char* b2 : {"cash", "debt", "credit", "equity"})
        if (!members.count(b2)) out.push_back({b2, "field", "built-in", {}});
    return out;
  }
  // In a number literal (`3`, `$5B`, `2GW/`): a unit or scale suffix.
  {
    size_t b = prefix.size();
    while (b > 0 && (is_ident_char(prefix[b - 1]) || prefix[b - 1] == '/' || prefix[b - 1] == '.')) --b;
    if (b < prefix.size() && std::isdigit(static_cast<unsigned char>(prefix[b]))) {
      for (const char* t : {"d", "w", "mo", "q", "y"}) out.push_back({t, "unit", "time", {}});
      for (const char* sc : {"k", "M", "B", "T"}) out.push_back({sc, "unit", "scale", {}});
      for (const auto& s : symbols_)
        if (s.kind == "unit") out.push_back({s.name, "unit", "unit", {}});
      return out;
    }
  }
  // Inside `contract(` of a deal: its arguments by name.
  if (auto sig = signature_help(prefix)) {
    std::string callee = sig->label.substr(0, sig->label.find('('));
    auto g = globals_.find(callee);
    if (g != globals_.end()) {
      auto m = members_.find(g->second);
      if (m != members_.end())
        for (const auto& [name, id] : m->second)
          if (symbols_[id].kind == "argument")
            out.push_back({name + ":", "argument", symbols_[id].signature, name + ": "});
    }
  }
  // Names in scope: the members of the declaration the cursor is in, then top-level ones.
  std::set<std::string> seen;
  for (const auto& [owner, names] : members_)
    if (contains(symbols_[owner].span, file, line, col))
      for (const auto& [name, id] : names)
        if (seen.insert(name).second) out.push_back({name, symbols_[id].kind, symbols_[id].signature, {}});
  // A block's `let` above the cursor, in the top-level declaration the cursor is in
  // (an approximation of its block's scope).
  const SymbolInfo* enclosing = nullptr;
  for (const auto& [name, id] : globals_)
    if (contains(symbols_[id].span, file, line, col)) enclosing = &symbols_[id];
  if (enclosing)
    for (const auto& s : symbols_)
      if (s.kind == "local" && contains(enclosing->span, s.span.file, s.span.line, s.span.col) &&
          (s.span.line < line || (s.span.line == line && s.span.end_col <= col)) && seen.insert(s.name).second)
        out.push_back({s.name, "local", s.signature, {}});
  for (const auto& [name, id] : globals_)
    if (seen.insert(name).second) out.push_back({name, symbols_[id].kind, symbols_[id].signature, {}});
  for (const auto& k : keywords())
    if (seen.insert(k).second) out.push_back({k, "keyword", "", {}});
  for (const char* b : {"min",     "max",    "abs",     "floor",        "ceil",    "round",     "exp",      "log",
                        "sqrt",    "clamp",  "years",   "date_of",      "annuity", "npv",       "discount", "paid",
                        "due",     "inflow", "outflow", "revenue_from", "equity",  "defaulted", "holdings", "pay",
                        "receive", "own",    "sell",    "borrow",       "issue",   "dt",        "now",      "span"})
    if (seen.insert(b).second) out.push_back({b, "fn", "built-in", {}});
  return out;
}

std::optional<SignatureHelp> SourceIndex::signature_help(const std::string& text) const {
  // Walk back to the unclosed `(` the cursor is in, counting commas at its depth.
  int depth = 0, commas = 0;
  bool in_string = false;
  size_t scanned = 0;
  for (size_t i = text.size(); i-- > 0 && scanned < 4000; ++scanned) {
    char ch = text[i];
    if (ch == '"') in_string = !in_string;
    if (in_string) continue;
    if (ch == ')') ++depth;
    else if (ch == '(') {
      if (depth == 0) {
        size_t e = i;
        while (e > 0 && text[e - 1] == ' ') --e;
        size_t b = e;
        while (b > 0 && is_ident_char(text[b - 1])) --b;
        std::string name = text.substr(b, e - b);
        auto g = globals_.find(name);
        if (g == globals_.end()) return std::nullopt;
        const SymbolInfo& s = symbols_[g->second];
        if (s.kind != "contract" && s.kind != "fn") return std::nullopt;
        SignatureHelp h;
        h.label = name + "(";
        auto m = members_.find(g->second);
        std::vector<std::pair<Span, int>> args;
        if (m != members_.end())
          for (const auto& [n, id] : m->second)
            if (symbols_[id].kind == "argument") args.emplace_back(symbols_[id].name_span, id);
        std::sort(args.begin(), args.end(), [](const auto& a, const auto& b2) {
          return std::tie(a.first.line, a.first.col) < std::tie(b2.first.line, b2.first.col);
        });
        for (size_t k = 0; k < args.size(); ++k) {
          if (k) h.label += ", ";
          h.label += symbols_[args[k].second].signature;
          h.params.push_back(symbols_[args[k].second].signature);
        }
        h.label += ")";
        h.active = commas;
        return h;
      }
      --depth;
    } else if (ch == ',' && depth == 0) {
      ++commas;
    } else if ((ch == '{' || ch == '}') && depth == 0) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- formatting

namespace {
// Whether `text` holds a comment outside string literals (the printer drops comments).
bool has_comment(const std::string& text) {
  bool in_string = false;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"' || ch == '\n') in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '/' && (text[i + 1] == '/' || text[i + 1] == '*')) {
      return true;
    }
  }
  return false;
}
}  // namespace

std::optional<std::string> format_source(const std::string& name, const std::string& text, std::string& error) {
  if (!check::valid_source_text(text)) {
    error = "the file is not UTF-8 text";
    return std::nullopt;
  }
  if (has_comment(text)) {
    error = "not formatted: the canonical printer drops comments, and this file has some";
    return std::nullopt;
  }
  std::lock_guard<std::mutex> lock(frontend_mutex());
  SourceManager sm;
  Diagnostics diags;
  uint32_t id = sm.add(name, text);
  ast::Module m = ast::parse_module(sm, id, diags);
  if (diags.has_errors()) {
    error = "not formatted: the file has syntax errors";
    return std::nullopt;
  }
  return ast::print(m);
}

}  // namespace deal::engine
