// Parse tree → AST, and the public entry points of parse.hpp.
//
// The builder only sees chunks that parsed without a syntax error, so every required
// child exists; it still checks what the grammar leaves open (dates that do not exist,
// chained comparisons, `emit`, which members and clauses a construct allows) and
// reports those in the same sink. A declaration with any such error is left out of the
// module, so consumers never meet a half-built node.
//
// Operator chains arrive as flat lists (see Deal.g4) and are folded into left-deep
// trees iteratively; the height of every expression tree is tracked while folding and
// capped (10 × max_depth) so no later recursive walk — printer, checker, destructor —
// can exhaust the stack on a 100,000-term sum.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "compiler/ast/literals.hpp"
#include "compiler/ast/parse.hpp"
#include "compiler/ast/syntax.hpp"

namespace deal::ast {

namespace detail {

namespace {

using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::tree::TerminalNode;
using P = DealParser;

// Height of an expression tree (only called on trees already known to be shallow).
uint32_t height(const Expr& e) {
  uint32_t h = 0;
  for (const auto& a : e.args)
    if (a) h = std::max(h, height(*a));
  return h + 1;
}

class Builder {
 public:
  explicit Builder(Session& s)
      : s_(s), file_(s.sink().file()), max_height_(static_cast<uint32_t>(s.limits().max_depth * 10)) {}

  bool failed() const { return failed_; }

  // An expression under construction with the height of its tree.
  struct E {
    ExprPtr e;
    uint32_t h = 0;
    explicit operator bool() const { return e != nullptr; }
  };

  // ---------------------------------------------------------------- helpers

  void error(Span span, std::string message) {
    failed_ = true;
    s_.sink().error(span, std::move(message));
  }

  Span span(const Token* t) const { return token_span(file_, t); }
  Span span(TerminalNode* t) const { return token_span(file_, t->getSymbol()); }
  Span span(ParserRuleContext* c) const {
    Span a = token_span(file_, c->getStart());
    Span b = token_span(file_, c->getStop() ? c->getStop() : c->getStart());
    return Span::cover(a, b);
  }
  // From the start of c up to and including token `last`.
  Span span_to(ParserRuleContext* c, TerminalNode* last) const {
    return Span::cover(token_span(file_, c->getStart()), span(last));
  }

  static std::string text(ParserRuleContext* c) { return c ? c->getText() : std::string(); }

  E make(ExprKind kind, Span sp) {
    E r;
    r.e = std::make_unique<Expr>();
    r.e->kind = kind;
    r.e->span = sp;
    r.h = 1;
    return r;
  }

  // Adds a child, keeping the height; false (with an error reported once) past the cap.
  bool adopt(E& parent, E child) {
    if (!parent || !child) {
      parent.e.reset();
      return false;
    }
    parent.h = std::max(parent.h, child.h + 1);
    parent.e->args.push_back(std::move(child.e));
    if (parent.h > max_height_) {
      if (!height_reported_)
        error(parent.e->span, fmt::format("expression too complex: more than {} operations nested inside each "
                                          "other (split it with 'let' or a 'param')",
                                          max_height_));
      height_reported_ = true;
      parent.e.reset();
      return false;
    }
    return true;
  }

  E binary(const std::string& op, Span op_span, E lhs, E rhs) {
    if (!lhs || !rhs) return {};
    E r = make(ExprKind::Binary, Span::cover(lhs.e->span, rhs.e->span));
    r.e->op = op;
    r.e->op_span = op_span;
    if (!adopt(r, std::move(lhs))) return {};
    if (!adopt(r, std::move(rhs))) return {};
    return r;
  }

  // Folds `a op b op c …` to the left without recursion.
  template <class Operand, class Op, class Build, class OpText>
  E fold(const std::vector<Operand*>& operands, const std::vector<Op*>& ops, Build build, OpText op_text) {
    E acc = build(operands[0]);
    for (size_t i = 1; i < operands.size() && acc; ++i) {
      E rhs = build(operands[i]);
      acc = binary(op_text(ops[i - 1]), span(ops[i - 1]), std::move(acc), std::move(rhs));
    }
    return acc;
  }

  // ---------------------------------------------------------------- expressions

