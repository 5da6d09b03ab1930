// /mcp: the Model Context Protocol over Streamable HTTP (docs/MCP.md), and the OAuth 2.0
// protected-resource metadata (RFC 9728) at /.well-known/oauth-protected-resource.
//
// POST /mcp carries one JSON-RPC message (or a batch, in revisions that allow them) and is
// answered with application/json: 200 and the response, 202 and no body for notifications
// and responses, 400 for a body that is not JSON-RPC. GET is 405 (memd pushes nothing) and
// DELETE ends a session. initialize issues an Mcp-Session-Id; a request without one is
// served statelessly (its revision from MCP-Protocol-Version, 2025-03-26 when absent).
//
// Every request is checked against DNS rebinding (Origin, and Host for loopback peers),
// then authenticated with the same API keys and access tokens as /v1: 401 and 403 carry
// WWW-Authenticate with the metadata URL, as the MCP authorization spec asks.
#include <algorithm>
#include <cctype>

#include "engine/validation.h"
#include "mcp/jsonrpc.h"
#include "server/api_impl.h"
#include "util/json.h"

namespace memd::server {
namespace json = boost::json;

namespace {

constexpr std::string_view kMetadataPath = "/.well-known/oauth-protected-resource";
// JSON-RPC messages nest params -> arguments -> metadata: room for user JSON below.
constexpr std::size_t kMaxMessageDepth = 40;
// The transport's own errors (as the TypeScript SDK's server sends them).
constexpr int kTransportError = -32000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The host of a Host header value or of an origin's authority: lower case, without the
// port, an IPv6 address without brackets. Empty if malformed.
std::string HostOf(std::string_view authority) {
  if (authority.empty()) return {};
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return {};
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return {};
    return Lower(authority.substr(1, close - 1));
  }
  return Lower(authority.substr(0, authority.find(':')));
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127." || host == "::ffff:127.0.0.1";
}

bool IsLoopbackPeer(std::string_view ip) {
  return ip == "::1" || ip.substr(0, 4) == "127." || ip.substr(0, 11) == "::ffff:127.";
}

// The authority ("host[:port]") of an Origin header, or nullopt for "null" and non-URLs.
std::optional<std::string_view> OriginAuthority(std::string_view origin) {
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view authority = origin.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  if (authority.empty()) return std::nullopt;
  return authority;
}

// A transport-level refusal in the JSON-RPC error shape, id null.
Reply RpcError(unsigned status, std::string_view error_code, const std::string& message, int code = kTransportError) {
  Reply r = Reply::Json(mcp::ErrorResponse(nullptr, mcp::RpcError{code, message, nullptr}), status);
  r.error_code = std::string(error_code);
  return r;
}

// "http(s)://host" as the client addressed this server.
std::string BaseUrl(const Call& call) {
  std::string_view host = call.Header("Host");
  const bool https = Lower(call.Header("X-Forwarded-Proto")) == "https";
  return std::string(https ? "https://" : "http://") + std::string(host.empty() ? "127.0.0.1" : host);
}

std::string MetadataUrl(const Call& call) { return BaseUrl(call) + std::string(kMetadataPath) + "/mcp"; }

// A quoted-string for a WWW-Authenticate parameter (RFC 9110): backslash-escapes " and \.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  return out + "\"";
}

bool AcceptsJson(std::string_view accept) {
  if (accept.empty()) return true;
  const std::string lower = Lower(accept);
  return lower.find("application/json") != std::string::npos || lower.find("application/*") != std::string::npos ||
         lower.find("*/*") != std::string::npos;
}

}  // namespace

void Api::Impl::RegisterMcpRoutes() {
  mcp::ServerOptions mcp_options;
  // The ingest tools exist where ingesting can work: with roots to read from.
  if (jobs_ != nullptr && !jobs_->allowed_roots().empty()) mcp_options.extra_tools = mcp::IngestTools(*jobs_);
  mcp_ = std::make_unique<mcp::Server>(engine_, std::move(mcp_options));
  mcp_sessions_ = std::make_unique<mcp::SessionStore>();
  auto add = [this](const char* method, const std::string& pattern, Handler h, bool own_auth) {
    protocol_router_.Add(method, pattern, RouteInfo{h, std::nullopt, own_auth});
  };
  add("POST", "/mcp", &Impl::McpPost, true);
  add("DELETE", "/mcp", &Impl::McpDelete, true);
  add("GET", std::string(kMetadataPath), &Impl::ProtectedResourceMetadata, false);
  add("GET", std::string(kMetadataPath) + "/mcp", &Impl::ProtectedResourceMetadata, false);
}

