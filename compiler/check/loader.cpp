// Loads a program's files: the root, then every `import`, each file once.
//
// What a program may read (docs/language.md § Files, imports and limits): a file is read
// only when it is a regular file (after symlinks), never past the size limit, and parsed
// only when it is UTF-8 text without NUL bytes; a refused file never reaches the
// SourceManager, so no diagnostic can print one of its lines. Imports resolve inside the
// root program's folder tree, the standard library and the host's import paths only.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

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

// The OS's reason for `err`, to be read inside a sentence ("no such file or directory").
std::string os_reason(int err) {
  std::string s = std::error_code(err, std::generic_category()).message();
  if (!s.empty()) s[0] = char(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISFIFO(mode)) return "it is a FIFO";
  if (S_ISCHR(mode)) return "it is a character device";
  if (S_ISBLK(mode)) return "it is a block device";
  if (S_ISSOCK(mode)) return "it is a socket";
  return "it is a special file";
}

std::string size_text(size_t bytes) {
  constexpr size_t MiB = size_t(1) << 20;
  if (bytes >= MiB && bytes % MiB == 0) return fmt::format("{} MiB", bytes / MiB);
  return fmt::format("{} bytes", bytes);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

static bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    if (i + k >= n) return false;
    unsigned char c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(1)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (!cont(1, lo, hi) || !cont(2)) return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

SourceRead read_source_file(const std::string& path, size_t max_bytes, const std::string& name) {
  const std::string& shown = name.empty() ? path : name;
  SourceRead r;
  auto os_failure = [&](int err) {
    r.errnum = err;
    r.os_reason = os_reason(err);
    r.error = fmt::format("cannot read '{}': {}", shown, r.os_reason);
    return r;
  };
  auto not_regular = [&](mode_t mode) {
    r.error = fmt::format("'{}' is not a regular file ({})", shown, file_kind(mode));
    return r;
  };
  auto too_large = [&] {
    r.error = fmt::format("'{}' is larger than the {} limit", shown, size_text(max_bytes));
    return r;
  };
  // stat follows symlinks and never blocks, so a FIFO or a device is refused unopened.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return os_failure(errno);
  if (!S_ISREG(st.st_mode)) return not_regular(st.st_mode);
  if (st.st_size < 0 || uint64_t(st.st_size) > uint64_t(max_bytes)) return too_large();
  // O_NONBLOCK: should the path have become a FIFO since the stat, open does not wait.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return os_failure(errno);
  if (::fstat(fd.get(), &st) != 0) return os_failure(errno);
  if (!S_ISREG(st.st_mode)) return not_regular(st.st_mode);
  // Read at most max_bytes + 1 bytes whatever the size claims (files in /proc say 0,
  // a file may grow while it is read).
  const size_t cap = max_bytes + 1;
  std::string text;
  text.resize(std::min(cap, std::max(size_t(st.st_size) + 1, size_t(4096))));
  size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (text.size() >= cap) break;
      text.resize(std::min(cap, text.size() * 2));
    }
    ssize_t k = ::read(fd.get(), text.data() + got, text.size() - got);
    if (k < 0) {
      if (errno == EINTR) continue;
      return os_failure(errno);
    }
    if (k == 0) break;
    got += size_t(k);
  }
  if (got > max_bytes) return too_large();
  text.resize(got);
  if (text.find('\0') != std::string::npos) {
    r.error = fmt::format("'{}' is not a .deal file (it is binary)", shown);
    return r;
  }
  if (!valid_utf8(text)) {
    r.error = fmt::format("'{}' is not a .deal file (it is not UTF-8 text)", shown);
    return r;
  }
  r.text = std::move(text);
  return r;
}

namespace {

// A canonical key for "the same file", so each file loads once whatever path spelled it.
std::string file_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : c.string();
}

// Where `p` really is: absolute, symlinks resolved as far as the path exists (lexically
// normalised when even that fails, e.g. in a symlink loop).
fs::path real_location(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) a = p;
  fs::path c = fs::weakly_canonical(a, ec);
  return ec ? a.lexically_normal() : c;
}

