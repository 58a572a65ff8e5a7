#include "engine/library.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "compiler/ast/parse.hpp"
#include "compiler/check/checker.hpp"
#include "compiler/diagnostics.hpp"

namespace deal::engine {

std::string doc_comment_above(const SourceManager& sm, uint32_t file, uint32_t line, size_t max_lines) {
  std::vector<std::string> lines;
  for (uint32_t l = line; l-- > 1 && lines.size() < max_lines;) {
    std::string_view text = sm.line_text(file, l);
    size_t at = text.find_first_not_of(" \t");
    if (at == std::string_view::npos || text.substr(at, 2) != "//") break;
    text.remove_prefix(at + 2);
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    lines.emplace_back(text);
  }
  std::reverse(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::optional<std::string> explain(std::string_view code) {
  std::string id(code);
  for (char& ch : id) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string_view text = explain_code(id);
  if (text.empty()) return std::nullopt;
  return std::string(text) + "\n";
}

std::vector<std::string> diagnostic_codes() { return documented_codes(); }

namespace {

// The fields of party parameters a contract reads or changes (`buyer.capacity`).
struct FieldUses {
  std::set<std::string> parties;
  std::vector<std::pair<std::string, std::string>> found;

  void expr(const ast::Expr* e) {
    if (!e) return;
    // Every party has the built-in fields; only the others must be declared.
    const std::set<std::string>& builtin = check::party_builtin_fields();
    if (e->kind == ast::ExprKind::Field && !e->args.empty() && e->args[0]->kind == ast::ExprKind::Name &&
        parties.count(e->args[0]->name) && !builtin.count(e->name)) {
      std::pair<std::string, std::string> use{e->args[0]->name, e->name};
      if (std::find(found.begin(), found.end(), use) == found.end()) found.push_back(use);
    }
    for (const ast::ExprPtr& a : e->args) expr(a.get());
  }
  void block(const ast::Block& b) {
    for (const ast::StmtPtr& s : b) {
      expr(s->target.get());
      expr(s->value.get());
      block(s->then_block);
      block(s->else_block);
    }
  }
};

// The first sentence of a doc comment's first paragraph, without the leading
// "name — ", cut to a line of the index.
std::string summary_of(const std::string& comment) {
  std::string para = comment.substr(0, comment.find("\n\n"));
  std::replace(para.begin(), para.end(), '\n', ' ');
  const std::string dash = " — ";
  if (size_t at = para.find(dash); at != std::string::npos && at < 40) para = para.substr(at + dash.size());
  if (size_t stop = para.find(". "); stop != std::string::npos) para = para.substr(0, stop + 1);
  constexpr size_t kWidth = 72;
  if (para.size() > kWidth) {
    size_t cut = para.rfind(' ', kWidth);
    para = para.substr(0, cut == std::string::npos ? kWidth : cut) + " …";
  }
  return para;
}

ContractDoc doc_of(const SourceManager& sm, const std::string& module, const ast::ContractDecl& c) {
  ContractDoc d;
  d.module = module;
  d.name = c.name;
  d.comment = doc_comment_above(sm, c.span.file, c.span.line);
  d.summary = summary_of(d.comment);
  FieldUses uses;
  std::vector<std::string> shown;
  for (const ast::Param& p : c.params) {
    ContractDoc::Param q{p.name, ast::print(p.type), p.default_value ? ast::print(*p.default_value) : ""};
    shown.push_back(q.default_value.empty() ? fmt::format("{}: {}", q.name, q.type)
                                            : fmt::format("{}: {} = {}", q.name, q.type, q.default_value));
    if (q.type == "Party") uses.parties.insert(p.name);
    d.params.push_back(std::move(q));
  }
  d.signature = fmt::format("{}({})", c.name, fmt::join(shown, ", "));
  for (const ast::Member& m : c.members) {
    if (m.kind == ast::MemberKind::Field) d.states.push_back(fmt::format("{} = {}", m.name, ast::print(*m.value)));
    uses.expr(m.value.get());
    uses.expr(m.clause.expr.get());
    uses.block(m.clause.body);
  }
  d.party_fields = std::move(uses.found);
  return d;
}

}  // namespace

std::vector<ContractDoc> library_contracts(const LoadOptions& options) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(stdlib_dir(options), ec))
    if (entry.path().extension() == ".deal") files.push_back(entry.path().stem().string());
  std::sort(files.begin(), files.end());
  std::vector<ContractDoc> out;
  for (const std::string& stem : files) {
    std::string module = "std/" + stem;
    // The import alone (no calendar, so it does not check): only the modules are read.
    Checked c = check_source("<doc>", fmt::format("import \"{}\"\n", module), options);
    for (size_t i = 1; i < c.modules.size(); ++i)
      for (const ast::Decl& decl : c.modules[i].decls)
        if (decl.contract) out.push_back(doc_of(c.sm, module, *decl.contract));
  }
  return out;
}

std::string library_index(const LoadOptions& options) {
  std::string out;
  std::string module;
  for (const ContractDoc& d : library_contracts(options)) {
    if (d.module != module) {
      module = d.module;
      out += fmt::format("{}{}  (import \"{}\")\n", out.empty() ? "" : "\n", module, module);
    }
    out += fmt::format("  {:<24}{}\n", d.name, d.summary);
  }
  out +=
      "\n`deal doc NAME` shows a contract's parameters, what it needs from its parties, its states and "
      "its doc comment.\n";
  return out;
}

std::optional<std::string> library_doc(std::string_view name, std::string& error, const LoadOptions& options) {
  std::vector<ContractDoc> all = library_contracts(options);
  auto it = std::find_if(all.begin(), all.end(), [&](const ContractDoc& d) { return d.name == name; });
  if (it == all.end()) {
    std::vector<std::string> names;
    for (const ContractDoc& d : all) names.push_back(d.name);
    std::string s = check::suggest(std::string(name), names);
    error = fmt::format("the standard library has no contract '{}'{}; `deal doc` lists them", name,
                        s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s));
    return std::nullopt;
  }
  const ContractDoc& d = *it;
  std::vector<std::string> required;
  for (const auto& p : d.params)
    if (p.default_value.empty()) required.push_back(p.name);
  std::string out = fmt::format("contract {} — {}\n", d.name, d.summary);
  out += fmt::format("  import \"{}\"\n  deal x = {}({})\n\n", d.module, d.name, fmt::join(required, ", "));
  out += "Parameters (those with a default are optional, given by name: `ramp: 2y`):\n";
  size_t name_width = 0, type_width = 0;
  for (const auto& p : d.params) {
    name_width = std::max(name_width, p.name.size() + 2);
    type_width = std::max(type_width, p.type.size() + 2);
  }
  for (const auto& p : d.params)
    out += p.default_value.empty()
               ? fmt::format("  {:<{}}{}\n", p.name, name_width, p.type)
               : fmt::format("  {:<{}}{:<{}}default {}\n", p.name, name_width, p.type, type_width, p.default_value);
  if (!d.party_fields.empty()) {
    out += "Needs from its parties (fields besides cash, debt, credit):\n";
    for (const auto& [party, field] : d.party_fields) out += fmt::format("  {}.{}\n", party, field);
  }
  if (!d.states.empty()) {
    out += "States:\n";
    for (const std::string& s : d.states) out += fmt::format("  {}\n", s);
  }
  out += "\n" + d.comment;
  return out;
}

}  // namespace deal::engine
