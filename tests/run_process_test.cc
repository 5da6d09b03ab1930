// Tests of the integration-test helper itself.
#include "run_process.h"

#include <gtest/gtest.h>

#include <string>

namespace memd::testutil {
namespace {

TEST(RunProcessTest, CapturesStdoutStderrAndTheExitCode) {
  ProcessResult r = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.start_error, "");
}

TEST(RunProcessTest, FeedsStdinLargerThanAPipeBuffer) {
  ProcessOptions options;
  options.stdin_text = std::string(1 << 20, 'x') + "\nend\n";
  ProcessResult r = RunProcess({"cat"}, options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, options.stdin_text);
}

TEST(RunProcessTest, SetsAndUnsetsEnvironmentVariables) {
  ::setenv("RUN_PROCESS_TEST_GONE", "still here", 1);
  ProcessOptions options;
  options.set_env = {{"RUN_PROCESS_TEST_VAR", "hello"}};
  options.unset_env = {"RUN_PROCESS_TEST_GONE"};
  ProcessResult r = RunProcess({"/bin/sh", "-c", "echo \"$RUN_PROCESS_TEST_VAR|${RUN_PROCESS_TEST_GONE-unset}\""},
                               options);
  EXPECT_EQ(r.out, "hello|unset\n");
  ::unsetenv("RUN_PROCESS_TEST_GONE");
}

TEST(RunProcessTest, RunsInTheWorkingDirectory) {
  ProcessOptions options;
  options.working_dir = "/";
  EXPECT_EQ(RunProcess({"pwd"}, options).out, "/\n");
}

TEST(RunProcessTest, KillsAChildThatOutlivesTheTimeout) {
  ProcessOptions options;
  options.timeout = std::chrono::milliseconds(100);
  ProcessResult r = RunProcess({"sleep", "10"}, options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(RunProcessTest, ReportsAProgramThatCannotStart) {
  ProcessResult r = RunProcess({"/nonexistent/program"});
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_NE(r.start_error.find("No such file"), std::string::npos) << r.start_error;
}

TEST(RunProcessTest, AChildThatIgnoresStdinDoesNotKillTheParent) {
  ProcessOptions options;
  options.stdin_text = std::string(1 << 20, 'y');
  ProcessResult r = RunProcess({"/bin/sh", "-c", "exit 0"}, options);
  EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace memd::testutil
