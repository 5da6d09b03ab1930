// get, list, update, delete, restore, history, purge: one memory at a time.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/render.h"
#include "engine/memory_codec.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

// ---- get, list --------------------------------------------------------------------------

void AddGet(CLI::App& app, Action* selected) {
  auto id = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("get", "Show one memory (also a soft-deleted one)");
  sub->add_option("id", *id, "Memory id")->type_name("ID")->required();
  OnParsed(sub, selected, [id](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(Memory memory, engine->Get(ctx.cube(), *id));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodeMemory(memory));
    } else {
      ctx.out().Text(RenderMemory(memory));
    }
    return Status::OK();
  });
}

struct ListOptions {
  ListRequest request;
};

void AddList(CLI::App& app, Action* selected) {
  auto o = std::make_shared<ListOptions>();
  CLI::App* sub = app.add_subcommand("list", "List memories in id (creation) order, one page at a time");
  sub->add_option("--limit", o->request.limit, "Memories per page (1-1000)")->type_name("N")->capture_default_str();
  sub->add_option("--cursor", o->request.cursor, "Continue after the page that printed this cursor")->type_name("CURSOR");
  sub->add_option("--filter", o->request.filter, "Filter as JSON (see 'memd search --help')")->type_name("JSON");
  sub->add_flag("--include-deleted", o->request.include_deleted, "Also list soft-deleted memories");
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(ListPage page, engine->List(ctx.cube(), o->request));
    if (ctx.out().json()) {
      json::array memories;
      for (const Memory& m : page.memories) memories.push_back(engine::EncodeMemory(m));
      json::value cursor = page.next_cursor.empty() ? json::value(nullptr) : json::value(page.next_cursor);
      ctx.out().Json(json::object{{"memories", std::move(memories)}, {"next_cursor", std::move(cursor)}});
      return Status::OK();
    }
    if (page.memories.empty()) {
      ctx.out().Text("(no memories)");
    } else {
      ctx.out().out() << RenderMemoryTable(page.memories);
    }
    if (!page.next_cursor.empty()) ctx.out().Text("next page: memd list --cursor " + page.next_cursor);
    return Status::OK();
  });
}

// ---- update, delete, restore, history, purge ----------------------------------------------

struct UpdateOptions {
  std::string id;
  std::string text;
  std::string kind;
  std::vector<std::string> tags;
  std::string metadata;
  std::int64_t expected_version = 0;
  bool clear_expiry = false;
};

void AddUpdate(CLI::App& app, Action* selected) {
  auto o = std::make_shared<UpdateOptions>();
  CLI::App* sub = app.add_subcommand("update", "Change a memory; the previous version stays in its history");
  sub->add_option("id", o->id, "Memory id")->type_name("ID")->required();
  CLI::Option* text = sub->add_option("--text", o->text, "New text")->type_name("TEXT");
  CLI::Option* kind = sub->add_option("--kind", o->kind, "New kind")->type_name("KIND");
  CLI::Option* tags = sub->add_option("--tag", o->tags, "New tags (replace all); repeat for several")
                           ->type_name("TAG")
                           ->allow_extra_args(false);
  CLI::Option* metadata = sub->add_option("--metadata", o->metadata, "New metadata, a JSON object (replaces all)")->type_name("JSON");
  CLI::Option* expected = sub->add_option("--expected-version", o->expected_version,
                                          "Fail with a conflict unless the memory is at this version")->type_name("VERSION");
  sub->add_flag("--clear-expiry", o->clear_expiry, "Make the memory never expire");
  OnParsed(sub, selected, [o, text, kind, tags, metadata, expected](CommandContext& ctx) -> Status {
    MemoryPatch patch;
    if (text->count() > 0) patch.text = o->text;
    if (kind->count() > 0) patch.kind = o->kind;
    if (tags->count() > 0) patch.tags = o->tags;
    if (metadata->count() > 0) patch.metadata = o->metadata;
    if (expected->count() > 0) patch.expected_version = o->expected_version;
    patch.clear_expires_at = o->clear_expiry;
    if (!patch.text && !patch.kind && !patch.tags && !patch.metadata && !patch.clear_expires_at) {
      return Status::InvalidArgument("nothing to update; give --text, --kind, --tag, --metadata or --clear-expiry");
    }
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(Memory memory, engine->Update(ctx.cube(), o->id, patch));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodeMemory(memory));
    } else {
      ctx.out().Text("updated " + memory.id + " (version " + std::to_string(memory.version) + ")");
    }
    return Status::OK();
  });
}

// delete and restore: same shape, different engine call.
void AddStateChange(CLI::App& app, Action* selected, const std::string& name, const std::string& description,
                    const std::string& past, Result<Memory> (Engine::*call)(const CubeRef&, std::string_view, const WriteOptions&)) {
  auto id = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(name, description);
  sub->add_option("id", *id, "Memory id")->type_name("ID")->required();
  OnParsed(sub, selected, [id, past, call](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(Memory memory, (engine->*call)(ctx.cube(), *id, WriteOptions{}));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodeMemory(memory));
    } else {
      ctx.out().Text(past + " " + memory.id + " (version " + std::to_string(memory.version) + ")");
    }
    return Status::OK();
  });
}

void AddHistory(CLI::App& app, Action* selected) {
  auto id = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("history", "Show every version of a memory, oldest first");
  sub->add_option("id", *id, "Memory id")->type_name("ID")->required();
  OnParsed(sub, selected, [id](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(std::vector<HistoryEntry> history, engine->History(ctx.cube(), *id));
    if (ctx.out().json()) {
      json::array entries;
      for (const HistoryEntry& e : history) entries.push_back(engine::EncodeHistoryEntry(e));
      ctx.out().Json(json::object{{"history", std::move(entries)}});
    } else {
      ctx.out().out() << RenderHistoryTable(history);
    }
    return Status::OK();
  });
}

void AddPurge(CLI::App& app, Action* selected) {
  auto id = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("purge", "Delete a memory and its whole history for good (irreversible)");
  sub->add_option("id", *id, "Memory id")->type_name("ID")->required();
  OnParsed(sub, selected, [id](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->Purge(ctx.cube(), *id));
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"purged", *id}});
    } else {
      ctx.out().Text("purged " + *id);
    }
    return Status::OK();
  });
}

}  // namespace

void AddMemoryCommands(CLI::App& app, Action* selected) {
  AddGet(app, selected);
  AddList(app, selected);
  AddUpdate(app, selected);
  AddStateChange(app, selected, "delete", "Soft-delete a memory: hidden from search, restorable", "deleted",
                 &Engine::Delete);
  AddStateChange(app, selected, "restore", "Undo a soft delete", "restored", &Engine::Restore);
  AddHistory(app, selected);
  AddPurge(app, selected);
}

}  // namespace memd::cli
