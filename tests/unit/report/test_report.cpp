// The reports (report/): built from runtime results alone — a model and a result made
// by hand here, no compiler involved — so each document's shape is pinned down.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "report/analyses.hpp"
#include "report/format.hpp"
#include "report/graph.hpp"
#include "report/html.hpp"
#include "report/mc_charts.hpp"
#include "report/report.hpp"

using namespace deal;

namespace {

rt::Model model() {
  rt::Model m;
  m.first = {2025, 1, 1};
  m.last = {2025, 6, 30};
  m.step = rt::StepUnit::Quarter;
  m.parties = {{"World", "", -1}, {"Lab", "lab", 0}, {"Cloud", "cloud", 6}};
  m.deals = {{"compute", "commitment", 12, -1, {1, 2}}};
  return m;
}

rt::RunResult result() {
  rt::RunResult r;
  r.scenario = "base";
  r.dates = {{2025, 1, 1}, {2025, 4, 1}};
  rt::PartyOutcome lab;
  lab.name = "Lab";
  lab.kind = "lab";
  lab.cash = 0;
  lab.defaulted = true;
  lab.default_date = rt::Date{2025, 4, 1};
  lab.default_probability = 1;
  rt::PartyOutcome cloud;
  cloud.name = "Cloud";
  cloud.kind = "cloud";
  cloud.cash = 12.5e9;
  r.parties = {lab, cloud};
  rt::DefaultEvent e;
  e.party = 1;
  e.date = {2025, 4, 1};
  e.owed = 10e9;
  e.paid = 4e9;
  r.defaults = {e};
  r.events = {{{2025, 4, 1}, "Lab defaulted on 2025-04-01: owed $10B, paid $4B"}};
  rt::SeriesOutcome s;
  s.label = "Cloud.cash";
  s.unit = "$";
  s.values = {8e9, 12.5e9};
  r.series = {s};
  r.ledger.rows = 2;
  r.ledger.due = 20e9;
  r.ledger.paid = 14e9;
  r.ledger_rows = {{0, 0, 0, 1, 1, rt::FlowKind::Contractual, 10e9, 10e9}};  // runtime indices: Lab 0, Cloud 1
  r.flows = {{1, 2, 14e9}};
  return r;
}

}  // namespace

