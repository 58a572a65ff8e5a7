#include "compiler/ast/syntax.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <initializer_list>
#include <optional>

namespace deal::ast::detail {

using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::misc::IntervalSet;
using P = DealParser;

// ------------------------------------------------------------------ spans

Span token_span(uint32_t file, const Token* t) {
  auto line = static_cast<uint32_t>(t->getLine());
  auto col = static_cast<uint32_t>(t->getCharPositionInLine()) + 1;
  uint32_t len = 0;
  if (t->getType() != Token::EOF && t->getStopIndex() >= t->getStartIndex() &&
      t->getStartIndex() != INVALID_INDEX)
    len = static_cast<uint32_t>(t->getStopIndex() - t->getStartIndex() + 1);
  return {file, line, col, line, col + len};
}

Span span_after(uint32_t file, const Token* t) {
  Span s = token_span(file, t);
  return {file, s.end_line, s.end_col, s.end_line, s.end_col + 1};
}

// ------------------------------------------------------------------ error sink

void ErrorSink::begin_chunk() {
  pending_.clear();
  chunk_errors_ = 0;
  has_lex_error_ = false;
}

void ErrorSink::add(Span span, std::string message) {
  pending_.push_back({span, std::move(message), pending_.size()});
  ++total_;
  ++chunk_errors_;
  if (total_ >= kMaxSyntaxErrors) throw TooManyErrors{};
}

void ErrorSink::lex_error(Span span, std::string message) {
  if (!has_lex_error_ || span.line < lex_line_ || (span.line == lex_line_ && span.col < lex_col_)) {
    has_lex_error_ = true;
    lex_line_ = span.line;
    lex_col_ = span.col;
  }
  add(span, std::move(message));
}

bool ErrorSink::parse_error(Span span, Span found, std::string message) {
  if (has_lex_error_ && (found.line > lex_line_ || (found.line == lex_line_ && found.col >= lex_col_))) {
    ++chunk_errors_;
    return false;
  }
  add(span, std::move(message));
  return true;
}

void ErrorSink::error(Span span, std::string message) { add(span, std::move(message)); }

void ErrorSink::flush() {
  // By position; reports at the same place keep their order (`order` breaks ties).
  std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
    if (a.span.line != b.span.line) return a.span.line < b.span.line;
    if (a.span.col != b.span.col) return a.span.col < b.span.col;
    return a.order < b.order;
  });
  for (auto& p : pending_) diags_.error(p.span, std::move(p.message));
  pending_.clear();
}

void ErrorSink::give_up() {
  flush();
  diags_.add({Severity::Note, {}, fmt::format("stopped after {} syntax errors in this file", kMaxSyntaxErrors), {}});
}

// ------------------------------------------------------------------ token classes

namespace {

bool is_keyword(size_t t) { return t >= P::CALENDAR && t <= P::CLEARING; }
bool is_opener(size_t t) { return t == P::LPAREN || t == P::LBRACE || t == P::LBRACK; }
bool is_closer(size_t t) { return t == P::RPAREN || t == P::RBRACE || t == P::RBRACK; }
size_t closer_of(size_t t) { return t == P::LPAREN ? P::RPAREN : t == P::LBRACE ? P::RBRACE : P::RBRACK; }

// Keywords that begin a top-level declaration. `param` and `deal` also appear inside
// scenario and shock bodies, so they split chunks only outside braces.
bool starts_declaration(size_t t) {
  switch (t) {
    case P::IMPORT: case P::CALENDAR: case P::UNIT: case P::PARAM: case P::PARTY:
    case P::CONTRACT: case P::DEAL: case P::FN: case P::EXTERN: case P::SHOCK: case P::SCENARIO:
      return true;
    default:
      return false;
  }
}
bool only_top_level(size_t t) { return starts_declaration(t) && t != P::PARAM && t != P::DEAL; }

// Keywords that start a declaration, member, clause, item or statement: seeing one
// where a closing bracket was expected means the bracket was forgotten.
bool is_structural(size_t t) {
  if (starts_declaration(t)) return true;
  switch (t) {
    case P::AT: case P::EVERY: case P::WHEN: case P::WHENEVER: case P::ON: case P::LET:
    case P::VALUE: case P::SET: case P::TRACK: case P::APPLY: case P::PATHS: case P::SEED:
    case P::HORIZON: case P::CLEARING: case P::IF: case P::DEFAULT: case P::TERMINATE:
      return true;
    default:
      return false;
  }
}

std::string quote_text(std::string_view text) {
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < text.size();) {
    if (++shown > 24) {
      out += "…";
      break;
    }
    CodePoint cp = decode_code_point(text, i);
    if (!cp.valid) {
      for (size_t k = 0; k < cp.length; ++k) out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i + k]));
    } else if (cp.value < 0x20 || cp.value == 0x7F) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned>(cp.value));
    } else {
      out.append(text.substr(i, cp.length));
    }
    i += cp.length;
  }
  return "'" + out + "'";
}

}  // namespace

