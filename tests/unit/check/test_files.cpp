// What the loader reads: only regular files, never more than the size limit, only .deal
// text (no NUL bytes, valid UTF-8), and imports only inside the allowed folders — with
// errors that never quote a refused file (docs/language.md § Files, imports and limits).
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "compiler/check/check.hpp"

namespace fs = std::filesystem;

namespace {

// A line of our own passwd-like fixture outside the allowed folders: no error may quote it.
const std::string kSecret = "root:x:0:0:SECRET-MARKER-7f3a:/root:/bin/bash";
const std::string kCalendar = "calendar 2025Q1 .. 2025Q4 step quarter\n";

// A fresh folder tree per test: DIR/prog (the program's folder) and DIR/outside.
struct Tree {
  fs::path root, prog, outside;
  Tree() {
    std::string tmpl = (fs::temp_directory_path() / "deal_files_XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    root = fs::canonical(tmpl);
    prog = root / "prog";
    outside = root / "outside";
    fs::create_directories(prog / "lib");
    fs::create_directories(outside);
    write(outside / "passwd", kSecret + "\n" + kSecret + "\n");
    write(outside / "shared.deal", "param shared = $1B\n");
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  static void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }
  // DIR/prog/NAME with `text`; returns its path.
  std::string program(const std::string& name, const std::string& text) const {
    write(prog / name, text);
    return (prog / name).string();
  }
};

struct Loaded {
  std::string text;  // the rendered diagnostics
  bool errors = false;
  size_t files = 0;  // files in the SourceManager
  std::vector<deal::Diagnostic> diags;
};

Loaded load(const std::string& path, const deal::check::LoadOptions& opts = {}) {
  deal::SourceManager sm;
  deal::Diagnostics diags;
  auto modules = deal::check::load_program(path, sm, diags, opts);
  if (!diags.has_errors()) deal::check::check_program(modules, sm, diags);
  return {deal::render_all(sm, diags), diags.has_errors(), sm.size(), diags.all()};
}

deal::check::LoadOptions with_stdlib() {
  deal::check::LoadOptions o;
  o.stdlib_dir = std::string(DEAL_SOURCE_DIR) + "/stdlib";
  return o;
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

TEST_CASE("a FIFO is refused before it is opened, so loading never waits for a writer", "[files]") {
  Tree t;
  fs::path fifo = t.prog / "pipe.deal";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  Loaded l = load(fifo.string());
  CHECK(l.errors);
  CHECK_THAT(l.text, Catch::Contains("'" + fifo.string() + "' is not a regular file (it is a FIFO)"));
  CHECK(l.files == 0);

  Loaded imp = load(t.program("main.deal", kCalendar + "import \"pipe.deal\"\n"));
  CHECK_THAT(imp.text, Catch::Contains("is not a regular file (it is a FIFO)"));
  CHECK_THAT(imp.text, Catch::Contains("import \"pipe.deal\""));  // the importing line, with the caret
}

TEST_CASE("/dev/zero is refused, not read until memory runs out", "[files]") {
  Loaded l = load("/dev/zero");
  CHECK(l.text == "error: '/dev/zero' is not a regular file (it is a character device) [E002]\n");
  auto r = deal::check::read_source_file("/dev/zero");
  CHECK(!r.ok());
  CHECK(r.text.empty());
  CHECK(r.os_reason.empty());
}

TEST_CASE("a directory is not a program", "[files]") {
  Tree t;
  CHECK_THAT(load(t.prog.string()).text, Catch::Contains("is not a regular file (it is a directory)"));
  Loaded imp = load(t.program("main.deal", kCalendar + "import \"lib\"\n"));
  CHECK_THAT(imp.text, Catch::Contains("lib' is not a regular file (it is a directory)"));
}

TEST_CASE("a symlink loop says so, and other failures give the OS reason", "[files]") {
  Tree t;
  fs::create_symlink(t.prog / "b.deal", t.prog / "a.deal");
  fs::create_symlink(t.prog / "a.deal", t.prog / "b.deal");
  Loaded l = load((t.prog / "a.deal").string());
  CHECK_THAT(l.text, Catch::Contains("too many levels of symbolic links"));
  CHECK_THAT(l.text, !Catch::Contains("no such file"));

  Loaded imp = load(t.program("main.deal", kCalendar + "import \"a.deal\"\n"));
  CHECK_THAT(imp.text, Catch::Contains("cannot import 'a.deal': too many levels of symbolic links"));

  CHECK_THAT(load((t.prog / "missing.deal").string()).text,
             Catch::Contains("cannot read '" + (t.prog / "missing.deal").string() + "': no such file or directory"));
  Loaded missing = load(t.program("m.deal", kCalendar + "import \"lib/missing.deal\"\n"));
  CHECK_THAT(missing.text, Catch::Contains("cannot import 'lib/missing.deal': no such file or directory"));
}

TEST_CASE("a file over the size limit is refused without being read", "[files]") {
  Tree t;
  fs::path big = t.prog / "big.deal";
  Tree::write(big, "");
  fs::resize_file(big, (size_t(64) << 20) + 1);  // sparse: costs no disk
  long before = peak_rss_kib();
  Loaded l = load(big.string());
  long after = peak_rss_kib();
  CHECK(l.text == "error: '" + big.string() + "' is larger than the 64 MiB limit [E002]\n");
  // Not read into memory: the peak resident size did not grow by anything like 64 MiB.
  CHECK(after - before < 16 * 1024);

  Loaded imp = load(t.program("main.deal", kCalendar + "import \"big.deal\"\n"));
  CHECK_THAT(imp.text, Catch::Contains("big.deal' is larger than the 64 MiB limit"));

  // Exactly at the limit is fine; one byte more is not.
  Tree::write(t.prog / "ten.deal", "param x=1\n");
  CHECK(deal::check::read_source_file((t.prog / "ten.deal").string(), 10).ok());
  CHECK_THAT(deal::check::read_source_file((t.prog / "ten.deal").string(), 9).error,
             Catch::Contains("is larger than the 9 bytes limit"));
  // A file whose size says 0 (as in /proc) is still read with the bound.
  auto proc = deal::check::read_source_file("/proc/self/status", 16);
  CHECK_THAT(proc.error, Catch::Contains("is larger than the 16 bytes limit"));
}

TEST_CASE("an absolute import is outside the allowed folders, with a caret on the import string", "[imports]") {
  Tree t;
  std::string secret = (t.outside / "passwd").string();
  Loaded l = load(t.program("main.deal", kCalendar + "import \"" + secret + "\"\n"));
  CHECK(l.errors);
  CHECK_THAT(l.text,
             Catch::Contains("import '" + secret +
                             "' is outside the folders this program may read (the "
                             "program's folder " +
                             t.prog.string() + " and the standard library); widen them with --import-path DIR"));
  CHECK_THAT(l.text, !Catch::Contains("SECRET-MARKER"));
  REQUIRE(l.diags.size() == 1);
  CHECK(l.diags[0].code == "import");
  CHECK(l.diags[0].span.line == 2);
  CHECK(l.diags[0].span.col == 8);  // the string after `import `
  CHECK(l.files == 1);              // the secret never reached the SourceManager

  // /proc/self/environ neither.
  Loaded env = load(t.program("env.deal", "import \"/proc/self/environ\"\n"));
  CHECK_THAT(env.text, Catch::Contains("is outside the folders this program may read"));
  CHECK_THAT(env.text, !Catch::Contains("PATH="));
}

TEST_CASE("../ cannot lead out of the program's folder, nor can a symlink inside it", "[imports]") {
  Tree t;
  Loaded up = load(t.program("main.deal", kCalendar + "import \"../outside/passwd\"\n"));
  CHECK_THAT(up.text, Catch::Contains("import '../outside/passwd' is outside the folders this program may read"));
  CHECK_THAT(up.text, !Catch::Contains("SECRET-MARKER"));

  // A relative import from a subfolder may go up, as long as it stays inside.
  Tree::write(t.prog / "lib/a.deal", "import \"../lib2.deal\"\nparam a = b\n");
  Tree::write(t.prog / "lib2.deal", "param b = 1\n");
  CHECK(!load(t.program("ok.deal", kCalendar + "import \"lib/a.deal\"\n")).errors);

  fs::create_symlink(t.outside / "passwd", t.prog / "link.deal");
  Loaded link = load(t.program("link_main.deal", kCalendar + "import \"link.deal\"\n"));
  CHECK_THAT(link.text, Catch::Contains("import 'link.deal' is outside the folders this program may read"));
  CHECK_THAT(link.text, !Catch::Contains("SECRET-MARKER"));

  fs::create_directory_symlink(t.outside, t.prog / "out");
  Loaded dir_link = load(t.program("dir_main.deal", kCalendar + "import \"out/shared.deal\"\n"));
  CHECK_THAT(dir_link.text, Catch::Contains("is outside the folders this program may read"));

  // std/ cannot be used to climb out of the standard library either.
  Loaded std_up =
      load(t.program("std_up.deal", kCalendar + "import \"std/../../../../../../../etc/passwd\"\n"), with_stdlib());
  CHECK_THAT(std_up.text, Catch::Contains("is outside the folders this program may read"));
}

TEST_CASE("import_paths widen the allowed folders", "[imports]") {
  Tree t;
  std::string main = t.program("main.deal", kCalendar + "import \"../outside/shared.deal\"\nparam x = shared\n");
  CHECK(load(main).errors);
  deal::check::LoadOptions o;
  o.import_paths = {t.outside.string()};
  Loaded l = load(main, o);
  CHECK(!l.errors);
  CHECK(l.files == 2);
  // An absolute path inside a widened folder, and through a symlink that leads there.
  std::string abs = t.program("abs.deal", kCalendar + "import \"" + (t.outside / "shared.deal").string() + "\"\n");
  CHECK(!load(abs, o).errors);
  fs::create_symlink(t.outside / "shared.deal", t.prog / "link.deal");
  CHECK(!load(t.program("via_link.deal", kCalendar + "import \"link.deal\"\n"), o).errors);
  // The error lists the widened folders too.
  o.import_paths = {(t.root / "elsewhere").string()};
  CHECK_THAT(load(main, o).text, Catch::Contains("the standard library and " + (t.root / "elsewhere").string() + ")"));
  // And the hint is the host's.
  o.widen_hint = "EngineOptions::import_paths";
  CHECK_THAT(load(main, o).text, Catch::Contains("widen them with EngineOptions::import_paths"));
}

TEST_CASE("imports disabled by the host: only the standard library stays", "[imports]") {
  Tree t;
  Tree::write(t.prog / "lib/b.deal", "param b = 1\n");
  deal::check::LoadOptions o = with_stdlib();
  o.allow_imports = false;
  Loaded l = load(t.program("main.deal", kCalendar + "import \"lib/b.deal\"\n"), o);
  CHECK_THAT(l.text, Catch::Contains("error: imports are disabled by the host"));
  CHECK(l.files == 1);
  CHECK(!load(t.program("std.deal", kCalendar + "import \"std/contracts\"\n"), o).errors);
  // load_source the same.
  deal::SourceManager sm;
  deal::Diagnostics diags;
  deal::check::load_source("<host>", kCalendar + "import \"x.deal\"\n", sm, diags, o);
  CHECK_THAT(deal::render_all(sm, diags), Catch::Contains("imports are disabled by the host"));
}

TEST_CASE("source text imports from the current directory only", "[imports]") {
  Tree t;
  deal::SourceManager sm;
  deal::Diagnostics diags;
  deal::check::load_source("<host>", "import \"" + (t.outside / "passwd").string() + "\"\n", sm, diags);
  std::string text = deal::render_all(sm, diags);
  CHECK_THAT(text, Catch::Contains("outside the folders this program may read (the current directory " +
                                   fs::canonical(fs::current_path()).string()));
  CHECK_THAT(text, !Catch::Contains("SECRET-MARKER"));
}

TEST_CASE("import_roots keep each import of source text to its own folder", "[imports]") {
  Tree t;
  fs::create_directories(t.prog / "sub");
  Tree::write(t.prog / "sub/lib.deal", "import \"../up.deal\"\n");
  Tree::write(t.prog / "up.deal", "param up = 1\n");
  std::string text =
      "import \"" + (t.prog / "up.deal").string() + "\"\nimport \"" + (t.prog / "sub/lib.deal").string() + "\"\n";
  deal::check::LoadOptions o;
  // The first import comes from a file in prog/, the second from one in prog/sub/.
  o.import_roots = {t.prog.string(), (t.prog / "sub").string()};
  deal::SourceManager sm;
  deal::Diagnostics diags;
  deal::check::load_source("<imports>", text, sm, diags, o);
  std::string out = deal::render_all(sm, diags);
  // up.deal is loaded for the first; sub/lib.deal's "../up.deal" leaves prog/sub/.
  CHECK_THAT(out, Catch::Contains("import '../up.deal' is outside the folders this program may read (the folder " +
                                  (t.prog / "sub").string() + " and the standard library)"));
  CHECK(diags.error_count() == 1);
  // Both from prog/: fine.
  o.import_roots = {t.prog.string(), t.prog.string()};
  deal::SourceManager sm2;
  deal::Diagnostics diags2;
  deal::check::load_source("<imports>", text, sm2, diags2, o);
  CHECK(!diags2.has_errors());
}

TEST_CASE("a binary or non-UTF-8 file is refused without quoting it", "[files]") {
  Tree t;
  std::string bin =
      t.program("bin.deal", std::string("party A { cash = $1B }\n") + kSecret + std::string("\0\x01\x02", 3));
  Loaded l = load(bin);
  CHECK(l.text == "error: '" + bin + "' is not a .deal file (it is binary) [E002]\n");
  CHECK(l.files == 0);

  std::string latin1 = t.program("latin1.deal", kCalendar + "// caf\xe9 " + kSecret + "\nparam x = 1 ~\n");
  Loaded u = load(latin1);
  CHECK(u.text == "error: '" + latin1 + "' is not a .deal file (it is not UTF-8 text) [E002]\n");

  // Imported, the error points at the import; the file's lines are never shown.
  Loaded imp = load(t.program("main.deal", kCalendar + "import \"bin.deal\"\nimport \"latin1.deal\"\n"));
  CHECK_THAT(imp.text, Catch::Contains("bin.deal' is not a .deal file (it is binary)"));
  CHECK_THAT(imp.text, Catch::Contains("latin1.deal' is not a .deal file (it is not UTF-8 text)"));
  CHECK_THAT(imp.text, !Catch::Contains("SECRET-MARKER"));
  CHECK(imp.files == 1);

  // Overlong forms and surrogates are not UTF-8 either; real UTF-8 is fine.
  CHECK(!deal::check::read_source_file(t.program("overlong.deal", "// \xc0\xaf\n")).ok());
  CHECK(!deal::check::read_source_file(t.program("surrogate.deal", "// \xed\xa0\x80\n")).ok());
  CHECK(!deal::check::read_source_file(t.program("cut.deal", "// \xe2\x82")).ok());
  CHECK(deal::check::read_source_file(t.program("utf8.deal", "// café → €, 𝄞\n")).ok());
}