  // Most operator levels hold a single operand. Stepping down those directly (the
  // grammar fixes the child's type) instead of through the generated accessors — which
  // build a vector and dynamic_cast every child — halves the time to build a big file.
  template <class T>
  static T* single(ParserRuleContext* c) {
    return c->children.size() == 1 ? static_cast<T*>(c->children[0]) : nullptr;
  }

  E expr(P::ExprContext* c) {
    auto* o = single<P::OrExprContext>(c);
    return or_expr(o ? o : c->orExpr());
  }

  E or_expr(P::OrExprContext* c) {
    if (auto* x = single<P::AndExprContext>(c)) return and_expr(x);
    return fold(
        c->andExpr(), c->OR(), [&](P::AndExprContext* x) { return and_expr(x); },
        [](TerminalNode*) { return std::string("or"); });
  }

  E and_expr(P::AndExprContext* c) {
    if (auto* x = single<P::NotExprContext>(c)) return not_expr(x);
    return fold(
        c->notExpr(), c->AND(), [&](P::NotExprContext* x) { return not_expr(x); },
        [](TerminalNode*) { return std::string("and"); });
  }

  E not_expr(P::NotExprContext* c) {
    if (c->getStart()->getType() == P::NOT) {
      auto* n = c->notOp();
      E r = make(ExprKind::Unary, span(n));
      r.e->op = "not";
      r.e->op_span = span(n->NOT());
      if (!adopt(r, not_expr(n->notExpr()))) return {};
      return r;
    }
    auto* x = single<P::CmpExprContext>(c);
    return cmp_expr(x ? x : c->cmpExpr());
  }

  E cmp_expr(P::CmpExprContext* c) {
    if (auto* x = single<P::AddExprContext>(c)) return add_expr(x);
    auto ops = c->cmpOp();
    if (ops.size() > 1) {
      // a < b < c reads like maths but would compare a Bool with a number.
      error(span(ops[1]),
            fmt::format("comparisons cannot be chained; write '{0} {1} {2} and {2} {3} {4}'", text(c->addExpr(0)),
                        text(ops[0]), text(c->addExpr(1)), text(ops[1]), text(c->addExpr(2))));
      return {};
    }
    return fold(
        c->addExpr(), ops, [&](P::AddExprContext* x) { return add_expr(x); },
        [](P::CmpOpContext* o) { return o->getText(); });
  }

  E add_expr(P::AddExprContext* c) {
    if (auto* x = single<P::MulExprContext>(c)) return mul_expr(x);
    return fold(
        c->mulExpr(), c->addOp(), [&](P::MulExprContext* x) { return mul_expr(x); },
        [](P::AddOpContext* o) { return o->getText(); });
  }

  E mul_expr(P::MulExprContext* c) {
    if (auto* x = single<P::UnaryExprContext>(c)) return unary_expr(x);
    return fold(
        c->unaryExpr(), c->mulOp(), [&](P::UnaryExprContext* x) { return unary_expr(x); },
        [](P::MulOpContext* o) { return o->getText(); });
  }

  E unary_expr(P::UnaryExprContext* c) {
    size_t first = c->getStart()->getType();
    if (first == P::MINUS || first == P::PLUS) {
      auto* n = c->negation();
      E r = make(ExprKind::Unary, span(n));
      TerminalNode* op = n->MINUS() ? n->MINUS() : n->PLUS();
      r.e->op = op->getText();
      r.e->op_span = span(op);
      if (!adopt(r, unary_expr(n->unaryExpr()))) return {};
      return r;
    }
    auto* p = single<P::PowExprContext>(c);
    if (!p) p = c->powExpr();
    if (auto* only = single<P::PostfixExprContext>(p)) return postfix(only);
    E base = postfix(p->postfixExpr());
    if (!p->CARET()) return base;
    return binary("^", span(p->CARET()), std::move(base), unary_expr(p->exponent()->unaryExpr()));
  }

  E postfix(P::PostfixExprContext* c) {
    if (auto* only = single<P::PrimaryContext>(c)) return primary(only);
    E acc = primary(c->primary());
    for (auto* f : c->fieldName()) {
      if (!acc) return {};
      E r = make(ExprKind::Field, Span::cover(acc.e->span, span(f)));
      r.e->name = f->getText();
      r.e->op_span = span(f);
      if (!adopt(r, std::move(acc))) return {};
      acc = std::move(r);
    }
    return acc;
  }

