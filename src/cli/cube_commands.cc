// cubes list|stats|delete|snapshot|verify and forget: a (user, project) cube as a whole.
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render.h"
#include "engine/memory_codec.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

std::string Name(const CubeRef& cube) { return cube.user + "/" + cube.project; }

json::object EncodeRef(const CubeRef& cube) { return json::object{{"user", cube.user}, {"project", cube.project}}; }

void AddList(CLI::App& cubes, Action* selected) {
  auto all_users = std::make_shared<bool>(false);
  CLI::App* sub = cubes.add_subcommand("list", "List the projects of --user (or of every user)");
  sub->add_flag("--all-users", *all_users, "List the cubes of every user");
  OnParsed(sub, selected, [all_users](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(std::vector<CubeInfo> list, engine->ListCubes(*all_users ? "" : ctx.options().user));
    if (ctx.out().json()) {
      json::array items;
      for (const CubeInfo& c : list) items.push_back(engine::EncodeCubeInfo(c));
      ctx.out().Json(json::object{{"cubes", std::move(items)}});
    } else if (list.empty()) {
      ctx.out().Text("(no cubes)");
    } else {
      ctx.out().out() << RenderCubeTable(list);
    }
    return Status::OK();
  });
}

void AddStats(CLI::App& cubes, Action* selected) {
  CLI::App* sub = cubes.add_subcommand("stats", "Counts and sizes of the cube of --user and --project");
  OnParsed(sub, selected, [](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(CubeStats stats, engine->Stats(ctx.cube()));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodeCubeStats(stats));
    } else {
      ctx.out().out() << RenderCubeStats(stats);
    }
    return Status::OK();
  });
}

Status RequireYes(bool yes, const std::string& what) {
  if (yes) return Status::OK();
  return Status::InvalidArgument("refusing to delete " + what + " without --yes; this cannot be undone", "yes");
}

void AddDelete(CLI::App& cubes, Action* selected) {
  auto yes = std::make_shared<bool>(false);
  CLI::App* sub = cubes.add_subcommand("delete", "Delete the cube of --user and --project with everything in it");
  sub->add_flag("--yes", *yes, "Confirm: the deletion cannot be undone");
  OnParsed(sub, selected, [yes](CommandContext& ctx) -> Status {
    MEMD_RETURN_IF_ERROR(RequireYes(*yes, "cube " + Name(ctx.cube())));
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->ForgetProject(ctx.cube()));
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"deleted", EncodeRef(ctx.cube())}});
    } else {
      ctx.out().Text("deleted cube " + Name(ctx.cube()));
    }
    return Status::OK();
  });
}

void AddSnapshot(CLI::App& cubes, Action* selected) {
  CLI::App* sub = cubes.add_subcommand("snapshot", "Write an index snapshot of the cube now (faster next open)");
  OnParsed(sub, selected, [](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->Snapshot(ctx.cube()));
    MEMD_ASSIGN_OR_RETURN(CubeStats stats, engine->Stats(ctx.cube()));
    if (ctx.out().json()) {
      json::object o = EncodeRef(ctx.cube());
      o["snapshot_sequence"] = stats.snapshot_sequence;
      ctx.out().Json(o);
    } else {
      ctx.out().Text("snapshot of " + Name(ctx.cube()) + " is at sequence " + std::to_string(stats.snapshot_sequence));
    }
    return Status::OK();
  });
}

void AddVerify(CLI::App& cubes, Action* selected) {
  CLI::App* sub = cubes.add_subcommand(
      "verify", "Rebuild the cube's index from the store and compare it with the live one (exit 1 if they differ)");
  OnParsed(sub, selected, [](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(VerifyReport report, engine->Verify(ctx.cube()));
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"consistent", report.consistent}, {"detail", report.detail}});
    } else if (report.consistent) {
      ctx.out().Text("consistent");
    } else {
      ctx.out().Text("inconsistent: " + report.detail);
    }
    if (!report.consistent) ctx.set_exit_code(kExitFailure);
    return Status::OK();
  });
}

struct ForgetOptions {
  std::string user;
  std::string project;
  bool yes = false;
};

// forget has its own --user and --project (no defaults, no environment) so that it only
// ever removes what was typed.
void AddForget(CLI::App& app, Action* selected) {
  auto o = std::make_shared<ForgetOptions>();
  CLI::App* sub = app.add_subcommand("forget", "Delete everything of a user, or of one of their projects");
  sub->footer(
      "Examples:\n"
      "  memd forget --user alice --yes                  # every project of alice\n"
      "  memd forget --user alice --project notes --yes  # one project");
  sub->add_option("--user", o->user, "The user to forget (required; the global default does not apply)")
      ->type_name("USER")
      ->required();
  CLI::Option* project = sub->add_option("--project", o->project, "Only this project of the user")->type_name("PROJECT");
  sub->add_flag("--yes", o->yes, "Confirm: the deletion cannot be undone");
  OnParsed(sub, selected, [o, project](CommandContext& ctx) -> Status {
    const bool one_project = project->count() > 0;
    CubeRef cube{o->user, o->project};
    MEMD_RETURN_IF_ERROR(RequireYes(o->yes, one_project ? "cube " + Name(cube) : "every cube of user " + o->user));
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    if (one_project) {
      MEMD_RETURN_IF_ERROR(engine->ForgetProject(cube));
    } else {
      MEMD_RETURN_IF_ERROR(engine->ForgetUser(o->user));
    }
    if (ctx.out().json()) {
      json::object forgotten{{"user", o->user}};
      if (one_project) forgotten["project"] = o->project;
      ctx.out().Json(json::object{{"forgotten", std::move(forgotten)}});
    } else {
      ctx.out().Text(one_project ? "forgot cube " + Name(cube) : "forgot user " + o->user);
    }
    return Status::OK();
  });
}

}  // namespace

void AddCubeCommands(CLI::App& app, Action* selected) {
  CLI::App* cubes = app.add_subcommand("cubes", "Cubes (user/project pairs): list, stats, delete, snapshot, verify");
  AddList(*cubes, selected);
  AddStats(*cubes, selected);
  AddDelete(*cubes, selected);
  AddSnapshot(*cubes, selected);
  AddVerify(*cubes, selected);
  AddForget(app, selected);
}

}  // namespace memd::cli
