// Private to compiler/ast: source bytes as the code points the ANTLR lexer reads.
//
// ANTLR's own ANTLRInputStream throws (std::range_error) on invalid UTF-8, and bad input
// must never crash the front end, so we decode ourselves. Valid text decodes exactly as
// the diagnostics renderer counts columns. An invalid sequence (a lead byte and the
// continuation bytes after it) becomes one code point in the lone-surrogate range
// (0xDC00 + lead byte), which no valid text can contain, so the error message can say
// "invalid UTF-8" instead of guessing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <antlr4-runtime.h>

namespace deal::ast::detail {

// First code point of `text` at byte `i`: its value and its length in bytes (>= 1).
struct CodePoint {
  char32_t value;
  size_t length;
  bool valid;
};
CodePoint decode_code_point(std::string_view text, size_t i);

inline bool is_invalid_byte_marker(char32_t c) { return c >= 0xDC00 && c <= 0xDCFF; }

// Number of code points in `text` (as decode_code_point groups them).
uint32_t count_code_points(std::string_view text);

// An antlr4::CharStream over decoded text. getText() returns the original bytes.
class CodePointStream : public antlr4::CharStream {
 public:
  CodePointStream(std::string_view text, std::string name);

  void consume() override;
  size_t LA(ssize_t i) override;
  ssize_t mark() override { return -1; }
  void release(ssize_t) override {}
  size_t index() override { return pos_; }
  void seek(size_t index) override;
  size_t size() override { return cps_.size(); }
  std::string getSourceName() const override { return name_; }
  std::string getText(const antlr4::misc::Interval& interval) override;
  std::string toString() const override { return std::string(text_); }

  // Byte offset of code point `i` (i == size() gives the end of the text).
  size_t byte_offset(size_t i) const { return i < offsets_.size() ? offsets_[i] : text_.size(); }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;  // owned by the SourceManager (or the caller)
  std::string name_;
  std::vector<char32_t> cps_;
  std::vector<uint32_t> offsets_;
  size_t pos_ = 0;
};

}  // namespace deal::ast::detail