std::optional<Reply> Api::Impl::AdmitMcp(Call& call) {
  // DNS rebinding: a web page may make a browser send requests to a server on this machine
  // under the page's own host name. Such a request names a foreign Host (and Origin).
  auto allowed = [this](std::string_view host, std::string_view authority) {
    if (IsLoopbackHost(host)) return true;
    return std::any_of(options_.mcp_allowed_hosts.begin(), options_.mcp_allowed_hosts.end(),
                       [&](const std::string& a) { return Lower(a) == Lower(authority) || HostOf(a) == host; });
  };
  std::string_view host_header = call.Header("Host");
  const std::string host = HostOf(host_header);
  if (IsLoopbackPeer(call.request.remote_ip) && !allowed(host, host_header)) {
    return RpcError(403, "forbidden",
                    "Forbidden: invalid Host header '" + std::string(host_header) +
                        "'; a local MCP server accepts localhost, 127.0.0.1 and [::1] (add others to mcp_allowed_hosts)");
  }
  std::string_view origin = call.Header("Origin");
  if (!origin.empty()) {
    auto authority = OriginAuthority(origin);
    const bool same_origin = authority && Lower(*authority) == Lower(host_header);
    if (!authority || (!same_origin && !allowed(HostOf(*authority), *authority))) {
      return RpcError(403, "forbidden", "Forbidden: invalid Origin header '" + std::string(origin) + "'");
    }
  }

  auto principal = Authenticate(call);
  if (!principal.ok()) {
    if (limiter_) {
      auto decision = limiter_->CheckIp(call.request.remote_ip);
      if (!decision.allowed) {
        rate_limited_->With({"ip"}).Inc();
        Reply r = RpcError(429, "rate_limited", "too many requests from this address; retry later");
        r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
        return r;
      }
    }
    std::string challenge = "Bearer resource_metadata=" + Quoted(MetadataUrl(call)) + ", scope=\"read write\"";
    const bool presented = !call.Header("Authorization").empty() || !call.Header("X-API-Key").empty();
    if (presented) {
      challenge += ", error=\"invalid_token\", error_description=" + Quoted(principal.status().message());
    }
    Reply r = Reply::Json(json::object{{"error", presented ? "invalid_token" : "unauthorized"},
                                       {"error_description", principal.status().message()}},
                          401);
    r.error_code = "unauthenticated";
    r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
    return r;
  }
  call.principal = std::move(*principal);
  if (limiter_) {
    auto decision = limiter_->CheckKey(
        call.principal.key_id.empty() ? "user:" + call.principal.user : call.principal.key_id, call.principal.tier);
    if (!decision.allowed) {
      rate_limited_->With({"key"}).Inc();
      Reply r = RpcError(429, "rate_limited",
                         "the rate limit of tier '" + call.principal.tier + "' is exhausted; retry after " +
                             std::to_string(decision.retry_after.count()) + " s");
      r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
      return r;
    }
  }
  return std::nullopt;
}

