// ANTLR's parsers share their DFA caches, and LLVM's global state is set up once:
// parsing, checking and compiling are serialised across the process (runs are not).
// Internal to engine/: every engine function that parses, checks or compiles holds it.
#pragma once

#include <mutex>

namespace deal::engine {

std::mutex& frontend_mutex();

}  // namespace deal::engine
