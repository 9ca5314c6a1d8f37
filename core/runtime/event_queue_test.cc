#include "core/runtime/event_queue.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace clustersim {
namespace {

std::vector<int> ran;
void Record(void* ctx) {
  ran.push_back(static_cast<int>(reinterpret_cast<intptr_t>(ctx)));
}
Action Act(int n) {
  return Action{&Record, reinterpret_cast<void*>(intptr_t{n})};
}

std::vector<int> Drain(EventQueue& q) {
  ran.clear();
  while (auto e = q.PopNext()) {
    Action a = q.Take(*e);
    a.fn(a.ctx);
  }
  return ran;
}

TEST(EventQueueTest, OrdersByTimeThenSchedulingOrder) {
  EventQueue q;
  q.Push(30, 0, Act(1));
  q.Push(10, 0, Act(2));
  q.Push(30, 0, Act(3));
  q.Push(10, 0, Act(4));
  q.Push(20, 0, Act(5));
  EXPECT_EQ(Drain(q), (std::vector<int>{2, 4, 5, 1, 3}));
  EXPECT_EQ(q.live(), 0u);
}

TEST(EventQueueTest, CancelSkipsEntryAndStaleIdsAreNoOps) {
  EventQueue q;
  TimerId a = q.Push(5, 0, Act(1));
  q.Push(6, 0, Act(2));
  q.Cancel(a);
  q.Cancel(a);  // twice: no effect
  EXPECT_EQ(q.live(), 1u);
  TimerId c = q.Push(7, 0, Act(3));  // may reuse a's slot
  EXPECT_NE(a, c);
  q.Cancel(a);  // stale id must not cancel the reused slot
  EXPECT_EQ(Drain(q), (std::vector<int>{2, 3}));
}

TEST(EventQueueTest, PeekTimeSkipsCancelledTops) {
  EventQueue q;
  TimerId a = q.Push(1, 0, Act(1));
  q.Push(9, 0, Act(2));
  q.Cancel(a);
  EXPECT_EQ(q.PeekTime(), 9);
  EXPECT_EQ(q.queued_entries(), 1u);
}

TEST(EventQueueTest, RequeueKeepsIdValidAndTagsSurvive) {
  EventQueue q;
  TimerId a = q.Push(1, 7, Act(1));
  q.Push(2, 8, Act(2));
  auto e = q.PopNext();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(q.Tag(*e), 7u);
  q.Requeue(*e, 3);  // held back, e.g. while its node is paused
  EXPECT_EQ(Drain(q), (std::vector<int>{2, 1}));

  TimerId b = q.Push(1, 7, Act(3));
  auto f = q.PopNext();
  q.Requeue(*f, 5);
  q.Cancel(b);  // cancelling a requeued entry works
  EXPECT_TRUE(Drain(q).empty());
  (void)a;
}

TEST(EventQueueTest, LaneThatNeverDrainsStaysBoundedAndInOrder) {
  // Everything due at one instant, ten entries always queued: the lane
  // never empties, so only compaction bounds it.
  EventQueue q;
  int next = 0;
  for (; next < 10; ++next) q.Push(0, 0, Act(next));
  size_t max_footprint = 0;
  for (int expected = 0; expected < 50'000; ++expected) {
    std::optional<EventQueue::Entry> e = q.PopNext();
    ASSERT_TRUE(e.has_value());
    ran.clear();
    Action a = q.Take(*e);
    a.fn(a.ctx);
    ASSERT_EQ(ran, std::vector<int>{expected});
    q.Push(0, 0, Act(next++));
    max_footprint = std::max(max_footprint, q.lane_footprint());
  }
  EXPECT_EQ(q.live(), 10u);
  EXPECT_LE(max_footprint, 2 * 4096u + 10);
}

// Model check: random pushes and cancels drain in (time, push order).
RC_GTEST_PROP(EventQueueProperty, MatchesSortedModel, ()) {
  EventQueue q;
  std::map<std::pair<int64_t, int>, int> model;  // (time, n) -> n
  std::vector<std::pair<TimerId, std::pair<int64_t, int>>> ids;
  const int ops = *rc::gen::inRange(1, 300);
  for (int n = 0; n < ops; ++n) {
    if (!ids.empty() && *rc::gen::inRange(0, 4) == 0) {
      size_t i = *rc::gen::inRange<size_t>(0, ids.size());
      q.Cancel(ids[i].first);
      model.erase(ids[i].second);
      continue;
    }
    int64_t t = *rc::gen::inRange<int64_t>(0, 50);
    ids.push_back({q.Push(t, 0, Act(n)), {t, n}});
    model[{t, n}] = n;
  }
  std::vector<int> expected;
  for (auto& [key, n] : model) expected.push_back(n);
  RC_ASSERT(q.live() == expected.size());
  RC_ASSERT(Drain(q) == expected);
}

// Model check of the interleaved use the simulator makes: entries pushed at
// the instant just popped (the FIFO lane), later or even earlier, cancels
// and requeues between pops. Pops must follow (time, scheduling order).
RC_GTEST_PROP(EventQueueProperty, InterleavedPopsMatchSortedModel, ()) {
  EventQueue q;
  // (time, seq) -> (n, id); seq mirrors the queue's scheduling counter.
  std::map<std::pair<int64_t, uint64_t>, std::pair<int, TimerId>> model;
  uint64_t seq = 0;
  int64_t now = 0;
  int next_n = 0;
  const int ops = *rc::gen::inRange(1, 400);
  for (int op = 0; op < ops; ++op) {
    const int kind = *rc::gen::inRange(0, 10);
    if (kind < 5) {
      // Mostly due now; sometimes later, rarely in the past.
      const int64_t delta = *rc::gen::element<int64_t>(0, 0, 0, 1, 7, -1);
      const int64_t t = std::max<int64_t>(0, now + delta);
      const int n = next_n++;
      model[{t, seq++}] = {n, q.Push(t, 0, Act(n))};
    } else if (kind < 6 && !model.empty()) {
      auto it =
          std::next(model.begin(), *rc::gen::inRange<size_t>(0, model.size()));
      q.Cancel(it->second.second);
      model.erase(it);
    } else {
      std::optional<EventQueue::Entry> e = q.PopNext();
      RC_ASSERT(e.has_value() == !model.empty());
      if (!e.has_value()) continue;
      auto first = model.begin();
      RC_ASSERT(e->time_us == first->first.first);
      now = e->time_us;
      const auto [n, id] = first->second;
      model.erase(first);
      if (kind == 9) {
        // Held back (a paused node): same id, a fresh place in line.
        const int64_t t = now + *rc::gen::inRange<int64_t>(0, 3);
        q.Requeue(*e, t);
        model[{t, seq++}] = {n, id};
        continue;
      }
      ran.clear();
      Action a = q.Take(*e);
      a.fn(a.ctx);
      RC_ASSERT(ran == std::vector<int>{n});
    }
  }
  std::vector<int> expected;
  for (const auto& [key, value] : model) expected.push_back(value.first);
  RC_ASSERT(q.live() == expected.size());
  RC_ASSERT(Drain(q) == expected);
}

}  // namespace
}  // namespace clustersim
