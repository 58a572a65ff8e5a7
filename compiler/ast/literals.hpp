// Private to compiler/ast: decoding of literal tokens (numbers, dates, strings).
// Pure functions on token text, so the rules of LANGUAGE.md §2 live in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.hpp"

namespace deal::ast::detail {

// A problem inside a literal, at code-point offset `offset` (length `length`) from the
// start of the token.
struct LiteralError {
  uint32_t offset = 0, length = 1;
  std::string message;
};

// A unit factor with its position inside the token.
struct UnitPart {
  std::string name;
  int exponent = 1;
  uint32_t offset = 0, length = 0;
};

struct NumberParts {
  double value = 0;
  bool is_money = false;
  std::vector<UnitPart> units;
};

// Decodes a NUMBER token: `$`? digits (. digits)? (e[+-]digits)? then a word (a scale
// k/M/B/T if it is exactly that letter, else a unit) or `%` (optionally after a scale),
// then `/word` per-unit suffixes. Returns false (with `err`) when the value is out of
// the range of a double.
bool decode_number(std::string_view text, NumberParts& out, LiteralError& err);

// Decodes a DATE token: 2027Q3, 2027-03, 2027-03-15.
bool decode_date(std::string_view text, DateLit& out, LiteralError& err);

// One `{…}` interpolation: its raw source text and where it starts inside the token.
struct Interpolation {
  std::string text;
  uint32_t offset = 0;  // code points from the token start to the first character after `{`
};

// Decodes a STRING token (with its quotes): escapes \" \\ \n \{ \}, and `{expr}`
// interpolations. pieces.size() == interpolations.size() + 1.
bool decode_string(std::string_view token, std::vector<std::string>& pieces, std::vector<Interpolation>& interpolations,
                   std::vector<LiteralError>& errors);

// Days in a month of the proleptic Gregorian calendar.
int days_in_month(int year, int month);

}  // namespace deal::ast::detail
