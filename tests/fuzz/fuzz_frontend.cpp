// libFuzzer entry point for the front end. Any input must end in success or errors;
// a module that parses cleanly must print to source that parses cleanly to an equal
// module, and printing must be canonical (printing the reparse gives the same text).
// A violation aborts, which libFuzzer records as a crash with the input that caused it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/ast/parse.hpp"
#include "compiler/diagnostics.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "fuzz_frontend: %s\n--- first:\n%s\n--- second:\n%s\n", what, a.c_str(), b.c_str());
  std::abort();
}

// Every reported location must lie inside the file (or just past its end).
void check_spans(const deal::SourceManager& sm, const deal::Diagnostics& diags) {
  for (const auto& d : diags.all()) {
    if (!d.span.valid()) continue;
    if (d.span.file != 1 || d.span.line > sm.file(1).line_starts.size() || d.span.col == 0)
      fail("diagnostic outside the file", d.message, deal::render(sm, d));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  deal::SourceManager sm;
  deal::Diagnostics diags;
  uint32_t id = sm.add("fuzz.deal", text);
  deal::ast::Module m = deal::ast::parse_module(sm, id, diags);
  std::string rendered = deal::render_all(sm, diags);  // rendering must cope with any span
  check_spans(sm, diags);
  if (!diags.has_errors()) {
    std::string printed = deal::ast::print(m);
    deal::SourceManager sm2;
    deal::Diagnostics diags2;
    uint32_t id2 = sm2.add("printed.deal", printed);
    deal::ast::Module m2 = deal::ast::parse_module(sm2, id2, diags2);
    if (diags2.has_errors()) fail("the printed module does not parse", printed, deal::render_all(sm2, diags2));
    if (!deal::ast::equal(m, m2)) fail("the printed module parses to a different AST", text, printed);
    std::string again = deal::ast::print(m2);
    if (again != printed) fail("printing is not canonical", printed, again);
  }

  // The same bytes as a lone expression (the --set / REPL path).
  deal::Diagnostics diags3;
  deal::ast::ExprPtr e = deal::ast::parse_expression(sm, id, diags3);
  check_spans(sm, diags3);
  if (e) {
    if (diags3.has_errors()) fail("an expression was returned with errors", text, deal::render_all(sm, diags3));
    std::string printed = deal::ast::print(*e);
    deal::SourceManager sm4;
    deal::Diagnostics diags4;
    uint32_t id4 = sm4.add("printed-expr", printed);
    deal::ast::ExprPtr e2 = deal::ast::parse_expression(sm4, id4, diags4);
    if (!e2) fail("the printed expression does not parse", printed, deal::render_all(sm4, diags4));
    if (!deal::ast::equal(*e, *e2)) fail("the printed expression parses to a different AST", text, printed);
  } else if (!diags3.has_errors()) {
    fail("no expression and no error", text, "");
  }
  return 0;
}
