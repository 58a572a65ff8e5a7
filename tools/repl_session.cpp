#include "tools/repl_session.hpp"
#include "tools/repl_line.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/checker.hpp"
#include "compiler/jit/model.hpp"
#include "runtime/calendar.hpp"
#include "report/format.hpp"
#include "report/graph.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

namespace deal::cli::repl {

using namespace deal::report;

namespace {

const char* kReplFile = "<repl>";
// The name of the scenario through which an expression is evaluated (and :show's).
const char* kEvalScenario = "__repl";
const char* kValueLabel = "__value";
// Checked in place of a missing calendar, so that declarations can be checked before
// the calendar is given; wide enough that no horizon falls outside it.
const char* kPlaceholderCalendar = "calendar 1900-01 .. 2899-12 step year\n";

const std::vector<std::string> kCommands = {":help", ":quit", ":load", ":run", ":set", ":unset", ":show",
                                            ":type", ":graph", ":list", ":forget"};

const std::set<std::string> kDeclKeywords = {"import", "calendar", "unit", "param",  "party",   "contract",
                                             "deal",   "fn",       "extern", "shock", "scenario"};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

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

// Skips blanks and comments; returns the first word of the input, or its first
// character when it does not start with a word ("" when nothing is left).
std::string first_word(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace((unsigned char)s[i])) {
      ++i;
    } else if (s.compare(i, 2, "//") == 0) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      size_t e = s.find("*/", i + 2);
      i = e == std::string::npos ? s.size() : e + 2;
    } else {
      break;
    }
  }
  if (i >= s.size()) return "";
  size_t j = i;
  while (j < s.size() && (std::isalnum((unsigned char)s[j]) || s[j] == '_')) ++j;
  return s.substr(i, std::max<size_t>(j - i, 1));
}

std::string decl_kind(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Import: return "import";
    case ast::DeclKind::Calendar: return "calendar";
    case ast::DeclKind::Unit: return "unit";
    case ast::DeclKind::Param: return "param";
    case ast::DeclKind::Party: return "party";
    case ast::DeclKind::Contract: return "contract";
    case ast::DeclKind::Deal: return "deal";
    case ast::DeclKind::Fn: return d.fn->is_extern ? "extern fn" : "fn";
    case ast::DeclKind::Shock: return "shock";
    case ast::DeclKind::Scenario: return "scenario";
  }
  return "declaration";
}

std::string decl_name(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Import: return d.import->path;
    case ast::DeclKind::Calendar: return "calendar";
    case ast::DeclKind::Unit: return d.unit->name;
    case ast::DeclKind::Param: return d.param->name;
    case ast::DeclKind::Party: return d.party->name;
    case ast::DeclKind::Contract: return d.contract->name;
    case ast::DeclKind::Deal: return d.deal->name;
    case ast::DeclKind::Fn: return d.fn->name;
    case ast::DeclKind::Shock: return d.shock->name;
    case ast::DeclKind::Scenario: return d.scenario->name;
  }
  return "";
}

Span decl_span(const ast::Decl& d) {
  switch (d.kind) {
    case ast::DeclKind::Import: return d.import->span;
    case ast::DeclKind::Calendar: return d.calendar->span;
    case ast::DeclKind::Unit: return d.unit->span;
    case ast::DeclKind::Param: return d.param->span;
    case ast::DeclKind::Party: return d.party->span;
    case ast::DeclKind::Contract: return d.contract->span;
    case ast::DeclKind::Deal: return d.deal->span;
    case ast::DeclKind::Fn: return d.fn->span;
    case ast::DeclKind::Shock: return d.shock->span;
    case ast::DeclKind::Scenario: return d.scenario->span;
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
    case ast::DeclKind::Unit: break;
    case ast::DeclKind::Calendar:
      uses(d.calendar->from.get(), out);
      uses(d.calendar->to.get(), out);
      break;
    case ast::DeclKind::Param: uses(d.param->value.get(), out); break;
    case ast::DeclKind::Party: uses(d.party->members, out); break;
    case ast::DeclKind::Contract:
      for (const auto& p : d.contract->params) uses(p.default_value.get(), out);
      uses(d.contract->members, out);
      break;
    case ast::DeclKind::Deal: uses(*d.deal, out); break;
    case ast::DeclKind::Fn: uses(d.fn->body.get(), out); break;
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

std::string unit_of(const check::Type& t, const check::Program& p) {
  if (!t.is_num() || t.dim.dimensionless()) return "";
  return check::dim_symbol(t.dim, p.units);
}

std::string plural(size_t n, const std::string& word) {
  if (n == 1) return fmt::format("1 {}", word);
  if (word.size() > 1 && word.back() == 'y') return fmt::format("{} {}ies", n, word.substr(0, word.size() - 1));
  return fmt::format("{} {}s", n, word);
}

// A run-time party index of a ledger row (World = kWorld) as a name.
std::string row_party(const rt::Model& m, int32_t idx) {
  if (idx == rt::kWorld) return "World";
  size_t id = size_t(idx) + 1;
  return id < m.parties.size() ? m.parties[id].name : "?";
}

// Whether a checked expression reads nothing but constants and params (no state, no
// step): then it has the same value at every step and needs no calendar of its own.
bool params_only(const check::HExpr& e, const check::Program& p, int depth = 0) {
  using check::Op;
  if (depth > 64) return false;
  switch (e.op) {
    case Op::Dt:
    case Op::Now:
    case Op::Span:
    case Op::StepIndex: return false;
    case Op::Slot:
      if (std::none_of(p.params.begin(), p.params.end(), [&](const check::HParam& q) { return q.slot == e.index; }))
        return false;
      break;
    case Op::Call:
      if (e.fn >= check::Builtin::Paid) return false;  // deal and party built-ins, draws
      break;
    case Op::CallFn: {
      const check::HFn& f = p.fns.at(size_t(e.index));
      if (f.is_extern || !params_only(f.body, p, depth + 1)) return false;
      break;
    }
    default: break;
  }
  return std::all_of(e.args.begin(), e.args.end(), [&](const check::HExpr& a) { return params_only(a, p, depth + 1); });
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '_'; });
}

}  // namespace

