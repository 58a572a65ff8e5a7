// Private to compiler/ast: the machinery around the ANTLR-generated parser.
//
// A file is parsed one top-level declaration at a time ("chunks"): the token feed
// splits the token stream at declaration keywords, and each chunk gets its own parse,
// first with fast SLL prediction and a bail-out strategy, then — only if that fails —
// with full LL prediction and the friendly error strategy (syntax_messages.hpp). Chunking bounds the
// memory of huge files (the parse tree and token buffer hold one declaration), gives
// error recovery a natural resynchronisation point, and keeps one bad declaration from
// hiding errors in the next.
//
// Nothing here lets an exception escape to callers: parse.hpp's entry points catch
// everything (ANTLR can throw C string literals).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <antlr4-runtime.h>

#include "DealLexer.h"
#include "DealParser.h"
#include "compiler/ast/parse.hpp"
#include "compiler/ast/source_text.hpp"

namespace deal::ast::detail {

using grammar::DealLexer;
using grammar::DealParser;

// Stops the whole file: the per-file cap on syntax errors was reached.
struct TooManyErrors {};

// Thrown by the parser when a counted construct nests deeper than the limit. Not an
// antlr4::RecognitionException, so the generated rule functions do not catch it; their
// `finally` guards still run, so the parser's context stack unwinds cleanly.
struct NestingTooDeep {
  antlr4::Token* at = nullptr;
  bool blocks = false;
};

// Maximum number of syntax errors reported per file before giving up.
inline constexpr size_t kMaxSyntaxErrors = 20;

// Collects the syntax errors of one file. Errors of a chunk are held back and sorted
// by position before being passed on, because the lexer runs over the whole chunk
// before the parser starts.
class ErrorSink {
 public:
  ErrorSink(Diagnostics& diags, uint32_t file) : diags_(diags), file_(file) {}

  uint32_t file() const { return file_; }
  void begin_chunk();
  // A lexical error. Parse errors at or after it in the same chunk are suppressed:
  // they are nearly always caused by the token the lexer could not make sense of.
  void lex_error(Span span, std::string message);
  // A parse error reported at `span` about the token at `found` (they differ when the
  // error is placed just after the previous token); false when suppressed.
  // `id` (codes::…) and `help` when the error has a specific code and a fix to offer.
  bool parse_error(Span span, Span found, std::string message, const char* id = nullptr, std::string help = {});
  // An error found while building the AST (bad date, chained comparison, …).
  void error(Span span, std::string message);
  // A parse error not reported (a cascade), which still makes the chunk unusable.
  void suppressed() { ++chunk_errors_; }
  bool chunk_clean() const { return chunk_errors_ == 0; }
  size_t chunk_errors() const { return chunk_errors_; }
  void flush();
  // The note that ends a file cut short by the error cap.
  void give_up();

 private:
  void add(Span span, std::string message, const char* id = nullptr, std::string help = {});

