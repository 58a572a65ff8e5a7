#include "compiler/jit/model.hpp"

#include <fmt/format.h>

#include "compiler/diagnostics.hpp"

namespace deal::jit {

namespace {

rt::Date to_date(const check::CalendarDate& d) { return rt::Date::ymd(d.year, d.month, d.day); }

std::string unit_of(const check::Type& t, const check::UnitNames& units) {
  if (t.kind != check::Kind::Num || t.dim.dimensionless()) return "";
  return check::dim_symbol(t.dim, units);
}

std::string location(const SourceManager& sm, Span s) {
  if (!s.valid() || s.file == 0 || s.file > sm.size()) return "<unknown>";
  return fmt::format("{}:{}:{}", sm.file(s.file).path, s.line, s.col);
}

// A run-time error's place: its location, and the source line with gutter and caret as
// a compile error shows them (the diagnostic renderer's lines after the first).
rt::SiteInfo site_info(const SourceManager& sm, const std::string& name, Span span) {
  rt::SiteInfo info{name, location(sm, span), ""};
  if (span.valid() && span.file != 0 && span.file <= sm.size()) {
    Diagnostic d;
    d.span = span;
    std::string text = render(sm, d);
    size_t nl = text.find('\n');
    if (nl != std::string::npos) info.snippet = text.substr(nl + 1);
    while (!info.snippet.empty() && info.snippet.back() == '\n') info.snippet.pop_back();
  }
  return info;
}

}  // namespace

rt::SiteInfo site_info(const SourceManager& sm, const codegen::Site& site) {
  return site_info(sm, site.name, site.span);
}

rt::ModelTrack model_track(const std::string& label, const check::Type& type, const check::UnitNames& units) {
  return {label, value_kind(type), unit_of(type, units), -1};
}

rt::ValueKind value_kind(const check::Type& t) {
  switch (t.kind) {
    case check::Kind::Bool:
      return rt::ValueKind::Bool;
    case check::Kind::Date:
      return rt::ValueKind::Date;
    case check::Kind::Party:
      return rt::ValueKind::Party;
    case check::Kind::Deal:
      return rt::ValueKind::Deal;
    case check::Kind::String:
      return rt::ValueKind::String;
    default:
      return rt::ValueKind::Number;
  }
}

rt::Date date_of_months(double months) { return rt::from_ticks(months * double(rt::kTicksPerMonth)); }

rt::Model build_model(const check::Program& p, const CompiledProgram& c, const SourceManager& sm) {
  rt::Model m;
  m.first = to_date(p.calendar.from);
  m.last = to_date(p.calendar.to);
  m.step = p.calendar.step == check::Period::Month  ? rt::StepUnit::Month
           : p.calendar.step == check::Period::Year ? rt::StepUnit::Year
                                                    : rt::StepUnit::Quarter;
  m.slot_count = p.slot_count;
  m.slot_names = p.slot_names;
  for (const auto& party : p.parties) m.parties.push_back({party.name, party.kind, party.base});
  for (const auto& deal : p.deals) m.deals.push_back({deal.name, deal.contract, deal.base, deal.shock, deal.parties});
  for (const auto& param : p.params) m.params.push_back({param.name, param.slot});
  for (size_t s = 0; s < p.shocks.size(); ++s)
    m.shocks.push_back({p.shocks[s].name, c.shock_at(int(s)), c.shock_deals(int(s)), c.shock_deal_triggers(int(s)),
                        c.shock_triggers(int(s))});
  // Codegen's sites first (generated code refers to them by index), then the tracks'.
  for (const auto& st : c.sites()) m.sites.push_back(site_info(sm, st.name, st.span));
  for (size_t k = 0; k < p.scenarios.size(); ++k) {
    const check::HScenario& h = p.scenarios[k];
    rt::ModelScenario s;
    s.name = h.name;
    s.shocks = h.shocks;
    if (h.horizon) s.horizon = date_of_months(*h.horizon);
    s.paths = h.paths;
    s.seed = h.seed;
    s.alpha = h.alpha;
    s.beta = h.beta;
    for (const auto& t : h.tracks) {
      m.sites.push_back(site_info(sm, "", t.expr.span));
      s.tracks.push_back({t.label, value_kind(t.expr.type), unit_of(t.expr.type, p.units), int(m.sites.size() - 1)});
    }
    s.init = c.init(int(k));
    s.track = c.track(int(k));
    m.scenarios.push_back(std::move(s));
  }
  for (const auto& e : c.emits()) {
    rt::EmitInfo info;
    info.pieces = e.pieces;
    for (const auto& t : e.types) {
      info.kinds.push_back(value_kind(t));
      info.units.push_back(unit_of(t, p.units));
    }
    m.sites.push_back(site_info(sm, "", e.span));
    info.site = int(m.sites.size() - 1);
    m.emits.push_back(std::move(info));
  }
  for (const auto& f : p.fns) m.extern_fns.push_back(f.is_extern ? f.name : "");
  m.parties_step = c.parties_step();
  m.deals_step = c.deals_step();
  m.deal_triggers = c.deal_triggers();
  m.on_default = c.on_default();
  m.values = c.values();
  m.liquidations = c.liquidations();
  m.pair_flows = p.calls(check::Builtin::RevenueFrom);
  return m;
}

void rebind(rt::Model& m, const CompiledProgram& c) {
  for (size_t s = 0; s < m.shocks.size(); ++s) {
    m.shocks[s].at = c.shock_at(int(s));
    m.shocks[s].deals = c.shock_deals(int(s));
    m.shocks[s].deal_triggers = c.shock_deal_triggers(int(s));
    m.shocks[s].triggers = c.shock_triggers(int(s));
  }
  for (size_t k = 0; k < m.scenarios.size(); ++k) {
    m.scenarios[k].init = c.init(int(k));
    m.scenarios[k].track = c.track(int(k));
  }
  m.parties_step = c.parties_step();
  m.deals_step = c.deals_step();
  m.deal_triggers = c.deal_triggers();
  m.on_default = c.on_default();
  m.values = c.values();
  m.liquidations = c.liquidations();
}

}  // namespace deal::jit
