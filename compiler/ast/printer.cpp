// The canonical pretty printer: two-space indentation, one member or statement per
// line, the fewest parentheses the precedence table needs (plus those the source had,
// which the `parenthesized` flag remembers). Its output parses back to an equal AST —
// the round-trip tests and the fuzzer hold it to that.
#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "compiler/ast/literals.hpp"
#include "compiler/ast/parse.hpp"

namespace deal::ast {

namespace {

// Binding strength, lowest first (see docs/language.md §14).
enum Prec : int {
  kIf = 0,
  kOr = 1,
  kAnd = 2,
  kNot = 3,
  kCmp = 4,
  kAdd = 5,
  kMul = 6,
  kUnary = 7,
  kPow = 8,
  kPostfix = 9,
};

int binary_prec(const std::string& op) {
  if (op == "or") return kOr;
  if (op == "and") return kAnd;
  if (op == "+" || op == "-") return kAdd;
  if (op == "*" || op == "/") return kMul;
  if (op == "^") return kPow;
  return kCmp;
}

int prec_of(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Binary:
      return binary_prec(e.op);
    case ExprKind::Unary:
      return e.op == "not" ? kNot : kUnary;
    case ExprKind::If:
      return kIf;
    default:
      return kPostfix;
  }
}

std::string indent(int level) { return std::string(static_cast<size_t>(level) * 2, ' '); }

std::string escape_string(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '{':
        out += "\\{";
        break;
      case '}':
        out += "\\}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string quoted(const std::string& s) { return "\"" + escape_string(s) + "\""; }

bool same_units(const std::vector<detail::UnitPart>& a, const std::vector<UnitFactor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].exponent != b[i].exponent) return false;
  return true;
}

