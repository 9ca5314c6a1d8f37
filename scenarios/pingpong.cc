#include "scenarios/pingpong.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/statusor.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/codec/frame.h"
#include "core/runtime/distributions.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "scenarios/harness.h"
#include "sim/duration.h"
#include "sim/world.h"

namespace clustersim::scenarios {
namespace {

constexpr int64_t kPongTimeoutMs = 100;
constexpr int kAttempts = 3;
constexpr int64_t kMinIntervalMs = 5;
constexpr int64_t kMaxIntervalMs = 20;
// Fault-free time after the last fault in which every runner must be
// answered again.
constexpr int64_t kSettleUs = 5'000'000;
// Liveness is judged only over at least this much fault-free time (a run
// without timed faults may be shorter than kSettleUs).
constexpr int64_t kMinLivenessWindowUs = 1'000'000;

constexpr std::string_view kNoDedup = "pingpong-no-dedup";

// A ping or a pong: the pinger's incarnation, its sequence number and the
// nonce it drew. A pong echoes the ping it answers.
struct Message {
  uint32_t incarnation = 0;
  uint64_t seq = 0;
  uint64_t nonce = 0;
};

std::string Encode(codec::FrameKind kind, const Message& m) {
  codec::ByteWriter body;
  body.PutVarint(m.incarnation);
  body.PutVarint(m.seq);
  body.PutFixed64(m.nonce);
  return codec::EncodeFrame(kind, body.data());
}

absl::StatusOr<Message> DecodeBody(std::string_view body) {
  codec::ByteReader reader(body);
  Message m;
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t incarnation, reader.GetVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(m.seq, reader.GetVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(m.nonce, reader.GetFixed64());
  CLUSTERSIM_RETURN_IF_ERROR(reader.ExpectEnd());
  if (incarnation == 0 || incarnation > sim::World::kMaxIncarnations) {
    return absl::InvalidArgumentError("malformed: incarnation out of range");
  }
  m.incarnation = static_cast<uint32_t>(incarnation);
  return m;
}

std::string Who(uint32_t node, uint32_t incarnation) {
  return "n" + std::to_string(node) + "." + std::to_string(incarnation);
}

// The checker: sees what every runner sends and accepts, from outside the
// nodes, so it survives their crashes.
class Oracle {
 public:
  explicit Oracle(SimHarness& harness) : h_(harness) {}

  void Started(NodeId node, uint32_t incarnation) {
    incarnations_[node.value] = {incarnation, h_.world().now_us()};
  }

  void PingSent(NodeId from, uint32_t incarnation, NodeId to,
                const Message& m) {
    ++pings_sent_;
    sent_[Key{from.value, incarnation, m.seq}] = Sent{to.value, m.nonce};
  }

  void PingDelivered(NodeId to, uint32_t to_incarnation, NodeId from,
                     const Message& m) {
    ++pings_delivered_;
    auto it = sent_.find(Key{from.value, m.incarnation, m.seq});
    if (it == sent_.end() || it->second.peer != to.value ||
        it->second.nonce != m.nonce) {
      h_.Violate("ping-was-sent",
                 Who(to.value, to_incarnation) + " accepted ping seq " +
                     std::to_string(m.seq) + " from " +
                     Who(from.value, m.incarnation) + " that was never sent");
    }
    if (!delivered_
             .insert(
                 {to.value, to_incarnation, from.value, m.incarnation, m.seq})
             .second) {
      h_.Violate("at-most-once-delivery", Who(to.value, to_incarnation) +
                                              " delivered ping seq " +
                                              std::to_string(m.seq) + " from " +
                                              Who(from.value, m.incarnation) +
                                              " to its application twice");
    }
  }

  void PongAccepted(NodeId node, uint32_t incarnation, NodeId peer,
                    const Message& pong) {
    ++pongs_accepted_;
    auto it = sent_.find(Key{node.value, incarnation, pong.seq});
    if (pong.incarnation != incarnation || it == sent_.end() ||
        it->second.peer != peer.value || it->second.nonce != pong.nonce) {
      h_.Violate("pong-matches-ping",
                 Who(node.value, incarnation) + " accepted a pong from n" +
                     std::to_string(peer.value) + " for seq " +
                     std::to_string(pong.seq) +
                     " that answers no ping it sent");
    }
    last_pong_us_[node.value] = {incarnation, h_.world().now_us()};
  }

  void Malformed() { ++malformed_; }
  void DuplicateSuppressed() { ++duplicates_suppressed_; }
  void StalePong() { ++stale_pongs_; }

  // Liveness, judged at the end of the run.
  void CheckLiveness() {
    sim::World& world = h_.world();
    std::vector<uint32_t> up;
    for (uint32_t n = 1; n <= world.node_count(); ++n) {
      if (world.state(NodeId{n}) == sim::NodeState::kUp) up.push_back(n);
    }
    if (up.size() < 2 || h_.stopped_early()) return;
    for (uint32_t n : up) {
      const auto [incarnation, started_us] = incarnations_.at(n);
      const int64_t since_us = std::max(h_.quiet_time_us(), started_us);
      if (world.now_us() - since_us < kMinLivenessWindowUs) continue;
      auto it = last_pong_us_.find(n);
      if (it != last_pong_us_.end() && it->second.first == incarnation &&
          it->second.second >= since_us) {
        continue;
      }
      h_.Violate("liveness", Who(n, incarnation) + " got no reply from " +
                                 sim::FormatDurationUs(since_us) +
                                 " (after the last fault) to the end");
    }
  }

  void AddStats() {
    h_.AddStat("pings_sent", pings_sent_);
    h_.AddStat("pings_delivered", pings_delivered_);
    h_.AddStat("duplicates_suppressed", duplicates_suppressed_);
    h_.AddStat("pongs_accepted", pongs_accepted_);
    h_.AddStat("stale_pongs", stale_pongs_);
    h_.AddStat("malformed_rejected", malformed_);
  }

 private:
  struct Key {
    uint32_t node;
    uint32_t incarnation;
    uint64_t seq;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  struct Sent {
    uint32_t peer;
    uint64_t nonce;
  };

  SimHarness& h_;
  absl::btree_map<Key, Sent> sent_;
  absl::btree_set<std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, uint64_t>>
      delivered_;
  absl::btree_map<uint32_t, std::pair<uint32_t, int64_t>> incarnations_;
  absl::btree_map<uint32_t, std::pair<uint32_t, int64_t>> last_pong_us_;
  int64_t pings_sent_ = 0;
  int64_t pings_delivered_ = 0;
  int64_t duplicates_suppressed_ = 0;
  int64_t pongs_accepted_ = 0;
  int64_t stale_pongs_ = 0;
  int64_t malformed_ = 0;
};

class Runner : public Process {
 public:
  Runner(const NodeEnv& env, Oracle* oracle, uint32_t runners, bool dedup)
      : env_(env), oracle_(oracle), runners_(runners), dedup_(dedup) {
    oracle_->Started(env.self, env.incarnation);
    env.scope->Spawn(PingLoop(this), "ping");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    absl::StatusOr<codec::Frame> frame = codec::DecodeFrame(bytes);
    absl::StatusOr<Message> m =
        frame.ok() ? DecodeBody(frame->body) : frame.status();
    if (!m.ok() || (frame->kind != codec::FrameKind::kPing &&
                    frame->kind != codec::FrameKind::kPong)) {
      oracle_->Malformed();
      env_.trace->Record("pp.malformed", "from n" + std::to_string(from.value));
      return;
    }
    if (frame->kind == codec::FrameKind::kPing) {
      OnPing(from, *m);
    } else {
      OnPong(from, *m);
    }
  }

 private:
  struct Outstanding {
    NodeId peer;
    uint64_t seq;
    uint64_t nonce;
  };

  void OnPing(NodeId from, const Message& ping) {
    // Every copy is answered (the pinger may be retrying); the application
    // sees each ping once.
    env_.transport->Send(from, Encode(codec::FrameKind::kPong, ping));
    if (dedup_ &&
        !delivered_.insert({from.value, ping.incarnation, ping.seq}).second) {
      oracle_->DuplicateSuppressed();
      return;
    }
    env_.trace->Record("pp.ping", Who(from.value, ping.incarnation) + " seq " +
                                      std::to_string(ping.seq));
    oracle_->PingDelivered(env_.self, env_.incarnation, from, ping);
  }

  void OnPong(NodeId from, const Message& pong) {
    if (!outstanding_.has_value() || outstanding_->peer != from ||
        pong.incarnation != env_.incarnation || pong.seq != outstanding_->seq ||
        pong.nonce != outstanding_->nonce) {
      oracle_->StalePong();
      return;
    }
    outstanding_.reset();
    env_.trace->Record("pp.pong", "n" + std::to_string(from.value) + " seq " +
                                      std::to_string(pong.seq));
    oracle_->PongAccepted(env_.self, env_.incarnation, from, pong);
    answered_.Open();
  }

  NodeId RandomPeer() {
    uint32_t peer =
        static_cast<uint32_t>(UniformInt(*env_.random, 1, runners_ - 1));
    if (peer >= env_.self.value) ++peer;
    return NodeId{peer};
  }

  static Task<void> PingLoop(Runner* self) {
    for (uint64_t seq = 1;; ++seq) {
      const NodeId peer = self->RandomPeer();
      const Message ping{self->env_.incarnation, seq,
                         self->env_.random->NextU64()};
      self->outstanding_ = Outstanding{peer, seq, ping.nonce};
      self->oracle_->PingSent(self->env_.self, self->env_.incarnation, peer,
                              ping);
      for (int attempt = 0; attempt < kAttempts; ++attempt) {
        self->answered_.Close();
        self->env_.transport->Send(peer, Encode(codec::FrameKind::kPing, ping));
        if (co_await self->answered_.WaitFor(kPongTimeoutMs)) break;
      }
      self->outstanding_.reset();
      co_await SleepMs(
          UniformInt(*self->env_.random, kMinIntervalMs, kMaxIntervalMs));
    }
  }

  NodeEnv env_;
  Oracle* oracle_;
  uint32_t runners_;
  bool dedup_;
  std::optional<Outstanding> outstanding_;
  Latch answered_;
  absl::btree_set<std::tuple<uint32_t, uint32_t, uint64_t>> delivered_;
};

absl::StatusOr<RunResult> RunPingPong(const RunOptions& options) {
  CHECK(options.runners >= 2);
  const uint32_t runners = static_cast<uint32_t>(options.runners);
  const bool dedup = options.bug != kNoDedup;
  SimHarness harness(options, sim::LinkConfig{});
  // Destroyed before the harness: the runners' teardown (when the World
  // goes) never calls the oracle.
  Oracle oracle(harness);
  for (uint32_t i = 1; i <= runners; ++i) {
    harness.AddNode(
        "n" + std::to_string(i), [&oracle, runners, dedup](const NodeEnv& env) {
          return std::make_unique<Runner>(env, &oracle, runners, dedup);
        });
  }
  CLUSTERSIM_RETURN_IF_ERROR(harness.Run(kSettleUs));
  oracle.CheckLiveness();
  oracle.AddStats();
  RunResult result = harness.Finish();
  return result;
}

}  // namespace

Scenario PingPongScenario() {
  return Scenario{
      .name = "pingpong",
      .description =
          "runners ping random peers with framed messages over the faulty "
          "network; checks no phantom/corrupted/stale message is accepted, "
          "at-most-once delivery, and liveness after the last fault",
      .default_runners = 3,
      .min_runners = 2,
      .max_runners = 1000,
      // No core code runs: the frames, dedup and checks are the same in
      // both modes.
      .mode_dependent = false,
      .mutants = {{std::string(kNoDedup),
                   "the receiver hands duplicated pings to its application"}},
      .run = &RunPingPong,
  };
}

}  // namespace clustersim::scenarios
