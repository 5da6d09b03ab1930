// key create|list|revoke and token: credentials for memd's HTTP server. API keys are stored
// (hashed) in the data directory; access tokens are signed with the server's JWT secret and
// need no data directory at all.
#include <memory>
#include <string>
#include <vector>

#include "auth/jwt.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "engine/credentials_codec.h"
#include "engine/validation.h"
#include "util/time_format.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

// Access tokens last at most this long; long-lived credentials should be API keys.
constexpr std::int64_t kMaxTokenTtlSeconds = 30 * 24 * 60 * 60;

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::vector<std::string> ScopeNames(const std::vector<Scope>& scopes) {
  std::vector<std::string> names;
  for (Scope scope : scopes) names.emplace_back(ScopeName(scope));
  return names;
}

std::string ProjectsCell(const ApiKey& key) { return key.projects.empty() ? "*" : Join(key.projects, ","); }

struct CreateOptions {
  std::string user;
  std::string name;
  std::vector<std::string> scopes = {"read", "write"};
  std::vector<std::string> projects;
  std::string tier = "default";
};

Result<std::vector<Scope>> ParseScopes(const std::vector<std::string>& names) {
  std::vector<Scope> scopes;
  for (const std::string& name : names) {
    std::optional<Scope> scope = ParseScope(name);
    if (!scope.has_value()) {
      return Status::InvalidArgument("unknown scope '" + name + "'; use read, write or admin", "scope");
    }
    scopes.push_back(*scope);
  }
  return scopes;
}

void AddCreate(CLI::App& key, Action* selected) {
  auto o = std::make_shared<CreateOptions>();
  CLI::App* sub =
      key.add_subcommand("create", "Create an API key and print its secret (shown only this once)");
  sub->footer(
      "Examples:\n"
      "  memd key create --user alice --name laptop                 # read and write, every project\n"
      "  memd key create --user alice --scope read --projects notes # read-only, one project\n"
      "  memd key create --user admin --scope read,write,admin --json");
  sub->add_option("--user", o->user, "The user the key acts as (required; the global default does not apply)")
      ->type_name("USER")
      ->required();
  sub->add_option("--name", o->name, "A label for people, e.g. where the key is used")->type_name("TEXT");
  sub->add_option("--scope", o->scopes, "Scopes, comma-separated: read, write, admin")
      ->type_name("SCOPES")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--projects", o->projects,
                  "Only these projects of the user, comma-separated (default: all)")
      ->type_name("PROJECTS")
      ->delimiter(',');
  sub->add_option("--tier", o->tier, "Rate-limit tier of the key")->type_name("TIER")->capture_default_str();
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    NewApiKey request;
    request.user = o->user;
    request.name = o->name;
    MEMD_ASSIGN_OR_RETURN(request.scopes, ParseScopes(o->scopes));
    request.projects = o->projects;
    request.tier = o->tier;
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(CreatedApiKey created, engine->CreateApiKey(request));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodeCreatedApiKey(created));
      return Status::OK();
    }
    const ApiKey& k = created.key;
    ctx.out().Text("created API key " + k.id + " for user " + k.user + " (scopes " +
                   Join(ScopeNames(k.scopes), ",") + "; projects " +
                   (k.projects.empty() ? "all" : Join(k.projects, ",")) + "; tier " + k.tier + ")");
    ctx.out().Text("secret: " + created.secret);
    ctx.out().Text("This secret will not be shown again: store it now (memd keeps only a hash of it).");
    return Status::OK();
  });
}

