#include "engine/workspace.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/checker.hpp"
#include "engine/frontend_lock.hpp"

namespace fs = std::filesystem;

namespace deal::engine {

namespace {

// Checked in place of a missing calendar, so that declarations can be checked before
// the calendar is given; wide enough that no horizon falls outside it.
const char* kPlaceholderCalendar = "calendar 1900-01 .. 2899-12 step year\n";

size_t utf8_len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// Byte offset of (line, col) in a file of the source manager (col in code points).
size_t byte_offset(const SourceFile& f, uint32_t line, uint32_t col) {
  if (line == 0) return 0;
  if (line > f.line_starts.size()) return f.text.size();
  size_t i = f.line_starts[line - 1];
  for (uint32_t c = 1; c < col && i < f.text.size() && f.text[i] != '\n'; ++c) i += utf8_len((unsigned char)f.text[i]);
  return std::min(i, f.text.size());
}

std::string decl_kind(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Import:
      return "import";
    case ast::DeclKind::Calendar:
      return "calendar";
    case ast::DeclKind::Unit:
      return "unit";
    case ast::DeclKind::Param:
      return "param";
    case ast::DeclKind::Party:
      return "party";
    case ast::DeclKind::Contract:
      return "contract";
    case ast::DeclKind::Deal:
      return "deal";
    case ast::DeclKind::Fn:
      return d.fn->is_extern ? "extern fn" : "fn";
    case ast::DeclKind::Shock:
      return "shock";
    case ast::DeclKind::Scenario:
      return "scenario";
  }
  return "declaration";
}

std::string decl_name(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Import:
      return d.import->path;
    case ast::DeclKind::Calendar:
      return "calendar";
    case ast::DeclKind::Unit:
      return d.unit->name;
    case ast::DeclKind::Param:
      return d.param->name;
    case ast::DeclKind::Party:
      return d.party->name;
    case ast::DeclKind::Contract:
      return d.contract->name;
    case ast::DeclKind::Deal:
      return d.deal->name;
    case ast::DeclKind::Fn:
      return d.fn->name;
    case ast::DeclKind::Shock:
      return d.shock->name;
    case ast::DeclKind::Scenario:
      return d.scenario->name;
  }
  return "";
}

Span decl_span(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Import:
      return d.import->span;
    case ast::DeclKind::Calendar:
      return d.calendar->span;
    case ast::DeclKind::Unit:
      return d.unit->span;
    case ast::DeclKind::Param:
      return d.param->span;
    case ast::DeclKind::Party:
      return d.party->span;
    case ast::DeclKind::Contract:
      return d.contract->span;
    case ast::DeclKind::Deal:
      return d.deal->span;
    case ast::DeclKind::Fn:
      return d.fn->span;
    case ast::DeclKind::Shock:
      return d.shock->span;
    case ast::DeclKind::Scenario:
      return d.scenario->span;
  }
  return {};
}

// ---- names a declaration uses (to say which declarations a redefinition re-checks)

void uses(const ast::Expr* e, std::set<std::string>& out);
void uses(const ast::Block& b, std::set<std::string>& out);

void uses(const ast::Expr* e, std::set<std::string>& out) {
  if (!e) return;
  if (e->kind == ast::ExprKind::Name || e->kind == ast::ExprKind::Call) out.insert(e->name);
  if (e->kind == ast::ExprKind::Field) {
    if (!e->args.empty()) uses(e->args[0].get(), out);
    return;
  }
  for (const auto& a : e->args) uses(a.get(), out);
}

void uses(const ast::Stmt& s, std::set<std::string>& out) {
  if (s.kind == ast::StmtKind::SetParam) out.insert(s.name);
  uses(s.target.get(), out);
  uses(s.value.get(), out);
  uses(s.then_block, out);
  uses(s.else_block, out);
}

void uses(const ast::Block& b, std::set<std::string>& out) {
  for (const auto& s : b) uses(*s, out);
}

void uses(const ast::Clause& c, std::set<std::string>& out) {
  uses(c.expr.get(), out);
  uses(c.from.get(), out);
  uses(c.length.get(), out);
  uses(c.until.get(), out);
  if (c.kind == ast::ClauseKind::OnDefault) out.insert(c.party);
  uses(c.body, out);
}

void uses(const std::vector<ast::Member>& ms, std::set<std::string>& out) {
  for (const auto& m : ms) {
    uses(m.value.get(), out);
    if (m.kind == ast::MemberKind::Clause) uses(m.clause, out);
  }
}

void uses(const ast::DealDecl& d, std::set<std::string>& out) {
  out.insert(d.contract);
  for (const auto& a : d.args) uses(a.value.get(), out);
}