Reply Api::Impl::McpPost(Call& call) {
  if (auto refused = AdmitMcp(call)) return std::move(*refused);
  std::string_view type = call.Header("Content-Type");
  if (Lower(type.substr(0, type.find(';'))).find("application/json") == std::string::npos) {
    return RpcError(415, "unsupported_media_type", "Unsupported Media Type: Content-Type must be application/json");
  }
  if (!AcceptsJson(call.Header("Accept"))) {
    return RpcError(406, "not_acceptable", "Not Acceptable: the client must accept application/json");
  }
  std::string_view version = call.Header("MCP-Protocol-Version");
  if (!version.empty() && !mcp::IsSupportedVersion(version)) {
    return RpcError(400, "unsupported_protocol_version",
                    "Bad Request: Unsupported protocol version: " + std::string(version) +
                        " (supported versions: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05)");
  }
  for (const auto& [name, value] : call.query) {
    if (name != "project") return RpcError(400, "invalid_query", "unknown query parameter '" + name + "'; /mcp takes ?project=");
  }

  // Who the connection acts for; ?project= sets its default project.
  mcp::Identity identity;
  identity.user = call.principal.user;
  identity.projects = call.principal.projects;
  identity.scopes = call.principal.scopes;
  identity.default_project = call.principal.projects.empty() ? "default" : call.principal.projects.front();
  if (auto project = call.Query("project")) {
    if (Status s = engine::ValidateCubeRef(CubeRef{identity.user, std::string(*project)}); !s.ok()) {
      return RpcError(400, "invalid_query", "?project=: " + s.message());
    }
    if (!identity.MayUse(*project)) {
      return RpcError(403, "permission_denied", "this credential may not use project '" + std::string(*project) + "'");
    }
    identity.default_project = std::string(*project);
  }
  call.cube = identity.user + "/" + identity.default_project;

  auto message = ParseJson(call.request.message.body(), "body", kMaxMessageDepth);
  if (!message.ok()) {
    return RpcError(400, "invalid_json", "Parse error: " + message.status().message(), mcp::kParseError);
  }
  const std::string owner = call.principal.user + '\x1f' + call.principal.key_id;
  std::string_view session_id = call.Header("Mcp-Session-Id");
  mcp::Session session;
  std::string new_session_id;
  mcp::Outcome outcome;
  if (mcp::Server::IsInitialize(*message)) {
    outcome = mcp_->Handle(*message, session, identity);
    if (outcome.initialized) {
      auto id = mcp_sessions_->Create(owner, session);
      if (!id.ok()) return Reply::Error(id.status());
      new_session_id = std::move(*id);
    }
  } else if (!session_id.empty()) {
    auto found = mcp_sessions_->Get(session_id, owner);
    if (!found) {
      return RpcError(404, "not_found", "Session not found: initialize a new session", -32001);
    }
    session = std::move(*found);
    const mcp::Session before = session;
    outcome = mcp_->Handle(*message, session, identity);
    if (session.initialized != before.initialized || session.log_level != before.log_level) {
      mcp_sessions_->Put(session_id, owner, session);
    }
  } else {
    session.protocol_version = std::string(version.empty() ? mcp::kDefaultHttpVersion : version);
    session.initialized = true;
    outcome = mcp_->Handle(*message, session, identity);
  }

  Reply reply;
  if (!outcome.response) {
    reply.status = 202;
    reply.content_type.clear();
  } else {
    reply = Reply::Json(*outcome.response, outcome.malformed ? 400 : 200);
    if (outcome.missing_scope) {
      const std::string scope(ScopeName(*outcome.missing_scope));
      reply.status = 403;
      reply.error_code = "permission_denied";
      reply.headers.emplace_back("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + scope +
                                                         "\", resource_metadata=" + Quoted(MetadataUrl(call)) +
                                                         ", error_description=\"this credential lacks the '" + scope +
                                                         "' scope\"");
    } else if (outcome.malformed) {
      reply.error_code = "invalid_request";
    }
  }
  if (!new_session_id.empty()) reply.headers.emplace_back("Mcp-Session-Id", new_session_id);
  return reply;
}

Reply Api::Impl::McpDelete(Call& call) {
  if (auto refused = AdmitMcp(call)) return std::move(*refused);
  std::string_view session_id = call.Header("Mcp-Session-Id");
  if (session_id.empty()) return RpcError(400, "invalid_request", "Bad Request: Mcp-Session-Id header is required");
  if (!mcp_sessions_->Remove(session_id, call.principal.user + '\x1f' + call.principal.key_id)) {
    return RpcError(404, "not_found", "Session not found", -32001);
  }
  return Reply::NoContent();
}

Reply Api::Impl::ProtectedResourceMetadata(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  // memd is its own credential issuer (API keys, `memd token`): it names no OAuth
  // authorization server, so a client needs a configured bearer credential.
  json::object metadata{{"resource", BaseUrl(call) + "/mcp"},
                        {"resource_name", "memd"},
                        {"bearer_methods_supported", json::array{"header"}},
                        {"scopes_supported", json::array{"read", "write", "admin"}}};
  return Reply::Json(metadata);
}

}  // namespace memd::server
