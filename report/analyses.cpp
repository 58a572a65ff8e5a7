// The analyses (runtime/analyses.hpp) in the JSON document, the table and CSV files.
#include "report/analyses.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/analyses.hpp"
#include "report/format.hpp"

namespace deal::report {

namespace {

std::string name_of(const rt::Model& m, int id) { return m.parties.at(size_t(id)).name; }

std::string pct(double x) { return fmt::format("{:.1f}%", x * 100); }

std::string path_text(const rt::Model& m, const std::vector<int>& path) {
  std::string s;
  for (size_t k = 0; k < path.size(); ++k) s += (k ? " → " : "") + name_of(m, path[k]);
  return s;
}

}  // namespace

nlohmann::json analyses_json(const rt::Analyses& a, const rt::Model& m) {
  using nlohmann::json;
  json j = json::object();
  size_t n = m.parties.size();
  if (a.exposure) {
    json e = json::object();
    for (size_t i = 0; i < n; ++i) {
      json row = json::object();
      for (size_t k = 0; k < n; ++k)
        if (k != i && a.exposure->owed[i][k] > 0) row[name_of(m, int(k))] = a.exposure->owed[i][k];
      if (!row.empty()) e[name_of(m, int(i))] = row;
    }
    j["exposure"] = e;
  }
  if (a.circularity) {
    json parties = json::object();
    for (size_t i = 1; i < n; ++i) {
      const auto& c = a.circularity->parties[i];
      parties[name_of(m, int(i))] = {{"outflow", c.outflow},
                                     {"inflow", c.inflow},
                                     {"return_probability", c.return_probability},
                                     {"self_funded_share", c.self_funded_share}};
    }
    json cycles = json::array();
    for (const auto& c : a.circularity->cycles) {
      json path = json::array();
      for (int p : c.path) path.push_back(name_of(m, p));
      cycles.push_back({{"path", path}, {"amount", c.amount}});
    }
    j["circularity"] = {{"parties", parties}, {"cycles", cycles}};
  }
  if (a.concentration) {
    json c = json::object();
    auto who = [&](const std::optional<rt::Counterparty>& cp) {
      return cp ? json{{"party", name_of(m, cp->party)}, {"share", cp->share}} : json();
    };
    for (size_t i = 1; i < n; ++i) {
      const auto& x = (*a.concentration)[i];
      c[name_of(m, int(i))] = {{"inflow_hhi", x.inflow_hhi},
                               {"outflow_hhi", x.outflow_hhi},
                               {"top_customer", who(x.top_customer)},
                               {"top_supplier", who(x.top_supplier)}};
    }
    j["concentration"] = c;
  }
  if (a.systemic) {
    json s = json::array();
    for (const auto& x : *a.systemic) {
      json induced = json::array();
      for (int p : x.defaulted) induced.push_back(name_of(m, p));
      s.push_back({{"party", name_of(m, x.party)},
                   {"equity_lost", x.equity_lost},
                   {"induced_defaults", x.induced_defaults},
                   {"defaulted", induced}});
    }
    j["systemic"] = s;
  }
  return j;
}

std::string analyses_table(const rt::Analyses& a, const rt::Model& m, bool color) {
  std::string bold = color ? "\033[1m" : "", off = color ? "\033[0m" : "";
  std::string out;
  size_t n = m.parties.size();
  if (a.computed_on_path > 0 || a.computed_on_path < 0) out += "(analyses of one path)\n";
  if (a.exposure) {
    struct Pair {
      size_t i, j;
      double v;
    };
    std::vector<Pair> pairs;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        if (i != j && a.exposure->owed[i][j] > 0 && i != 0 && j != 0) pairs.push_back({i, j, a.exposure->owed[i][j]});
    std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) { return x.v > y.v; });
    out += fmt::format("\n{}Exposure{} (obligations scheduled between parties over the horizon, as if all paid)\n",
                       bold, off);
    if (pairs.empty()) out += "  none between parties\n";
    std::vector<std::vector<std::string>> rows = {{"payer", "", "payee", "scheduled"}};
    for (size_t k = 0; k < pairs.size() && k < 12; ++k)
      rows.push_back({name_of(m, int(pairs[k].i)), "→", name_of(m, int(pairs[k].j)), rt::format_money(pairs[k].v)});
    if (!pairs.empty()) out += text_table(rows);
    if (pairs.size() > 12) out += fmt::format("  … and {} more pairs (see the JSON output)\n", pairs.size() - 12);
  }
  if (a.circularity) {
    out += fmt::format("\n{}Circularity{} (money that comes back to the party that paid it out)\n", bold, off);
    std::vector<std::vector<std::string>> rows = {{"party", "paid out", "received", "returns", "self-funded"}};
    for (size_t i = 1; i < n; ++i) {
      const auto& c = a.circularity->parties[i];
      if (c.outflow <= 0 && c.inflow <= 0) continue;
      rows.push_back({name_of(m, int(i)), rt::format_money(c.outflow), rt::format_money(c.inflow),
                      pct(c.return_probability), pct(c.self_funded_share)});
    }
    out += text_table(rows);
    if (!a.circularity->cycles.empty()) {
      out += "  main cycles:\n";
      for (size_t k = 0; k < a.circularity->cycles.size() && k < 8; ++k)
        out += fmt::format("    {}: {}\n", path_text(m, a.circularity->cycles[k].path),
                           rt::format_money(a.circularity->cycles[k].amount));
    }
  }
  if (a.concentration) {
    out += fmt::format("\n{}Concentration{} (Herfindahl–Hirschman index of flows by counterparty, World as one)\n",
                       bold, off);
    std::vector<std::vector<std::string>> rows = {
        {"party", "top customer", "share", "HHI in", "top supplier", "share", "HHI out"}};
    for (size_t i = 1; i < n; ++i) {
      const auto& c = (*a.concentration)[i];
      rows.push_back({name_of(m, int(i)), c.top_customer ? name_of(m, c.top_customer->party) : "—",
                      c.top_customer ? pct(c.top_customer->share) : "", fmt::format("{:.2f}", c.inflow_hhi),
                      c.top_supplier ? name_of(m, c.top_supplier->party) : "—",
                      c.top_supplier ? pct(c.top_supplier->share) : "", fmt::format("{:.2f}", c.outflow_hhi)});
    }
    out += text_table(rows);
  }
  if (a.systemic) {
    out += fmt::format("\n{}Systemic importance{} (if this party alone defaulted at the start)\n", bold, off);
    std::vector<std::vector<std::string>> rows = {{"party", "others' equity lost", "defaults it causes"}};
    for (const auto& s : *a.systemic) {
      std::string who;
      for (size_t k = 0; k < s.defaulted.size(); ++k) who += (k ? ", " : "") + name_of(m, s.defaulted[k]);
      rows.push_back({name_of(m, s.party), rt::format_money(s.equity_lost),
                      s.induced_defaults ? fmt::format("{} ({})", s.induced_defaults, who) : "0"});
    }
    out += text_table(rows);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> analyses_csv(const std::vector<rt::RunResult>& rs,
                                                              const rt::Model& m) {
  std::string
      exposure = "scenario,payer,payee,scheduled\n",
      circ = "scenario,party,outflow,inflow,return_probability,self_funded_share\n",
      cyc = "scenario,rank,path,amount\n",
      conc = "scenario,party,inflow_hhi,top_customer,top_customer_share,outflow_hhi,top_supplier,top_supplier_share\n",
      sys = "scenario,rank,party,equity_lost,induced_defaults\n";
  bool any = false;
  for (const auto& r : rs) {
    if (!r.analyses) continue;
    any = true;
    const rt::Analyses& a = *r.analyses;
    std::string sc = csv_field(r.scenario);
    size_t n = m.parties.size();
    if (a.exposure)
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j)
          if (i != j && a.exposure->owed[i][j] > 0)
            exposure += fmt::format("{},{},{},{}\n", sc, csv_field(name_of(m, int(i))), csv_field(name_of(m, int(j))),
                                    csv_number(a.exposure->owed[i][j]));
    if (a.circularity) {
      for (size_t i = 1; i < n; ++i) {
        const auto& c = a.circularity->parties[i];
        circ += fmt::format("{},{},{},{},{},{}\n", sc, csv_field(name_of(m, int(i))), csv_number(c.outflow),
                            csv_number(c.inflow), csv_number(c.return_probability), csv_number(c.self_funded_share));
      }
      for (size_t k = 0; k < a.circularity->cycles.size(); ++k)
        cyc += fmt::format("{},{},{},{}\n", sc, k + 1, csv_field(path_text(m, a.circularity->cycles[k].path)),
                           csv_number(a.circularity->cycles[k].amount));
    }
    if (a.concentration)
      for (size_t i = 1; i < n; ++i) {
        const auto& c = (*a.concentration)[i];
        conc += fmt::format("{},{},{},{},{},{},{},{}\n", sc, csv_field(name_of(m, int(i))), csv_number(c.inflow_hhi),
                            c.top_customer ? csv_field(name_of(m, c.top_customer->party)) : "",
                            c.top_customer ? csv_number(c.top_customer->share) : "", csv_number(c.outflow_hhi),
                            c.top_supplier ? csv_field(name_of(m, c.top_supplier->party)) : "",
                            c.top_supplier ? csv_number(c.top_supplier->share) : "");
      }
    if (a.systemic)
      for (size_t k = 0; k < a.systemic->size(); ++k) {
        const auto& s = (*a.systemic)[k];
        sys += fmt::format("{},{},{},{},{}\n", sc, k + 1, csv_field(name_of(m, s.party)), csv_number(s.equity_lost),
                           s.induced_defaults);
      }
  }
  if (!any) return {};
  return {{"exposure.csv", exposure},
          {"circularity.csv", circ},
          {"cycles.csv", cyc},
          {"concentration.csv", conc},
          {"systemic.csv", sys}};
}

}  // namespace deal::report
