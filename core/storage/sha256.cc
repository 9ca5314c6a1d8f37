#include "core/storage/sha256.h"

#include <openssl/evp.h>

#include <memory>

#include "core/base/check.h"

namespace clustersim {
namespace {

// OpenSSL 3 looks the algorithm up in its provider tables (under a lock) on
// every EVP_Digest(EVP_sha256()) call; our inputs are short, so that lookup
// and the context's allocation cost more than the hashing. The algorithm is
// fetched once per process and each thread reuses one context.
const EVP_MD* FetchedSha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  CHECK(md != nullptr, "EVP_MD_fetch(SHA256) failed");
  return md;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* ThreadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(
      EVP_MD_CTX_new());
  CHECK(ctx != nullptr, "EVP_MD_CTX_new failed");
  return ctx.get();
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest;
  unsigned int size = 0;
  EVP_MD_CTX* ctx = ThreadContext();
  // OpenSSL's libcrypto: a well-kept implementation (and hardware SHA
  // extensions where the CPU has them; the digest is the same everywhere).
  const bool ok = EVP_DigestInit_ex2(ctx, FetchedSha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest.data(), &size) == 1;
  CHECK(ok && size == digest.size(), "SHA-256 digest failed");
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  const Sha256Digest digest = Sha256(data);
  std::string hex(2 * digest.size(), '\0');
  for (size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kHexDigits[digest[i] >> 4];
    hex[2 * i + 1] = kHexDigits[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace clustersim