  E primary(P::PrimaryContext* c) {
    // Literals are one token: no need to find out which labelled alternative this is.
    Token* first = c->getStart();
    switch (first->getType()) {
      case P::NUMBER:
        return number(first);
      case P::DATE:
        return date(first);
      case P::STRING:
        return string_expr(first);
      default:
        break;
    }
    if (dynamic_cast<P::TrueLitContext*>(c) || dynamic_cast<P::FalseLitContext*>(c)) {
      E r = make(ExprKind::Bool, span(c));
      r.e->bool_value = dynamic_cast<P::TrueLitContext*>(c) != nullptr;
      return r;
    }
    if (dynamic_cast<P::SelfRefContext*>(c) || dynamic_cast<P::WorldRefContext*>(c)) {
      E r = make(ExprKind::Name, span(c));
      r.e->name = c->getText();
      return r;
    }
    if (auto* x = dynamic_cast<P::NameRefContext*>(c)) {
      auto* nc = x->nameOrCall();
      if (!nc->callArgs()) {
        E r = make(ExprKind::Name, span(nc));
        r.e->name = text(nc->name());
        return r;
      }
      return call(nc->name(), nc->callArgs(), span(nc));
    }
    if (auto* x = dynamic_cast<P::ParenExprContext*>(c)) {
      E inner = expr(x->paren()->expr());
      if (!inner) return {};
      inner.e->parenthesized = true;
      inner.e->span = span(x->paren());
      return inner;
    }
    if (auto* x = dynamic_cast<P::IfExpressionContext*>(c)) {
      auto* i = x->ifExpr();
      E r = make(ExprKind::If, span(i));
      r.e->op_span = span(i->IF());
      for (size_t k = 0; k < 3; ++k)
        if (!adopt(r, expr(i->expr(k)))) return {};
      return r;
    }
    error(span(c), "unsupported expression");
    return {};
  }

  E call(P::NameContext* callee, P::CallArgsContext* args, Span sp) {
    E r = make(ExprKind::Call, sp);
    r.e->name = text(callee);
    r.e->op_span = span(callee);
    for (auto* a : args->arg()) {
      std::string arg_name = a->name() ? text(a->name()) : std::string();
      Span name_span = a->name() ? span(a->name()) : Span{};
      if (!adopt(r, expr(a->expr()))) return {};
      r.e->arg_names.push_back(std::move(arg_name));
      r.e->arg_name_spans.push_back(name_span);
    }
    return r;
  }

  E number(Token* t) {
    E r = make(ExprKind::Number, span(t));
    r.e->text = t->getText();
    NumberParts parts;
    LiteralError err;
    if (!decode_number(r.e->text, parts, err)) {
      error(r.e->span, err.message);
      return {};
    }
    r.e->value = parts.value;
    r.e->is_money = parts.is_money;
    for (const auto& u : parts.units) {
      Span us = r.e->span;
      us.col += u.offset;
      us.end_col = us.col + u.length;
      r.e->units.push_back({u.name, u.exponent, us});
    }
    return r;
  }

  E date(Token* t) {
    E r = make(ExprKind::Date, span(t));
    r.e->text = t->getText();
    LiteralError err;
    if (!decode_date(r.e->text, r.e->date, err)) {
      error(r.e->span, err.message);
      return {};
    }
    return r;
  }

  // Decodes a string token; interpolations are parsed as expressions in place.
  E string_expr(Token* t) {
    E r = make(ExprKind::String, span(t));
    r.e->text = t->getText();
    std::vector<Interpolation> interps;
    std::vector<LiteralError> errors;
    bool ok = decode_string(r.e->text, r.e->pieces, interps, errors);
    for (const auto& e : errors) {
      Span es = r.e->span;
      es.col += e.offset;
      es.end_col = es.col + e.length;
      error(es, e.message);
    }
    if (!ok) return {};
    for (const auto& in : interps) {
      ExprPtr sub = s_.parse_expression(in.text, t->getTokenSource()->getSourceName(), t->getLine(),
                                        t->getCharPositionInLine() + in.offset, /*interpolation=*/true);
      if (!sub) {
        failed_ = true;
        return {};
      }
      E part;
      part.h = height(*sub);
      part.e = std::move(sub);
      if (!adopt(r, std::move(part))) return {};
    }
    return r;
  }

