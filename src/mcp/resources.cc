#include "mcp/resources.h"

#include <algorithm>

#include "engine/memory_codec.h"
#include "text/text.h"
#include "util/json.h"
#include "util/time_format.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

constexpr std::string_view kScheme = "memory://";
constexpr std::string_view kMemories = "/memories/";
constexpr std::string_view kPreferences = "/preferences";
constexpr std::size_t kTitleBytes = 80;
// A ULID below every real id: a List cursor that starts at a project's first memory.
constexpr std::string_view kBeforeAllIds = "00000000000000000000000000";

std::string EncodeProject(std::string_view project) {
  std::string out;
  for (char c : project) {
    if (c == '@') {
      out += "%40";
    } else {
      out += c;
    }
  }
  return out;
}

// The projects of the identity that hold data, by name.
Result<std::vector<std::string>> Projects(Engine& engine, const Identity& identity) {
  MEMD_ASSIGN_OR_RETURN(std::vector<CubeInfo> cubes, engine.ListCubes(identity.user));
  std::vector<std::string> projects;
  for (const CubeInfo& cube : cubes) {
    if (identity.MayUse(cube.ref.project)) projects.push_back(cube.ref.project);
  }
  std::sort(projects.begin(), projects.end());
  return projects;
}

json::object MemoryEntry(std::string_view project, const Memory& m) {
  std::string title(text::TruncateUtf8(m.text, kTitleBytes));
  for (char& c : title) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (title.size() < m.text.size()) title += "...";
  std::string description = m.kind + " memory in project " + std::string(project);
  if (!m.tags.empty()) {
    description += "; tags:";
    for (const std::string& tag : m.tags) description += " " + tag;
  }
  return json::object{{"uri", MemoryUri(project, m.id)},
                      {"name", m.id},
                      {"title", std::move(title)},
                      {"description", std::move(description)},
                      {"mimeType", "application/json"},
                      {"annotations", json::object{{"lastModified", FormatRfc3339(m.updated_at)}}}};
}

json::object PreferencesEntry(std::string_view project) {
  return json::object{{"uri", PreferencesUri(project)},
                      {"name", std::string(project) + "-preferences"},
                      {"title", "Preferences of project " + std::string(project)},
                      {"description", "Standing instructions and settings of the project, as set with set_preference"},
                      {"mimeType", "application/json"}};
}

json::object TextContents(std::string_view uri, const json::value& body) {
  json::object content{{"uri", uri}, {"mimeType", "application/json"}, {"text", CompactJson(body)}};
  return json::object{{"contents", json::array{std::move(content)}}};
}

}  // namespace

std::string MemoryUri(std::string_view project, std::string_view id) {
  return std::string(kScheme) + EncodeProject(project) + std::string(kMemories) + std::string(id);
}

std::string PreferencesUri(std::string_view project) {
  return std::string(kScheme) + EncodeProject(project) + std::string(kPreferences);
}

Result<ResourceUri> ParseResourceUri(std::string_view uri) {
  const Status bad = Status::InvalidArgument(
      "'" + std::string(text::TruncateUtf8(uri, 200)) +
          "' is not a memd resource; use memory://{project}/memories/{id} or memory://{project}/preferences",
      "uri");
  if (uri.substr(0, kScheme.size()) != kScheme) return bad;
  std::string_view rest = uri.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return bad;
  ResourceUri out;
  std::string_view encoded = rest.substr(0, slash);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      if (encoded.substr(i, 3) != "%40") return bad;
      out.project += '@';
      i += 2;
    } else {
      out.project += encoded[i];
    }
  }
  std::string_view path = rest.substr(slash);
  if (path == kPreferences) return out;
  if (path.substr(0, kMemories.size()) != kMemories || path.size() == kMemories.size()) return bad;
  out.memory_id = std::string(path.substr(kMemories.size()));
  if (out.memory_id.find('/') != std::string::npos) return bad;
  return out;
}

Result<json::object> ListResources(Engine& engine, const Identity& identity, std::string_view cursor, int page_size) {
  MEMD_ASSIGN_OR_RETURN(std::vector<std::string> projects, Projects(engine, identity));
  // The cursor is "<project>/<id of the last memory listed>" (kBeforeAllIds once only the
  // project's preferences entry was listed), or "<project>/" for a project not yet begun.
  std::size_t start = 0;
  std::string after;
  if (!cursor.empty()) {
    const std::size_t slash = cursor.find('/');
    auto it = slash == std::string_view::npos
                  ? projects.end()
                  : std::find(projects.begin(), projects.end(), cursor.substr(0, slash));
    if (it == projects.end()) {
      return Status::InvalidArgument("cursor is not a nextCursor of resources/list (or its project is gone)", "cursor");
    }
    start = static_cast<std::size_t>(it - projects.begin());
    after = std::string(cursor.substr(slash + 1));
  }
  json::array resources;
  for (std::size_t p = start; p < projects.size(); ++p) {
    const std::string& project = projects[p];
    ListRequest request;
    if (after.empty()) {
      if (static_cast<int>(resources.size()) == page_size) {
        return json::object{{"resources", std::move(resources)}, {"nextCursor", project + "/"}};
      }
      resources.push_back(PreferencesEntry(project));
      request.cursor = std::string(kBeforeAllIds);
    } else {
      request.cursor = std::move(after);
      after.clear();
    }
    for (;;) {
      const int room = page_size - static_cast<int>(resources.size());
      if (room == 0) {
        return json::object{{"resources", std::move(resources)}, {"nextCursor", project + "/" + request.cursor}};
      }
      request.limit = room;
      auto page = engine.List(CubeRef{identity.user, project}, request);
      if (!page.ok() && page.status().code() == StatusCode::kNotFound) break;  // forgotten meanwhile
      if (!page.ok()) return page.status();
      for (const Memory& m : page->memories) resources.push_back(MemoryEntry(project, m));
      if (page->next_cursor.empty()) break;
      request.cursor = page->next_cursor;
    }
  }
  return json::object{{"resources", std::move(resources)}};
}

json::object ListResourceTemplates() {
  json::array templates;
  templates.push_back(json::object{
      {"uriTemplate", "memory://{project}/memories/{id}"},
      {"name", "memory"},
      {"title", "A memory"},
      {"description", "One memory of a project as JSON (text, kind, tags, metadata, source, times, version)"},
      {"mimeType", "application/json"}});
  templates.push_back(json::object{{"uriTemplate", "memory://{project}/preferences"},
                                   {"name", "preferences"},
                                   {"title", "Preferences of a project"},
                                   {"description", "The project's preferences as JSON: {\"preferences\": [...]}"},
                                   {"mimeType", "application/json"}});
  return json::object{{"resourceTemplates", std::move(templates)}};
}

Result<json::object> ReadResource(Engine& engine, const Identity& identity, std::string_view uri) {
  MEMD_ASSIGN_OR_RETURN(ResourceUri parsed, ParseResourceUri(uri));
  MEMD_ASSIGN_OR_RETURN(CubeRef cube, identity.Cube(parsed.project));
  if (!parsed.memory_id.empty()) {
    MEMD_ASSIGN_OR_RETURN(Memory memory, engine.Get(cube, parsed.memory_id));
    return TextContents(uri, engine::EncodeMemory(memory));
  }
  MEMD_ASSIGN_OR_RETURN(std::vector<Preference> list, engine.ListPreferences(cube));
  json::array preferences;
  for (const Preference& p : list) preferences.push_back(engine::EncodePreference(p));
  return TextContents(uri, json::object{{"preferences", std::move(preferences)}});
}

}  // namespace memd::mcp