// ------------------------------------------------------------------ token feed

void TokenFeed::begin_chunk() {
  started_ = false;
  done_ = false;
  failed_ = false;
  brace_depth_ = bracket_depth_ = prefix_run_ = 0;
  last_type_ = 0;
}

bool TokenFeed::is_boundary(size_t type) const {
  if (!chunked_ || !started_) return false;
  if (type == P::FN && last_type_ == P::EXTERN) return false;  // `extern fn` is one declaration
  // Right after `(`, `,` or `.` a keyword stands where a name belongs (`contract c(deal:
  // Deal)`); splitting there would turn "reserved word" into a confusing unclosed `(`.
  if (last_type_ == P::LPAREN || last_type_ == P::COMMA || last_type_ == P::DOT) return false;
  return brace_depth_ == 0 ? starts_declaration(type) : only_top_level(type);
}

std::unique_ptr<Token> TokenFeed::make_eof(const Token* at) {
  auto eof = std::make_unique<antlr4::CommonToken>(Token::EOF);
  if (at) {
    eof->setLine(at->getLine());
    eof->setCharPositionInLine(at->getCharPositionInLine());
    eof->setStartIndex(at->getStartIndex());
    eof->setStopIndex(at->getStartIndex() - 1);
  } else {
    eof->setLine(lexer_.getLine());
    eof->setCharPositionInLine(lexer_.getCharPositionInLine());
  }
  eof->setText("<EOF>");
  return eof;
}

void TokenFeed::fail(const Token* at, bool blocks) {
  if (failed_) return;
  failed_ = true;
  sink_.lex_error(token_span(sink_.file(), at),
                  fmt::format("{} nested too deeply (limit {})", blocks ? "blocks" : "expression", max_depth_));
}

std::unique_ptr<Token> TokenFeed::raw() {
  while (true) {
    std::unique_ptr<Token> t = lookahead_ ? std::move(lookahead_) : lexer_.nextToken();
    const uint32_t file = sink_.file();
    switch (t->getType()) {
      case P::ERROR_CHAR: {
        // A run of characters that start no token is one error, not one per byte.
        Span span = token_span(file, t.get());
        std::string text = t->getText();
        size_t count = 1, stop = t->getStopIndex();
        while (true) {
          std::unique_ptr<Token> n = lexer_.nextToken();
          if (n->getType() == P::ERROR_CHAR && n->getStartIndex() == stop + 1 && n->getLine() == span.line) {
            text += n->getText();
            stop = n->getStopIndex();
            span.end_col = token_span(file, n.get()).end_col;
            ++count;
            continue;
          }
          lookahead_ = std::move(n);
          break;
        }
        std::string message;
        if (count > 1) {
          message = fmt::format("unexpected characters {}", quote_text(text));
        } else {
          CodePoint cp = decode_code_point(text, 0);
          std::string hint;
          switch (cp.value) {
            case '!': hint = "; write 'not' for negation and '!=' for 'not equal'"; break;
            case '&': hint = "; write 'and'"; break;
            case '|': hint = "; write 'or'"; break;
            case '\'': hint = "; strings use double quotes"; break;
            case '#': hint = "; comments start with //"; break;
            case '%': hint = "; '%' must follow a number with no space, as in 60%"; break;
            default: break;
          }
          if (!cp.valid)
            message = fmt::format("invalid UTF-8 byte {}", quote_text(text));
          else if (cp.value >= 0x80)
            message = fmt::format("unexpected character {} (U+{:04X}); names use ASCII letters, digits and '_'",
                                  quote_text(text), static_cast<unsigned>(cp.value));
          else
            message = fmt::format("unexpected character {}{}", quote_text(text), hint);
        }
        sink_.lex_error(span, std::move(message));
        continue;
      }
      case P::BAD_DOLLAR:
        sink_.lex_error(token_span(file, t.get()), "'$' must be followed by a number, as in $38B");
        continue;
      case P::UNTERMINATED_STRING: {
        Span s = token_span(file, t.get());
        s.end_col = s.col + 1;
        sink_.lex_error(s, "unterminated string (a string must end with '\"' on the same line)");
        continue;
      }
      case P::UNTERMINATED_COMMENT: {
        Span s = token_span(file, t.get());
        s.end_line = s.line;
        s.end_col = s.col + 2;
        sink_.lex_error(s, "unterminated comment: '/*' has no matching '*/'");
        continue;
      }
      default:
        return t;
    }
  }
}

