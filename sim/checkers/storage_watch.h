// StorageWatch: what the storage server node accepted, as typed events for
// the checkers, read online from the trace.
//
// The storage server (core/storage/storage_server.h) traces every operation
// on its node as "storage.<method>" with "request=<id>" first in the detail
// (after "from=<node> ") and its outcome after " -> ". The watch calls
//   request_saved(id)         on storage.save_request "... -> saved";
//   exit_accepted(WithExit)   on storage.save_reply "... exit ... -> ok",
//                             with the exit read back from the state;
//   reply_written(audit)      after every storage.save_reply, accepted or
//                             not, so a SingleWriterChecker can poll the
//                             audit for ownership violations.
// Other events, and events of other nodes, are ignored.
//
// Single-threaded; the backend outlives the watch.
#ifndef CLUSTERSIM_SIM_CHECKERS_STORAGE_WATCH_H_
#define CLUSTERSIM_SIM_CHECKERS_STORAGE_WATCH_H_

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/cluster/snowflake.h"
#include "core/storage/reply.h"
#include "core/storage/storage_audit.h"
#include "core/storage/storage_server.h"

namespace clustersim::sim::checkers {

class StorageWatch {
 public:
  struct Callbacks {
    std::function<void(int64_t time_us, Snowflake request_id)> request_saved;
    std::function<void(int64_t time_us, const storage::WithExit& exit)>
        exit_accepted;
    // After every SaveReply the server traced (accepted or not).
    std::function<void(int64_t time_us, const storage::StorageAudit& audit)>
        reply_written;
  };

  // `storage_node`: the trace node number of the storage server.
  StorageWatch(uint32_t storage_node, const storage::StorageBackend& backend,
               Callbacks callbacks);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail);

  // Events whose detail did not parse (the server's format changed).
  int64_t malformed() const { return malformed_; }

 private:
  void ExitAccepted(int64_t time_us, Snowflake request_id);

  uint32_t storage_node_;
  const storage::StorageBackend& backend_;
  Callbacks callbacks_;
  int64_t malformed_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_STORAGE_WATCH_H_
