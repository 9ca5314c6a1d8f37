// RunnerClient against a scripted server endpoint (Effect's
// Runners.test.ts error mapping).
#include "core/sharding/runner_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/cluster_error.h"
#include "core/cluster/snowflake_generator.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/sharding/runner_protocol.h"
#include "core/sharding/test_env.h"

namespace clustersim::sharding {
namespace {

const RunnerAddress kServer("server", 1);
const EntityAddress kAddress(EntityType("T"), EntityId("e"),
                             ShardId("default", 1));

storage::Request SampleRequest() {
  return storage::Request{Snowflake(42), kAddress,    "tag", "p", {},
                          std::nullopt,  std::nullopt};
}

// Answers Start and Poll from a script; Notify and Envelope with a status.
class ScriptedServer {
 public:
  explicit ScriptedServer(RpcEndpoint& rpc) {
    rpc.Register(kRunnerStart, [this](NodeId, std::string request) {
      starts.push_back(std::move(request));
      return Next();
    });
    rpc.Register(kRunnerPoll, [this](NodeId, std::string request) {
      polls.push_back(std::move(request));
      return Next();
    });
    rpc.Register(kRunnerNotify,
                 [this](NodeId, std::string) { return Answer(notify_status); });
    rpc.Register(kRunnerEnvelope,
                 [this](NodeId, std::string) { return Answer(notify_status); });
  }

  std::deque<absl::StatusOr<std::string>> script;
  absl::Status notify_status;
  std::vector<std::string> starts, polls;

 private:
  Task<absl::StatusOr<std::string>> Next() {
    absl::StatusOr<std::string> answer = script.front();
    script.pop_front();
    co_return answer;
  }
  static Task<absl::StatusOr<std::string>> Answer(absl::Status status) {
    if (!status.ok()) co_return status;
    co_return std::string();
  }
};

class RunnerClientTest : public ::testing::Test {
 protected:
  RunnerClientTest()
      : client_env_(ex_, NodeId{1}),
        server_env_(ex_, NodeId{2}),
        client_rpc_(client_env_.env()),
        server_rpc_(server_env_.env()),
        server_(server_rpc_),
        snowflakes_(ex_, MachineId(1)),
        client_(client_rpc_, resolver_, snowflakes_, client_env_.scope()) {
    resolver_.Add(kServer, NodeId{2});
    client_env_.transport().set_handler([this](NodeId, std::string bytes) {
      if (!down_) (void)server_rpc_.HandleMessage(NodeId{1}, bytes);
    });
    server_env_.transport().set_handler([this](NodeId, std::string bytes) {
      if (!down_) (void)client_rpc_.HandleMessage(NodeId{2}, bytes);
    });
  }
  ~RunnerClientTest() override {
    client_env_.scope().Close();
    server_env_.scope().Close();
  }

  static Task<void> SendInto(RunnerClient* client, bool persisted,
                             std::vector<storage::Reply>* replies,
                             std::optional<absl::Status>* out) {
    ReplySink respond = [replies](storage::Reply reply) {
      replies->push_back(std::move(reply));
    };
    *out = co_await client->SendRequest(kServer, SampleRequest(), persisted,
                                        std::move(respond));
  }
  static Task<void> NotifyInto(RunnerClient* client, bool persisted,
                               std::optional<absl::Status>* out) {
    storage::Envelope envelope = SampleRequest();
    *out = co_await client->Notify(kServer, std::move(envelope), persisted);
  }
  static Task<void> PingInto(RunnerClient* client, RunnerAddress address,
                             std::optional<absl::Status>* out) {
    *out = co_await client->Ping(std::move(address));
  }

  std::optional<absl::Status> Send(bool persisted,
                                   std::vector<storage::Reply>* replies) {
    std::optional<absl::Status> out;
    client_env_.scope().Spawn(SendInto(&client_, persisted, replies, &out));
    ex_.RunForMs(60'000);
    return out;
  }

  ManualExecutor ex_{1'767'225'600'000};
  TestEnv client_env_, server_env_;
  StaticRunnerResolver resolver_;
  RpcEndpoint client_rpc_, server_rpc_;
  ScriptedServer server_;
  SnowflakeGenerator snowflakes_;
  RunnerClient client_;
  bool down_ = false;
};

storage::Reply Exit(std::string value) {
  return storage::WithExit{Snowflake(42), Snowflake(7),
                           storage::Exit::Success(std::move(value))};
}

TEST_F(RunnerClientTest, LongPollsUntilTheExit) {
  storage::Chunk chunk{Snowflake(42), Snowflake(6), 0, {"a"}};
  server_.script = {
      EncodePollResult(std::nullopt), EncodePollResult(storage::Reply(chunk)),
      EncodePollResult(std::nullopt), EncodePollResult(Exit("v"))};
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status = Send(false, &replies);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << *status;
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0], storage::Reply(chunk));
  EXPECT_EQ(replies[1], Exit("v"));
  // Poll indexes: 0 (pending), then 1 after the chunk, 1 again, ...
  ASSERT_EQ(server_.polls.size(), 3u);
  EXPECT_EQ(DecodePoll(server_.polls[0])->index, 0);
  EXPECT_EQ(DecodePoll(server_.polls[1])->index, 1);
  EXPECT_EQ(DecodePoll(server_.polls[2])->index, 1);
}

TEST_F(RunnerClientTest, RemoteClusterErrorsPassThrough) {
  server_.script = {ToStatus(MailboxFull{kAddress})};
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status = Send(false, &replies);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(IsClusterError<MailboxFull>(*status)) << *status;
}

TEST_F(RunnerClientTest, AServerDefectIsADieReplyForVolatileRequests) {
  server_.script = {absl::InternalError("boom")};
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status = Send(false, &replies);
  ASSERT_TRUE(status.has_value() && status->ok());
  ASSERT_EQ(replies.size(), 1u);
  const auto& exit = std::get<storage::WithExit>(replies[0]).exit;
  ASSERT_FALSE(exit.is_success());
  EXPECT_EQ(exit.cause().kind, storage::CauseKind::kDie);
  EXPECT_NE(exit.cause().message.find("boom"), std::string::npos);
}

TEST_F(RunnerClientTest, AServerDefectIsRunnerUnavailableForPersisted) {
  server_.script = {absl::InternalError("boom")};
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status = Send(true, &replies);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*status)) << *status;
  EXPECT_TRUE(replies.empty());
}

