#include "core/workflow/cause.h"

#include <algorithm>
#include <utility>

namespace clustersim::workflow {

Cause Cause::Fail(std::string encoded_error) {
  return Cause({Reason{ReasonKind::kFail, std::move(encoded_error)}});
}

Cause Cause::Die(std::string message) {
  return Cause({Reason{ReasonKind::kDie, std::move(message)}});
}

Cause Cause::Interrupt(InterruptKind kind) {
  return Cause({Reason{ReasonKind::kInterrupt, "", kind}});
}

Cause Cause::FromReasons(std::vector<Reason> reasons) {
  return Cause(std::move(reasons));
}

bool Cause::Has(ReasonKind kind) const {
  return std::any_of(reasons_.begin(), reasons_.end(),
                     [kind](const Reason& r) { return r.kind == kind; });
}

bool Cause::HasInterruptsOnly() const {
  return !reasons_.empty() &&
         std::all_of(reasons_.begin(), reasons_.end(), [](const Reason& r) {
           return r.kind == ReasonKind::kInterrupt;
         });
}

bool Cause::HasInterrupt(InterruptKind kind) const {
  return std::any_of(reasons_.begin(), reasons_.end(), [kind](const Reason& r) {
    return r.kind == ReasonKind::kInterrupt && r.interrupt == kind;
  });
}

Cause Cause::WithoutInterrupts() const {
  std::vector<Reason> kept;
  for (const Reason& r : reasons_) {
    if (r.kind != ReasonKind::kInterrupt) kept.push_back(r);
  }
  return Cause(std::move(kept));
}

Cause Cause::Combine(const Cause& other) const {
  std::vector<Reason> all = reasons_;
  all.insert(all.end(), other.reasons_.begin(), other.reasons_.end());
  return Cause(std::move(all));
}

std::string Cause::Squash() const {
  for (ReasonKind kind : {ReasonKind::kFail, ReasonKind::kDie}) {
    for (const Reason& r : reasons_) {
      if (r.kind == kind) return r.value;
    }
  }
  return "interrupted";
}

std::string Cause::DebugString() const {
  if (reasons_.empty()) return "Empty";
  std::string out;
  for (const Reason& r : reasons_) {
    if (!out.empty()) out += " + ";
    switch (r.kind) {
      case ReasonKind::kFail:
        out += "Fail(" + r.value + ")";
        break;
      case ReasonKind::kDie:
        out += "Die(" + r.value + ")";
        break;
      case ReasonKind::kInterrupt:
        out += r.interrupt == InterruptKind::kAbandon ? "Interrupt(abandon)"
               : r.interrupt == InterruptKind::kClientAbort
                   ? "Interrupt(client-abort)"
                   : "Interrupt";
        break;
    }
  }
  return out;
}

}  // namespace clustersim::workflow
