// Reply: what an entity stores in answer to a request (Effect's
// Reply.Encoded) — the terminal WithExit, or a Chunk of a streamed result.
// Values are opaque bytes already encoded by the RPC's codec.
// Value types; thread-compatible.
#ifndef CLUSTERSIM_CORE_STORAGE_REPLY_H_
#define CLUSTERSIM_CORE_STORAGE_REPLY_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/cluster/snowflake.h"

namespace clustersim::storage {

// Effect's Cause reduced to one reason: a typed failure, a defect, or an
// interruption, each with its encoded detail.
enum class CauseKind : uint8_t {
  kFail = 1,
  kDie = 2,
  kInterrupt = 3,
};

struct Cause {
  CauseKind kind = CauseKind::kDie;
  std::string message;

  friend bool operator==(const Cause&, const Cause&) = default;
};

// An RPC's outcome: Success with the encoded value, or Failure with a Cause.
class Exit {
 public:
  static Exit Success(std::string value) { return Exit(std::move(value)); }
  static Exit Failure(Cause cause) { return Exit(std::move(cause)); }

  bool is_success() const { return outcome_.index() == 0; }
  // Requires is_success().
  const std::string& value() const;
  // Requires !is_success().
  const Cause& cause() const;

  friend bool operator==(const Exit&, const Exit&) = default;

 private:
  explicit Exit(std::string value) : outcome_(std::move(value)) {}
  explicit Exit(Cause cause) : outcome_(std::move(cause)) {}

  std::variant<std::string, Cause> outcome_;
};

// The terminal reply: at most one per request.
struct WithExit {
  Snowflake request_id;
  Snowflake id;
  Exit exit;

  friend bool operator==(const WithExit&, const WithExit&) = default;
};

// One piece of a streamed result; `sequence` counts from 0 per request and
// `values` is never empty.
struct Chunk {
  Snowflake request_id;
  Snowflake id;
  int32_t sequence = 0;
  std::vector<std::string> values;

  friend bool operator==(const Chunk&, const Chunk&) = default;
};

using Reply = std::variant<WithExit, Chunk>;

Snowflake ReplyIdOf(const Reply& reply);
Snowflake RequestIdOf(const Reply& reply);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_REPLY_H_
