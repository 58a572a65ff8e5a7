#include "report/graph.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "report/format.hpp"
#include "report/resolution.hpp"

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

// A tooltip's lines as one DOT string ("\n" between them).
std::string esc_lines(const std::string& s) {
  std::string o;
  for (char c : esc(s)) o += c == '\n' ? std::string("\\n") : std::string(1, c);
  return o;
}

struct Style {
  const char* shape;
  const char* fill;
};

// The five built-in party kinds, and World.
const std::map<std::string, Style>& builtin_styles() {
  static const std::map<std::string, Style> styles = {
      {"lab", {"ellipse", "#fde2e4"}},      {"hyperscaler", {"box", "#dbeafe"}},
      {"neocloud", {"hexagon", "#dcfce7"}}, {"chipmaker", {"component", "#fef3c7"}},
      {"investor", {"house", "#ede9fe"}},   {"world", {"plaintext", "#e5e7eb"}},
  };
  return styles;
}

// Other kinds get these, in order of first appearance in the model: shape and fill both
// differ from the built-in ones, so two kinds stay apart without telling colours apart.
constexpr Style kOtherKindStyles[] = {
    {"octagon", "#ccfbf1"},  {"diamond", "#ffedd5"}, {"parallelogram", "#e0f2fe"}, {"trapezium", "#fae8ff"},
    {"cylinder", "#ecfccb"}, {"note", "#fef9c3"},    {"tab", "#f1f5f9"},           {"doubleoctagon", "#ffe4e6"},
    {"invhouse", "#e0e7ff"}, {"septagon", "#d1fae5"}};

}  // namespace

std::vector<KindStyle> party_kind_styles(const rt::Model& m) {
  std::vector<KindStyle> out;
  auto seen = [&](const std::string& k) {
    return std::any_of(out.begin(), out.end(), [&](const KindStyle& s) { return s.kind == k; });
  };
  size_t others = 0;
  for (size_t p = 1; p < m.parties.size(); ++p) {
    const std::string& kind = m.parties[p].kind;
    if (seen(kind)) continue;
    auto it = builtin_styles().find(kind);
    if (it != builtin_styles().end()) out.push_back({kind, it->second.shape, it->second.fill});
    else if (kind.empty()) out.push_back({kind, "oval", "#f3f4f6"});
    else {
      const Style& st = kOtherKindStyles[others % std::size(kOtherKindStyles)];
      // Past ten new kinds the shapes repeat; a dashed outline keeps the next ten apart.
      out.push_back({kind, st.shape, st.fill, others >= std::size(kOtherKindStyles)});
      ++others;
    }
  }
  return out;
}

// Okabe & Ito's palette (distinguishable with the common colour-vision deficiencies),
// less its vermilion, which is the colour of defaults, and its yellow, unreadable on white.
const char* const kContractPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000"};
constexpr size_t kContractColors = std::size(kContractPalette);
// Past six contracts the colours repeat with another arrowhead.
const char* const kContractArrows[] = {"normal", "diamond", "dot", "box", "inv"};

const char* contract_color(int index) { return kContractPalette[size_t(index) % kContractColors]; }
const char* contract_arrow(int index) {
  return kContractArrows[(size_t(index) / kContractColors) % std::size(kContractArrows)];
}

