// The one top-level boundary (engine::guarded, which `main` of the CLI and the REPL
// runs in): no exception escapes it, whatever is thrown and even when the report of
// it cannot be written; it becomes "PREFIX: internal error: …" and exit code 3.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

#include "engine/session.hpp"

using namespace deal;

namespace {

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

struct NotAnException {};

}  // namespace

TEST_CASE("boundary: every kind of escaping exception is one line and exit 3", "[engine][boundary]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  CHECK(engine::guarded([] { return 2; }, f) == 2);  // a body's own exit code passes through
  CHECK(engine::guarded([]() -> int { throw std::bad_alloc(); }, f) == 3);
  CHECK(engine::guarded([]() -> int { throw std::system_error(std::make_error_code(std::errc::io_error), "write"); }, f,
                        "deal run") == 3);
  CHECK(engine::guarded([]() -> int { throw NotAnException{}; }, f) == 3);
  CHECK(engine::guarded([]() -> int { throw std::runtime_error(""); }, f) == 3);
  const std::string text = read_all(f);
  std::fclose(f);
  CHECK(text ==
        "deal: internal error: std::bad_alloc\n"
        "deal run: internal error: write: Input/output error\n"
        "deal: internal error: an unknown exception\n"
        "deal: internal error: \n");
}

TEST_CASE("boundary: it does not throw when its report cannot be written", "[engine][boundary]") {
  // An unbuffered stream on a full device fails every write, as stderr does under
  // `2>/dev/full`: the report is lost, but the exit code is still 3 and nothing escapes.
  if (!std::filesystem::exists("/dev/full")) {
    WARN("no /dev/full: not checked");
    return;
  }
  std::FILE* full = std::fopen("/dev/full", "w");
  REQUIRE(full);
  std::setvbuf(full, nullptr, _IONBF, 0);
  int code = -1;
  CHECK_NOTHROW(code = engine::guarded([]() -> int { throw std::length_error("vector too long"); }, full));
  CHECK(code == 3);
  CHECK_NOTHROW(code = engine::guarded([]() -> int { throw 42; }, full, "deal repl"));
  CHECK(code == 3);
  std::fclose(full);
}

TEST_CASE("boundary: the CLI with a stderr it cannot write to exits 3, it does not abort", "[engine][boundary][cli]") {
  // `deal check` of a missing file writes its error to stderr; on /dev/full that write
  // throws, and so did the boundary's own report, so the exception left main (abort, 134).
  if (!std::filesystem::exists("/dev/full")) {
    WARN("no /dev/full: not checked");
    return;
  }
  const std::string cmd = std::string(DEAL_BINARY) + " check /nonexistent/deal-boundary-test.deal 2>/dev/full";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
}
