// What an editor asks of a program, answered from its AST and (when it checks) its
// checked program: the declared names with their spans, every use of each, the type and
// dimension of what is under the cursor, the names that fit where the cursor is, and the
// canonical form of a file. The language server (tools/lsp_server.cpp) is a thin client
// of this; nothing here knows JSON or the protocol.
//
// Positions are the compiler's: 1-based lines, columns counting code points.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/session.hpp"

namespace deal::engine {

// A declared name.
struct SymbolInfo {
  std::string name;
  // param, party, field, let, contract, argument, deal, fn, shock, scenario, unit, local
  std::string kind;
  Span name_span;         // where it is declared (the name)
  Span span;              // the whole declaration
  int container = -1;     // the party, contract or fn it belongs to (a field, argument, let)
  std::string signature;  // one line: "contract loan(lender: Party, amount: Money)", "param g = 20%/y"
  std::string doc;        // the `//` comment lines right above the declaration
};

struct Completion {
  std::string label;
  std::string kind;    // as SymbolInfo::kind, or "keyword", "unit"
  std::string detail;  // a type or a signature
  std::string insert;  // text to insert when it differs from label ("amount: ")
};

struct SignatureHelp {
  std::string label;                // "loan(lender: Party, amount: Money)"
  std::vector<std::string> params;  // each parameter as it appears in the label
  int active = 0;                   // the parameter the cursor is in
};

class SourceIndex {
 public:
  // `checked` must outlive the index. When it holds no checked program (the text has
  // errors), types and values come from `fallback` (an editor's last version that
  // checked; null: none), looked up by name; it must outlive the index too.
  explicit SourceIndex(const Checked& checked, const check::Program* fallback = nullptr);

  const Checked& checked() const { return c_; }
  const std::vector<SymbolInfo>& symbols() const { return symbols_; }

  // The symbol declared or used at a position, or −1.
  int symbol_at(uint32_t file, uint32_t line, uint32_t col) const;
  // Every use of a symbol (and its declaration first when `with_declaration`).
  std::vector<Span> references(int symbol, bool with_declaration) const;
  // Markdown: the symbol's signature, type, value, doc; or the type of the expression
  // under the cursor (and its value when it is constant).
  std::optional<std::string> hover(uint32_t file, uint32_t line, uint32_t col) const;
  // Names fitting at a position; `line_prefix` is the text of the line before the cursor
  // as the editor has it (the index may be of an older version of the file).
  std::vector<Completion> complete(uint32_t file, uint32_t line, uint32_t col, const std::string& line_prefix) const;
  std::optional<SignatureHelp> signature_help(const std::string& text_before_cursor) const;

 private:
  struct Walker;
  const Checked& c_;
  const check::Program* program_;  // the checked program, or the fallback
  std::vector<SymbolInfo> symbols_;
  std::vector<std::pair<Span, int>> refs_;             // uses of symbols (declarations excluded)
  std::vector<const ast::Expr*> exprs_;                // every expression, for hover
  std::map<std::string, int> globals_;                 // top-level names
  std::map<int, std::map<std::string, int>> members_;  // party/contract/fn → its names
  std::map<int, int> dealt_;                           // deal → its contract

  std::string symbol_hover(int symbol) const;
};

// A constant in the program's units as .deal source would write it: "$12B/y/GW", "30%"
// is not guessed: a dimensionless value is a plain number ("0.3").
std::string format_constant(double value, const check::Type& type, const check::UnitNames& units);

// `text` printed canonically (ast::print), or nullopt with `error` set: the text has
// syntax errors, or comments the canonical printer would drop.
std::optional<std::string> format_source(const std::string& name, const std::string& text, std::string& error);

// Keywords of the language, for completion.
const std::vector<std::string>& keywords();

}  // namespace deal::engine
