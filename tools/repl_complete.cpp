// Tab completion of the REPL (tools/repl_session.hpp): commands, file names after
// :load, scenarios after :run and :graph, the library's contracts after :doc, else the session's names, their fields and
// the built-ins.
#include <algorithm>
#include <filesystem>

#include "engine/library.hpp"
#include "tools/repl_session.hpp"
#include "tools/repl_words.hpp"

namespace fs = std::filesystem;

namespace deal::cli::repl {

namespace {

// `.deal` files and folders that complete the last word of `before`.
std::vector<std::string> complete_file(const std::string& before, size_t& start) {
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
    if (n.rfind(w, 0) == 0 && (it->is_directory(ec) || (n.size() > 5 && n.substr(n.size() - 5) == ".deal")))
      out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> Session::complete(const std::string& before, size_t& start) const {
  auto word_char = [](char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '.'; };
  size_t i = before.size();
  while (i > 0 && word_char(before[i - 1])) --i;
  std::string lead = trim(before.substr(0, i));
  std::vector<std::string> pool;
  const check::Program& p = workspace_.program();
  if (i > 0 && before[i - 1] == ':' && trim(before.substr(0, i - 1)).empty()) {
    --i;  // a command
    pool = commands();
  } else if (lead == ":load") {
    return complete_file(before, start);
  } else if (lead == ":doc") {
    static const std::vector<engine::ContractDoc> library = engine::library_contracts();  // read once
    for (const auto& c : library) pool.push_back(c.name);
  } else if (lead == ":run" || lead == ":graph") {
    for (const auto& s : p.scenarios)
      if (!s.implicit) pool.push_back(s.name);
  } else {
    pool = workspace_.declared_names();
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
      for (const auto& k : declaration_keywords()) pool.push_back(k);
    for (const char* b : {"World", "min",  "max",    "abs",     "floor",        "ceil",    "round",     "exp",
                          "log",   "sqrt", "clamp",  "years",   "date_of",      "annuity", "npv",       "discount",
                          "paid",  "due",  "inflow", "outflow", "revenue_from", "equity",  "defaulted", "holdings"})
      pool.push_back(b);
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