std::set<std::string> uses(const ast::Decl& d) {
  std::set<std::string> out;
  switch (d.kind) {
    case ast::DeclKind::Import:
    case ast::DeclKind::Unit:
      break;
    case ast::DeclKind::Calendar:
      uses(d.calendar->from.get(), out);
      uses(d.calendar->to.get(), out);
      break;
    case ast::DeclKind::Param:
      uses(d.param->value.get(), out);
      break;
    case ast::DeclKind::Party:
      uses(d.party->members, out);
      break;
    case ast::DeclKind::Contract:
      for (const auto& p : d.contract->params) uses(p.default_value.get(), out);
      uses(d.contract->members, out);
      break;
    case ast::DeclKind::Deal:
      uses(*d.deal, out);
      break;
    case ast::DeclKind::Fn:
      uses(d.fn->body.get(), out);
      break;
    case ast::DeclKind::Shock:
      for (const auto& it : d.shock->items) {
        if (it.set) uses(*it.set, out);
        if (it.kind == ast::ShockItemKind::Clause) uses(it.clause, out);
        if (it.deal) uses(*it.deal, out);
      }
      break;
    case ast::DeclKind::Scenario:
      if (!d.scenario->extends.empty()) out.insert(d.scenario->extends);
      for (const auto& it : d.scenario->items) {
        for (const auto& n : it.names) out.insert(n);
        if (!it.param.empty()) out.insert(it.param);
        uses(it.value.get(), out);
        if (it.dist)
          for (const auto& a : it.dist->args) uses(a.get(), out);
        for (const auto& [k, v] : it.settings) uses(v.get(), out);
        for (const auto& t : it.tracks) uses(t.expr.get(), out);
      }
      break;
  }
  return out;
}

std::string plural(size_t n, const std::string& word) {
  if (n == 1) return fmt::format("1 {}", word);
  if (word.size() > 1 && word.back() == 'y') return fmt::format("{} {}ies", n, word.substr(0, word.size() - 1));
  return fmt::format("{} {}s", n, word);
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string s = check::suggest(std::string(word), candidates);
  return s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s);
}

// A program made of the workspace's entries, checked.
struct Workspace::Build : Checked {
  std::vector<int> entry_module;  // per entry: its module, −1 for imports
  bool has_calendar = false;      // false: checked with the placeholder calendar, not runnable
};

Workspace::Workspace(WorkspaceOptions options) : options_(std::move(options)) {
  checked_ = build({});
  check_modules(*checked_);
}

Workspace::~Workspace() = default;

bool Workspace::has_calendar() const { return checked_->has_calendar; }
const Checked& Workspace::checked() const { return *checked_; }
const check::Program& Workspace::program() const { return *checked_->program; }

int Workspace::find_entry(const std::string& key) const {
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].key == key) return int(i);
  return -1;
}

std::unique_ptr<Workspace::Build> Workspace::build(const std::vector<Entry>& entries) const {
  auto b = std::make_unique<Build>();
  std::lock_guard<std::mutex> lock(frontend_mutex());
  Diagnostics::CodeScope syntax(b->diags, "syntax");
  std::string imports;
  for (const Entry& e : entries) {
    if (e.kind == "import") {
      imports += e.text + "\n";
      b->entry_module.push_back(-1);
      continue;
    }
    if (e.kind == "calendar") b->has_calendar = true;
    // Padded so that lines and columns are those of the entry's origin.
    std::string text = std::string(e.line - 1, '\n') + std::string(e.col - 1, ' ') + e.text + "\n";
    uint32_t id = b->sm.add(e.origin, std::move(text));
    b->entry_module.push_back(int(b->modules.size()));
    b->modules.push_back(ast::parse_module(b->sm, id, b->diags));
  }
  if (!imports.empty()) {
    // All imports as one file, so that each imported file is loaded once. Each stays in
    // the folder of the file that declared it (`:load`; typed: the current directory),
    // the standard library and --import-path, as `deal run` of that file would.
    Diagnostics::CodeScope import(b->diags, "import");
    check::LoadOptions lo;
    lo.stdlib_dir = stdlib_dir({});
    lo.import_paths = options_.import_paths;
    for (const Entry& e : entries)
      if (e.kind == "import") {
        fs::path dir = fs::path(e.origin).parent_path();
        lo.import_roots.push_back(e.origin == kTypedInput ? "" : dir.empty() ? "." : dir.string());
      }
    std::vector<ast::Module> ms = check::load_source("<imports>", imports, b->sm, b->diags, lo);
    for (auto& m : ms) b->modules.push_back(std::move(m));
  }
  if (!b->has_calendar) {
    uint32_t id = b->sm.add("<no calendar>", kPlaceholderCalendar);
    b->modules.push_back(ast::parse_module(b->sm, id, b->diags));
  }
  return b;
}

