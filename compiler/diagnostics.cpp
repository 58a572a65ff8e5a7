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
  Diagnostic d;
  d.span = span;
  d.message = std::move(message);
  add(std::move(d));
  return list_.size() && errors_ <= kMaxErrors ? list_.back() : overflow_;
}

Diagnostic& Diagnostics::warning(Span span, std::string message) {
  Diagnostic d;
  d.severity = Severity::Warning;
  d.span = span;
  d.message = std::move(message);
  add(std::move(d));
  return list_.back();
}

const char* Diagnostics::CodeScope::default_id(std::string_view code) {
  if (code == "syntax") return codes::kSyntax;
  if (code == "import") return codes::kImport;
  if (code == "internal") return codes::kInternal;
  return codes::kCheck;
}

void Diagnostics::add(Diagnostic d) {
  if (d.code.empty()) d.code = default_code_;
  if (d.id.empty()) d.id = d.severity == Severity::Warning ? codes::kWarning : CodeScope::default_id(d.code);
  if (d.severity == Severity::Error) {
    ++errors_;
    if (errors_ > kMaxErrors) {
      if (errors_ == kMaxErrors + 1) {
        Diagnostic stop;
        stop.message = fmt::format("too many errors; stopping after {}", kMaxErrors);
        stop.code = d.code;
        list_.push_back(std::move(stop));
      }
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

// One column of a source line as shown: the text printed for it and how wide it is.
// Control characters (C0 but tab, DEL, C1) and bytes that are not UTF-8 are shown
// escaped (`\x1b`, `\u009b`) so that no diagnostic sends a terminal a raw control
// byte; the caret line pads by the same widths, so it stays aligned.
struct Cell {
  std::string text;
  bool tab = false;
  size_t width = 1;
};

std::vector<Cell> cells_of(std::string_view line) {
  std::vector<Cell> out;
  for (size_t i = 0; i < line.size();) {
    auto c = static_cast<unsigned char>(line[i]);
    size_t len = std::min(utf8_len(c), line.size() - i);
    // Lead bytes no UTF-8 text has (C0, C1 start overlong forms; F5.. are past U+10FFFF).
    bool valid = len == utf8_len(c) && (len > 1 || c < 0x80) && c != 0xC0 && c != 0xC1 && c < 0xF5;
    for (size_t k = 1; k < len && valid; ++k) valid = (static_cast<unsigned char>(line[i + k]) & 0xC0) == 0x80;
    Cell cell;
    if (!valid) {
      for (size_t k = 0; k < len; ++k) cell.text += fmt::format("\\x{:02x}", static_cast<unsigned char>(line[i + k]));
    } else if (c == '\t') {
      cell.text = "\t";
      cell.tab = true;
    } else if (c < 0x20 || c == 0x7F) {
      cell.text = fmt::format("\\x{:02x}", c);
    } else if (c == 0xC2 && static_cast<unsigned char>(line[i + 1]) <= 0x9F) {  // U+0080..U+009F
      cell.text = fmt::format("\\u{:04x}", (static_cast<unsigned char>(line[i + 1]) & 0x3F) | 0x80);
    } else {
      cell.text.assign(line.substr(i, len));
    }
    if (!cell.tab) cell.width = cell.text.size() == len ? 1 : cell.text.size();
    out.push_back(std::move(cell));
    i += len;
  }
  return out;
}

// Text that is not source (a path, a message) with control characters escaped too.
std::string printable(std::string_view text) {
  std::string out;
  size_t from = 0;
  for (size_t i = 0; i <= text.size(); ++i)  // line breaks and tabs in messages stay as they are
    if (i == text.size() || text[i] == '\n') {
      for (Cell& c : cells_of(text.substr(from, i - from))) out += c.text;
      if (i < text.size()) out += '\n';
      from = i + 1;
    }
  return out;
}

// At most this many columns of a source line are shown (ordinary lines, up to 120
// columns in this style, are shown whole): a longer line is cut to a
// window around the caret, with `…` on the cut sides (a 100 kB line must not print
// 100 kB, nor 100 kB of `~`).
constexpr size_t kLineWindow = 160;
constexpr size_t kBeforeCaret = 60;  // columns kept left of the caret when cutting

// The source line and the caret line under it for code-point columns [col, end_col).
std::pair<std::string, std::string> excerpt(std::string_view line, uint32_t col, uint32_t end_col) {
  std::vector<Cell> cells = cells_of(line);
  size_t n = cells.size();
  size_t first = std::min<size_t>(col == 0 ? 0 : col - 1, n);  // index of the caret's cell (n: past the end)
  auto width = [&](size_t i) { return i < n ? cells[i].width : 1; };
  size_t total = 0;
  for (size_t i = 0; i <= n; ++i) total += width(i);
  size_t lo = 0, hi = n;  // the cells shown: [lo, hi)
  if (total > kLineWindow) {
    size_t used = width(first);
    lo = first;
    while (lo > 0 && used + width(lo - 1) <= kBeforeCaret) used += width(--lo);
    hi = first + 1;
    while (hi < n && used + width(hi) <= kLineWindow) used += width(hi++);
    while (lo > 0 && used + width(lo - 1) <= kLineWindow) used += width(--lo);  // near the end: more on the left
    hi = std::min(hi, n);
  }
  std::string text, caret;
  if (lo > 0) {
    text += "…";
    caret += ' ';
  }
  for (size_t i = lo; i < hi; ++i) text += cells[i].text;
  if (hi < n) text += "…";
  for (size_t i = lo; i < first; ++i) caret += cells[i].tab ? std::string("\t") : std::string(cells[i].width, ' ');
  caret += '^';
  // The tildes cover the rest of the span that is shown (a cut span ends at the `…`).
  size_t last = std::min<size_t>(end_col > col ? end_col - 1 : col, std::max(hi, first + 1));
  size_t tildes = width(first) - 1;
  for (size_t i = first + 1; i < last; ++i) tildes += i < n ? cells[i].width : 1;
  caret.append(tildes, '~');
  return {text, caret};
}

void render_one(std::string& out, const SourceManager& sm, Severity sev, const Span& span, const std::string& message,
                bool color, std::string_view id = {}) {
  const char* word = sev == Severity::Error ? "error" : sev == Severity::Warning ? "warning" : "note";
  const char* tint = sev == Severity::Error ? "\033[1;31m" : sev == Severity::Warning ? "\033[1;35m" : "\033[1;36m";
  std::string where;
  if (span.valid() && span.file >= 1 && span.file <= sm.size())
    where = fmt::format("{}:{}:{}: ", printable(sm.file(span.file).path), span.line, span.col);
  std::string shown = printable(message);
  // The code goes last, as gcc's `[-Wflag]`: `file:line:col: error: ` stays what
  // editors match on.
  if (!id.empty()) shown += fmt::format(" [{}]", id);
  if (color) out += fmt::format("\033[1m{}\033[0m{}{}:\033[0m \033[1m{}\033[0m\n", where, tint, word, shown);
  else out += fmt::format("{}{}: {}\n", where, word, shown);
  if (!span.valid() || span.file < 1 || span.file > sm.size()) return;
  uint32_t end_col = span.end_line == span.line && span.end_col > span.col ? span.end_col : span.col + 1;
  auto [text, caret] = excerpt(sm.line_text(span.file, span.line), span.col, end_col);
  out += fmt::format("{:>5} | {}\n", span.line, text);
  if (color) caret = std::string(tint) + caret + "\033[0m";
  out += fmt::format("      | {}\n", caret);
}

}  // namespace

std::string source_excerpt(std::string_view line, uint32_t col) { return excerpt(line, col, col + 1).first; }

std::string render(const SourceManager& sm, const Diagnostic& d, bool color) {
  std::string out;
  render_one(out, sm, d.severity, d.span, d.message, color, d.id);
  for (const std::string& h : d.help)
    out += color ? fmt::format("      = \033[1mhelp:\033[0m {}\n", printable(h))
                 : fmt::format("      = help: {}\n", printable(h));
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
