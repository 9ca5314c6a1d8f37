#include "core/sharding/typed_rpc.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/cluster/cluster_error.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/sharding/entity_exits.h"

namespace clustersim::sharding {
namespace {

struct Increment {
  std::string key;
  int64_t amount = 0;
};
struct Counter {
  int64_t value = 0;
};

void EncodeIncrement(const Increment& in, codec::ByteWriter& writer) {
  writer.PutString(in.key);
  writer.PutSignedVarint(in.amount);
}
absl::StatusOr<Increment> DecodeIncrement(codec::ByteReader& reader) {
  Increment in;
  absl::StatusOr<std::string> key = reader.GetString();
  if (!key.ok()) return key.status();
  absl::StatusOr<int64_t> amount = reader.GetSignedVarint();
  if (!amount.ok()) return amount.status();
  in.key = *std::move(key);
  in.amount = *amount;
  return in;
}
void EncodeCounter(const Counter& out, codec::ByteWriter& writer) {
  writer.PutSignedVarint(out.value);
}
absl::StatusOr<Counter> DecodeCounter(codec::ByteReader& reader) {
  absl::StatusOr<int64_t> value = reader.GetSignedVarint();
  if (!value.ok()) return value.status();
  return Counter{*value};
}

TypedRpc<Increment, Counter>::Options IncrementOptions() {
  TypedRpc<Increment, Counter>::Options options;
  options.persisted = true;
  options.primary_key = [](const Increment& in) -> std::optional<std::string> {
    return in.key;
  };
  return options;
}

const TypedRpc<Increment, Counter>& IncrementRpc() {
  static const TypedRpc<Increment, Counter> rpc(
      "Increment", {&EncodeIncrement, &DecodeIncrement},
      {&EncodeCounter, &DecodeCounter}, IncrementOptions());
  return rpc;
}

TEST(TypedRpcTest, RoundTripsRequestsAndResponses) {
  const auto& rpc = IncrementRpc();
  const std::string payload = rpc.EncodeRequest({"apples", -3});
  absl::StatusOr<Increment> in = rpc.DecodeRequest(payload);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->key, "apples");
  EXPECT_EQ(in->amount, -3);
  absl::StatusOr<Counter> out = rpc.FromExit(rpc.ToExit(Counter{42}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->value, 42);
}

TEST(TypedRpcTest, SpecCarriesAnnotationsAndDecodesPrimaryKey) {
  const RpcSpec spec = IncrementRpc().Spec();
  EXPECT_EQ(spec.tag, "Increment");
  EXPECT_TRUE(spec.persisted);
  EXPECT_FALSE(spec.stream);
  ASSERT_TRUE(spec.primary_key);
  EXPECT_EQ(spec.primary_key(IncrementRpc().EncodeRequest({"k1", 1})), "k1");
  // Garbage has no primary key rather than crashing.
  EXPECT_EQ(spec.primary_key("\xff"), std::nullopt);
  EXPECT_FALSE(spec.deliver_at_ms);
}

TEST(TypedRpcTest, TrailingOrTruncatedBytesAreMalformed) {
  const auto& rpc = IncrementRpc();
  std::string payload = rpc.EncodeRequest({"k", 1});
  EXPECT_TRUE(IsClusterError<MalformedMessage>(
      rpc.DecodeRequest(payload + "x").status()));
  EXPECT_TRUE(IsClusterError<MalformedMessage>(
      rpc.DecodeRequest(payload.substr(0, 1)).status()));
  EXPECT_TRUE(
      IsClusterError<MalformedMessage>(rpc.DecodeResponse("").status()));
}

TEST(TypedRpcTest, TypedFailuresKeepTheirStatus) {
  const auto& rpc = IncrementRpc();
  const storage::Exit exit = rpc.ToExit(absl::NotFoundError("no such key"));
  ASSERT_FALSE(exit.is_success());
  EXPECT_EQ(exit.cause().kind, storage::CauseKind::kFail);
  EXPECT_EQ(rpc.FromExit(exit).status(), absl::NotFoundError("no such key"));
  EXPECT_TRUE(absl::IsCancelled(rpc.FromExit(InterruptExit()).status()));
  EXPECT_TRUE(absl::IsInternal(
      rpc.FromExit(storage::Exit::Failure({storage::CauseKind::kDie, "boom"}))
          .status()));
  // A failure detail that is not ours is malformed, not a crash.
  EXPECT_TRUE(IsClusterError<MalformedMessage>(
      rpc.FromExit(storage::Exit::Failure({storage::CauseKind::kFail, "zz"}))
          .status()));
}

Task<absl::StatusOr<Counter>> AddTo(int64_t* total, Increment in) {
  *total += in.amount;
  co_return Counter{*total};
}

Task<void> ServeInto(const TypedRpc<Increment, Counter>* rpc,
                     const EntityRequest* request, int64_t* total,
                     std::optional<storage::Exit>* exit) {
  exit->emplace(co_await rpc->Serve(
      *request, [total](Increment in) { return AddTo(total, std::move(in)); }));
}

TEST(TypedRpcTest, ServeDecodesRunsAndEncodes) {
  ManualExecutor executor;
  Scope scope(executor);
  const auto& rpc = IncrementRpc();
  int64_t total = 10;
  const EntityRequest good{Snowflake(1), "Increment",
                           rpc.EncodeRequest({"k", 5}), std::nullopt};
  std::optional<storage::Exit> exit;
  scope.Spawn(ServeInto(&rpc, &good, &total, &exit));
  executor.RunUntilIdle();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(rpc.FromExit(*exit)->value, 15);

  // A payload that does not decode never reaches the handler.
  const EntityRequest bad{Snowflake(2), "Increment", "\x01", std::nullopt};
  exit.reset();
  scope.Spawn(ServeInto(&rpc, &bad, &total, &exit));
  executor.RunUntilIdle();
  ASSERT_TRUE(exit.has_value());
  ASSERT_FALSE(exit->is_success());
  EXPECT_TRUE(IsMalformedMessage(exit->cause()));
  EXPECT_EQ(total, 15);
}

TEST(EntityExitsTest, MalformedMessageExitIsRecognised) {
  const storage::Exit exit = MalformedMessageExit("bad bytes");
  EXPECT_EQ(exit.cause().kind, storage::CauseKind::kDie);
  EXPECT_EQ(exit.cause().message, "MalformedMessage: bad bytes");
  EXPECT_TRUE(IsMalformedMessage(exit.cause()));
  EXPECT_FALSE(IsMalformedMessage({storage::CauseKind::kDie, "boom"}));
  EXPECT_FALSE(IsMalformedMessage(
      {storage::CauseKind::kFail, "MalformedMessage: typed"}));
  EXPECT_TRUE(IsInterrupt(InterruptExit()));
  EXPECT_FALSE(IsInterrupt(storage::Exit::Success("")));
}

}  // namespace
}  // namespace clustersim::sharding