const Compiled* Workspace::compiled(std::string& error) {
  if (compiled_) return compiled_.get();
  if (!checked_->has_calendar) {
    error = "the session has no calendar yet: declare one first, e.g. `calendar 2025Q1 .. 2027Q4 step quarter`";
    return nullptr;
  }
  // Compiling consumes a Build; the accepted one stays for messages and completion.
  auto b = build(entries_);
  check_modules(*b);
  if (!b->program) {
    error = "internal error: the accepted program no longer checks";
    return nullptr;
  }
  // Expressions evaluated with no scenario run in a plain one (evaluate.cpp): compiled
  // now, with the program, so an evaluation compiles only its own track.
  b->program->add_tracking_scenario(-1, "plain", "plain", check::HExpr::constant(0, check::Type::num()));
  LoadOptions lo;
  lo.cache_dir = options_.cache_dir;
  try {
    compiled_ = Compiled::compile(std::move(static_cast<Checked&>(*b)), lo);
    plain_scenario_ = compiled_->detach_last_scenario();
  } catch (const CompileFailure& e) {
    error = e.what();
    return nullptr;
  }
  return compiled_.get();
}

Change Workspace::declare(const std::string& origin, const std::string& text, const std::string& base_dir,
                          bool from_file) {
  Change change;
  if (!check::valid_source_text(text)) {
    change.diagnostics =
        fmt::format("error: {} is not .deal source (it is not UTF-8 text, or it holds a NUL byte)\n", origin);
    return change;
  }
  SourceManager sm;
  Diagnostics diags;
  uint32_t id = sm.add(origin, text);
  ast::Module m;
  {
    std::lock_guard<std::mutex> lock(frontend_mutex());
    Diagnostics::CodeScope syntax(diags, "syntax");
    m = ast::parse_module(sm, id, diags);
  }
  if (diags.has_errors()) {
    change.diagnostics = render_all(sm, diags, options_.color);
    return change;
  }
  const SourceFile& f = sm.file(id);
  std::vector<Entry> added;
  for (const ast::Decl& d : m.decls) {
    Entry e;
    e.kind = decl_kind(d);
    e.name = decl_name(d);
    e.origin = origin;
    Span s = decl_span(d);
    e.line = s.line;
    e.col = s.col;
    if (d.kind == ast::DeclKind::Unit) {
      e.key = "unit " + e.name;
      e.text = "unit " + e.name;
      e.col = s.col > 5 ? s.col - 5 : 1;
    } else if (d.kind == ast::DeclKind::Import) {
      std::string spec = d.import->path;
      std::string target = spec;
      if (spec.rfind("std/", 0) != 0) {
        std::error_code ec;
        fs::path p = fs::path(base_dir) / spec;
        fs::path c = fs::weakly_canonical(p, ec);
        target = (ec ? p.lexically_normal() : c).string();
      }
      e.key = "import " + target;
      e.name = spec;
      std::string quoted;
      for (char ch : target) quoted += (ch == '"' || ch == '\\') ? std::string("\\") + ch : std::string(1, ch);
      e.text = "import \"" + quoted + "\"";
    } else {
      e.key = d.kind == ast::DeclKind::Calendar ? "calendar" : e.name;
      size_t a = byte_offset(f, s.line, s.col), z = byte_offset(f, s.end_line, s.end_col);
      e.text = f.text.substr(a, z > a ? z - a : 0);
    }
    added.push_back(std::move(e));
  }
  if (added.empty()) {
    change.ok = true;
    return change;
  }
  // A name declared twice in one input stays twice, so that the checker reports it.
  std::vector<Entry> next = entries_;
  std::set<std::string> seen;
  for (const Entry& e : added) {
    int k = seen.count(e.key) ? -1 : find_entry(e.key);
    seen.insert(e.key);
    if (k >= 0) next[size_t(k)] = e;
    else next.push_back(e);
  }
  return accept(std::move(next), added, from_file, from_file ? origin : "");
}

