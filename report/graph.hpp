// The deal web as a picture: parties as nodes, deals as edges (Graphviz DOT), and
// rendering through Graphviz's `dot` when it is installed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::report {

// `scheduled` is a run in which every obligation was paid in full (edge amounts: what
// each deal was scheduled to move between each pair); `actual`, when given, is the
// scenario's run: defaulted parties and deals that were paid short are highlighted.
std::string deal_graph_dot(const rt::Model& model, const rt::RunResult& scheduled, const rt::RunResult* actual,
                           const std::string& title);

// What a program run by run_piped did.
struct PipedRun {
  bool started = false;  // false: it could not be started (`spawn_errno`: ENOENT when it is not on PATH)
  int spawn_errno = 0;
  int exit_status = -1;  // its exit status, when it exited
  int signal = 0;        // the signal that ended it, when one did
  std::string out, err;  // everything it wrote to its stdout and stderr
};

// Runs argv[0] (looked up on PATH, no shell) with `input` on its stdin, collecting its
// stdout and stderr until it exits. Input and output are pumped together with poll(), so
// a child that writes much before it has read everything cannot deadlock us; a child
// that exits without reading its input is not an error here (and SIGPIPE cannot kill us).
// Throws std::system_error only when the pipes themselves fail.
PipedRun run_piped(const std::vector<std::string>& argv, std::string_view input);

// The path of Graphviz's `dot`, if it is on PATH.
std::optional<std::string> find_dot();
// Renders DOT text to "svg" or "png" by piping it through `program` (Graphviz's `dot`;
// another name only in tests); false with `error` set on failure.
bool render_dot(const std::string& dot, const std::string& format, std::string& out, std::string& error,
                const std::string& program = "dot");

}  // namespace deal::report
