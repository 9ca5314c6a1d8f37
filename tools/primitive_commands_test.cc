#include "tools/primitive_commands.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"

namespace clustersim::tools {
namespace {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

Result RunArgs(std::vector<std::string> args) {
  args.insert(args.begin(), "clustersim");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code =
      RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {exit_code, out.str(), err.str()};
}

// Expected JSON below is JSON.stringify of the same computation with Effect
// 4.1.0 (Hash.string, HashRing, Snowflake from its dist/) under node.

TEST(RouteCommandTest, JsonMatchesEffect) {
  const Result result =
      RunArgs({"route", "1", "abc", "\xC3\xA9", "\xF0\x9F\x98\x80", "shard-0",
               "say \"hi\"\\", "--shards", "300", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(
      result.out,
      "[{\"entity_id\":\"1\",\"hash\":177556,\"shard\":\"default:257\","
      "\"shard_number\":257},"
      "{\"entity_id\":\"abc\",\"hash\":193415941,\"shard\":\"default:242\","
      "\"shard_number\":242},"
      "{\"entity_id\":\"\xC3\xA9\",\"hash\":177484,\"shard\":\"default:185\","
      "\"shard_number\":185},"
      "{\"entity_id\":\"\xF0\x9F\x98\x80\",\"hash\":5191800,\"shard\":"
      "\"default:1\",\"shard_number\":1},"
      "{\"entity_id\":\"shard-0\",\"hash\":-146079948,\"shard\":\"default:49\","
      "\"shard_number\":49},"
      "{\"entity_id\":\"say \\\"hi\\\"\\\\\",\"hash\":337082643,\"shard\":"
      "\"default:244\",\"shard_number\":244}]\n");
  EXPECT_EQ(result.err, "");
}

TEST(RouteCommandTest, GroupAndPlainOutput) {
  Result result = RunArgs(
      {"route", "1", "shard-0", "--shards", "8", "--group", "users", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "[{\"entity_id\":\"1\",\"hash\":177556,\"shard\":\"users:5\","
            "\"shard_number\":5},"
            "{\"entity_id\":\"shard-0\",\"hash\":-146079948,\"shard\":"
            "\"users:5\",\"shard_number\":5}]\n");
  result = RunArgs({"route", "1", "abc", "--shards", "300"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "1 default:257 (hash 177556)\n"
            "abc default:242 (hash 193415941)\n");
}

TEST(RouteCommandTest, EscapesControlCharacters) {
  const Result result = RunArgs(
      {"route", std::string("a\nb\x01\t", 5), "--shards", "1", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"entity_id\":\"a\\nb\\u0001\\t\""),
            std::string::npos)
      << result.out;
}

TEST(RouteCommandTest, BadInputExitsTwoWithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const Case cases[] = {
      {{"route", "1", "--shards", "0"},
       "clustersim: --shards \"0\" is out of range [1, 2147483647]\n"},
      {{"route", "1", "--shards", "-5"},
       "clustersim: --shards \"-5\" is out of range [1, 2147483647]\n"},
      {{"route", "1", "--shards", "ten"},
       "clustersim: --shards \"ten\" is not a decimal integer\n"},
      {{"route", "1", "--shards", "2147483648"},
       "clustersim: --shards \"2147483648\" is out of range [1, "
       "2147483647]\n"},
      {{"route", "ok", "bad\xFF", "--shards", "3"},
       "clustersim: entity id \"bad\\xff\": invalid UTF-8 at byte offset 3\n"},
      {{"route", "1", "--shards", "3", "--group", "\xC3"},
       "clustersim: --group \"\\xc3\": invalid UTF-8 at byte offset 0\n"},
  };
  for (const Case& c : cases) {
    const Result result = RunArgs(c.args);
    EXPECT_EQ(result.exit_code, kExitBadInput) << c.err;
    EXPECT_EQ(result.err, c.err);
    EXPECT_EQ(result.out, "");
  }
  // Missing required pieces are CLI11 parse errors: still exit 2.
  EXPECT_EQ(RunArgs({"route", "--shards", "3"}).exit_code, kExitBadInput);
  EXPECT_EQ(RunArgs({"route", "1"}).exit_code, kExitBadInput);
}

TEST(RingCommandTest, JsonMatchesEffect) {
  Result result = RunArgs({"ring", "--runners", "localhost:1234,localhost:1235",
                           "--shards", "10", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "{\"shards\":[\"localhost:1235\",\"localhost:1235\","
            "\"localhost:1234\",\"localhost:1234\",\"localhost:1235\","
            "\"localhost:1235\",\"localhost:1234\",\"localhost:1234\","
            "\"localhost:1235\",\"localhost:1234\"]}\n");
  result = RunArgs({"ring", "--runners",
                    "localhost:1234@1,localhost:1235@2,10.0.0.7:34431@0.5",
                    "--shards", "12", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "{\"shards\":[\"localhost:1235\",\"localhost:1235\","
            "\"10.0.0.7:34431\",\"localhost:1234\",\"localhost:1235\","
            "\"localhost:1234\",\"localhost:1234\",\"localhost:1234\","
            "\"localhost:1235\",\"localhost:1234\",\"localhost:1235\","
            "\"localhost:1235\"]}\n");
}

// Owners as Effect's getShards(4) gives them: [1235, 1235, 1234, 1234].
TEST(RingCommandTest, PlainOutputListsShardsAndCountsPerRunner) {
  const Result result =
      RunArgs({"ring", "--runners", "localhost:1234,localhost:1235@2",
               "--shards", "4", "--group", "g"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "g:1 localhost:1235\n"
            "g:2 localhost:1235\n"
            "g:3 localhost:1234\n"
            "g:4 localhost:1234\n"
            "localhost:1234 (weight 1): 2 shards\n"
            "localhost:1235 (weight 2): 2 shards\n");
}

// Issue 10: what the ring builds is bounded by runner count and weight.
TEST(RingCommandTest, BoundsRunnersAndVirtualNodes) {
  auto runners = [](int count, const std::string& weight) {
    std::string list;
    for (int i = 1; i <= count; ++i) {
      list += (i > 1 ? ",h:" : "h:") + std::to_string(i) + weight;
    }
    return list;
  };
  Result many =
      RunArgs({"ring", "--runners", runners(10'001, ""), "--shards", "10"});
  EXPECT_EQ(many.exit_code, kExitBadInput);
  EXPECT_EQ(many.err,
            "clustersim: --runners lists 10001 runners; at most 10000\n");
  Result heavy =
      RunArgs({"ring", "--runners", runners(17, "@8000"), "--shards", "10"});
  EXPECT_EQ(heavy.exit_code, kExitBadInput);
  EXPECT_EQ(heavy.err,
            "clustersim: the runners' weights add up to 17408000 virtual "
            "nodes; at most 4194304\n");
}

TEST(RingCommandTest, BadInputExitsTwoWithOneLine) {
  struct Case {
    std::string runners;
    std::string shards;
    std::string err;
  };
  const Case cases[] = {
      {"", "10", "clustersim: --runners is empty\n"},
      {"a:1,,b:2", "10",
       "clustersim: runner address \"\" is not of the form HOST:PORT\n"},
      {"localhost", "10",
       "clustersim: runner address \"localhost\" is not of the form "
       "HOST:PORT\n"},
      {"h:0", "10", "clustersim: port \"0\" is out of range [1, 65535]\n"},
      {"h:70000", "10",
       "clustersim: port \"70000\" is out of range [1, 65535]\n"},
      {"h:1@0", "10",
       "clustersim: weight \"0\" of runner h:1 must be positive\n"},
      {"h:1@-2", "10",
       "clustersim: weight \"-2\" of runner h:1 must be positive\n"},
      {"h:1@heavy", "10",
       "clustersim: weight \"heavy\" of runner h:1 is not a number\n"},
      {"h:1@inf", "10",
       "clustersim: weight \"inf\" of runner h:1 is not a number\n"},
      {"h:1@", "10", "clustersim: weight \"\" of runner h:1 is not a number\n"},
      {"h:1,h:1@2", "10", "clustersim: runner h:1 is listed twice\n"},
      {"h\xFF:1", "10",
       "clustersim: runner \"h\\xff:1\": invalid UTF-8 at byte offset 1\n"},
      {"h:1@1e7", "10",
       "clustersim: runner \"h:1\": hash ring weight 10000000 gives "
       "1280000000 virtual nodes per node, more than 1048576\n"},
      {"h:1", "0", "clustersim: --shards \"0\" is out of range [1, 1000000]\n"},
      {"h:1", "x", "clustersim: --shards \"x\" is not a decimal integer\n"},
      // Issue 10: this once allocated until memory ran out.
      {"a:1", "2147483647",
       "clustersim: --shards \"2147483647\" is out of range [1, 1000000]\n"},
  };
  for (const Case& c : cases) {
    const Result result =
        RunArgs({"ring", "--runners", c.runners, "--shards", c.shards});
    EXPECT_EQ(result.exit_code, kExitBadInput) << c.err;
    EXPECT_EQ(result.err, c.err);
    EXPECT_EQ(result.out, "");
  }
}

TEST(SnowflakeCommandTest, DecodeMatchesEffect) {
  struct Case {
    std::string id;
    std::string json;
  };
  const Case cases[] = {
      {"12587010",
       "{\"id\":\"12587010\",\"timestamp\":1735689600003,\"machine_id\":1,"
       "\"sequence\":2}\n"},
      {"7345029563195113472",
       "{\"id\":\"7345029563195113472\",\"timestamp\":3486881111915,"
       "\"machine_id\":972,\"sequence\":0}\n"},
      {"-1",
       "{\"id\":\"-1\",\"timestamp\":1735689599999,\"machine_id\":-1,"
       "\"sequence\":-1}\n"},
  };
  for (const Case& c : cases) {
    const Result result = RunArgs({"snowflake", "decode", c.id, "--json"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, c.json);
  }
  const Result plain = RunArgs({"snowflake", "decode", "12587010"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out,
            "id 12587010 timestamp 1735689600003 (2025-01-01T00:00:00.003Z) "
            "machine_id 1 sequence 2\n");
}

TEST(SnowflakeCommandTest, MakeMatchesEffect) {
  Result result =
      RunArgs({"snowflake", "make", "--timestamp", "1767225600000", "--machine",
               "1025", "--sequence", "4097", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "{\"id\":\"132271570944004097\",\"timestamp\":1767225600000,"
            "\"machine_id\":1,\"sequence\":1}\n");
  result = RunArgs({"snowflake", "make", "--timestamp", "1735689600003",
                    "--machine", "1", "--sequence", "2", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "{\"id\":\"12587010\",\"timestamp\":1735689600003,\"machine_id\":"
            "1,\"sequence\":2}\n");
}

TEST(SnowflakeCommandTest, BadInputExitsTwoWithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const Case cases[] = {
      {{"snowflake", "decode", "abc"},
       "clustersim: snowflake \"abc\" is not a decimal integer\n"},
      {{"snowflake", "decode", "99999999999999999999"},
       "clustersim: snowflake \"99999999999999999999\" is out of range "
       "[-9223372036854775808, 9223372036854775807]\n"},
      {{"snowflake", "make", "--timestamp", "now", "--machine", "1",
        "--sequence", "0"},
       "clustersim: --timestamp \"now\" is not a decimal integer\n"},
      {{"snowflake", "make", "--timestamp", "9999999999999", "--machine", "1",
        "--sequence", "0"},
       "clustersim: --timestamp \"9999999999999\" is out of range "
       "[-463333655552, 3934712855551]\n"},
      {{"snowflake", "make", "--timestamp", "1735689600000", "--machine",
        "2147483648", "--sequence", "0"},
       "clustersim: --machine \"2147483648\" is out of range [-2147483648, "
       "2147483647]\n"},
      {{"snowflake", "make", "--timestamp", "1735689600000", "--machine", "1",
        "--sequence", "1.5"},
       "clustersim: --sequence \"1.5\" is not a decimal integer\n"},
  };
  for (const Case& c : cases) {
    const Result result = RunArgs(c.args);
    EXPECT_EQ(result.exit_code, kExitBadInput) << c.err;
    EXPECT_EQ(result.err, c.err);
    EXPECT_EQ(result.out, "");
  }
  EXPECT_EQ(RunArgs({"snowflake"}).exit_code, kExitBadInput);
  EXPECT_EQ(RunArgs({"snowflake", "make", "--timestamp", "1"}).exit_code,
            kExitBadInput);
}

// Expected runs below are Cron.next chained with Effect 4.1.0 (dist/Cron.js)
// under node with TZ=UTC.

TEST(CronCommandTest, PrintsRunsAsEffect) {
  const Result result = RunArgs(
      {"cron", "*/5 * * * *", "--from", "1735689900000", "--count", "2"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "1735690200000 2025-01-01T00:10:00.000Z\n"
            "1735690500000 2025-01-01T00:15:00.000Z\n");
  EXPECT_EQ(result.err, "");
}

TEST(CronCommandTest, JsonWithZoneAndOverlapPolicy) {
  // Berlin repeats 02:00-02:59 on 2026-10-25; "both" runs in each.
  const Result result = RunArgs(
      {"cron", "30 2 * * *", "--from", "1792843200000", "--tz", "Europe/Berlin",
       "--on-dst-overlap", "both", "--count", "3", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "{\"expression\":\"30 2 * * *\",\"time_zone\":\"Europe/Berlin\","
            "\"on_dst_overlap\":\"both\",\"from\":1792843200000,\"runs\":["
            "{\"ms\":1792888200000,\"iso\":\"2026-10-25T00:30:00.000Z\"},"
            "{\"ms\":1792891800000,\"iso\":\"2026-10-25T01:30:00.000Z\"},"
            "{\"ms\":1792978200000,\"iso\":\"2026-10-26T01:30:00.000Z\"}]}\n");
}

TEST(CronCommandTest, SpringForwardGapAndDefaults) {
  // 02:30 does not exist in New York on 2025-03-09: it runs at 03:30 EDT.
  const Result result =
      RunArgs({"cron", "30 2 * * *", "--from", "1741478400000", "--tz",
               "America/New_York", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"time_zone\":\"America/New_York\","
                            "\"on_dst_overlap\":\"earlier\""),
            std::string::npos)
      << result.out;
  EXPECT_NE(
      result.out.find("\"runs\":[{\"ms\":1741505400000,\"iso\":"
                      "\"2025-03-09T07:30:00.000Z\"},{\"ms\":1741588200000,"),
      std::string::npos)
      << result.out;
  // Five runs by default, and no zone is null.
  const Result plain = RunArgs({"cron", "0 0 * * *", "--from", "0", "--json"});
  EXPECT_NE(plain.out.find("\"time_zone\":null"), std::string::npos)
      << plain.out;
  EXPECT_NE(plain.out.find("\"ms\":432000000,"), std::string::npos)
      << plain.out;
  EXPECT_EQ(plain.out.find("\"ms\":518400000,"), std::string::npos)
      << plain.out;
}

TEST(CronCommandTest, BadInputExitsTwoWithOneLine) {
  const std::vector<std::vector<std::string>> bad = {
      {"cron", "61 * * * *", "--from", "0"},
      {"cron", "* * * *", "--from", "0"},
      {"cron", "0 * * * *", "--from", "0", "--tz", "Mars/Base"},
      {"cron", "0 * * * *", "--from", "0", "--on-dst-overlap", "first"},
      {"cron", "0 * * * *", "--from", "0", "--count", "0"},
      {"cron", "0 * * * *", "--from", "0", "--count", "10001"},
      {"cron", "0 * * * *", "--from", "soon"},
      {"cron", "0 * * * *", "--from", "8640000000000000"},
      {"cron", "0 * * * *"},
      // February 30th never comes: Effect's search gives up.
      {"cron", "0 0 30 2 *", "--from", "0"},
  };
  for (const std::vector<std::string>& args : bad) {
    const Result result = RunArgs(args);
    EXPECT_EQ(result.exit_code, 2) << args[1];
    EXPECT_EQ(result.out, "") << args[1];
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1)
        << result.err;
  }
  const Result field = RunArgs({"cron", "0 61 * * *", "--from", "0"});
  EXPECT_NE(field.err.find("hours field \"61\""), std::string::npos)
      << field.err;
  const Result count =
      RunArgs({"cron", "0 * * * *", "--from", "0", "--count", "0"});
  EXPECT_NE(count.err.find("--count"), std::string::npos) << count.err;
}

}  // namespace
}  // namespace clustersim::tools
