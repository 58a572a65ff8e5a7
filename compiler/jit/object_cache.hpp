// Native code kept on disk between runs, keyed by a hash of everything that produced it
// (the generated IR, the LLVM version, the target, the optimisation level): a second
// run of an unchanged program skips optimisation and instruction selection. Used by
// compiler/jit/jit.cpp only.
//
// Safe under concurrent runs: an entry is written to a temporary file and renamed into
// place (atomic on POSIX), and read whole; each entry carries its length and a hash of
// its bytes, so a truncated or damaged entry is ignored (and recompiled), never loaded.
// The folder is bounded: past kMaxEntries entries the least recently written go.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deal::jit {

class ObjectCache {
 public:
  static constexpr int kMaxEntries = 256;

  explicit ObjectCache(std::string dir) : dir_(std::move(dir)) {}

  // The object stored under `key`, or null (none, or not intact).
  std::optional<std::string> find(std::string_view key) const;
  // Stores `object` under `key`; best effort (a read-only or full disk only costs the
  // next run its compile).
  void store(std::string_view key, std::string_view object) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string path_of(std::string_view key) const;
  void prune() const;
  std::string dir_;
};

// Where the `deal` CLI keeps its cache: $DEAL_CACHE_DIR, else $XDG_CACHE_HOME/deal, else
// $HOME/.cache/deal; "" (no cache) when DEAL_NO_CACHE is set or no home is known.
std::string default_cache_dir();

}  // namespace deal::jit
