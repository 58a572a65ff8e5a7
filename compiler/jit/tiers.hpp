// The two tiers of a program's native code. Code that runs once per path or rarely
// (initialisation, default handling: the functions codegen marks `optnone`) is moved into
// a module of its own, which instruction selection, register allocation and the machine
// passes compile at CodeGenOptLevel::None; the step code stays in the optimised module
// and gets the full code generator. Both objects are linked into one JIT.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llvm {
class Module;
}

namespace deal::jit {

// Moves the definitions of the functions marked `optnone` out of `m` (which keeps their
// declarations) into a new module in the same context, which declares what they use of
// `m`. Every local symbol of `m` becomes external first, so the two halves can refer to
// each other by name (each program has its own JIT: nothing else shares the names).
// Returns nullptr, and leaves `m` alone, when nothing is marked.
std::unique_ptr<llvm::Module> split_cold(llvm::Module& m);

// Several objects as one byte string (the object cache holds one per entry) and back.
// unpack_objects returns false for anything malformed.
std::string pack_objects(const std::vector<std::string_view>& objects);
bool unpack_objects(std::string_view packed, std::vector<std::string_view>& objects);

}  // namespace deal::jit
