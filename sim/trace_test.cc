#include "sim/trace.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

TraceRecorder Sample(bool keep) {
  TraceRecorder trace(keep);
  trace.Record(0, 1, "node.start", "incarnation=1");
  trace.RecordRun(10, 1);
  trace.Record(20, kWorldNode, "net.send", "from=1 to=2");
  return trace;
}

TEST(TraceRecorderTest, SameEventsGiveTheSameHashWhetherKeptOrNot) {
  TraceRecorder a = Sample(false);
  TraceRecorder b = Sample(true);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(a.count(), 3u);
  EXPECT_TRUE(a.events().empty());
  ASSERT_EQ(b.events().size(), 3u);
  EXPECT_EQ(b.events()[1], (TraceEvent{10, 1, "run", ""}));
  EXPECT_EQ(b.events()[2],
            (TraceEvent{20, kWorldNode, "net.send", "from=1 to=2"}));
}

TEST(TraceRecorderTest, EveryFieldOfAnEventChangesTheHash) {
  const uint64_t base = Sample(false).hash();
  auto with = [](int64_t time_us, uint32_t node, const char* kind,
                 const char* detail) {
    TraceRecorder trace;
    trace.Record(0, 1, "node.start", "incarnation=1");
    trace.RecordRun(10, 1);
    trace.Record(time_us, node, kind, detail);
    return trace.hash();
  };
  EXPECT_EQ(with(20, kWorldNode, "net.send", "from=1 to=2"), base);
  EXPECT_NE(with(21, kWorldNode, "net.send", "from=1 to=2"), base);
  EXPECT_NE(with(20, 2, "net.send", "from=1 to=2"), base);
  EXPECT_NE(with(20, kWorldNode, "net.sent", "from=1 to=2"), base);
  EXPECT_NE(with(20, kWorldNode, "net.send", "from=1 to=3"), base);
  // Moving bytes between kind and detail is a different event too.
  EXPECT_NE(with(20, kWorldNode, "net.sendf", "rom=1 to=2"), base);
}

TEST(TraceRecorderTest, OrderMatters) {
  TraceRecorder a, b;
  a.RecordRun(1, 1);
  a.RecordRun(1, 2);
  b.RecordRun(1, 2);
  b.RecordRun(1, 1);
  EXPECT_NE(a.hash(), b.hash());
}

TEST(TraceRecorderTest, NumberEventsHashTheNumbersNotTheRenderedDetail) {
  const uint64_t numbers[] = {17, 1, 2};
  TraceRecorder kept(true), bare(false);
  kept.RecordNumbers(5, 1, "net.send", numbers, "#17 1->2");
  bare.RecordNumbers(5, 1, "net.send", numbers, "");
  EXPECT_EQ(kept.hash(), bare.hash());
  EXPECT_EQ(kept.events().back(), (TraceEvent{5, 1, "net.send", "#17 1->2"}));
  const uint64_t other[] = {17, 1, 3};
  TraceRecorder changed;
  changed.RecordNumbers(5, 1, "net.send", other, "");
  EXPECT_NE(changed.hash(), bare.hash());
}

TEST(PayloadDigestTest, SeesEveryByteAndTheLength) {
  const std::string base = "the quick brown fox jumps";
  const uint32_t digest = PayloadDigest(base);
  EXPECT_EQ(PayloadDigest(base), digest);
  for (size_t i = 0; i < base.size(); ++i) {
    std::string flipped = base;
    flipped[i] = static_cast<char>(flipped[i] ^ 1);
    EXPECT_NE(PayloadDigest(flipped), digest) << i;
  }
  EXPECT_NE(PayloadDigest(std::string("\0", 1)), PayloadDigest(""));
  EXPECT_NE(PayloadDigest(std::string("ab\0", 3)), PayloadDigest("ab"));
}

// Golden values: every recorded trace hash depends on them, so a faster
// fold or digest must give exactly these (any host, any length's tail).
TEST(TraceRecorderTest, HashAndDigestAreTheGoldenValuesForEveryTailLength) {
  const std::string text = "\xff\x80the quick brown fox jumps over";
  TraceRecorder trace;
  std::vector<uint32_t> digests;
  for (size_t n = 0; n <= 20; ++n) {
    const std::string_view detail = std::string_view(text).substr(0, n);
    trace.Record(static_cast<int64_t>(n), 1, detail, detail);
    digests.push_back(PayloadDigest(detail));
  }
  EXPECT_EQ(trace.hash(), 0xd10ee04e6927f25full);
  EXPECT_EQ(digests,
            (std::vector<uint32_t>{
                0x7b1dcdaf, 0xe028a229, 0xb473d845, 0x8ec2848c, 0xc8cc3602,
                0xcf164df3, 0x0a56bcb2, 0x3c91c57a, 0xaf8896aa, 0x05aa8a91,
                0x2c8c3555, 0x5f813039, 0x9c88fc6c, 0x4325eabe, 0x0060072c,
                0x2849ede5, 0xc64c40b6, 0x56159ee3, 0xc9c1a290, 0x97cd0e64,
                0xd3f5e744}));
}

class Collector : public TraceListener {
 public:
  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override {
    seen.push_back(
        TraceEvent{time_us, node, std::string(kind), std::string(detail)});
  }
  std::vector<TraceEvent> seen;
};

TEST(TraceRecorderTest, ListenerSeesRecordedEventsAndLeavesTheHashAlone) {
  Collector collector;
  TraceRecorder listened;
  listened.set_listener(&collector);
  const uint64_t numbers[] = {1, 2};
  listened.Record(5, 1, "entity.start", "A runner=h:1");
  listened.RecordRun(6, 1);
  listened.RecordNumbers(7, 1, "net.send", numbers, "");
  listened.Record(8, 2, "node.crash", "incarnation=1");
  listened.set_listener(nullptr);
  listened.Record(9, 2, "node.start", "incarnation=2");
  EXPECT_EQ(collector.seen,
            (std::vector<TraceEvent>{{5, 1, "entity.start", "A runner=h:1"},
                                     {8, 2, "node.crash", "incarnation=1"}}));
  TraceRecorder plain;
  plain.Record(5, 1, "entity.start", "A runner=h:1");
  plain.RecordRun(6, 1);
  plain.RecordNumbers(7, 1, "net.send", numbers, "");
  plain.Record(8, 2, "node.crash", "incarnation=1");
  plain.Record(9, 2, "node.start", "incarnation=2");
  EXPECT_EQ(listened.hash(), plain.hash());
}

}  // namespace
}  // namespace clustersim::sim
