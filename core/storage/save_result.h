// SaveResult: the answer to MessageStore::SaveRequest (Effect's
// SaveResult.Encoded). Duplicate means a request with the same primary key is
// already stored; it names that request and its latest reply, so the sender
// can return the result without running the handler again.
// Value types; thread-compatible.
#ifndef CLUSTERSIM_CORE_STORAGE_SAVE_RESULT_H_
#define CLUSTERSIM_CORE_STORAGE_SAVE_RESULT_H_

#include <optional>
#include <variant>

#include "core/cluster/snowflake.h"
#include "core/storage/reply.h"

namespace clustersim::storage {

struct SaveSuccess {
  friend bool operator==(const SaveSuccess&, const SaveSuccess&) = default;
};

struct SaveDuplicate {
  Snowflake original_id;
  // The reply the stored request's row last recorded: its WithExit once
  // finished, else the latest chunk saved since the last ClearReplies
  // (acked or not), else none.
  std::optional<Reply> last_reply;

  friend bool operator==(const SaveDuplicate&, const SaveDuplicate&) = default;
};

using SaveResult = std::variant<SaveSuccess, SaveDuplicate>;

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_SAVE_RESULT_H_