TEST_F(RunnerClientTest, TransportFailuresAreRunnerUnavailable) {
  down_ = true;
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status = Send(false, &replies);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*status)) << *status;
  // A garbled answer counts as a broken connection too.
  down_ = false;
  server_.script = {std::string("\x07garbage")};
  status = Send(false, &replies);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*status)) << *status;
}

TEST_F(RunnerClientTest, PersistedNotifyFailuresAreIgnored) {
  server_.notify_status = ToStatus(EntityNotAssignedToRunner{kAddress});
  std::optional<absl::Status> persisted, volatile_notify;
  client_env_.scope().Spawn(NotifyInto(&client_, true, &persisted));
  client_env_.scope().Spawn(NotifyInto(&client_, false, &volatile_notify));
  ex_.RunForMs(10);
  EXPECT_TRUE(persisted.has_value() && persisted->ok());
  ASSERT_TRUE(volatile_notify.has_value());
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(*volatile_notify));
  // A volatile notify that cannot reach the runner: RunnerUnavailable.
  down_ = true;
  volatile_notify.reset();
  client_env_.scope().Spawn(NotifyInto(&client_, false, &volatile_notify));
  ex_.RunForMs(kRunnerCallTimeoutMs);
  ASSERT_TRUE(volatile_notify.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*volatile_notify));
}

TEST_F(RunnerClientTest, PingReachesKnownRunnersOnly) {
  std::optional<absl::Status> known, unknown;
  client_env_.scope().Spawn(PingInto(&client_, kServer, &known));
  client_env_.scope().Spawn(
      PingInto(&client_, RunnerAddress("nowhere", 9), &unknown));
  ex_.RunForMs(10);
  // No Ping handler is registered on the scripted server: not a runner.
  ASSERT_TRUE(known.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*known));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*unknown));
}

TEST_F(RunnerClientTest, ARunnerLeavingFailsItsCallsInFlight) {
  down_ = true;  // nothing answers
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status;
  client_env_.scope().Spawn(SendInto(&client_, false, &replies, &status));
  ex_.RunForMs(1'000);
  EXPECT_FALSE(status.has_value());
  client_.OnRunnerUnavailable(kServer);
  ex_.RunForMs(1);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(IsClusterError<RunnerUnavailable>(*status)) << *status;
}

// A caller that chose a runner before an await learns whether it left
// meanwhile (a call begun after the departure would wait out its timeout).
TEST_F(RunnerClientTest, DepartedSinceTellsDeparturesAfterASnapshot) {
  const RunnerAddress other("other", 2);
  const uint64_t before = client_.departures();
  EXPECT_FALSE(client_.DepartedSince(kServer, before));
  client_.OnRunnerUnavailable(kServer);
  EXPECT_TRUE(client_.DepartedSince(kServer, before));
  EXPECT_FALSE(client_.DepartedSince(other, before));
  const uint64_t after = client_.departures();
  EXPECT_FALSE(client_.DepartedSince(kServer, after));
  client_.OnRunnerUnavailable(other);
  EXPECT_FALSE(client_.DepartedSince(kServer, after));
  EXPECT_TRUE(client_.DepartedSince(other, after));
}

TEST_F(RunnerClientTest, LostAnswersOfIdempotentCallsAreRetried) {
  // The first Start answer is lost: the client asks again.
  int dropped = 0;
  server_env_.transport().set_handler(
      [this, &dropped](NodeId, std::string bytes) {
        if (dropped++ == 0) return;
        (void)client_rpc_.HandleMessage(NodeId{2}, bytes);
      });
  server_.script = {EncodePollResult(Exit("lost")),
                    EncodePollResult(Exit("v"))};
  std::vector<storage::Reply> replies;
  std::optional<absl::Status> status = Send(false, &replies);
  ASSERT_TRUE(status.has_value() && status->ok()) << *status;
  EXPECT_EQ(server_.starts.size(), 2u);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], Exit("v"));
}

}  // namespace
}  // namespace clustersim::sharding
