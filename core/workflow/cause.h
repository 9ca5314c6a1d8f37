// Cause: why a workflow step failed, with every reason kept (Effect's
// Cause.Cause). A step can fail for several reasons at once (a typed failure
// plus the interrupt that cut its clean-up short); the workflow engine needs
// them all: `HasInterruptsOnly` tells a suspension (a self-interrupt) from a
// real failure, interrupt reasons are stripped before a result is recorded,
// and interrupt annotations say why an interrupt happened (Effect's
// Abandon: the runner gave the run up, e.g. at shutdown; ClientAbort: the
// caller went away).
//
// A typed failure carries its error encoded by the workflow's or activity's
// error codec; a defect carries a message. Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_WORKFLOW_CAUSE_H_
#define CLUSTERSIM_CORE_WORKFLOW_CAUSE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace clustersim::workflow {

enum class ReasonKind : uint8_t { kFail = 1, kDie = 2, kInterrupt = 3 };

// Why an interrupt happened (Effect's interrupt annotations).
enum class InterruptKind : uint8_t {
  kPlain = 0,
  kAbandon = 1,
  kClientAbort = 2
};

struct Reason {
  ReasonKind kind = ReasonKind::kDie;
  // kFail: the encoded error; kDie: the defect's message; kInterrupt: empty.
  std::string value;
  InterruptKind interrupt = InterruptKind::kPlain;

  friend bool operator==(const Reason&, const Reason&) = default;
};

class Cause {
 public:
  // The empty cause (no reason); Effect's Cause.empty.
  Cause() = default;
  static Cause Fail(std::string encoded_error);
  static Cause Die(std::string message);
  static Cause Interrupt(InterruptKind kind = InterruptKind::kPlain);
  static Cause FromReasons(std::vector<Reason> reasons);

  const std::vector<Reason>& reasons() const { return reasons_; }
  bool empty() const { return reasons_.empty(); }

  bool HasFails() const { return Has(ReasonKind::kFail); }
  bool HasDies() const { return Has(ReasonKind::kDie); }
  bool HasInterrupts() const { return Has(ReasonKind::kInterrupt); }
  // True for a non-empty cause made of interrupts only.
  bool HasInterruptsOnly() const;
  bool HasInterrupt(InterruptKind kind) const;

  // The same cause with its interrupt reasons removed.
  Cause WithoutInterrupts() const;
  // Both causes' reasons, this one's first (Effect's Cause.combine).
  Cause Combine(const Cause& other) const;
  // One message for the whole cause (Effect's Cause.squash): the first typed
  // failure, else the first defect, else "interrupted".
  std::string Squash() const;
  // "Fail(x) + Die(y) + Interrupt(abandon)", for logs and test messages.
  std::string DebugString() const;

  friend bool operator==(const Cause&, const Cause&) = default;

 private:
  explicit Cause(std::vector<Reason> reasons) : reasons_(std::move(reasons)) {}
  bool Has(ReasonKind kind) const;

  std::vector<Reason> reasons_;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_CAUSE_H_
