#include "core/workflow/result.h"

namespace clustersim::workflow {

std::string DebugString(const Result& r) {
  if (const auto* c = std::get_if<Complete>(&r)) {
    return "Complete(" + c->exit.DebugString() + ")";
  }
  const auto& s = std::get<Suspended>(r);
  std::string out = "Suspended(";
  if (s.cause) out += s.cause->DebugString();
  if (s.failed) out += s.cause ? ", failed" : "failed";
  return out + ")";
}

}  // namespace clustersim::workflow