std::unique_ptr<Token> TokenFeed::nextToken() {
  if (done_) return make_eof(pending_ ? pending_.get() : nullptr);
  while (true) {
    std::unique_ptr<Token> t = pending_ ? std::move(pending_) : raw();
    size_t type = t->getType();
    if (type == Token::EOF) {
      done_ = true;
      eof_seen_ = true;
      return t;
    }
    if (is_boundary(type)) {
      pending_ = std::move(t);
      done_ = true;
      return make_eof(pending_.get());
    }
    started_ = true;
    last_type_ = type;
    // Nesting is refused here, token by token, so runaway input is never buffered.
    // The parser's own counter (DepthLimitedParser) covers what brackets do not show:
    // `^` chains, if-else chains.
    if (is_opener(type)) {
      if (type == P::LBRACE) ++brace_depth_;
      if (++bracket_depth_ > max_depth_) fail(t.get(), type == P::LBRACE);
    } else if (is_closer(type)) {
      if (type == P::RBRACE && brace_depth_ > 0) --brace_depth_;
      if (bracket_depth_ > 0) --bracket_depth_;
    }
    if (type == P::MINUS || type == P::PLUS || type == P::NOT) {
      if (++prefix_run_ > max_depth_) fail(t.get(), false);
    } else {
      prefix_run_ = 0;
    }
    if (failed_) continue;  // skip the rest of the chunk
    return t;
  }
}

// ------------------------------------------------------------------ depth-limited parser

bool DepthLimitedParser::counted(size_t rule) {
  switch (rule) {
    case RuleParen: case RuleNegation: case RuleNotOp: case RuleExponent: case RuleIfExpr:
    case RuleCallArgs: case RuleBlock: case RuleIfStmt:
      return true;
    default:
      return false;
  }
}

void DepthLimitedParser::Counter::enterEveryRule(ParserRuleContext* ctx) {
  if (counted(ctx->getRuleIndex())) ++depth;
}

void DepthLimitedParser::Counter::exitEveryRule(ParserRuleContext* ctx) {
  if (counted(ctx->getRuleIndex()) && depth > 0) --depth;
}

void DepthLimitedParser::enterOuterAlt(ParserRuleContext* ctx, size_t alt) {
  DealParser::enterOuterAlt(ctx, alt);
  // Checked here rather than on rule entry: the generated code installs its exitRule()
  // guard between the two calls, so throwing here unwinds the context stack properly.
  if (counter_.depth > limit_) {
    size_t rule = ctx->getRuleIndex();
    throw NestingTooDeep{getCurrentToken(), rule == RuleBlock || rule == RuleIfStmt};
  }
}

// ------------------------------------------------------------------ friendly errors

