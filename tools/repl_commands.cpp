// Each `:command` of the REPL, and how values are printed (tools/repl_session.hpp).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/format.hpp"
#include "report/graph.hpp"
#include "report/report.hpp"
#include "runtime/calendar.hpp"
#include "engine/library.hpp"
#include "tools/repl_line.hpp"
#include "tools/repl_session.hpp"
#include "tools/repl_words.hpp"

namespace deal::cli::repl {

using namespace deal::report;

namespace {

// A run-time party index of a ledger row (World = kWorld) as a name.
std::string row_party(const rt::Model& m, int32_t idx) {
  if (idx == rt::kWorld) return "World";
  size_t id = size_t(idx) + 1;
  return id < m.parties.size() ? m.parties[id].name : "?";
}

}  // namespace

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
             "  :doc [NAME]         a standard-library contract's doc (alone: list them)\n"
             "  :help, :quit        this text; leave (Ctrl-D too)\n"
             "Input continues on the next line while a brace or parenthesis is open; Ctrl-C cancels it.\n");
}

void Session::cmd_doc(const std::string& name) {
  if (name.empty()) {
    fmt::print(opts_.out, "{}", engine::library_index());
    return;
  }
  std::string why;
  if (auto page = engine::library_doc(name, why)) fmt::print(opts_.out, "{}", *page);
  else error(why);
}

// ------------------------------------------------------------------ context

std::string Session::context_scenario() const {
  const check::Program& p = workspace_.program();
  if (!scenario_.empty() && p.find_scenario(scenario_) >= 0) return scenario_;
  if (p.scenarios.empty() || p.scenarios[0].implicit) return "";
  return p.scenarios[0].name;
}

std::optional<rt::RunOptions> Session::run_options(const check::Program& p) {
  rt::RunOptions ro;
  ro.cancelled = [] { return interrupt_pending(); };  // Ctrl-C stops a long run
  // As `deal run --set`: each value is a `.deal` constant of the param's type.
  for (const auto& [name, text] : sets_) {
    engine::ParamError e;
    auto v = engine::parse_param_assignment(p, ":set", name + "=" + text, e, opts_.color);
    if (!v) {
      problem({e.text, e.is_diagnostics});
      return std::nullopt;
    }
    engine::set_param(ro, *v);
  }
  return ro;
}

const engine::Compiled* Session::compiled() {
  std::string why;
  const engine::Compiled* c = workspace_.compiled(why);
  if (!c) error(why);
  return c;
}

int Session::scenario_index(const rt::Model& m, const std::string& name, const std::string& how) {
  if (name.empty() && !scenario_.empty() && m.find_scenario(scenario_) >= 0) return m.find_scenario(scenario_);
  engine::ScenarioChoice choice;
  choice.program_name = choice.holder = "the session";
  choice.how = how;
  std::string why;
  int k = engine::choose_scenario(m, name, choice, why);
  if (k < 0) error(why);
  return k;
}

// ------------------------------------------------------------------ values

bool Session::show_value(const std::string& text) {
  auto ro = run_options(workspace_.program());
  if (!ro) return false;
  engine::Problem p;
  auto v = engine::evaluate(workspace_, engine::kTypedInput, text, context_scenario(), true, *ro, p);
  if (!v) {
    clear_interrupt();
    problem(p);
    return false;
  }
  print_value(*v);
  return true;
}

void Session::print_value(const engine::Evaluation& v) {
  auto text = [&](double x) -> std::string {
    if ((v.type.kind == check::Kind::Party || v.type.kind == check::Kind::Deal) && x >= 0 && size_t(x) < v.names.size())
      return v.names[size_t(x)];
    return value(x, v.kind, v.unit);
  };
  if (v.values.empty()) return;
  bool constant = std::all_of(v.values.begin(), v.values.end(),
                              [&](double x) { return x == v.values[0] || (std::isnan(x) && std::isnan(v.values[0])); });
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
  const check::Program& p = workspace_.program();
  if (is_identifier(arg)) {
    if (p.find_party(arg) >= 0) return fmt::print(opts_.out, "Party\n"), true;
    if (p.find_deal(arg) >= 0) return fmt::print(opts_.out, "Deal\n"), true;
  }
  engine::Problem why;
  auto v = engine::evaluate(workspace_, engine::kTypedInput, arg, context_scenario(), false, {}, why);
  if (!v) {
    problem(why);
    return false;
  }
  fmt::print(opts_.out, "{}\n", v->type_text);
  return true;
}

