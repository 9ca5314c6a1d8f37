#include "tools/config_command.h"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"

namespace clustersim::tools {
namespace {

using Environment = std::map<std::string, std::string, std::less<>>;

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

Result RunWithEnv(std::vector<std::string> args, Environment env) {
  args.insert(args.begin(), "clustersim");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code = RunCli(static_cast<int>(argv.size()), argv.data(), out,
                               err, false, std::move(env));
  return {exit_code, out.str(), err.str()};
}

// VARIABLE=value lines as an environment.
Environment Parse(const std::string& text) {
  Environment env;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t equals = line.find('=');
    env[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return env;
}

TEST(ConfigCommandTest, WithoutFromEnvPrintsEffectsDefaults) {
  const Result result = RunWithEnv({"config"}, {{"SHARDS_PER_GROUP", "7"}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("SHARDS_PER_GROUP=300\n"), std::string::npos);
  EXPECT_NE(result.out.find("SHARD_LOCK_EXPIRATION=35000 millis\n"),
            std::string::npos);
}

TEST(ConfigCommandTest, FromEnvAppliesTheEnvironment) {
  const Result result = RunWithEnv({"config", "--from-env"},
                                   {{"HOST", "runner-2"},
                                    {"SHARDS_PER_GROUP", "7"},
                                    {"SHARD_LOCK_EXPIRATION", "1 minute"},
                                    {"ENTITY_MAX_IDLE_TIME", "Infinity"},
                                    {"SHARD_GROUPS", "a,b"},
                                    {"AVAILABLE_SHARD_GROUPS", "a,b"}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const Environment printed = Parse(result.out);
  EXPECT_EQ(printed.at("HOST"), "runner-2");
  EXPECT_EQ(printed.at("SHARDS_PER_GROUP"), "7");
  EXPECT_EQ(printed.at("SHARD_LOCK_EXPIRATION"), "60000 millis");
  EXPECT_EQ(printed.at("ENTITY_MAX_IDLE_TIME"), "Infinity");
  EXPECT_EQ(printed.at("SHARD_GROUPS"), "a,b");
  // What it prints reads back to the same configuration.
  const Result again = RunWithEnv({"config", "--from-env"}, printed);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, result.out);
}

TEST(ConfigCommandTest, JsonUsesEffectsFieldNames) {
  const Result result = RunWithEnv(
      {"config", "--from-env", "--json"},
      {{"ENTITY_MAX_IDLE_TIME", "Infinity"}, {"PREEMPTIVE_SHUTDOWN", "no"}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"shardsPerGroup\":300"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("\"entityMaxIdleTime\":null"), std::string::npos);
  EXPECT_NE(result.out.find("\"preemptiveShutdown\":false"), std::string::npos);
}

TEST(ConfigCommandTest, ABadVariableIsBadInputNamingIt) {
  const Result result = RunWithEnv({"config", "--from-env"},
                                   {{"ENTITY_MAILBOX_CAPACITY", "unbounded"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "clustersim: ENTITY_MAILBOX_CAPACITY=\"unbounded\": Expected a "
            "string representing a finite number\n");
}

}  // namespace
}  // namespace clustersim::tools
