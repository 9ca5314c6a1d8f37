// Helpers for tests of workflow engines. Test-only.
#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_TESTING_H_
#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_TESTING_H_

#include <utility>

#include "absl/status/status.h"
#include "core/runtime/task.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/engine.h"
#include "gtest/gtest.h"

namespace clustersim::workflow::testing {

// Done, as a fiber body: a completion that was not sent fails the test.
inline Task<void> CompleteDeferred(WorkflowEngine& engine,
                                   DeferredAddress address, Exit exit) {
  const absl::Status sent =
      co_await Done(engine, std::move(address), std::move(exit));
  EXPECT_TRUE(sent.ok()) << sent;
}

}  // namespace clustersim::workflow::testing

#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_TESTING_H_
