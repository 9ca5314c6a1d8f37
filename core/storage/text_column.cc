#include "core/storage/text_column.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/cluster/utf16.h"
#include "core/storage/sha256.h"
#include "core/storage/storage_errors.h"

namespace clustersim::storage {
namespace {

bool IsHighSurrogate(char16_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }

// The number of characters (code points) of well-formed UTF-8 `value`.
absl::StatusOr<size_t> CharacterCount(std::string_view column,
                                      std::string_view value) {
  if (IsAscii(value)) return value.size();
  absl::StatusOr<std::u16string> utf16 = Utf8ToUtf16(value);
  if (!utf16.ok()) {
    return ConstraintViolation(
        absl::StrCat(std::string(column), ": ", utf16.status().message()));
  }
  size_t chars = 0;
  for (char16_t unit : *utf16) {
    if (!IsHighSurrogate(unit)) ++chars;
  }
  return chars;
}

absl::Status CheckWidth(std::string_view column, size_t chars,
                        size_t max_chars) {
  if (chars > max_chars) {
    return ConstraintViolation(
        absl::StrCat("value too long for ", std::string(column), " (", chars,
                     " characters, column is ", max_chars, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTextColumn(std::string_view column, std::string_view value,
                             size_t max_chars) {
  absl::StatusOr<size_t> counted = CharacterCount(column, value);
  if (!counted.ok()) return counted.status();
  return CheckWidth(column, *counted, max_chars);
}

absl::Status CheckShardIdColumn(std::string_view column, const ShardId& shard) {
  if (!IsAscii(shard.group())) {
    return CheckTextColumn(column, shard.ToString(), kShardIdColumnChars);
  }
  // The group, the ':' and the number's decimal digits (numbers are >= 1).
  size_t chars = shard.group().size() + 1;
  for (int32_t n = shard.number(); n > 0; n /= 10) ++chars;
  return CheckWidth(column, chars, kShardIdColumnChars);
}

absl::Status CheckUtf8Column(std::string_view column, std::string_view value) {
  if (IsAscii(value)) return absl::OkStatus();
  absl::StatusOr<std::u16string> utf16 = Utf8ToUtf16(value);
  if (!utf16.ok()) {
    return ConstraintViolation(
        absl::StrCat(std::string(column), ": ", utf16.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> JavaScriptLength(std::string_view value) {
  if (IsAscii(value)) return value.size();
  absl::StatusOr<std::u16string> utf16 = Utf8ToUtf16(value);
  if (!utf16.ok()) return utf16.status();
  return utf16->size();
}

absl::StatusOr<std::string> MessageIdColumnValue(std::string_view primary_key) {
  absl::StatusOr<size_t> length = JavaScriptLength(primary_key);
  if (!length.ok()) {
    return ConstraintViolation(
        absl::StrCat("messages.message_id: ", length.status().message()));
  }
  if (*length <= kMessageIdColumnChars) return std::string(primary_key);
  return Sha256Hex(primary_key);
}

}  // namespace clustersim::storage
