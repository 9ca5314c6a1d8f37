#include "core/rpc/rpc_endpoint.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "core/codec/frame.h"
#include "core/runtime/manual_executor.h"

namespace clustersim {
namespace {

constexpr RpcMethod kEcho = 1;
constexpr RpcMethod kSlow = 2;
constexpr RpcMethod kFail = 3;
constexpr RpcMethod kNote = 4;

class CountingRandom : public Random {
 public:
  explicit CountingRandom(uint64_t start) : next_(start) {}
  uint64_t NextU64() override { return next_++; }

 private:
  uint64_t next_;
};

class NullTrace : public TraceSink {
 public:
  void Record(std::string_view, std::string_view) override {}
};

struct Net;

// Two nodes on one ManualExecutor; the link delays each message by 1 ms and
// can drop or duplicate the next messages, or drop the next ones a given
// node sends.
class LinkTransport : public Transport {
 public:
  LinkTransport(Net* net, NodeId self) : net_(net), self_(self) {}
  void Send(NodeId to, std::string bytes) override;

 private:
  Net* net_;
  NodeId self_;
};

struct Node {
  Node(Net* net, ManualExecutor& ex, NodeId id, uint64_t seed,
       RpcOptions options)
      : random(seed), scope(ex), transport(net, id) {
    env = NodeEnv{id, 1, &ex, &random, &transport, &trace, &scope};
    endpoint = std::make_unique<RpcEndpoint>(env, options);
  }
  CountingRandom random;
  NullTrace trace;
  Scope scope;
  LinkTransport transport;
  NodeEnv env;
  std::unique_ptr<RpcEndpoint> endpoint;
};

struct InFlight {
  Net* net;
  NodeId from, to;
  std::string bytes;
};

struct Net {
  ManualExecutor ex;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<InFlight>> in_flight;
  int drop_next = 0;
  int duplicate_next = 0;
  int corrupt_next = 0;
  NodeId drop_from{0};
  int drop_from_next = 0;

  explicit Net(RpcOptions options = {}) {
    nodes.push_back(std::make_unique<Node>(this, ex, NodeId{1}, 100, options));
    nodes.push_back(std::make_unique<Node>(this, ex, NodeId{2}, 200, options));
  }
  ~Net() {
    for (auto& n : nodes) n->scope.Close();
  }
  Node& node(uint32_t id) { return *nodes[id - 1]; }

  static void Arrive(void* p) {
    auto* m = static_cast<InFlight*>(p);
    Node* target = m->net->nodes[m->to.value - 1].get();
    if (target->endpoint) {
      (void)target->endpoint->HandleMessage(m->from, m->bytes);
    }
  }
  void Send(NodeId from, NodeId to, std::string bytes) {
    if (drop_next > 0) {
      --drop_next;
      return;
    }
    if (drop_from_next > 0 && from == drop_from) {
      --drop_from_next;
      return;
    }
    if (corrupt_next > 0) {
      --corrupt_next;
      bytes[bytes.size() / 2] ^= 0x10;
    }
    int copies = 1;
    if (duplicate_next > 0) {
      --duplicate_next;
      copies = 2;
    }
    for (int i = 0; i < copies; ++i) {
      in_flight.push_back(
          std::make_unique<InFlight>(InFlight{this, from, to, bytes}));
      ex.Schedule(1000 * (i + 1), Action{&Arrive, in_flight.back().get()});
    }
  }
};

void LinkTransport::Send(NodeId to, std::string bytes) {
  net_->Send(self_, to, std::move(bytes));
}

// A server with an echo, a slow method, a failing method and a notification.
struct Server {
  int echo_runs = 0;
  std::vector<std::string> notes;

  Task<absl::StatusOr<std::string>> Echo(std::string request) {
    ++echo_runs;
    co_return "echo:" + request;
  }
  Task<absl::StatusOr<std::string>> Slow(std::string request) {
    co_await SleepMs(500);
    co_return request;
  }
  Task<absl::StatusOr<std::string>> Fail(std::string) {
    absl::Status status = absl::UnavailableError("storage down");
    status.SetPayload("clustersim.test", absl::Cord("typed"));
    co_return status;
  }

