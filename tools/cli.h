// The clustersim command line: shared plumbing for subcommand groups.
//
// Each group of subcommands lives in its own file and exposes one
// `Add...Commands(CLI::App&, Cli&)` function that registers its subcommands.
// A subcommand's callback writes to `out`/`err` and sets `exit_code`:
//   0  all invariants held / the command succeeded,
//   1  an invariant was violated (print the command that reproduces it),
//   2  bad input (print a one-line reason to `err`), including output that
//      could not be written in full (RunCli flushes and checks `out`).
// Single-threaded; the Cli outlives the parse.
#ifndef CLUSTERSIM_TOOLS_CLI_H_
#define CLUSTERSIM_TOOLS_CLI_H_

#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"

namespace clustersim::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitBadInput = 2;

struct Cli {
  std::ostream& out;
  std::ostream& err;
  // Whether `err` is a terminal (then a sweep shows a live progress line).
  bool err_is_terminal = false;
  // The process environment (main reads `environ`), for commands that take
  // settings from it (`config --from-env`); nothing else reads it.
  std::map<std::string, std::string, std::less<>> environment = {};
  int exit_code = kExitOk;

  // Reports bad input: one line on `err`, exit status 2.
  void BadInput(std::string_view reason) {
    err << "clustersim: " << reason << "\n";
    exit_code = kExitBadInput;
  }
  // A remark that changes nothing about the outcome: one line on `err`.
  void Note(std::string_view remark) {
    err << "clustersim: note: " << remark << "\n";
  }
};

// Parses argv, runs the chosen subcommand and returns the exit status.
// Parse errors (unknown flag, missing argument) are bad input (2);
// --help prints usage and returns 0.
int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err, bool err_is_terminal = false,
           std::map<std::string, std::string, std::less<>> environment = {});

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_CLI_H_
