// Describes a checked, compiled program to the runtime driver (runtime/model.hpp).
#pragma once

#include "compiler/check/program.hpp"
#include "compiler/jit/jit.hpp"
#include "runtime/model.hpp"

namespace deal::jit {

rt::Model build_model(const check::Program& program, const CompiledProgram& compiled, const SourceManager& sm);

// How a value of this type is shown (tracks, emit lines, the REPL).
rt::ValueKind value_kind(const check::Type& t);

// The runtime date of a run-time month number (check/program.hpp's encoding).
rt::Date date_of_months(double months);

}  // namespace deal::jit
