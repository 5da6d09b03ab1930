// export, import and purge-expired.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "engine/memory_codec.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

void AddExport(CLI::App& app, Action* selected) {
  auto path = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("export", "Write the cube to a zstd-compressed JSON Lines file");
  sub->add_option("file", *path, "Output file, e.g. backup.jsonl.zst (replaced atomically)")->type_name("FILE")->required();
  OnParsed(sub, selected, [path](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->Export(ctx.cube(), *path));
    const CubeRef cube = ctx.cube();
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"exported", json::object{{"user", cube.user}, {"project", cube.project}}},
                                  {"file", *path}});
    } else {
      ctx.out().Text("exported " + cube.user + "/" + cube.project + " to " + *path);
    }
    return Status::OK();
  });
}

void AddImport(CLI::App& app, Action* selected) {
  auto path = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("import", "Load a file written by export into a new cube (all or nothing)");
  sub->add_option("file", *path, "File written by memd export")->type_name("FILE")->required()->check(CLI::ExistingFile);
  OnParsed(sub, selected, [path](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->Import(ctx.cube(), *path));
    MEMD_ASSIGN_OR_RETURN(CubeStats stats, engine->Stats(ctx.cube()));
    const CubeRef cube = ctx.cube();
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"imported", json::object{{"user", cube.user}, {"project", cube.project}}},
                                  {"file", *path},
                                  {"memories", stats.memories},
                                  {"deleted", stats.deleted},
                                  {"preferences", stats.preferences}});
    } else {
      ctx.out().Text("imported " + *path + " into " + cube.user + "/" + cube.project + ": " +
                     std::to_string(stats.memories) + " memories, " + std::to_string(stats.deleted) + " deleted, " +
                     std::to_string(stats.preferences) + " preferences");
    }
    return Status::OK();
  });
}

void AddPurgeExpired(CLI::App& app, Action* selected) {
  CLI::App* sub = app.add_subcommand("purge-expired", "Hard-delete the expired memories of every cube");
  OnParsed(sub, selected, [](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(std::int64_t purged, engine->PurgeExpired());
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"purged", purged}});
    } else {
      ctx.out().Text("purged " + std::to_string(purged) + " expired memories");
    }
    return Status::OK();
  });
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, Action* selected) {
  AddExport(app, selected);
  AddImport(app, selected);
  AddPurgeExpired(app, selected);
}

}  // namespace memd::cli
