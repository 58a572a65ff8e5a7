// Shocks (their `set`s, clauses and deals) and scenarios: `extends` chains, applied
// shocks, param overrides and draws, horizon, paths, seed, clearing settings, tracks.
#include "compiler/check/checker.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

namespace deal::check {

void Checker::check_shocks() {
  for (size_t si = 0; si < shock_decls_.size(); ++si) {
    const ast::ShockDecl* s = shock_decls_[si];
    HShock& hs = prog_.shocks[si];
    hs.name = s->name;
    hs.span = s->name_span;
    for (const ast::ShockItem& it : s->items) {
      Ctx ctx;
      ctx.where = Ctx::Block;
      ctx.shock = int(si);
      int locals = 0;
      ctx.local_count = &locals;
      switch (it.kind) {
        case ast::ShockItemKind::Set:
          if (it.set) {
            if (auto st = stmt(*it.set, ctx)) hs.sets.push_back(std::move(*st));
          }
          break;
        case ast::ShockItemKind::Clause:
          if (it.clause.kind != ast::ClauseKind::At && it.clause.kind != ast::ClauseKind::When) {
            diags_.error(it.clause.span, "a shock's clauses are `at DATE { … }` and `when COND { … }`");
            break;
          }
          hs.clauses.push_back(clause(it.clause, ctx));
          if (it.clause.kind == ast::ClauseKind::When)
            hs.clauses.back().fired_slot = new_slot(fmt::format("{}.when@{}", s->name, it.clause.span.line));
          break;
        case ast::ShockItemKind::Deal:
          if (it.deal) {
            auto g = globals_.find(it.deal->name);
            if (g != globals_.end() && g->second.kind == Global::Deal &&
                deal_info_[g->second.index].decl == it.deal.get())
              hs.deals.push_back(g->second.index);
          }
          break;
      }
    }
  }
}

void Checker::check_scenarios() {
  // Resolve `extends` chains, parents first; a cycle is an error.
  std::vector<Resolve> status(scenario_decls_.size(), Resolve::Todo);
  std::function<void(int)> build = [&](int i) {
    if (status[i] == Resolve::Done) return;
    const ast::ScenarioDecl* s = scenario_decls_[i];
    HScenario& h = prog_.scenarios[i];
    if (status[i] == Resolve::Doing) {
      diags_.error(s->extends_span, fmt::format("scenario '{}' extends itself (through a cycle)", s->name));
      return;
    }
    status[i] = Resolve::Doing;
    h.name = s->name;
    h.span = s->name_span;
    if (!s->extends.empty()) {
      auto g = globals_.find(s->extends);
      if (g == globals_.end() || g->second.kind != Global::Scenario) {
        std::vector<std::string> names;
        for (auto* sd : scenario_decls_) names.push_back(sd->name);
        std::string sug = suggest(s->extends, names);
        diags_
            .error(s->extends_span, fmt::format("unknown scenario '{}'{}", s->extends,
                                                sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)))
            .with_id(codes::kUnknownName);
      } else {
        build(g->second.index);
        HScenario parent = prog_.scenarios[g->second.index];
        parent.name = h.name;
        parent.span = h.span;
        h = std::move(parent);
      }
    }
    for (const ast::ScenarioItem& it : s->items) {
      Ctx ctx;
      ctx.where = Ctx::ParamInit;
      auto int_const = [&](const ast::ExprPtr& e, const char* what, double lo) -> std::optional<double> {
        HExpr v = expr(*e, ctx);
        auto c = const_value(v);
        if (v.type.is_error()) return std::nullopt;
        // 2^53: the run's cap on paths, and the largest whole number a literal holds exactly.
        constexpr double kMax = 9007199254740992.0;
        if (!c || !(v.type == Type::num()) || *c != std::floor(*c) || *c < lo || *c > kMax) {
          diags_.error(e->span, fmt::format("{} must be a whole number from {} to 2^53 (9007199254740992)", what,
                                            lo > 0 ? 1 : 0));
          return std::nullopt;
        }
        return c;
      };
      switch (it.kind) {
        case ast::ScenarioItemKind::Apply:
          for (size_t k = 0; k < it.names.size(); ++k) {
            auto g = globals_.find(it.names[k]);
            if (g == globals_.end() || g->second.kind != Global::Shock) {
              std::vector<std::string> names;
              for (auto* sd : shock_decls_) names.push_back(sd->name);
              std::string sug = suggest(it.names[k], names);
              diags_
                  .error(it.name_spans[k], fmt::format("unknown shock '{}'{}", it.names[k],
                                                       sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)))
                  .with_id(codes::kUnknownName);
              continue;
            }
            if (std::find(h.shocks.begin(), h.shocks.end(), g->second.index) != h.shocks.end()) {
              diags_.error(it.name_spans[k],
                           fmt::format("shock '{}' is already applied in this scenario", it.names[k]));
              continue;
            }
            h.shocks.push_back(g->second.index);
          }
          break;
        case ast::ScenarioItemKind::Param: {
          auto g = globals_.find(it.param);
          if (g == globals_.end() || g->second.kind != Global::Param) {
            std::vector<std::string> names;
            for (auto* pd : param_decls_) names.push_back(pd->name);
            std::string sug = suggest(it.param, names);
            diags_
                .error(it.param_span, fmt::format("unknown param '{}'{}", it.param,
                                                  sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)))
                .with_id(codes::kUnknownName);
            break;
          }
          int pi = g->second.index;
          const Type& want = prog_.params[pi].type;
          HScenario::Override ov;
          ov.param = pi;
          ov.span = it.span;
          if (it.value) {
            HExpr v = expr(*it.value, ctx);
            if (!v.type.is_error() && !want.is_error() && !(v.type == want)) {
              Diagnostic& e = diags_.error(it.value->span, fmt::format("param '{}' is {}, but this value is {}",
                                                                       it.param, type_str(want), type_str(v.type)));
              e.with_id(codes::kDimensions);
              if (auto help = bare_number_help(want, v.type, *it.value); !help.empty())
                e.with_id(codes::kBareNumber).help = help;
            }
            ov.value = std::move(v);
          } else if (it.dist) {
            HDistribution hd;
            hd.name = it.dist->name;
            hd.span = it.dist->span;
            for (const ast::ExprPtr& a : it.dist->args) hd.args.push_back(expr(*a, ctx));
            auto bad = [&](const std::string& msg) { diags_.error(it.dist->span, msg); };
            auto all_same = [&](size_t from, size_t to) {
              for (size_t k = from + 1; k < to && k < hd.args.size(); ++k)
                if (!hd.args[k].type.is_error() && !hd.args[from].type.is_error() &&
                    !(hd.args[k].type == hd.args[from].type))
                  return false;
              return true;
            };
            Type result = Type::error();
            size_t n = hd.args.size();
            bool any_error =
                std::any_of(hd.args.begin(), hd.args.end(), [](const HExpr& a) { return a.type.is_error(); });
            if (hd.name == "normal" || hd.name == "uniform" || hd.name == "triangular") {
              size_t want_n = hd.name == "triangular" ? 3 : 2;
              if (n != want_n) bad(fmt::format("{}() takes {} arguments", hd.name, want_n));
              else if (!all_same(0, n)) bad(fmt::format("the arguments of {}() must have the same dimension", hd.name));
              else if (!hd.args[0].type.is_num()) bad(fmt::format("{}() draws numbers", hd.name));
              else result = hd.args[0].type;
            } else if (hd.name == "lognormal") {
              if (n != 2 && n != 3)
                bad("lognormal() takes 2 or 3 arguments: mu, sigma (of the log) and an optional scale");
              else if (!any_error && (!(hd.args[0].type == Type::num()) || !(hd.args[1].type == Type::num())))
                bad("lognormal()'s mu and sigma are plain numbers (of the log); give a third argument to scale the "
                    "result");
              else result = n == 3 ? hd.args[2].type : Type::num();
            } else if (hd.name == "bernoulli") {
              if (n != 1) bad("bernoulli() takes one argument, the probability");
              else if (!any_error && !(hd.args[0].type == Type::num())) bad("bernoulli()'s probability is a Number");
              else result = Type::boolean();
            } else if (hd.name == "choice") {
              if (n < 1) bad("choice() needs at least one value");
              else if (!all_same(0, n)) bad("the values of choice() must have the same type");
              else result = hd.args[0].type;
            } else {
              bad(fmt::format("unknown distribution '{}' (normal, lognormal, uniform, triangular, bernoulli, choice)",
                              hd.name));
            }
            if (any_error) result = Type::error();
            if (!result.is_error() && !want.is_error() && !(result == want))
              diags_.error(it.dist->span, fmt::format("param '{}' is {}, but {}() draws {}", it.param, type_str(want),
                                                      hd.name, type_str(result)));
            ov.dist = std::move(hd);
          }
          h.overrides.push_back(std::move(ov));
          break;
        }
        case ast::ScenarioItemKind::Horizon: {
          HExpr v = expr(*it.value, ctx);
          auto c = const_value(v);
          if (v.type.is_error()) break;
          if (v.type.kind != Kind::Date || !c) {
            diags_.error(it.value->span, "horizon must be a date, e.g. `horizon 2028Q4`");
            break;
          }
          double start = date_to_months(prog_.calendar.from), end = date_to_months(prog_.calendar.to);
          if (!date_representable(*c)) {
            diags_.error(it.value->span, "the horizon must be a date in the years 1..9999");
            break;
          }
          if (*c < start || *c > end + 12) diags_.error(it.value->span, "the horizon must fall within the calendar");
          h.horizon = *c;
          break;
        }
        case ast::ScenarioItemKind::Paths:
          if (auto c = int_const(it.value, "paths", 1)) h.paths = (long long)*c;
          break;
        case ast::ScenarioItemKind::Seed:
          if (auto c = int_const(it.value, "seed", 0)) h.seed = (unsigned long long)*c;
          break;
        case ast::ScenarioItemKind::Clearing:
          for (size_t k = 0; k < it.settings.size(); ++k) {
            const auto& [name, e] = it.settings[k];
            HExpr v = expr(*e, ctx);
            auto c = const_value(v);
            if (v.type.is_error()) continue;
            if (name != "alpha" && name != "beta") {
              diags_.error(it.setting_spans[k], fmt::format("unknown clearing setting '{}' (alpha, beta)", name));
              continue;
            }
            // Written so that NaN (`0/0`) fails too: every comparison with it is false.
            if (!c || !(v.type == Type::num()) || !(*c >= 0 && *c <= 1)) {
              std::string got = !(v.type == Type::num()) ? fmt::format(", not {}", type_str(v.type))
                                : !c                     ? " (a constant: it cannot depend on params or states)"
                                : std::isnan(*c)         ? ", not NaN (0/0)"
                                                         : fmt::format(", not {}", *c);
              diags_.error(e->span, fmt::format("{} must be a number between 0% and 100%{}", name, got));
              continue;
            }
            (name == "alpha" ? h.alpha : h.beta) = *c;
          }
          break;
        case ast::ScenarioItemKind::Track:
          for (const ast::TrackItem& t : it.tracks) {
            Ctx tctx;
            tctx.where = Ctx::Track;
            HExpr v = expr(*t.expr, tctx);
            if (!check_trackable(v, t.expr->span)) continue;
            std::string label = t.label.empty() ? t.source_text : t.label;
            auto same =
                std::find_if(h.tracks.begin(), h.tracks.end(), [&](const HTrack& x) { return x.label == label; });
            if (same != h.tracks.end()) {
              same->expr = std::move(v);  // a later `track` of the same series wins (extends)
              continue;
            }
            h.tracks.push_back({label, std::move(v)});
          }
          break;
      }
    }
    status[i] = Resolve::Done;
  };
  for (size_t i = 0; i < scenario_decls_.size(); ++i) build(int(i));
  if (scenario_decls_.empty()) {
    HScenario h;
    h.name = "default";
    h.implicit = true;
    prog_.scenarios.push_back(h);
  }
}

}  // namespace deal::check
