// SqliteStore: the api_keys table (schema v3). Keys belong to no cube, so their writes are
// plain group-writer bodies (like cube creation) that neither need a cube nor advance a
// cube's sequence; reads run in one read transaction on a pooled connection.
#include <boost/json.hpp>
#include <string>
#include <utility>

#include "store/group_writer.h"
#include "store/read_pool.h"
#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "util/hash.h"

namespace memd::store {
namespace {

#define MEMD_API_KEY_COLUMNS "id, user, name, scopes, projects, tier, created_at, revoked_at"

std::string EncodeStrings(const std::vector<std::string>& values) {
  boost::json::array array;
  array.reserve(values.size());
  for (const std::string& v : values) array.emplace_back(boost::json::string_view(v.data(), v.size()));
  return boost::json::serialize(array);
}

std::string EncodeScopes(const std::vector<Scope>& scopes) {
  std::vector<std::string> names;
  names.reserve(scopes.size());
  for (Scope scope : scopes) names.emplace_back(ScopeName(scope));
  return EncodeStrings(names);
}

// Corruption unless json is an array of strings. `what` names the column for the message.
Status DecodeStrings(std::string_view json, std::string_view what, std::vector<std::string>* out) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
  const boost::json::array* array = ec ? nullptr : value.if_array();
  if (array == nullptr) return Status::Corruption(std::string(what) + " is not a JSON array");
  out->clear();
  out->reserve(array->size());
  for (const boost::json::value& item : *array) {
    const boost::json::string* s = item.if_string();
    if (s == nullptr) return Status::Corruption(std::string(what) + " holds a value that is not a string");
    out->emplace_back(s->data(), s->size());
  }
  return Status::OK();
}

Status DecodeScopes(std::string_view json, std::vector<Scope>* scopes) {
  std::vector<std::string> names;
  MEMD_RETURN_IF_ERROR(DecodeStrings(json, "scopes", &names));
  scopes->clear();
  for (const std::string& name : names) {
    std::optional<Scope> scope = ParseScope(name);
    if (!scope.has_value()) return Status::Corruption("scopes hold an unknown scope '" + name + "'");
    scopes->push_back(*scope);
  }
  return Status::OK();
}

// Reads a row selected with MEMD_API_KEY_COLUMNS. Corruption names the database and key.
Status ReadApiKey(const Stmt& stmt, const std::string& path, ApiKey* key) {
  key->id = stmt.Text(0);
  key->user = stmt.Text(1);
  key->name = stmt.Text(2);
  Status status = DecodeScopes(stmt.Text(3), &key->scopes);
  if (status.ok()) status = DecodeStrings(stmt.Text(4), "projects", &key->projects);
  if (!status.ok()) return status.WithContext("database " + path + ", api key " + key->id);
  key->tier = stmt.Text(5);
  key->created_at = stmt.Int(6);
  key->revoked_at = stmt.OptionalInt(7);
  return Status::OK();
}

}  // namespace

Status SqliteStore::PutApiKey(const ApiKeyRow& row) {
  if (row.secret_hash.size() != kSha256Bytes) {
    return Status::InvalidArgument(
        "an API key's secret hash must be a " + std::to_string(kSha256Bytes) + "-byte SHA-256 digest",
        "secret_hash");
  }
  const std::string scopes = EncodeScopes(row.key.scopes);
  const std::string projects = EncodeStrings(row.key.projects);
  return writer_->Submit([&](Db& db) -> Status {
    MEMD_ASSIGN_OR_RETURN(
        Stmt stmt, db.Prepare("INSERT INTO api_keys(id, user, name, secret_hash, scopes, projects, tier, "
                              "created_at, revoked_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    stmt.BindText(1, row.key.id);
    stmt.BindText(2, row.key.user);
    stmt.BindText(3, row.key.name);
    stmt.BindBlob(4, std::string_view(row.secret_hash));
    stmt.BindText(5, scopes);
    stmt.BindText(6, projects);
    stmt.BindText(7, row.key.tier);
    stmt.BindInt(8, row.key.created_at);
    stmt.BindOptionalInt(9, row.key.revoked_at);
    return stmt.Run();
  });
}

Result<std::optional<ApiKeyRow>> SqliteStore::FindApiKeyBySecretHash(std::string_view secret_hash) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::optional<ApiKeyRow>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT " MEMD_API_KEY_COLUMNS
                                                ", secret_hash FROM api_keys WHERE secret_hash = ?1"));
    stmt.BindBlob(1, secret_hash);
    MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) return std::optional<ApiKeyRow>();
    ApiKeyRow row;
    MEMD_RETURN_IF_ERROR(ReadApiKey(stmt, db.path(), &row.key));
    row.secret_hash = stmt.Blob(8);
    return std::optional<ApiKeyRow>(std::move(row));
  });
}

Result<std::vector<ApiKeyRow>> SqliteStore::ListApiKeys(std::string_view user) {
  return RunRead(*readers_, [&](Db& db) -> Result<std::vector<ApiKeyRow>> {
    MEMD_ASSIGN_OR_RETURN(Stmt stmt,
                          db.Prepare("SELECT " MEMD_API_KEY_COLUMNS " FROM api_keys WHERE ?1 = '' OR "
                                     "user = ?1 ORDER BY user, created_at, id"));
    stmt.BindText(1, user);
    std::vector<ApiKeyRow> rows;
    while (true) {
      MEMD_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) return rows;
      MEMD_RETURN_IF_ERROR(ReadApiKey(stmt, db.path(), &rows.emplace_back().key));
    }
  });
}

Status SqliteStore::RevokeApiKey(std::string_view id, Timestamp now) {
  return writer_->Submit([&](Db& db) -> Status {
    // coalesce keeps the first revocation time; the row still counts as changed, so a
    // repeated revoke is told apart from an unknown id.
    MEMD_ASSIGN_OR_RETURN(
        Stmt stmt, db.Prepare("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1"));
    stmt.BindText(1, id);
    stmt.BindInt(2, now);
    MEMD_RETURN_IF_ERROR(stmt.Run());
    if (db.changes() == 0) return Status::NotFound("no API key has id '" + std::string(id) + "'");
    return Status::OK();
  });
}

Result<std::int64_t> SqliteStore::CountApiKeys() {
  return RunRead(*readers_, [](Db& db) { return db.QueryInt("SELECT count(*) FROM api_keys"); });
}

}  // namespace memd::store
