#include "core/cluster/hash_ring.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/cluster/hash_ring_test_vectors.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

using testing::GoldenRingScenarios;
using testing::RingOp;
using testing::RingScenario;

// Owners as letters, 'a' for runners[0], as in the golden vectors.
std::string Letters(const std::vector<RunnerAddress>& runners,
                    const std::vector<RunnerAddress>& owners) {
  std::string out;
  for (const RunnerAddress& owner : owners) {
    auto it = std::find(runners.begin(), runners.end(), owner);
    out += it == runners.end()
               ? '?'
               : static_cast<char>('a' + (it - runners.begin()));
  }
  return out;
}

TEST(HashRingTest, MatchesEffectGoldenScenarios) {
  for (const RingScenario& scenario : GoldenRingScenarios()) {
    SCOPED_TRACE(scenario.name);
    std::vector<RunnerAddress> runners;
    for (const auto& [host, port] : scenario.runners) {
      runners.emplace_back(host, port);
    }
    HashRing ring(scenario.base_weight);
    for (const RingOp& op : scenario.ops) {
      std::vector<RunnerAddress> nodes;
      for (int index : op.runners) nodes.push_back(runners[index]);
      if (op.kind == RingOp::kAdd) {
        ASSERT_TRUE(ring.AddMany(nodes, op.weight).ok());
      } else {
        ring.Remove(nodes[0]);
      }
    }
    EXPECT_EQ(ring.total_weight(), scenario.total_weight);
    EXPECT_EQ(ring.virtual_node_count(), scenario.virtual_nodes);
    const std::optional<std::vector<RunnerAddress>> shards =
        ring.GetShards(scenario.count);
    ASSERT_EQ(shards.has_value(), scenario.shards.has_value());
    if (shards.has_value()) {
      EXPECT_EQ(Letters(runners, *shards), *scenario.shards);
    }
    for (const auto& [input, owner] : scenario.gets) {
      absl::StatusOr<std::optional<RunnerAddress>> node = ring.Get(input);
      ASSERT_TRUE(node.ok());
      EXPECT_EQ(node->has_value() ? Letters(runners, {**node}) : "", owner)
          << "get(\"" << input << "\")";
    }
  }
}

std::vector<RunnerAddress> Localhosts(std::vector<int32_t> ports) {
  std::vector<RunnerAddress> out;
  for (int32_t port : ports) out.emplace_back("localhost", port);
  return out;
}

std::map<int32_t, int> CountByPort(const std::vector<RunnerAddress>& owners) {
  std::map<int32_t, int> counts;
  for (const RunnerAddress& owner : owners) ++counts[owner.port()];
  return counts;
}

std::vector<int32_t> Ports(const std::vector<RunnerAddress>& owners, size_t n) {
  std::vector<int32_t> ports;
  for (size_t i = 0; i < n; ++i) ports.push_back(owners[i].port());
  return ports;
}

