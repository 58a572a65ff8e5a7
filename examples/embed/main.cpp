// A host application embedding deal: load a program, bind a host function, run a
// Monte Carlo scenario with an override, read typed results and the JSON document.
//
//   embed [PROGRAM.deal]      (default: gpu_web.deal beside this file)
#include <deal/deal.hpp>

#include <cmath>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "gpu_web.deal";
  try {
    deal::Engine engine;
    deal::Program prog = engine.load_file(path);

    // The host's market model: the index falls 15% a year (any double(double…) callable).
    prog.bind("gpu_price_index", [](double t) { return std::pow(0.85, t); });

    deal::Result base = prog.scenario("base").run();
    std::printf("base: Neocloud ends with %s cash; defaults: %zu\n",
                deal::format_value(base.party("Neocloud").cash, "$").c_str(), base.defaults().size());

    // Dearer debt for the neocloud (a .deal literal, checked like `deal run --set`).
    deal::Result r = prog.scenario("downturn").set("interest", "14%/y").run({.paths = 1000, .seed = 7});
    for (const deal::PartyResult& p : r.parties())
      std::printf("downturn: P(%s defaults) = %.1f%%\n", p.name.c_str(), 100 * p.default_probability);
    const deal::Series& cash = r.series("Neocloud.cash");
    std::printf("downturn: Neocloud cash at the end: median %s, 5th percentile %s\n",
                deal::format_value(cash.p50.back(), cash.unit).c_str(),
                deal::format_value(cash.p5.back(), cash.unit).c_str());
    std::string json = r.to_json();
    std::printf("JSON document: %zu bytes\n", json.size());
    return 0;
  } catch (const deal::CompileError& e) {
    std::fprintf(stderr, "%s", e.what());  // every diagnostic, as `deal check` prints them
    return 1;
  } catch (const deal::Error& e) {
    std::fprintf(stderr, "embed: %s\n", e.what());
    return 3;
  }
}
