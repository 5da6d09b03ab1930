// /v1/keys: create (admin), list and revoke (own keys; an admin any).
#include "engine/credentials_codec.h"
#include "engine/json_fields.h"
#include "server/api_impl.h"

namespace memd::server {
namespace json = boost::json;

Reply Api::Impl::CreateKey(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto fields = engine::JsonFields::Of(*body, "");
  if (!fields.ok()) return BadRequest(fields.status());
  auto user = fields->GetString("user");
  auto name = fields->GetString("name");
  auto scopes = fields->GetStringArray("scopes");
  auto projects = fields->GetStringArray("projects");
  auto tier = fields->GetString("tier");
  for (const Status& s : {user.status(), name.status(), scopes.status(), projects.status(), tier.status(), fields->Finish()}) {
    if (!s.ok()) return BadRequest(s);
  }
  NewApiKey key;
  if (!*user) return BadRequest(Status::InvalidArgument("user is required", "user"));
  key.user = **user;
  key.name = name->value_or("");
  for (const std::string& scope : scopes->value_or(std::vector<std::string>{"read", "write"})) {
    auto parsed = ParseScope(scope);
    if (!parsed) return BadRequest(Status::InvalidArgument("unknown scope '" + scope + "'; use read, write or admin", "scopes"));
    key.scopes.push_back(*parsed);
  }
  key.projects = projects->value_or(std::vector<std::string>{});
  if (*tier) key.tier = **tier;
  auto created = engine_.CreateApiKey(key);
  if (!created.ok()) return ErrorReply(created.status());
  return Reply::Json(engine::EncodeCreatedApiKey(*created), 201);
}

Reply Api::Impl::ListKeys(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  // An admin lists every key unless it names a user; anyone else only their own.
  std::string user = call.principal.user;
  if (call.principal.Has(Scope::kAdmin)) user = std::string(call.Query("user").value_or(""));
  else if (auto u = UserOf(call); !u.ok()) return ErrorReply(u.status());
  auto keys = engine_.ListApiKeys(user);
  if (!keys.ok()) return ErrorReply(keys.status());
  json::array out;
  for (const ApiKey& key : *keys) out.push_back(engine::EncodeApiKey(key));
  return Reply::Json(json::object{{"keys", std::move(out)}});
}

Reply Api::Impl::RevokeKey(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  const std::string id(call.Param("key_id"));
  if (!call.principal.Has(Scope::kAdmin)) {
    // Only one's own keys; another user's key id answers 404 like an unknown one.
    auto keys = engine_.ListApiKeys(call.principal.user);
    if (!keys.ok()) return ErrorReply(keys.status());
    bool own = false;
    for (const ApiKey& key : *keys) own |= key.id == id;
    if (!own) return ErrorReply(Status::NotFound("no API key '" + id + "'"));
    // Any key may revoke itself; revoking another key of the user takes the write scope.
    if (id != call.principal.key_id && !call.principal.Has(Scope::kWrite)) {
      return ErrorReply(Status(StatusCode::kPermissionDenied,
                               "revoking another key takes the 'write' scope; a key may always revoke itself"));
    }
  }
  Status s = engine_.RevokeApiKey(id);
  if (!s.ok()) return ErrorReply(s);
  return Reply::NoContent();
}

}  // namespace memd::server
