// SqliteStore: the jobs table (schema v5). Jobs belong to no cube (their cube may not exist
// yet), so, like API keys, their writes are plain group-writer bodies that do not advance
// any cube's sequence.
#include <string>

#include "store/group_writer.h"
#include "store/read_pool.h"
#include "store/sqlite_db.h"
#include "store/sqlite_store.h"

namespace memd::store {
namespace {

#define MEMD_JOB_COLUMNS                                                                                  \
  "id, user, project, kind, request, status, progress, error, cancel_requested, created_at, updated_at, " \
  "finished_at"

// Reads a row selected with MEMD_JOB_COLUMNS. Corruption names the database and job.
Result<Job> ReadJob(const Stmt& stmt, const std::string& path) {
  Job job;
  job.id = stmt.Text(0);
  job.cube.user = stmt.Text(1);
  job.cube.project = stmt.Text(2);
  job.kind = stmt.Text(3);
  job.request = stmt.Text(4);
  std::optional<JobStatus> status = ParseJobStatus(stmt.Text(5));
  if (!status) {
    return Status::Corruption("database " + path + ", job " + job.id + ": unknown status '" +
                              std::string(stmt.Text(5)) + "'");
  }
  job.status = *status;
  job.progress = stmt.Text(6);
  job.error = stmt.Text(7);
  job.cancel_requested = stmt.Int(8) != 0;
  job.created_at = stmt.Int(9);
  job.updated_at = stmt.Int(10);
  job.finished_at = stmt.OptionalInt(11);
  return job;
}

Result<std::optional<Job>> SelectJob(Db& db, std::string_view id) {
  MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT " MEMD_JOB_COLUMNS " FROM jobs WHERE id = ?1"));
  stmt.BindText(1, id);
  MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<Job>();
  MEMD_ASSIGN_OR_RETURN(Job job, ReadJob(stmt, db.path()));
  return std::optional<Job>(std::move(job));
}

Result<Job> SelectExistingJob(Db& db, std::string_view id) {
  MEMD_ASSIGN_OR_RETURN(std::optional<Job> job, SelectJob(db, id));
  if (!job) return Status::NotFound("no job has id '" + std::string(id) + "'");
  return *std::move(job);
}

}  // namespace

Status SqliteStore::InsertJob(const Job& job) {
  return writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("INSERT INTO jobs(" MEMD_JOB_COLUMNS
                                     ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
    stmt.BindText(1, job.id);
    stmt.BindText(2, job.cube.user);
    stmt.BindText(3, job.cube.project);
    stmt.BindText(4, job.kind);
    stmt.BindText(5, job.request);
    stmt.BindText(6, JobStatusName(job.status));
    stmt.BindText(7, job.progress);
    stmt.BindText(8, job.error);
    stmt.BindInt(9, job.cancel_requested ? 1 : 0);
    stmt.BindInt(10, job.created_at);
    stmt.BindInt(11, job.updated_at);
    stmt.BindOptionalInt(12, job.finished_at);
    return stmt.Run();
  });
}

Result<std::optional<Job>> SqliteStore::GetJob(std::string_view id) {
  return RunRead(*readers_, [&](Db& db) { return SelectJob(db, id); });
}

Result<std::vector<Job>> SqliteStore::ListJobs(std::string_view user, bool unfinished_only,
                                               std::size_t limit) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<Job>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_JOB_COLUMNS " FROM jobs WHERE (?1 = '' OR user = ?1) "
                                     "AND (?2 = 0 OR status IN ('queued', 'running')) "
                                     "ORDER BY id DESC LIMIT ?3"));
    stmt.BindText(1, user);
    stmt.BindInt(2, unfinished_only ? 1 : 0);
    stmt.BindInt(3, static_cast<std::int64_t>(limit));
    std::vector<Job> jobs;
    for (;;) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return jobs;
      MEMD_ASSIGN_OR_RETURN(Job job, ReadJob(stmt, db.path()));
      jobs.push_back(std::move(job));
    }
  });
}

Result<Job> SqliteStore::UpdateJob(const Job& job) {
  Job stored;
  MEMD_RETURN_IF_ERROR(writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(
        Stmt stmt, db.Prepare("UPDATE jobs SET status = ?2, progress = ?3, error = ?4, updated_at = ?5, "
                              "finished_at = ?6 WHERE id = ?1 AND status IN ('queued', 'running')"));
    stmt.BindText(1, job.id);
    stmt.BindText(2, JobStatusName(job.status));
    stmt.BindText(3, job.progress);
    stmt.BindText(4, job.error);
    stmt.BindInt(5, job.updated_at);
    stmt.BindOptionalInt(6, job.finished_at);
    MEMD_RETURN_IF_ERROR(stmt.Run());
    const bool updated = db.changes() > 0;
    MEMD_ASSIGN_OR_RETURN(stored, SelectExistingJob(db, job.id));
    if (!updated) {
      return Status::FailedPrecondition("job " + job.id + " is already " +
                                        std::string(JobStatusName(stored.status)));
    }
    return Status::OK();
  }));
  return stored;
}

Result<Job> SqliteStore::RequestJobCancel(std::string_view id, Timestamp now) {
  Job stored;
  MEMD_RETURN_IF_ERROR(writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(
        Stmt stmt,
        db.Prepare("UPDATE jobs SET cancel_requested = 1, updated_at = ?2, "
                   "status = CASE status WHEN 'queued' THEN 'cancelled' ELSE status END, "
                   "error = CASE status WHEN 'queued' THEN 'cancelled before it started' ELSE error END, "
                   "finished_at = CASE status WHEN 'queued' THEN ?2 ELSE finished_at END "
                   "WHERE id = ?1 AND status IN ('queued', 'running')"));
    stmt.BindText(1, id);
    stmt.BindInt(2, now);
    MEMD_RETURN_IF_ERROR(stmt.Run());
    MEMD_ASSIGN_OR_RETURN(stored, SelectExistingJob(db, id));
    return Status::OK();
  }));
  return stored;
}

Status SqliteStore::DeleteJobs(std::string_view user, std::string_view project) {
  return writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("DELETE FROM jobs WHERE user = ?1 AND (?2 = '' OR project = ?2)"));
    stmt.BindText(1, user);
    stmt.BindText(2, project);
    return stmt.Run();
  });
}

}  // namespace memd::store
