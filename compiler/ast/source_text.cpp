#include "compiler/ast/source_text.hpp"

#include <algorithm>

namespace deal::ast::detail {

namespace {

// Same rule as the renderer in diagnostics.cpp: the lead byte decides the group length.
size_t lead_length(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

CodePoint decode_code_point(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return {c, 1, true};
  size_t want = lead_length(c);
  // A group only takes continuation bytes: a broken sequence must not swallow the
  // quote or line break after it. (The renderer groups by the lead byte alone; the two
  // agree on every valid line.)
  size_t len = 1;
  while (len < want && i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
  char32_t marker = 0xDC00 + c;
  if (want == 1 || len < want) return {marker, len, false};
  char32_t v = want == 2 ? (c & 0x1F) : want == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(text[i + k]);
    if ((d & 0xC0) != 0x80) return {marker, len, false};
    v = (v << 6) | (d & 0x3F);
  }
  // Reject overlong forms, surrogates, values past U+10FFFF and the 0xF8.. lead bytes
  // the renderer treats as three-byte groups.
  bool ok =
      (want == 2 && v >= 0x80) || (want == 3 && v >= 0x800 && c < 0xF0) || (want == 4 && v >= 0x10000 && v <= 0x10FFFF);
  if (ok && v >= 0xD800 && v <= 0xDFFF) ok = false;
  if (!ok) return {marker, len, false};
  return {v, len, true};
}

uint32_t count_code_points(std::string_view text) {
  uint32_t n = 0;
  for (size_t i = 0; i < text.size(); i += decode_code_point(text, i).length) ++n;
  return n;
}

CodePointStream::CodePointStream(std::string_view text, std::string name) : text_(text), name_(std::move(name)) {
  cps_.reserve(text.size());
  offsets_.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size();) {
    CodePoint cp = decode_code_point(text, i);
    cps_.push_back(cp.value);
    offsets_.push_back(static_cast<uint32_t>(i));
    i += cp.length;
  }
  offsets_.push_back(static_cast<uint32_t>(text.size()));
}

void CodePointStream::consume() {
  if (pos_ >= cps_.size()) throw antlr4::IllegalStateException("cannot consume EOF");
  ++pos_;
}

size_t CodePointStream::LA(ssize_t i) {
  if (i == 0) return 0;
  ssize_t at = static_cast<ssize_t>(pos_) + (i > 0 ? i - 1 : i);
  if (at < 0 || at >= static_cast<ssize_t>(cps_.size())) return antlr4::IntStream::EOF;
  return cps_[static_cast<size_t>(at)];
}

void CodePointStream::seek(size_t index) { pos_ = std::min(index, cps_.size()); }

std::string CodePointStream::getText(const antlr4::misc::Interval& interval) {
  ssize_t a = std::max<ssize_t>(interval.a, 0);
  ssize_t b = std::min<ssize_t>(interval.b, static_cast<ssize_t>(cps_.size()) - 1);
  if (b < a) return {};
  size_t from = offsets_[static_cast<size_t>(a)], to = offsets_[static_cast<size_t>(b) + 1];
  return std::string(text_.substr(from, to - from));
}

}  // namespace deal::ast::detail
