// Engine: background job records (CreateJob, GetJob, ListJobs, UpdateJob, RequestJobCancel).
#include <gtest/gtest.h>

#include "engine/engine_test_util.h"

namespace memd::testing {
namespace {

using JobsTest = EngineTest;

TEST_F(JobsTest, CreatedJobIsQueuedAndSurvivesReopen) {
  auto job = engine_->CreateJob(alpha_, "ingest", R"({"paths":["/repo"]})");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->id.rfind("j_", 0), 0u);
  EXPECT_EQ(job->status, JobStatus::kQueued);
  EXPECT_EQ(job->progress, "{}");
  EXPECT_EQ(job->created_at, now_.load());
  Reopen();
  auto got = engine_->GetJob(job->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, *job);
}

TEST_F(JobsTest, BadInputIsRejectedAndNothingIsStored) {
  EXPECT_EQ(engine_->CreateJob(alpha_, "ingest", "[1]").status().field(), "request");
  EXPECT_EQ(engine_->CreateJob(alpha_, "ingest", "{not json").status().field(), "request");
  EXPECT_EQ(engine_->CreateJob(alpha_, "In-gest", "{}").status().field(), "kind");
  EXPECT_EQ(engine_->CreateJob(CubeRef{"bad user", "p"}, "ingest", "{}").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(engine_->ListJobs("")->empty());
  EXPECT_EQ(engine_->GetJob("j_missing").status().code(), StatusCode::kNotFound);
}

TEST_F(JobsTest, UpdatesUntilFinalThenRefuses) {
  auto job = *engine_->CreateJob(alpha_, "ingest", "{}");
  job.status = JobStatus::kRunning;
  job.progress = R"({"files":3})";
  now_ += 10;
  auto running = engine_->UpdateJob(job);
  ASSERT_TRUE(running.ok()) << running.status().ToString();
  EXPECT_EQ(running->status, JobStatus::kRunning);
  EXPECT_EQ(running->progress, R"({"files":3})");
  EXPECT_EQ(running->updated_at, now_.load());
  EXPECT_FALSE(running->finished_at.has_value());

  job.status = JobStatus::kDone;
  auto done = engine_->UpdateJob(job);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->finished_at, now_.load());
  job.status = JobStatus::kRunning;
  auto again = engine_->UpdateJob(job);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->GetJob(job.id)->status, JobStatus::kDone);
  job.progress = "not json";
  EXPECT_EQ(engine_->UpdateJob(job).status().field(), "progress");
}

TEST_F(JobsTest, CancelEndsAQueuedJobAndFlagsARunningOne) {
  auto queued = *engine_->CreateJob(alpha_, "ingest", "{}");
  auto cancelled = engine_->RequestJobCancel(queued.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->status, JobStatus::kCancelled);
  EXPECT_TRUE(cancelled->cancel_requested);
  EXPECT_TRUE(cancelled->finished_at.has_value());

  auto running = *engine_->CreateJob(alpha_, "ingest", "{}");
  running.status = JobStatus::kRunning;
  ASSERT_TRUE(engine_->UpdateJob(running).ok());
  auto flagged = engine_->RequestJobCancel(running.id);
  ASSERT_TRUE(flagged.ok());
  EXPECT_EQ(flagged->status, JobStatus::kRunning);
  EXPECT_TRUE(flagged->cancel_requested);
  // A later progress update by the runner keeps the flag.
  running.progress = R"({"files":1})";
  auto updated = engine_->UpdateJob(running);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated->cancel_requested);
  EXPECT_EQ(engine_->RequestJobCancel("j_nope").status().code(), StatusCode::kNotFound);
}

TEST_F(JobsTest, ListIsPerUserNewestFirstAndCanSkipFinished) {
  auto a1 = *engine_->CreateJob(alpha_, "ingest", "{}");
  now_ += 1;
  auto a2 = *engine_->CreateJob(beta_, "ingest", "{}");
  now_ += 1;
  auto b1 = *engine_->CreateJob(bob_, "ingest", "{}");
  a1.status = JobStatus::kFailed;
  ASSERT_TRUE(engine_->UpdateJob(a1).ok());
  auto alice = engine_->ListJobs("alice");
  ASSERT_TRUE(alice.ok());
  ASSERT_EQ(alice->size(), 2u);
  EXPECT_EQ((*alice)[0].id, a2.id);
  EXPECT_EQ((*alice)[1].id, a1.id);
  auto unfinished = engine_->ListJobs("", /*unfinished_only=*/true);
  ASSERT_EQ(unfinished->size(), 2u);
  EXPECT_EQ((*unfinished)[0].id, b1.id);
  EXPECT_EQ(engine_->ListJobs("", false, 0).status().field(), "limit");
}

TEST_F(JobsTest, ForgetRemovesTheJobsOfItsScope) {
  Add(alpha_, "a memory so the cube exists");
  Add(beta_, "another memory");
  auto a = *engine_->CreateJob(alpha_, "ingest", "{}");
  auto b = *engine_->CreateJob(beta_, "ingest", "{}");
  auto bob = *engine_->CreateJob(bob_, "ingest", "{}");
  ASSERT_TRUE(engine_->ForgetProject(alpha_).ok());
  EXPECT_EQ(engine_->GetJob(a.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(engine_->GetJob(b.id).ok());
  ASSERT_TRUE(engine_->ForgetUser("alice").ok());
  EXPECT_EQ(engine_->GetJob(b.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(engine_->GetJob(bob.id).ok());
}

}  // namespace
}  // namespace memd::testing
