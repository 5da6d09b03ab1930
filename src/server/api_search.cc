// Search (one cube or several of the caller's) with the never-stale result cache, and
// context assembly.
#include <chrono>

#include "engine/json_fields.h"
#include "engine/memory_codec.h"
#include "server/api_impl.h"
#include "util/json.h"
#include "util/time_format.h"

namespace memd::server {
namespace json = boost::json;

namespace {
constexpr char kSep = '\x1f';  // cannot occur in user or project names or in version tokens
}  // namespace

Reply Api::Impl::Search(Call& call, const std::string& user, const std::vector<std::string>& projects,
                        const json::value& body) {
  auto request = engine::DecodeSearchRequest(body, "");
  if (!request.ok()) return BadRequest(request.status());
  // The cache key holds each cube's version read *before* searching: a result is stored
  // under versions no newer than the data it saw, and a write changes the version before it
  // is acknowledged, so a search after a write can never be answered from an older entry.
  std::string key;
  if (cache_->enabled()) {
    key = "search";
    key += kSep;
    key += user;
    for (const std::string& project : projects) {
      auto version = engine_.CubeVersion(CubeRef{user, project});
      if (!version.ok()) return ErrorReply(version.status());
      key += kSep;
      key += project;
      key += '=';
      key += *version;
    }
    key += kSep;
    key += CanonicalJson(body);
    if (auto hit = cache_->Get(key)) {
      cache_hits_->Inc();
      Reply r;
      r.body = std::move(*hit);
      r.headers.emplace_back("X-Cache", "hit");
      return r;
    }
    cache_misses_->Inc();
  }
  const auto start = std::chrono::steady_clock::now();
  auto hits = engine_.Search(user, projects, *request);
  search_seconds_->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!hits.ok()) return ErrorReply(hits.status());
  json::array results;
  std::optional<Timestamp> first_expiry;
  for (const Hit& hit : *hits) {
    results.push_back(engine::EncodeHit(hit));
    if (hit.memory.expires_at && (!first_expiry || *hit.memory.expires_at < *first_expiry)) {
      first_expiry = hit.memory.expires_at;
    }
  }
  Reply reply = Reply::Json(json::object{{"results", std::move(results)}});
  if (!key.empty()) {
    // A hit that expires makes the result stale without any write: the entry dies first.
    // (Only when it comes before the TTL, which also keeps the arithmetic in range.)
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (first_expiry && *first_expiry - NowMillis() < options_.cache_ttl.count()) {
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*first_expiry - NowMillis());
    }
    cache_->Put(key, reply.body, deadline);
    reply.headers.emplace_back("X-Cache", "miss");
  }
  return reply;
}

Reply Api::Impl::SearchCube(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  return Search(call, cube->user, {cube->project}, *body);
}

Reply Api::Impl::SearchCubes(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto user = UserOf(call);
  if (!user.ok()) return ErrorReply(user.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  if (!body->is_object()) return BadRequest(Status::InvalidArgument("the body must be a JSON object", "body"));
  json::object request = body->as_object();
  const json::value* projects_value = request.if_contains("projects");
  if (projects_value == nullptr || !projects_value->is_array() || projects_value->as_array().empty()) {
    return BadRequest(Status::InvalidArgument("give the projects to search: \"projects\": [\"a\", \"b\"]", "projects"));
  }
  std::vector<std::string> projects;
  for (std::size_t i = 0; i < projects_value->as_array().size(); ++i) {
    const json::value& p = projects_value->as_array()[i];
    const std::string field = "projects[" + std::to_string(i) + "]";
    if (!p.is_string()) return BadRequest(Status::InvalidArgument(field + " must be a string", field));
    std::string project(p.as_string());
    if (*user == call.principal.user) {
      if (Status s = CheckProject(call.principal, project); !s.ok()) return ErrorReply(s);
    }
    if (Status s = engine::ValidateCubeRef(CubeRef{*user, project}); !s.ok()) return ErrorReply(s.WithField(field));
    projects.push_back(std::move(project));
  }
  request.erase("projects");
  call.cube = *user + "/*";
  return Search(call, *user, projects, request);
}

Reply Api::Impl::Context(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto fields = engine::JsonFields::Of(*body, "");
  if (!fields.ok()) return BadRequest(fields.status());
  ContextRequest request;
  auto query = fields->GetString("query");
  auto budget = fields->GetInt("token_budget");
  auto preferences = fields->GetBool("include_preferences");
  const json::value* filter = fields->GetValue("filter");
  for (const Status& s : {query.status(), budget.status(), preferences.status(), fields->Finish()}) {
    if (!s.ok()) return BadRequest(s);
  }
  if (!*query) return BadRequest(Status::InvalidArgument("query is required", "query"));
  request.query = std::move(**query);
  if (*budget) {
    if (**budget < 1 || **budget > 10'000'000) {
      return BadRequest(Status::InvalidArgument("token_budget must be a positive number of tokens", "token_budget"));
    }
    request.token_budget = static_cast<int>(**budget);
  }
  if (*preferences) request.include_preferences = **preferences;
  if (filter != nullptr && !filter->is_null()) request.filter = json::serialize(*filter);
  auto block = engine_.Context(*cube, request);
  if (!block.ok()) return ErrorReply(block.status());
  return Reply::Json(engine::EncodeContextBlock(*block));
}

}  // namespace memd::server
