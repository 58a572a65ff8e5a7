#include "compiler/ast/literals.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "compiler/ast/source_text.hpp"

namespace deal::ast::detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

// Characters a string may not hold: they would reach a terminal raw through `emit` lines
// and track labels (ESC starts escape sequences that retitle or reprogram it, BEL rings).
// C0 except tab, DEL, and the C1 block (U+009B is a one-byte CSI on some terminals).
bool is_control(char32_t c) { return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F); }

std::string describe_control(char32_t c) {
  const char* name = nullptr;
  switch (c) {
    case 0x00:
      name = "null";
      break;
    case 0x07:
      name = "bell";
      break;
    case 0x08:
      name = "backspace";
      break;
    case 0x0B:
      name = "vertical tab";
      break;
    case 0x0C:
      name = "form feed";
      break;
    case 0x0D:
      name = "carriage return";
      break;
    case 0x1B:
      name = "escape";
      break;
    case 0x7F:
      name = "delete";
      break;
    case 0x85:
      name = "next line";
      break;
    case 0x9B:
      name = "control sequence introducer";
      break;
    case 0x9D:
      name = "operating system command";
      break;
  }
  return name ? fmt::format("U+{:04X} ({})", unsigned(c), name) : fmt::format("U+{:04X}", unsigned(c));
}

}  // namespace

int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

bool decode_number(std::string_view text, NumberParts& out, LiteralError& err) {
  out = {};
  size_t i = 0, n = text.size();
  if (i < n && text[i] == '$') {
    out.is_money = true;
    ++i;
  }
  // The decimal digits are collected without the point and the exponent adjusted, so
  // the whole literal (scale and % included) is converted by one correctly rounded
  // from_chars call: `60%` is exactly the double nearest 0.6, `1.1B` exactly 1.1e9.
  std::string digits;
  long long exponent = 0;
  while (i < n && is_digit(text[i])) digits += text[i++];
  if (i + 1 < n && text[i] == '.' && is_digit(text[i + 1])) {
    ++i;
    while (i < n && is_digit(text[i])) {
      digits += text[i++];
      --exponent;
    }
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    bool neg = false;
    if (j < n && (text[j] == '+' || text[j] == '-')) neg = text[j++] == '-';
    if (j < n && is_digit(text[j])) {
      long long e = 0;
      while (j < n && is_digit(text[j])) {
        if (e < 1000000000) e = e * 10 + (text[j] - '0');  // saturate: far out of range anyway
        ++j;
      }
      exponent += neg ? -e : e;
      i = j;
    }
  }
  if (i < n && is_alpha(text[i])) {
    size_t start = i;
    while (i < n && is_word(text[i])) ++i;
    std::string_view word = text.substr(start, i - start);
    if (word == "k") exponent += 3;
    else if (word == "M") exponent += 6;
    else if (word == "B") exponent += 9;
    else if (word == "T") exponent += 12;
    else out.units.push_back({std::string(word), 1, uint32_t(start), uint32_t(i - start)});
  }
  if (i < n && text[i] == '%') {
    exponent -= 2;
    ++i;
  }
  while (i < n && text[i] == '/') {
    size_t start = ++i;
    while (i < n && is_word(text[i])) ++i;
    out.units.push_back({std::string(text.substr(start, i - start)), -1, uint32_t(start), uint32_t(i - start)});
  }
  if (digits.empty()) digits.push_back('0');
  std::string repr = digits;
  repr += 'e';
  repr += std::to_string(exponent);
  double v = 0;
  auto res = std::from_chars(repr.data(), repr.data() + repr.size(), v);
  bool zero = digits.find_first_not_of('0') == std::string::npos;
  if (zero) v = 0;
  if (!zero && (res.ec != std::errc() || !std::isfinite(v) || v == 0)) {
    // Which way it left the range follows from the decimal magnitude (significant digits
    // plus exponent), not from the exponent's sign: `1000…0` (309 digits) has exponent 0.
    long long magnitude = static_cast<long long>(digits.size() - digits.find_first_not_of('0')) + exponent;
    std::string shown(text);
    if (count_code_points(text) > 32) shown = std::string(text.substr(0, 24)) + "…";  // ASCII: digits and letters
    err = {0, count_code_points(text),
           magnitude > 0
               ? fmt::format("number '{}' is too large: the largest number is about 1.797e308", shown)
               : fmt::format("number '{}' is too small to represent: the smallest non-zero double is about 4.9e-324",
                             shown)};
    return false;
  }
  out.value = v;
  return true;
}