namespace {

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

// The arrowhead of a contract's edges, drawn in the legend.
const char* arrow_glyph(int index) {
  static const char* glyphs[] = {"▶", "◆", "●", "■", "◀"};
  return glyphs[(size_t(index) / kContractColors) % std::size(glyphs)];
}

std::string html_text(const std::string& s) {
  std::string out;
  for (char ch : s)
    out += ch == '<'   ? std::string("&lt;")
           : ch == '>' ? std::string("&gt;")
           : ch == '&' ? std::string("&amp;")
                       : std::string(1, ch);
  return out;
}

// Legend: one small table of the contract kinds and their colours.
std::string legend(const std::map<std::string, int>& contract_color_of) {
  if (contract_color_of.empty()) return "";
  std::vector<std::pair<int, std::string>> order;
  for (const auto& [name, idx] : contract_color_of) order.emplace_back(idx, name);
  std::sort(order.begin(), order.end());
  std::string out =
      "  legend [id=\"legend\", shape=plaintext, style=\"\", label=<<table border=\"0\" cellborder=\"0\" "
      "cellspacing=\"2\"><tr><td align=\"left\"><font point-size=\"10\" color=\"#64748b\">contracts</font></td></tr>";
  for (const auto& [idx, name] : order)
    out += fmt::format("<tr><td align=\"left\"><font color=\"{}\">━━{} {}</font></td></tr>", contract_color(idx),
                       arrow_glyph(idx), html_text(name));
  out += "<tr><td align=\"left\"><font color=\"#b91c1c\">╍╍ paid short</font></td></tr>";
  return out + "</table>>];\n";
}

// A class name from a party kind ("neo cloud" → "neo-cloud").
std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out.empty() ? "none" : out;
}

// Edges whose removal leaves the web acyclic, few and light: those that point backwards
// in Eades, Lin and Smyth's greedy ordering (sinks go last, sources first, otherwise the
// party whose outflows most exceed its inflows, by amount).
template <class Pairs>
std::set<std::pair<int, int>> cycle_closing_edges(const Pairs& pairs) {
  std::set<int> left;
  for (const auto& [k, pf] : pairs) left.insert(k.first), left.insert(k.second);
  std::vector<int> front, back;
  auto weight = [&](int v, bool outgoing) {
    double w = 0;
    for (const auto& [k, pf] : pairs)
      if ((outgoing ? k.first : k.second) == v && left.count(outgoing ? k.second : k.first)) w += pf.due;
    return w;
  };
  while (!left.empty()) {
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto it = left.begin(); it != left.end();) {
        int v = *it;
        if (weight(v, true) == 0) back.push_back(v), it = left.erase(it), changed = true;
        else if (weight(v, false) == 0) front.push_back(v), it = left.erase(it), changed = true;
        else ++it;
      }
    }
    if (left.empty()) break;
    int best = *left.begin();
    double best_delta = -INFINITY;
    for (int v : left)
      if (double d = weight(v, true) - weight(v, false); d > best_delta) best = v, best_delta = d;
    front.push_back(best);
    left.erase(best);
  }
  std::map<int, size_t> position;
  for (int v : front) position[v] = position.size();
  for (size_t i = back.size(); i-- > 0;) position[back[i]] = position.size();
  std::set<std::pair<int, int>> out;
  for (const auto& [k, pf] : pairs)
    if (position[k.first] > position[k.second]) out.insert(k);
  return out;
}

}  // namespace