bool input_complete(const std::string& s) {
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      if (e == std::string::npos) return false;
      i = e + 1;
    } else if (c == '"') {
      for (++i; i < s.size() && s[i] != '"' && s[i] != '\n'; ++i)
        if (s[i] == '\\') ++i;
    } else if (c == '{' || c == '(' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ')' || c == ']') {
      --depth;
    }
  }
  return depth <= 0;
}

struct Session::Value {
  check::Type type;
  std::string type_text;              // "Money ($)"
  std::vector<double> values;         // one value (a constant) or one per step
  std::vector<std::string> names;     // Party/Deal ids → names
  std::string unit;
  std::string scenario;               // where it ran ("" for a constant)
  std::vector<rt::Date> dates;
  rt::StepUnit step = rt::StepUnit::Quarter;
};

Session::Session(SessionOptions options) : opts_(options) {
  checked_ = build({});
  checked_->program = check::check_program(checked_->modules, checked_->sm, checked_->diags);
}
Session::~Session() = default;

void Session::error(const std::string& message) const {
  had_errors_ = true;
  if (opts_.color)
    fmt::print(opts_.err, "\033[1;31merror:\033[0m \033[1m{}\033[0m\n", message);
  else
    fmt::print(opts_.err, "error: {}\n", message);
}

void Session::print_diagnostics(const Build& b) const {
  had_errors_ = true;
  fmt::print(opts_.err, "{}", render_all(b.sm, b.diags, opts_.color));
}

int Session::find_entry(const std::string& key) const {
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].key == key) return int(i);
  return -1;
}

// ------------------------------------------------------------------ building

