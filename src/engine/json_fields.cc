#include "engine/json_fields.h"

namespace memd::engine {

Result<JsonFields> JsonFields::Of(const boost::json::value& v, std::string path) {
  if (!v.is_object()) {
    return Status::InvalidArgument((path.empty() ? std::string("value") : path) + " must be a JSON object", path);
  }
  return JsonFields(&v.get_object(), std::move(path));
}

bool JsonFields::Has(std::string_view key) const { return obj_->contains(key); }

bool JsonFields::IsNull(std::string_view key) const {
  auto it = obj_->find(key);
  return it != obj_->end() && it->value().is_null();
}

const boost::json::value* JsonFields::Lookup(std::string_view key) {
  known_.emplace(key);
  auto it = obj_->find(key);
  if (it == obj_->end() || it->value().is_null()) return nullptr;
  return &it->value();
}

const boost::json::value* JsonFields::GetValue(std::string_view key) {
  known_.emplace(key);
  auto it = obj_->find(key);
  return it == obj_->end() ? nullptr : &it->value();
}

Status JsonFields::TypeError(std::string_view key, std::string_view expected) const {
  return Status::InvalidArgument(PathOf(key) + " must be " + std::string(expected), PathOf(key));
}

Result<std::optional<std::string>> JsonFields::GetString(std::string_view key) {
  const auto* v = Lookup(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return TypeError(key, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<std::int64_t>> JsonFields::GetInt(std::string_view key) {
  const auto* v = Lookup(key);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
  }
  if (v->is_double()) {
    double d = v->get_double();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -9.2e18 && d < 9.2e18) {
      return std::optional<std::int64_t>(static_cast<std::int64_t>(d));
    }
  }
  return TypeError(key, "an integer");
}

Result<std::optional<double>> JsonFields::GetNumber(std::string_view key) {
  const auto* v = Lookup(key);
  if (v == nullptr) return std::optional<double>();
  if (!v->is_number()) return TypeError(key, "a number");
  return std::optional<double>(v->to_number<double>());
}

Result<std::optional<bool>> JsonFields::GetBool(std::string_view key) {
  const auto* v = Lookup(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_bool()) return TypeError(key, "true or false");
  return std::optional<bool>(v->get_bool());
}

Result<std::optional<std::vector<std::string>>> JsonFields::GetStringArray(std::string_view key) {
  const auto* v = Lookup(key);
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return TypeError(key, "an array of strings");
  std::vector<std::string> out;
  const auto& arr = v->get_array();
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      std::string f = PathOf(key) + "[" + std::to_string(i) + "]";
      return Status::InvalidArgument(f + " must be a string", f);
    }
    out.emplace_back(arr[i].get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Status JsonFields::Finish() const {
  for (const auto& member : *obj_) {
    if (!known_.contains(member.key())) {
      std::string f = PathOf(member.key());
      std::string allowed;
      for (const auto& k : known_) allowed += (allowed.empty() ? "" : ", ") + k;
      return Status::InvalidArgument("unknown field '" + std::string(member.key()) + "'; allowed: " + allowed, f);
    }
  }
  return Status::OK();
}

}  // namespace memd::engine
