// The parsing driver: one source text per Session, parsed a chunk (top-level
// declaration) at a time through the token feed, with the nesting limits, the error
// sink and the two-stage (SLL, then LL) parse. The wording of syntax errors is in
// syntax_messages.cpp.
#include "compiler/ast/syntax.hpp"
#include "compiler/ast/syntax_messages.hpp"

#include <algorithm>

namespace deal::ast::detail {

using antlr4::ParserRuleContext;
using antlr4::Token;
using P = DealParser;

// ------------------------------------------------------------------ spans

Span token_span(uint32_t file, const Token* t) {
  auto line = static_cast<uint32_t>(t->getLine());
  auto col = static_cast<uint32_t>(t->getCharPositionInLine()) + 1;
  uint32_t len = 0;
  if (t->getType() != Token::EOF && t->getStopIndex() >= t->getStartIndex() && t->getStartIndex() != INVALID_INDEX)
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

void ErrorSink::add(Span span, std::string message, const char* id, std::string help) {
  pending_.push_back({span, std::move(message), pending_.size(), id, std::move(help)});
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

bool ErrorSink::parse_error(Span span, Span found, std::string message, const char* id, std::string help) {
  if (has_lex_error_ && (found.line > lex_line_ || (found.line == lex_line_ && found.col >= lex_col_))) {
    ++chunk_errors_;
    return false;
  }
  add(span, std::move(message), id, std::move(help));
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
  for (auto& p : pending_) {
    Diagnostic& d = diags_.error(p.span, std::move(p.message));
    d.id = p.id ? p.id : codes::kSyntax;  // also when the parser runs outside a stage's CodeScope
    if (!p.help.empty()) d.help.push_back(std::move(p.help));
  }
  pending_.clear();
}

void ErrorSink::give_up() {
  flush();
  Diagnostic note;
  note.severity = Severity::Note;
  note.message = stopped_after(kMaxSyntaxErrors);
  note.id = codes::kSyntax;
  diags_.add(std::move(note));
}

// ------------------------------------------------------------------ token classes

bool is_opener(size_t t) { return t == P::LPAREN || t == P::LBRACE || t == P::LBRACK; }
bool is_closer(size_t t) { return t == P::RPAREN || t == P::RBRACE || t == P::RBRACK; }
size_t closer_of(size_t t) { return t == P::LPAREN ? P::RPAREN : t == P::LBRACE ? P::RBRACE : P::RBRACK; }

bool starts_declaration(size_t t) {
  switch (t) {
    case P::IMPORT:
    case P::CALENDAR:
    case P::UNIT:
    case P::PARAM:
    case P::PARTY:
    case P::CONTRACT:
    case P::DEAL:
    case P::FN:
    case P::EXTERN:
    case P::SHOCK:
    case P::SCENARIO:
      return true;
    default:
      return false;
  }
}

namespace {
// `param` and `deal` also appear inside scenario and shock bodies, so they split chunks
// only outside braces.
bool only_top_level(size_t t) { return starts_declaration(t) && t != P::PARAM && t != P::DEAL; }
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
  sink_.lex_error(token_span(sink_.file(), at), nested_too_deeply(blocks, max_depth_));
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
        sink_.lex_error(span, unexpected_characters(text, count));
        continue;
      }
      case P::BAD_DOLLAR:
        sink_.lex_error(token_span(file, t.get()), bad_dollar());
        continue;
      case P::UNTERMINATED_STRING: {
        Span s = token_span(file, t.get());
        s.end_col = s.col + 1;
        sink_.lex_error(s, unterminated_string());
        continue;
      }
      case P::UNTERMINATED_COMMENT: {
        Span s = token_span(file, t.get());
        s.end_line = s.line;
        s.end_col = s.col + 2;
        sink_.lex_error(s, unterminated_comment());
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
    case RuleParen:
    case RuleNegation:
    case RuleNotOp:
    case RuleExponent:
    case RuleIfExpr:
    case RuleCallArgs:
    case RuleBlock:
      return true;
    default:
      return false;
  }
}

// One level of nesting is one unit of the limit: `if c { … }` is counted by its block
// alone (counting the `if` too made 100 nested ifs hit a limit the message called 200),
// and an `else if` link, which nests with no block of its own, by its `if`.
bool DepthLimitedParser::counts(ParserRuleContext* ctx) {
  size_t rule = ctx->getRuleIndex();
  if (rule == RuleIfStmt) {
    auto* parent = dynamic_cast<ParserRuleContext*>(ctx->parent);
    return parent && parent->getRuleIndex() == RuleIfStmt;
  }
  return counted(rule);
}

void DepthLimitedParser::Counter::enterEveryRule(ParserRuleContext* ctx) {
  if (counts(ctx)) ++depth;
}

void DepthLimitedParser::Counter::exitEveryRule(ParserRuleContext* ctx) {
  if (counts(ctx) && depth > 0) --depth;
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
    sink_.lex_error({sink_.file(), l, c, l, c + 1}, unexpected_character());
  }

 private:
  ErrorSink& sink_;
};

// SLL prediction with a bail-out strategy first: linear on valid input. Only if that
// fails is the chunk re-parsed with full LL prediction, where errors are reported.
// (Error strategies carry state, so each parse has its own: parsing stays thread-safe.)
template <class Rule>
auto parse_two_stage(DepthLimitedParser& parser, antlr4::CommonTokenStream& tokens,
                     const std::shared_ptr<FriendlyErrorStrategy>& friendly, ParseStats* stats, Rule rule)
    -> decltype(rule()) {
  auto bail = std::make_shared<antlr4::BailErrorStrategy>();
  parser.reset_depth();
  parser.setErrorHandler(bail);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  try {
    return rule();
  } catch (const antlr4::ParseCancellationException&) {}
  if (stats) ++stats->reparses;
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
  sink.error(span, nested_too_deeply(n.blocks, limit));
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
  std::unique_ptr<CountingTokenStream> tokens;
  std::unique_ptr<DepthLimitedParser> parser;
  try {
    while (!feed.at_end()) {
      sink_.begin_chunk();
      feed.begin_chunk();
      auto next = std::make_unique<CountingTokenStream>(&feed, stats_);
      next->fill();
      if (feed.chunk_failed() || next->size() <= 1) {
        sink_.flush();
        continue;
      }
      if (stats_) {
        ++stats_->chunks;
        stats_->tokens += next->size();
      }
      if (!parser) {
        parser = std::make_unique<DepthLimitedParser>(next.get(), limits_.max_depth);
        parser->removeErrorListeners();
      } else {
        parser->setTokenStream(next.get());  // also frees the previous chunk's parse tree
      }
      tokens = std::move(next);
      try {
        auto* tree = parse_two_stage(*parser, *tokens, friendly, stats_, [&] { return parser->chunk(); });
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
  CountingTokenStream tokens(&feed, stats_);
  size_t errors_before = sink_.chunk_errors();
  tokens.fill();
  if (feed.chunk_failed() || sink_.chunk_errors() != errors_before) return nullptr;
  if (stats_) stats_->tokens += tokens.size();
  DepthLimitedParser parser(&tokens, limits_.max_depth);
  parser.removeErrorListeners();
  try {
    auto* tree = parse_two_stage(parser, tokens, friendly, stats_, [&] { return parser.exprInput(); });
    if (!tree || sink_.chunk_errors() != errors_before) return nullptr;
    return build_expression_input(*this, tree);
  } catch (const NestingTooDeep& n) {
    report_nesting(sink_, n, limits_.max_depth);
    return nullptr;
  }
}

}  // namespace deal::ast::detail