bool inside(const fs::path& p, const fs::path& root) {
  if (root.empty()) return false;
  fs::path rel = p.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

std::string join_and(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

class Loader {
 public:
  Loader(SourceManager& sm, Diagnostics& diags, const LoadOptions& opts)
      : sm_(sm), diags_(diags), opts_(opts), std_dir_(stdlib_dir(opts)), std_root_(real_location(std_dir_)) {
    for (const std::string& p : opts.import_paths)
      if (!p.empty()) extra_roots_.push_back(real_location(p));
    limits_.max_bytes = opts.max_bytes;
  }

  void load_root_file(const std::string& path) {
    fs::path dir = fs::path(path).parent_path();
    fs::path root = real_location(dir.empty() ? fs::path(".") : dir);
    roots_.push_back({root, fmt::format("the program's folder {}", root.string())});
    SourceRead r = read_source_file(path, opts_.max_bytes);
    if (!r.ok()) {
      diags_.error({}, r.error);
      return;
    }
    load_text(path, file_key(path), std::move(r.text), fs::path(path).parent_path(), false, 0);
  }

  void load_root_text(const std::string& name, std::string text) {
    fs::path cwd = real_location(fs::current_path());
    roots_.push_back({cwd, fmt::format("the current directory {}", cwd.string())});
    // Imports the host read from files of its own keep to those files' folders.
    std::vector<size_t> import_roots;
    for (const std::string& r : opts_.import_roots) {
      if (r.empty()) {
        import_roots.push_back(0);
        continue;
      }
      fs::path dir = real_location(r);
      roots_.push_back({dir, fmt::format("the folder {}", dir.string())});
      import_roots.push_back(roots_.size() - 1);
    }
    // Text from a host (the embedding API, a REPL line) is held to what a file must be.
    if (text.find('\0') != std::string::npos || !valid_utf8(text)) {
      diags_.error({}, fmt::format("'{}' is not .deal source (it is {})", name,
                                   text.find('\0') != std::string::npos ? "binary" : "not UTF-8 text"));
      return;
    }
    load_text(name, name, std::move(text), fs::current_path(), false, 0, import_roots);
  }

  std::vector<ast::Module> take() { return std::move(modules_); }

 private:
  // `root`: the folder (index into roots_) this file's imports must stay in; the k-th
  // import uses import_roots[k] instead when given.
  void load_text(const std::string& display, const std::string& key, std::string text, const fs::path& dir,
                 bool in_stdlib, size_t root, const std::vector<size_t>& import_roots = {}) {
    loaded_.push_back(key);
    stack_.push_back(key);
    uint32_t id = sm_.add(display, std::move(text));
    ast::Module m = [&] {
      Diagnostics::CodeScope syntax(diags_, "syntax");
      return ast::parse_module(sm_, id, diags_, limits_);
    }();
    // Collect imports before moving the module out (they are resolved after it is stored,
    // so the root keeps position 0).
    std::vector<std::pair<std::string, Span>> imports;
    for (const ast::Decl& d : m.decls)
      if (d.kind == ast::DeclKind::Import) imports.emplace_back(d.import->path, d.import->path_span);
    modules_.push_back(std::move(m));
    for (size_t k = 0; k < imports.size(); ++k)
      load_import(imports[k].first, imports[k].second, dir, in_stdlib,
                  k < import_roots.size() ? import_roots[k] : root);
    stack_.pop_back();
  }

  bool allowed(const fs::path& where, size_t root) const {
    if (inside(where, roots_[root].dir) || inside(where, std_root_)) return true;
    for (const fs::path& r : extra_roots_)
      if (inside(where, r)) return true;
    return false;
  }

  std::string allowed_list(size_t root) const {
    std::vector<std::string> parts = {roots_[root].label, "the standard library"};
    for (const fs::path& r : extra_roots_) parts.push_back(r.string());
    return join_and(parts);
  }

  void import_error(Span span, std::string message) {
    Diagnostic d;
    d.span = span;
    d.message = std::move(message);
    d.code = "import";
    diags_.add(std::move(d));
  }

  void load_import(const std::string& spec, Span span, const fs::path& dir, bool from_stdlib, size_t root) {
    bool is_std = spec.rfind("std/", 0) == 0;
    // The standard library's own files may import each other even then.
    if (!opts_.allow_imports && !is_std && !from_stdlib) {
      import_error(span, "imports are disabled by the host");
      return;
    }
    fs::path target;
    std::string display;
    if (is_std) {
      target = fs::path(std_dir_) / (spec.substr(4) + ".deal");
      display = target.string();
    } else {
      target = dir / spec;
      display = target.lexically_normal().string();
    }
    // Checked on the resolved location, so neither `../`, an absolute path nor a symlink
    // inside an allowed folder leads out of them; the resolved path is what gets read.
    fs::path where = real_location(target);
    if (!allowed(where, root)) {
      std::string hint = opts_.widen_hint.empty() ? "" : fmt::format("; widen them with {}", opts_.widen_hint);
      import_error(span, fmt::format("import '{}' is outside the folders this program may read ({}){}", spec,
                                     allowed_list(root), hint));
      return;
    }
    std::string key = file_key(target);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      std::string chain;
      for (size_t j = i; j < stack_.size(); ++j) chain += fs::path(stack_[j]).filename().string() + " → ";
      chain += fs::path(key).filename().string();
      import_error(span, fmt::format("import cycle: {}", chain));
      return;
    }
    for (const std::string& k : loaded_)
      if (k == key) return;  // already loaded through another path: names are global
    SourceRead r = read_source_file(where.string(), opts_.max_bytes, display);
    if (!r.ok()) {
      if (is_std && r.errnum == ENOENT)
        import_error(span, fmt::format("no standard library module '{}' (looked for {})", spec, display));
      else if (!r.os_reason.empty())
        import_error(span, fmt::format("cannot import '{}': {} ({})", spec, r.os_reason, display));
      else import_error(span, r.error);
      return;
    }
    load_text(display, key, std::move(r.text), target.parent_path(), inside(where, std_root_), root);
  }

  SourceManager& sm_;
  Diagnostics& diags_;
  const LoadOptions& opts_;
  std::string std_dir_;
  fs::path std_root_;
  struct Root {
    fs::path dir;
    std::string label;  // "the program's folder /x/y"
  };
  std::vector<Root> roots_;  // [0]: the root program's folder (or the current directory)
  std::vector<fs::path> extra_roots_;
  ast::ParseLimits limits_;
  std::vector<std::string> loaded_, stack_;
  std::vector<ast::Module> modules_;
};

}  // namespace

std::vector<ast::Module> load_program(const std::string& path, SourceManager& sm, Diagnostics& diags,
                                      const LoadOptions& opts) {
  Diagnostics::CodeScope scope(diags, "import");
  Loader l(sm, diags, opts);
  l.load_root_file(path);
  return l.take();
}

std::vector<ast::Module> load_source(const std::string& name, std::string text, SourceManager& sm, Diagnostics& diags,
                                     const LoadOptions& opts) {
  Diagnostics::CodeScope scope(diags, "import");
  Loader l(sm, diags, opts);
  l.load_root_text(name, std::move(text));
  return l.take();
}

bool valid_source_text(std::string_view text) { return text.find('\0') == std::string_view::npos && valid_utf8(text); }

}  // namespace deal::check
