#include "core/cluster/cluster_error.h"

#include <cstdint>
#include <utility>

#include "absl/strings/cord.h"
#include "core/base/status_macros.h"
#include "core/cluster/cluster_codec.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "fmt/format.h"

namespace clustersim {
namespace {

using codec::ByteReader;
using codec::ByteWriter;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(
      fmt::format("malformed: cluster error {}", what));
}

absl::StatusOr<ClusterError> GetBody(ByteReader& reader, uint64_t tag) {
  switch (tag) {
    case 0: {
      CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address,
                                  GetEntityAddress(reader));
      return EntityNotAssignedToRunner{std::move(address)};
    }
    case 1: {
      CLUSTERSIM_ASSIGN_OR_RETURN(std::string cause, reader.GetString());
      return MalformedMessage{std::move(cause)};
    }
    case 2: {
      CLUSTERSIM_ASSIGN_OR_RETURN(std::string cause, reader.GetString());
      return PersistenceError{std::move(cause)};
    }
    case 3: {
      CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address,
                                  GetRunnerAddress(reader));
      return RunnerNotRegistered{std::move(address)};
    }
    case 4: {
      CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address,
                                  GetRunnerAddress(reader));
      return RunnerUnavailable{std::move(address)};
    }
    case 5: {
      CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address,
                                  GetEntityAddress(reader));
      return MailboxFull{std::move(address)};
    }
    case 6: {
      CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake envelope_id,
                                  GetSnowflake(reader));
      CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address,
                                  GetEntityAddress(reader));
      return AlreadyProcessingMessage{envelope_id, std::move(address)};
    }
    default:
      return Malformed(fmt::format("tag {} is unknown", tag));
  }
}

}  // namespace

absl::Status ToStatus(const ClusterError& error) {
  absl::Status status = std::visit(
      Overloaded{
          [](const EntityNotAssignedToRunner& e) {
            return absl::FailedPreconditionError(fmt::format(
                "EntityNotAssignedToRunner: {} is not assigned to this runner",
                e.address.ToString()));
          },
          [](const MalformedMessage& e) {
            return absl::InvalidArgumentError(
                fmt::format("MalformedMessage: {}", e.cause));
          },
          [](const PersistenceError& e) {
            return absl::UnavailableError(
                fmt::format("PersistenceError: {}", e.cause));
          },
          [](const RunnerNotRegistered& e) {
            return absl::NotFoundError(
                fmt::format("RunnerNotRegistered: {} is not registered",
                            e.address.ToString()));
          },
          [](const RunnerUnavailable& e) {
            return absl::UnavailableError(fmt::format(
                "RunnerUnavailable: {} is unavailable", e.address.ToString()));
          },
          [](const MailboxFull& e) {
            return absl::ResourceExhaustedError(
                fmt::format("MailboxFull: the mailbox of {} is full",
                            e.address.ToString()));
          },
          [](const AlreadyProcessingMessage& e) {
            return absl::AlreadyExistsError(fmt::format(
                "AlreadyProcessingMessage: {} is already processing envelope "
                "{}",
                e.address.ToString(), e.envelope_id.value()));
          },
      },
      error);
  status.SetPayload(kClusterErrorTypeUrl,
                    absl::Cord(EncodeClusterError(error)));
  return status;
}

std::optional<ClusterError> GetClusterError(const absl::Status& status) {
  // absl::optional: this Abseil is built without std::optional aliasing.
  const auto payload = status.GetPayload(kClusterErrorTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  absl::StatusOr<ClusterError> error =
      DecodeClusterError(std::string(*payload));
  if (!error.ok()) return std::nullopt;
  return *std::move(error);
}

std::string EncodeClusterError(const ClusterError& error) {
  ByteWriter writer;
  writer.PutVarint(error.index());
  std::visit(
      Overloaded{
          [&](const EntityNotAssignedToRunner& e) {
            PutEntityAddress(writer, e.address);
          },
          [&](const MalformedMessage& e) { writer.PutString(e.cause); },
          [&](const PersistenceError& e) { writer.PutString(e.cause); },
          [&](const RunnerNotRegistered& e) {
            PutRunnerAddress(writer, e.address);
          },
          [&](const RunnerUnavailable& e) {
            PutRunnerAddress(writer, e.address);
          },
          [&](const MailboxFull& e) { PutEntityAddress(writer, e.address); },
          [&](const AlreadyProcessingMessage& e) {
            PutSnowflake(writer, e.envelope_id);
            PutEntityAddress(writer, e.address);
          },
      },
      error);
  return writer.Release();
}

absl::StatusOr<ClusterError> DecodeClusterError(std::string_view bytes) {
  ByteReader reader(bytes);
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t tag, reader.GetVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(ClusterError error, GetBody(reader, tag));
  CLUSTERSIM_RETURN_IF_ERROR(reader.ExpectEnd());
  return error;
}

}  // namespace clustersim
