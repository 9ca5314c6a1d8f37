// Transport: how a node sends bytes to another node. Fire-and-forget, like a
// datagram: the network may drop, delay, duplicate or reorder a message and
// nothing reports it. Request/response with timeouts is built on top (rpc.h).
// Incoming bytes reach the node's Process::OnMessage (process.h).
// Not thread-safe; owned by the node's environment.
#ifndef CLUSTERSIM_CORE_RUNTIME_TRANSPORT_H_
#define CLUSTERSIM_CORE_RUNTIME_TRANSPORT_H_

#include <compare>
#include <cstdint>
#include <string>

namespace clustersim {

// A node of the (simulated) network. Stable across a node's incarnations.
struct NodeId {
  uint32_t value = 0;
  friend auto operator<=>(NodeId, NodeId) = default;
  template <typename H>
  friend H AbslHashValue(H h, NodeId id) {
    return H::combine(std::move(h), id.value);
  }
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(NodeId to, std::string bytes) = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_TRANSPORT_H_
