// The tidy CSV files of a run: tracked series (long form), parties, ledger rows.
#include <fmt/format.h>

#include "report/format.hpp"
#include "report/report.hpp"

namespace deal::report {

std::string series_csv(const std::vector<rt::RunResult>& rs, rt::StepUnit step) {
  // One row per (scenario, series, statistic, step). A tracked value is the value at the
  // end of its step, so `date` is the step's end (what joins with period-end figures)
  // and `start` its start; Bool series are 0/1 and Date series month numbers, as in the
  // §7.1 arrays' encoding (format_date reads them).
  std::string out = "scenario,series,stat,step,start,date,value,unit\n";
  for (const auto& r : rs) {
    auto step_end = [&](size_t k) {
      return k + 1 < r.dates.size() ? r.dates[k + 1] : rt::add_months(r.dates[k], rt::months_per_step(step));
    };
    for (const auto& s : r.series) {
      auto emit = [&](const char* stat, const std::vector<double>& v) {
        for (size_t k = 0; k < v.size() && k < r.dates.size(); ++k)
          out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(r.scenario), csv_field(s.label), stat, k,
                             rt::format_date(r.dates[k]), rt::format_date(step_end(k)), csv_number(v[k]),
                             csv_field(s.unit));
      };
      if (r.paths == 1) {
        emit("value", s.values);
      } else {
        emit("mean", s.mean);
        emit("p5", s.p5);
        emit("p25", s.p25);
        emit("p50", s.p50);
        emit("p75", s.p75);
        emit("p95", s.p95);
      }
    }
  }
  return out;
}

std::string parties_csv(const std::vector<rt::RunResult>& rs) {
  std::string out =
      "scenario,party,kind,paths,cash,debt,equity,default_probability,default_date,equity_start,"
      "loss_mean,loss_p5,loss_p25,loss_p50,loss_p75,loss_p95,recovery_rate\n";
  for (const auto& r : rs)
    for (const auto& p : r.parties)
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.scenario, p.name, p.kind, r.paths,
          csv_number(p.cash), csv_number(p.debt), csv_number(p.equity), csv_number(p.default_probability),
          p.mean_default_date ? rt::format_date(*p.mean_default_date) : "", csv_number(p.equity_start),
          csv_number(p.loss.mean), csv_number(p.loss.p5), csv_number(p.loss.p25), csv_number(p.loss.p50),
          csv_number(p.loss.p75), csv_number(p.loss.p95), p.recovery_rate ? csv_number(*p.recovery_rate) : "");
  return out;
}

std::string claims_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m) {
  std::string out = "scenario,party,date,estate,creditor,deal,priority,claim,recovered\n";
  for (const auto& r : rs)
    for (const auto& e : r.defaults)
      for (const auto& c : e.resolution.claimants)
        out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(r.scenario),
                           csv_field(m.parties.at(size_t(e.party)).name), rt::format_date(e.date),
                           csv_number(e.resolution.estate), csv_field(m.parties.at(size_t(c.party)).name),
                           c.deal >= 0 ? csv_field(m.deals.at(size_t(c.deal)).name) : "", c.priority,
                           csv_number(c.claim), csv_number(c.recovered));
  return out;
}

std::string ledger_csv(const std::vector<rt::RunResult>& rs, const rt::Model& m) {
  std::string out = "scenario,step,date,deal,from,to,priority,kind,due,paid\n";
  auto name = [&](int rt_index) {
    return rt_index == rt::kWorld ? std::string("World") : m.parties.at(size_t(rt_index + 1)).name;
  };
  for (const auto& r : rs)
    for (const auto& row : r.ledger_rows)
      out += fmt::format("{},{},{},{},{},{},{},{},{:.17g},{:.17g}\n", r.scenario, row.step,
                         row.step < int(r.dates.size()) ? rt::format_date(r.dates[size_t(row.step)]) : "",
                         row.deal >= 0 ? m.deals.at(size_t(row.deal)).name : "", name(row.from), name(row.to),
                         row.priority, rt::to_string(row.kind), row.due, row.paid);
  return out;
}

}  // namespace deal::report
