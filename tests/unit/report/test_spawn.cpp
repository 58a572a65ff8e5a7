// run_piped, the helper `deal graph --format svg/png` renders through: no shell, no
// temporary files; input and output pumped together (no deadlock on big graphs), a child
// that stops reading cannot kill us with SIGPIPE, signals interrupting the calls are
// retried. Run through ordinary programs (cat, sh, true) so the tests need no Graphviz.
#include <signal.h>
#include <sys/time.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "report/graph.hpp"

using namespace deal;

namespace {

// Bigger than any pipe buffer (64 KiB by default, 1 MiB at most unprivileged), so a child
// that echoes its input blocks on its stdout unless we read while we write.
std::string big_input() {
  std::string s;
  s.reserve(8 << 20);
  for (int i = 0; s.size() < (8u << 20); ++i) s += "line " + std::to_string(i) + " of the input\n";
  return s;
}

bool sigpipe_pending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

bool sigpipe_blocked() {
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

void on_alarm(int) {}

}  // namespace

TEST_CASE("run_piped: a child echoing more than a pipe holds gets all of it back (no deadlock)", "[report][spawn]") {
  std::string input = big_input();
  report::PipedRun r = report::run_piped({"cat"}, input);
  REQUIRE(r.started);
  CHECK(r.exit_status == 0);
  CHECK(r.signal == 0);
  CHECK(r.out.size() == input.size());
  CHECK(r.out == input);
  CHECK(r.err.empty());
}

TEST_CASE("run_piped: exit status and stderr of a failing child", "[report][spawn]") {
  report::PipedRun r = report::run_piped({"sh", "-c", "echo partial; echo 'it went wrong' >&2; exit 3"}, "ignored\n");
  REQUIRE(r.started);
  CHECK(r.exit_status == 3);
  CHECK(r.signal == 0);
  CHECK(r.out == "partial\n");
  CHECK(r.err == "it went wrong\n");
}

TEST_CASE("run_piped: arguments reach the child as they are, with no shell in between", "[report][spawn]") {
  report::PipedRun r = report::run_piped({"sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "$HOME", "'; exit 7"}, "");
  REQUIRE(r.started);
  CHECK(r.exit_status == 0);
  CHECK(r.out == "a b|$HOME|'; exit 7|");
}

TEST_CASE("run_piped: a child that exits without reading its input cannot kill us with SIGPIPE", "[report][spawn]") {
  bool blocked_before = sigpipe_blocked();
  report::PipedRun r = report::run_piped({"true"}, big_input());
  REQUIRE(r.started);
  CHECK(r.exit_status == 0);
  // Our writes met a closed pipe: the signal they raised was taken back, the mask restored.
  CHECK_FALSE(sigpipe_pending());
  CHECK(sigpipe_blocked() == blocked_before);

  report::PipedRun failed = report::run_piped({"sh", "-c", "echo 'bad input' >&2; exit 5"}, big_input());
  REQUIRE(failed.started);
  CHECK(failed.exit_status == 5);
  CHECK(failed.err == "bad input\n");
}

TEST_CASE("run_piped: a child killed by a signal", "[report][spawn]") {
  report::PipedRun r = report::run_piped({"sh", "-c", "kill -9 $$"}, "");
  REQUIRE(r.started);
  CHECK(r.signal == 9);
  CHECK(r.exit_status == -1);
}

TEST_CASE("run_piped: a program that is not installed is reported, not run", "[report][spawn]") {
  report::PipedRun r = report::run_piped({"deal-test-no-such-program"}, "x");
  CHECK_FALSE(r.started);
  CHECK(r.spawn_errno == ENOENT);
}

TEST_CASE("run_piped: signals interrupting poll, read, write and waitpid are retried", "[report][spawn]") {
  // A handler without SA_RESTART, so every interrupted call fails with EINTR.
  struct sigaction sa {
  }, old{};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
  itimerval every_ms{{0, 1000}, {0, 1000}}, off{};
  REQUIRE(setitimer(ITIMER_REAL, &every_ms, nullptr) == 0);
  std::string input = big_input();
  report::PipedRun r = report::run_piped({"sh", "-c", "cat; sleep 0.05"}, input);
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
  REQUIRE(r.started);
  CHECK(r.exit_status == 0);
  CHECK(r.out == input);
}

TEST_CASE("render_dot: dot missing or failing is a clear error", "[report][spawn]") {
  std::string out = "untouched", error;
  CHECK_FALSE(report::render_dot("digraph { a -> b }\n", "svg", out, error, "deal-test-no-such-dot"));
  CHECK(error == "needs Graphviz's `deal-test-no-such-dot`; install graphviz or use --format dot");
  CHECK(out == "untouched");

  error.clear();
  CHECK_FALSE(report::render_dot("digraph { a -> b }\n", "svg", out, error, "false"));
  CHECK(error == "`false` failed with exit status 1");
}

TEST_CASE("render_dot: Graphviz's dot turns DOT text into SVG", "[report][spawn]") {
  if (!report::find_dot()) {
    WARN("Graphviz's dot is not installed: not checked");
    return;
  }
  std::string out, error;
  REQUIRE(report::render_dot("digraph { a -> b }\n", "svg", out, error));
  CHECK(error.empty());
  CHECK_THAT(out, Catch::Contains("<svg"));

  // dot's own complaint (and its exit status) reach the message.
  CHECK_FALSE(report::render_dot("digraph { a -> \n", "svg", out, error));
  CHECK_THAT(error, Catch::StartsWith("`dot` failed with exit status 1: "));
  CHECK_THAT(error, Catch::Contains("syntax error"));
}
