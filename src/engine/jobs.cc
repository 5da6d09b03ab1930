// Background job records (see memd/jobs.h): validation, ids and timestamps over the store.
#include <algorithm>

#include "engine/engine_impl.h"
#include "engine/validation.h"

namespace memd {
namespace {

Status CheckKind(std::string_view kind) {
  const bool valid = !kind.empty() && kind.size() <= 32 && std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  });
  if (!valid) return Status::InvalidArgument("a job kind is 1 to 32 of a-z and _", "kind");
  return Status::OK();
}

Status CheckJsonObject(std::string_view text, const char* field) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object())
    return Status::InvalidArgument(std::string(field) + " must be a JSON object", field);
  return Status::OK();
}

}  // namespace

Result<Job> Engine::Impl::CreateJob(const CubeRef& ref, std::string_view kind, std::string_view request) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_RETURN_IF_ERROR(CheckKind(kind));
  MEMD_RETURN_IF_ERROR(CheckJsonObject(request, "request"));
  Job job;
  job.created_at = job.updated_at = Now();
  job.id = "j_" + ulids_.Next(job.created_at);
  job.cube = ref;
  job.kind = kind;
  job.request = request;
  MEMD_RETURN_IF_ERROR(store_->InsertJob(job));
  return job;
}

Result<Job> Engine::Impl::GetJob(std::string_view id) {
  MEMD_ASSIGN_OR_RETURN(std::optional<Job> job, store_->GetJob(id));
  if (!job) return Status::NotFound("no job has id '" + std::string(text::TruncateUtf8(id, 64)) + "'");
  return *std::move(job);
}

Result<std::vector<Job>> Engine::Impl::ListJobs(std::string_view user, bool unfinished_only, int limit) {
  if (!user.empty()) MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{std::string(user), "x"}));
  if (limit < 1 || limit > 1000) return Status::InvalidArgument("limit must be between 1 and 1000", "limit");
  return store_->ListJobs(user, unfinished_only, static_cast<std::size_t>(limit));
}

Result<Job> Engine::Impl::UpdateJob(const Job& job) {
  MEMD_RETURN_IF_ERROR(CheckJsonObject(job.progress, "progress"));
  Job update = job;
  update.updated_at = Now();
  update.finished_at = IsFinal(job.status) ? std::optional<Timestamp>(update.updated_at) : std::nullopt;
  return store_->UpdateJob(update);
}

Result<Job> Engine::Impl::RequestJobCancel(std::string_view id) {
  return store_->RequestJobCancel(id, Now());
}

}  // namespace memd