  void Install(RpcEndpoint& endpoint) {
    endpoint.Register(
        kEcho, [this](NodeId, std::string r) { return Echo(std::move(r)); });
    endpoint.Register(
        kSlow, [this](NodeId, std::string r) { return Slow(std::move(r)); });
    endpoint.Register(
        kFail, [this](NodeId, std::string r) { return Fail(std::move(r)); });
    endpoint.RegisterNotify(kNote, [this](NodeId, std::string m) {
      notes.push_back(std::move(m));
    });
  }
};

Task<void> CallInto(RpcEndpoint* endpoint, RpcMethod method,
                    std::string request, int64_t timeout_ms,
                    std::optional<absl::StatusOr<std::string>>* out) {
  *out = co_await endpoint->Call(NodeId{2}, method, std::move(request),
                                 timeout_ms);
}

TEST(RpcEndpointTest, CallReturnsHandlerResult) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "hi", 100, &out));
  net.ex.RunUntilIdle();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(**out, "echo:hi");
  EXPECT_EQ(net.ex.NowMs(), 2);  // one round trip
  EXPECT_EQ(net.node(1).endpoint->pending_calls(), 0u);
}

TEST(RpcEndpointTest, ErrorsCrossTheWireWithPayloads) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out, unknown;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kFail, "", 100, &out));
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), 99, "", 100, &unknown));
  net.ex.RunUntilIdle();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(out->status().message(), "storage down");
  EXPECT_EQ(out->status().GetPayload("clustersim.test"), absl::Cord("typed"));
  EXPECT_EQ(unknown->status().code(), absl::StatusCode::kUnimplemented);
}

TEST(RpcEndpointTest, TimeoutWhenRequestIsLostOrSlow) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> lost, slow;
  net.drop_next = 1;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "x", 50, &lost));
  net.ex.RunUntilIdle();
  EXPECT_EQ(lost->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.echo_runs, 0);

  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kSlow, "x", 100, &slow));
  net.ex.RunUntilIdle();  // the late response is ignored
  EXPECT_EQ(slow->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(net.node(1).endpoint->pending_calls(), 0u);
}

TEST(RpcEndpointTest, DuplicatedRequestRunsHandlerOnce) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  net.duplicate_next = 2;  // the request and the response
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "d", 100, &out));
  net.ex.RunUntilIdle();
  EXPECT_EQ(**out, "echo:d");
  EXPECT_EQ(server.echo_runs, 1);
  EXPECT_EQ(net.node(2).endpoint->duplicate_requests_dropped(), 1u);
}

TEST(RpcEndpointTest, NotificationsAreDeliveredEachOnce) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  net.duplicate_next = 1;
  net.node(1).endpoint->Notify(NodeId{2}, kNote, "a");
  net.node(1).endpoint->Notify(NodeId{2}, kNote, "b");
  net.ex.RunUntilIdle();
  EXPECT_EQ(server.notes, (std::vector<std::string>{"a", "b"}));
}

TEST(RpcEndpointTest, CorruptFrameIsRejectedAndCounted) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  net.corrupt_next = 1;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "payload", 20, &out));
  net.ex.RunUntilIdle();
  EXPECT_EQ(out->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.echo_runs, 0);
  EXPECT_EQ(net.node(2).endpoint->malformed_count(), 1u);
  EXPECT_FALSE(net.node(2).endpoint->HandleMessage(NodeId{1}, "junk").ok());
}

TEST(RpcEndpointTest, CancelledCallerLeavesNoPendingEntry) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  FiberId caller = net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kSlow, "x", 10'000, &out));
  net.ex.RunForMs(10);
  EXPECT_EQ(net.node(1).endpoint->pending_calls(), 1u);
  net.node(1).scope.Cancel(caller);
  EXPECT_EQ(net.node(1).endpoint->pending_calls(), 0u);
  net.ex.RunUntilIdle();  // the response arrives for nobody
  EXPECT_FALSE(out.has_value());
}

