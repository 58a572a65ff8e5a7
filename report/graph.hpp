// The deal web as a picture: parties as nodes, deals as edges (Graphviz DOT), and
// rendering through Graphviz's `dot` when it is installed.
#pragma once

#include <optional>
#include <string>

#include "runtime/driver.hpp"
#include "runtime/model.hpp"

namespace deal::report {

// `scheduled` is a run in which every obligation was paid in full (edge amounts: what
// each deal was scheduled to move between each pair); `actual`, when given, is the
// scenario's run: defaulted parties and deals that were paid short are highlighted.
std::string deal_graph_dot(const rt::Model& model, const rt::RunResult& scheduled, const rt::RunResult* actual,
                           const std::string& title);

// The path of Graphviz's `dot`, if it is on PATH.
std::optional<std::string> find_dot();
// Renders DOT text to "svg" or "png" with `dot`; false with `error` set on failure.
bool render_dot(const std::string& dot, const std::string& format, std::string& out, std::string& error);

}  // namespace deal::report