Change Workspace::accept(std::vector<Entry> next, const std::vector<Entry>& added, bool from_file,
                         const std::string& what) {
  Change change;
  auto b = build(next);
  check_modules(*b);
  if (!b->program) {
    change.diagnostics = render_all(b->sm, b->diags, options_.color);
    if (!added.empty()) change.notes.push_back("(not added: the session keeps its previous declarations)");
    return change;
  }
  // Which declarations use each redefined name, for the message.
  std::vector<std::set<std::string>> used(next.size());
  for (size_t i = 0; i < next.size(); ++i)
    if (b->entry_module[i] >= 0)
      for (const ast::Decl& d : b->modules[size_t(b->entry_module[i])].decls) {
        auto u = uses(d);
        used[i].insert(u.begin(), u.end());
      }
  std::vector<std::string> replaced;
  for (const Entry& e : added) {
    bool existed = find_entry(e.key) >= 0;
    if (!existed) {
      if (!from_file)
        change.lines.push_back(e.kind == "calendar" ? "defined the calendar"
                                                    : fmt::format("defined {} {}", e.kind, e.name));
      continue;
    }
    std::vector<std::string> deps;
    for (size_t i = 0; i < next.size(); ++i)
      if (next[i].key != e.key && next[i].kind != "import" && used[i].count(e.name))
        deps.push_back(fmt::format("{} {}", next[i].kind, next[i].name));
    if (from_file) replaced.push_back(e.name);
    else
      change.lines.push_back(fmt::format("redefined {}{}",
                                         e.kind == "calendar" ? "the calendar" : e.kind + " " + e.name,
                                         deps.empty() ? "" : fmt::format(" (re-checked: {})", fmt::join(deps, ", "))));
  }
  if (from_file) {
    std::map<std::string, size_t> counts;
    std::vector<std::string> order;
    for (const Entry& e : added) {
      std::string k = e.kind == "extern fn" ? "fn" : e.kind;
      if (!counts.count(k)) order.push_back(k);
      ++counts[k];
    }
    std::vector<std::string> parts;
    for (const auto& k : order) parts.push_back(k == "calendar" ? "a calendar" : plural(counts[k], k));
    change.lines.push_back(
        fmt::format("loaded {}: {}{}", what, fmt::join(parts, ", "),
                    replaced.empty() ? "" : fmt::format(" (replaced: {})", fmt::join(replaced, ", "))));
  }
  entries_ = std::move(next);
  checked_ = std::move(b);
  compiled_.reset();
  change.ok = true;
  // Compiled as it arrives, when the program can run.
  if (checked_->has_calendar) {
    std::string error;
    if (!compiled(error)) change.errors.push_back(error);
  }
  return change;
}

Change Workspace::load(const std::string& path) {
  // Only a regular file of .deal text, read with a bound (never a FIFO, a device or a
  // binary file): check::read_source_file, as for `deal run`.
  check::SourceRead r = check::read_source_file(path);
  if (!r.ok()) {
    Change change;
    change.errors.push_back(r.error);
    return change;
  }
  fs::path dir = fs::path(path).parent_path();
  return declare(path, r.text, dir.empty() ? "." : dir.string(), true);
}

Change Workspace::forget(const std::string& name) {
  Change change;
  int k = find_entry(name);
  if (k < 0) k = find_entry("unit " + name);
  if (k < 0) {
    change.errors.push_back(fmt::format("nothing named '{}' in the session", name));
    return change;
  }
  std::vector<Entry> next = entries_;
  Entry gone = next[size_t(k)];
  next.erase(next.begin() + k);
  change = accept(std::move(next), {}, false, "");
  if (!change.ok) {
    change.notes.push_back(fmt::format("(cannot forget {} {}: the declarations above use it)", gone.kind, gone.name));
    return change;
  }
  change.lines.insert(change.lines.begin(), fmt::format("forgot {} {}", gone.kind, gone.name));
  return change;
}

std::optional<std::string> Workspace::imported_source(const std::string& name) const {
  for (const auto& m : checked_->modules)
    for (const auto& d : m.decls)
      if (decl_name(d) == name && d.kind != ast::DeclKind::Import) {
        const SourceFile& f = checked_->sm.file(m.file);
        Span s = decl_span(d);
        size_t a = byte_offset(f, s.line, s.col), z = byte_offset(f, s.end_line, s.end_col);
        return fmt::format("// {}:{}\n{}", f.path, s.line, f.text.substr(a, z > a ? z - a : 0));
      }
  return std::nullopt;
}

std::vector<std::string> Workspace::declared_names() const {
  std::vector<std::string> names;
  for (const auto& m : checked_->modules)
    for (const auto& d : m.decls)
      if (d.kind != ast::DeclKind::Import && d.kind != ast::DeclKind::Calendar && d.kind != ast::DeclKind::Unit)
        names.push_back(decl_name(d));
  return names;
}

}  // namespace deal::engine
