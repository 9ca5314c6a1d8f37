// Test fixtures for Sharding on a ManualExecutor: Effect's TestEntity (the
// entity of Sharding.test.ts), a tiny in-memory network between test nodes
// (fixed latency, node crashes, partitions), and a runner node bundling the
// node environment, the storage client, the RPC endpoint, Sharding and its
// RunnerServer.
// Test-only. Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_SHARDING_TESTING_H_
#define CLUSTERSIM_CORE_SHARDING_SHARDING_TESTING_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/cluster/cluster_metrics.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity.h"
#include "core/sharding/runner_server.h"
#include "core/sharding/sharding.h"
#include "core/sharding/test_env.h"
#include "core/sharding/test_storage.h"
#include "core/storage/local_storage_client.h"
#include "core/storage/storage_state.h"

namespace clustersim::sharding::testing {

inline constexpr int64_t kStartMs = 1'767'225'600'000;  // 2026-01-01
inline const EntityType kTestEntity("TestEntity");

// What every generation of TestEntity handlers shares (the test's view).
struct TestEntityState {
  int builds = 0;
  // GetUser dies once while set (then clears it).
  bool defect_trigger = false;
  int interrupts = 0;
  // Requests that reached a handler, in order (tag and request id).
  std::vector<std::pair<std::string, Snowflake>> handled;
  int64_t running = 0;
  // RequestWithKey completes once this opens.
  Latch token;
  // StreamWithKey emits these (nullopt ends the stream).
  Queue<std::optional<int>> stream_items;
  // Stream chunk values received by the handler's resumption point.
  std::vector<std::optional<storage::Chunk>> stream_starts;
};

class TestEntityHandler : public EntityHandler {
 public:
  explicit TestEntityHandler(TestEntityState* state) : state_(state) {}

  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter* chunks) override {
    state_->handled.emplace_back(request.tag, request.request_id);
    const std::string& tag = request.tag;
    if (tag == "GetUser" || tag == "GetUserVolatile") {
      if (state_->defect_trigger) {
        state_->defect_trigger = false;
        co_return storage::Exit::Failure(
            storage::Cause{storage::CauseKind::kDie, "boom"});
      }
      co_return storage::Exit::Success(absl::StrCat("User ", request.payload));
    }
    if (tag == "Never" || tag == "NeverFork" || tag == "NeverVolatile") {
      co_await Never();
      co_return storage::Exit::Success("");
    }
    if (tag == "Fail") {
      co_return storage::Exit::Failure(
          storage::Cause{storage::CauseKind::kFail, "BoomError"});
    }
    if (tag == "RequestWithKey") {
      co_await state_->token.Wait();
      co_return storage::Exit::Success("");
    }
    if (tag == "GetAllUsers") {
      for (absl::string_view id : absl::StrSplit(request.payload, ',')) {
        std::vector<std::string> values = {absl::StrCat("User ", id)};
        absl::Status emitted = co_await chunks->Emit(std::move(values));
        if (!emitted.ok()) {
          co_return storage::Exit::Failure(
              storage::Cause{storage::CauseKind::kDie, "emit failed"});
        }
      }
      co_return storage::Exit::Success("");
    }
    if (tag == "StreamWithKey") {
      state_->stream_starts.push_back(request.last_sent_chunk);
      for (;;) {
        std::optional<std::optional<int>> item =
            co_await state_->stream_items.Receive();
        if (!item.has_value() || !item->has_value()) break;
        std::vector<std::string> values = {absl::StrCat(**item)};
        absl::Status emitted = co_await chunks->Emit(std::move(values));
        if (!emitted.ok()) break;
      }
      co_return storage::Exit::Success("");
    }
    co_return storage::Exit::Failure(
        storage::Cause{storage::CauseKind::kDie, "unknown tag"});
  }

 private:
  // Counts the run as interrupted if its frame is destroyed.
  struct NeverGuard {
    TestEntityState* state;
    ~NeverGuard() { ++state->interrupts; }
  };
  Task<void> Never() {
    NeverGuard guard{state_};
    ++state_->running;
    co_await clustersim::Never();
  }

  TestEntityState* state_;
};

inline RpcSpec Rpc(std::string tag, bool persisted, bool stream = false) {
  RpcSpec spec;
  spec.tag = std::move(tag);
  spec.persisted = persisted;
  spec.stream = stream;
  return spec;
}

