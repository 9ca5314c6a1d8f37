// Checks for values bound for SQL text columns. SqlMessageStorage and
// SqlRunnerStorage declare widths (entity_type VARCHAR(150), tag VARCHAR(50),
// ...) and PostgreSQL, the reference dialect here, rejects a wider value or
// invalid UTF-8 with an error that Effect surfaces as PersistenceError. The
// stores reproduce that so a value SQL would refuse is refused here too.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_STORAGE_TEXT_COLUMN_H_
#define CLUSTERSIM_CORE_STORAGE_TEXT_COLUMN_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/shard_id.h"

namespace clustersim::storage {

// Column widths of Effect's schema, in characters (code points).
inline constexpr size_t kShardIdColumnChars = 50;  // "<group>:<n>"
inline constexpr size_t kEntityTypeColumnChars = 150;
inline constexpr size_t kEntityIdColumnChars = 255;
inline constexpr size_t kTagColumnChars = 50;
inline constexpr size_t kMessageIdColumnChars = 255;      // the primary key
inline constexpr size_t kRunnerAddressColumnChars = 255;  // "<host>:<port>"

// OK if `value` is well-formed UTF-8 of at most `max_chars` code points;
// otherwise a PersistenceError naming `column`.
absl::Status CheckTextColumn(std::string_view column, std::string_view value,
                             size_t max_chars);

// CheckTextColumn of shard.ToString() ("<group>:<n>", at most
// kShardIdColumnChars), without formatting it when the group is ASCII: every
// stored message and lock refresh checks its shards.
absl::Status CheckShardIdColumn(std::string_view column, const ShardId& shard);

// OK if `value` is well-formed UTF-8 (a TEXT column without a width).
absl::Status CheckUtf8Column(std::string_view column, std::string_view value);

// The length JavaScript reports for `value` (UTF-16 code units), which is
// what Effect compares with 255 to decide whether to hash a primary key.
// InvalidArgument (from Utf8ToUtf16) if `value` is not well-formed UTF-8.
absl::StatusOr<size_t> JavaScriptLength(std::string_view value);

// What the messages.message_id column holds for `primary_key`: the key
// itself when it fits kMessageIdColumnChars (measured as JavaScript does),
// else its SHA-256 hex, as SqlMessageStorage stores it. Hex never contains
// '/', composed keys always do, so the two forms cannot collide. A
// PersistenceError if the key is not well-formed UTF-8.
absl::StatusOr<std::string> MessageIdColumnValue(std::string_view primary_key);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_TEXT_COLUMN_H_