  // A string that must be plain text (import path, track label).
  bool plain_string(Token* t, const char* what, std::string& out) {
    E s = string_expr(t);
    if (!s) return false;
    if (!s.e->args.empty()) {
      error(span(t), fmt::format("{} cannot contain '{{…}}' (write \\{{ for a brace)", what));
      return false;
    }
    out = s.e->pieces[0];
    return true;
  }

  // The expression's tokens, concatenated: its text without whitespace and without
  // comments (a comment may hold anything, control characters included, and a label is
  // printed).
  static std::string source_text(ParserRuleContext* c) { return c->getText(); }

  // ---------------------------------------------------------------- types

  TypeRef type_ref(P::TypeRefContext* c) {
    TypeRef t;
    t.span = span(c);
    int exponent = 1;
    for (auto* child : c->children) {
      if (auto* term = dynamic_cast<TerminalNode*>(child)) {
        exponent = term->getSymbol()->getType() == P::SLASH ? -1 : 1;
        continue;
      }
      auto* f = dynamic_cast<P::TypeFactorContext*>(child);
      if (!f) continue;
      TypeFactor tf;
      tf.name = text(f->name(0));
      if (f->LBRACK()) tf.unit = text(f->name(1));
      tf.exponent = exponent;
      tf.span = span(f);
      t.factors.push_back(std::move(tf));
    }
    return t;
  }

  // ---------------------------------------------------------------- statements

  std::string assign_op(P::AssignOpContext* c) { return c->getText(); }

  Block block(P::BlockContext* c) {
    Block b;
    for (auto* st : c->statement())
      if (StmtPtr s = statement(st)) b.push_back(std::move(s));
    return b;
  }

  StmtPtr new_stmt(StmtKind k, ParserRuleContext* c) {
    auto s = std::make_unique<Stmt>();
    s->kind = k;
    s->span = span(c);
    return s;
  }

  StmtPtr if_stmt(P::IfStmtContext* c) {
    auto s = new_stmt(StmtKind::If, c);
    s->value = expr(c->expr()).e;
    s->then_block = block(c->block(0));
    if (c->ELSE()) {
      s->has_else = true;
      if (auto* nested = c->ifStmt()) {
        if (StmtPtr n = if_stmt(nested)) s->else_block.push_back(std::move(n));
      } else {
        s->else_block = block(c->block(1));
      }
    }
    return s;
  }

  StmtPtr statement(P::StatementContext* c) {
    if (auto* x = dynamic_cast<P::LetStmtContext*>(c)) {
      auto s = new_stmt(StmtKind::Let, c);
      s->name = text(x->name());
      s->name_span = span(x->name());
      s->value = expr(x->expr()).e;
      return s;
    }
    if (auto* x = dynamic_cast<P::SetStmtContext*>(c)) {
      auto s = new_stmt(StmtKind::SetParam, c);
      s->name = text(x->name());
      s->name_span = span(x->name());
      s->op = assign_op(x->assignOp());
      s->value = expr(x->expr()).e;
      return s;
    }
    if (auto* x = dynamic_cast<P::IfStatementContext*>(c)) return if_stmt(x->ifStmt());
    if (auto* x = dynamic_cast<P::DefaultStmtContext*>(c)) {
      auto s = new_stmt(StmtKind::Default, c);
      s->value = expr(x->expr()).e;
      return s;
    }
    if (auto* x = dynamic_cast<P::TerminateStmtContext*>(c)) {
      auto s = new_stmt(StmtKind::Terminate, c);
      if (x->expr()) s->value = expr(x->expr()).e;
      return s;
    }
    if (auto* x = dynamic_cast<P::EmitStmtContext*>(c)) {
      std::string word = text(x->name());
      if (word != "emit") {
        error(span(x->STRING()), fmt::format("unexpected string after '{}'; expected '=', '(' or '.' (or did you "
                                             "mean 'emit \"…\"'?)",
                                             word));
        return nullptr;
      }
      auto s = new_stmt(StmtKind::Emit, c);
      s->value = string_expr(x->STRING()->getSymbol()).e;
      return s;
    }
    if (auto* x = dynamic_cast<P::AssignStmtContext*>(c)) {
      auto s = new_stmt(StmtKind::Assign, c);
      s->target = target(x->target()).e;
      s->op = assign_op(x->assignOp());
      s->value = expr(x->expr()).e;
      return s;
    }
    if (auto* x = dynamic_cast<P::CallStmtContext*>(c)) {
      auto s = new_stmt(StmtKind::Expr, c);
      s->value = call(x->name(), x->callArgs(), span(c)).e;
      return s;
    }
    error(span(c), "unsupported statement");
    return nullptr;
  }

