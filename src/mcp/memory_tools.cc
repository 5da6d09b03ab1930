// Tools over single memories: add, get, update, delete, restore, list, history.
#include "engine/json_fields.h"
#include "engine/memory_codec.h"
#include "mcp/tool.h"
#include "mcp/tool_args.h"
#include "mcp/tool_schemas.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

// Properties of the memory content, shared by add_memory and update_memory.
json::object ContentProperties(bool for_update) {
  json::object p = JsonObject(R"({
    "text": {"type": "string", "description": "The memory itself: one self-contained fact, decision, convention or note, with its reason, e.g. \"Tests run with ctest -L unit; integration tests need the memd binary built first.\" Up to 64 KiB; split longer material."},
    "kind": {"type": "string", "description": "Category: fact, note (default), document, code, message, or another word up to 64 bytes."},
    "tags": {"type": "array", "items": {"type": "string"}, "description": "Labels for filtering, e.g. [\"build\", \"ci\"]."},
    "metadata": {"type": "object", "description": "Structured attributes as a JSON object, filterable as metadata.<key>, e.g. {\"file\": \"src/main.cc\"}."},
    "source": {
      "type": ["string", "object"],
      "description": "Where it came from: a path or URL, or {\"uri\": ..., \"line_start\": n, \"line_end\": m} with 1-based lines.",
      "properties": {"uri": {"type": "string"}, "line_start": {"type": "integer"}, "line_end": {"type": "integer"}},
      "required": ["uri"]
    },
    "expires_at": {"type": ["string", "integer"], "description": "When memd should forget it: an RFC 3339 time (e.g. 2030-01-31T00:00:00Z) or epoch milliseconds. Omit to keep it."}
  })");
  if (for_update) {
    p["text"].as_object()["description"] = "New text, replacing the old.";
    p["tags"].as_object()["description"] = "New tags, replacing all old ones.";
    p["metadata"].as_object()["description"] = "New metadata object, replacing the old one whole.";
    p["source"].as_object()["type"] = json::array{"string", "object", "null"};
    p["source"].as_object()["description"] =
        "New source (a path or URL, or {uri, line_start, line_end}), or null to remove it.";
    p["expires_at"].as_object()["type"] = json::array{"string", "integer", "null"};
    p["expires_at"].as_object()["description"] =
        "New expiry (RFC 3339 time or epoch ms), or null to keep it forever.";
  }
  return p;
}

Tool AddMemory() {
  Tool t;
  t.name = "add_memory";
  t.title = "Remember something";
  t.description =
      "Store one memory in the project's long-term memory so that later sessions can recall it: a fact about "
      "the "
      "code base, a decision and its reason, a convention, a fix that worked, a user preference. Write "
      "self-contained "
      "text (someone reading only this memory must understand it) and prefer one fact per memory. Adding "
      "text equal "
      "to an existing memory returns that memory's id with deduplicated: true instead of storing a copy. "
      "Searchable "
      "immediately.";
  json::object properties = ContentProperties(false);
  properties["project"] = ProjectProperty();
  properties["idempotency_key"] = IdempotencyKeyProperty();
  t.input_schema = ObjectSchema(std::move(properties), {"text"});
  t.output_schema = JsonObject(R"({
    "type": "object",
    "properties": {
      "id": {"type": "string", "description": "Id of the stored (or the equal, existing) memory."},
      "deduplicated": {"type": "boolean", "description": "true: an equal memory existed; nothing new was stored."},
      "version": {"type": "integer"},
      "project": {"type": "string"}
    },
    "required": ["id", "deduplicated", "version", "project"]
  })");
  t.idempotent = true;  // an equal memory is deduplicated
  t.scope = Scope::kWrite;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(WriteOptions write, WriteOptionsArgument(args));
    MEMD_ASSIGN_OR_RETURN(NewMemory memory,
                          engine::DecodeNewMemory(Without(args, {"project", "idempotency_key"}), ""));
    MEMD_ASSIGN_OR_RETURN(AddResult added, ctx.engine.Add(cube, memory, write));
    json::object out = engine::EncodeAddResult(added);
    out["project"] = cube.project;
    return out;
  };
  return t;
}

