// EntityEvent: the detail of the entity manager's trace events
// (entity.start, entity.stop, entity.step: "<EntityAddress> runner=<host>:
// <port>", core/sharding/entity_manager.h), parsed for the checkers that
// read them. Pure functions.
#ifndef CLUSTERSIM_SIM_CHECKERS_ENTITY_EVENT_H_
#define CLUSTERSIM_SIM_CHECKERS_ENTITY_EVENT_H_

#include <optional>
#include <string_view>

namespace clustersim::sim::checkers {

struct EntityEvent {
  std::string_view address;  // the EntityAddress as printed
  std::string_view runner;   // "<host>:<port>"
};

// Nullopt when the detail has no " runner=" tag or an empty side. Entity ids
// may hold any text, so the runner is what follows the last " runner=".
std::optional<EntityEvent> ParseEntityEvent(std::string_view detail);

// The shard of a printed EntityAddress ("EntityAddress(<type>, <id>,
// <group>:<n>)"): the text after its last ", " up to the closing
// parenthesis. Nullopt if the text has no such shape.
std::optional<std::string_view> ShardOfAddress(std::string_view address);

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_ENTITY_EVENT_H_
