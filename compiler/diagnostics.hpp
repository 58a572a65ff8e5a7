// Source files, spans and diagnostics shared by every front-end stage.
//
// One sink collects syntax and semantic errors alike; rendering follows gcc/clang
// (`path:line:col: error: message`, the source line, a caret under the span) so
// editors and tools can jump to it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deal {

// A position range in one source file. Lines and columns count from 1; columns count
// Unicode code points. `end_col` is one past the last column of the span on `end_line`.
// A default Span (file 0, line 0) means "no location".
struct Span {
  uint32_t file = 0;
  uint32_t line = 0, col = 0;
  uint32_t end_line = 0, end_col = 0;

  bool valid() const { return line != 0; }
  // The smallest span covering both (same file assumed).
  static Span cover(const Span& a, const Span& b);
  bool operator==(const Span&) const = default;
};

struct SourceFile {
  std::string path;  // as given by the user (or a pseudo name like "<repl>")
  std::string text;
  std::vector<uint32_t> line_starts;  // byte offset of each line's first byte
};

// Owns the text of every loaded file; file ids are stable indices starting at 1.
class SourceManager {
 public:
  uint32_t add(std::string path, std::string text);
  const SourceFile& file(uint32_t id) const { return files_.at(id - 1); }
  size_t size() const { return files_.size(); }
  // The text of a line without its line terminator (empty when out of range).
  std::string_view line_text(uint32_t file, uint32_t line) const;

 private:
  std::vector<SourceFile> files_;
};

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  Span span;
  std::string message;
  // Secondary locations ("previous declaration is here"), rendered as notes.
  std::vector<std::pair<Span, std::string>> notes;
  // A stable code for the kind of problem ("syntax", "import", "name", "type", …):
  // what hosts and editors match on (docs/embedding.md); the message may change.
  std::string code;
};

// Collects diagnostics. A host may install a sink callback to receive each one as it
// is reported (the embedding API does); they are always kept in `all()` as well.
class Diagnostics {
 public:
  // Past this many errors the rest are counted, not stored (one message says so).
  static constexpr size_t kMaxErrors = 100;

  Diagnostic& error(Span span, std::string message);
  Diagnostic& warning(Span span, std::string message);
  void add(Diagnostic d);

  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return list_; }
  void clear();

  void set_callback(std::function<void(const Diagnostic&)> cb) { callback_ = std::move(cb); }

  // The code a diagnostic reported without one gets: each stage sets its own for as long
  // as it runs ("syntax" while parsing, "import" while loading, "check" while checking).
  class CodeScope {
   public:
    CodeScope(Diagnostics& d, std::string code) : d_(d), saved_(std::move(d.default_code_)) {
      d_.default_code_ = std::move(code);
    }
    ~CodeScope() { d_.default_code_ = std::move(saved_); }
    CodeScope(const CodeScope&) = delete;
    CodeScope& operator=(const CodeScope&) = delete;

   private:
    Diagnostics& d_;
    std::string saved_;
  };

 private:
  std::vector<Diagnostic> list_;
  size_t errors_ = 0;
  Diagnostic overflow_;  // target for reports past kMaxErrors
  std::function<void(const Diagnostic&)> callback_;
  std::string default_code_;
};

// A source line as diagnostics show it: control characters and bytes that are not UTF-8
// escaped (`\x1b`), and a long line cut to about 160 columns around column `col`, with
// `…` where it is cut. For messages that quote a line without a caret (run-time errors).
std::string source_excerpt(std::string_view line, uint32_t col);

// Renders one diagnostic, with source line and caret, as the CLI prints it.
std::string render(const SourceManager& sm, const Diagnostic& d, bool color = false);
// Renders them all in the order reported, plus a final "N errors" line when N > 1.
std::string render_all(const SourceManager& sm, const Diagnostics& diags, bool color = false);

}  // namespace deal
