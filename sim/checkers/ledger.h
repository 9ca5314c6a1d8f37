// LedgerChecker: the effectively-once effects invariant (SPEC.md §4) — a
// scenario's ledger (balances, counters) equals what a reference model
// computes from the accepted operations.
//
// The model side: each operation the workload made and the system accepted,
// with the account it changes and by how much (each must take effect exactly
// once). The system side: each effect the system recorded, tagged with the
// operation it belongs to. Check compares, per account, the model's sum with
// the recorded sum, and for a mismatch explains it operation by operation:
// an accepted operation with no effect, one applied more than once or with
// a different amount or account, an effect of an operation never accepted.
//
// Single-threaded.
#ifndef CLUSTERSIM_SIM_CHECKERS_LEDGER_H_
#define CLUSTERSIM_SIM_CHECKERS_LEDGER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kEffectivelyOnce[] = "effectively-once";

class LedgerChecker {
 public:
  explicit LedgerChecker(FindingSink sink);

  // The model: `op` was accepted and must change `account` by `amount`.
  // An operation is expected once (a repeat is ignored).
  void Expect(std::string_view op, std::string_view account, int64_t amount);
  // The system: an effect of `op` on `account` by `amount` was recorded.
  void Record(std::string_view op, std::string_view account, int64_t amount);
  // Compares the two; one finding per account whose sums differ.
  void Check(int64_t now_us);

  // The recorded balance of every account.
  absl::btree_map<std::string, int64_t> Balances() const;
  int64_t expected_ops() const { return static_cast<int64_t>(model_.size()); }
  int64_t recorded_effects() const { return recorded_effects_; }

 private:
  struct Effect {
    std::string account;
    int64_t amount = 0;
  };

  // Why `account` differs, per operation (a few, then "...").
  std::string Explain(const std::string& account) const;

  FindingSink sink_;
  absl::btree_map<std::string, Effect, std::less<>> model_;
  absl::btree_map<std::string, std::vector<Effect>, std::less<>> recorded_;
  int64_t recorded_effects_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_LEDGER_H_
