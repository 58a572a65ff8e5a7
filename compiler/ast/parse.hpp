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

// Parses file `file` (already added to `sm`). Syntax errors are reported to `diags`
// in plain English with spans; the returned module holds whatever parsed cleanly
// (callers must check diags.has_errors() before using it for anything but messages).
Module parse_module(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits = {});

// Parses one expression that must fill `file` entirely (command-line `--set` values,
// REPL input). Returns null on a syntax error (reported to `diags`).
ExprPtr parse_expression(const SourceManager& sm, uint32_t file, Diagnostics& diags, const ParseLimits& limits = {});

// Pretty printer: canonical `.deal` source that parses back to an equal AST
// (ast::equal). Defined in ast/printer.cpp.
std::string print(const Module& m);
std::string print(const Expr& e);
std::string print(const TypeRef& t);

}  // namespace deal::ast
