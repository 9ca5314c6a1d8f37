#include "sim/checkers/single_writer.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace clustersim::sim::checkers {
namespace {

std::string Describe(const storage::OwnershipViolation& v,
                     storage::StorageMode mode) {
  return absl::StrCat(
      "storage accepted the ", v.terminal ? "exit" : "chunk", " reply ",
      v.reply_id.ToString(), " to request ", v.request_id.ToString(),
      v.shard.has_value() ? absl::StrCat(" (shard ", v.shard->ToString(), ")")
                          : std::string(" (request not stored)"),
      " from ",
      v.writer.has_value() ? absl::StrCat("runner ", v.writer->Key())
                           : std::string("a node that is no runner"),
      v.lease_holder.has_value()
          ? absl::StrCat(" while runner ", v.lease_holder->Key(),
                         " held the lease")
          : std::string(" while no runner held the lease"),
      mode == storage::StorageMode::kReference
          ? " [reference mode: Effect does not fence writes]"
          : " [hardened mode]");
}

}  // namespace

SingleWriterChecker::SingleWriterChecker(storage::StorageMode mode,
                                         FindingSink sink)
    : mode_(mode), sink_(std::move(sink)) {}

void SingleWriterChecker::Poll(int64_t time_us,
                               const storage::StorageAudit& audit) {
  const std::vector<storage::OwnershipViolation>& all =
      audit.ownership_violations();
  for (; seen_ < all.size(); ++seen_) {
    sink_(Finding{kSingleWriter, time_us, Describe(all[seen_], mode_)});
  }
}

}  // namespace clustersim::sim::checkers