std::string party_tooltip(const rt::Model& m, const rt::RunResult* actual, size_t p) {
  if (p == 0) return "World\noutside the model: markets, customers, suppliers and lenders";
  const rt::ModelParty& party = m.parties[p];
  std::string t = party.name + (party.kind.empty() ? "" : " (" + party.kind + ")");
  if (!actual) return t;
  const rt::PartyOutcome& o = actual->parties[p - 1];
  bool mc = actual->paths > 1;
  t += fmt::format("\n{}cash {} · debt {} · equity {}", mc ? "mean at the end: " : "at the end: ", money(o.cash),
                   money(o.debt), money(o.equity));
  if (mc) {
    t += fmt::format("\nP(default) {:.1f}% over {} paths", o.default_probability * 100, actual->paths);
    if (o.mean_default_date) t += fmt::format(", on average in {}", step_label(*o.mean_default_date, m.step));
    if (o.recovery_rate)
      t += fmt::format("\ncreditors recover {:.0f}% (mean over its defaults)", *o.recovery_rate * 100);
    t +=
        fmt::format("\nequity lost: median {}, 5–95% {} to {}", money(o.loss.p50), money(o.loss.p5), money(o.loss.p95));
    return t;
  }
  bool any = false;
  for (const rt::EventLine& e : actual->events) {
    const rt::DefaultEvent* d = default_of_event(*actual, m, e);
    if (!d || size_t(d->party) != p) continue;
    any = true;
    t += fmt::format("\nDEFAULTED {}: {}", step_label(e.date, m.step), e.text);
    if (d->resolution.done) t += "\n" + describe_resolution(*d, m);
  }
  if (!any) t += "\nno default";
  return t;
}

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
  auto party_label = [&](int p) { return p == 0 ? std::string("World") : m.parties[size_t(p)].name; };

  // Large webs: one edge per pair of parties (all their deals together), or the picture
  // is unreadable; edges with World are left out there (World's flows are everyone's).
  size_t deal_edges = 0;
  for (const auto& [key, flow] : planned)
    if (flow.due >= 1) ++deal_edges;
  bool aggregate = deal_edges > 40;
  // There the amounts are external labels (`xlabel`), placed after the layout, so they do
  // not widen it: the AI web's picture is 1,260 pt wide instead of 1,683 pt, readable
  // without zooming at 20 parties.
  bool world_used = false;
  for (const auto& [key, flow] : planned)
    if (!aggregate && (std::get<1>(key) == 0 || std::get<2>(key) == 0)) world_used = true;

  // Very large webs (200 parties): edge labels would cover the picture and make dot's
  // layout take minutes; their amounts are in the tooltips, and dot's crossing
  // minimisation is cut short (116 s → 2.4 s for an earlier, deeper gen_web.py web).
  bool huge = m.parties.size() > 60;

  std::string out;
  out += "digraph deals {\n";
  out += fmt::format(
      "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=16, labelloc=t, label=\"{}\", pad=0.3, nodesep=0.35, "
      "ranksep=0.9{}{}];\n",
      esc(title), huge ? ", nslimit=2, mclimit=0.5" : "", aggregate ? ", forcelabels=true" : "");
  out += "  node [fontname=\"Helvetica\", fontsize=11, style=filled, color=\"#475569\", penwidth=1.2];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n";
  // Parties (World only when a deal pays it or is paid by it).
  std::vector<KindStyle> kinds = party_kind_styles(m);
  for (size_t p = world_used ? 0 : 1; p < m.parties.size(); ++p) {
    const rt::ModelParty& party = m.parties[p];
    std::string kind = p == 0 ? "world" : party.kind;
    KindStyle st{kind, "plaintext", "#e5e7eb"};
    for (const KindStyle& k : kinds)
      if (p > 0 && k.kind == kind) st = k;
    std::string label = p == 0 ? "World\\n(outside the model)" : esc(party.name);
    std::string fill = st.fill, extra = st.dashed ? ", style=\"filled,dashed\"" : "";
    if (p > 0 && !party.kind.empty()) label += "\\n" + esc(party.kind);
    if (p > 0 && actual) {
      const rt::PartyOutcome& o = actual->parties[p - 1];
      label += fmt::format("\\ncash {} · equity {}", esc(money(o.cash)), esc(money(o.equity)));
      if (o.defaulted && o.default_date) {
        label += fmt::format("\\nDEFAULTED {}", esc(step_label(*o.default_date, m.step)));
        fill = "#fee2e2";
        extra += ", color=\"#dc2626\", penwidth=2.5, fontcolor=\"#991b1b\"";
      } else if (actual->paths > 1 && o.default_probability > 0) {
        label += fmt::format("\\nP(default) {:.0f}%", o.default_probability * 100);
      }
    }
    bool bad = p > 0 && actual && actual->parties[p - 1].defaulted;
    out += fmt::format(
        "  p{} [id=\"party-{}\", class=\"party kind-{}{}\", label=\"{}\", tooltip=\"{}\", shape={}, "
        "fillcolor=\"{}\"{}];\n",
        p, p, slug(kind), bad ? " defaulted" : "", label, esc_lines(party_tooltip(m, actual, p)), st.shape, fill,
        extra);
  }
  if (aggregate) {
    struct PairFlow {
      double due = 0, paid = 0;
      int deals = 0;
      std::map<std::string, double> by_contract;
      std::vector<std::pair<double, int>> deal_dues;  // (due, deal id)
    };
    std::map<std::pair<int, int>, PairFlow> pairs;
    for (const auto& [key, flow] : planned) {
      auto [deal_id, from, to] = key;
      if (flow.due < 1 || from == 0 || to == 0) continue;
      PairFlow& pf = pairs[{from, to}];
      pf.due += flow.due;
      pf.deals += 1;
      pf.by_contract[m.deals[size_t(deal_id)].contract] += flow.due;
      pf.deal_dues.emplace_back(flow.due, deal_id);
      if (actual) {
        auto h = happened.find(key);
        pf.paid += h == happened.end() ? 0 : h->second.paid;
      }
    }
    double largest = 1;
    for (const auto& [k, pf] : pairs) largest = std::max(largest, pf.due);
    // In very large webs the edges that close cycles do not constrain the ranks: dot's
    // own choice of edges to reverse stretched gen_web.py's 200 parties over 50 ranks.
    std::set<std::pair<int, int>> back_edges = huge ? cycle_closing_edges(pairs) : std::set<std::pair<int, int>>{};
    std::map<std::string, int> contract_color_of;
    for (auto& [k, pf] : pairs) {
      // Coloured by the contract that carries most of the pair's money.
      auto top = std::max_element(pf.by_contract.begin(), pf.by_contract.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
      auto [it, fresh] = contract_color_of.emplace(top->first, int(contract_color_of.size()));
      const char* color = contract_color(it->second);
      double width = 0.8 + 5.0 * std::sqrt(pf.due / largest);
      std::string label =
          huge ? "" : fmt::format("{}{}", esc(money(pf.due)), pf.deals > 1 ? fmt::format(" ({} deals)", pf.deals) : "");
      std::string style = fmt::format("color=\"{}\", fontcolor=\"{}\", penwidth={:.1f}, arrowhead={}", color, color,
                                      width, contract_arrow(it->second));
      // The tooltip names the pair's deals, largest first.
      std::string tip = fmt::format("{} → {}: {} scheduled over the horizon, {} deal{}", party_label(k.first),
                                    party_label(k.second), money(pf.due), pf.deals, pf.deals > 1 ? "s" : "");
      if (actual) tip += fmt::format(", {:.0f}% paid", pf.due > 0 ? pf.paid / pf.due * 100 : 100);
      std::stable_sort(pf.deal_dues.begin(), pf.deal_dues.end(),
                       [](const auto& a, const auto& b) { return a.first > b.first; });
      for (size_t q = 0; q < pf.deal_dues.size() && q < 12; ++q) {
        const rt::ModelDeal& d = m.deals[size_t(pf.deal_dues[q].second)];
        tip += fmt::format("\n{} ({}): {}", d.name, d.contract, money(pf.deal_dues[q].first));
      }
      if (pf.deal_dues.size() > 12) tip += fmt::format("\n… and {} more", pf.deal_dues.size() - 12);
      if (actual && pf.paid < pf.due - 1) {
        if (!huge) label += fmt::format("\\npaid {:.0f}%", pf.due > 0 ? pf.paid / pf.due * 100 : 0);
        style = fmt::format("color=\"#dc2626\", fontcolor=\"#b91c1c\", style=dashed, penwidth={:.1f}", width);
      }
      if (back_edges.count(k)) style += ", constraint=false";
      out += fmt::format(
          "  p{} -> p{} [id=\"pair-{}-{}\", class=\"deal from-p{} to-p{}\", xlabel=\"{}\", tooltip=\"{}\", "
          "{}];\n",
          k.first, k.second, k.first, k.second, k.first, k.second, label, esc_lines(tip), style);
    }
    out += legend(contract_color_of);
    out += "}\n";
    return out;
  }

  // Deals.
  std::map<std::string, int> contract_color_of;
  for (size_t d = 0; d < m.deals.size(); ++d) {
    const rt::ModelDeal& deal = m.deals[d];
    if (!deal_exists(deal)) continue;
    auto [it, fresh] = contract_color_of.emplace(deal.contract, int(contract_color_of.size()));
    const char* color = contract_color(it->second);
    const char* arrow = contract_arrow(it->second);
    bool drawn = false;
    for (const auto& [key, flow] : planned) {
      auto [deal_id, from, to] = key;
      if (deal_id != int(d) || flow.due < 1) continue;
      if ((from == 0 || to == 0) && !world_used) continue;
      drawn = true;
      std::string label = fmt::format("{}\\n{}", esc(deal.name), esc(money(flow.due)));
      std::string tip = fmt::format("{} ({})\n{} pays {}: {} scheduled over the horizon", deal.name, deal.contract,
                                    party_label(from), party_label(to), money(flow.due));
      double width = 1 + std::min(4.0, std::log10(std::max(1.0, flow.due / 1e8)));
      std::string style =
          fmt::format("color=\"{}\", fontcolor=\"{}\", penwidth={:.1f}, arrowhead={}", color, color, width, arrow);
      if (actual) {
        auto h = happened.find(key);
        double paid = h == happened.end() ? 0 : h->second.paid;
        tip += fmt::format("\npaid {} ({:.0f}%)", money(paid), flow.due > 0 ? paid / flow.due * 100 : 100);
        if (paid < flow.due - 1) {
          label += fmt::format("\\npaid {} ({:.0f}%)", esc(money(paid)), flow.due > 0 ? paid / flow.due * 100 : 0);
          style = fmt::format("color=\"#dc2626\", fontcolor=\"#b91c1c\", style=dashed, penwidth={:.1f}", width);
        }
      }
      out += fmt::format(
          "  p{} -> p{} [id=\"deal-{}-{}-{}\", class=\"deal from-p{} to-p{}\", label=\"{}\", "
          "tooltip=\"{}\", {}];\n",
          from, to, d, from, to, from, to, label, esc_lines(tip), style);
    }
    // A deal that moves no money (stakes, options) is drawn between the parties it names.
    if (!drawn && deal.parties.size() >= 2 && deal.parties[0] != deal.parties[1]) {
      std::string tip = fmt::format("{} ({})\nbetween {} and {}; moves no money between them", deal.name, deal.contract,
                                    party_label(deal.parties[0]), party_label(deal.parties[1]));
      out += fmt::format(
          "  p{} -> p{} [id=\"deal-{}\", class=\"deal from-p{} to-p{}\", label=\"{}\", tooltip=\"{}\", color=\"{}\", "
          "fontcolor=\"{}\", style=dotted, arrowhead=none];\n",
          deal.parties[0], deal.parties[1], d, deal.parties[0], deal.parties[1], esc(deal.name), esc_lines(tip), color,
          color);
    }
  }
  out += legend(contract_color_of);
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

namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// A file descriptor, closed when it goes.
struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// A pipe with both ends close-on-exec (the child gets only the dup2 copies) and numbered
// 3 or above: when deal runs with stdin, stdout or stderr closed, pipe() can hand out 0-2,
// and a dup2 onto the same number would leave close-on-exec set, so the child would lose it.
void make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe");
  read_end.fd = p[0];
  write_end.fd = p[1];
  for (Fd* f : {&read_end, &write_end}) {
    if (f->fd >= 3) continue;
    int high = ::fcntl(f->fd, F_DUPFD_CLOEXEC, 3);
    if (high < 0) throw_errno("fcntl");
    f->reset();
    f->fd = high;
  }
}