// The table of effect-semantics.md §2.3 (computed for Effect 4.0); Effect
// 4.1.0 gives the same results for these runner sets.
TEST(HashRingTest, SemanticsTable) {
  {
    HashRing ring;
    ASSERT_TRUE(ring.AddMany(Localhosts({1234})).ok());
    EXPECT_EQ(CountByPort(*ring.GetShards(300)),
              (std::map<int32_t, int>{{1234, 300}}));
  }
  {
    HashRing ring;
    ASSERT_TRUE(ring.AddMany(Localhosts({1234, 1235})).ok());
    const std::vector<RunnerAddress> owners = *ring.GetShards(300);
    EXPECT_EQ(CountByPort(owners),
              (std::map<int32_t, int>{{1234, 150}, {1235, 150}}));
    EXPECT_EQ(Ports(owners, 10),
              (std::vector<int32_t>{1235, 1234, 1234, 1234, 1235, 1234, 1234,
                                    1234, 1235, 1234}));
  }
  {
    HashRing ring;
    ASSERT_TRUE(ring.AddMany(Localhosts({1234, 1235, 1236})).ok());
    const std::vector<RunnerAddress> owners = *ring.GetShards(300);
    EXPECT_EQ(CountByPort(owners),
              (std::map<int32_t, int>{{1234, 100}, {1235, 100}, {1236, 100}}));
    EXPECT_EQ(Ports(owners, 10),
              (std::vector<int32_t>{1236, 1234, 1234, 1234, 1235, 1234, 1236,
                                    1234, 1236, 1236}));
  }
  {
    HashRing ring;
    ASSERT_TRUE(ring.Add(RunnerAddress("localhost", 1234), 1).ok());
    ASSERT_TRUE(ring.Add(RunnerAddress("localhost", 1235), 2).ok());
    EXPECT_EQ(CountByPort(*ring.GetShards(300)),
              (std::map<int32_t, int>{{1234, 100}, {1235, 200}}));
  }
  {
    HashRing ring;
    ASSERT_TRUE(ring.AddMany(Localhosts({1234, 5678})).ok());
    EXPECT_EQ(Ports(*ring.GetShards(4), 4),
              (std::vector<int32_t>{5678, 5678, 1234, 1234}));
    EXPECT_EQ(Ports(*ring.GetShards(1), 1), (std::vector<int32_t>{1234}));
  }
}

// "node-696:80:9" and "node-1206:80:14" have the same Hash.string
// (619407232), and "probe-306" routes to that tie. Effect 4.1.0 (checked
// under node) orders tied virtual nodes by key, so "node-1206:80" wins
// whatever the insertion order; 4.0 kept insertion order.
TEST(HashRingTest, TiesBreakByKeyNotInsertionOrder) {
  const RunnerAddress a("node-696", 80);
  const RunnerAddress b("node-1206", 80);
  for (const auto& order :
       {std::vector<RunnerAddress>{a, b}, std::vector<RunnerAddress>{b, a}}) {
    HashRing ring;
    for (const RunnerAddress& node : order) ASSERT_TRUE(ring.Add(node).ok());
    EXPECT_EQ(**ring.Get("probe-306"), b);
  }
}

TEST(HashRingTest, EmptyRing) {
  HashRing ring;
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_FALSE(ring.GetShards(10).has_value());
  EXPECT_FALSE(ring.Get("x")->has_value());
}

TEST(HashRingTest, MembershipAndRemoval) {
  HashRing ring;
  const RunnerAddress a("a", 1);
  const RunnerAddress b("b", 1);
  ASSERT_TRUE(ring.AddMany({a, b}).ok());
  EXPECT_TRUE(ring.Has(a));
  EXPECT_EQ(ring.size(), 2u);
  EXPECT_EQ(ring.virtual_node_count(), 256u);
  ring.Remove(RunnerAddress("c", 1));     // absent: no-op
  ring.Remove(RunnerAddress("\xFF", 1));  // cannot be present: no-op
  EXPECT_EQ(ring.size(), 2u);
  ring.Remove(a);
  EXPECT_FALSE(ring.Has(a));
  EXPECT_EQ(ring.virtual_node_count(), 128u);
  EXPECT_EQ(ring.total_weight(), 1);
  EXPECT_EQ(CountByPort(*ring.GetShards(5)), (std::map<int32_t, int>{{1, 5}}));
  EXPECT_FALSE(ring.Has(RunnerAddress("\xFF", 1)));
}

