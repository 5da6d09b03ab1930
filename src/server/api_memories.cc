// /v1/cubes/{project}/memories: add (one or a batch), list, get, update (ETag/If-Match),
// delete, restore, history, purge.
#include <charconv>
#include <chrono>

#include "engine/json_fields.h"
#include "engine/memory_codec.h"
#include "server/api_impl.h"

namespace memd::server {
namespace json = boost::json;

namespace {

// Strong entity tag of one version of a memory.
std::string ETagOf(const Memory& m) { return "\"v" + std::to_string(m.version) + "\""; }

Reply MemoryReply(const Memory& m, unsigned status = 200) {
  Reply r = Reply::Json(engine::EncodeMemory(m), status);
  r.headers.emplace_back("ETag", ETagOf(m));
  return r;
}

// The version in an If-Match header: "v<version>" (quoted, optionally weak), or "*" (any).
Result<std::optional<std::int64_t>> ParseIfMatch(std::string_view header) {
  if (header.empty() || header == "*") return std::optional<std::int64_t>();
  std::string_view tag = header;
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  if (tag.size() >= 4 && tag.front() == '"' && tag.back() == '"' && tag[1] == 'v') {
    std::string_view digits = tag.substr(2, tag.size() - 3);
    std::int64_t version = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
    if (ec == std::errc() && end == digits.data() + digits.size() && version >= 1) {
      return std::optional<std::int64_t>(version);
    }
  }
  return Status::InvalidArgument("If-Match must be an ETag from this API, e.g. \"v3\", or *", "If-Match");
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Reply Api::Impl::AddMemory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto memory = engine::DecodeNewMemory(*body, "");
  if (!memory.ok()) return BadRequest(memory.status());
  auto write = WriteOptionsOf(call);
  if (!write.ok()) return BadRequest(write.status());
  const auto start = std::chrono::steady_clock::now();
  auto added = engine_.Add(*cube, *memory, *write);
  add_seconds_->Observe(SecondsSince(start));
  if (!added.ok()) return ErrorReply(added.status());
  return Reply::Json(engine::EncodeAddResult(*added), added->deduplicated ? 200 : 201);
}

Reply Api::Impl::AddMemories(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto fields = engine::JsonFields::Of(*body, "");
  if (!fields.ok()) return BadRequest(fields.status());
  const json::value* items = fields->GetValue("items");
  if (Status s = fields->Finish(); !s.ok()) return BadRequest(s);
  if (items == nullptr || !items->is_array()) {
    return BadRequest(Status::InvalidArgument("give the memories as an array: {\"items\": [...]}", "items"));
  }
  std::vector<NewMemory> memories;
  memories.reserve(items->as_array().size());
  for (std::size_t i = 0; i < items->as_array().size(); ++i) {
    auto m = engine::DecodeNewMemory(items->as_array()[i], "items[" + std::to_string(i) + "]");
    if (!m.ok()) return BadRequest(m.status());
    memories.push_back(std::move(*m));
  }
  auto write = WriteOptionsOf(call);
  if (!write.ok()) return BadRequest(write.status());
  const auto start = std::chrono::steady_clock::now();
  auto added = engine_.AddBatch(*cube, memories, *write);
  add_seconds_->Observe(SecondsSince(start));
  if (!added.ok()) return ErrorReply(added.status());
  json::array results;
  bool created = false;
  for (const AddResult& r : *added) {
    results.push_back(engine::EncodeAddResult(r));
    created |= !r.deduplicated;
  }
  return Reply::Json(json::object{{"results", std::move(results)}}, created ? 201 : 200);
}

Reply Api::Impl::ListMemories(Call& call) {
  if (Status s = OnlyQuery(call, {"limit", "cursor", "filter", "include_deleted"}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  ListRequest request;
  if (auto limit = call.Query("limit")) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > 1000) {
      return BadRequest(Status::InvalidArgument("limit must be a number from 1 to 1000", "limit"));
    }
    request.limit = value;
  }
  if (auto cursor = call.Query("cursor")) request.cursor = std::string(*cursor);
  if (auto filter = call.Query("filter")) request.filter = std::string(*filter);
  if (auto deleted = call.Query("include_deleted")) {
    if (*deleted != "true" && *deleted != "false") {
      return BadRequest(Status::InvalidArgument("include_deleted must be true or false", "include_deleted"));
    }
    request.include_deleted = *deleted == "true";
  }
  auto page = engine_.List(*cube, request);
  if (!page.ok()) return ErrorReply(page.status());
  json::array memories;
  for (const Memory& m : page->memories) memories.push_back(engine::EncodeMemory(m));
  json::object out{{"memories", std::move(memories)}};
  out["next_cursor"] = page->next_cursor.empty() ? json::value(nullptr) : json::value(page->next_cursor);
  return Reply::Json(out);
}

Reply Api::Impl::GetMemory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto memory = engine_.Get(*cube, call.Param("id"));
  if (!memory.ok()) return ErrorReply(memory.status());
  return MemoryReply(*memory);
}

Reply Api::Impl::UpdateMemory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto patch = engine::DecodeMemoryPatch(*body, "");
  if (!patch.ok()) return BadRequest(patch.status());
  auto if_match = ParseIfMatch(call.Header("If-Match"));
  if (!if_match.ok()) return BadRequest(if_match.status());
  if (*if_match) patch->expected_version = **if_match;
  auto write = WriteOptionsOf(call);
  if (!write.ok()) return BadRequest(write.status());
  auto updated = engine_.Update(*cube, call.Param("id"), *patch, *write);
  if (!updated.ok()) {
    if (*if_match && updated.status().code() == StatusCode::kConflict) {
      return Reply::Error(412, "precondition_failed", updated.status().message() + "; GET it again and retry",
                          "If-Match");
    }
    return ErrorReply(updated.status());
  }
  return MemoryReply(*updated);
}

Reply Api::Impl::DeleteMemory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto write = WriteOptionsOf(call);
  if (!write.ok()) return BadRequest(write.status());
  auto deleted = engine_.Delete(*cube, call.Param("id"), *write);
  if (!deleted.ok()) return ErrorReply(deleted.status());
  return MemoryReply(*deleted);
}

Reply Api::Impl::RestoreMemory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto write = WriteOptionsOf(call);
  if (!write.ok()) return BadRequest(write.status());
  auto restored = engine_.Restore(*cube, call.Param("id"), *write);
  if (!restored.ok()) return ErrorReply(restored.status());
  return MemoryReply(*restored);
}

Reply Api::Impl::MemoryHistory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto history = engine_.History(*cube, call.Param("id"));
  if (!history.ok()) return ErrorReply(history.status());
  json::array entries;
  for (const HistoryEntry& e : *history) entries.push_back(engine::EncodeHistoryEntry(e));
  return Reply::Json(json::object{{"history", std::move(entries)}});
}

Reply Api::Impl::PurgeMemory(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  Status purged = engine_.Purge(*cube, call.Param("id"));
  if (!purged.ok()) return ErrorReply(purged);
  return Reply::NoContent();
}

}  // namespace memd::server