bool decode_date(std::string_view t, DateLit& out, LiteralError& err) {
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t k = 0; k < len; ++k) v = v * 10 + (t[at + k] - '0');
    return v;
  };
  std::string text(t);
  out = {};
  out.year = num(0, 4);
  // Run-time dates are proleptic Gregorian years 1..9999 (runtime/calendar.cpp); a year
  // 0000 would pass every later check and abort the run.
  if (out.year < 1) {
    err = {0, 4, fmt::format("'{}' is not a date: the year must be 0001 to 9999", text)};
    return false;
  }
  if (t.size() == 6 && t[4] == 'Q') {
    int q = t[5] - '0';
    if (q < 1 || q > 4) {
      err = {5, 1, fmt::format("'{}' is not a date: a quarter is Q1 to Q4", text)};
      return false;
    }
    out.month = 3 * (q - 1) + 1;
    return true;
  }
  out.month = num(5, 2);
  if (out.month < 1 || out.month > 12) {
    err = {5, 2,
           fmt::format("'{}' is not a date: the month must be 01 to 12 (put spaces around '-' to subtract)", text)};
    return false;
  }
  if (t.size() == 10) {
    out.day = num(8, 2);
    int dim = days_in_month(out.year, out.month);
    if (out.day < 1 || out.day > dim) {
      err = {8, 2, fmt::format("'{}' is not a date: that month has {} days", text, dim)};
      return false;
    }
  }
  return true;
}

bool decode_string(std::string_view tok, std::vector<std::string>& pieces, std::vector<Interpolation>& interps,
                   std::vector<LiteralError>& errors) {
  pieces.assign(1, std::string());
  interps.clear();
  size_t errors_before = errors.size();
  // Skip the quotes; the lexer guarantees both are there (an unterminated string is a
  // different token).
  size_t i = 1, end = tok.size() >= 2 ? tok.size() - 1 : tok.size();
  uint32_t col = 1;  // code points from the token start
  while (i < end) {
    char c = tok[i];
    if (c == '\\' && i + 1 < end) {  // the lexer only lets a backslash precede a character
      char e = tok[i + 1];
      switch (e) {
        case '"':
          pieces.back() += '"';
          break;
        case '\\':
          pieces.back() += '\\';
          break;
        case 'n':
          pieces.back() += '\n';
          break;
        case '{':
          pieces.back() += '{';
          break;
        case '}':
          pieces.back() += '}';
          break;
        default: {
          CodePoint cp = decode_code_point(tok, i + 1);
          if (cp.valid && is_control(cp.value)) {  // never echo it raw
            errors.push_back({col + 1, 1,
                              fmt::format("a string may not contain the control character {}; .deal has no escape "
                                          "for it (only \\\", \\\\, \\n, \\{{ and \\}})",
                                          describe_control(cp.value))});
            i += 1 + cp.length;
            col += 2;
            continue;
          }
          errors.push_back({col, 2,
                            fmt::format("unknown escape '\\{}' in a string (use \\\", \\\\, \\n, \\{{ or \\}})",
                                        std::string(tok.substr(i + 1, cp.length)))});
          i += 1 + cp.length;
          col += 2;
          continue;
        }
      }
      i += 2;
      col += 2;
      continue;
    }
    if (c == '{') {
      size_t close = tok.find('}', i + 1);
      if (close == std::string_view::npos || close >= end) {
        errors.push_back(
            {col, 1, "'{' in a string starts an interpolation and needs a closing '}' (write \\{ for a brace)"});
        return false;
      }
      std::string_view inner = tok.substr(i + 1, close - i - 1);
      if (inner.find_first_not_of(" \t") == std::string_view::npos) {
        errors.push_back({col, count_code_points(tok.substr(i, close - i + 1)),
                          "empty interpolation '{}' in a string (write \\{ for a brace)"});
      }
      interps.push_back({std::string(inner), col + 1});
      pieces.emplace_back();
      col += count_code_points(tok.substr(i, close - i + 1));
      i = close + 1;
      continue;
    }
    if (c == '}') {
      errors.push_back({col, 1, "unmatched '}' in a string (write \\} for a brace)"});
      ++i;
      ++col;
      continue;
    }
    CodePoint cp = decode_code_point(tok, i);
    if (cp.valid && is_control(cp.value)) {
      errors.push_back({col, 1,
                        fmt::format("a string may not contain the control character {}: strings reach terminals "
                                    "through emit lines and track labels, and .deal has no escape for it (only "
                                    "\\\", \\\\, \\n, \\{{ and \\}}); remove it",
                                    describe_control(cp.value))});
    } else if (!cp.valid) {  // host-supplied text (files are refused whole): a lone 0x9B is a CSI too
      errors.push_back(
          {col, 1,
           fmt::format("a string may not contain invalid UTF-8 (byte 0x{:02X})", static_cast<unsigned char>(tok[i]))});
    } else {
      pieces.back().append(tok.substr(i, cp.length));
    }
    i += cp.length;
    ++col;
  }
  return errors.size() == errors_before;
}

}  // namespace deal::ast::detail