// Effect's TestEntity: every RPC persisted except the *Volatile ones.
inline EntityDefinition TestEntityDefinition() {
  EntityOptions options;
  // Effect's NeverFork bypasses the concurrency semaphore.
  options.concurrency = 1000;
  EntityDefinition definition(kTestEntity, options);
  definition.Add(Rpc("GetUser", true))
      .Add(Rpc("GetUserVolatile", false))
      .Add(Rpc("Never", true))
      .Add(Rpc("NeverFork", true))
      .Add(Rpc("NeverVolatile", false))
      .Add(Rpc("Fail", true));
  RpcSpec with_key = Rpc("RequestWithKey", true);
  with_key.primary_key = [](std::string_view payload) {
    return std::optional<std::string>(std::string(payload));
  };
  definition.Add(std::move(with_key));
  RpcSpec stream_with_key = Rpc("StreamWithKey", true, true);
  stream_with_key.primary_key = [](std::string_view payload) {
    return std::optional<std::string>(std::string(payload));
  };
  definition.Add(std::move(stream_with_key));
  definition.Add(Rpc("GetAllUsers", true, true));
  return definition;
}

inline EntityFactory TestEntityFactory(TestEntityState* state) {
  return [state](
             EntityContext&) -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
    ++state->builds;
    return std::make_unique<TestEntityHandler>(state);
  };
}

// Effect's TestSharding configuration.
inline ShardingConfig TestConfig(int32_t port = 34431) {
  ShardingConfig config;
  config.runner_address = RunnerAddress("localhost", port);
  config.shards_per_group = 300;
  config.entity_mailbox_capacity = 10;
  config.entity_termination_timeout_ms = 0;
  config.entity_message_poll_interval_ms = 5'000;
  config.send_retry_interval_ms = 100;
  config.refresh_assignments_interval_ms = 0;
  return config;
}

// Carries bytes between test nodes with a fixed latency; drops them to
// crashed nodes and across partitions.
class TestNetwork {
 public:
  using Receiver = std::function<void(NodeId from, std::string bytes)>;

  TestNetwork(ManualExecutor& executor, int64_t latency_us)
      : executor_(executor), latency_us_(latency_us) {}
  ~TestNetwork() {
    for (auto& [id, delivery] : in_flight_) executor_.Cancel(TimerId{id});
  }

  void Attach(NodeId node, Receiver receiver) {
    receivers_[node.value] = std::move(receiver);
  }
  void Detach(NodeId node) { receivers_.erase(node.value); }
  // Cuts both directions between a and b.
  void Partition(NodeId a, NodeId b) {
    blocked_.insert({a.value, b.value});
    blocked_.insert({b.value, a.value});
  }
  void Heal() { blocked_.clear(); }

  void Send(NodeId from, NodeId to, std::string bytes) {
    if (blocked_.contains({from.value, to.value})) return;
    auto delivery = std::make_unique<Delivery>(
        Delivery{this, from, to, std::move(bytes), TimerId{}});
    Delivery* raw = delivery.get();
    raw->timer = executor_.Schedule(latency_us_, Action{&Deliver, raw});
    in_flight_.emplace(raw->timer.value, std::move(delivery));
  }

 private:
  struct Delivery {
    TestNetwork* network;
    NodeId from, to;
    std::string bytes;
    TimerId timer;
  };
  static void Deliver(void* p) {
    auto* delivery = static_cast<Delivery*>(p);
    TestNetwork* network = delivery->network;
    auto owned = std::move(network->in_flight_.at(delivery->timer.value));
    network->in_flight_.erase(delivery->timer.value);
    if (network->blocked_.contains({owned->from.value, owned->to.value})) {
      return;
    }
    auto it = network->receivers_.find(owned->to.value);
    if (it != network->receivers_.end()) {
      Receiver receiver = it->second;
      receiver(owned->from, std::move(owned->bytes));
    }
  }

  ManualExecutor& executor_;
  int64_t latency_us_;
  std::map<uint32_t, Receiver> receivers_;
  std::set<std::pair<uint32_t, uint32_t>> blocked_;
  std::map<uint64_t, std::unique_ptr<Delivery>> in_flight_;
};

// One runner (or client-only node) over shared storage.
class TestNode {
 public:
  TestNode(ManualExecutor& executor, storage::StorageState& state,
           ShardingConfig config, NodeId node, TestNetwork* network,
           const RunnerResolver& resolver,
           Sharding::HealthCheck health = Sharding::HealthCheck::kNoop)
      : node_(node),
        network_(network),
        env_(executor, node),
        local_(state, executor),
        storage(local_),
        rpc_(env_.env()),
        sharding(std::move(config), env_.env(), storage, rpc_, resolver,
                 metrics, Sharding::Options{health}),
        server_(sharding, rpc_, env_.env()) {
    if (network_ != nullptr) {
      env_.transport().set_handler([this](NodeId to, std::string bytes) {
        network_->Send(node_, to, std::move(bytes));
      });
      network_->Attach(node_, [this](NodeId from, std::string bytes) {
        (void)rpc_.HandleMessage(from, bytes);
      });
    }
  }
  ~TestNode() {
    if (network_ != nullptr) network_->Detach(node_);
    // Fibers first: they refer to everything below.
    env_.scope().Close();
  }

  // Kill -9: every fiber gone at once, nothing received any more.
  void Crash() {
    if (network_ != nullptr) network_->Detach(node_);
    env_.scope().Close();
  }

