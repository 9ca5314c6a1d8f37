// SHA-256 (FIPS 180-4) of a byte string, computed by OpenSSL's libcrypto. Used
// by the message store to shorten primary keys longer than the SQL `message_id`
// column (as SqlMessageStorage does) and by the workflow layer for execution
// ids.
//
// Thread-safe: each thread reuses its own digest context.
#ifndef CLUSTERSIM_CORE_STORAGE_SHA256_H_
#define CLUSTERSIM_CORE_STORAGE_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace clustersim {

using Sha256Digest = std::array<uint8_t, 32>;

// The 32-byte digest of `data`.
Sha256Digest Sha256(std::string_view data);

// The digest as 64 lowercase hex characters (what Effect's digestHex yields).
std::string Sha256Hex(std::string_view data);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_STORAGE_SHA256_H_
