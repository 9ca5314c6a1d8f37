#include "core/storage/sha256.h"

#include <openssl/evp.h>

#include "core/base/check.h"

namespace clustersim {

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest;
  unsigned int size = 0;
  // OpenSSL's libcrypto: a well-kept implementation (and hardware SHA
  // extensions where the CPU has them; the digest is the same everywhere).
  const int ok = EVP_Digest(data.data(), data.size(), digest.data(), &size,
                            EVP_sha256(), nullptr);
  CHECK(ok == 1 && size == digest.size(), "EVP_Digest(SHA-256) failed");
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  const Sha256Digest digest = Sha256(data);
  std::string hex;
  hex.reserve(2 * digest.size());
  for (uint8_t byte : digest) {
    hex.push_back(kHexDigits[byte >> 4]);
    hex.push_back(kHexDigits[byte & 0xf]);
  }
  return hex;
}

}  // namespace clustersim
