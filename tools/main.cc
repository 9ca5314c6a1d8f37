// clustersim: the command-line entry point (see tools/cli.h).
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <utility>

#include "tools/cli.h"

extern char** environ;

int main(int argc, char** argv) {
  // The one place that reads the process environment: commands get a copy.
  std::map<std::string, std::string, std::less<>> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    environment.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return clustersim::tools::RunCli(argc, argv, std::cout, std::cerr,
                                   isatty(STDERR_FILENO) == 1,
                                   std::move(environment));
}
