// Helpers shared by the front-end tests: parse a string, look at the result.
#pragma once

#include <memory>
#include <string>

#include "compiler/ast/parse.hpp"
#include "compiler/diagnostics.hpp"

namespace deal::test {

struct ParsedModule {
  SourceManager sm;
  Diagnostics diags;
  ast::Module module;
  uint32_t file = 0;
  std::string errors() const { return render_all(sm, diags); }
  bool ok() const { return !diags.has_errors(); }
};

inline std::unique_ptr<ParsedModule> parse(const std::string& text, const ast::ParseLimits& limits = {},
                                           const std::string& name = "test.deal") {
  auto p = std::make_unique<ParsedModule>();
  p->file = p->sm.add(name, text);
  p->module = ast::parse_module(p->sm, p->file, p->diags, limits);
  return p;
}

struct ParsedExpr {
  SourceManager sm;
  Diagnostics diags;
  ast::ExprPtr expr;
  std::string errors() const { return render_all(sm, diags); }
};

inline std::unique_ptr<ParsedExpr> parse_expr(const std::string& text, const ast::ParseLimits& limits = {}) {
  auto p = std::make_unique<ParsedExpr>();
  uint32_t id = p->sm.add("expr", text);
  p->expr = ast::parse_expression(p->sm, id, p->diags, limits);
  return p;
}

// The rendered diagnostics of a module (the full text the CLI prints).
inline std::string errors_of(const std::string& text, const ast::ParseLimits& limits = {}) {
  return parse(text, limits)->errors();
}

// Print → parse → equal; returns the printed text (empty when the round trip fails).
inline bool round_trips(const ast::Module& m, std::string* printed = nullptr, std::string* why = nullptr) {
  std::string text = ast::print(m);
  if (printed) *printed = text;
  auto again = parse(text, {}, "<printed>");
  if (!again->ok()) {
    if (why) *why = again->errors();
    return false;
  }
  if (!ast::equal(m, again->module)) {
    if (why) *why = "reparsed AST differs";
    return false;
  }
  // Printing is canonical: printing the reparsed tree gives the same text.
  if (ast::print(again->module) != text) {
    if (why) *why = "second print differs:\n" + ast::print(again->module);
    return false;
  }
  return true;
}

}  // namespace deal::test
