// The counter scenario's entity and its contract: a Counter adds each
// persisted Increment to its value and replies with the operation and the
// value it left (CounterApplied), so a client sees the entity's state, not
// only an acknowledgement.
//
// Its value lives in the Counters' own database (counter_database.h) and is
// cached per activation: loaded when the entity is built, written through
// on each new operation, and an operation already applied is answered from
// the value recorded for it (persisted requests run again after a crash).
// The work takes kWorkMsPerUnit per unit of the amount; the value is read,
// added and written in one step after it, so a handler cut short applied
// nothing.
//
// Each activation is owned by the runner's entity manager; the database and
// the listener outlive every node.
#ifndef CLUSTERSIM_SCENARIOS_COUNTER_ENTITY_H_
#define CLUSTERSIM_SCENARIOS_COUNTER_ENTITY_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake.h"
#include "core/sharding/entity.h"
#include "core/sharding/typed_rpc.h"
#include "scenarios/counter_database.h"
#include "scenarios/ledger_workload.h"

namespace clustersim::scenarios::counter {

inline constexpr char kCounterType[] = "Counter";
inline constexpr int32_t kShards = 16;
// A Counter works this long per unit of an increment.
inline constexpr int64_t kWorkMsPerUnit = 4;

// The reply: `op` added `amount` to `key`, leaving it at `value`.
struct CounterApplied {
  std::string key;
  std::string op;
  int64_t amount = 0;
  int64_t value = 0;
};

using CounterRpcType = sharding::TypedRpc<ledger::Increment, CounterApplied>;
// Persisted, tag ledger::kIncrementTag (ledger::IncrementOptions).
const CounterRpcType& CounterIncrementRpc();

EntityAddress CounterAddress(const std::string& key);

// Called as each handler starts, with the request and the runner.
using HandlerStartedFn =
    std::function<void(Snowflake request_id, const RunnerAddress& runner)>;

sharding::EntityDefinition CounterDefinition();
sharding::EntityFactory CounterFactory(CounterDatabase* database,
                                       HandlerStartedFn handler_started);

}  // namespace clustersim::scenarios::counter

#endif  // CLUSTERSIM_SCENARIOS_COUNTER_ENTITY_H_
