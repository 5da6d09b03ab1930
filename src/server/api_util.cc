// Helpers shared by the REST handlers: identity and project checks, request bodies, query
// parameters, idempotency keys and error replies.
#include <algorithm>
#include <atomic>

#include "server/api_impl.h"
#include "util/json.h"

namespace memd::server {
namespace json = boost::json;

namespace {
constexpr std::size_t kMaxIdempotencyKeyBytes = 200;
}  // namespace

Result<std::string> Api::Impl::UserOf(Call& call) {
  std::optional<std::string_view> user = call.Query("user");
  if (!user || *user == call.principal.user) return call.principal.user;
  if (!call.principal.Has(Scope::kAdmin)) {
    return Status(StatusCode::kPermissionDenied, "only an admin credential may act for another user", "user");
  }
  return std::string(*user);
}

Status Api::Impl::CheckProject(const Principal& principal, std::string_view project) const {
  if (principal.projects.empty()) return Status::OK();
  if (std::find(principal.projects.begin(), principal.projects.end(), project) != principal.projects.end()) {
    return Status::OK();
  }
  return Status(StatusCode::kPermissionDenied, "this credential may not use project '" + std::string(project) + "'",
                "project");
}

Result<CubeRef> Api::Impl::CubeOf(Call& call, std::string_view project) {
  MEMD_ASSIGN_OR_RETURN(std::string user, UserOf(call));
  CubeRef ref{std::move(user), std::string(project.empty() ? call.Param("project") : project)};
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  // An admin acting for another user is not bound by its own key's project list.
  if (ref.user == call.principal.user) MEMD_RETURN_IF_ERROR(CheckProject(call.principal, ref.project));
  call.cube = ref.user + "/" + ref.project;
  return ref;
}

Result<json::value> Api::Impl::JsonBody(const Call& call) const {
  std::string_view type = call.Header("Content-Type");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media != "application/json") {
    return Status(StatusCode::kInvalidArgument,
                  type.empty() ? "send the body with Content-Type: application/json"
                               : "the body must be application/json, not '" + std::string(type) + "'",
                  "content-type");
  }
  return ParseJson(call.request.message.body(), "body", options_.max_json_depth);
}

Status Api::Impl::OnlyQuery(const Call& call, std::initializer_list<std::string_view> allowed) const {
  for (const auto& [name, value] : call.query) {
    if (name == "user") continue;  // acting for another user is checked by UserOf
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Status::InvalidArgument("unknown query parameter '" + name + "'", name);
    }
  }
  return Status::OK();
}

Result<WriteOptions> Api::Impl::WriteOptionsOf(const Call& call) const {
  WriteOptions options;
  std::string_view key = call.Header("Idempotency-Key");
  if (key.empty()) return options;
  if (key.size() > kMaxIdempotencyKeyBytes) {
    return Status::InvalidArgument("the Idempotency-Key header is longer than 200 bytes", "Idempotency-Key");
  }
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return Status::InvalidArgument("the Idempotency-Key header must be visible ASCII", "Idempotency-Key");
    }
  }
  options.idempotency_key = std::string(key);
  return options;
}

Reply Api::Impl::BadRequest(const Status& status) {
  if (status.field() == "content-type") return Reply::Error(415, "unsupported_media_type", status.message(), status.field());
  if (status.field() == "body") return Reply::Error(400, "invalid_json", status.message(), status.field());
  if (status.code() != StatusCode::kInvalidArgument) return Reply::Error(status);
  return Reply::Error(400, "invalid_request", status.message(), status.field());
}

Reply Api::Impl::ErrorReply(const Status& status) {
  if (status.code() == StatusCode::kInvalidArgument && status.field().rfind("filter", 0) == 0) {
    return Reply::Error(status, "invalid_filter");
  }
  return Reply::Error(status);
}

std::string Api::Impl::TempPath(std::string_view tag) const {
  static std::atomic<std::uint64_t> counter{0};
  return options_.data_dir + "/tmp/" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1)) + ".tmp";
}

}  // namespace memd::server
