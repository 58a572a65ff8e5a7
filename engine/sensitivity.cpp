#include "engine/sensitivity.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/evaluate.hpp"
#include "engine/frontend_lock.hpp"
#include "runtime/parallel.hpp"
#include "runtime/serialize.hpp"

namespace deal::engine {

namespace {

// A metric resolved against the model: what it reads from a run.
struct MetricRead {
  enum class What { Default, Equity, Series } what = What::Default;
  int index = 0;  // party (in RunResult::parties) or series (in RunResult::series)
};

double read(const MetricRead& m, const rt::RunResult& r) {
  switch (m.what) {
    case MetricRead::What::Default: {
      const rt::PartyOutcome& p = r.parties.at(size_t(m.index));
      return r.paths == 1 ? (p.defaulted ? 1.0 : 0.0) : p.default_probability;
    }
    case MetricRead::What::Equity:
      return r.parties.at(size_t(m.index)).equity;
    case MetricRead::What::Series: {
      const rt::SeriesOutcome& s = r.series.at(size_t(m.index));
      const std::vector<double>& v = r.paths == 1 ? s.values : s.mean;
      return v.empty() ? std::numeric_limits<double>::quiet_NaN() : v.back();
    }
  }
  return 0;
}

std::string choices(const std::vector<std::string>& names) {
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

void add_metrics(const rt::Model& model, int scenario, bool single, const std::string& spec,
                 std::vector<report::SensitivityMetric>& metrics, std::vector<MetricRead>& reads) {
  std::vector<std::string> parties, series;
  for (size_t i = 1; i < model.parties.size(); ++i) parties.push_back(model.parties[i].name);
  const rt::ModelScenario& sc = model.scenarios.at(size_t(scenario));
  for (const auto& t : sc.tracks) series.push_back(t.label);
  auto add_party = [&](MetricRead::What what, size_t i) {
    const std::string& name = parties[i];
    if (what == MetricRead::What::Default)
      metrics.push_back({"default:" + name, (single ? "default of " : "P(default) of ") + name, "", true, single, 0});
    else metrics.push_back({"equity:" + name, "final equity of " + name, "$", false, false, 0});
    reads.push_back({what, int(i)});
  };
  auto add_series = [&](size_t i) {
    metrics.push_back({"series:" + series[i], "last value of " + series[i], sc.tracks[i].unit, false, false, 0});
    reads.push_back({MetricRead::What::Series, int(i)});
  };
  std::string kind = spec, name;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    kind = spec.substr(0, colon);
    name = spec.substr(colon + 1);
  }
  auto party_index = [&]() -> size_t {
    auto it = std::find(parties.begin(), parties.end(), name);
    if (it == parties.end())
      throw SensitivityError(
          fmt::format("--metric {}: no party named '{}'; the program has: {}", spec, name, choices(parties)));
    return size_t(it - parties.begin());
  };
  if ((kind == "defaults" || kind == "equity" || kind == "series") && name.empty()) {
    if (kind == "series") {
      for (size_t i = 0; i < series.size(); ++i) add_series(i);
    } else {
      for (size_t i = 0; i < parties.size(); ++i)
        add_party(kind == "defaults" ? MetricRead::What::Default : MetricRead::What::Equity, i);
    }
  } else if (kind == "default" && !name.empty()) {
    add_party(MetricRead::What::Default, party_index());
  } else if (kind == "equity" && !name.empty()) {
    add_party(MetricRead::What::Equity, party_index());
  } else if (kind == "series" && !name.empty()) {
    auto it = std::find(series.begin(), series.end(), name);
    if (it == series.end())
      throw SensitivityError(fmt::format("--metric {}: scenario '{}' tracks no series '{}'; it tracks: {}", spec,
                                         sc.name, name, choices(series)));
    add_series(size_t(it - series.begin()));
  } else {
    throw SensitivityError(fmt::format(
        "--metric {}: expected defaults, default:PARTY, equity, equity:PARTY, series or series:LABEL", spec));
  }
}

// Each param's value in the base run, and whether it is drawn per path (read on a few
// Monte Carlo paths: a value that differs between them is drawn).
struct BaseValue {
  double value = 0;
  bool drawn = false;
};

std::vector<BaseValue> base_values(const Compiled& program, int scenario, const std::vector<int>& params,
                                   const rt::RunOptions& options, bool single) {
  const check::Program& p = program.program();
  Checked c;
  c.sm = program.checked().sm;
  std::vector<std::pair<std::string, check::HExpr>> tracks;
  for (int i : params) {
    const std::string& name = p.params[size_t(i)].name;
    std::optional<check::CheckedExpr> e;
    {
      std::lock_guard<std::mutex> lock(frontend_mutex());
      e = check::check_expression(p, "<sensitivity>", name, c.sm, c.diags);
    }
    if (!e)
      throw SensitivityError(fmt::format("param '{}' cannot be read: {}", name, render_all(c.sm, c.diags, false)));
    tracks.emplace_back(name, std::move(e->expr));
  }
  std::vector<BaseValue> out(params.size());
  if (tracks.empty()) return out;
  Problem problem;
  // Every rank of a distributed run reads the values itself: they decide which runs follow.
  rt::RunOptions alone = options;
  alone.distribution = nullptr;
  auto r =
      run_as_track(program, program.model().scenarios.at(size_t(scenario)), tracks, alone, problem, single ? 1 : 16);
  if (!r) throw rt::RunError(problem.text);
  for (size_t i = 0; i < params.size(); ++i) {
    const rt::SeriesOutcome& s = r->series.at(i);
    if (single) out[i].value = s.values.at(0);
    else {
      out[i].value = s.mean.at(0);
      out[i].drawn = s.p5.at(0) != s.p95.at(0);
    }
  }
  return out;
}

// Whether a plain-number param is declared as a percentage (`param chip_share = 64%`):
// then the reports show it as one (64%, not 0.64).
bool written_as_percent(const Compiled& program, const check::HParam& param) {
  const Span& span = param.init.span;
  if (!span.valid() || span.end_line != span.line || span.end_col <= span.col) return false;
  std::string_view line = program.checked().sm.line_text(span.file, span.line);
  if (span.end_col - 1 > line.size()) return false;
  std::string_view text = line.substr(span.col - 1, span.end_col - span.col);
  return !text.empty() && text.back() == '%';
}

}  // namespace

std::optional<report::BumpRule> bump_rule(const check::Type& type, const check::UnitNames& units) {
  if (type.kind == check::Kind::Bool) return report::BumpRule::Flip;
  if (!type.is_num()) return std::nullopt;
  if (check::dim_symbol(type.dim, units) == "1/y") return report::BumpRule::Absolute;
  return report::BumpRule::Relative;
}

Bumped bump_values(report::BumpRule rule, double base, double relative, double absolute) {
  switch (rule) {
    case report::BumpRule::Flip:
      return {base != 0 ? 0.0 : 1.0, base != 0 ? 0.0 : 1.0};
    case report::BumpRule::Absolute:
      return {base - absolute, base + absolute};
    case report::BumpRule::Relative:
      return {base * (1 - relative), base * (1 + relative)};
  }
  return {base, base};
}

std::optional<report::FlipThreshold::Bracket> find_flip(const std::function<bool(double)>& flips, double base,
                                                        const FlipSearch& search, long long* calls) {
  if (!(search.step > 0)) return std::nullopt;
  auto call = [&](double x) {
    if (calls) ++*calls;
    return flips(x);
  };
  double inside = base, outside = base;
  bool found = false;
  for (int i = 0; i <= search.max_doublings && !found; ++i) {
    double x = base + search.direction * search.step * std::ldexp(1.0, i);
    bool at_floor = false;
    if (search.floor && (search.direction < 0 ? x <= *search.floor : x >= *search.floor)) {
      x = *search.floor;
      at_floor = true;
    }
    if (call(x)) {
      outside = x;
      found = true;
    } else {
      inside = x;
      if (at_floor) break;
    }
  }
  if (!found) return std::nullopt;
  for (int i = 0; i < search.max_bisections && std::fabs(outside - inside) > search.tolerance; ++i) {
    double mid = inside + (outside - inside) / 2;
    if (call(mid)) outside = mid;
    else inside = mid;
  }
  return report::FlipThreshold::Bracket{std::min(inside, outside), std::max(inside, outside)};
}

namespace {

// Runs job(0) … job(count − 1), split over the ranks of `dist` (job k on rank k mod ranks,
// each rank's on `threads` threads); then rank 0 gets every job's output — write(k, out)
// where it ran, read(k, in) on rank 0 — and, with `to_all`, so does every rank. Without a
// distribution it is parallel_for.
template <class Job, class Write, class Read>
void distributed_for(rt::Distribution* dist, size_t count, int threads, const Job& job, const Write& write,
                     const Read& read, bool to_all) {
  if (!dist || dist->ranks() == 1) return rt::parallel_for(count, threads, job);
  const size_t ranks = size_t(dist->ranks()), me = size_t(dist->rank());
  std::vector<size_t> mine;
  for (size_t k = me; k < count; k += ranks) mine.push_back(k);
  rt::parallel_for(mine.size(), threads, [&](size_t i) { job(mine[i]); });
  std::vector<std::uint8_t> bytes;
  for (size_t k : mine) write(k, bytes);
  dist->gather(bytes, [&](int from, std::span<const std::uint8_t> b) {
    if (from == 0) return;
    rt::ByteReader in(b.data(), b.size());
    for (size_t k = size_t(from); k < count; k += ranks) read(k, in);
    DEAL_REQUIRE(in.done(), "a rank's sensitivity runs have trailing bytes");
  });
  if (!to_all) return;
  std::vector<std::uint8_t> all;
  if (me == 0)
    for (size_t k = 0; k < count; ++k) write(k, all);
  dist->broadcast(all);
  if (me == 0) return;
  rt::ByteReader in(all.data(), all.size());
  for (size_t k = 0; k < count; ++k) read(k, in);
}

void write_text(const std::string& text, std::vector<std::uint8_t>& out) {
  rt::ByteWriter(out).put_span<char>(std::span<const char>(text.data(), text.size()));
}
std::string read_text(rt::ByteReader& in) {
  std::vector<char> v = in.get_vector<char>();
  return std::string(v.begin(), v.end());
}
void write_bracket(const std::optional<report::FlipThreshold::Bracket>& b, std::vector<std::uint8_t>& out) {
  rt::ByteWriter w(out);
  w.put<std::uint8_t>(b ? 1 : 0);
  if (b) {
    w.put(b->low);
    w.put(b->high);
  }
}
std::optional<report::FlipThreshold::Bracket> read_bracket(rt::ByteReader& in) {
  if (!in.get<std::uint8_t>()) return std::nullopt;
  report::FlipThreshold::Bracket b;
  b.low = in.get<double>();
  b.high = in.get<double>();
  return b;
}

}  // namespace

report::Sensitivity sensitivity(const Compiled& program, const SensitivityRequest& request) {
  const check::Program& p = program.program();
  const rt::Model& model = program.model();
  const rt::ModelScenario& sc = model.scenarios.at(size_t(request.scenario));
  report::Sensitivity out;
  out.scenario = sc.name;
  out.bump = request.bump;
  out.rate_bump = request.rate_bump;
  rt::RunOptions base_options = request.options;
  base_options.keep_ledger_rows = false;
  out.paths = base_options.paths.value_or(sc.paths);
  out.seed = base_options.seed.value_or(sc.seed);
  base_options.seed = out.seed;  // the same seed in every run: common random numbers
  bool single = out.paths == 1;
  // Over several processes (RunOptions::distribution): a Monte Carlo scenario's runs split
  // their paths over the ranks, one run after another; a single-path scenario's runs are
  // shared out whole (each rank runs its own single paths, alone), and rank 0 collects them.
  std::shared_ptr<rt::Distribution> dist = base_options.distribution;
  if (single) base_options.distribution = nullptr;
  // Beyond 1000% a bump no longer asks "what if this were a little different".
  if (!(request.bump >= 0 && request.bump <= 10))
    throw SensitivityError(
        fmt::format("the relative bump must be between 0% and 1000% (got {:g}%)", 100 * request.bump));
  if (!(request.rate_bump >= 0 && request.rate_bump <= 10))
    throw SensitivityError(
        fmt::format("the rate bump must be between 0%/y and 1000%/y (got {:g}%/y)", 100 * request.rate_bump));

  // The metrics.
  std::vector<MetricRead> reads;
  for (const std::string& spec : request.metrics.empty() ? std::vector<std::string>{"defaults"} : request.metrics)
    add_metrics(model, request.scenario, single, spec, out.metrics, reads);
  std::optional<size_t> threshold_party;
  if (request.threshold_party) {
    if (!single)
      throw SensitivityError(fmt::format(
          "--threshold needs a single-path run: scenario '{}' has {} paths (give --paths 1, or read the default "
          "probabilities instead)",
          sc.name, out.paths));
    std::vector<report::SensitivityMetric> ms;
    std::vector<MetricRead> rs;
    add_metrics(model, request.scenario, single, "default:" + *request.threshold_party, ms, rs);
    threshold_party = size_t(rs[0].index);
    out.threshold_party = *request.threshold_party;
  }

  // The params and their rules.
  std::vector<int> params;
  if (request.params.empty()) {
    for (size_t i = 0; i < p.params.size(); ++i) params.push_back(int(i));
  } else {
    for (const std::string& name : request.params) {
      std::string error;
      int k = find_param(p, name, error);
      if (k < 0) throw SensitivityError("--params: " + error);
      if (std::find(params.begin(), params.end(), k) == params.end()) params.push_back(k);
    }
  }
  std::vector<int> bumped;
  std::vector<report::BumpRule> rules;
  for (int i : params) {
    const check::HParam& hp = p.params[size_t(i)];
    auto rule = bump_rule(hp.type, p.units);
    if (!rule) {
      out.skipped.push_back({hp.name, "a Date: not bumped (compare two scenarios instead)"});
      continue;
    }
    bumped.push_back(i);
    rules.push_back(*rule);
  }
  std::vector<BaseValue> bases = base_values(program, request.scenario, bumped, base_options, single);

  // The base run.
  rt::RunResult base = rt::run_scenario(model, request.scenario, base_options);
  out.runs = 1;
  for (size_t m = 0; m < reads.size(); ++m) out.metrics[m].base = read(reads[m], base);
  if (threshold_party) out.defaults_at_base = base.parties.at(*threshold_party).defaulted;

  // The bumped runs: two per param (one for a flipped Bool).
  std::vector<report::ParamSensitivity> rows;
  std::vector<int> row_param;
  for (size_t j = 0; j < bumped.size(); ++j) {
    const check::HParam& hp = p.params[size_t(bumped[j])];
    if (bases[j].drawn) {
      out.skipped.push_back({hp.name, "drawn per path in this scenario: not bumped"});
      continue;
    }
    if (rules[j] == report::BumpRule::Relative && bases[j].value == 0) {
      out.skipped.push_back({hp.name, "its value is 0: a relative bump moves nothing"});
      continue;
    }
    report::ParamSensitivity row;
    row.param = hp.name;
    row.unit = hp.type.is_num() && !hp.type.dim.dimensionless() ? check::dim_symbol(hp.type.dim, p.units)
               : written_as_percent(program, hp)                ? "%"
                                                                : "";
    row.rule = rules[j];
    row.base = bases[j].value;
    Bumped b = bump_values(rules[j], row.base, request.bump, request.rate_bump);
    row.down = b.down;
    row.up = b.up;
    rows.push_back(row);
    row_param.push_back(bumped[j]);
  }
  auto run_with = [&](int param, double value) {
    rt::RunOptions o = base_options;
    set_param(o, {param, value});
    return rt::run_scenario(model, request.scenario, o);
  };
  std::vector<std::string> errors(rows.size() * 2);
  std::vector<std::vector<double>> measured(rows.size() * 2);
  std::mutex progress_mutex;
  long long done = 0;
  auto report_progress = [&](const char* phase, long long total) {
    if (!request.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    request.progress(phase, ++done, total);
  };
  // Single-path runs in parallel; Monte Carlo runs one after the other (their paths use
  // the threads).
  auto bumped_run = [&](size_t k) {
    const report::ParamSensitivity& row = rows[k / 2];
    bool up = k % 2 == 1;
    if (up && row.rule == report::BumpRule::Flip) return;  // one run: down == up
    try {
      rt::RunResult r = run_with(row_param[k / 2], up ? row.up : row.down);
      for (const auto& m : reads) measured[k].push_back(read(m, r));
    } catch (const std::exception& e) {
      errors[k] = e.what();
    }
    report_progress("bumped runs", (long long)rows.size() * 2);
  };
  if (single) {
    // Every rank needs the outcome: it decides which params the threshold searches take.
    distributed_for(
        dist.get(), rows.size() * 2, request.options.threads, bumped_run,
        [&](size_t k, std::vector<std::uint8_t>& b) {
          write_text(errors[k], b);
          rt::ByteWriter(b).put_span<double>(measured[k]);
        },
        [&](size_t k, rt::ByteReader& in) {
          errors[k] = read_text(in);
          measured[k] = in.get_vector<double>();
        },
        /*to_all=*/true);
  } else {
    for (size_t k = 0; k < rows.size() * 2; ++k) bumped_run(k);
  }
  done = 0;
  for (size_t k = 0; k < rows.size() * 2; ++k)
    if (k % 2 == 0 || rows[k / 2].rule != report::BumpRule::Flip) ++out.runs;
  for (size_t i = 0; i < rows.size(); ++i) {
    report::ParamSensitivity& row = rows[i];
    if (row.rule == report::BumpRule::Flip) {
      measured[2 * i + 1] = measured[2 * i];
      errors[2 * i + 1] = errors[2 * i];
    }
    const std::string& error = !errors[2 * i].empty() ? errors[2 * i] : errors[2 * i + 1];
    if (!error.empty()) {
      bool down_failed = !errors[2 * i].empty();
      out.skipped.push_back({row.param, fmt::format("the run with {} = {} fails: {}", row.param,
                                                    down_failed ? row.down : row.up, error)});
      continue;
    }
    row.at_down = measured[2 * i];
    row.at_up = measured[2 * i + 1];
    out.params.push_back(row);
  }

  // Thresholds: for each numeric param, the nearest flips of the party's default below
  // and above its base value.
  if (threshold_party) {
    std::vector<size_t> numeric;
    for (size_t i = 0; i < out.params.size(); ++i)
      if (out.params[i].rule != report::BumpRule::Flip) numeric.push_back(i);
    std::vector<report::FlipThreshold> found(numeric.size());
    std::vector<long long> calls(numeric.size(), 0);
    auto search_one = [&](size_t n) {
      const report::ParamSensitivity& row = out.params[numeric[n]];
      int param = p.find_param(row.param);
      report::FlipThreshold& t = found[n];
      t.param = row.param;
      t.unit = row.unit;
      t.base = row.base;
      auto flips = [&](double x) {
        try {
          return run_with(param, x).parties.at(*threshold_party).defaulted != out.defaults_at_base;
        } catch (const std::exception&) {
          return false;  // a value at which the run fails is not a flip
        }
      };
      bool relative = row.rule == report::BumpRule::Relative;
      FlipSearch search;
      search.step = relative ? std::fabs(row.base) * (request.bump > 0 ? request.bump : 0.1)
                             : (request.rate_bump > 0 ? request.rate_bump : 0.01);
      // The flip is located to a thousandth of the base value (of the step for a rate).
      search.tolerance = relative ? std::fabs(row.base) * 1e-3 : search.step * 1e-2;
      for (int direction : {-1, 1}) {
        search.direction = direction;
        // A positive quantity stays positive going down (zero is tried last).
        search.floor = relative && direction < 0 && row.base > 0 ? std::optional<double>(0.0) : std::nullopt;
        if (relative && direction > 0 && row.base < 0) search.floor = 0.0;
        auto b = find_flip(flips, row.base, search, &calls[n]);
        (direction < 0 ? t.below : t.above) = b;
      }
      report_progress("threshold searches", (long long)numeric.size());
    };
    distributed_for(
        dist.get(), numeric.size(), request.options.threads, search_one,
        [&](size_t n, std::vector<std::uint8_t>& b) {
          write_bracket(found[n].below, b);
          write_bracket(found[n].above, b);
          rt::ByteWriter(b).put<long long>(calls[n]);
        },
        [&](size_t n, rt::ByteReader& in) {
          const report::ParamSensitivity& row = out.params[numeric[n]];
          found[n].param = row.param;
          found[n].unit = row.unit;
          found[n].base = row.base;
          found[n].below = read_bracket(in);
          found[n].above = read_bracket(in);
          calls[n] = in.get<long long>();
        },
        /*to_all=*/false);
    for (size_t n = 0; n < numeric.size(); ++n) {
      out.runs += calls[n];
      if (found[n].below || found[n].above) out.thresholds.push_back(found[n]);
    }
  }
  return out;
}

}  // namespace deal::engine
