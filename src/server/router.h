// Router: (method, path pattern) -> handler, with {name} path parameters.
#pragma once

#include <array>
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
// by "/v1/x/{key}" when both exist. Not thread-safe to modify; concurrent Find is safe.
//
// Find runs on every request: patterns are split once, in Add, and a path is split into
// views without allocating; only the parameters of the chosen route are decoded.
template <typename T>
class Router {
 public:
  void Add(std::string method, std::string pattern, T handler) {
    routes_.push_back(Route<T>{std::move(method), std::move(pattern), std::move(handler)});
    // Rebuilt for every route: the views point into the strings of routes_, which may move.
    compiled_.clear();
    for (const Route<T>& route : routes_) compiled_.push_back(Compile(route.pattern));
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
    Segments segments;
    if (!Split(path, &segments)) return best;  // deeper than every pattern
    const CompiledPattern* best_pattern = nullptr;
    int best_score = -1;
    for (std::size_t r = 0; r < routes_.size(); ++r) {
      const CompiledPattern& pattern = compiled_[r];
      int score = 0;
      if (!MatchPattern(pattern, segments, &score)) continue;
      if (routes_[r].method != method) {
        best.path_exists = true;
        best.allowed_methods.push_back(routes_[r].method);
        continue;
      }
      if (score > best_score) {
        best_score = score;
        best.route = &routes_[r];
        best_pattern = &pattern;
      }
    }
    if (best_pattern != nullptr) {
      for (std::size_t i = 0; i < best_pattern->count; ++i) {
        const Part& part = best_pattern->parts[i];
        // Cannot fail: MatchPattern checked that the segment decodes.
        if (part.is_param) best.params.emplace(std::string(part.text), PercentDecode(segments.items[i]).value_or(""));
      }
    }
    return best;
  }

  const std::vector<Route<T>>& routes() const { return routes_; }

 private:
  // More segments than any route of ours has; a deeper path matches nothing.
  static constexpr std::size_t kMaxSegments = 16;

  // A path split at '/', empty segments between slashes dropped.
  struct Segments {
    std::array<std::string_view, kMaxSegments> items;
    std::size_t count = 0;
  };
  struct Part {
    std::string_view text;  // the literal, or the parameter's name without braces
    bool is_param = false;
  };
  struct CompiledPattern {
    std::array<Part, kMaxSegments> parts;
    std::size_t count = 0;
  };

  // False if the path has more than kMaxSegments segments.
  static bool Split(std::string_view path, Segments* out) {
    std::size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      std::size_t end = path.find('/', i);
      if (end == std::string_view::npos) end = path.size();
      if (out->count == kMaxSegments) return false;
      out->items[out->count++] = path.substr(i, end - i);
      i = end;
    }
    if (!path.empty() && path.back() == '/' && path.size() > 1) {  // a trailing slash never matches
      if (out->count == kMaxSegments) return false;
      out->items[out->count++] = {};
    }
    return true;
  }

  static CompiledPattern Compile(std::string_view pattern) {
    Segments segments;
    CompiledPattern compiled;
    if (!Split(pattern, &segments)) return compiled;  // never matches: a programming error
    for (std::size_t i = 0; i < segments.count; ++i) {
      std::string_view part = segments.items[i];
      const bool is_param = part.size() >= 2 && part.front() == '{' && part.back() == '}';
      compiled.parts[i] = Part{is_param ? part.substr(1, part.size() - 2) : part, is_param};
    }
    compiled.count = segments.count;
    return compiled;
  }

  // Whether every %-escape of s is well-formed and decodes to neither '/' nor NUL (as
  // PercentDecode requires), without decoding.
  static bool Decodable(std::string_view s) {
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '%') continue;
      if (i + 2 >= s.size()) return false;
      const int hi = hex(s[i + 1]);
      const int lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const int c = hi * 16 + lo;
      if (c == '/' || c == 0) return false;
      i += 2;
    }
    return true;
  }

  // Literal segments score 2, parameters 1; a higher total is a more specific route.
  static bool MatchPattern(const CompiledPattern& pattern, const Segments& segments, int* score) {
    if (pattern.count != segments.count) return false;
    for (std::size_t i = 0; i < pattern.count; ++i) {
      const Part& part = pattern.parts[i];
      const std::string_view segment = segments.items[i];
      if (part.is_param) {
        if (segment.empty() || !Decodable(segment)) return false;
        *score += 1;
      } else if (part.text == segment) {
        *score += 2;
      } else {
        return false;
      }
    }
    return true;
  }

  std::vector<Route<T>> routes_;
  std::vector<CompiledPattern> compiled_;  // compiled_[i] is routes_[i].pattern
};

}  // namespace memd::server
