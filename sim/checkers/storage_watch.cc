#include "sim/checkers/storage_watch.h"

#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace clustersim::sim::checkers {
namespace {

constexpr std::string_view kRequestTag = "request=";

// The id after the first "request=".
std::optional<Snowflake> RequestId(std::string_view detail) {
  const size_t at = detail.find(kRequestTag);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = detail.substr(at + kRequestTag.size());
  rest = rest.substr(0, rest.find(' '));
  absl::StatusOr<Snowflake> id = Snowflake::Parse(rest);
  if (!id.ok()) return std::nullopt;
  return *id;
}

// What the server answered: the text after the last " -> ".
std::string_view Outcome(std::string_view detail) {
  const size_t at = detail.rfind(" -> ");
  return at == std::string_view::npos ? std::string_view()
                                      : detail.substr(at + 4);
}

}  // namespace

StorageWatch::StorageWatch(uint32_t storage_node,
                           const storage::StorageBackend& backend,
                           Callbacks callbacks)
    : storage_node_(storage_node),
      backend_(backend),
      callbacks_(std::move(callbacks)) {}

void StorageWatch::OnTraceEvent(int64_t time_us, uint32_t node,
                                std::string_view kind,
                                std::string_view detail) {
  if (node != storage_node_) return;
  const bool save_request = kind == "storage.save_request";
  const bool save_reply = kind == "storage.save_reply";
  if (!save_request && !save_reply) return;
  const std::string_view outcome = Outcome(detail);
  const bool accepted = save_request ? outcome == "saved" : outcome == "ok";
  if (accepted) {
    std::optional<Snowflake> id = RequestId(detail);
    if (!id.has_value()) {
      ++malformed_;
    } else if (save_request) {
      if (callbacks_.request_saved) callbacks_.request_saved(time_us, *id);
    } else if (detail.find(" exit ") != std::string_view::npos) {
      ExitAccepted(time_us, *id);
    }
  }
  if (save_reply && callbacks_.reply_written) {
    callbacks_.reply_written(time_us, backend_.audit());
  }
}

void StorageWatch::ExitAccepted(int64_t time_us, Snowflake request_id) {
  const storage::WithExit* exit =
      backend_.state().messages().StoredExit(request_id);
  if (exit == nullptr) {
    ++malformed_;
    return;
  }
  if (callbacks_.exit_accepted) callbacks_.exit_accepted(time_us, *exit);
}

}  // namespace clustersim::sim::checkers
