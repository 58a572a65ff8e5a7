#include "tools/repl_session.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "tools/repl_words.hpp"

namespace fs = std::filesystem;

namespace deal::cli::repl {

namespace {

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

engine::WorkspaceOptions workspace_options(const SessionOptions& o) {
  engine::WorkspaceOptions w;
  w.color = o.color;
  w.import_paths = o.import_paths;
  w.cache_dir = engine::default_cache_dir();
  return w;
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

const std::vector<std::string>& Session::commands() {
  static const std::vector<std::string> c = {":help", ":quit", ":load",  ":run",  ":set",    ":unset",
                                             ":show", ":type", ":graph", ":list", ":forget", ":doc"};
  return c;
}

Session::Session(SessionOptions options) : opts_(options), workspace_(workspace_options(options)) {}

void Session::error(const std::string& message) const {
  had_errors_ = true;
  if (opts_.color) fmt::print(opts_.err, "\033[1;31merror:\033[0m \033[1m{}\033[0m\n", message);
  else fmt::print(opts_.err, "error: {}\n", message);
}

void Session::problem(const engine::Problem& p) const {
  if (p.rendered) {
    had_errors_ = true;
    fmt::print(opts_.err, "{}", p.text);
  } else {
    error(p.text);
  }
}

bool Session::report(const engine::Change& change) {
  if (!change.diagnostics.empty()) {
    had_errors_ |= !change.ok || change.diagnostics.find("error") != std::string::npos;
    fmt::print(opts_.err, "{}", change.diagnostics);
  }
  for (const auto& l : change.lines) fmt::print(opts_.out, "{}\n", l);
  for (const auto& e : change.errors) error(e);
  for (const auto& n : change.notes) fmt::print(opts_.err, "{}\n", n);
  if (!change.ok) had_errors_ = true;
  // A redefinition may have removed the scenario of the last :run.
  if (!scenario_.empty() && workspace_.program().find_scenario(scenario_) < 0) scenario_.clear();
  return change.ok && change.errors.empty();
}

bool Session::load(const std::string& path) { return report(workspace_.load(path)); }

bool Session::handle(const std::string& raw) {
  std::string input = trim(raw);
  if (input.empty()) return true;
  try {
    if (input[0] == ':') return command(input);
    std::string w = first_word(input);
    if (w.empty()) return true;  // only comments
    if (declaration_keywords().count(w)) {
      report(workspace_.declare(engine::kTypedInput, raw, fs::current_path().string(), false));
      return true;
    }
    // A bare party or deal name shows it (as :show does).
    const check::Program& p = workspace_.program();
    if (is_identifier(input) && (p.find_party(input) > 0 || p.find_deal(input) >= 0)) {
      cmd_show(input);
      return true;
    }
    show_value(raw);
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
  else if (cmd == ":doc") cmd_doc(arg);
  else
    error(fmt::format("unknown command '{}'{}; :help lists the commands", cmd, engine::did_you_mean(cmd, commands())));
  return true;
}

}  // namespace deal::cli::repl
