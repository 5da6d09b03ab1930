#include "engine/credentials_codec.h"

#include "engine/memory_codec.h"

namespace memd::engine {

namespace json = boost::json;

json::object EncodeApiKey(const ApiKey& key) {
  json::array scopes;
  for (Scope scope : key.scopes)
    scopes.emplace_back(json::string_view(ScopeName(scope).data(), ScopeName(scope).size()));
  json::array projects;
  for (const std::string& project : key.projects) projects.emplace_back(project);
  json::object o;
  o["id"] = key.id;
  o["user"] = key.user;
  o["name"] = key.name;
  o["scopes"] = std::move(scopes);
  o["projects"] = std::move(projects);
  o["tier"] = key.tier;
  o["created_at"] = EncodeTime(key.created_at);
  o["revoked_at"] = key.revoked_at ? EncodeTime(*key.revoked_at) : json::value(nullptr);
  return o;
}

json::object EncodeCreatedApiKey(const CreatedApiKey& created) {
  json::object o = EncodeApiKey(created.key);
  o["secret"] = created.secret;
  return o;
}

}  // namespace memd::engine
