// UTF-8 -> UTF-16 conversion. Effect's identifiers are JavaScript strings,
// i.e. sequences of UTF-16 code units: hashing and ordering them the way
// Effect does needs that form. Our strings are UTF-8; invalid UTF-8 has no
// JavaScript equivalent, so it is rejected rather than guessed at.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_CLUSTER_UTF16_H_
#define CLUSTERSIM_CORE_CLUSTER_UTF16_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clustersim {

// Converts well-formed UTF-8 to UTF-16 code units (characters above U+FFFF
// become surrogate pairs). Rejects overlong forms, encoded surrogates, code
// points above U+10FFFF, stray continuation bytes and truncated sequences
// with InvalidArgument naming the byte offset.
absl::StatusOr<std::u16string> Utf8ToUtf16(std::string_view utf8);

// True if every byte of `text` is below 0x80. Such a string is well-formed
// UTF-8 with one UTF-16 code unit per byte, equal to the byte, so callers on
// hot paths (shard hashing, column checks) can skip the conversion.
bool IsAscii(std::string_view text);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_UTF16_H_
