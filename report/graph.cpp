#include "report/graph.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "report/format.hpp"

namespace deal::report {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

struct Style {
  const char* shape;
  const char* fill;
};

Style kind_style(const std::string& kind) {
  static const std::map<std::string, Style> styles = {
      {"lab", {"ellipse", "#fde2e4"}},      {"hyperscaler", {"box", "#dbeafe"}},
      {"neocloud", {"hexagon", "#dcfce7"}}, {"chipmaker", {"component", "#fef3c7"}},
      {"investor", {"house", "#ede9fe"}},   {"world", {"plaintext", "#e5e7eb"}},
  };
  auto it = styles.find(kind);
  return it != styles.end() ? it->second : Style{"oval", "#f3f4f6"};
}

const char* kPalette[] = {"#2563eb", "#059669", "#d97706", "#7c3aed", "#0891b2",
                          "#be185d", "#4d7c0f", "#9333ea", "#0f766e", "#b45309"};

// Per (deal, payer, payee): due and paid over the run, from its contractual ledger rows.
struct Flow {
  double due = 0, paid = 0;
};
using Flows = std::map<std::tuple<int, int, int>, Flow>;

Flows deal_flows(const rt::RunResult& r) {
  Flows f;
  for (const rt::LedgerRow& row : r.ledger_rows) {
    if (row.kind != rt::FlowKind::Contractual || row.deal < 0) continue;
    Flow& x = f[{row.deal, row.from == rt::kWorld ? 0 : row.from + 1, row.to == rt::kWorld ? 0 : row.to + 1}];
    x.due += row.due;
    x.paid += row.paid;
  }
  return f;
}

// Legend: one small table of the contract kinds and their colours.
std::string legend(const std::map<std::string, int>& contract_color) {
  if (contract_color.empty()) return "";
  std::vector<std::pair<int, std::string>> order;
  for (const auto& [name, idx] : contract_color) order.emplace_back(idx, name);
  std::sort(order.begin(), order.end());
  std::string out =
      "  legend [shape=plaintext, style=\"\", label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"2\">"
      "<tr><td align=\"left\"><font point-size=\"10\" color=\"#64748b\">contracts</font></td></tr>";
  for (const auto& [idx, name] : order) {
    const char* color = kPalette[size_t(idx) % (sizeof kPalette / sizeof *kPalette)];
    std::string html_name;
    for (char ch : name)
      html_name += ch == '<'   ? std::string("&lt;")
                   : ch == '>' ? std::string("&gt;")
                   : ch == '&' ? std::string("&amp;")
                               : std::string(1, ch);
    out += fmt::format("<tr><td align=\"left\"><font color=\"{}\">━━ {}</font></td></tr>", color, html_name);
  }
  return out + "</table>>];\n";
}

}  // namespace

