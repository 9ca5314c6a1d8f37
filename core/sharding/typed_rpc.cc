#include "core/sharding/typed_rpc.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"

namespace clustersim::sharding::internal {

std::string MalformedDetail(std::string_view tag, const absl::Status& cause) {
  return absl::StrCat("bytes of '", std::string(tag),
                      "' do not decode: ", std::string(cause.message()));
}

absl::Status MalformedPayload(std::string_view tag, const absl::Status& cause) {
  return ToStatus(MalformedMessage{MalformedDetail(tag, cause)});
}

std::string EncodeFailure(const absl::Status& status) {
  codec::ByteWriter writer;
  writer.PutVarint(static_cast<uint64_t>(status.code()));
  writer.PutString(std::string(status.message()));
  return writer.Release();
}

storage::Exit UnencodableReplyExit(std::string_view tag,
                                   const absl::Status& cause) {
  return MalformedMessageExit(
      absl::StrCat("reply of '", std::string(tag),
                   "' does not encode: ", std::string(cause.message())));
}

absl::Status DecodeFailure(std::string_view detail) {
  codec::ByteReader reader(detail);
  absl::StatusOr<uint64_t> code = reader.GetVarint();
  absl::StatusOr<std::string> message =
      code.ok() ? reader.GetString() : code.status();
  // Codes 1..16 are the failures absl defines; 0 (OK) is no failure.
  if (!message.ok() || !reader.ExpectEnd().ok() || *code == 0 || *code > 16) {
    return ToStatus(MalformedMessage{absl::StrCat(
        "typed failure does not decode (", detail.size(), " bytes)")});
  }
  return absl::Status(static_cast<absl::StatusCode>(*code), *message);
}

}  // namespace clustersim::sharding::internal