// The spawned child: killed and reaped if we leave early (an exception), so none is left
// running or as a zombie.
struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
  }
};

// SIGPIPE blocked in this thread while we write to the child (a write to a pipe whose
// reader has gone then fails with EPIPE instead of killing deal); on the way out a
// SIGPIPE our writes raised is taken back, and the thread's mask restored. SIGPIPE from
// write() goes to the writing thread, so other threads are not affected.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

// What a program printed on stderr, for an error message: trimmed, capped, and with
// control characters escaped (it may echo labels from the program, which must not reach
// the terminal raw).
std::string stderr_excerpt(const std::string& err) {
  constexpr size_t kMax = 2000;
  std::string o;
  size_t end = err.find_last_not_of(" \t\r\n");
  std::string_view text = end == std::string::npos ? std::string_view() : std::string_view(err).substr(0, end + 1);
  for (size_t i = 0; i < text.size() && o.size() < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) o += fmt::format("\\x{:02x}", c);
    else o += char(c);
  }
  if (o.size() >= kMax && text.size() > kMax) o += " …";
  return o;
}

}  // namespace

PipedRun run_piped(const std::vector<std::string>& argv, std::string_view input) {
  PipedRun result;
  if (argv.empty()) throw std::invalid_argument("run_piped: no program");
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  make_pipe(in_r, in_w);
  make_pipe(out_r, out_w);
  make_pipe(err_r, err_w);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Nothing else deal has open (a host's files and sockets too) reaches the child.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  // The child starts with no signal blocked and SIGPIPE at its default, whatever this
  // thread or the host had set.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Child child;
  int rc = posix_spawnp(&child.pid, argv[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    child.pid = -1;
    result.spawn_errno = rc;
    return result;
  }
  result.started = true;
  // Our copies of the child's ends: without closing them we would never see end-of-file.
  in_r.reset();
  out_w.reset();
  err_w.reset();

  {
    SigpipeBlock no_sigpipe;
    if (::fcntl(in_w.fd, F_SETFL, ::fcntl(in_w.fd, F_GETFL) | O_NONBLOCK) < 0) throw_errno("fcntl");
    size_t written = 0;
    if (input.empty()) in_w.reset();
    char buf[65536];
    while (in_w.fd >= 0 || out_r.fd >= 0 || err_r.fd >= 0) {
      pollfd fds[3];
      Fd* owner[3];
      nfds_t n = 0;
      if (in_w.fd >= 0) fds[n] = {in_w.fd, POLLOUT, 0}, owner[n++] = &in_w;
      if (out_r.fd >= 0) fds[n] = {out_r.fd, POLLIN, 0}, owner[n++] = &out_r;
      if (err_r.fd >= 0) fds[n] = {err_r.fd, POLLIN, 0}, owner[n++] = &err_r;
      if (::poll(fds, n, -1) < 0) {
        if (errno == EINTR) continue;
        throw_errno("poll");
      }
      for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        Fd& fd = *owner[i];
        if (&fd == &in_w) {
          // A partial write is normal on a non-blocking pipe: the rest goes next time.
          ssize_t k = ::write(fd.fd, input.data() + written, std::min<size_t>(input.size() - written, sizeof buf));
          if (k > 0) {
            written += size_t(k);
            if (written == input.size()) fd.reset();  // end-of-file for the child
          } else if (k < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            fd.reset();  // EPIPE: the child stopped reading (it exited or failed); its status says which
          }
        } else {
          ssize_t k = ::read(fd.fd, buf, sizeof buf);
          if (k > 0) (&fd == &out_r ? result.out : result.err).append(buf, size_t(k));
          else if (k == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) fd.reset();
        }
      }
    }
  }

  int status = 0;
  pid_t pid = child.pid;
  child.pid = -1;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid");
  }
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

bool render_dot(const std::string& dot, const std::string& format, std::string& out, std::string& error,
                const std::string& program) {
  PipedRun r;
  try {
    r = run_piped({program, "-T" + format}, dot);
  } catch (const std::system_error& e) {
    error = fmt::format("cannot run `{}`: {}", program, e.what());
    return false;
  }
  if (!r.started) {
    if (r.spawn_errno == ENOENT)
      error = fmt::format("needs Graphviz's `{}`; install graphviz or use --format dot", program);
    else error = fmt::format("cannot run `{}`: {}", program, std::strerror(r.spawn_errno));
    return false;
  }
  std::string said = stderr_excerpt(r.err);
  if (r.signal != 0) {
    const char* name = strsignal(r.signal);
    error = fmt::format("`{}` was killed by signal {} ({}){}{}", program, r.signal, name ? name : "?",
                        said.empty() ? "" : ": ", said);
    return false;
  }
  if (r.exit_status != 0) {
    error = fmt::format("`{}` failed with exit status {}{}{}", program, r.exit_status, said.empty() ? "" : ": ", said);
    return false;
  }
  out = std::move(r.out);
  return true;
}

}  // namespace deal::report