TEST(HashRingTest, RejectsBadWeightsAndHostsWithoutChanges) {
  HashRing ring;
  ASSERT_TRUE(ring.Add(RunnerAddress("a", 1)).ok());
  for (double weight : {std::numeric_limits<double>::infinity(),
                        -std::numeric_limits<double>::infinity(),
                        std::numeric_limits<double>::quiet_NaN()}) {
    const absl::Status status = ring.Add(RunnerAddress("b", 1), weight);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
  const absl::Status too_heavy = ring.Add(RunnerAddress("b", 1), 1e6);
  EXPECT_EQ(too_heavy.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_heavy.message(),
            "hash ring weight 1000000 gives 128000000 virtual nodes per node, "
            "more than 1048576");
  const absl::Status bad_host =
      ring.AddMany({RunnerAddress("b", 1), RunnerAddress("c\xC3", 1)});
  EXPECT_EQ(bad_host.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_EQ(ring.virtual_node_count(), 128u);
  EXPECT_FALSE(ring.Get("bad\xE0").ok());
}

TEST(HashRingTest, SameWeightReAddKeepsTheRing) {
  HashRing ring;
  ASSERT_TRUE(ring.AddMany(Localhosts({1, 2, 3})).ok());
  const std::vector<RunnerAddress> before = *ring.GetShards(300);
  ASSERT_TRUE(ring.Add(RunnerAddress("localhost", 2)).ok());
  ASSERT_TRUE(ring.AddMany(Localhosts({3, 3})).ok());
  EXPECT_EQ(ring.virtual_node_count(), 384u);
  EXPECT_EQ(*ring.GetShards(300), before);
}

TEST(HashRingTest, MovedRingStillWorks) {
  HashRing ring;
  ASSERT_TRUE(ring.AddMany(Localhosts({1, 2})).ok());
  const std::vector<RunnerAddress> before = *ring.GetShards(50);
  HashRing moved = std::move(ring);
  EXPECT_EQ(*moved.GetShards(50), before);
  moved.Remove(RunnerAddress("localhost", 1));
  EXPECT_EQ(CountByPort(*moved.GetShards(50)),
            (std::map<int32_t, int>{{2, 50}}));
}

// --- Properties ---------------------------------------------------------

struct Member {
  RunnerAddress address;
  double weight;
};

rc::Gen<std::vector<Member>> Members() {
  return rc::gen::map(
      rc::gen::pair(
          rc::gen::uniqueBy<std::vector<int32_t>>(
              rc::gen::inRange<int32_t>(1, 65536), [](int32_t p) { return p; }),
          rc::gen::container<std::vector<double>>(
              12, rc::gen::element(0.1, 0.25, 0.5, 1.0, 1.0, 1.5, 2.0, 3.7))),
      [](const std::pair<std::vector<int32_t>, std::vector<double>>& drawn) {
        std::vector<Member> members;
        for (size_t i = 0; i < drawn.first.size() && i < 12; ++i) {
          members.push_back(
              Member{RunnerAddress("runner", drawn.first[i]), drawn.second[i]});
        }
        return members;
      });
}

HashRing RingOf(const std::vector<Member>& members) {
  HashRing ring;
  for (const Member& m : members) RC_ASSERT(ring.Add(m.address, m.weight).ok());
  return ring;
}

RC_GTEST_PROP(HashRingTest, EveryShardHasALiveOwner, ()) {
  const std::vector<Member> members = *Members();
  const int32_t count = *rc::gen::inRange<int32_t>(0, 700);
  HashRing ring = RingOf(members);
  // Churn: remove some, re-weight some.
  std::vector<RunnerAddress> live;
  for (const Member& m : members) {
    if (*rc::gen::arbitrary<bool>()) {
      ring.Remove(m.address);
    } else {
      live.push_back(m.address);
      if (*rc::gen::arbitrary<bool>()) RC_ASSERT(ring.Add(m.address, 2).ok());
    }
  }
  const std::optional<std::vector<RunnerAddress>> owners =
      ring.GetShards(count);
  RC_ASSERT(owners.has_value() == !live.empty());
  if (!owners.has_value()) return;
  RC_ASSERT(owners->size() == static_cast<size_t>(count));
  for (const RunnerAddress& owner : *owners) {
    RC_ASSERT(std::find(live.begin(), live.end(), owner) != live.end());
  }
}

RC_GTEST_PROP(HashRingTest, IndependentOfOperationOrder, ()) {
  const std::vector<Member> members = *rc::gen::nonEmpty(Members());
  // Fisher-Yates with drawn indexes (this RapidCheck has no gen::shuffle).
  std::vector<Member> shuffled = members;
  for (size_t i = shuffled.size() - 1; i > 0; --i) {
    std::swap(shuffled[i], shuffled[*rc::gen::inRange<size_t>(0, i + 1)]);
  }
  const int32_t count = *rc::gen::inRange<int32_t>(1, 400);
  HashRing ring = RingOf(members);
  // Same set reached another way: shuffled order, each first added at
  // weight 1 and then moved to its final weight.
  HashRing other;
  for (const Member& m : shuffled) RC_ASSERT(other.Add(m.address).ok());
  for (const Member& m : shuffled)
    RC_ASSERT(other.Add(m.address, m.weight).ok());
  RC_ASSERT(ring.total_weight() == other.total_weight());
  RC_ASSERT(*ring.GetShards(count) == *other.GetShards(count));
}

// Adding one runner to n equal runners should move about 1/(n+1) of the
// shards: the new runner's share. Effect's capping pass moves somewhat more
// (over 20000 random cases: mean 1.2x the ideal, worst 2x ideal + 0.095, when
// few shards per runner make the caps cascade). A reshuffle would move ~1-1/n.
RC_GTEST_PROP(HashRingTest, AddingARunnerMovesAboutItsShare, ()) {
  auto ports = *rc::gen::uniqueBy<std::vector<int32_t>>(
      rc::gen::inRange<int32_t>(1, 65536), [](int32_t p) { return p; });
  RC_PRE(ports.size() >= 2);
  if (ports.size() > 17) ports.resize(17);  // 1..16 runners, then one more
  const int32_t count = *rc::gen::inRange<int32_t>(100, 600);
  HashRing ring;
  for (size_t i = 1; i < ports.size(); ++i) {
    RC_ASSERT(ring.Add(RunnerAddress("runner", ports[i])).ok());
  }
  const std::vector<RunnerAddress> before = *ring.GetShards(count);
  RC_ASSERT(ring.Add(RunnerAddress("runner", ports[0])).ok());
  const std::vector<RunnerAddress> after = *ring.GetShards(count);
  int moved = 0;
  for (int32_t s = 0; s < count; ++s) moved += before[s] != after[s];
  const double ideal = 1.0 / static_cast<double>(ports.size());
  RC_ASSERT(static_cast<double>(moved) / count <= 2 * ideal + 0.15);
}

// Adding one runner to n equal runners (a fixed sweep) should move about
// 1/(n+1) of the shards. Effect's capping pass moves some more; the bound
// allows twice the ideal plus a little, and the measured mean is printed.
TEST(HashRingTest, AddingARunnerMovesFewShards) {
  constexpr int32_t kShards = 300;
  double total_fraction = 0;
  double total_ideal = 0;
  int trials = 0;
  double worst_excess = 0;
  for (int n = 1; n <= 12; ++n) {
    for (int variant = 0; variant < 5; ++variant) {
      HashRing ring;
      for (int i = 0; i < n; ++i) {
        ASSERT_TRUE(ring.Add(RunnerAddress("10.0." + std::to_string(variant) +
                                               "." + std::to_string(i),
                                           34431))
                        .ok());
      }
      const std::vector<RunnerAddress> before = *ring.GetShards(kShards);
      ASSERT_TRUE(
          ring.Add(RunnerAddress("10.9.9." + std::to_string(variant), 34431))
              .ok());
      const std::vector<RunnerAddress> after = *ring.GetShards(kShards);
      int moved = 0;
      for (int32_t s = 0; s < kShards; ++s) moved += before[s] != after[s];
      const double fraction = static_cast<double>(moved) / kShards;
      const double ideal = 1.0 / (n + 1);
      EXPECT_LE(fraction, 2 * ideal + 0.05)
          << n << " runners, variant " << variant;
      worst_excess = std::max(worst_excess, fraction / ideal);
      total_fraction += fraction;
      total_ideal += ideal;
      ++trials;
    }
  }
  std::printf(
      "adding a runner to 1..12 equal runners (%d trials, %d shards): mean "
      "fraction moved %.4f vs ideal %.4f; worst trial %.2fx ideal\n",
      trials, kShards, total_fraction / trials, total_ideal / trials,
      worst_excess);
}

}  // namespace
}  // namespace clustersim