TEST_CASE("values read as people read them", "[report]") {
  CHECK(report::money(38.04e9) == "$38B");
  CHECK(report::money(-250e6) == "-$250M");
  CHECK(report::with_unit(0.125, "1/y") == "12.5%/y");
  CHECK(report::with_unit(1.2e9, "$/y") == "$1.2B/y");
  CHECK(report::value(1, rt::ValueKind::Bool, "") == "true");
  CHECK(report::value(0, rt::ValueKind::Date, "") == "—");  // never set
  CHECK(report::step_label({2027, 7, 1}, rt::StepUnit::Quarter) == "2027Q3");
  CHECK(report::step_label({2027, 3, 1}, rt::StepUnit::Month) == "2027-03");
  CHECK(report::step_label({2027, 1, 1}, rt::StepUnit::Year) == "2027");
  CHECK(report::csv_field("a,b") == "\"a,b\"");
  CHECK(report::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(report::csv_number(0.1) == "0.10000000000000001");
  CHECK(report::csv_number(std::nan("")) == "");
  CHECK(report::sparkline({0, 1, 2}) == "▁▅█");
  CHECK(report::text_table({{"a", "1"}, {"bbb", "22"}}) == "  a     1\n  bbb  22\n");
}

TEST_CASE("the JSON document of §7.1", "[report]") {
  auto j = nlohmann::json::parse(report::json_text(result(), model()));
  CHECK(j["scenario"] == "base");
  CHECK(j["dates"].size() == 2);
  CHECK(j["series"]["Cloud.cash"][1] == 12.5e9);
  CHECK(j["defaults"][0]["party"] == "Lab");
  auto many = nlohmann::json::parse(report::json_text(std::vector<rt::RunResult>{result(), result()}, model()));
  CHECK(many.is_array());
  CHECK(many.size() == 2);
}

TEST_CASE("the table names the defaults, the series and the ledger", "[report]") {
  std::string t = report::table_text(result(), model(), false);
  CHECK_THAT(t, Catch::Contains("Scenario base"));
  CHECK_THAT(t, Catch::Contains("Lab defaulted on 2025-04-01"));
  CHECK_THAT(t, Catch::Contains("Cloud.cash"));
  CHECK_THAT(t, Catch::Contains("2 obligations: $20B due, $14B paid (70.0%)"));
  CHECK(t.find("\033[") == std::string::npos);  // no colour unless asked
  CHECK(report::table_text(result(), model(), true).find("\033[1m") != std::string::npos);
}

TEST_CASE("a series chart draws the baseline when given one", "[report]") {
  rt::RunResult r = result();
  std::vector<double> base = {1e9, 2e9};
  std::string with = report::series_chart_svg(r.series[0], r.dates, rt::StepUnit::Quarter, false, &base, "calm");
  CHECK_THAT(with, Catch::Contains("baseline: calm"));
  CHECK_THAT(with, Catch::Contains("stroke-dasharray=\"6 4\""));
  std::string without = report::series_chart_svg(r.series[0], r.dates, rt::StepUnit::Quarter, false);
  CHECK(without.find("baseline") == std::string::npos);
}

TEST_CASE("the page shows the tornado charts when given them", "[report]") {
  rt::RunResult r = result();
  report::ReportInput in{model(), r, "web.deal", ""};
  CHECK(report::html_report(in).find("<h2>Sensitivity</h2>") == std::string::npos);
  in.sensitivity_svg = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><title>t</title></svg>";
  std::string page = report::html_report(in);
  CHECK_THAT(page, Catch::Contains("<h2>Sensitivity</h2>"));
  CHECK(page.find("<?xml") == std::string::npos);  // inlined without its prolog
}

TEST_CASE("tidy CSV: Monte Carlo statistics are a stat column, not part of the name", "[report]") {
  rt::RunResult r = result();
  r.paths = 10;
  r.series[0].mean = {1, 2};
  r.series[0].p5 = r.series[0].p25 = r.series[0].p50 = r.series[0].p75 = r.series[0].p95 = {0, 0};
  std::string csv = report::series_csv({r}, rt::StepUnit::Year);
  CHECK_THAT(csv, Catch::Contains("base,Cloud.cash,mean,1,2025-04-01,2026-04-01,2,$\n"));
  CHECK_THAT(csv, Catch::Contains("base,Cloud.cash,p95,0,2025-01-01,2025-04-01,0,$\n"));
  CHECK(csv.find("[mean]") == std::string::npos);
}

TEST_CASE("tidy CSV: series, parties and ledger rows", "[report]") {
  std::vector<rt::RunResult> rs{result()};
  // A value is dated at the end of its step (the last step's end from the calendar's
  // step), with the step's start beside it.
  CHECK(report::series_csv(rs, rt::StepUnit::Quarter) ==
        "scenario,series,stat,step,start,date,value,unit\n"
        "base,Cloud.cash,value,0,2025-01-01,2025-04-01,8000000000,$\n"
        "base,Cloud.cash,value,1,2025-04-01,2025-07-01,12500000000,$\n");
  std::string parties = report::parties_csv(rs);
  CHECK_THAT(parties, Catch::StartsWith("scenario,party,kind,paths,cash"));
  CHECK_THAT(parties, Catch::Contains("base,Cloud,cloud,1,12500000000,"));
  CHECK(report::ledger_csv(rs, model()) ==
        "scenario,step,date,deal,from,to,priority,kind,due,paid\n"
        "base,0,2025-01-01,compute,Lab,Cloud,1,contractual,10000000000,10000000000\n");
  CHECK(report::analyses_csv(rs, model()).empty());  // no analyses attached
}

TEST_CASE("the deal web as DOT, and a page with no external references", "[report]") {
  rt::Model m = model();
  rt::RunResult r = result();
  std::string dot = report::deal_graph_dot(m, r, &r, "web");
  CHECK_THAT(dot, Catch::StartsWith("digraph"));
  CHECK_THAT(dot, Catch::Contains("Lab"));
  CHECK_THAT(dot, Catch::Contains("Cloud"));
  std::string page = report::html_report({m, r, "web.deal", ""});
  CHECK_THAT(page, Catch::StartsWith("<!doctype html>"));
  CHECK_THAT(page, Catch::Contains("Cloud.cash"));
  // The only script is inline (no src): the page loads nothing.
  CHECK(page.find("<script src") == std::string::npos);
  CHECK(page.find("<script>") != std::string::npos);
  // Self-contained: the only URL is the SVG namespace name, which loads nothing.
  std::string rest = page;
  for (size_t at; (at = rest.find("http://www.w3.org/2000/svg")) != std::string::npos;) rest.erase(at, 26);
  CHECK(rest.find("http://") == std::string::npos);
  CHECK(rest.find("https://") == std::string::npos);
}

// A default with its resolution (LANGUAGE.md §6.6): Lab's $3B estate pays 30% of $10B of
// claims — Cloud's $6B (deal compute) and World's $4B — with no surplus.
TEST_CASE("a default's resolution in the table, JSON, CSV and page", "[report]") {
  rt::RunResult r = result();
  rt::Resolution& res = r.defaults[0].resolution;
  res.done = true;
  res.estate = 3e9;
  res.claims = 10e9;
  res.recovered = 3e9;
  res.claimants = {{2, 0, 1, 6e9, 1.8e9}, {0, -1, 1, 4e9, 1.2e9}};
  r.parties[0].recovery_rate = 0.3;
  std::vector<rt::RunResult> rs{r};

  std::string t = report::table_text(r, model(), false);
  CHECK_THAT(t, Catch::Contains("Lab's estate of $3B paid 30% of $10B of claims: Cloud recovered $1.8B of $6B, World "
                                "$1.2B of $4B."));

  auto j = nlohmann::json::parse(report::json_text(r, model()));
  const auto& d = j["defaults"][0];
  CHECK(d["estate"] == 3e9);
  CHECK(d["claims"] == 10e9);
  CHECK(d["recovered"] == 3e9);
  CHECK(d["recovery_rate"] == Approx(0.3));
  CHECK(d["surplus"] == 0.0);
  CHECK(d["claimants"][0]["party"] == "Cloud");
  CHECK(d["claimants"][0]["deal"] == "compute");
  CHECK(d["claimants"][1]["party"] == "World");
  CHECK(d["claimants"][1]["deal"].is_null());
  CHECK(j["parties"]["Lab"]["recovery_rate"] == Approx(0.3));
  CHECK(j["parties"]["Cloud"]["recovery_rate"].is_null());

  CHECK(report::claims_csv(rs, model()) ==
        "scenario,party,date,estate,creditor,deal,priority,claim,recovered\n"
        "base,Lab,2025-04-01,3000000000,Cloud,compute,1,6000000000,1800000000\n"
        "base,Lab,2025-04-01,3000000000,World,,1,4000000000,1200000000\n");
  CHECK_THAT(report::parties_csv(rs), Catch::Contains(",0.29999999999999999\n"));

  std::string page = report::html_report({model(), r, "web.deal", ""});
  CHECK_THAT(page, Catch::Contains("Lab's estate of $3B paid 30%"));
  CHECK_THAT(page, Catch::Contains("<table class=\"claims\">"));
}

TEST_CASE("an empty estate and a surplus are said plainly", "[report]") {
  rt::RunResult r = result();
  rt::Resolution& res = r.defaults[0].resolution;
  res.done = true;
  res.claims = 5e9;
  res.claimants = {{2, 0, 1, 5e9, 0}};
  CHECK_THAT(report::table_text(r, model(), false),
             Catch::Contains("Lab's estate was empty: its creditors recovered nothing of $5B of claims (Cloud $5B)."));
  res.claims = 0;
  res.claimants.clear();
  res.estate = res.surplus = 2e9;
  res.surplus_to_holders = 1.5e9;
  CHECK_THAT(report::table_text(r, model(), false),
             Catch::Contains("Lab's estate of $2B had no claims against it. Its surplus of $2B went to the holders of "
                             "its stakes ($1.5B) and World ($500M)."));
}

TEST_CASE("the deal web's parties and deals carry ids, classes and readable tooltips", "[report]") {
  rt::Model m = model();
  rt::RunResult r = result();
  std::string dot = report::deal_graph_dot(m, r, &r, "web");
  // The page's script finds a party's deals by these classes, and shows these tooltips.
  CHECK_THAT(dot, Catch::Contains("p1 [id=\"party-1\", class=\"party kind-lab defaulted\""));
  CHECK_THAT(dot, Catch::Contains("class=\"deal from-p1 to-p2\""));
  CHECK_THAT(dot, Catch::Contains("tooltip=\"compute (commitment)\\nLab pays Cloud: $10B scheduled"));
  CHECK_THAT(dot, Catch::Contains("DEFAULTED 2025Q2: Lab defaulted on 2025-04-01: owed $10B, paid $4B"));
  // The fallback drawing (no Graphviz) has the same hooks.
  std::string page = report::html_report({m, r, "web.deal", ""});
  CHECK_THAT(page, Catch::Contains("<g id=\"party-1\" class=\"node party defaulted\" data-tip=\"Lab (lab)"));
  CHECK_THAT(page, Catch::Contains("class=\"edge deal from-p1 to-p2\""));
  CHECK_THAT(page, Catch::Contains("compute (commitment): $10B"));
}

TEST_CASE("party kinds beyond the built-in five get distinct shapes", "[report]") {
  rt::Model m = model();
  m.parties = {{"World", "", -1},   {"A", "lab", 0},  {"B", "bank", 1},
               {"C", "utility", 2}, {"D", "bank", 3}, {"E", "", 4}};
  auto styles = report::party_kind_styles(m);
  REQUIRE(styles.size() == 4);  // lab, bank, utility, no kind
  CHECK(std::string(styles[0].shape) == "ellipse");
  CHECK(styles[1].kind == "bank");
  CHECK(styles[2].kind == "utility");
  CHECK(std::string(styles[1].shape) != std::string(styles[2].shape));
  CHECK(std::string(styles[1].fill) != std::string(styles[2].fill));
  for (const auto& s : styles) CHECK(std::string(s.shape) != "box");  // hyperscaler's
  // Past ten new kinds, shapes repeat with a dashed outline.
  for (int k = 0; k < 11; ++k) m.parties.push_back({"X" + std::to_string(k), "kind" + std::to_string(k), 5 + k});
  styles = report::party_kind_styles(m);
  auto style_of = [&](const std::string& kind) {
    return *std::find_if(styles.begin(), styles.end(), [&](const auto& s) { return s.kind == kind; });
  };
  CHECK(!style_of("kind7").dashed);  // bank, utility, kind0 … kind7: the ten shapes
  CHECK(style_of("kind8").dashed);
  CHECK(std::string(style_of("kind8").shape) == std::string(style_of("bank").shape));
}

TEST_CASE("Monte Carlo pages: default probabilities with confidence intervals, losses, recoveries", "[report]") {
  auto ci = report::wilson_interval(0.1, 1000);
  CHECK(ci.lo == Approx(0.0829).epsilon(0.002));
  CHECK(ci.hi == Approx(0.1202).epsilon(0.002));
  CHECK(report::wilson_interval(0, 100).lo == 0);
  CHECK(report::wilson_interval(1, 100).hi == 1);

  rt::RunResult r = result();
  r.paths = 1000;
  r.parties[0].default_probability = 0.1;
  r.parties[0].recovery_rate = 0.4;
  r.parties[0].loss = {2e9, -1e9, 0.5e9, 1.5e9, 3e9, 6e9, 1000};
  r.parties[1].default_probability = 0;
  r.events.clear();
  r.defaults.clear();
  std::string page = report::html_report({model(), r, "web.deal", ""});
  CHECK_THAT(page, Catch::Contains("id=\"mc-pd\""));
  CHECK_THAT(page, Catch::Contains("P(default) 10.0% (95% CI 8.3% – 12.0%) over 1000 paths"));
  CHECK_THAT(page, Catch::Contains("id=\"mc-loss\""));
  CHECK_THAT(page, Catch::Contains("5–95%: -$1B to $6B"));
  CHECK_THAT(page, Catch::Contains("id=\"mc-recovery\""));
  CHECK_THAT(page, Catch::Contains("creditors recover 40.0% on average over the 100 paths"));
  // Nobody defaults: the charts say so rather than drawing empty axes.
  r.parties[0].default_probability = 0;
  CHECK(report::default_probability_chart_svg(r).empty());
  CHECK_THAT(report::html_report({model(), r, "web.deal", ""}), Catch::Contains("No party defaulted on any path."));
}