  NodeId node() const { return node_; }
  const NodeEnv& env() const { return env_.env(); }
  Scope& scope() { return env_.scope(); }
  RecordingTrace& trace() { return env_.trace(); }

 private:
  NodeId node_;
  TestNetwork* network_;
  TestEnv env_;
  storage::LocalStorageClient local_;

 public:
  TestStorage storage;
  ClusterMetrics metrics;

 private:
  RpcEndpoint rpc_;

 public:
  Sharding sharding;

 private:
  RunnerServer server_;
};

// Replaces `node` with runner node 1 (no network) running Effect's
// TestEntity, registered with `entity` as its state (only defined when
// `entity` is null), and runs until the runner holds its shards.
inline TestNode& StartTestEntityRunner(std::unique_ptr<TestNode>& node,
                                       ManualExecutor& ex,
                                       storage::StorageState& state,
                                       const ShardingConfig& config,
                                       const RunnerResolver& resolver,
                                       TestEntityState* entity) {
  node = std::make_unique<TestNode>(ex, state, config, NodeId{1}, nullptr,
                                    resolver);
  if (entity != nullptr) {
    EXPECT_TRUE(
        node->sharding
            .RegisterEntity(TestEntityDefinition(), TestEntityFactory(entity))
            .ok());
  } else {
    node->sharding.DefineEntity(TestEntityDefinition());
  }
  node->sharding.Start();
  ex.RunForMs(10);
  EXPECT_EQ(node->sharding.acquired_shards().size(),
            static_cast<size_t>(config.shards_per_group));
  return *node;
}

// --- Calls from test fibers
// ---------------------------------------------------

using CallResult = std::optional<absl::StatusOr<storage::Exit>>;

inline Task<void> CallInto(Sharding* sharding, EntityType type, std::string id,
                           std::string tag, std::string payload,
                           CallResult* out) {
  EntityId entity(std::move(id));
  *out = co_await sharding->Send(std::move(type), std::move(entity),
                                 std::move(tag), std::move(payload));
}

// Calls TestEntity `id` from a fiber of `node`; the result lands in `out`.
inline FiberId CallTestEntity(TestNode& node, std::string id, std::string tag,
                              std::string payload, CallResult* out) {
  return node.scope().Spawn(CallInto(&node.sharding, kTestEntity, std::move(id),
                                     std::move(tag), std::move(payload), out));
}

inline Task<void> StreamInto(Sharding* sharding, std::string id,
                             std::string tag, std::string payload,
                             std::vector<std::string>* chunks,
                             CallResult* out) {
  Sharding::CallOptions options;
  options.on_chunk = [chunks](const std::vector<std::string>& values) {
    chunks->insert(chunks->end(), values.begin(), values.end());
  };
  EntityId entity(std::move(id));
  *out = co_await sharding->Send(kTestEntity, std::move(entity), std::move(tag),
                                 std::move(payload), std::move(options));
}

inline Task<void> DiscardInto(Sharding* sharding, std::string id,
                              std::string tag, std::string payload,
                              std::optional<absl::Status>* out) {
  EntityId entity(std::move(id));
  *out = co_await sharding->SendDiscard(kTestEntity, std::move(entity),
                                        std::move(tag), std::move(payload));
}

inline Task<void> ShutdownInto(Sharding* sharding, bool* done) {
  co_await sharding->Shutdown();
  *done = true;
}

inline std::string SuccessValue(const CallResult& result) {
  if (!result.has_value()) return "<pending>";
  if (!result->ok()) return result->status().ToString();
  if (!(*result)->is_success()) {
    return absl::StrCat("<failure: ", (*result)->cause().message, ">");
  }
  return (*result)->value();
}

// An int64 as a signed varint: the number codec of the typed RPC tests.
inline void EncodeNumber(const int64_t& value, codec::ByteWriter& writer) {
  writer.PutSignedVarint(value);
}
inline absl::StatusOr<int64_t> DecodeNumber(codec::ByteReader& reader) {
  return reader.GetSignedVarint();
}

// Rows of a copy of the store that a read would return now (no claims are
// taken on the real store).
inline int64_t UnprocessedCount(const storage::StorageState& state,
                                const ShardingConfig& config, int64_t now_ms) {
  storage::MessageStore copy = state.messages();
  storage::UnprocessedQuery query;
  for (const std::string& group : config.available_shard_groups) {
    for (int32_t i = 1; i <= config.shards_per_group; ++i) {
      query.shards.emplace_back(group, i);
    }
  }
  absl::StatusOr<std::vector<storage::StoredMessage>> rows =
      copy.UnprocessedMessages(
          query, now_ms + storage::MessageStore::kClaimExpirationMs + 1,
          now_ms);
  return rows.ok() ? static_cast<int64_t>(rows->size()) : -1;
}

}  // namespace clustersim::sharding::testing

#endif  // CLUSTERSIM_CORE_SHARDING_SHARDING_TESTING_H_
