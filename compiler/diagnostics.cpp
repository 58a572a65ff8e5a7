#include "compiler/diagnostics.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace deal {

Span Span::cover(const Span& a, const Span& b) {
  if (!a.valid()) return b;
  if (!b.valid()) return a;
  Span s = a;
  if (b.line < s.line || (b.line == s.line && b.col < s.col)) {
    s.line = b.line;
    s.col = b.col;
  }
  if (b.end_line > s.end_line || (b.end_line == s.end_line && b.end_col > s.end_col)) {
    s.end_line = b.end_line;
    s.end_col = b.end_col;
  }
  return s;
}

uint32_t SourceManager::add(std::string path, std::string text) {
  SourceFile f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size());
}

std::string_view SourceManager::line_text(uint32_t file_id, uint32_t line) const {
  if (file_id == 0 || file_id > files_.size()) return {};
  const SourceFile& f = files_[file_id - 1];
  if (line == 0 || line > f.line_starts.size()) return {};
  size_t begin = f.line_starts[line - 1];
  size_t end = line < f.line_starts.size() ? f.line_starts[line] - 1 : f.text.size();
  std::string_view s(f.text.data() + begin, end - begin);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

Diagnostic& Diagnostics::error(Span span, std::string message) {
  add(Diagnostic{Severity::Error, span, std::move(message), {}});
  return list_.size() && errors_ <= kMaxErrors ? list_.back() : overflow_;
}

Diagnostic& Diagnostics::warning(Span span, std::string message) {
  add(Diagnostic{Severity::Warning, span, std::move(message), {}});
  return list_.back();
}

void Diagnostics::add(Diagnostic d) {
  if (d.code.empty()) d.code = default_code_;
  if (d.severity == Severity::Error) {
    ++errors_;
    if (errors_ > kMaxErrors) {
      if (errors_ == kMaxErrors + 1)
        list_.push_back({Severity::Error, {}, fmt::format("too many errors; stopping after {}", kMaxErrors), {}});
      overflow_ = std::move(d);
      return;
    }
  }
  if (callback_) callback_(d);
  list_.push_back(std::move(d));
}

void Diagnostics::clear() {
  list_.clear();
  errors_ = 0;
}

namespace {

// Number of bytes in the UTF-8 sequence starting with byte c (1 for invalid bytes).
size_t utf8_len(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// The caret line under `text` for code-point columns [col, end_col): tabs are kept so the
// caret lines up in a terminal whatever the tab width.
std::string caret_line(std::string_view text, uint32_t col, uint32_t end_col) {
  std::string out;
  uint32_t c = 1;
  size_t i = 0;
  while (c < col && i < text.size()) {
    out += text[i] == '\t' ? '\t' : ' ';
    i += utf8_len(static_cast<unsigned char>(text[i]));
    ++c;
  }
  while (c < col) {
    out += ' ';
    ++c;
  }
  out += '^';
  for (uint32_t k = col + 1; k < end_col; ++k) out += '~';
  return out;
}

void render_one(std::string& out, const SourceManager& sm, Severity sev, const Span& span, const std::string& message,
                bool color) {
  const char* word = sev == Severity::Error ? "error" : sev == Severity::Warning ? "warning" : "note";
  const char* tint = sev == Severity::Error ? "\033[1;31m" : sev == Severity::Warning ? "\033[1;35m" : "\033[1;36m";
  std::string where;
  if (span.valid() && span.file >= 1 && span.file <= sm.size())
    where = fmt::format("{}:{}:{}: ", sm.file(span.file).path, span.line, span.col);
  if (color) out += fmt::format("\033[1m{}\033[0m{}{}:\033[0m \033[1m{}\033[0m\n", where, tint, word, message);
  else out += fmt::format("{}{}: {}\n", where, word, message);
  if (!span.valid() || span.file < 1 || span.file > sm.size()) return;
  std::string_view text = sm.line_text(span.file, span.line);
  if (text.size() > 400) text = text.substr(0, 400);  // keep pathological lines readable
  uint32_t end_col = span.end_line == span.line && span.end_col > span.col ? span.end_col : span.col + 1;
  out += fmt::format("{:>5} | {}\n", span.line, text);
  std::string caret = caret_line(text, span.col, end_col);
  if (color) caret = std::string(tint) + caret + "\033[0m";
  out += fmt::format("      | {}\n", caret);
}

}  // namespace

std::string render(const SourceManager& sm, const Diagnostic& d, bool color) {
  std::string out;
  render_one(out, sm, d.severity, d.span, d.message, color);
  for (const auto& [span, msg] : d.notes) render_one(out, sm, Severity::Note, span, msg, color);
  return out;
}

std::string render_all(const SourceManager& sm, const Diagnostics& diags, bool color) {
  // In source order (stable: diagnostics at one place keep the order they were found),
  // which is how people read them; the checker finds them in dependency order.
  std::vector<const Diagnostic*> order;
  for (const Diagnostic& d : diags.all()) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const Diagnostic* a, const Diagnostic* b) {
    auto key = [](const Diagnostic* d) { return std::tuple(d->span.file, d->span.line, d->span.col); };
    return key(a) < key(b);
  });
  std::string out;
  for (const Diagnostic* d : order) out += render(sm, *d, color);
  if (diags.error_count() > 1) out += fmt::format("{} errors\n", diags.error_count());
  return out;
}

}  // namespace deal