  struct Pending {
    Span span;
    std::string message;
    size_t order;
    const char* id = nullptr;
    std::string help;
  };
  Diagnostics& diags_;
  uint32_t file_;
  std::vector<Pending> pending_;
  size_t total_ = 0, chunk_errors_ = 0;
  bool has_lex_error_ = false;
  uint32_t lex_line_ = 0, lex_col_ = 0;
};

// Token classes (token types of DealParser).
bool is_opener(size_t t);    // ( { [
bool is_closer(size_t t);    // ) } ]
size_t closer_of(size_t t);  // the closer of an opener
// Keywords that begin a top-level declaration (and so a chunk).
bool starts_declaration(size_t t);

Span token_span(uint32_t file, const antlr4::Token* t);
// A one-column span just past the end of token t (where a missing token belongs).
Span span_after(uint32_t file, const antlr4::Token* t);

// Between the lexer and the parser: reports and drops error tokens, splits the stream
// into chunks, and refuses runaway nesting of brackets and prefix operators before any
// of it is buffered (a 10 MB file of `(` must not become a 10 MB token buffer).
class TokenFeed : public antlr4::TokenSource {
 public:
  TokenFeed(DealLexer& lexer, ErrorSink& sink, size_t max_depth, bool chunked)
      : lexer_(lexer), sink_(sink), max_depth_(max_depth), chunked_(chunked) {}

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return lexer_.getLine(); }
  size_t getCharPositionInLine() override { return lexer_.getCharPositionInLine(); }
  antlr4::CharStream* getInputStream() override { return lexer_.getInputStream(); }
  std::string getSourceName() override { return lexer_.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override { return lexer_.getTokenFactory(); }

  void begin_chunk();
  bool at_end() const { return eof_seen_ && !pending_; }
  // The chunk was abandoned (runaway nesting); it must not be parsed.
  bool chunk_failed() const { return failed_; }
  // The token that ended the current chunk (it starts the next one), or null when the
  // chunk ended at the end of the file.
  const antlr4::Token* boundary() const { return pending_.get(); }

 private:
  std::unique_ptr<antlr4::Token> raw();
  std::unique_ptr<antlr4::Token> make_eof(const antlr4::Token* at);
  bool is_boundary(size_t type) const;
  void fail(const antlr4::Token* at, bool blocks);

  DealLexer& lexer_;
  ErrorSink& sink_;
  size_t max_depth_;
  bool chunked_;
  std::unique_ptr<antlr4::Token> pending_, lookahead_;
  size_t last_type_ = 0;
  size_t brace_depth_ = 0, bracket_depth_ = 0, prefix_run_ = 0;
  bool started_ = false, done_ = false, eof_seen_ = false, failed_ = false;
};

// The generated parser with a nesting counter on the rules that recurse without bound.
// Parser::exitRule is not virtual in the 4.9 runtime, so the counting is done by a parse
// listener (whose exit event fires on every rule exit, exceptions included); the check
// that throws sits in enterOuterAlt, which is virtual.
class DepthLimitedParser : public DealParser {
 public:
  DepthLimitedParser(antlr4::TokenStream* input, size_t limit) : DealParser(input), limit_(limit) {
    addParseListener(&counter_);
  }
  ~DepthLimitedParser() override { removeParseListener(&counter_); }
  void reset_depth() { counter_.depth = 0; }
  void enterOuterAlt(antlr4::ParserRuleContext* ctx, size_t alt) override;

 protected:
  // The runtime's version finds the parent with a dynamic_cast, which across the shared
  // library compares type names: a tenth of the parse of a large file. A rule context's
  // parent is always a rule context.
  void addContextToParseTree() override {
    if (_ctx->parent) static_cast<antlr4::ParserRuleContext*>(_ctx->parent)->addChild(_ctx);
  }

 private:
  struct Counter : antlr4::tree::ParseTreeListener {
    size_t depth = 0;
    void enterEveryRule(antlr4::ParserRuleContext* ctx) override;
    void exitEveryRule(antlr4::ParserRuleContext* ctx) override;
    void visitTerminal(antlr4::tree::TerminalNode*) override {}
    void visitErrorNode(antlr4::tree::ErrorNode*) override {}
  };
  static bool counted(size_t rule);
  static bool counts(antlr4::ParserRuleContext* ctx);
  size_t limit_;
  Counter counter_;
};

// One parse of one source text (a file, or the text of a string interpolation).
class Session {
 public:
  Session(ErrorSink& sink, const ParseLimits& limits, ParseStats* stats = nullptr)
      : sink_(sink), limits_(limits), stats_(stats) {}

  void parse_module(std::string_view text, const std::string& name, Module& out);
  // Parses an expression filling `text`; the first character is at (line, col) with a
  // 0-based col. Returns null on error (already reported).
  ExprPtr parse_expression(std::string_view text, const std::string& name, size_t line, size_t col0,
                           bool interpolation = false);

  ErrorSink& sink() { return sink_; }
  const ParseLimits& limits() const { return limits_; }

 private:
  ErrorSink& sink_;
  const ParseLimits& limits_;
  ParseStats* stats_;  // may be null
};

// A token stream that counts the parser's lookahead reads (ParseStats::token_reads): LA
// goes through LT, so every token the parser or its prediction looks at is one read.
class CountingTokenStream : public antlr4::CommonTokenStream {
 public:
  CountingTokenStream(antlr4::TokenSource* source, ParseStats* stats) : CommonTokenStream(source), stats_(stats) {}
  antlr4::Token* LT(ssize_t k) override {
    if (stats_) ++stats_->token_reads;
    return CommonTokenStream::LT(k);
  }

 private:
  ParseStats* stats_;
};

// Parse tree → AST (builder.cpp). Only called on chunks that parsed without errors.
void build_chunk(Session& session, DealParser::ChunkContext* chunk, Module& out);
ExprPtr build_expression_input(Session& session, DealParser::ExprInputContext* input);

}  // namespace deal::ast::detail