  E target(P::TargetContext* c) {
    E acc;
    if (c->SELF()) {
      acc = make(ExprKind::Name, span(c->SELF()));
      acc.e->name = "self";
    } else {
      acc = make(ExprKind::Name, span(c->name()));
      acc.e->name = text(c->name());
    }
    for (auto* f : c->fieldName()) {
      E r = make(ExprKind::Field, Span::cover(acc.e->span, span(f)));
      r.e->name = f->getText();
      r.e->op_span = span(f);
      if (!adopt(r, std::move(acc))) return {};
      acc = std::move(r);
    }
    return acc;
  }

  // ---------------------------------------------------------------- clauses, members

  Period period(P::PeriodContext* c, const char* after) {
    if (c->STEP()) return Period::Step;
    std::string w = text(c->name());
    if (w == "month") return Period::Month;
    if (w == "quarter") return Period::Quarter;
    if (w == "year") return Period::Year;
    error(span(c), fmt::format("expected 'step', 'month', 'quarter' or 'year' after '{}', found '{}'", after, w));
    return Period::Step;
  }

  Clause clause(P::ClauseContext* c) {
    Clause cl;
    if (auto* x = dynamic_cast<P::AtClauseContext*>(c)) {
      cl.kind = ClauseKind::At;
      cl.expr = expr(x->expr()).e;
      cl.span = span_to(c, x->block()->LBRACE());
      cl.body = block(x->block());
    } else if (auto* x = dynamic_cast<P::EveryClauseContext*>(c)) {
      cl.kind = ClauseKind::Every;
      cl.period = period(x->period(), "every");
      size_t k = 0;
      if (x->FROM()) cl.from = expr(x->expr(k++)).e;
      if (x->FOR()) cl.length = expr(x->expr(k++)).e;
      if (x->UNTIL()) cl.until = expr(x->expr(k++)).e;
      cl.span = span_to(c, x->block()->LBRACE());
      cl.body = block(x->block());
    } else if (auto* x = dynamic_cast<P::WhenClauseContext*>(c)) {
      cl.kind = ClauseKind::When;
      cl.expr = expr(x->expr()).e;
      cl.span = span_to(c, x->block()->LBRACE());
      cl.body = block(x->block());
    } else if (auto* x = dynamic_cast<P::WheneverClauseContext*>(c)) {
      cl.kind = ClauseKind::Whenever;
      cl.expr = expr(x->expr()).e;
      cl.span = span_to(c, x->block()->LBRACE());
      cl.body = block(x->block());
    } else if (auto* x = dynamic_cast<P::OnDefaultClauseContext*>(c)) {
      cl.kind = ClauseKind::OnDefault;
      cl.party = text(x->name());
      cl.party_span = span(x->name());
      cl.span = span_to(c, x->block()->LBRACE());
      cl.body = block(x->block());
    }
    return cl;
  }

  std::vector<Member> members(const std::vector<P::MemberContext*>& list, bool in_party) {
    std::vector<Member> out;
    for (auto* c : list) {
      Member m;
      m.span = span(c);
      if (auto* x = dynamic_cast<P::LetMemberContext*>(c)) {
        m.kind = MemberKind::Let;
        m.name = text(x->name());
        m.name_span = span(x->name());
        if (x->typeRef()) m.type = type_ref(x->typeRef());
        m.value = expr(x->expr()).e;
      } else if (auto* x = dynamic_cast<P::ValueMemberContext*>(c)) {
        if (!in_party) error(span(x->VALUE()), "'value' (an equity valuation) can only be declared in a party");
        m.kind = MemberKind::Value;
        m.name = "value";
        m.name_span = span(x->VALUE());
        m.value = expr(x->expr()).e;
      } else if (auto* x = dynamic_cast<P::FieldMemberContext*>(c)) {
        m.kind = MemberKind::Field;
        m.name = text(x->name());
        m.name_span = span(x->name());
        if (x->typeRef()) m.type = type_ref(x->typeRef());
        m.value = expr(x->expr()).e;
      } else if (auto* x = dynamic_cast<P::ClauseMemberContext*>(c)) {
        m.kind = MemberKind::Clause;
        m.clause = clause(x->clause());
      }
      out.push_back(std::move(m));
    }
    return out;
  }

