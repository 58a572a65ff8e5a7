// Private to compiler/ast: the wording of syntax errors (syntax_messages.cpp). The
// parsing driver (syntax.cpp) decides where an error is and reports it; what it says
// is decided here.
#pragma once

#include <string>

#include "compiler/ast/syntax.hpp"

namespace deal::ast::detail {

// ---- lexical errors and limits (reported by the token feed and the parsing driver)

// A run of `count` characters (`text`, as written) that start no token.
std::string unexpected_characters(const std::string& text, size_t count);
std::string bad_dollar();  // `$` not followed by a number
std::string unterminated_string();
std::string unterminated_comment();
std::string unexpected_character();  // the lexer's own error (should not happen)
// Brackets (or blocks) nested deeper than the limit.
std::string nested_too_deeply(bool blocks, size_t limit);
// The note ending a file cut short after `errors` syntax errors.
std::string stopped_after(size_t errors);

// ---- parse errors

// Plain-English syntax errors: what was found, what was expected, and which construct
// an expected closing bracket would close. At most one error per statement, member,
// item or declaration (later ones in the same unit are counted as cascades).
class FriendlyErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  // `end_of_input` describes the end of the parsed text when an expression must fill it
  // ("the end of the input", "'}' to end the interpolation"); empty for a module.
  FriendlyErrorStrategy(ErrorSink& sink, const TokenFeed& feed, std::string end_of_input, bool interpolation)
      : sink_(sink), feed_(feed), end_of_input_(std::move(end_of_input)), interpolation_(interpolation) {}
  void begin_chunk() {
    units_.clear();
    reported_tokens_.clear();
    reported_at_.clear();
  }

  void reportError(antlr4::Parser* recognizer, const antlr4::RecognitionException& e) override;

 protected:
  void reportUnwantedToken(antlr4::Parser* recognizer) override;
  void reportMissingToken(antlr4::Parser* recognizer) override;

 private:
  void report(antlr4::Parser* p, antlr4::Token* found, const antlr4::misc::IntervalSet& expected,
              antlr4::ParserRuleContext* ctx, antlr4::Token* decision_start, bool missing);
  std::string describe_found(antlr4::Token* t) const;
  std::string describe_expected(const antlr4::dfa::Vocabulary& vocab, const antlr4::misc::IntervalSet& expected,
                                const std::string& closer_note) const;
  bool is_end_like(antlr4::Token* t, const antlr4::misc::IntervalSet& expected) const;

  ErrorSink& sink_;
  const TokenFeed& feed_;
  std::string end_of_input_;
  bool interpolation_;
  // Units (start token index, rule) that contain a reported error. A later error in
  // the same unit or in one enclosing it is a cascade (the recovery from the first error
  // consumed a closing bracket, say) and is not reported.
  std::set<std::pair<size_t, size_t>> units_;
  std::set<size_t> reported_tokens_;                     // token indices an error was reported at
  std::set<std::pair<uint32_t, uint32_t>> reported_at_;  // (line, column) of each report
};

}  // namespace deal::ast::detail
