#include "tools/repl_line.hpp"

#include <histedit.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <filesystem>
#include <iostream>

namespace deal::cli::repl {

namespace {

volatile sig_atomic_t g_interrupted = 0;
volatile sig_atomic_t g_resized = 0;

extern "C" void on_sigint(int) { g_interrupted = 1; }
extern "C" void on_sigwinch(int) { g_resized = 1; }

class PlainReader : public LineReader {
 public:
  Status read(const std::string&, std::string& line) override {
    if (!std::getline(std::cin, line)) return Status::End;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Status::Line;
  }
  void remember(const std::string&) override {}
  bool interactive() const override { return false; }
};

class EditReader : public LineReader {
 public:
  explicit EditReader(Completer completer) : completer_(std::move(completer)) {
    std::setlocale(LC_CTYPE, "");
    // Our own handlers, without SA_RESTART: a Ctrl-C interrupts the read (see getc).
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sa.sa_handler = on_sigwinch;
    sigaction(SIGWINCH, &sa, &old_winch_);

    hist_ = history_init();
    HistEvent ev;
    history(hist_, &ev, H_SETSIZE, 1000);
    history(hist_, &ev, H_SETUNIQUE, 1);
    path_ = history_path();
    if (!path_.empty()) history(hist_, &ev, H_LOAD, path_.c_str());

    el_ = el_init("deal", stdin, stdout, stderr);
    el_set(el_, EL_CLIENTDATA, this);
    el_set(el_, EL_EDITOR, "emacs");
    el_set(el_, EL_PROMPT, &EditReader::prompt_of);
    el_set(el_, EL_HIST, history, hist_);
    el_set(el_, EL_GETCFN, &EditReader::getc);
    el_set(el_, EL_ADDFN, "deal-complete", "Complete a name or a command", &EditReader::complete);
    el_set(el_, EL_BIND, "^I", "deal-complete", nullptr);
    el_source(el_, nullptr);  // ~/.editrc, as other libedit programs
  }

  ~EditReader() override {
    el_end(el_);
    history_end(hist_);
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGWINCH, &old_winch_, nullptr);
  }

  Status read(const std::string& prompt, std::string& line) override {
    prompt_ = prompt;
    // A Ctrl-C pressed while the previous input was being handled cancels this line
    // (the flag is kept until el_gets returns), so no keystroke is ever misread.
    int count = 0;
    const char* s = el_gets(el_, &count);
    if (g_interrupted) {
      g_interrupted = 0;
      // The line being typed is dropped; start a fresh one below it.
      std::fputs("^C\n", stdout);
      std::fflush(stdout);
      el_reset(el_);
      return Status::Interrupted;
    }
    if (!s || count <= 0) {
      std::fputc('\n', stdout);
      return Status::End;
    }
    line.assign(s, size_t(count));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return Status::Line;
  }

  void remember(const std::string& line) override {
    if (line.find_first_not_of(" \t") == std::string::npos) return;
    HistEvent ev;
    history(hist_, &ev, H_ENTER, line.c_str());
    if (!path_.empty()) history(hist_, &ev, H_SAVE, path_.c_str());
  }

  bool interactive() const override { return true; }

 private:
  static EditReader* self(EditLine* el) {
    void* p = nullptr;
    el_get(el, EL_CLIENTDATA, &p);
    return static_cast<EditReader*>(p);
  }

  static char* prompt_of(EditLine* el) { return self(el)->prompt_.data(); }

  // Reads one character from the terminal. SIGINT and SIGWINCH are blocked except while
  // ppoll waits for input, so a Ctrl-C is never lost between a check and the wait: it
  // ends the wait, and returning -1 makes el_gets give up the line being typed.
  static int getc(EditLine* el, wchar_t* out) {
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &orig);
    unsigned char buf[4];
    size_t need = 1, got = 0;
    int result = 1;
    while (got < need) {
      if (g_interrupted) {
        result = -1;
        break;
      }
      if (g_resized) {
        g_resized = 0;
        el_resize(el);
      }
      pollfd p{STDIN_FILENO, POLLIN, 0};
      int r = ppoll(&p, 1, nullptr, &orig);
      if (r < 0) {
        if (errno == EINTR) continue;
        result = -1;
        break;
      }
      ssize_t n = ::read(STDIN_FILENO, buf + got, 1);
      if (n == 1) {
        if (got == 0) need = buf[0] >= 0xF0 ? 4 : buf[0] >= 0xE0 ? 3 : buf[0] >= 0xC0 ? 2 : 1;
        ++got;
      } else if (n == 0) {
        result = 0;
        break;
      } else if (errno != EINTR && errno != EAGAIN) {
        result = -1;
        break;
      }
    }
    pthread_sigmask(SIG_SETMASK, &orig, nullptr);
    if (result != 1) return result;
    std::mbstate_t st{};
    wchar_t wc = 0;
    size_t r = std::mbrtowc(&wc, reinterpret_cast<const char*>(buf), got, &st);
    *out = r == size_t(-1) || r == size_t(-2) ? wchar_t(buf[0]) : wc;
    return 1;
  }

  static unsigned char complete(EditLine* el, int) {
    EditReader* me = self(el);
    const LineInfo* li = el_line(el);
    std::string before(li->buffer, size_t(li->cursor - li->buffer));
    size_t start = before.size();
    std::vector<std::string> cands = me->completer_ ? me->completer_(before, start) : std::vector<std::string>{};
    if (start > before.size()) start = before.size();
    std::string word = before.substr(start);
    if (cands.empty()) return CC_ERROR;
    std::string common = cands[0];
    for (const auto& c : cands) {
      size_t k = 0;
      while (k < common.size() && k < c.size() && common[k] == c[k]) ++k;
      common.resize(k);
    }
    if (common.size() > word.size()) {
      std::string rest = common.substr(word.size());
      if (cands.size() == 1 && !rest.empty() && rest.back() != '/' && word.rfind(":", 0) == 0) rest += " ";
      el_insertstr(el, rest.c_str());
      return CC_REFRESH;
    }
    if (cands.size() == 1) return CC_REFRESH;
    // Several candidates and nothing more in common: list them under the line.
    size_t w = 0;
    for (const auto& c : cands) w = std::max(w, c.size());
    size_t cols = std::max<size_t>(1, 78 / (w + 2));
    std::fputc('\n', stdout);
    for (size_t i = 0; i < cands.size(); ++i) {
      std::fprintf(stdout, "%-*s", int(w + 2), cands[i].c_str());
      if ((i + 1) % cols == 0 || i + 1 == cands.size()) std::fputc('\n', stdout);
    }
    std::fflush(stdout);
    return CC_REDISPLAY;
  }

  Completer completer_;
  EditLine* el_ = nullptr;
  History* hist_ = nullptr;
  std::string prompt_, path_;
  struct sigaction old_int_ {
  }, old_winch_{};
};

}  // namespace

bool interrupt_pending() { return g_interrupted != 0; }
void clear_interrupt() { g_interrupted = 0; }

std::string history_path() {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) dir = fs::path(x) / "deal";
  else if (const char* h = std::getenv("HOME"); h && *h) dir = fs::path(h) / ".local" / "state" / "deal";
  else return "";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "";
  return (dir / "history").string();
}

std::unique_ptr<LineReader> LineReader::open(Completer completer) {
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) return std::make_unique<EditReader>(std::move(completer));
  return std::make_unique<PlainReader>();
}

}  // namespace deal::cli::repl