  std::vector<Param> params(P::ParamListContext* c, bool defaults_allowed) {
    std::vector<Param> out;
    if (!c) return out;
    for (auto* p : c->param()) {
      Param prm;
      prm.name = text(p->name());
      prm.span = span(p->name());
      prm.type = type_ref(p->typeRef());
      if (p->expr()) {
        if (!defaults_allowed) error(span(p->expr()), "a default value is only allowed for a contract parameter");
        prm.default_value = expr(p->expr()).e;
      }
      out.push_back(std::move(prm));
    }
    return out;
  }

  std::unique_ptr<DealDecl> deal(P::DealDeclContext* c) {
    auto d = std::make_unique<DealDecl>();
    d->name = text(c->name(0));
    d->name_span = span(c->name(0));
    d->span = span(c);
    d->contract = text(c->name(1));
    d->contract_span = span(c->name(1));
    for (auto* a : c->callArgs()->arg()) {
      Arg arg;
      if (a->name()) {
        arg.name = text(a->name());
        arg.name_span = span(a->name());
      }
      arg.value = expr(a->expr()).e;
      d->args.push_back(std::move(arg));
    }
    return d;
  }

  // ---------------------------------------------------------------- declarations

  bool declaration(P::DeclarationContext* c, Decl& d) {
    if (auto* x = c->importDecl()) {
      d.kind = DeclKind::Import;
      d.import = std::make_unique<ImportDecl>();
      d.import->span = span(x);
      d.import->path_span = span(x->STRING());
      plain_string(x->STRING()->getSymbol(), "an import path", d.import->path);
    } else if (auto* x = c->calendarDecl()) {
      d.kind = DeclKind::Calendar;
      d.calendar = std::make_unique<CalendarDecl>();
      d.calendar->span = span(x);
      d.calendar->from = expr(x->expr(0)).e;
      d.calendar->to = expr(x->expr(1)).e;
      std::string w = text(x->name());
      if (w == "month") d.calendar->step = Period::Month;
      else if (w == "quarter") d.calendar->step = Period::Quarter;
      else if (w == "year") d.calendar->step = Period::Year;
      else error(span(x->name()), fmt::format("expected 'month', 'quarter' or 'year' after 'step', found '{}'", w));
    } else if (auto* x = c->unitDecl()) {
      d.kind = DeclKind::Unit;
      d.unit = std::make_unique<UnitDecl>();
      d.unit->name = text(x->name());
      d.unit->span = span(x->name());
      const std::string& n = d.unit->name;
      if (n == "k" || n == "M" || n == "B" || n == "T")
        error(span(x->name()), fmt::format("a unit cannot be named '{}': k, M, B and T are scale suffixes", n));
    } else if (auto* x = c->paramDecl()) {
      d.kind = DeclKind::Param;
      d.param = std::make_unique<ParamDecl>();
      d.param->name = text(x->name());
      d.param->name_span = span(x->name());
      d.param->span = span(x);
      if (x->typeRef()) d.param->type = type_ref(x->typeRef());
      d.param->value = expr(x->expr()).e;
    } else if (auto* x = c->partyDecl()) {
      d.kind = DeclKind::Party;
      d.party = std::make_unique<PartyDecl>();
      d.party->name = text(x->name(0));
      d.party->name_span = span(x->name(0));
      d.party->span = span(x);
      if (x->IS()) {
        d.party->kind = text(x->name(1));
        d.party->kind_span = span(x->name(1));
      }
      d.party->members = members(x->member(), true);
      d.party->close_span = span(x->RBRACE());
    } else if (auto* x = c->contractDecl()) {
      d.kind = DeclKind::Contract;
      d.contract = std::make_unique<ContractDecl>();
      d.contract->name = text(x->name());
      d.contract->name_span = span(x->name());
      d.contract->span = span(x);
      d.contract->params = params(x->paramList(), true);
      d.contract->members = members(x->member(), false);
    } else if (auto* x = c->dealDecl()) {
      d.kind = DeclKind::Deal;
      d.deal = deal(x);
    } else if (auto* x = c->fnDecl()) {
      d.kind = DeclKind::Fn;
      d.fn = std::make_unique<FnDecl>();
      d.fn->name = text(x->name());
      d.fn->name_span = span(x->name());
      d.fn->span = span(x);
      d.fn->params = params(x->paramList(), false);
      if (x->typeRef()) d.fn->result = type_ref(x->typeRef());
      d.fn->body = expr(x->expr()).e;
    } else if (auto* x = c->externFnDecl()) {
      d.kind = DeclKind::Fn;
      d.fn = std::make_unique<FnDecl>();
      d.fn->name = text(x->name());
      d.fn->name_span = span(x->name());
      d.fn->span = span(x);
      d.fn->params = params(x->paramList(), false);
      d.fn->result = type_ref(x->typeRef());
      d.fn->is_extern = true;
    } else if (auto* x = c->shockDecl()) {
      d.kind = DeclKind::Shock;
      d.shock = std::make_unique<ShockDecl>();
      d.shock->name = text(x->name());
      d.shock->name_span = span(x->name());
      d.shock->span = span(x);
      for (auto* it : x->shockItem()) d.shock->items.push_back(shock_item(it));
    } else if (auto* x = c->scenarioDecl()) {
      d.kind = DeclKind::Scenario;
      d.scenario = std::make_unique<ScenarioDecl>();
      d.scenario->name = text(x->name(0));
      d.scenario->name_span = span(x->name(0));
      d.scenario->span = span(x);
      if (x->EXTENDS()) {
        d.scenario->extends = text(x->name(1));
        d.scenario->extends_span = span(x->name(1));
      }
      for (auto* it : x->scenarioItem()) d.scenario->items.push_back(scenario_item(it));
    } else {
      error(span(c), "unsupported declaration");
    }
    return !failed_;
  }

