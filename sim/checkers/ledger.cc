#include "sim/checkers/ledger.h"

#include <utility>

#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"

namespace clustersim::sim::checkers {
namespace {

constexpr int kMaxExplained = 5;

}  // namespace

LedgerChecker::LedgerChecker(FindingSink sink) : sink_(std::move(sink)) {}

void LedgerChecker::Expect(std::string_view op, std::string_view account,
                           int64_t amount) {
  model_.try_emplace(std::string(op), Effect{std::string(account), amount});
}

void LedgerChecker::Record(std::string_view op, std::string_view account,
                           int64_t amount) {
  ++recorded_effects_;
  recorded_[std::string(op)].push_back(Effect{std::string(account), amount});
}

absl::btree_map<std::string, int64_t> LedgerChecker::Balances() const {
  absl::btree_map<std::string, int64_t> balances;
  for (const auto& [op, effects] : recorded_) {
    for (const Effect& e : effects) balances[e.account] += e.amount;
  }
  return balances;
}

void LedgerChecker::Check(int64_t now_us) {
  absl::btree_map<std::string, int64_t> expected;
  for (const auto& [op, e] : model_) expected[e.account] += e.amount;
  const absl::btree_map<std::string, int64_t> actual = Balances();
  absl::btree_set<std::string> accounts;
  for (const auto& [account, sum] : expected) accounts.insert(account);
  for (const auto& [account, sum] : actual) accounts.insert(account);
  for (const std::string& account : accounts) {
    auto e = expected.find(account);
    auto a = actual.find(account);
    const int64_t want = e == expected.end() ? 0 : e->second;
    const int64_t got = a == actual.end() ? 0 : a->second;
    if (want == got) continue;
    sink_(Finding{kEffectivelyOnce, now_us,
                  absl::StrCat(account, " is ", got, ", the model says ", want,
                               ": ", Explain(account))});
  }
}

std::string LedgerChecker::Explain(const std::string& account) const {
  std::vector<std::string> reasons;
  auto add = [&reasons](std::string reason) {
    if (reasons.size() <= kMaxExplained) reasons.push_back(std::move(reason));
  };
  for (const auto& [op, want] : model_) {
    if (want.account != account) continue;
    auto it = recorded_.find(op);
    if (it == recorded_.end()) {
      add(absl::StrCat(op, " (+", want.amount, ") never took effect"));
      continue;
    }
    const std::vector<Effect>& effects = it->second;
    if (effects.size() > 1) {
      add(absl::StrCat(op, " took effect ", effects.size(), " times"));
    } else if (effects[0].account != want.account) {
      add(absl::StrCat(op, " (+", want.amount, ") changed ", effects[0].account,
                       " instead"));
    } else if (effects[0].amount != want.amount) {
      add(absl::StrCat(op, " changed ", account, " by ", effects[0].amount,
                       ", not by ", want.amount));
    }
  }
  for (const auto& [op, effects] : recorded_) {
    bool touches = false;
    for (const Effect& e : effects) touches |= e.account == account;
    if (!touches) continue;
    auto it = model_.find(op);
    if (it == model_.end()) {
      add(absl::StrCat(op, " took effect but was never accepted"));
    } else if (it->second.account != account) {
      add(absl::StrCat(op, " belongs to ", it->second.account));
    }
  }
  std::string out;
  for (size_t i = 0; i < reasons.size(); ++i) {
    out += i == 0 ? "" : "; ";
    out += i == kMaxExplained ? "..." : reasons[i];
  }
  return out;
}

}  // namespace clustersim::sim::checkers
