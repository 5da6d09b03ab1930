#include "cli/exit_codes.h"

#include <gtest/gtest.h>

namespace memd::cli {
namespace {

TEST(ExitCodesTest, EveryStatusCodeMapsToItsDocumentedExitCode) {
  EXPECT_EQ(ExitCodeFor(StatusCode::kOk), 0);
  EXPECT_EQ(ExitCodeFor(StatusCode::kInvalidArgument), 2);
  EXPECT_EQ(ExitCodeFor(StatusCode::kNotFound), 3);
  EXPECT_EQ(ExitCodeFor(StatusCode::kUnauthenticated), 4);
  EXPECT_EQ(ExitCodeFor(StatusCode::kPermissionDenied), 4);
  EXPECT_EQ(ExitCodeFor(StatusCode::kAlreadyExists), 5);
  EXPECT_EQ(ExitCodeFor(StatusCode::kConflict), 5);
  EXPECT_EQ(ExitCodeFor(StatusCode::kFailedPrecondition), 5);
  EXPECT_EQ(ExitCodeFor(StatusCode::kResourceExhausted), 6);
  EXPECT_EQ(ExitCodeFor(StatusCode::kUnavailable), 7);
  EXPECT_EQ(ExitCodeFor(StatusCode::kCorruption), 1);
  EXPECT_EQ(ExitCodeFor(StatusCode::kIOError), 1);
  EXPECT_EQ(ExitCodeFor(StatusCode::kInternal), 1);
}

}  // namespace
}  // namespace memd::cli
