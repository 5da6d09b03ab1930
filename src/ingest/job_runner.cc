#include "ingest/job_runner.h"

#include <algorithm>

#include "engine/memory_codec.h"
#include "ingest/ingest_json.h"
#include "ingest/url_fetch.h"

namespace memd::ingest {
namespace json = boost::json;

JobRunner::JobRunner(Engine& engine, JobRunnerOptions options)
    : engine_(engine), options_(std::move(options)) {}

JobRunner::~JobRunner() { Stop(); }

Status JobRunner::Start() {
  MEMD_ASSIGN_OR_RETURN(std::vector<Job> unfinished, engine_.ListJobs("", /*unfinished_only=*/true, 1000));
  std::sort(unfinished.begin(), unfinished.end(), [](const Job& a, const Job& b) { return a.id < b.id; });
  std::lock_guard lock(mu_);
  for (const Job& job : unfinished) {
    if (job.kind == kIngestJobKind) queue_.push_back(job.id);
  }
  stopping_ = false;
  if (!worker_.joinable()) worker_ = std::thread([this] { WorkerLoop(); });
  wake_.notify_one();
  return Status::OK();
}

void JobRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    interrupt_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

Status JobRunner::ConfinePaths(IngestRequest& request) const {
  if (options_.allowed_roots.empty()) {
    return Status(StatusCode::kPermissionDenied,
                  "this server has no ingest roots; start it with --ingest-root DIR to allow ingesting files "
                  "below DIR");
  }
  // A link followed out of a walked directory could leave the roots, and a URL must not
  // reach the server's private network.
  request.options.walk.follow_symlinks_outside_root = false;
  request.options.urls.allow_private_addresses = false;
  for (std::size_t i = 0; i < request.paths.size(); ++i) {
    if (IsHttpUrl(request.paths[i])) continue;
    Result<std::string> confined = ConfinePath(request.paths[i], options_.allowed_roots);
    if (!confined.ok()) {
      return Status(confined.status().code(), confined.status().message(),
                    "paths[" + std::to_string(i) + "]");
    }
    request.paths[i] = *std::move(confined);
  }
  return Status::OK();
}

Result<Job> JobRunner::SubmitIngest(const CubeRef& cube, IngestRequest request) {
  MEMD_RETURN_IF_ERROR(ConfinePaths(request));
  MEMD_ASSIGN_OR_RETURN(
      Job job, engine_.CreateJob(cube, kIngestJobKind, engine::ToJsonText(EncodeIngestRequest(request))));
  {
    std::lock_guard lock(mu_);
    queue_.push_back(job.id);
  }
  wake_.notify_one();
  return job;
}

Result<Job> JobRunner::Cancel(std::string_view id) {
  MEMD_ASSIGN_OR_RETURN(Job job, engine_.RequestJobCancel(id));
  std::lock_guard lock(mu_);
  if (running_id_ == id) interrupt_ = true;
  return job;
}

void JobRunner::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    running_id_ = queue_.front();
    queue_.pop_front();
    interrupt_ = false;
    lock.unlock();
    Run(running_id_);
    lock.lock();
    running_id_.clear();
  }
}

void JobRunner::Run(const std::string& id) {
  Result<Job> loaded = engine_.GetJob(id);
  if (!loaded.ok() || IsFinal(loaded->status)) return;  // forgotten, or cancelled while queued
  Job job = *std::move(loaded);
  auto finish = [&](JobStatus status, json::object progress, std::string error) {
    job.status = status;
    job.progress = engine::ToJsonText(progress);
    job.error = std::move(error);
    engine_.UpdateJob(job).status().IgnoreError();  // FailedPrecondition: cancelled meanwhile
  };
  if (job.cancel_requested) return finish(JobStatus::kCancelled, json::object{}, "cancelled by request");

  boost::system::error_code ec;
  json::value request_json = json::parse(job.request, ec);
  Result<IngestRequest> request =
      ec ? Result<IngestRequest>(Status::Corruption("the job's request is not JSON"))
         : DecodeIngestRequest(request_json);
  // Paths are confined again: a link below a root may have been changed since submission.
  if (request.ok()) {
    Status confined = ConfinePaths(*request);
    if (!confined.ok()) request = confined;
  }
  if (!request.ok()) return finish(JobStatus::kFailed, json::object{}, request.status().ToString());

  const bool resumed = job.status == JobStatus::kRunning;
  job.status = JobStatus::kRunning;
  job.progress = engine::ToJsonText(json::object{{"phase", "starting"}, {"resumed", resumed}});
  if (!engine_.UpdateJob(job).ok()) return;

  auto last_write = std::chrono::steady_clock::now();
  auto on_progress = [&](const IngestProgress& progress) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_write < options_.progress_interval) return;
    last_write = now;
    json::object p = EncodeIngestProgress(progress);
    p["resumed"] = resumed;
    job.progress = engine::ToJsonText(p);
    Result<Job> stored = engine_.UpdateJob(job);
    // A cancel requested through another Engine on the same data directory shows here.
    if (stored.ok() && stored->cancel_requested) interrupt_ = true;
  };
  Result<IngestReport> report = Ingest(engine_, job.cube, *request, on_progress, &interrupt_);
  if (!report.ok()) return finish(JobStatus::kFailed, json::object{}, report.status().ToString());
  json::object result = EncodeIngestReport(*report);
  result["resumed"] = resumed;
  if (report->cancelled) {
    bool shutting_down;
    {
      std::lock_guard lock(mu_);
      shutting_down = stopping_;
    }
    // Interrupted by Stop, not by a user: left for the next Start, which finishes it.
    if (shutting_down)
      return finish(JobStatus::kRunning, std::move(result), "interrupted by shutdown; resumes on restart");
    return finish(JobStatus::kCancelled, std::move(result), "cancelled by request");
  }
  if (!report->stopped_by.ok())
    return finish(JobStatus::kFailed, std::move(result), report->stopped_by.ToString());
  finish(JobStatus::kDone, std::move(result), "");
}

}  // namespace memd::ingest
