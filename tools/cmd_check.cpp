// `deal check FILE...`: parse and type-check; diagnostics only.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "tools/commands.hpp"
#include "tools/cli.hpp"

namespace deal::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> files;
  bool quiet = false;
  std::vector<std::string> import_paths;
} args;

int run_check() {
  int status = 0;
  for (const auto& path : args.files) {
    engine::Checked checked = engine::check_file(path, load_options(args.import_paths));
    print_diagnostics(checked);
    if (checked.diags.has_errors()) status = 1;
    else if (!args.quiet) fmt::print("{}: ok\n", path);
  }
  return status;
}

Register check_command({10,
                        [](CLI::App& app) {
                          auto* c = app.add_subcommand(
                              "check", "Parse and type-check .deal files; print diagnostics (exit 1 on errors)");
                          c->add_option("files", args.files, "Files to check")->required();
                          c->add_flag("-q,--quiet", args.quiet, "Print nothing for files without errors");
                          add_import_path_option(c, args.import_paths);
                          return c;
                        },
                        run_check});

}  // namespace
}  // namespace deal::cli
