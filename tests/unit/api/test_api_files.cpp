// EngineOptions::import_paths and allow_imports from a host's point of view (only the
// public header), and the loader's refusals as CompileErrors.
#include <catch2/catch.hpp>

#include <deal/deal.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

struct Folders {
  fs::path root, prog, shared;
  Folders() {
    std::string tmpl = (fs::temp_directory_path() / "deal_api_files_XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    root = fs::canonical(tmpl);
    prog = root / "prog";
    shared = root / "shared";
    fs::create_directories(prog);
    fs::create_directories(shared);
    std::ofstream(shared / "rates.deal") << "param rate = 5%/y\n";
    std::ofstream(prog / "main.deal") << "calendar 2025Q1 .. 2025Q4 step quarter\n"
                                         "import \"../shared/rates.deal\"\n"
                                         "party A { cash = $1B }\n";
  }
  ~Folders() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string main() const { return (prog / "main.deal").string(); }
};

deal::CompileError load_error(const deal::Engine& engine, const std::string& path) {
  try {
    engine.load_file(path);
  } catch (const deal::CompileError& e) {
    return e;
  }
  FAIL("no CompileError");
  throw;
}

}  // namespace

TEST_CASE("EngineOptions::import_paths widens where imports may read", "[api][imports]") {
  Folders f;
  deal::CompileError e = load_error(deal::Engine(), f.main());
  REQUIRE(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].code == "import");
  CHECK(e.diagnostics()[0].line == 2);
  CHECK(e.diagnostics()[0].column == 8);
  CHECK(e.diagnostics()[0].message ==
        "import '../shared/rates.deal' is outside the folders this program may read (the program's folder " +
            f.prog.string() + " and the standard library); widen them with EngineOptions::import_paths");

  deal::EngineOptions opts;
  opts.import_paths = {f.shared.string()};
  deal::Program p = deal::Engine(opts).load_file(f.main());
  CHECK(p.params().size() == 1);
}

TEST_CASE("EngineOptions::allow_imports = false refuses every import but the standard library", "[api][imports]") {
  Folders f;
  deal::EngineOptions opts;
  opts.allow_imports = false;
  opts.import_paths = {f.shared.string()};
  deal::Engine engine(opts);
  deal::CompileError e = load_error(engine, f.main());
  REQUIRE(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].message == "imports are disabled by the host");
  CHECK(e.diagnostics()[0].code == "import");
  CHECK_NOTHROW(engine.load_string("calendar 2025Q1 .. 2025Q4 step quarter\nimport \"std/contracts\"\n"));
  CHECK_THROWS_WITH(engine.load_string("calendar 2025Q1 .. 2025Q4 step quarter\nimport \"x.deal\"\n"),
                    Catch::Contains("imports are disabled by the host"));
}

TEST_CASE("load_file refuses what is not a regular .deal text file", "[api][files]") {
  CHECK_THROWS_WITH(deal::Engine().load_file("/dev/zero"),
                    Catch::Contains("'/dev/zero' is not a regular file (it is a character device)"));
  CHECK_THROWS_WITH(deal::Engine().load_file("/proc/self/environ"),
                    Catch::Contains("is not a .deal file (it is binary)"));
}
