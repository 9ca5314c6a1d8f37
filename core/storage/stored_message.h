// StoredMessage: one row as the unprocessed-message reads return it (Effect's
// `{envelope, lastSentReply}`): the envelope, and for a Request the reply its
// row last recorded (a Chunk in practice: a request with a WithExit is never
// unprocessed), so the entity can resume a stream after that chunk.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_STORAGE_STORED_MESSAGE_H_
#define CLUSTERSIM_CORE_STORAGE_STORED_MESSAGE_H_

#include <optional>

#include "core/storage/envelope.h"
#include "core/storage/reply.h"

namespace clustersim::storage {

struct StoredMessage {
  Envelope envelope;
  std::optional<Reply> last_sent_reply;

  friend bool operator==(const StoredMessage&, const StoredMessage&) = default;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORED_MESSAGE_H_
