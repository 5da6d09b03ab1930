// Router: (method, path pattern) -> handler, with {name} path parameters.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memd::server {

// Path parameters of a matched route, by name (percent-decoded).
using PathParams = std::map<std::string, std::string, std::less<>>;

// Decodes %XX escapes; nullopt on a malformed escape or a decoded '/' or NUL.
inline std::optional<std::string> PercentDecode(std::string_view s) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex(s[i + 1]);
    const int lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '/' || c == '\0') return std::nullopt;
    out.push_back(c);
    i += 2;
  }
  return out;
}

// One registered route. T is the handler type the server stores with it.
template <typename T>
struct Route {
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // e.g. "/v1/cubes/{project}/memories/{id}"
  T handler;
};

// Matches paths against patterns segment by segment. A {name} segment matches one
// non-empty segment. Literal segments win over parameters, so "/v1/x/prompt" is not taken
// by "/v1/x/{key}" when both exist. Not thread-safe to modify; concurrent Match is safe.
template <typename T>
class Router {
 public:
  void Add(std::string method, std::string pattern, T handler) {
    routes_.push_back(Route<T>{std::move(method), std::move(pattern), std::move(handler)});
  }

  struct Match {
    const Route<T>* route = nullptr;  // null: no route for this path and method
    PathParams params;
    bool path_exists = false;  // some route matches the path with another method (-> 405)
    std::vector<std::string> allowed_methods;
  };

  // The best route for method and path (a path without query string, not yet decoded).
  Match Find(std::string_view method, std::string_view path) const {
    Match best;
    int best_score = -1;
    const std::vector<std::string_view> segments = Split(path);
    for (const Route<T>& route : routes_) {
      PathParams params;
      int score = 0;
      if (!MatchPattern(route.pattern, segments, &params, &score)) continue;
      if (route.method != method) {
        best.path_exists = true;
        best.allowed_methods.push_back(route.method);
        continue;
      }
      if (score > best_score) {
        best_score = score;
        best.route = &route;
        best.params = std::move(params);
      }
    }
    return best;
  }

  const std::vector<Route<T>>& routes() const { return routes_; }

 private:
  static std::vector<std::string_view> Split(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      std::size_t end = path.find('/', i);
      if (end == std::string_view::npos) end = path.size();
      out.push_back(path.substr(i, end - i));
      i = end;
    }
    if (!path.empty() && path.back() == '/' && path.size() > 1) out.push_back({});  // trailing slash never matches
    return out;
  }

  // Literal segments score 2, parameters 1; a higher total is a more specific route.
  static bool MatchPattern(std::string_view pattern, const std::vector<std::string_view>& segments, PathParams* params,
                           int* score) {
    const std::vector<std::string_view> parts = Split(pattern);
    if (parts.size() != segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      std::string_view part = parts[i];
      if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
        if (segments[i].empty()) return false;
        std::optional<std::string> decoded = PercentDecode(segments[i]);
        if (!decoded) return false;
        params->emplace(std::string(part.substr(1, part.size() - 2)), std::move(*decoded));
        *score += 1;
      } else if (part == segments[i]) {
        *score += 2;
      } else {
        return false;
      }
    }
    return true;
  }

  std::vector<Route<T>> routes_;
};

}  // namespace memd::server
