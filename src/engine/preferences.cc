// Preferences (parametric memory): per-cube settings and their prompt rendering.
#include <boost/json.hpp>

#include "engine/engine_impl.h"
#include "engine/validation.h"

namespace memd {

Result<Preference> Engine::Impl::SetPreference(const CubeRef& ref, std::string_view category, std::string_view key,
                                               std::string_view value, std::string_view description) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(std::string canonical, engine::ValidatePreference(category, key, value, description));
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/true));
  Preference p{std::string(category), std::string(key), std::move(canonical), std::string(description), Now()};
  MEMD_RETURN_IF_ERROR(
      store_->Write(cube->row.id, [&](store::WriteTxn& txn) { return txn.PutPreference(p); }).status());
  return p;
}

Result<Preference> Engine::Impl::GetPreference(const CubeRef& ref, std::string_view category, std::string_view key) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  std::optional<Preference> p;
  if (cube) {
    MEMD_ASSIGN_OR_RETURN(p, store_->GetPreference(cube->id, category, key));
  }
  if (!p) {
    return Status::NotFound("no preference '" + std::string(category) + "." + std::string(key) + "' in this cube");
  }
  return std::move(*p);
}

Result<std::vector<Preference>> Engine::Impl::ListPreferences(const CubeRef& ref, std::string_view category) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return Status::NotFound("no cube for user '" + ref.user + "' and project '" + ref.project + "'");
  return store_->ListPreferences(cube->id, category);
}

Status Engine::Impl::DeletePreference(const CubeRef& ref, std::string_view category, std::string_view key) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) {
    return Status::NotFound("no preference '" + std::string(category) + "." + std::string(key) + "' in this cube");
  }
  return store_->Write(cube->id, [&](store::WriteTxn& txn) { return txn.DeletePreference(category, key); }).status();
}

Result<std::string> Engine::Impl::FormatPreferencesForPrompt(const CubeRef& ref) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return std::string();
  MEMD_ASSIGN_OR_RETURN(auto prefs, store_->ListPreferences(cube->id, ""));
  if (prefs.empty()) return std::string();
  // Deterministic: ordered by (category, key); string values unquoted, others as JSON.
  std::string out = "Project preferences (follow these):\n";
  for (const auto& p : prefs) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(p.value, ec);
    std::string value = !ec && v.is_string() ? std::string(v.get_string()) : p.value;
    out += "- " + p.category + "." + p.key + ": " + value;
    if (!p.description.empty()) out += " (" + p.description + ")";
    out += "\n";
  }
  return out;
}

}  // namespace memd
