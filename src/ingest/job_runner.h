// JobRunner: runs ingest jobs in the background for a server (REST and MCP), on top of the
// engine's durable job records (memd/jobs.h).
//
// - Submit confines every path to the allowed roots (symlinks out of a walked directory are
//   never followed; http(s) URLs are fetched, never from private or loopback addresses),
//   records a queued job and returns it at once; one worker thread runs jobs in order.
// - Progress is written to the job record at most every progress_interval; the final
//   record holds the whole report (ingest_json.h) as its progress.
// - Cancel stops a running job between two files (each file is applied atomically) and
//   ends a queued one at once.
// - Stop (and the destructor) interrupts the running job and leaves it queued; Start
//   re-queues every unfinished job, so jobs survive a shutdown or a crash: running an
//   ingest again skips the files already done and finishes the rest. A job is never left
//   half-applied without a record saying so.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "memd/engine.h"
#include "memd/ingest.h"
#include "memd/jobs.h"

namespace memd::ingest {

inline constexpr const char* kIngestJobKind = "ingest";

struct JobRunnerOptions {
  // Directories that ingested paths must lie in (see ConfinePath). Empty: every submission
  // is refused with PermissionDenied.
  std::vector<std::string> allowed_roots;
  std::chrono::milliseconds progress_interval{500};
};

class JobRunner {
 public:
  JobRunner(Engine& engine, JobRunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Starts the worker and queues the unfinished jobs of the store, oldest first.
  Status Start();
  // Records and queues an ingest of request into cube. Errors (nothing recorded):
  // PermissionDenied if a path is outside the allowed roots (or none are configured),
  // NotFound if a path does not exist, InvalidArgument for bad input.
  Result<Job> SubmitIngest(const CubeRef& cube, IngestRequest request);
  // Requests cancellation (see Engine::RequestJobCancel) and stops the job if it runs here.
  Result<Job> Cancel(std::string_view id);
  // Interrupts the running job (left queued for the next Start) and joins the worker.
  // Idempotent.
  void Stop();

  const std::vector<std::string>& allowed_roots() const { return options_.allowed_roots; }

 private:
  void WorkerLoop();
  void Run(const std::string& id);
  Status ConfinePaths(IngestRequest& request) const;

  Engine& engine_;
  const JobRunnerOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;       // job ids, guarded by mu_
  std::string running_id_;              // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  std::atomic<bool> interrupt_{false};  // read by the running ingest between files
  std::thread worker_;
};

}  // namespace memd::ingest