void AddList(CLI::App& key, Action* selected) {
  auto user = std::make_shared<std::string>();
  CLI::App* sub = key.add_subcommand("list", "List API keys (never their secrets)");
  sub->add_option("--user", *user, "Only the keys of this user (default: every user)")->type_name("USER");
  OnParsed(sub, selected, [user](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, engine->ListApiKeys(*user));
    if (ctx.out().json()) {
      json::array items;
      for (const ApiKey& k : keys) items.push_back(engine::EncodeApiKey(k));
      ctx.out().Json(json::object{{"keys", std::move(items)}});
      return Status::OK();
    }
    if (keys.empty()) {
      ctx.out().Text("(no API keys)");
      return Status::OK();
    }
    Table table({"ID", "USER", "SCOPES", "PROJECTS", "TIER", "CREATED", "REVOKED", "NAME"});
    for (const ApiKey& k : keys) {
      table.AddRow({k.id, k.user, Join(ScopeNames(k.scopes), ","), ProjectsCell(k), k.tier,
                    FormatTime(k.created_at), k.revoked_at ? FormatTime(*k.revoked_at) : "-", k.name});
    }
    ctx.out().out() << table.Render(TerminalWidth());
    return Status::OK();
  });
}

void AddRevoke(CLI::App& key, Action* selected) {
  auto id = std::make_shared<std::string>();
  CLI::App* sub = key.add_subcommand("revoke", "Revoke an API key: it stops working at once, for good");
  sub->add_option("id", *id, "The key id, as 'memd key list' shows it (k_...)")->type_name("ID")->required();
  OnParsed(sub, selected, [id](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->RevokeApiKey(*id));
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"revoked", *id}});
    } else {
      ctx.out().Text("revoked API key " + *id);
    }
    return Status::OK();
  });
}

struct TokenOptions {
  std::string user;
  std::int64_t ttl = 3600;
  std::string secret;
};

// token signs locally and never opens the data directory.
void AddToken(CLI::App& app, Action* selected) {
  auto o = std::make_shared<TokenOptions>();
  CLI::App* sub = app.add_subcommand("token", "Print a signed HS256 access token (JWT) for the HTTP server");
  sub->footer(
      "The secret must be the server's JWT signing secret, at least 32 bytes. Prefer the\n"
      "environment variable: a --secret argument is visible to other users in the process list.\n"
      "Example:\n"
      "  MEMD_JWT_SECRET=... memd token --user alice --ttl 900");
  sub->add_option("--user", o->user, "The user the token acts as (its sub claim; required)")
      ->type_name("USER")
      ->required();
  sub->add_option("--ttl", o->ttl, "Seconds until the token expires")
      ->type_name("SECONDS")
      ->capture_default_str();
  sub->add_option("--secret", o->secret, "The signing secret (default: $MEMD_JWT_SECRET)")
      ->type_name("SECRET")
      ->envname("MEMD_JWT_SECRET");
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{o->user, "default"}).WithField("user"));
    if (o->ttl < 1 || o->ttl > kMaxTokenTtlSeconds) {
      return Status::InvalidArgument("--ttl must be 1.." + std::to_string(kMaxTokenTtlSeconds) +
                                         " seconds; use an API key for long-lived access",
                                     "ttl");
    }
    if (o->secret.empty()) {
      return Status::InvalidArgument("no signing secret: set MEMD_JWT_SECRET (or pass --secret)", "secret");
    }
    if (o->secret.size() < auth::kMinSecretBytes) {
      return Status::InvalidArgument("the signing secret is " + std::to_string(o->secret.size()) +
                                         " bytes; HS256 needs at least " +
                                         std::to_string(auth::kMinSecretBytes),
                                     "secret");
    }
    const std::int64_t now = NowMillis() / 1000;
    const auth::JwtClaims claims{o->user, std::string(auth::kAccessTokenType), now, now + o->ttl};
    const std::string token = auth::SignAccessToken(claims, o->secret);
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"token", token},
                                  {"user", claims.sub},
                                  {"type", claims.type},
                                  {"iat", claims.iat},
                                  {"exp", claims.exp},
                                  {"expires_at", FormatRfc3339(claims.exp * 1000)}});
    } else {
      ctx.out().Text(token);
    }
    return Status::OK();
  });
}

}  // namespace

void AddKeyCommands(CLI::App& app, Action* selected) {
  CLI::App* key = app.add_subcommand("key", "API keys for the HTTP server: create, list, revoke");
  AddCreate(*key, selected);
  AddList(*key, selected);
  AddRevoke(*key, selected);
  AddToken(app, selected);
}

}  // namespace memd::cli
