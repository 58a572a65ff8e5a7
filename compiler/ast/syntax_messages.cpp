// The wording of syntax errors: plain English saying what was found, what was
// expected, and which construct an expected closing bracket would close ("expected '}'
// to close the party 'A' started at line 2"); and the messages of the lexical errors
// and limits that the token feed and the parsing driver (syntax.cpp) report.
#include "compiler/ast/syntax_messages.hpp"

#include <fmt/format.h>
#include <initializer_list>
#include <optional>

namespace deal::ast::detail {

using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::misc::IntervalSet;
using P = DealParser;

// ------------------------------------------------------------------ token classes

namespace {

bool is_keyword(size_t t) { return t >= P::CALENDAR && t <= P::CLEARING; }

// Keywords that start a declaration, member, clause, item or statement: seeing one
// where a closing bracket was expected means the bracket was forgotten.
bool is_structural(size_t t) {
  if (starts_declaration(t)) return true;
  switch (t) {
    case P::AT:
    case P::EVERY:
    case P::WHEN:
    case P::WHENEVER:
    case P::ON:
    case P::LET:
    case P::VALUE:
    case P::SET:
    case P::TRACK:
    case P::APPLY:
    case P::PATHS:
    case P::SEED:
    case P::HORIZON:
    case P::CLEARING:
    case P::IF:
    case P::DEFAULT:
    case P::TERMINATE:
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

// ------------------------------------------------------------------ lexical errors and limits

std::string unexpected_characters(const std::string& text, size_t count) {
  std::string message;
  if (count > 1) {
    message = fmt::format("unexpected characters {}", quote_text(text));
  } else {
    CodePoint cp = decode_code_point(text, 0);
    std::string hint;
    switch (cp.value) {
      case '!':
        hint = "; write 'not' for negation and '!=' for 'not equal'";
        break;
      case '&':
        hint = "; write 'and'";
        break;
      case '|':
        hint = "; write 'or'";
        break;
      case '\'':
        hint = "; strings use double quotes";
        break;
      case '#':
        hint = "; comments start with //";
        break;
      case '%':
        hint = "; '%' must follow a number with no space, as in 60%";
        break;
      default:
        break;
    }
    if (!cp.valid) message = fmt::format("invalid UTF-8 byte {}", quote_text(text));
    else if (cp.value >= 0x80)
      message = fmt::format("unexpected character {} (U+{:04X}); names use ASCII letters, digits and '_'",
                            quote_text(text), static_cast<unsigned>(cp.value));
    else message = fmt::format("unexpected character {}{}", quote_text(text), hint);
  }
  return message;
}

std::string bad_dollar() { return "'$' must be followed by a number, as in $38B"; }
std::string unterminated_string() { return "unterminated string (a string must end with '\"' on the same line)"; }
std::string unterminated_comment() { return "unterminated comment: '/*' has no matching '*/'"; }
std::string unexpected_character() { return "unexpected character"; }

std::string nested_too_deeply(bool blocks, size_t limit) {
  return fmt::format("{} nested too deeply (limit {})", blocks ? "blocks" : "expression", limit);
}

std::string stopped_after(size_t errors) { return fmt::format("stopped after {} syntax errors in this file", errors); }

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

// When `keyword` starts the declaration (or scenario item) being parsed and its name is
// missing (`param = 5`), how that construct is written; empty otherwise.
std::string declaration_form(ParserRuleContext* ctx, Token* keyword) {
  for (auto* c = ctx; c; c = dynamic_cast<ParserRuleContext*>(c->parent)) {
    if (c->getStart() != keyword) {
      if (dynamic_cast<P::DeclarationContext*>(c) || dynamic_cast<P::ScenarioItemContext*>(c)) return "";
      continue;
    }
    if (dynamic_cast<P::ParamItemContext*>(c))
      return "a scenario overrides a param as `param name = value` or `param name ~ normal(mean, sd)`";
    if (dynamic_cast<P::ParamDeclContext*>(c))
      return "a param is declared as `param name = value`, e.g. `param growth = 5%/y`";
    if (dynamic_cast<P::PartyDeclContext*>(c)) return "a party is declared as `party Name { cash = $1B … }`";
    if (dynamic_cast<P::ContractDeclContext*>(c)) return "a contract is declared as `contract name(p: Party, …) { … }`";
    if (dynamic_cast<P::DealDeclContext*>(c)) return "a deal is declared as `deal name = contract(arguments…)`";
    if (dynamic_cast<P::FnDeclContext*>(c)) return "a function is declared as `fn name(a: Type, …) = expr`";
    if (dynamic_cast<P::UnitDeclContext*>(c)) return "a unit is declared as `unit GW`";
    if (dynamic_cast<P::ShockDeclContext*>(c)) return "a shock is declared as `shock name { … }`";
    if (dynamic_cast<P::ScenarioDeclContext*>(c)) return "a scenario is declared as `scenario name { … }`";
  }
  return "";
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
    else if (auto* x = dynamic_cast<P::DealDeclContext*>(c->parent))
      callee = x->name().size() > 1 ? name_of(x->name(1)) : "";
    else if (auto* x = dynamic_cast<P::ParamItemContext*>(c->parent))
      callee = x->name().size() > 1 ? name_of(x->name(1)) : "";
    what = callee.empty() ? "the call" : fmt::format("the call to '{}'", callee);
    line = at;
  } else {
    return fmt::format("the '{}' opened at line {}", o.token->getText(), at);
  }
  return fmt::format("{} started at line {}", what, line);
}

std::string token_name(const antlr4::dfa::Vocabulary& vocab, size_t t) {
  switch (t) {
    case P::ID:
      return "a name";
    case P::NUMBER:
      return "a number";
    case P::STRING:
      return "a string";
    case P::DATE:
      return "a date";
    default:
      break;
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
  // Where a name may stand, the scenario items' keywords are names too (Deal.g4's
  // name rule): listing them beside "a name" would only confuse.
  if (!scen && s.contains(size_t(P::ID))) remove({P::APPLY, P::HORIZON, P::PATHS, P::SEED, P::TRACK, P::CLEARING});
  bool shock = has_all({P::SET, P::AT, P::WHEN, P::DEAL});
  bool member = has_all({P::LET, P::VALUE, P::AT, P::EVERY, P::WHEN, P::WHENEVER, P::ON});
  bool stmt = has_all({P::LET, P::SET, P::IF, P::DEFAULT, P::TERMINATE});
  bool expr = has_all({P::NUMBER, P::DATE, P::STRING, P::TRUE, P::FALSE, P::WORLD, P::ID, P::LPAREN});
  size_t ops = 0;
  for (size_t t : {P::PLUS, P::MINUS, P::STAR, P::SLASH, P::CARET, P::LT, P::LE, P::GT, P::GE, P::EQ, P::NE, P::AND,
                   P::OR, P::DOT})
    ops += s.contains(t) ? 1 : 0;
  bool end = s.contains(Token::EOF);
  if (decl) {
    groups.push_back("a declaration");
    remove({P::IMPORT, P::CALENDAR, P::UNIT, P::PARAM, P::PARTY, P::CONTRACT, P::DEAL, P::FN, P::EXTERN, P::SHOCK,
            P::SCENARIO});
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
    remove({P::NUMBER, P::DATE, P::STRING, P::TRUE, P::FALSE, P::SELF, P::WORLD, P::ID, P::LPAREN, P::IF, P::MINUS,
            P::PLUS, P::NOT});
  }
  if (ops >= 3) {
    remove({P::PLUS, P::MINUS, P::STAR, P::SLASH, P::CARET, P::LT, P::LE, P::GT, P::GE, P::EQ, P::NE, P::AND, P::OR,
            P::DOT});
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

void FriendlyErrorStrategy::report(antlr4::Parser* p, Token* found, const IntervalSet& expected, ParserRuleContext* ctx,
                                   Token* decision_start, bool missing) {
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
  else if (!tokens && p->getTokenStream()->index() > 0) prev = p->getTokenStream()->LT(-1);
  size_t ftype = found->getType();
  // In an interpolation the end of the text is the closing brace, a visible token.
  bool real_eof = ftype == Token::EOF && !feed_.boundary() && !interpolation_;
  std::string msg;
  Span span;
  const char* id = nullptr;
  std::string help;
  std::optional<Opener> opener = innermost_open(ctx, expected);
  // `set X.field = …` in a shock: `set` takes a param's name only.
  Token* before_prev = tokens && prev && found_at >= 2 ? tokens->get(found_at - 2) : nullptr;
  bool set_on_field =
      ftype == P::DOT && prev && prev->getType() == P::ID && before_prev && before_prev->getType() == P::SET;
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
  bool used_as_name =
      next_type == P::ASSIGN || next_type == P::COLON || (next_type >= P::PLUS_ASSIGN && next_type <= P::SLASH_ASSIGN);
  bool missing_closer = opener && is_structural(ftype) && !used_as_name && !expected.contains(size_t(ftype)) &&
                        !(prev && (prev->getType() == P::COMMA || prev->getType() == P::LPAREN));
  std::string form = prev && is_keyword(prev->getType()) && !expected.contains(size_t(ftype)) &&
                             (ftype == P::ASSIGN || ftype == P::COLON || ftype == P::LBRACE || ftype == P::LPAREN ||
                              ftype == P::TILDE || (ftype >= P::PLUS_ASSIGN && ftype <= P::SLASH_ASSIGN))
                         ? declaration_form(ctx, prev)
                         : std::string();
  if (set_on_field) {
    Token* field = tokens && found_at + 1 < tokens->size() ? tokens->get(found_at + 1) : nullptr;
    std::string target = prev->getText() + "." + (field && field->getType() == P::ID ? field->getText() : "field");
    msg = fmt::format("`set` assigns params, and '{}' is a state", target);
    help = fmt::format("assign states directly: `{} = …` (without `set`)", target);
    id = codes::kSetOnState;
    span = token_span(file, before_prev);
  } else if (!form.empty()) {
    // `param = 5`: the name is missing, the keyword is not being used as one.
    msg = fmt::format("expected a name after '{}': {}", prev->getText(), form);
    span = span_after(file, prev);
  } else if (is_keyword(ftype) && name_position && !expected.contains(size_t(ftype)) && !missing_closer) {
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
  sink_.parse_error(span, token_span(file, found), std::move(msg), id, std::move(help));
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

}  // namespace deal::ast::detail
