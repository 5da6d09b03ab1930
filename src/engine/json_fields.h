// Typed, path-reporting access to the members of a JSON object, for decoders that must
// reject unknown keys and wrong types with a precise field path.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "memd/status.h"

namespace memd::engine {

// Wraps one JSON object. Each Get* marks its key as known; Finish() reports the first
// unknown key. Errors are InvalidArgument with field "<path>.<key>".
class JsonFields {
 public:
  // InvalidArgument if v is not an object.
  static Result<JsonFields> Of(const boost::json::value& v, std::string path);

  bool Has(std::string_view key) const;
  // Present and null.
  bool IsNull(std::string_view key) const;
  Result<std::optional<std::string>> GetString(std::string_view key);
  Result<std::optional<std::int64_t>> GetInt(std::string_view key);
  Result<std::optional<double>> GetNumber(std::string_view key);
  Result<std::optional<bool>> GetBool(std::string_view key);
  Result<std::optional<std::vector<std::string>>> GetStringArray(std::string_view key);
  // Any JSON value, unparsed.
  const boost::json::value* GetValue(std::string_view key);
  // The path of a member, for nested decoders.
  std::string PathOf(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
  Status Finish() const;

 private:
  JsonFields(const boost::json::object* obj, std::string path) : obj_(obj), path_(std::move(path)) {}
  const boost::json::value* Lookup(std::string_view key);
  Status TypeError(std::string_view key, std::string_view expected) const;

  const boost::json::object* obj_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace memd::engine