// ------------------------------------------------------------------ runs

bool Session::cmd_run(const std::string& arg) {
  const engine::Compiled* c = compiled();
  if (!c) return false;
  const rt::Model& m = c->model();
  int k = scenario_index(m, arg, "say which: :run NAME");
  if (k < 0) return false;
  auto ro = run_options(c->program());
  if (!ro) return false;
  rt::RunResult result;
  try {
    result = engine::run(*c, k, *ro);
  } catch (const std::exception& e) {
    clear_interrupt();
    had_errors_ = true;
    fmt::print(opts_.err, "{}\nerror: scenario '{}' failed\n", e.what(), m.scenarios[size_t(k)].name);
    return false;
  }
  for (const std::string& w : result.analyses ? result.analyses->warnings : std::vector<std::string>{})
    fmt::print(opts_.err, "deal: warning: {}\n", w);
  scenario_ = m.scenarios[size_t(k)].name;
  fmt::print(opts_.out, "{}", table_text(result, m, opts_.color));
  return true;
}

bool Session::cmd_graph(const std::string& arg) {
  const engine::Compiled* c = compiled();
  if (!c) return false;
  const rt::Model& m = c->model();
  std::string name = arg.empty() ? context_scenario() : arg;
  int k = name.empty() ? 0 : scenario_index(m, name, "say which: :graph NAME");
  if (k < 0) return false;
  auto ro = run_options(c->program());
  if (!ro) return false;
  engine::GraphRuns runs;
  try {
    runs = engine::graph_runs(*c, k, *ro);
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

// ------------------------------------------------------------------ overrides

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
  auto old = sets_;
  bool found = false;
  for (auto& [n, v] : sets_)
    if (n == name) v = val, found = true;
  if (!found) sets_.emplace_back(name, val);
  // Checked now against the session's params, like `deal run --set`.
  if (!run_options(workspace_.program())) {
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

// ------------------------------------------------------------------ declarations

bool Session::cmd_list() {
  const auto& entries = workspace_.entries();
  if (entries.empty()) {
    fmt::print(opts_.out, "the session is empty\n");
    return true;
  }
  for (const engine::Entry& e : entries) fmt::print(opts_.out, "{}\n", e.text);
  for (const auto& [n, v] : sets_) fmt::print(opts_.out, "// :set {}={}\n", n, v);
  return true;
}

bool Session::cmd_forget(const std::string& arg) { return report(workspace_.forget(arg)); }

bool Session::cmd_show(const std::string& arg) {
  if (arg.empty()) {
    error(":show takes a name: a party, a deal, a param or any declaration");
    return false;
  }
  const check::Program& p = workspace_.program();
  int party = p.find_party(arg);
  if (party > 0) return show_party(party);
  int deal = p.find_deal(arg);
  if (deal >= 0) return show_deal(deal);
  int k = workspace_.find_entry(arg);
  if (p.find_param(arg) >= 0) {
    if (k >= 0) fmt::print(opts_.out, "{}\n", workspace_.entries()[size_t(k)].text);
    auto ro = run_options(p);
    if (!ro) return false;
    engine::Problem why;
    auto v = engine::evaluate(workspace_, engine::kTypedInput, arg, context_scenario(), true, *ro, why);
    if (!v) {
      clear_interrupt();
      problem(why);
      return false;
    }
    bool overridden = std::any_of(sets_.begin(), sets_.end(), [&](const auto& s) { return s.first == arg; });
    fmt::print(opts_.out, "value: ");
    print_value(*v);
    if (overridden) fmt::print(opts_.out, "(overridden with :set)\n");
    return true;
  }
  if (k >= 0) {
    fmt::print(opts_.out, "{}\n", workspace_.entries()[size_t(k)].text);
    return true;
  }
  if (auto text = workspace_.imported_source(arg)) {  // a name from an imported file
    fmt::print(opts_.out, "{}\n", *text);
    return true;
  }
  std::vector<std::string> names;
  for (const auto& e : workspace_.entries()) names.push_back(e.name);
  error(fmt::format("nothing named '{}' in the session{}", arg, engine::did_you_mean(arg, names)));
  return false;
}

bool Session::show_party(int party) {
  if (!compiled()) return false;
  const check::HParty& hp = workspace_.program().parties[size_t(party)];
  std::vector<std::string> states;
  for (const auto& s : hp.states) states.push_back(s.name);
  if (std::find(states.begin(), states.end(), "equity") == states.end()) states.push_back("equity");
  std::vector<std::pair<std::string, std::string>> tracks;
  for (const auto& s : states) tracks.emplace_back("__show_" + s, hp.name + "." + s);
  std::string base = context_scenario();
  auto ro = run_options(workspace_.program());
  if (!ro) return false;
  engine::Problem why;
  auto r = engine::probe(workspace_, "<show>", tracks, base, *ro, why);
  if (!r) {
    clear_interrupt();
    problem(why);
    return false;
  }
  const rt::RunResult& res = r->result;
  rt::StepUnit step = r->model().step;
  std::string shown = base.empty() ? "" : "scenario " + base + ", ";
  fmt::print(opts_.out, "party {}{} — {}1 path, value at the end of each step\n", hp.name,
             hp.kind.empty() ? "" : " (" + hp.kind + ")", shown);
  std::vector<std::vector<std::string>> rows;
  std::string first = res.dates.empty() ? "" : step_label(res.dates.front(), step);
  std::string last = res.dates.empty() ? "" : step_label(res.dates.back(), step);
  rows.push_back({"state", first, last, "trend"});
  for (const auto& s : res.series) {
    if (s.label.rfind("__show_", 0) != 0 || s.values.empty()) continue;
    std::string name = s.label.substr(7);
    rows.push_back({name, value(s.values.front(), s.kind, s.unit), value(s.values.back(), s.kind, s.unit),
                    s.kind == rt::ValueKind::Number && s.values.front() != s.values.back() ? sparkline(s.values) : ""});
  }
  fmt::print(opts_.out, "{}", text_table(rows));
  for (const auto& e : res.defaults)
    if (e.party == party)
      for (const auto& ev : res.events)
        if (ev.date == e.date && ev.text.find(hp.name + " defaulted") != std::string::npos)
          fmt::print(opts_.out, "  {}\n", ev.text);
  return true;
}

bool Session::show_deal(int deal) {
  if (!compiled()) return false;
  const check::Program& p = workspace_.program();
  const check::HDeal& hd = p.deals[size_t(deal)];
  int k = workspace_.find_entry(hd.name);
  if (k >= 0) fmt::print(opts_.out, "{}\n", workspace_.entries()[size_t(k)].text);
  else fmt::print(opts_.out, "deal {} (contract {})\n", hd.name, hd.contract);
  std::string base = context_scenario();
  auto ro = run_options(p);
  if (!ro) return false;
  engine::Problem why;
  auto r = engine::probe(workspace_, "<show>", {{"__alive", hd.name + ".alive"}}, base, *ro, why);
  if (!r) {
    clear_interrupt();
    problem(why);
    return false;
  }
  const rt::RunResult& res = r->result;
  const rt::Model& m = r->model();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"date", "from", "to", "due", "paid"});
  bool priorities = false;
  for (const auto& row : res.ledger_rows)
    if (row.deal == deal && row.kind == rt::FlowKind::Contractual && row.priority != 1) priorities = true;
  if (priorities) rows[0].push_back("priority");
  double due = 0, paid = 0;
  for (const auto& row : res.ledger_rows) {
    if (row.deal != deal || row.kind != rt::FlowKind::Contractual) continue;
    due += row.due;
    paid += row.paid;
    std::string date =
        row.step >= 0 && size_t(row.step) < res.dates.size() ? step_label(res.dates[size_t(row.step)], m.step) : "?";
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
  for (const auto& s : res.series)
    if (s.label == "__alive" && !s.values.empty()) {
      auto end = std::find(s.values.begin(), s.values.end(), 0.0);
      if (hd.shock >= 0 && end == s.values.begin())
        fmt::print(opts_.out, "never alive{} (declared in shock {}, not applied)\n", shown,
                   p.shocks[size_t(hd.shock)].name);
      else if (end != s.values.end())
        fmt::print(opts_.out, "terminated in {}\n", step_label(res.dates[size_t(end - s.values.begin())], m.step));
      else fmt::print(opts_.out, "alive at the end\n");
    }
  return true;
}

}  // namespace deal::cli::repl