namespace {

// The statement, member, item or declaration an error belongs to.
ParserRuleContext* error_unit(ParserRuleContext* ctx) {
  for (auto* c = ctx; c; c = dynamic_cast<ParserRuleContext*>(c->parent)) {
    if (dynamic_cast<P::StatementContext*>(c) || dynamic_cast<P::MemberContext*>(c) ||
        dynamic_cast<P::ShockItemContext*>(c) || dynamic_cast<P::ScenarioItemContext*>(c) ||
        dynamic_cast<P::ParamContext*>(c) || dynamic_cast<P::SettingContext*>(c) ||
        dynamic_cast<P::DeclarationContext*>(c) || dynamic_cast<P::ChunkContext*>(c) ||
        dynamic_cast<P::ExprInputContext*>(c))
      return c;
  }
  return nullptr;
}

bool inside_scenario(ParserRuleContext* ctx) {
  for (auto* c = ctx; c; c = dynamic_cast<ParserRuleContext*>(c->parent))
    if (dynamic_cast<P::ScenarioDeclContext*>(c)) return true;
  return false;
}

struct Opener {
  ParserRuleContext* ctx;
  Token* token;
};

// The innermost construct with an unclosed bracket whose closer is expected.
std::optional<Opener> innermost_open(ParserRuleContext* ctx, const IntervalSet& expected) {
  for (auto* c = ctx; c; c = dynamic_cast<ParserRuleContext*>(c->parent)) {
    std::vector<Token*> open;
    for (auto* child : c->children) {
      if (dynamic_cast<antlr4::tree::ErrorNode*>(child)) continue;
      auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (!term) continue;
      Token* tok = term->getSymbol();
      if (is_opener(tok->getType())) open.push_back(tok);
      else if (is_closer(tok->getType()) && !open.empty() && closer_of(open.back()->getType()) == tok->getType())
        open.pop_back();
    }
    if (!open.empty() && expected.contains(closer_of(open.back()->getType()))) return Opener{c, open.back()};
  }
  return std::nullopt;
}

// The declared name of a construct, if it parsed.
template <class Ctx>
std::string name_of(Ctx* c) {
  if (!c) return {};
  std::string n = c->getText();
  if (n.empty() || n[0] == '<') return {};
  return n;
}

// " 'name'", or nothing when the construct's name did not parse.
std::string quoted_name(const std::string& name) { return name.empty() ? "" : " '" + name + "'"; }

// Describes the construct whose bracket is still open: "the party 'A' started at line 2".
std::string describe_opener(const Opener& o) {
  ParserRuleContext* c = o.ctx;
  size_t line = c->getStart()->getLine();  // where the construct's keyword is
  size_t at = o.token->getLine();          // where the bracket is
  std::string what;
  if (auto* x = dynamic_cast<P::PartyDeclContext*>(c)) {
    what = "the party" + quoted_name(x->name().empty() ? "" : name_of(x->name(0)));
  } else if (auto* x = dynamic_cast<P::ContractDeclContext*>(c)) {
    what = (o.token->getType() == P::LBRACE ? "the contract" : "the parameter list of contract") +
           quoted_name(name_of(x->name()));
  } else if (auto* x = dynamic_cast<P::FnDeclContext*>(c)) {
    what = "the parameter list of fn" + quoted_name(name_of(x->name()));
  } else if (auto* x = dynamic_cast<P::ExternFnDeclContext*>(c)) {
    what = "the parameter list of fn" + quoted_name(name_of(x->name()));
  } else if (auto* x = dynamic_cast<P::ShockDeclContext*>(c)) {
    what = "the shock" + quoted_name(name_of(x->name()));
  } else if (auto* x = dynamic_cast<P::ScenarioDeclContext*>(c)) {
    what = "the scenario" + quoted_name(x->name().empty() ? "" : name_of(x->name(0)));
  } else if (dynamic_cast<P::ClearingItemContext*>(c)) {
    what = "the 'clearing' block";
  } else if (dynamic_cast<P::BlockContext*>(c)) {
    auto* parent = dynamic_cast<ParserRuleContext*>(c->parent);
    line = parent ? parent->getStart()->getLine() : at;
    if (dynamic_cast<P::AtClauseContext*>(parent)) what = "the 'at' block";
    else if (dynamic_cast<P::EveryClauseContext*>(parent)) what = "the 'every' block";
    else if (dynamic_cast<P::WhenClauseContext*>(parent)) what = "the 'when' block";
    else if (dynamic_cast<P::WheneverClauseContext*>(parent)) what = "the 'whenever' block";
    else if (dynamic_cast<P::OnDefaultClauseContext*>(parent)) what = "the 'on default' block";
    else if (auto* ifs = dynamic_cast<P::IfStmtContext*>(parent)) {
      bool else_block = ifs->ELSE() && ifs->block().size() > 1 && ifs->block(1) == c;
      what = else_block ? "the 'else' block" : "the 'if' block";
      if (else_block) line = at;
    } else {
      what = "the block";
    }
  } else if (dynamic_cast<P::CallArgsContext*>(c)) {
    std::string callee;
    if (auto* x = dynamic_cast<P::NameOrCallContext*>(c->parent)) callee = name_of(x->name());
    else if (auto* x = dynamic_cast<P::CallStmtContext*>(c->parent)) callee = name_of(x->name());
    else if (auto* x = dynamic_cast<P::DealDeclContext*>(c->parent)) callee = x->name().size() > 1 ? name_of(x->name(1)) : "";
    else if (auto* x = dynamic_cast<P::ParamItemContext*>(c->parent)) callee = x->name().size() > 1 ? name_of(x->name(1)) : "";
    what = callee.empty() ? "the call" : fmt::format("the call to '{}'", callee);
    line = at;
  } else {
    return fmt::format("the '{}' opened at line {}", o.token->getText(), at);
  }
  return fmt::format("{} started at line {}", what, line);
}

std::string token_name(const antlr4::dfa::Vocabulary& vocab, size_t t) {
  switch (t) {
    case P::ID: return "a name";
    case P::NUMBER: return "a number";
    case P::STRING: return "a string";
    case P::DATE: return "a date";
    default: break;
  }
  std::string lit = vocab.getLiteralName(t);
  if (!lit.empty()) return lit;
  return vocab.getSymbolicName(t);
}

}  // namespace

