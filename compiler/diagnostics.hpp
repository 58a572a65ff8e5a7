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

// The stable codes of diagnostics (`E011`), each explained in docs/diagnostics.md — the
// one source of truth, compiled into the binary (explain_code). A diagnostic reported
// without one gets its stage's code (E001 while parsing, E002 while importing, E003
// while checking); the checker gives the specific ones below.
namespace codes {
inline constexpr const char* kSyntax = "E001";
inline constexpr const char* kImport = "E002";
inline constexpr const char* kCheck = "E003";
inline constexpr const char* kInternal = "E004";
inline constexpr const char* kUnknownName = "E010";
inline constexpr const char* kUnknownUnit = "E011";
inline constexpr const char* kDimensions = "E012";
inline constexpr const char* kPartyLacksField = "E013";
inline constexpr const char* kArgumentType = "E014";
inline constexpr const char* kMissingArgument = "E015";
inline constexpr const char* kNoSuchParameter = "E016";
inline constexpr const char* kDuplicate = "E017";
inline constexpr const char* kNotAssignable = "E018";
inline constexpr const char* kRecursion = "E019";
inline constexpr const char* kBareNumber = "E020";
inline constexpr const char* kPayInParty = "E021";
inline constexpr const char* kSetOnState = "E022";
inline constexpr const char* kBadSetValue = "E023";
inline constexpr const char* kWarning = "W001";
}  // namespace codes

// The explanation of a code ("E011"), as docs/diagnostics.md writes it (its section,
// heading included); empty for a code the document does not explain.
std::string_view explain_code(std::string_view id);
// Every code docs/diagnostics.md explains, in its order.
std::vector<std::string> documented_codes();

struct Diagnostic {
  Severity severity = Severity::Error;
  Span span;
  std::string message;
  // Secondary locations ("previous declaration is here"), rendered as notes.
  std::vector<std::pair<Span, std::string>> notes;
  // The stage that found the problem ("syntax", "import", "check"): the public API's
  // Message::code, what hosts matched on before codes existed (docs/embedding.md).
  std::string code;
  // The stable code of the problem ("E011", docs/diagnostics.md): shown in the rendering
  // as `[E011]`, Message::id in the API, the code a language server publishes.
  std::string id;
  // How to fix it, one line each, rendered under the source line as `= help: …`.
  std::vector<std::string> help;

  Diagnostic& with_id(const char* stable_code) {
    id = stable_code;
    return *this;
  }
  Diagnostic& with_help(std::string line) {
    help.push_back(std::move(line));
    return *this;
  }
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
    // The stable code (E001…) a diagnostic of stage `code` gets when it has none.
    static const char* default_id(std::string_view code);
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