Tool GetMemory() {
  Tool t;
  t.name = "get_memory";
  t.title = "Get a memory";
  t.description =
      "Fetch one memory by id with all its fields (text, kind, tags, metadata, source, times, version). Also "
      "returns "
      "soft-deleted memories (deleted: true).";
  t.input_schema = ObjectSchema(json::object{{"id", IdProperty()}, {"project", ProjectProperty()}}, {"id"});
  t.output_schema = MemorySchema();
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(std::string id, RequiredString(args, "id"));
    MEMD_ASSIGN_OR_RETURN(Memory memory, ctx.engine.Get(cube, id));
    return engine::EncodeMemory(memory);
  };
  return t;
}

Tool UpdateMemory() {
  Tool t;
  t.name = "update_memory";
  t.title = "Update a memory";
  t.description =
      "Correct or refine an existing memory in place. Only the fields you pass change; tags and metadata are "
      "replaced "
      "whole. The previous version stays in the memory's history (memory_history). To guard against a "
      "concurrent "
      "change, pass expected_version (the version get_memory returned): the update then fails with a "
      "conflict if "
      "the memory changed meanwhile.";
  json::object properties = ContentProperties(true);
  properties["id"] = IdProperty();
  properties["expected_version"] = JsonObject(
      R"({"type": "integer", "minimum": 1, "description": "Fail with a conflict unless the stored version equals this."})");
  properties["project"] = ProjectProperty();
  properties["idempotency_key"] = IdempotencyKeyProperty();
  t.input_schema = ObjectSchema(std::move(properties), {"id"});
  t.output_schema = MemorySchema();
  t.destructive = true;
  t.scope = Scope::kWrite;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(WriteOptions write, WriteOptionsArgument(args));
    MEMD_ASSIGN_OR_RETURN(std::string id, RequiredString(args, "id"));
    json::object fields = Without(args, {"id", "project", "idempotency_key"});
    if (fields.empty()) {
      return Status::InvalidArgument(
          "nothing to update: pass at least one of text, kind, tags, metadata, source, expires_at");
    }
    MEMD_ASSIGN_OR_RETURN(MemoryPatch patch, engine::DecodeMemoryPatch(fields, ""));
    MEMD_ASSIGN_OR_RETURN(Memory memory, ctx.engine.Update(cube, id, patch, write));
    return engine::EncodeMemory(memory);
  };
  return t;
}

// delete_memory and restore_memory: an id in, the memory's new state out.
Tool StateChange(bool restore) {
  Tool t;
  t.name = restore ? "restore_memory" : "delete_memory";
  t.title = restore ? "Restore a deleted memory" : "Delete a memory";
  t.description = restore ? "Bring back a memory removed with delete_memory: it is searchable again. Fails "
                            "if it is not deleted."
                          : "Remove a memory that is wrong or obsolete, so that search and lists no longer "
                            "return it. The delete "
                            "is soft: the memory stays in its history and restore_memory brings it back. To "
                            "correct a memory, "
                            "prefer update_memory.";
  t.input_schema = ObjectSchema(json::object{{"id", IdProperty()}, {"project", ProjectProperty()}}, {"id"});
  t.output_schema = MemorySchema();
  t.destructive = !restore;
  t.idempotent = true;
  t.scope = Scope::kWrite;
  t.run = [restore](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(std::string id, RequiredString(args, "id"));
    MEMD_ASSIGN_OR_RETURN(Memory memory,
                          restore ? ctx.engine.Restore(cube, id) : ctx.engine.Delete(cube, id));
    return engine::EncodeMemory(memory);
  };
  return t;
}

