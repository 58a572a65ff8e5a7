// Whole programs: the conformance cases and the examples check as their expectations say.
#include <catch2/catch.hpp>

#include <filesystem>

#include "compiler/check/check.hpp"
#include "tests/unit/common/conformance_cases.hpp"

namespace fs = std::filesystem;

namespace {
std::string check_file(const fs::path& p, bool& ok) {
  deal::SourceManager sm;
  deal::Diagnostics diags;
  auto modules = deal::check::load_program(p.string(), sm, diags);
  if (!diags.has_errors()) deal::check::check_program(modules, sm, diags);
  ok = !diags.has_errors();
  return deal::render_all(sm, diags);
}
}  // namespace

TEST_CASE("every conformance case checks cleanly, except the e0* error cases that must fail to check", "[programs]") {
  auto cases = deal::testing::conformance_cases();
  if (cases.empty()) {
    WARN("no ../shared/conformance beside the checkout; skipped");
    return;
  }
  int seen = 0;
  for (const auto& path : cases) {
    std::string name = path.filename().string();
    bool ok = false;
    std::string messages = check_file(path, ok);
    bool check_error = name.rfind("e0", 0) == 0 && name != "e06_runtime_infinity.deal";
    INFO(name << "\n" << messages);
    CHECK(ok == !check_error);
    ++seen;
  }
  CHECK(seen > 10);
}

TEST_CASE("every example program checks cleanly", "[programs]") {
  fs::path dir = fs::path(DEAL_SOURCE_DIR) / "examples";
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".deal") continue;
    bool ok = false;
    std::string messages = check_file(entry.path(), ok);
    INFO(entry.path().string() << "\n" << messages);
    CHECK(ok);
  }
}
