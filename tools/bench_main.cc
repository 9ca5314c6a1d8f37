// bench: `clustersim bench ...` as its own binary, for
//   bazel run //tools:bench -- kernel|cluster|sweep [flags]
#include <unistd.h>

#include <iostream>
#include <vector>

#include "tools/cli.h"

int main(int argc, char** argv) {
  std::vector<const char*> args = {"clustersim", "bench"};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return clustersim::tools::RunCli(static_cast<int>(args.size()), args.data(),
                                   std::cout, std::cerr,
                                   isatty(STDERR_FILENO) == 1);
}
