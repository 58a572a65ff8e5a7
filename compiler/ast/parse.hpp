// Text → AST. The only entry points to the ANTLR-generated parser: nothing outside
// compiler/ast sees a parse tree.
#pragma once

#include <string_view>

#include "compiler/ast/ast.hpp"
#include "compiler/diagnostics.hpp"

namespace deal::ast {

struct ParseLimits {
  // Deeper nesting of expressions/blocks is a clear error, not a stack overflow.
  size_t max_depth = 200;
  // Larger inputs are refused with an error naming the limit.
  size_t max_bytes = 64u << 20;
};

// What a parse did, counted so that tests can pin its cost without a clock: on input
// the parser handles linearly, each count grows in proportion to the input.
struct ParseStats {
  size_t chunks = 0;       // top-level declarations parsed on their own
  size_t tokens = 0;       // tokens handed to the parser (string interpolations included)
  size_t token_reads = 0;  // lookahead reads of those tokens (LT/LA), prediction included
  size_t reparses = 0;     // chunks parsed a second time with full LL prediction
};

// Parses file `file` (already added to `sm`). Syntax errors are reported to `diags`
// in plain English with spans; the returned module holds whatever parsed cleanly
// (callers must check diags.has_errors() before using it for anything but messages).
Module parse_module(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits = {});
// The same, adding what the parse did to `stats`.
Module parse_module(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits,
                    ParseStats& stats);

// Parses one expression that must fill `file` entirely (command-line `--set` values,
// REPL input). Returns null on a syntax error (reported to `diags`).
ExprPtr parse_expression(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits = {});

// Pretty printer: canonical `.deal` source that parses back to an equal AST
// (ast::equal). Defined in ast/printer.cpp.
std::string print(const Module& m);
std::string print(const Expr& e);
std::string print(const TypeRef& t);

}  // namespace deal::ast
