// pingpong: the simulator's own smoke-test scenario.
//
// K runners (default 3) ping random peers with framed messages (core/codec
// kPing/kPong frames carrying the sender's incarnation, a per-incarnation
// sequence number and a random nonce) over the faulty network. A ping that
// gets no pong within 100 ms is resent, up to three times, before the runner
// moves on to its next sequence number. A receiver hands each (sender,
// incarnation, sequence) to its application once, replying to every copy.
//
// Invariants, checked by an oracle outside the nodes:
//   ping-was-sent          every ping a runner accepts is one that was sent
//   pong-matches-ping      every pong a runner accepts answers a ping its
//                          current incarnation sent to that peer (same
//                          sequence and nonce): no phantom, corrupted or
//                          stale reply is ever accepted
//   at-most-once-delivery  a runner incarnation's application sees each
//                          (sender, incarnation, sequence) at most once
//   liveness               every runner that is up at the end, with a peer
//                          up too, accepted a pong after the last fault
//                          ended (judged over at least 1 s; a run with
//                          timed faults lasts until 5 s after the last)
// Corrupted frames are rejected by the frame CRC and counted.
//
// It has no mode-dependent behaviour (no cluster core runs): --mode
// hardened runs the same as reference.
//
// Mutant: pingpong-no-dedup (the receiver forgets to de-duplicate).
#ifndef CLUSTERSIM_SCENARIOS_PINGPONG_H_
#define CLUSTERSIM_SCENARIOS_PINGPONG_H_

#include "scenarios/scenario.h"

namespace clustersim::scenarios {

Scenario PingPongScenario();

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_PINGPONG_H_