std::string shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// A value as a literal: the shortest exact spelling, trying scale suffixes ($38B
// rather than $38000000000 or $3.8e+10); plain digits win a tie.
std::string spell(double v) {
  static const std::pair<double, const char*> scales[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  std::string best = shortest(v);
  for (const auto& [factor, suffix] : scales) {
    if (std::fabs(v) < factor) continue;
    std::string candidate = shortest(v / factor) + suffix;
    detail::NumberParts parts;
    detail::LiteralError err;
    if (candidate.size() < best.size() && candidate.find('e') == std::string::npos &&
        detail::decode_number(candidate, parts, err) && parts.value == v)
      best = candidate;
  }
  return best;
}

// The literal as written when that still says the same thing, else rebuilt from the value.
std::string number_text(const Expr& e) {
  if (!e.text.empty()) {
    detail::NumberParts parts;
    detail::LiteralError err;
    if (detail::decode_number(e.text, parts, err) && parts.value == e.value && parts.is_money == e.is_money &&
        same_units(parts.units, e.units))
      return e.text;
  }
  std::string out = e.is_money ? "$" : "";
  out += std::isfinite(e.value) ? spell(e.value) : "0";
  bool word = false;
  for (const auto& u : e.units)
    if (u.exponent > 0 && !word) {
      out += u.name;
      word = true;
    }
  for (const auto& u : e.units)
    if (u.exponent < 0) out += "/" + u.name;
  return out;
}

std::string date_text(const Expr& e) {
  if (!e.text.empty()) {
    DateLit d;
    detail::LiteralError err;
    if (e.text.size() >= 6 && detail::decode_date(e.text, d, err) && d == e.date) return e.text;
  }
  if (e.date.day == 1) return fmt::format("{:04}-{:02}", e.date.year, e.date.month);
  return fmt::format("{:04}-{:02}-{:02}", e.date.year, e.date.month, e.date.day);
}

class Printer {
 public:
  std::string out;

  // ---------------------------------------------------------------- expressions

  std::string expr(const Expr& e, int min_prec = kIf) {
    std::string body = bare(e);
    if (e.parenthesized || prec_of(e) < min_prec) return "(" + body + ")";
    return body;
  }

  std::string arg(const Expr* e, int min_prec) { return e ? expr(*e, min_prec) : std::string("0"); }

  std::string bare(const Expr& e) {
    const Expr* a0 = e.args.size() > 0 ? e.args[0].get() : nullptr;
    const Expr* a1 = e.args.size() > 1 ? e.args[1].get() : nullptr;
    const Expr* a2 = e.args.size() > 2 ? e.args[2].get() : nullptr;
    switch (e.kind) {
      case ExprKind::Number:
        return number_text(e);
      case ExprKind::Bool:
        return e.bool_value ? "true" : "false";
      case ExprKind::Date:
        return date_text(e);
      case ExprKind::Name:
        return e.name;
      case ExprKind::String: {
        std::string s = "\"";
        for (size_t i = 0; i < e.pieces.size(); ++i) {
          s += escape_string(e.pieces[i]);
          if (i < e.args.size()) s += "{" + arg(e.args[i].get(), kIf) + "}";
        }
        return s + "\"";
      }
      case ExprKind::Field: {
        // A literal base is wrapped so `5.x` never reads as a decimal point.
        bool plain = a0 && (a0->kind == ExprKind::Name || a0->kind == ExprKind::Call || a0->kind == ExprKind::Field ||
                            a0->kind == ExprKind::String);
        std::string base = arg(a0, kPostfix);
        bool wrapped = a0 && (a0->parenthesized || prec_of(*a0) < kPostfix);
        if (!plain && !wrapped) base = "(" + base + ")";
        return base + "." + e.name;
      }
      case ExprKind::Unary: {
        if (e.op == "not") return "not " + arg(a0, kNot);
        std::string operand = arg(a0, kUnary);
        // `- -x`, not `--x`: the same tokens, but easier to read.
        bool space = !operand.empty() && (operand[0] == '-' || operand[0] == '+');
        return e.op + (space ? " " : "") + operand;
      }
      case ExprKind::Binary: {
        int p = binary_prec(e.op);
        int left = p, right = p + 1;
        if (p == kCmp) left = kAdd, right = kAdd;        // non-associative
        if (p == kPow) left = kPostfix, right = kUnary;  // right-associative; 2^-1
        if (p == kPow) return arg(a0, left) + "^" + arg(a1, right);
        return arg(a0, left) + " " + e.op + " " + arg(a1, right);
      }
      case ExprKind::Call: {
        std::string s = e.name + "(";
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (i) s += ", ";
          if (i < e.arg_names.size() && !e.arg_names[i].empty()) s += e.arg_names[i] + ": ";
          s += arg(e.args[i].get(), kIf);
        }
        return s + ")";
      }
      case ExprKind::If:
        return "if " + arg(a0, kIf) + " then " + arg(a1, kIf) + " else " + arg(a2, kIf);
    }
    return "0";
  }

  std::string opt(const ExprPtr& e) { return e ? expr(*e) : std::string("0"); }

  // An assignment target: `x`, `self.cash`, `buyer.capacity` — never parenthesised.
  std::string target(const Expr& e) {
    if (e.kind == ExprKind::Field && !e.args.empty() && e.args[0]) return target(*e.args[0]) + "." + e.name;
    return bare(e);
  }

  // ---------------------------------------------------------------- types

  static std::string type(const TypeRef& t) {
    std::string s;
    for (size_t i = 0; i < t.factors.size(); ++i) {
      const TypeFactor& f = t.factors[i];
      if (i) s += f.exponent < 0 ? "/" : "*";
      s += f.name;
      if (!f.unit.empty()) s += "[" + f.unit + "]";
    }
    return s;
  }

  // ---------------------------------------------------------------- statements

  std::string block(const Block& b, int level) {
    if (b.empty()) return "{}";
    std::string s = "{\n";
    for (const auto& st : b)
      if (st) s += indent(level + 1) + stmt(*st, level + 1) + "\n";
    return s + indent(level) + "}";
  }

  std::string stmt(const Stmt& s, int level) {
    switch (s.kind) {
      case StmtKind::Let:
        return "let " + s.name + " = " + opt(s.value);
      case StmtKind::Assign:
        return (s.target ? target(*s.target) : "_") + " " + s.op + " " + opt(s.value);
      case StmtKind::SetParam:
        return "set " + s.name + " " + (s.op.empty() ? "=" : s.op) + " " + opt(s.value);
      case StmtKind::If: {
        std::string r = "if " + opt(s.value) + " " + block(s.then_block, level);
        if (s.has_else || !s.else_block.empty()) {
          if (s.else_block.size() == 1 && s.else_block[0] && s.else_block[0]->kind == StmtKind::If)
            r += " else " + stmt(*s.else_block[0], level);
          else r += " else " + block(s.else_block, level);
        }
        return r;
      }
      // A statement cannot start with `(`: the call is printed without the flag's parens.
      case StmtKind::Expr:
        return s.value ? bare(*s.value) : "";
      case StmtKind::Default:
        return "default(" + opt(s.value) + ")";
      case StmtKind::Terminate:
        return s.value ? "terminate(" + expr(*s.value) + ")" : "terminate";
      case StmtKind::Emit:
        return "emit " + opt(s.value);
    }
    return "";
  }

  // ---------------------------------------------------------------- clauses, members

  static const char* period(Period p) {
    switch (p) {
      case Period::Step:
        return "step";
      case Period::Month:
        return "month";
      case Period::Quarter:
        return "quarter";
      case Period::Year:
        return "year";
    }
    return "step";
  }

  std::string clause(const Clause& c, int level) {
    switch (c.kind) {
      case ClauseKind::At:
        return "at " + opt(c.expr) + " " + block(c.body, level);
      case ClauseKind::Every: {
        std::string s = std::string("every ") + period(c.period);
        if (c.from) s += " from " + expr(*c.from);
        if (c.length) s += " for " + expr(*c.length);
        if (c.until) s += " until " + expr(*c.until);
        return s + " " + block(c.body, level);
      }
      case ClauseKind::When:
        return "when " + opt(c.expr) + " " + block(c.body, level);
      case ClauseKind::Whenever:
        return "whenever " + opt(c.expr) + " " + block(c.body, level);
      case ClauseKind::OnDefault:
        return "on default(" + c.party + ") " + block(c.body, level);
    }
    return "";
  }

  std::string member(const Member& m, int level) {
    std::string annot = m.type ? ": " + type(*m.type) : "";
    switch (m.kind) {
      case MemberKind::Field:
        return m.name + annot + " = " + opt(m.value);
      case MemberKind::Let:
        return "let " + m.name + annot + " = " + opt(m.value);
      case MemberKind::Value:
        return "value = " + opt(m.value);
      case MemberKind::Clause:
        return clause(m.clause, level);
    }
    return "";
  }

  std::string body(const std::vector<Member>& ms) {
    if (ms.empty()) return "{}";
    std::string s = "{\n";
    for (const auto& m : ms) s += indent(1) + member(m, 1) + "\n";
    return s + "}";
  }

  std::string params(const std::vector<Param>& ps) {
    std::string s = "(";
    for (size_t i = 0; i < ps.size(); ++i) {
      if (i) s += ", ";
      s += ps[i].name + ": " + type(ps[i].type);
      if (ps[i].default_value) s += " = " + expr(*ps[i].default_value);
    }
    return s + ")";
  }

  std::string deal(const DealDecl& d) {
    std::string s = "deal " + d.name + " = " + d.contract + "(";
    for (size_t i = 0; i < d.args.size(); ++i) {
      if (i) s += ", ";
      if (!d.args[i].name.empty()) s += d.args[i].name + ": ";
      s += opt(d.args[i].value);
    }
    return s + ")";
  }

  // ---------------------------------------------------------------- declarations

  std::string scenario_item(const ScenarioItem& it) {
    switch (it.kind) {
      case ScenarioItemKind::Apply: {
        std::string s = "apply ";
        for (size_t i = 0; i < it.names.size(); ++i) s += (i ? ", " : "") + it.names[i];
        return s;
      }
      case ScenarioItemKind::Param: {
        if (it.dist) {
          std::string s = "param " + it.param + " ~ " + it.dist->name + "(";
          for (size_t i = 0; i < it.dist->args.size(); ++i) s += (i ? ", " : "") + opt(it.dist->args[i]);
          return s + ")";
        }
        return "param " + it.param + " = " + opt(it.value);
      }
      case ScenarioItemKind::Horizon:
        return "horizon " + opt(it.value);
      case ScenarioItemKind::Paths:
        return "paths " + opt(it.value);
      case ScenarioItemKind::Seed:
        return "seed " + opt(it.value);
      case ScenarioItemKind::Clearing: {
        std::string s = "clearing {";
        for (const auto& [name, value] : it.settings) s += " " + name + " = " + opt(value);
        return s + " }";
      }
      case ScenarioItemKind::Track: {
        std::string s = "track ";
        for (size_t i = 0; i < it.tracks.size(); ++i) {
          if (i) s += ", ";
          s += opt(it.tracks[i].expr);
          if (!it.tracks[i].label.empty()) s += " as " + quoted(it.tracks[i].label);
        }
        return s;
      }
    }
    return "";
  }

  std::string decl(const Decl& d) {
    switch (d.kind) {
      case DeclKind::Import:
        return d.import ? "import " + quoted(d.import->path) : "";
      case DeclKind::Calendar:
        return d.calendar ? "calendar " + opt(d.calendar->from) + " .. " + opt(d.calendar->to) + " step " +
                                period(d.calendar->step)
                          : "";
      case DeclKind::Unit:
        return d.unit ? "unit " + d.unit->name : "";
      case DeclKind::Param: {
        if (!d.param) return "";
        std::string s = "param " + d.param->name;
        if (d.param->type) s += ": " + type(*d.param->type);
        return s + " = " + opt(d.param->value);
      }
      case DeclKind::Party: {
        if (!d.party) return "";
        std::string s = "party " + d.party->name;
        if (!d.party->kind.empty()) s += " is " + d.party->kind;
        return s + " " + body(d.party->members);
      }
      case DeclKind::Contract:
        return d.contract
                   ? "contract " + d.contract->name + params(d.contract->params) + " " + body(d.contract->members)
                   : "";
      case DeclKind::Deal:
        return d.deal ? deal(*d.deal) : "";
      case DeclKind::Fn: {
        if (!d.fn) return "";
        std::string s = (d.fn->is_extern ? "extern fn " : "fn ") + d.fn->name + params(d.fn->params);
        if (d.fn->result) s += ": " + type(*d.fn->result);
        if (!d.fn->is_extern) s += " = " + opt(d.fn->body);
        return s;
      }
      case DeclKind::Shock: {
        if (!d.shock) return "";
        std::string s = "shock " + d.shock->name + " ";
        if (d.shock->items.empty()) return s + "{}";
        s += "{\n";
        for (const auto& it : d.shock->items) {
          s += indent(1);
          switch (it.kind) {
            case ShockItemKind::Set:
              if (it.set) s += stmt(*it.set, 1);
              break;
            case ShockItemKind::Clause:
              s += clause(it.clause, 1);
              break;
            case ShockItemKind::Deal:
              if (it.deal) s += deal(*it.deal);
              break;
          }
          s += "\n";
        }
        return s + "}";
      }
      case DeclKind::Scenario: {
        if (!d.scenario) return "";
        std::string s = "scenario " + d.scenario->name;
        if (!d.scenario->extends.empty()) s += " extends " + d.scenario->extends;
        if (d.scenario->items.empty()) return s + " {}";
        s += " {\n";
        for (const auto& it : d.scenario->items) s += indent(1) + scenario_item(it) + "\n";
        return s + "}";
      }
    }
    return "";
  }
};

// One-line declarations of the same kind stay together; everything else is separated
// by a blank line.
bool one_liner(DeclKind k) {
  return k == DeclKind::Import || k == DeclKind::Unit || k == DeclKind::Param || k == DeclKind::Deal ||
         k == DeclKind::Fn;
}

}  // namespace

std::string print(const Module& m) {
  Printer p;
  std::string out;
  for (size_t i = 0; i < m.decls.size(); ++i) {
    if (i > 0) {
      bool group = one_liner(m.decls[i].kind) && m.decls[i].kind == m.decls[i - 1].kind;
      out += group ? "" : "\n";
    }
    out += p.decl(m.decls[i]) + "\n";
  }
  return out;
}

std::string print(const Expr& e) {
  Printer p;
  return p.expr(e);
}

std::string print(const TypeRef& t) { return Printer::type(t); }

}  // namespace deal::ast