// Reliable mode (hardened): a lost request is resent with the same call id
// after retransmit_ms, and the call completes.
TEST(RpcEndpointTest, ReliableCallSurvivesALostRequest) {
  Net net(RpcOptions{.reliable = true, .retransmit_ms = 10});
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  net.drop_next = 1;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "r", 1'000, &out));
  net.ex.RunUntilIdle();
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(out->ok()) << out->status();
  EXPECT_EQ(**out, "echo:r");
  EXPECT_EQ(net.ex.NowMs(), 12);  // resent at 10 ms, one round trip
  EXPECT_EQ(server.echo_runs, 1);
  EXPECT_EQ(net.node(1).endpoint->retransmissions(), 1u);
  EXPECT_EQ(net.node(1).endpoint->pending_calls(), 0u);
}

// Reliable mode: a lost response makes the caller resend; the server does
// not run the handler again but replays the response it kept.
TEST(RpcEndpointTest, ReliableCallSurvivesALostResponse) {
  Net net(RpcOptions{.reliable = true, .retransmit_ms = 10});
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  net.drop_from = NodeId{2};
  net.drop_from_next = 1;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "s", 1'000, &out));
  net.ex.RunUntilIdle();
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(out->ok()) << out->status();
  EXPECT_EQ(**out, "echo:s");
  EXPECT_EQ(server.echo_runs, 1);
  EXPECT_EQ(net.node(2).endpoint->responses_replayed(), 1u);
  EXPECT_EQ(net.node(2).endpoint->duplicate_requests_dropped(), 0u);
}

// Reliable mode: resends back off (10, 20, 40, ... ms) and the call still
// ends at its deadline when the server never answers.
TEST(RpcEndpointTest, ReliableCallResendsWithBackoffUntilTheDeadline) {
  Net net(RpcOptions{.reliable = true, .retransmit_ms = 10});
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> out;
  net.drop_next = 100;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "t", 100, &out));
  net.ex.RunUntilIdle();
  EXPECT_EQ(out->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(net.ex.NowMs(), 100);
  // Resent at 10, 30 and 70 ms; the next would be at 150.
  EXPECT_EQ(net.node(1).endpoint->retransmissions(), 3u);
  EXPECT_EQ(server.echo_runs, 0);
}

// Unreliable mode (reference): the same losses time the call out; a lost
// response leaves the handler run once and the caller without an answer.
TEST(RpcEndpointTest, UnreliableCallTimesOutOnALostRequestOrResponse) {
  Net net;
  Server server;
  server.Install(*net.node(2).endpoint);
  std::optional<absl::StatusOr<std::string>> lost_request, lost_response;
  net.drop_next = 1;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "u", 1'000, &lost_request));
  net.ex.RunUntilIdle();
  EXPECT_EQ(lost_request->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.echo_runs, 0);

  net.drop_from = NodeId{2};
  net.drop_from_next = 1;
  net.node(1).scope.Spawn(
      CallInto(net.node(1).endpoint.get(), kEcho, "v", 1'000, &lost_response));
  net.ex.RunUntilIdle();
  EXPECT_EQ(lost_response->status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.echo_runs, 1);
  EXPECT_EQ(net.node(1).endpoint->retransmissions(), 0u);
  EXPECT_EQ(net.node(2).endpoint->responses_replayed(), 0u);
}

TEST(RpcEndpointTest, StatusEncodingRoundTripsAndRejectsGarbage) {
  absl::Status s = absl::NotFoundError("gone");
  s.SetPayload("b", absl::Cord("2"));
  s.SetPayload("a", absl::Cord("1"));
  absl::Status back;
  ASSERT_TRUE(DecodeStatus(EncodeStatus(s), &back).ok());
  EXPECT_EQ(back, s);
  ASSERT_TRUE(DecodeStatus(EncodeStatus(absl::OkStatus()), &back).ok());
  EXPECT_EQ(back, absl::OkStatus());
  EXPECT_FALSE(DecodeStatus("\x63", &back).ok());  // code 99
  EXPECT_FALSE(DecodeStatus("", &back).ok());
}

}  // namespace
}  // namespace clustersim
