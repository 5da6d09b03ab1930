#include "ingest/job_runner.h"

#include <gtest/gtest.h>

#include <thread>

#include "ingest/ingest_test_util.h"
#include "util/temp_dir.h"

namespace memd::ingest {
namespace {

using testing::FixtureTree;

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("memd-job-runner-test-");
    ASSERT_TRUE(dir.ok());
    data_ = std::make_unique<TempDir>(std::move(*dir));
    OpenEngine();
    tree_.Write("src/math.py", "def add_numbers(a, b):\n    \"\"\"Adds two numbers.\"\"\"\n    return a + b\n");
    tree_.Write("README.md", "# Project\n\nA small project for job tests.\n");
  }
  void OpenEngine() {
    runner_.reset();
    engine_.reset();
    EngineOptions options;
    options.data_dir = data_->path() + "/data";
    options.durability = Durability::kNormal;
    auto engine = Engine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    JobRunnerOptions runner_options;
    runner_options.allowed_roots = {tree_.root()};
    runner_options.progress_interval = std::chrono::milliseconds(0);
    runner_ = std::make_unique<JobRunner>(*engine_, runner_options);
  }
  Job WaitFinal(const std::string& id) {
    for (int i = 0; i < 2000; ++i) {
      auto job = engine_->GetJob(id);
      EXPECT_TRUE(job.ok()) << job.status().ToString();
      if (!job.ok() || IsFinal(job->status)) return job.ok() ? *job : Job();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "job " << id << " did not finish";
    return Job();
  }
  static IngestRequest Request(std::vector<std::string> paths) {
    IngestRequest request;
    request.paths = std::move(paths);
    return request;
  }

  FixtureTree tree_;
  std::unique_ptr<TempDir> data_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<JobRunner> runner_;
  const CubeRef cube_{"alice", "proj"};
};

TEST_F(JobRunnerTest, SubmittedJobRunsToDoneWithItsReport) {
  ASSERT_TRUE(runner_->Start().ok());
  auto job = runner_->SubmitIngest(cube_, Request({tree_.root()}));
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->status, JobStatus::kQueued);
  EXPECT_NE(job->request.find(tree_.root()), std::string::npos);  // canonical paths are recorded
  Job done = WaitFinal(job->id);
  EXPECT_EQ(done.status, JobStatus::kDone) << done.error;
  EXPECT_NE(done.progress.find("\"ingested\":2"), std::string::npos) << done.progress;
  SearchRequest search;
  search.query = "add numbers";
  auto hits = engine_->Search(cube_.user, {cube_.project}, search);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
}

TEST_F(JobRunnerTest, PathsOutsideTheRootsAreRefusedAndNothingIsRecorded) {
  auto outside = runner_->SubmitIngest(cube_, Request({"/etc"}));
  EXPECT_EQ(outside.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(outside.status().field(), "paths[0]");
  auto escape = runner_->SubmitIngest(cube_, Request({tree_.root() + "/../"}));
  EXPECT_EQ(escape.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(engine_->ListJobs("")->empty());
  JobRunner no_roots(*engine_, JobRunnerOptions{});
  EXPECT_EQ(no_roots.SubmitIngest(cube_, Request({tree_.root()})).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(JobRunnerTest, QueuedJobSurvivesARestartAndRunsOnStart) {
  auto job = runner_->SubmitIngest(cube_, Request({tree_.root()}));  // not started: stays queued
  ASSERT_TRUE(job.ok());
  OpenEngine();  // a new process, in effect
  ASSERT_TRUE(runner_->Start().ok());
  EXPECT_EQ(WaitFinal(job->id).status, JobStatus::kDone);
}

TEST_F(JobRunnerTest, JobInterruptedWhileRunningResumesOnStart) {
  auto job = runner_->SubmitIngest(cube_, Request({tree_.root()}));
  ASSERT_TRUE(job.ok());
  Job crashed = *job;
  crashed.status = JobStatus::kRunning;  // what a crash mid-job leaves behind
  ASSERT_TRUE(engine_->UpdateJob(crashed).ok());
  OpenEngine();
  ASSERT_TRUE(runner_->Start().ok());
  Job done = WaitFinal(job->id);
  EXPECT_EQ(done.status, JobStatus::kDone);
  EXPECT_NE(done.progress.find("\"resumed\":true"), std::string::npos) << done.progress;
}

TEST_F(JobRunnerTest, CancelledQueuedJobNeverRuns) {
  auto job = runner_->SubmitIngest(cube_, Request({tree_.root()}));
  ASSERT_TRUE(job.ok());
  auto cancelled = runner_->Cancel(job->id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, JobStatus::kCancelled);
  ASSERT_TRUE(runner_->Start().ok());
  runner_->Stop();
  EXPECT_EQ(engine_->GetJob(job->id)->status, JobStatus::kCancelled);
  EXPECT_TRUE(engine_->ListSources(cube_)->empty());
}

}  // namespace
}  // namespace memd::ingest
