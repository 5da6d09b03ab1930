// /v1/cubes/{project}/ingest (start an ingest job) and /v1/jobs (follow, list, cancel).
// Jobs are visible only to their user's credentials (and admins), and a credential limited
// to some projects sees only their jobs; anything else is 404, so ids cannot be probed.
#include "engine/memory_codec.h"
#include "ingest/ingest_json.h"
#include "server/api_impl.h"

namespace memd::server {
namespace json = boost::json;

Result<Job> Api::Impl::VisibleJob(const Call& call) {
  const std::string_view id = call.Param("id");
  Result<Job> job = engine_.GetJob(id);
  const bool visible =
      job.ok() &&
      (call.principal.Has(Scope::kAdmin) ||
       (job->cube.user == call.principal.user && CheckProject(call.principal, job->cube.project).ok()));
  if (!visible) {
    if (!job.ok() && job.status().code() != StatusCode::kNotFound) return job.status();
    return Status::NotFound("no job has id '" + std::string(id.substr(0, 64)) + "'");
  }
  return job;
}

Reply Api::Impl::StartIngest(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto request = ingest::DecodeIngestRequest(*body);
  if (!request.ok()) return BadRequest(request.status());
  auto job = jobs_->SubmitIngest(*cube, *std::move(request));
  if (!job.ok()) return ErrorReply(job.status());
  Reply r = Reply::Json(engine::EncodeJob(*job), 202);
  r.headers.emplace_back("Location", "/v1/jobs/" + job->id);
  return r;
}

Reply Api::Impl::GetJob(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto job = VisibleJob(call);
  if (!job.ok()) return ErrorReply(job.status());
  call.cube = job->cube.user + "/" + job->cube.project;
  return Reply::Json(engine::EncodeJob(*job));
}

Reply Api::Impl::CancelJob(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto job = VisibleJob(call);
  if (!job.ok()) return ErrorReply(job.status());
  call.cube = job->cube.user + "/" + job->cube.project;
  auto cancelled = jobs_->Cancel(job->id);
  if (!cancelled.ok()) return ErrorReply(cancelled.status());
  return Reply::Json(engine::EncodeJob(*cancelled));
}

Reply Api::Impl::ListJobs(Call& call) {
  if (Status s = OnlyQuery(call, {"user", "status"}); !s.ok()) return BadRequest(s);
  auto user = UserOf(call);
  if (!user.ok()) return ErrorReply(user.status());
  bool unfinished_only = false;
  if (auto status = call.Query("status")) {
    if (*status != "unfinished") {
      return BadRequest(Status::InvalidArgument("status may only be 'unfinished'", "status"));
    }
    unfinished_only = true;
  }
  auto jobs = engine_.ListJobs(*user, unfinished_only);
  if (!jobs.ok()) return ErrorReply(jobs.status());
  json::array out;
  for (const Job& job : *jobs) {
    if (*user == call.principal.user && !CheckProject(call.principal, job.cube.project).ok()) continue;
    out.push_back(engine::EncodeJob(job));
  }
  return Reply::Json(json::object{{"jobs", std::move(out)}});
}

}  // namespace memd::server