std::string FriendlyErrorStrategy::describe_found(Token* t) const {
  if (t->getType() == Token::EOF) {
    if (const Token* b = feed_.boundary()) return quote_text(const_cast<Token*>(b)->getText());
    if (interpolation_) return "'}'";
    return "end of file";
  }
  if (t->getType() == P::STRING) {
    std::string q = quote_text(t->getText());  // already has its own double quotes
    return "string " + q.substr(1, q.size() - 2);
  }
  return quote_text(t->getText());
}

bool FriendlyErrorStrategy::is_end_like(Token* t, const IntervalSet& expected) const {
  size_t type = t->getType();
  if (type == Token::EOF) return !interpolation_;
  if (expected.contains(type)) return false;
  return is_closer(type) || is_structural(type);
}

std::string FriendlyErrorStrategy::describe_expected(const antlr4::dfa::Vocabulary& vocab,
                                                     const IntervalSet& expected_in,
                                                     const std::string& closer_note) const {
  IntervalSet s = expected_in;
  s.remove(Token::EPSILON);
  auto has_all = [&](std::initializer_list<size_t> ts) {
    for (size_t t : ts)
      if (!s.contains(t)) return false;
    return true;
  };
  auto remove = [&](std::initializer_list<size_t> ts) {
    for (size_t t : ts) s.remove(t);
  };
  std::vector<std::string> groups, tokens;
  bool decl = has_all({P::IMPORT, P::CALENDAR, P::UNIT, P::PARTY, P::CONTRACT, P::FN, P::SHOCK, P::SCENARIO});
  bool scen = has_all({P::APPLY, P::PARAM, P::HORIZON, P::PATHS, P::SEED, P::CLEARING, P::TRACK});
  bool shock = has_all({P::SET, P::AT, P::WHEN, P::DEAL});
  bool member = has_all({P::LET, P::VALUE, P::AT, P::EVERY, P::WHEN, P::WHENEVER, P::ON});
  bool stmt = has_all({P::LET, P::SET, P::IF, P::DEFAULT, P::TERMINATE});
  bool expr = has_all({P::NUMBER, P::DATE, P::STRING, P::TRUE, P::FALSE, P::WORLD, P::ID, P::LPAREN});
  size_t ops = 0;
  for (size_t t : {P::PLUS, P::MINUS, P::STAR, P::SLASH, P::CARET, P::LT, P::LE, P::GT, P::GE, P::EQ, P::NE,
                   P::AND, P::OR, P::DOT})
    ops += s.contains(t) ? 1 : 0;
  bool end = s.contains(Token::EOF);
  if (decl) {
    groups.push_back("a declaration");
    remove({P::IMPORT, P::CALENDAR, P::UNIT, P::PARAM, P::PARTY, P::CONTRACT, P::DEAL, P::FN, P::EXTERN,
            P::SHOCK, P::SCENARIO});
  }
  if (end) {
    if (!end_of_input_.empty()) groups.push_back(end_of_input_);
    else if (!decl) groups.push_back("a declaration");
    s.remove(Token::EOF);
  }
  if (scen) {
    groups.push_back("a scenario item ('apply', 'param', 'horizon', 'paths', 'seed', 'clearing' or 'track')");
    remove({P::APPLY, P::PARAM, P::HORIZON, P::PATHS, P::SEED, P::CLEARING, P::TRACK});
  }
  if (shock) {
    groups.push_back("a shock item ('set', 'at', 'when' or 'deal')");
    remove({P::SET, P::AT, P::WHEN, P::DEAL, P::EVERY, P::WHENEVER, P::ON});
  }
  if (member) {
    groups.push_back("a member (a field, 'let', 'value' or a clause)");
    remove({P::LET, P::VALUE, P::AT, P::EVERY, P::WHEN, P::WHENEVER, P::ON, P::ID});
  }
  if (stmt) {
    groups.push_back("a statement");
    remove({P::LET, P::SET, P::IF, P::DEFAULT, P::TERMINATE, P::ID, P::SELF});
  }
  if (expr) {
    groups.push_back("an expression");
    remove({P::NUMBER, P::DATE, P::STRING, P::TRUE, P::FALSE, P::SELF, P::WORLD, P::ID, P::LPAREN, P::IF,
            P::MINUS, P::PLUS, P::NOT});
  }
  if (ops >= 3) {
    remove({P::PLUS, P::MINUS, P::STAR, P::SLASH, P::CARET, P::LT, P::LE, P::GT, P::GE, P::EQ, P::NE, P::AND,
            P::OR, P::DOT});
  }
  std::vector<std::string> closers;
  if (s.contains(size_t(P::ID)) && s.contains(size_t(P::VALUE)) && s.size() == 2) return "a field name";
  if (s.contains(size_t(P::ASSIGN))) {  // the plain `=` first: it is what is usually meant
    tokens.push_back("'='");
    s.remove(size_t(P::ASSIGN));
  }
  for (size_t t : s.toList()) {
    if (t == P::SEMI && (s.size() > 1 || !groups.empty())) continue;  // never the interesting choice
    (is_closer(t) ? closers : tokens).push_back(token_name(vocab, t));
  }
  std::vector<std::string> items = groups;
  items.insert(items.end(), tokens.begin(), tokens.end());
  if (items.empty() && ops >= 3) items.push_back("an operator");
  items.insert(items.end(), closers.begin(), closers.end());
  if (items.empty()) return "something else";
  // The innermost open bracket is closed by the last item: say which construct it closes.
  if (!closer_note.empty() && !closers.empty()) items.back() += " " + closer_note;
  if (items.size() > 6) items.resize(6), items.push_back("…");
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

void FriendlyErrorStrategy::report(antlr4::Parser* p, Token* found, const IntervalSet& expected,
                                   ParserRuleContext* ctx, Token* decision_start, bool missing) {
  const uint32_t file = sink_.file();
  // Recovery can meet the same bad token again from an enclosing rule.
  if (!reported_tokens_.insert(found->getTokenIndex()).second) {
    sink_.suppressed();
    return;
  }
  if (ParserRuleContext* unit = error_unit(ctx)) {
    if (units_.count({unit->getStart()->getTokenIndex(), unit->getRuleIndex()})) {
      sink_.suppressed();
      return;
    }
    for (auto* u = unit; u; u = error_unit(dynamic_cast<ParserRuleContext*>(u->parent)))
      units_.insert({u->getStart()->getTokenIndex(), u->getRuleIndex()});
  }
  // The token before the offending one (not before the parser's position: prediction
  // can fail several tokens ahead).
  auto* tokens = dynamic_cast<antlr4::BufferedTokenStream*>(p->getTokenStream());
  size_t found_at = found->getTokenIndex();
  Token* prev = nullptr;
  if (tokens && found_at != INVALID_INDEX && found_at > 0 && found_at <= tokens->size())
    prev = tokens->get(found_at - 1);
  else if (!tokens && p->getTokenStream()->index() > 0)
    prev = p->getTokenStream()->LT(-1);
  size_t ftype = found->getType();
  // In an interpolation the end of the text is the closing brace, a visible token.
  bool real_eof = ftype == Token::EOF && !feed_.boundary() && !interpolation_;
  std::string msg;
  Span span;
  std::optional<Opener> opener = innermost_open(ctx, expected);
  // When prediction failed some tokens after the decision started, `expected` describes
  // the start of the decision, not the offending token.
  bool lookahead_failure = decision_start && decision_start != found;
  bool name_position = (!lookahead_failure && expected.contains(size_t(P::ID))) ||
                       (prev && (prev->getType() == P::COMMA || prev->getType() == P::LPAREN));
  // A member or declaration keyword inside a block whose `}` is expected usually means
  // the `}` is missing — unless the keyword is followed by `=` or `:`, i.e. used as a name.
  Token* next = nullptr;
  if (tokens && ftype != Token::EOF && found_at != INVALID_INDEX && found_at + 1 < tokens->size())
    next = tokens->get(found_at + 1);
  size_t next_type = next ? next->getType() : Token::EOF;
  bool used_as_name = next_type == P::ASSIGN || next_type == P::COLON ||
                      (next_type >= P::PLUS_ASSIGN && next_type <= P::SLASH_ASSIGN);
  bool missing_closer = opener && is_structural(ftype) && !used_as_name && !expected.contains(size_t(ftype)) &&
                        !(prev && (prev->getType() == P::COMMA || prev->getType() == P::LPAREN));
  if (is_keyword(ftype) && name_position && !expected.contains(size_t(ftype)) && !missing_closer) {
    msg = fmt::format("'{}' is a reserved word and cannot be used as a name", found->getText());
    span = token_span(file, found);
  } else if (prev && is_keyword(prev->getType()) && prev->getType() != P::VALUE && !inside_scenario(ctx) &&
             !expected.contains(size_t(ftype)) &&
             (ftype == P::ASSIGN || ftype == P::COLON || (ftype >= P::PLUS_ASSIGN && ftype <= P::SLASH_ASSIGN))) {
    // `at = 5` in a party: the keyword parsed as the start of a clause, the error only
    // shows at the `=`; the real problem is the name.
    msg = fmt::format("'{}' is a reserved word and cannot be used as a name", prev->getText());
    span = token_span(file, prev);
  } else if (opener && (missing || is_end_like(found, expected))) {
    msg = fmt::format("expected {} to close {}", token_name(p->getVocabulary(), closer_of(opener->token->getType())),
                      describe_opener(*opener));
    span = prev ? span_after(file, prev) : token_span(file, found);
  } else if (dynamic_cast<P::ParamContext*>(ctx) && expected.contains(size_t(P::COLON)) && expected.size() == 1) {
    auto* param = dynamic_cast<P::ParamContext*>(ctx);
    std::string n = name_of(param->name());
    msg = fmt::format("parameter '{}' needs a type, as in '{}: Number'", n, n);
    span = prev ? span_after(file, prev) : token_span(file, found);
  } else if (decision_start && decision_start != found && decision_start->getType() == P::ID &&
             dynamic_cast<P::StatementContext*>(ctx)) {
    // `foo bar` as a statement: say what may follow the name.
    if (decision_start->getText() == "emit")
      msg = fmt::format("unexpected {} after 'emit'; expected a string", describe_found(found));
    else
      msg = fmt::format("unexpected {} after '{}'; expected '=', '(' or '.'", describe_found(found),
                        decision_start->getText());
    span = ftype == Token::EOF && prev ? span_after(file, prev) : token_span(file, found);
  } else {
    // Name the construct only when its closer is the one innermost bracket expected.
    std::string note;
    if (opener) {
      size_t closers = 0;
      for (size_t t : {P::RPAREN, P::RBRACE, P::RBRACK}) closers += expected.contains(t) ? 1 : 0;
      if (closers == 1) note = "to close " + describe_opener(*opener);
    }
    std::string want = describe_expected(p->getVocabulary(), expected, note);
    if (missing) {
      msg = prev ? fmt::format("expected {} after {}", want, quote_text(prev->getText())) : "expected " + want;
      span = prev ? span_after(file, prev) : token_span(file, found);
    } else if (real_eof) {
      msg = "unexpected end of file; expected " + want;
      span = prev ? span_after(file, prev) : token_span(file, found);
    } else {
      msg = fmt::format("unexpected {}; expected {}", describe_found(found), want);
      span = token_span(file, found);
    }
  }
  if (!reported_at_.insert({span.line, span.col}).second) {  // said already, from another rule
    sink_.suppressed();
    return;
  }
  sink_.parse_error(span, token_span(file, found), std::move(msg));
}

void FriendlyErrorStrategy::reportError(antlr4::Parser* recognizer, const antlr4::RecognitionException& e) {
  if (inErrorRecoveryMode(recognizer)) {
    sink_.suppressed();
    return;
  }
  beginErrorCondition(recognizer);
  Token* start = nullptr;
  if (auto* nv = dynamic_cast<const antlr4::NoViableAltException*>(&e)) start = nv->getStartToken();
  Token* found = e.getOffendingToken() ? e.getOffendingToken() : recognizer->getCurrentToken();
  auto* ctx = dynamic_cast<ParserRuleContext*>(e.getCtx());
  report(recognizer, found, e.getExpectedTokens(), ctx ? ctx : recognizer->getContext(), start, false);
}

void FriendlyErrorStrategy::reportUnwantedToken(antlr4::Parser* recognizer) {
  if (inErrorRecoveryMode(recognizer)) {
    sink_.suppressed();
    return;
  }
  beginErrorCondition(recognizer);
  report(recognizer, recognizer->getCurrentToken(), getExpectedTokens(recognizer), recognizer->getContext(), nullptr,
         false);
}

void FriendlyErrorStrategy::reportMissingToken(antlr4::Parser* recognizer) {
  if (inErrorRecoveryMode(recognizer)) {
    sink_.suppressed();
    return;
  }
  beginErrorCondition(recognizer);
  report(recognizer, recognizer->getCurrentToken(), getExpectedTokens(recognizer), recognizer->getContext(), nullptr,
         true);
}

// ------------------------------------------------------------------ session

namespace {

// The lexer has a catch-all rule, so this should never fire; if it does, the error is
// still reported in our words rather than printed to stderr by ANTLR.
class LexerErrors : public antlr4::BaseErrorListener {
 public:
  explicit LexerErrors(ErrorSink& sink) : sink_(sink) {}
  void syntaxError(antlr4::Recognizer*, Token*, size_t line, size_t col, const std::string&,
                   std::exception_ptr) override {
    auto l = static_cast<uint32_t>(line), c = static_cast<uint32_t>(col) + 1;
    sink_.lex_error({sink_.file(), l, c, l, c + 1}, "unexpected character");
  }

 private:
  ErrorSink& sink_;
};

// SLL prediction with a bail-out strategy first: linear on valid input. Only if that
// fails is the chunk re-parsed with full LL prediction, where errors are reported.
// (Error strategies carry state, so each parse has its own: parsing stays thread-safe.)
template <class Rule>
auto parse_two_stage(DepthLimitedParser& parser, antlr4::CommonTokenStream& tokens,
                     const std::shared_ptr<FriendlyErrorStrategy>& friendly, Rule rule) -> decltype(rule()) {
  auto bail = std::make_shared<antlr4::BailErrorStrategy>();
  parser.reset_depth();
  parser.setErrorHandler(bail);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  try {
    return rule();
  } catch (const antlr4::ParseCancellationException&) {
  }
  tokens.seek(0);
  parser.reset();
  parser.reset_depth();
  friendly->begin_chunk();
  parser.setErrorHandler(friendly);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  return rule();
}

void report_nesting(ErrorSink& sink, const NestingTooDeep& n, size_t limit) {
  Span span = n.at ? token_span(sink.file(), n.at) : Span{};
  sink.error(span, fmt::format("{} nested too deeply (limit {})", n.blocks ? "blocks" : "expression", limit));
}

}  // namespace

void Session::parse_module(std::string_view text, const std::string& name, Module& out) {
  CodePointStream input(text, name);
  DealLexer lexer(&input);
  LexerErrors lexer_errors(sink_);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexer_errors);
  TokenFeed feed(lexer, sink_, limits_.max_depth, /*chunked=*/true);
  auto friendly = std::make_shared<FriendlyErrorStrategy>(sink_, feed, std::string(), false);
  std::unique_ptr<antlr4::CommonTokenStream> tokens;
  std::unique_ptr<DepthLimitedParser> parser;
  try {
    while (!feed.at_end()) {
      sink_.begin_chunk();
      feed.begin_chunk();
      auto next = std::make_unique<antlr4::CommonTokenStream>(&feed);
      next->fill();
      if (feed.chunk_failed() || next->size() <= 1) {
        sink_.flush();
        continue;
      }
      if (!parser) {
        parser = std::make_unique<DepthLimitedParser>(next.get(), limits_.max_depth);
        parser->removeErrorListeners();
      } else {
        parser->setTokenStream(next.get());  // also frees the previous chunk's parse tree
      }
      tokens = std::move(next);
      try {
        auto* tree = parse_two_stage(*parser, *tokens, friendly, [&] { return parser->chunk(); });
        if (tree && sink_.chunk_clean()) build_chunk(*this, tree, out);
      } catch (const NestingTooDeep& n) {
        report_nesting(sink_, n, limits_.max_depth);
      }
      sink_.flush();
    }
  } catch (const TooManyErrors&) {
    sink_.give_up();
  }
}