  ShockItem shock_item(P::ShockItemContext* c) {
    ShockItem it;
    it.span = span(c);
    if (auto* x = dynamic_cast<P::ShockSetContext*>(c)) {
      it.kind = ShockItemKind::Set;
      it.set = new_stmt(StmtKind::SetParam, c);
      it.set->name = text(x->name());
      it.set->name_span = span(x->name());
      it.set->op = assign_op(x->assignOp());
      it.set->value = expr(x->expr()).e;
    } else if (auto* x = dynamic_cast<P::ShockClauseContext*>(c)) {
      it.kind = ShockItemKind::Clause;
      it.clause = clause(x->clause());
      if (it.clause.kind != ClauseKind::At && it.clause.kind != ClauseKind::When)
        error(span(x->clause()->getStart()), "a shock can only contain 'set', 'at', 'when' and 'deal'");
    } else if (auto* x = dynamic_cast<P::ShockDealContext*>(c)) {
      it.kind = ShockItemKind::Deal;
      it.deal = deal(x->dealDecl());
    }
    return it;
  }

  ScenarioItem scenario_item(P::ScenarioItemContext* c) {
    ScenarioItem it;
    it.span = span(c);
    if (auto* x = dynamic_cast<P::ApplyItemContext*>(c)) {
      it.kind = ScenarioItemKind::Apply;
      for (auto* n : x->name()) {
        it.names.push_back(text(n));
        it.name_spans.push_back(span(n));
      }
    } else if (auto* x = dynamic_cast<P::ParamItemContext*>(c)) {
      it.kind = ScenarioItemKind::Param;
      it.param = text(x->name(0));
      it.param_span = span(x->name(0));
      if (x->ASSIGN()) {
        it.value = expr(x->expr()).e;
      } else {
        Distribution d;
        d.name = text(x->name(1));
        d.span = Span::cover(span(x->name(1)), span(x->callArgs()));
        for (auto* a : x->callArgs()->arg()) {
          if (a->name())
            error(span(a->name()),
                  fmt::format("a distribution takes its arguments in order; remove '{}:'", text(a->name())));
          d.args.push_back(expr(a->expr()).e);
        }
        it.dist = std::move(d);
      }
    } else if (auto* x = dynamic_cast<P::HorizonItemContext*>(c)) {
      it.kind = ScenarioItemKind::Horizon;
      it.value = expr(x->expr()).e;
    } else if (auto* x = dynamic_cast<P::PathsItemContext*>(c)) {
      it.kind = ScenarioItemKind::Paths;
      it.value = expr(x->expr()).e;
    } else if (auto* x = dynamic_cast<P::SeedItemContext*>(c)) {
      it.kind = ScenarioItemKind::Seed;
      it.value = expr(x->expr()).e;
    } else if (auto* x = dynamic_cast<P::ClearingItemContext*>(c)) {
      it.kind = ScenarioItemKind::Clearing;
      for (auto* s : x->setting()) {
        std::string n = text(s->name());
        if (n != "alpha" && n != "beta")
          error(span(s->name()), fmt::format("unknown clearing setting '{}'; expected 'alpha' or 'beta'", n));
        it.settings.emplace_back(n, expr(s->expr()).e);
        it.setting_spans.push_back(span(s->name()));
      }
    } else if (auto* x = dynamic_cast<P::TrackListContext*>(c)) {
      it.kind = ScenarioItemKind::Track;
      for (auto* t : x->trackItem()) {
        TrackItem ti;
        ti.expr = expr(t->expr()).e;
        ti.source_text = source_text(t->expr());
        if (t->STRING()) {
          ti.label_span = span(t->STRING());
          plain_string(t->STRING()->getSymbol(), "a track label", ti.label);
        }
        it.tracks.push_back(std::move(ti));
      }
    }
    return it;
  }

