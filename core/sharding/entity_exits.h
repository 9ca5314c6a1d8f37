// Exits the cluster itself gives a request (as opposed to its handler):
// Effect's `Exit.interrupt()` and `Exit.die(new MalformedMessage(...))`.
//
// A MalformedMessage exit is recognisable (IsMalformedMessage), because in
// Effect a payload that does not decode never reaches the handler and so is
// never a fatal handler defect. Here typed handlers decode their own payload
// (typed_rpc.h), and the entity manager uses this to answer such a request
// with the die exit instead of restarting the entity.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_EXITS_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_EXITS_H_

#include <string_view>

#include "core/storage/reply.h"

namespace clustersim::sharding {

storage::Exit InterruptExit();

// Failure(die "MalformedMessage: <detail>"), the message being that of the
// MalformedMessage cluster error.
storage::Exit MalformedMessageExit(std::string_view detail);

bool IsMalformedMessage(const storage::Cause& cause);

bool IsInterrupt(const storage::Exit& exit);

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_EXITS_H_