std::string deal_graph_dot(const rt::Model& m, const rt::RunResult& scheduled, const rt::RunResult* actual,
                           const std::string& title) {
  Flows planned = deal_flows(scheduled);
  Flows happened = actual ? deal_flows(*actual) : Flows{};
  const rt::ModelScenario* sc = nullptr;
  for (const auto& s : m.scenarios)
    if (s.name == scheduled.scenario) sc = &s;
  auto deal_exists = [&](const rt::ModelDeal& d) {
    return d.shock < 0 || (sc && std::find(sc->shocks.begin(), sc->shocks.end(), d.shock) != sc->shocks.end());
  };

  // Large webs: one edge per pair of parties (all their deals together), or the picture
  // is unreadable; edges with World are left out there (World's flows are everyone's).
  size_t deal_edges = 0;
  for (const auto& [key, flow] : planned)
    if (flow.due >= 1) ++deal_edges;
  bool aggregate = deal_edges > 40;
  bool world_used = false;
  for (const auto& [key, flow] : planned)
    if (!aggregate && (std::get<1>(key) == 0 || std::get<2>(key) == 0)) world_used = true;

  std::string out;
  out += "digraph deals {\n";
  out += fmt::format(
      "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=16, labelloc=t, label=\"{}\", pad=0.3, nodesep=0.35, "
      "ranksep=0.9];\n",
      esc(title));
  out += "  node [fontname=\"Helvetica\", fontsize=11, style=filled, color=\"#475569\", penwidth=1.2];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n";
  // Parties (World only when a deal pays it or is paid by it).
  for (size_t p = world_used ? 0 : 1; p < m.parties.size(); ++p) {
    const rt::ModelParty& party = m.parties[p];
    std::string kind = p == 0 ? "world" : party.kind;
    Style st = kind_style(kind);
    std::string label = p == 0 ? "World\\n(outside the model)" : esc(party.name);
    std::string fill = st.fill, extra;
    if (p > 0 && !party.kind.empty()) label += "\\n" + esc(party.kind);
    if (p > 0 && actual) {
      const rt::PartyOutcome& o = actual->parties[p - 1];
      label += fmt::format("\\ncash {} · equity {}", esc(money(o.cash)), esc(money(o.equity)));
      if (o.defaulted && o.default_date) {
        label += fmt::format("\\nDEFAULTED {}", esc(step_label(*o.default_date, m.step)));
        fill = "#fee2e2";
        extra = ", color=\"#dc2626\", penwidth=2.5, fontcolor=\"#991b1b\"";
      } else if (actual->paths > 1 && o.default_probability > 0) {
        label += fmt::format("\\nP(default) {:.0f}%", o.default_probability * 100);
      }
    }
    out += fmt::format("  p{} [label=\"{}\", shape={}, fillcolor=\"{}\"{}];\n", p, label, st.shape, fill, extra);
  }
  if (aggregate) {
    struct PairFlow {
      double due = 0, paid = 0;
      int deals = 0;
      std::map<std::string, double> by_contract;
    };
    std::map<std::pair<int, int>, PairFlow> pairs;
    for (const auto& [key, flow] : planned) {
      auto [deal_id, from, to] = key;
      if (flow.due < 1 || from == 0 || to == 0) continue;
      PairFlow& pf = pairs[{from, to}];
      pf.due += flow.due;
      pf.deals += 1;
      pf.by_contract[m.deals[size_t(deal_id)].contract] += flow.due;
      if (actual) {
        auto h = happened.find(key);
        pf.paid += h == happened.end() ? 0 : h->second.paid;
      }
    }
    double largest = 1;
    for (const auto& [k, pf] : pairs) largest = std::max(largest, pf.due);
    std::map<std::string, int> contract_color;
    for (const auto& [k, pf] : pairs) {
      // Coloured by the contract that carries most of the pair's money.
      auto top = std::max_element(pf.by_contract.begin(), pf.by_contract.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
      auto [it, fresh] = contract_color.emplace(top->first, int(contract_color.size()));
      const char* color = kPalette[size_t(it->second) % (sizeof kPalette / sizeof *kPalette)];
      double width = 0.8 + 5.0 * std::sqrt(pf.due / largest);
      std::string label =
          fmt::format("{}{}", esc(money(pf.due)), pf.deals > 1 ? fmt::format(" ({} deals)", pf.deals) : "");
      std::string style = fmt::format("color=\"{}\", fontcolor=\"{}\", penwidth={:.1f}", color, color, width);
      if (actual && pf.paid < pf.due - 1) {
        label += fmt::format("\\npaid {:.0f}%", pf.due > 0 ? pf.paid / pf.due * 100 : 0);
        style = fmt::format("color=\"#dc2626\", fontcolor=\"#b91c1c\", style=dashed, penwidth={:.1f}", width);
      }
      out += fmt::format("  p{} -> p{} [label=\"{}\", {}];\n", k.first, k.second, label, style);
    }
    out += legend(contract_color);
    out += "}\n";
    return out;
  }

  // Deals.
  std::map<std::string, int> contract_color;
  for (size_t d = 0; d < m.deals.size(); ++d) {
    const rt::ModelDeal& deal = m.deals[d];
    if (!deal_exists(deal)) continue;
    auto [it, fresh] = contract_color.emplace(deal.contract, int(contract_color.size()));
    const char* color = kPalette[size_t(it->second) % (sizeof kPalette / sizeof *kPalette)];
    bool drawn = false;
    for (const auto& [key, flow] : planned) {
      auto [deal_id, from, to] = key;
      if (deal_id != int(d) || flow.due < 1) continue;
      if ((from == 0 || to == 0) && !world_used) continue;
      drawn = true;
      std::string label = fmt::format("{}\\n{}", esc(deal.name), esc(money(flow.due)));
      double width = 1 + std::min(4.0, std::log10(std::max(1.0, flow.due / 1e8)));
      std::string style = fmt::format("color=\"{}\", fontcolor=\"{}\", penwidth={:.1f}", color, color, width);
      if (actual) {
        auto h = happened.find(key);
        double paid = h == happened.end() ? 0 : h->second.paid;
        if (paid < flow.due - 1) {
          label += fmt::format("\\npaid {} ({:.0f}%)", esc(money(paid)), flow.due > 0 ? paid / flow.due * 100 : 0);
          style = fmt::format("color=\"#dc2626\", fontcolor=\"#b91c1c\", style=dashed, penwidth={:.1f}", width);
        }
      }
      out += fmt::format("  p{} -> p{} [label=\"{}\", {}];\n", from, to, label, style);
    }
    // A deal that moves no money (stakes, options) is drawn between the parties it names.
    if (!drawn && deal.parties.size() >= 2 && deal.parties[0] != deal.parties[1])
      out += fmt::format("  p{} -> p{} [label=\"{}\", color=\"{}\", fontcolor=\"{}\", style=dotted, arrowhead=none];\n",
                         deal.parties[0], deal.parties[1], esc(deal.name), color, color);
  }
  out += legend(contract_color);
  out += "}\n";
  return out;
}

std::optional<std::string> find_dot() {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::filesystem::path p = std::filesystem::path(dir.empty() ? "." : dir) / "dot";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return std::nullopt;
}

bool render_dot(const std::string& dot, const std::string& format, std::string& out, std::string& error) {
  auto exe = find_dot();
  if (!exe) {
    error = "Graphviz's `dot` is not installed (Debian: apt-get install graphviz); use --format dot for the DOT text";
    return false;
  }
  char in_name[] = "/tmp/deal-graph-XXXXXX";
  int fd = mkstemp(in_name);
  if (fd < 0) {
    error = "cannot create a temporary file";
    return false;
  }
  ::close(fd);
  std::string out_name = std::string(in_name) + "." + format;
  std::string err_name = std::string(in_name) + ".err";
  {
    std::ofstream f(in_name, std::ios::binary);
    f << dot;
  }
  std::string cmd = fmt::format("'{}' -T{} '{}' -o '{}' 2> '{}'", *exe, format, in_name, out_name, err_name);
  int rc = std::system(cmd.c_str());
  std::ifstream res(out_name, std::ios::binary), errs(err_name);
  std::stringstream buf, ebuf;
  buf << res.rdbuf();
  ebuf << errs.rdbuf();
  std::filesystem::remove(in_name);
  std::filesystem::remove(out_name);
  std::filesystem::remove(err_name);
  if (rc != 0) {
    error = "dot failed: " + ebuf.str();
    return false;
  }
  out = buf.str();
  return true;
}

}  // namespace deal::report
