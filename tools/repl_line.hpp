// Reading the REPL's input: libedit on a terminal (line editing, history kept across
// sessions, tab completion, Ctrl-C cancels the line being typed, Ctrl-D at an empty
// line ends the input); plain lines without prompts when stdin is not a terminal.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace deal::cli::repl {

// Candidates for the word that ends at the end of `before`; `start` is where it begins.
using Completer = std::function<std::vector<std::string>(const std::string& before, size_t& start)>;

class LineReader {
 public:
  enum class Status { Line, End, Interrupted };
  virtual ~LineReader() = default;
  // Reads one line (without its newline) after showing `prompt` (terminals only).
  virtual Status read(const std::string& prompt, std::string& line) = 0;
  // Adds a line to the history (and saves it, for terminals).
  virtual void remember(const std::string& line) = 0;
  virtual bool interactive() const = 0;

  // A libedit reader when stdin and stdout are terminals, else plain lines from stdin.
  static std::unique_ptr<LineReader> open(Completer completer);
};

// Whether Ctrl-C was pressed on the terminal since the last check, and forgetting it:
// a running `:run` polls the first and stops; the second keeps that Ctrl-C from also
// cancelling the next line.
bool interrupt_pending();
void clear_interrupt();

// Where the history lives: $XDG_STATE_HOME/deal/history, else ~/.local/state/deal/history
// (the directory is created); "" when neither is known.
std::string history_path();

}  // namespace deal::cli::repl