std::unique_ptr<Build> Session::build(const std::vector<Entry>& entries) const {
  auto b = std::make_unique<Build>();
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
    check::LoadOptions lo;
    lo.import_paths = opts_.import_paths;
    for (const Entry& e : entries)
      if (e.kind == "import") {
        fs::path dir = fs::path(e.origin).parent_path();
        lo.import_roots.push_back(e.origin == kReplFile ? "" : dir.empty() ? "." : dir.string());
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

bool Session::ensure_compiled() {
  if (current_) return true;
  if (!checked_ || !checked_->has_calendar) {
    error("the session has no calendar yet: declare one first, e.g. `calendar 2025Q1 .. 2027Q4 step quarter`");
    return false;
  }
  std::vector<Entry> same = entries_;
  auto b = build(same);
  if (!b->diags.has_errors()) b->program = check::check_program(b->modules, b->sm, b->diags);
  if (!b->program) {
    print_diagnostics(*b);
    return false;
  }
  current_ = compile(std::move(b));
  return current_ != nullptr;
}

std::unique_ptr<Compiled> Session::compile(std::unique_ptr<Build> b) {
  try {
    return engine::Compiled::compile(std::move(static_cast<engine::Checked&>(*b)));
  } catch (const engine::CompileFailure& e) {
    error(e.what());
    return nullptr;
  }
}

// Turns source text (one REPL input or a whole file) into entries and adds them.
bool Session::declare(const std::string& origin, const std::string& text, const std::string& base_dir, bool from_file) {
  SourceManager sm;
  Diagnostics diags;
  uint32_t id = sm.add(origin, text);
  ast::Module m = ast::parse_module(sm, id, diags);
  if (diags.has_errors()) {
    had_errors_ = true;
    fmt::print(opts_.err, "{}", render_all(sm, diags, opts_.color));
    return false;
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
  if (added.empty()) return true;
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

bool Session::accept(std::vector<Entry> next, const std::vector<Entry>& added, bool from_file, const std::string& what) {
  auto b = build(next);
  if (!b->diags.has_errors()) b->program = check::check_program(b->modules, b->sm, b->diags);
  if (!b->program) {
    print_diagnostics(*b);
    if (!added.empty()) fmt::print(opts_.err, "(not added: the session keeps its previous declarations)\n");
    return false;
  }
  // Which declarations use each redefined name, for the message.
  std::vector<std::set<std::string>> used(next.size());
  for (size_t i = 0; i < next.size(); ++i)
    if (b->entry_module[i] >= 0)
      for (const ast::Decl& d : b->modules[size_t(b->entry_module[i])].decls) {
        auto u = uses(d);
        used[i].insert(u.begin(), u.end());
      }
  std::vector<std::string> lines;
  std::vector<std::string> replaced;
  for (const Entry& e : added) {
    bool existed = find_entry(e.key) >= 0;
    if (!existed) {
      if (!from_file)
        lines.push_back(e.kind == "calendar" ? "defined the calendar" : fmt::format("defined {} {}", e.kind, e.name));
      continue;
    }
    std::vector<std::string> deps;
    for (size_t i = 0; i < next.size(); ++i)
      if (next[i].key != e.key && next[i].kind != "import" && used[i].count(e.name))
        deps.push_back(fmt::format("{} {}", next[i].kind, next[i].name));
    if (from_file) replaced.push_back(e.name);
    else
      lines.push_back(fmt::format("redefined {}{}", e.kind == "calendar" ? "the calendar" : e.kind + " " + e.name,
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
    for (const auto& k : order)
      parts.push_back(k == "calendar" ? "a calendar" : k == "import" ? plural(counts[k], "import") : plural(counts[k], k));
    lines.push_back(fmt::format("loaded {}: {}{}", what, fmt::join(parts, ", "),
                                replaced.empty() ? "" : fmt::format(" (replaced: {})", fmt::join(replaced, ", "))));
  }
  entries_ = std::move(next);
  checked_ = std::move(b);
  current_.reset();
  if (!scenario_.empty() && checked_->program->find_scenario(scenario_) < 0) scenario_.clear();
  for (const auto& l : lines) fmt::print(opts_.out, "{}\n", l);
  // Compile as it arrives, when the program can run.
  if (checked_->has_calendar) ensure_compiled();
  return true;
}

bool Session::load(const std::string& path) {
  // Only a regular file of .deal text, read with a bound (never a FIFO, a device or a
  // binary file): check::read_source_file, as for `deal run`.
  check::SourceRead r = check::read_source_file(path);
  if (!r.ok()) {
    error(r.error);
    return false;
  }
  fs::path dir = fs::path(path).parent_path();
  return declare(path, r.text, dir.empty() ? "." : dir.string(), true);
}

// ------------------------------------------------------------------ inputs

bool Session::handle(const std::string& raw) {
  std::string input = trim(raw);
  if (input.empty()) return true;
  try {
    if (input[0] == ':') return command(input);
    std::string w = first_word(input);
    if (w.empty()) return true;  // only comments
    if (kDeclKeywords.count(w)) {
      declare(kReplFile, raw, fs::current_path().string(), false);
      return true;
    }
    // A bare party or deal name shows it (as :show does).
    if (is_identifier(input) && checked_ && checked_->program &&
        (checked_->program->find_party(input) > 0 || checked_->program->find_deal(input) >= 0)) {
      cmd_show(input);
      return true;
    }
    if (auto v = evaluate(raw, true)) print_value(*v);
  } catch (const std::exception& e) {
    error(fmt::format("internal error: {}", e.what()));
  }
  return true;
}

bool Session::command(const std::string& input) {
  size_t sp = input.find_first_of(" \t");
  std::string cmd = input.substr(0, sp), arg = sp == std::string::npos ? "" : trim(input.substr(sp));
  if (cmd == ":quit" || cmd == ":q" || cmd == ":exit") return false;
  if (cmd == ":help" || cmd == ":h" || cmd == ":?") cmd_help();
  else if (cmd == ":load") {
    if (arg.empty()) error(":load takes a file name, e.g. :load examples/two_labs.deal");
    else load(arg);
  } else if (cmd == ":run") cmd_run(arg);
  else if (cmd == ":set") cmd_set(arg);
  else if (cmd == ":unset") cmd_unset(arg);
  else if (cmd == ":show") cmd_show(arg);
  else if (cmd == ":type" || cmd == ":t") cmd_type(arg);
  else if (cmd == ":graph") cmd_graph(arg);
  else if (cmd == ":list") cmd_list();
  else if (cmd == ":forget") cmd_forget(arg);
  else {
    std::string sug = check::suggest(cmd, kCommands);
    error(fmt::format("unknown command '{}'{}; :help lists the commands", cmd,
                      sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
  }
  return true;
}

void Session::cmd_help() {
  fmt::print(opts_.out, "{}",
             "Type declarations (param, party, contract, deal, scenario, …) to add them to the session;\n"
             "declaring a name again replaces it. Type an expression to see its value with its unit.\n"
             "  :load FILE          add the declarations of a .deal file\n"
             "  :run [SCENARIO]     run a scenario and print the report of `deal run`\n"
             "  :set NAME=VALUE     override a param for runs (:set alone lists the overrides)\n"
             "  :unset NAME         drop an override\n"
             "  :show NAME          a party's states, a deal's schedule, or a declaration\n"
             "  :type EXPR          the type and dimension of an expression\n"
             "  :graph [SCENARIO]   the deal web as Graphviz DOT text\n"
             "  :list               the session's declarations\n"
             "  :forget NAME        remove a declaration\n"
             "  :help, :quit        this text; leave (Ctrl-D too)\n"
             "Input continues on the next line while a brace or parenthesis is open; Ctrl-C cancels it.\n");
}

// ------------------------------------------------------------------ expressions

std::string Session::context_scenario() const {
  if (!checked_ || !checked_->program) return "";
  const auto& sc = checked_->program->scenarios;
  if (!scenario_.empty() && checked_->program->find_scenario(scenario_) >= 0) return scenario_;
  if (sc.empty() || sc[0].implicit) return "";
  return sc[0].name;
}

bool Session::resolve_sets(const check::Program& p, rt::RunOptions& opts) {
  // As `deal run --set`: each value is a `.deal` constant of the param's type.
  for (const auto& [name, text] : sets_) {
    engine::ParamError e;
    auto v = engine::parse_param_assignment(p, ":set", name + "=" + text, e, opts_.color);
    if (!v) {
      if (e.is_diagnostics) {
        had_errors_ = true;
        fmt::print(opts_.err, "{}", e.text);
      } else {
        error(e.text);
      }
      return false;
    }
    engine::set_param(opts, *v);
  }
  return true;
}

std::optional<rt::RunResult> Session::run_one(const Compiled& c, int scenario, bool pay_in_full) {
  rt::RunOptions ro;
  ro.paths = 1;
  ro.pay_in_full = pay_in_full;
  ro.cancelled = [] { return interrupt_pending(); };
  if (!resolve_sets(c.program(), ro)) return std::nullopt;
  try {
    return rt::run_scenario(c.model(), scenario, ro);
  } catch (const std::exception& e) {
    clear_interrupt();
    had_errors_ = true;
    fmt::print(opts_.err, "{}\n", e.what());
    return std::nullopt;
  }
}

std::optional<Session::Value> Session::evaluate(const std::string& text, bool need_value) {
  auto b = build(entries_);
  uint32_t id = b->sm.add(kReplFile, text);
  ast::ExprPtr e = ast::parse_expression(b->sm, id, b->diags);
  if (!e || b->diags.has_errors()) {
    print_diagnostics(*b);
    return std::nullopt;
  }
  Span where = e->span;
  // A scenario that tracks the expression, extending the scenario in context.
  auto sc = std::make_unique<ast::ScenarioDecl>();
  sc->name = kEvalScenario;
  sc->name_span = where;
  sc->span = where;
  sc->extends = context_scenario();
  if (!sc->extends.empty()) sc->extends_span = where;
  ast::ScenarioItem item;
  item.kind = ast::ScenarioItemKind::Track;
  item.span = where;
  ast::TrackItem t;
  t.expr = std::move(e);
  t.label = kValueLabel;
  t.label_span = where;
  t.source_text = text;
  item.tracks.push_back(std::move(t));
  sc->items.push_back(std::move(item));
  if (!b->has_calendar) {
    // Checked against the placeholder calendar: one step is enough for params.
    ast::ScenarioItem h;
    h.kind = ast::ScenarioItemKind::Horizon;
    h.span = where;
    h.value = std::make_unique<ast::Expr>();
    h.value->kind = ast::ExprKind::Date;
    h.value->date = {1900, 1, 1};
    h.value->span = where;
    h.value->text = "1900-01";
    sc->items.push_back(std::move(h));
  }
  ast::Module m;
  m.file = id;
  ast::Decl d;
  d.kind = ast::DeclKind::Scenario;
  d.scenario = std::move(sc);
  m.decls.push_back(std::move(d));
  b->modules.push_back(std::move(m));
  b->program = check::check_program(b->modules, b->sm, b->diags);
  if (!b->program) {
    print_diagnostics(*b);
    return std::nullopt;
  }
  const check::Program& p = *b->program;
  int k = p.find_scenario(kEvalScenario);
  const check::HTrack* track = nullptr;
  for (const auto& tr : p.scenarios.at(size_t(k)).tracks)
    if (tr.label == kValueLabel) track = &tr;
  if (!track) {
    error("internal error: the expression was not tracked");
    return std::nullopt;
  }
  Value v;
  v.type = track->expr.type;
  v.type_text = check::describe(v.type, p.units);
  v.unit = unit_of(v.type, p);
  if (v.type.kind == check::Kind::Party)
    for (const auto& party : p.parties) v.names.push_back(party.name);
  if (v.type.kind == check::Kind::Deal)
    for (const auto& deal : p.deals) v.names.push_back(deal.name);
  if (!need_value) return v;
  if (v.type.kind == check::Kind::String) {
    error("strings exist only in `emit` lines; they have no value of their own");
    return std::nullopt;
  }
  if (track->expr.is_const()) {
    v.values.push_back(track->expr.num);
    return v;
  }
  bool no_calendar = !b->has_calendar;
  if (no_calendar && !params_only(track->expr, p)) {
    error("this expression reads the state of a run, and the session has no calendar yet: declare one first, "
          "e.g. `calendar 2025Q1 .. 2027Q4 step quarter`");
    return std::nullopt;
  }
  auto c = compile(std::move(b));
  if (!c) return std::nullopt;
  auto r = run_one(*c, k);
  if (!r) return std::nullopt;
  for (const auto& s : r->series)
    if (s.label == kValueLabel) v.values = s.values;
  v.scenario = context_scenario();
  if (v.scenario.empty()) v.scenario = "default";
  if (no_calendar) v.values.resize(std::min<size_t>(v.values.size(), 1));
  v.dates = r->dates;
  v.step = c->model().step;
  return v;
}

void Session::print_value(const Value& v) {
  auto text = [&](double x) -> std::string {
    if ((v.type.kind == check::Kind::Party || v.type.kind == check::Kind::Deal) && x >= 0 && size_t(x) < v.names.size())
      return v.names[size_t(x)];
    return value(x, jit::value_kind(v.type), v.unit);
  };
  if (v.values.empty()) return;
  bool constant = std::all_of(v.values.begin(), v.values.end(), [&](double x) { return x == v.values[0] || (std::isnan(x) && std::isnan(v.values[0])); });
  if (constant) {
    fmt::print(opts_.out, "{}\n", text(v.values.back()));
    return;
  }
  std::string scenario = v.scenario.empty() ? "" : fmt::format("scenario {}; ", v.scenario);
  std::string last = v.dates.empty() ? "" : step_label(v.dates.back(), v.step);
  std::string first = v.dates.empty() ? "" : step_label(v.dates.front(), v.step);
  std::string trend = v.type.is_num() ? " " + sparkline(v.values) : "";
  fmt::print(opts_.out, "{} at the end of {} ({}from {} at the end of {}{})\n", text(v.values.back()), last, scenario,
             text(v.values.front()), first, trend);
}

bool Session::cmd_type(const std::string& arg) {
  if (arg.empty()) {
    error(":type takes an expression, e.g. :type $12B/y/GW * 2GW");
    return false;
  }
  if (is_identifier(arg) && checked_ && checked_->program) {
    if (checked_->program->find_party(arg) >= 0) return fmt::print(opts_.out, "Party\n"), true;
    if (checked_->program->find_deal(arg) >= 0) return fmt::print(opts_.out, "Deal\n"), true;
  }
  auto v = evaluate(arg, false);
  if (!v) return false;
  fmt::print(opts_.out, "{}\n", v->type_text);
  return true;
}

// ------------------------------------------------------------------ runs

bool Session::cmd_run(const std::string& arg) {
  if (!ensure_compiled()) return false;
  const rt::Model& m = current_->model();
  int k;
  if (!arg.empty()) {
    k = m.find_scenario(arg);
    if (k < 0) {
      std::vector<std::string> names;
      for (const auto& s : m.scenarios) names.push_back(s.name);
      std::string sug = check::suggest(arg, names);
      error(fmt::format("no scenario named '{}'{}; the session has: {}", arg,
                        sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug), fmt::join(names, ", ")));
      return false;
    }
  } else if (!scenario_.empty() && m.find_scenario(scenario_) >= 0) {
    k = m.find_scenario(scenario_);
  } else if (m.scenarios.size() == 1) {
    k = 0;
  } else {
    std::vector<std::string> names;
    for (const auto& s : m.scenarios) names.push_back(s.name);
    error(fmt::format("the session has {} scenarios ({}); say which: :run NAME", names.size(), fmt::join(names, ", ")));
    return false;
  }
  rt::RunOptions ro;
  ro.cancelled = [] { return interrupt_pending(); };  // Ctrl-C stops a long Monte Carlo run
  if (!resolve_sets(current_->program(), ro)) return false;
  std::vector<rt::RunResult> results;
  try {
    results.push_back(rt::run_scenario(m, k, ro));
  } catch (const std::exception& e) {
    clear_interrupt();
    had_errors_ = true;
    fmt::print(opts_.err, "{}\nerror: scenario '{}' failed\n", e.what(), m.scenarios[size_t(k)].name);
    return false;
  }
  try {
    engine::attach_analyses(*current_, k, ro, {}, results[0]);
    for (const std::string& w : results[0].analyses ? results[0].analyses->warnings : std::vector<std::string>{})
      fmt::print(opts_.err, "deal: warning: {}\n", w);
  } catch (const std::exception& e) {
    fmt::print(opts_.err, "deal: warning: analyses of scenario '{}' skipped: {}\n", results[0].scenario, e.what());
  }
  scenario_ = m.scenarios[size_t(k)].name;
  fmt::print(opts_.out, "{}", table_text(results[0], m, opts_.color));
  return true;
}

bool Session::cmd_set(const std::string& arg) {
  if (arg.empty()) {
    if (sets_.empty()) fmt::print(opts_.out, "no overrides (:set NAME=VALUE adds one)\n");
    for (const auto& [n, v] : sets_) fmt::print(opts_.out, "{} = {}\n", n, v);
    return true;
  }
  size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    error(fmt::format(":set takes NAME=VALUE, e.g. :set demand_growth=20%/y (got '{}')", arg));
    return false;
  }
  std::string name = trim(arg.substr(0, eq)), val = trim(arg.substr(eq + 1));
  rt::RunOptions probe;
  auto old = sets_;
  bool found = false;
  for (auto& [n, v] : sets_)
    if (n == name) v = val, found = true;
  if (!found) sets_.emplace_back(name, val);
  // Checked now against the session's params, like `deal run --set`.
  if (!checked_ || !checked_->program || !resolve_sets(*checked_->program, probe)) {
    sets_ = old;
    return false;
  }
  return true;
}

bool Session::cmd_unset(const std::string& arg) {
  if (arg.empty()) {
    error(":unset takes the name of an overridden param (:set lists them)");
    return false;
  }
  auto it = std::find_if(sets_.begin(), sets_.end(), [&](const auto& s) { return s.first == arg; });
  if (it == sets_.end()) {
    error(fmt::format("no override of '{}' to drop", arg));
    return false;
  }
  sets_.erase(it);
  return true;
}

std::unique_ptr<Compiled> Session::compile_with(const std::string& extra_name, const std::string& extra) {
  auto b = build(entries_);
  uint32_t id = b->sm.add(extra_name, extra);
  b->modules.push_back(ast::parse_module(b->sm, id, b->diags));
  if (!b->diags.has_errors()) b->program = check::check_program(b->modules, b->sm, b->diags);
  if (!b->program) {
    print_diagnostics(*b);
    return nullptr;
  }
  return compile(std::move(b));
}

bool Session::cmd_show(const std::string& arg) {
  if (arg.empty()) {
    error(":show takes a name: a party, a deal, a param or any declaration");
    return false;
  }
  if (!checked_ || !checked_->program) return false;
  const check::Program& p = *checked_->program;
  int party = p.find_party(arg);
  if (party > 0) return show_party(party);
  int deal = p.find_deal(arg);
  if (deal >= 0) return show_deal(deal);
  int k = find_entry(arg);
  if (p.find_param(arg) >= 0) {
    if (k >= 0) fmt::print(opts_.out, "{}\n", entries_[size_t(k)].text);
    auto v = evaluate(arg, true);
    if (!v) return false;
    bool overridden = std::any_of(sets_.begin(), sets_.end(), [&](const auto& s) { return s.first == arg; });
    fmt::print(opts_.out, "value: ");
    print_value(*v);
    if (overridden) fmt::print(opts_.out, "(overridden with :set)\n");
    return true;
  }
  if (k >= 0) {
    fmt::print(opts_.out, "{}\n", entries_[size_t(k)].text);
    return true;
  }
  // A name from an imported file.
  for (const auto& m : checked_->modules)
    for (const auto& d : m.decls)
      if (decl_name(d) == arg && d.kind != ast::DeclKind::Import) {
        const SourceFile& f = checked_->sm.file(m.file);
        Span s = decl_span(d);
        size_t a = byte_offset(f, s.line, s.col), z = byte_offset(f, s.end_line, s.end_col);
        fmt::print(opts_.out, "// {}:{}\n{}\n", f.path, s.line, f.text.substr(a, z > a ? z - a : 0));
        return true;
      }
  std::vector<std::string> names;
  for (const auto& e : entries_) names.push_back(e.name);
  std::string sug = check::suggest(arg, names);
  error(fmt::format("nothing named '{}' in the session{}", arg, sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
  return false;
}

bool Session::show_party(int party) {
  if (!ensure_compiled()) return false;
  const check::HParty& hp = checked_->program->parties[size_t(party)];
  std::vector<std::string> states;
  for (const auto& s : hp.states) states.push_back(s.name);
  states.push_back("equity");
  std::string base = context_scenario();
  std::string text = fmt::format("scenario __repl_show{} {{\n  track ", base.empty() ? "" : " extends " + base);
  for (size_t i = 0; i < states.size(); ++i)
    text += fmt::format("{}{}.{} as \"__show_{}\"", i ? ", " : "", hp.name, states[i], states[i]);
  text += "\n}\n";
  auto c = compile_with("<show>", text);
  if (!c) return false;
  int k = c->model().find_scenario("__repl_show");
  auto r = run_one(*c, k);
  if (!r) return false;
  std::string shown = base.empty() ? "" : "scenario " + base + ", ";
  fmt::print(opts_.out, "party {}{} — {}1 path, value at the end of each step\n", hp.name,
             hp.kind.empty() ? "" : " (" + hp.kind + ")", shown);
  std::vector<std::vector<std::string>> rows;
  std::string first = r->dates.empty() ? "" : step_label(r->dates.front(), c->model().step);
  std::string last = r->dates.empty() ? "" : step_label(r->dates.back(), c->model().step);
  rows.push_back({"state", first, last, "trend"});
  for (const auto& s : r->series) {
    if (s.label.rfind("__show_", 0) != 0 || s.values.empty()) continue;
    std::string name = s.label.substr(7);
    rows.push_back({name, value(s.values.front(), s.kind, s.unit), value(s.values.back(), s.kind, s.unit),
                    s.kind == rt::ValueKind::Number && s.values.front() != s.values.back() ? sparkline(s.values) : ""});
  }
  fmt::print(opts_.out, "{}", text_table(rows));
  for (const auto& e : r->defaults)
    if (e.party == party)
      for (const auto& ev : r->events)
        if (ev.date == e.date && ev.text.find(hp.name + " defaulted") != std::string::npos)
          fmt::print(opts_.out, "  {}\n", ev.text);
  return true;
}

bool Session::show_deal(int deal) {
  if (!ensure_compiled()) return false;
  const check::Program& p = *checked_->program;
  const check::HDeal& hd = p.deals[size_t(deal)];
  int k = find_entry(hd.name);
  if (k >= 0) fmt::print(opts_.out, "{}\n", entries_[size_t(k)].text);
  else fmt::print(opts_.out, "deal {} (contract {})\n", hd.name, hd.contract);
  std::string base = context_scenario();
  std::string text = fmt::format("scenario __repl_show{} {{\n  track {}.alive as \"__alive\"\n}}\n",
                                 base.empty() ? "" : " extends " + base, hd.name);
  auto c = compile_with("<show>", text);
  if (!c) return false;
  int sk = c->model().find_scenario("__repl_show");
  auto r = run_one(*c, sk);
  if (!r) return false;
  const rt::Model& m = c->model();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"date", "from", "to", "due", "paid"});
  bool priorities = false;
  for (const auto& row : r->ledger_rows)
    if (row.deal == deal && row.kind == rt::FlowKind::Contractual && row.priority != 1) priorities = true;
  if (priorities) rows[0].push_back("priority");
  double due = 0, paid = 0;
  for (const auto& row : r->ledger_rows) {
    if (row.deal != deal || row.kind != rt::FlowKind::Contractual) continue;
    due += row.due;
    paid += row.paid;
    std::string date = row.step >= 0 && size_t(row.step) < r->dates.size() ? step_label(r->dates[size_t(row.step)], m.step) : "?";
    rows.push_back({date, row_party(m, row.from), row_party(m, row.to), money(row.due), money(row.paid)});
    if (priorities) rows.back().push_back(fmt::format("{}", row.priority));
  }
  std::string shown = base.empty() ? "" : " in scenario " + base;
  if (rows.size() == 1) {
    fmt::print(opts_.out, "no obligations{}\n", shown);
  } else {
    fmt::print(opts_.out, "schedule{} (1 path): {} due, {} paid\n", shown, money(due), money(paid));
    fmt::print(opts_.out, "{}", text_table(rows, 3));
  }
  for (const auto& s : r->series)
    if (s.label == "__alive" && !s.values.empty()) {
      auto end = std::find(s.values.begin(), s.values.end(), 0.0);
      if (hd.shock >= 0 && end == s.values.begin())
        fmt::print(opts_.out, "never alive{} (declared in shock {}, not applied)\n", shown,
                   p.shocks[size_t(hd.shock)].name);
      else if (end != s.values.end())
        fmt::print(opts_.out, "terminated in {}\n", step_label(r->dates[size_t(end - s.values.begin())], m.step));
      else
        fmt::print(opts_.out, "alive at the end\n");
    }
  return true;
}

bool Session::cmd_graph(const std::string& arg) {
  if (!ensure_compiled()) return false;
  const rt::Model& m = current_->model();
  int k = 0;
  std::string name = arg.empty() ? context_scenario() : arg;
  if (!name.empty()) {
    k = m.find_scenario(name);
    if (k < 0) {
      error(fmt::format("no scenario named '{}'", name));
      return false;
    }
  }
  rt::RunOptions ro;
  ro.cancelled = [] { return interrupt_pending(); };
  if (!resolve_sets(current_->program(), ro)) return false;
  engine::GraphRuns runs;
  try {
    runs = engine::graph_runs(*current_, k, ro);
  } catch (const std::exception& e) {
    clear_interrupt();
    had_errors_ = true;
    fmt::print(opts_.err, "{}\n", e.what());
    return false;
  }
  std::string title = name.empty() ? "<repl>" : fmt::format("<repl> — scenario {}", name);
  fmt::print(opts_.out, "{}", report::deal_graph_dot(m, runs.scheduled, arg.empty() ? nullptr : &runs.actual, title));
  return true;
}

bool Session::cmd_list() {
  if (entries_.empty()) {
    fmt::print(opts_.out, "the session is empty\n");
    return true;
  }
  for (const Entry& e : entries_) fmt::print(opts_.out, "{}\n", e.text);
  if (!sets_.empty())
    for (const auto& [n, v] : sets_) fmt::print(opts_.out, "// :set {}={}\n", n, v);
  return true;
}

bool Session::cmd_forget(const std::string& arg) {
  int k = find_entry(arg);
  if (k < 0) k = find_entry("unit " + arg);
  if (k < 0) {
    error(fmt::format("nothing named '{}' in the session", arg));
    return false;
  }
  std::vector<Entry> next = entries_;
  Entry gone = next[size_t(k)];
  next.erase(next.begin() + k);
  if (!accept(std::move(next), {}, false, "")) {
    fmt::print(opts_.err, "(cannot forget {} {}: the declarations above use it)\n", gone.kind, gone.name);
    return false;
  }
  fmt::print(opts_.out, "forgot {} {}\n", gone.kind, gone.name);
  return true;
}

// ------------------------------------------------------------------ completion

std::vector<std::string> Session::complete(const std::string& before, size_t& start) const {
  auto word_char = [](char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '.'; };
  size_t i = before.size();
  while (i > 0 && word_char(before[i - 1])) --i;
  std::string lead = trim(before.substr(0, i));
  std::vector<std::string> pool;
  if (i > 0 && before[i - 1] == ':' && trim(before.substr(0, i - 1)).empty()) {
    --i;  // a command
    pool = kCommands;
  } else if (lead == ":load") {
    // File names.
    size_t j = before.size();
    while (j > 0 && before[j - 1] != ' ') --j;
    start = j;
    std::string w = before.substr(j);
    fs::path dir = w.find('/') == std::string::npos ? fs::path(".") : fs::path(w).parent_path();
    std::string prefix = w.find('/') == std::string::npos ? "" : dir.string() + "/";
    if (w.size() && w.back() == '/') dir = fs::path(w), prefix = w;
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir.empty() ? "." : dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string n = prefix + it->path().filename().string() + (it->is_directory(ec) ? "/" : "");
      if (n.rfind(w, 0) == 0 && (it->is_directory(ec) || (n.size() > 5 && n.substr(n.size() - 5) == ".deal"))) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    return out;
  } else if (checked_ && checked_->program) {
    const check::Program& p = *checked_->program;
    if (lead == ":run" || lead == ":graph") {
      for (const auto& s : p.scenarios)
        if (!s.implicit) pool.push_back(s.name);
    } else {
      for (const auto& m : checked_->modules)
        for (const auto& d : m.decls)
          if (d.kind != ast::DeclKind::Import && d.kind != ast::DeclKind::Calendar && d.kind != ast::DeclKind::Unit)
            pool.push_back(decl_name(d));
      for (const auto& party : p.parties) {
        if (party.is_world) continue;
        for (const auto& s : party.states) pool.push_back(party.name + "." + s.name);
        for (const char* b : {"equity", "defaulted", "default_date"}) pool.push_back(party.name + "." + b);
      }
      for (const auto& d : p.deals) {
        for (const char* b : {"alive", "paid", "due"}) pool.push_back(d.name + "." + b);
        for (const auto& s : d.states) pool.push_back(d.name + "." + s.name);
      }
      if (lead.empty())
        for (const auto& k : kDeclKeywords) pool.push_back(k);
      for (const char* b : {"World", "min", "max", "abs", "floor", "ceil", "round", "exp", "log", "sqrt", "clamp",
                            "years", "date_of", "annuity", "npv", "discount", "paid", "due", "inflow", "outflow",
                            "revenue_from", "equity", "defaulted", "holdings"})
        pool.push_back(b);
    }
  }
  start = i;
  std::string w = before.substr(i);
  std::vector<std::string> out;
  for (const auto& c : pool)
    if (c.rfind(w, 0) == 0) out.push_back(c);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace deal::cli::repl
