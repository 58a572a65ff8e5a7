// Loads a program's files: the root, then every `import`, each file once.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/check.hpp"

#ifndef DEAL_STDLIB_DIR
#define DEAL_STDLIB_DIR "stdlib"
#endif

namespace fs = std::filesystem;

namespace deal::check {

std::string stdlib_dir(const LoadOptions& opts) {
  if (!opts.stdlib_dir.empty()) return opts.stdlib_dir;
  if (const char* env = std::getenv("DEAL_STDLIB"); env && *env) return env;
  return DEAL_STDLIB_DIR;
}

namespace {

bool read_text(const fs::path& p, std::string& out) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) return false;
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

// A canonical key for "the same file", so each file loads once whatever path spelled it.
std::string file_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : c.string();
}

class Loader {
 public:
  Loader(SourceManager& sm, Diagnostics& diags, const LoadOptions& opts)
      : sm_(sm), diags_(diags), std_dir_(stdlib_dir(opts)) {}

  void load_root_file(const std::string& path) {
    std::string text;
    if (!read_text(path, text)) {
      diags_.error({}, fmt::format("cannot read '{}': {}", path, describe_failure(path)));
      return;
    }
    load_text(path, file_key(path), std::move(text), fs::path(path).parent_path());
  }

  void load_root_text(const std::string& name, std::string text) {
    load_text(name, name, std::move(text), fs::current_path());
  }

  std::vector<ast::Module> take() { return std::move(modules_); }

 private:
  static std::string describe_failure(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return "no such file";
    if (fs::is_directory(path, ec)) return "it is a directory";
    return "permission denied or unreadable";
  }

  void load_text(const std::string& display, const std::string& key, std::string text,
                 const fs::path& dir) {
    loaded_.push_back(key);
    stack_.push_back(key);
    uint32_t id = sm_.add(display, std::move(text));
    ast::Module m = ast::parse_module(sm_, id, diags_);
    // Collect imports before moving the module out (they are resolved after it is stored,
    // so the root keeps position 0).
    std::vector<std::pair<std::string, Span>> imports;
    for (const ast::Decl& d : m.decls)
      if (d.kind == ast::DeclKind::Import) imports.emplace_back(d.import->path, d.import->path_span);
    modules_.push_back(std::move(m));
    for (const auto& [path, span] : imports) load_import(path, span, dir);
    stack_.pop_back();
  }

  void load_import(const std::string& spec, Span span, const fs::path& dir) {
    fs::path target;
    std::string display;
    if (spec.rfind("std/", 0) == 0) {
      target = fs::path(std_dir_) / (spec.substr(4) + ".deal");
      display = target.string();
    } else {
      target = dir / spec;
      display = target.lexically_normal().string();
    }
    std::string key = file_key(target);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      std::string chain;
      for (size_t j = i; j < stack_.size(); ++j) chain += fs::path(stack_[j]).filename().string() + " → ";
      chain += fs::path(key).filename().string();
      diags_.error(span, fmt::format("import cycle: {}", chain));
      return;
    }
    for (const std::string& k : loaded_)
      if (k == key) return;  // already loaded through another path: names are global
    std::string text;
    if (!read_text(target, text)) {
      if (spec.rfind("std/", 0) == 0)
        diags_.error(span, fmt::format("no standard library module '{}' (looked for {})", spec, display));
      else
        diags_.error(span, fmt::format("cannot import '{}': {} ({})", spec, describe_failure(target.string()), display));
      return;
    }
    load_text(display, key, std::move(text), target.parent_path());
  }

  SourceManager& sm_;
  Diagnostics& diags_;
  std::string std_dir_;
  std::vector<std::string> loaded_, stack_;
  std::vector<ast::Module> modules_;
};

}  // namespace

std::vector<ast::Module> load_program(const std::string& path, SourceManager& sm, Diagnostics& diags,
                                      const LoadOptions& opts) {
  Loader l(sm, diags, opts);
  l.load_root_file(path);
  return l.take();
}

std::vector<ast::Module> load_source(const std::string& name, std::string text, SourceManager& sm,
                                     Diagnostics& diags, const LoadOptions& opts) {
  Loader l(sm, diags, opts);
  l.load_root_text(name, std::move(text));
  return l.take();
}

}  // namespace deal::check
