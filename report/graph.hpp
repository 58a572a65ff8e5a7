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

// How the deal web draws a party kind: the five built-in kinds keep their shapes; every
// other kind of the model gets its own shape and fill, in order of first appearance.
struct KindStyle {
  std::string kind;   // "" for parties without one
  const char* shape;  // a Graphviz node shape
  const char* fill;
  bool dashed = false;  // past ten other kinds, shapes repeat with a dashed outline
};
std::vector<KindStyle> party_kind_styles(const rt::Model& model);

// The colour and arrowhead of the index-th contract of the web's legend (Okabe–Ito
// colours, which stay apart with the common colour-vision deficiencies).
const char* contract_color(int index);
const char* contract_arrow(int index);

// What hovering party `p` (a model index; 0 is World) shows in the deal web: its kind,
// its balance sheet at the end of `actual` and its defaults with their causes and
// resolutions (Monte Carlo: its default probability, recovery and loss), one per line.
std::string party_tooltip(const rt::Model& model, const rt::RunResult* actual, size_t p);

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