Tool ListMemories() {
  Tool t;
  t.name = "list_memories";
  t.title = "List memories";
  t.description =
      "Page through the project's memories in creation order (oldest first), optionally filtered. Use it to "
      "review "
      "what is stored; to find memories about a topic, use search_memories. Pass next_cursor back as cursor "
      "for the "
      "next page; it is null on the last page.";
  json::object properties = JsonObject(R"({
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "Memories per page (default 50)."},
    "cursor": {"type": "string", "description": "next_cursor of the previous page; omit for the first page."},
    "include_deleted": {"type": "boolean", "description": "Also list soft-deleted memories (default false)."}
  })");
  properties["filter"] = FilterProperty();
  properties["project"] = ProjectProperty();
  t.input_schema = ObjectSchema(std::move(properties), {});
  t.output_schema =
      ObjectSchema(json::object{{"memories", json::object{{"type", "array"}, {"items", MemorySchema()}}},
                                {"next_cursor", JsonObject(R"({"type": ["string", "null"]})")}},
                   {"memories", "next_cursor"});
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    const json::value rest = Without(args, {"project"});  // JsonFields keeps a pointer into it
    MEMD_ASSIGN_OR_RETURN(auto fields, engine::JsonFields::Of(rest, ""));
    ListRequest request;
    MEMD_ASSIGN_OR_RETURN(auto limit, fields.GetInt("limit"));
    if (limit) {
      if (*limit < 1 || *limit > 1000)
        return Status::InvalidArgument("limit must be between 1 and 1000", "limit");
      request.limit = static_cast<int>(*limit);
    }
    MEMD_ASSIGN_OR_RETURN(auto cursor, fields.GetString("cursor"));
    request.cursor = cursor.value_or("");
    MEMD_ASSIGN_OR_RETURN(auto deleted, fields.GetBool("include_deleted"));
    request.include_deleted = deleted.value_or(false);
    if (const json::value* filter = fields.GetValue("filter"); filter != nullptr && !filter->is_null()) {
      request.filter = engine::ToJsonText(*filter);
    }
    MEMD_RETURN_IF_ERROR(fields.Finish());
    MEMD_ASSIGN_OR_RETURN(ListPage page, EmptyIfNoCube(ctx, cube, ctx.engine.List(cube, request)));
    json::array memories;
    for (const Memory& m : page.memories) memories.push_back(engine::EncodeMemory(m));
    return json::object{
        {"memories", std::move(memories)},
        {"next_cursor", page.next_cursor.empty() ? json::value(nullptr) : json::value(page.next_cursor)}};
  };
  return t;
}

Tool MemoryHistory() {
  Tool t;
  t.name = "memory_history";
  t.title = "History of a memory";
  t.description =
      "Every version of one memory, oldest first, each with the operation that produced it (create, update, "
      "delete, "
      "restore). Use it to see how a memory changed or to recover earlier wording.";
  t.input_schema = ObjectSchema(json::object{{"id", IdProperty()}, {"project", ProjectProperty()}}, {"id"});
  t.output_schema = ObjectSchema(
      json::object{{"history", json::object{{"type", "array"}, {"items", HistoryEntrySchema()}}}},
      {"history"});
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    MEMD_ASSIGN_OR_RETURN(std::string id, RequiredString(args, "id"));
    MEMD_ASSIGN_OR_RETURN(std::vector<HistoryEntry> history, ctx.engine.History(cube, id));
    json::array entries;
    for (const HistoryEntry& e : history) entries.push_back(engine::EncodeHistoryEntry(e));
    return json::object{{"history", std::move(entries)}};
  };
  return t;
}

}  // namespace

std::vector<Tool> MemoryTools() {
  return {AddMemory(),       GetMemory(),    UpdateMemory(), StateChange(false),
          StateChange(true), ListMemories(), MemoryHistory()};
}

}  // namespace memd::mcp
