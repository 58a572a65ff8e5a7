// Describes a checked, compiled program to the runtime driver (runtime/model.hpp).
#pragma once

#include "compiler/check/program.hpp"
#include "compiler/jit/jit.hpp"
#include "runtime/model.hpp"

namespace deal::jit {

rt::Model build_model(const check::Program& program, const CompiledProgram& compiled, const SourceManager& sm);

// Points the model's entry points at `compiled`'s: another compile of the same program
// (its optimised tier), so everything else stays.
void rebind(rt::Model& model, const CompiledProgram& compiled);

// A site as run errors show it: its location and the source line with its caret.
rt::SiteInfo site_info(const SourceManager& sm, const codegen::Site& site);

// How a track of this type is described to the runtime (label, kind, unit; no site).
rt::ModelTrack model_track(const std::string& label, const check::Type& type, const check::UnitNames& units);

// How a value of this type is shown (tracks, emit lines, the REPL).
rt::ValueKind value_kind(const check::Type& t);

// The runtime date of a run-time month number (check/program.hpp's encoding).
rt::Date date_of_months(double months);

}  // namespace deal::jit
