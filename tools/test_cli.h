// For tests of the command line: runs `clustersim ARGS...` in this process
// and captures its exit status, stdout and stderr. Test-only.
#ifndef CLUSTERSIM_TOOLS_TEST_CLI_H_
#define CLUSTERSIM_TOOLS_TEST_CLI_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli.h"

namespace clustersim::tools::testing {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

inline Result RunArgs(std::vector<std::string> args,
                      bool err_is_terminal = false) {
  args.insert(args.begin(), "clustersim");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code = RunCli(static_cast<int>(argv.size()), argv.data(), out,
                               err, err_is_terminal);
  return {exit_code, out.str(), err.str()};
}

inline bool Has(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

inline std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace clustersim::tools::testing

#endif  // CLUSTERSIM_TOOLS_TEST_CLI_H_
