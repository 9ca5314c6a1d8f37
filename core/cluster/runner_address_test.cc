#include "core/cluster/runner_address.h"

#include <sstream>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(RunnerAddressTest, KeyAndString) {
  const RunnerAddress address("localhost", 34431);
  EXPECT_EQ(address.Key(), "localhost:34431");
  EXPECT_EQ(address.ToString(), "RunnerAddress(localhost:34431)");
  std::ostringstream os;
  os << address;
  EXPECT_EQ(os.str(), "RunnerAddress(localhost:34431)");
}

TEST(RunnerAddressTest, EqualityOrderAndHash) {
  EXPECT_EQ(RunnerAddress("a", 1), RunnerAddress("a", 1));
  EXPECT_NE(RunnerAddress("a", 1), RunnerAddress("a", 2));
  EXPECT_NE(RunnerAddress("a", 1), RunnerAddress("b", 1));
  absl::btree_set<RunnerAddress> ordered{RunnerAddress("b", 1),
                                         RunnerAddress("a", 9)};
  EXPECT_EQ(*ordered.begin(), RunnerAddress("a", 9));
  absl::flat_hash_set<RunnerAddress> hashed{RunnerAddress("a", 1),
                                            RunnerAddress("a", 1)};
  EXPECT_EQ(hashed.size(), 1u);
}

TEST(RunnerAddressTest, Parse) {
  EXPECT_EQ(*RunnerAddress::Parse("localhost:1234"),
            RunnerAddress("localhost", 1234));
  EXPECT_EQ(*RunnerAddress::Parse("10.0.0.1:1"), RunnerAddress("10.0.0.1", 1));
  EXPECT_EQ(*RunnerAddress::Parse("::1:65535"), RunnerAddress("::1", 65535));
  const RunnerAddress address("h\xC3\xA9", 80);
  EXPECT_EQ(*RunnerAddress::Parse(address.Key()), address);
}

TEST(RunnerAddressTest, ParseRejectsMalformedText) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"localhost",
       "runner address \"localhost\" is not of the form HOST:PORT"},
      {":80", "runner address \":80\" has an empty host"},
      {"h:", "port \"\" is not a decimal integer"},
      {"h:http", "port \"http\" is not a decimal integer"},
      {"h:0", "port \"0\" is out of range [1, 65535]"},
      {"h:65536", "port \"65536\" is out of range [1, 65535]"},
      {"h:-1", "port \"-1\" is out of range [1, 65535]"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<RunnerAddress> address = RunnerAddress::Parse(c.text);
    ASSERT_FALSE(address.ok()) << c.text;
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(address.status().message(), c.message);
  }
}

}  // namespace
}  // namespace clustersim