ExprPtr Session::parse_expression(std::string_view text, const std::string& name, size_t line, size_t col0,
                                  bool interpolation) {
  CodePointStream input(text, name);
  DealLexer lexer(&input);
  LexerErrors lexer_errors(sink_);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexer_errors);
  lexer.setLine(line);
  lexer.setCharPositionInLine(col0);
  TokenFeed feed(lexer, sink_, limits_.max_depth, /*chunked=*/false);
  feed.begin_chunk();
  auto friendly = std::make_shared<FriendlyErrorStrategy>(
      sink_, feed, interpolation ? "'}' to end the interpolation" : "the end of the input", interpolation);
  antlr4::CommonTokenStream tokens(&feed);
  size_t errors_before = sink_.chunk_errors();
  tokens.fill();
  if (feed.chunk_failed() || sink_.chunk_errors() != errors_before) return nullptr;
  DepthLimitedParser parser(&tokens, limits_.max_depth);
  parser.removeErrorListeners();
  try {
    auto* tree = parse_two_stage(parser, tokens, friendly, [&] { return parser.exprInput(); });
    if (!tree || sink_.chunk_errors() != errors_before) return nullptr;
    return build_expression_input(*this, tree);
  } catch (const NestingTooDeep& n) {
    report_nesting(sink_, n, limits_.max_depth);
    return nullptr;
  }
}

}  // namespace deal::ast::detail
