// Background jobs (ingestion): durable records of long-running work, so a client can follow
// a job, cancel it, and find it again after the server restarted. The engine stores them;
// the runner that executes them lives above the engine (server). Plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "memd/memory.h"

namespace memd {

enum class JobStatus { kQueued, kRunning, kDone, kFailed, kCancelled };

// "queued", "running", "done", "failed", "cancelled".
constexpr std::string_view JobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued:
      return "queued";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kDone:
      return "done";
    case JobStatus::kFailed:
      return "failed";
    case JobStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}
// The status named name; nullopt for anything else.
constexpr std::optional<JobStatus> ParseJobStatus(std::string_view name) {
  for (JobStatus s : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kDone, JobStatus::kFailed,
                      JobStatus::kCancelled}) {
    if (JobStatusName(s) == name) return s;
  }
  return std::nullopt;
}
// done, failed and cancelled are final: a job in them never changes again.
inline bool IsFinal(JobStatus status) {
  return status == JobStatus::kDone || status == JobStatus::kFailed || status == JobStatus::kCancelled;
}

struct Job {
  std::string id;       // "j_" + ULID: unique, time-ordered
  CubeRef cube;         // the cube the job writes
  std::string kind;     // what runs it, e.g. "ingest"
  std::string request;  // JSON object text: the job's input (kind-specific)
  JobStatus status = JobStatus::kQueued;
  std::string progress = "{}";    // JSON object text: counts so far (kind-specific)
  std::string error;              // why it failed or was cancelled; empty otherwise
  bool cancel_requested = false;  // set by RequestJobCancel; the runner stops at its next check
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  std::optional<Timestamp> finished_at;  // set when the status became final
  friend bool operator==(const Job&, const Job&) = default;
};

}  // namespace memd