 private:
  Session& s_;
  uint32_t file_;
  uint32_t max_height_;
  bool failed_ = false;
  bool height_reported_ = false;
};

}  // namespace

void build_chunk(Session& session, DealParser::ChunkContext* chunk, Module& out) {
  if (!chunk->declaration()) return;
  Builder b(session);
  Decl d{};
  if (b.declaration(chunk->declaration(), d) && !b.failed()) out.decls.push_back(std::move(d));
}

ExprPtr build_expression_input(Session& session, DealParser::ExprInputContext* input) {
  Builder b(session);
  Builder::E e = b.expr(input->expr());
  if (b.failed()) return nullptr;
  return std::move(e.e);
}

}  // namespace detail

// ------------------------------------------------------------------ public entry points

namespace {

bool too_large(const SourceFile& f, uint32_t file, Diagnostics& diags, const ParseLimits& limits) {
  if (f.text.size() <= limits.max_bytes) return false;
  diags
      .error({file, 1, 1, 1, 2},
             fmt::format("file is too large ({} bytes; the limit is {} bytes)", f.text.size(), limits.max_bytes))
      .with_id(codes::kSyntax);  // refused by the parser, whichever stage asked
  return true;
}

}  // namespace

Module parse_module(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits) {
  ParseStats unused;
  return parse_module(sm, file, diags, limits, unused);
}

Module parse_module(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits,
                    ParseStats& stats) {
  Module m;
  m.file = file;
  if (file == 0 || file > sm.size()) {
    diags.error({}, fmt::format("internal error: no source file with id {}", file));
    return m;
  }
  const SourceFile& f = sm.file(file);
  if (too_large(f, file, diags, limits)) return m;
  detail::ErrorSink sink(diags, file);
  try {
    detail::Session session(sink, limits, &stats);
    session.parse_module(f.text, f.path, m);
  } catch (const std::exception& e) {
    sink.flush();
    diags.error({file, 1, 1, 1, 2}, fmt::format("internal error in the parser: {}", e.what()));
  } catch (...) {
    // ANTLR has been known to throw C string literals.
    sink.flush();
    diags.error({file, 1, 1, 1, 2}, "internal error in the parser");
  }
  return m;
}

ExprPtr parse_expression(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits) {
  if (file == 0 || file > sm.size()) {
    diags.error({}, fmt::format("internal error: no source file with id {}", file));
    return nullptr;
  }
  const SourceFile& f = sm.file(file);
  if (too_large(f, file, diags, limits)) return nullptr;
  detail::ErrorSink sink(diags, file);
  ExprPtr e;
  bool clean = false;
  try {
    detail::Session session(sink, limits);
    sink.begin_chunk();
    e = session.parse_expression(f.text, f.path, 1, 0);
    clean = sink.chunk_clean();
    sink.flush();
  } catch (const detail::TooManyErrors&) {
    sink.give_up();
  } catch (const std::exception& ex) {
    sink.flush();
    diags.error({file, 1, 1, 1, 2}, fmt::format("internal error in the parser: {}", ex.what()));
  } catch (...) {
    sink.flush();
    diags.error({file, 1, 1, 1, 2}, "internal error in the parser");
  }
  if (!clean) return nullptr;
  return e;
}

}  // namespace deal::ast
