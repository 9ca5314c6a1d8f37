// SingleWriterChecker: the single-writer (fencing) invariant (SPEC.md §4) —
// storage never accepts a reply from a runner that did not hold the shard's
// lease when the write landed.
//
// The storage server judges each accepted reply against the leases it
// granted, at the instant it lands, and records the offenders in its
// StorageAudit (core/storage/storage_audit.h). Poll turns the violations
// recorded since the last poll into findings; call it after each reply the
// server accepts (online, for the right virtual time) or once at the end.
//
// Effect has no fencing, so in reference mode a runner that outlived its
// lease (paused, partitioned, slow) can still land a reply: the checker
// reports it all the same, and each finding says which mode the run is in.
// In hardened mode the server refuses such writes, so any finding is a bug.
//
// Single-threaded.
#ifndef CLUSTERSIM_SIM_CHECKERS_SINGLE_WRITER_H_
#define CLUSTERSIM_SIM_CHECKERS_SINGLE_WRITER_H_

#include <cstddef>
#include <cstdint>

#include "core/storage/storage_audit.h"
#include "core/storage/storage_state.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kSingleWriter[] = "single-writer";

class SingleWriterChecker {
 public:
  SingleWriterChecker(storage::StorageMode mode, FindingSink sink);

  // Reports the audit's ownership violations not reported yet, at `time_us`.
  void Poll(int64_t time_us, const storage::StorageAudit& audit);

  int64_t violations() const { return static_cast<int64_t>(seen_); }

 private:
  storage::StorageMode mode_;
  FindingSink sink_;
  size_t seen_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_SINGLE_WRITER_H_
