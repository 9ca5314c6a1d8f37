// clustersim: the command-line entry point (see tools/cli.h).
#include <unistd.h>

#include <iostream>

#include "tools/cli.h"

int main(int argc, char** argv) {
  return clustersim::tools::RunCli(argc, argv, std::cout, std::cerr,
                                   isatty(STDERR_FILENO) == 1);
}
