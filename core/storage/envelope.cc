#include "core/storage/envelope.h"

#include "absl/strings/str_cat.h"

namespace clustersim::storage {

std::string ComposePrimaryKey(const EntityAddress& address,
                              std::string_view tag, std::string_view id) {
  return absl::StrCat(address.entity_type().value(), "/",
                      address.entity_id().value(), "/", std::string(tag), "/",
                      std::string(id));
}

const EntityAddress& AddressOf(const Envelope& envelope) {
  return std::visit(
      [](const auto& e) -> const EntityAddress& { return e.address; },
      envelope);
}

Snowflake RequestIdOf(const Envelope& envelope) {
  return std::visit([](const auto& e) { return e.request_id; }, envelope);
}

Snowflake IdOf(const Envelope& envelope) {
  if (const auto* request = std::get_if<Request>(&envelope)) {
    return request->request_id;
  }
  if (const auto* ack = std::get_if<AckChunk>(&envelope)) return ack->id;
  return std::get<Interrupt>(envelope).id;
}

}  // namespace clustersim::storage
