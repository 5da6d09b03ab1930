// The memd command line: global options, subcommand registration, parse, run, exit code.
#include "cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/version.h"

namespace memd::cli {

namespace {

constexpr const char* kDescription =
    "memd: a memory store for AI agents. Memories live in cubes, one per (user, project);\n"
    "search is hybrid (BM25 + vectors). Global options may come before or after the command.";

constexpr const char* kFooter =
    "Environment: MEMD_DATA, MEMD_USER, MEMD_PROJECT set the defaults of --data, --user, --project.\n"
    "Exit codes: 0 ok, 1 internal/IO error (or verify found a difference), 2 invalid input or usage,\n"
    "3 not found, 4 permission denied, 5 conflict/already exists/wrong state, 6 limit exceeded,\n"
    "7 unavailable (retry). Run 'memd <command> --help' for a command's options.";

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_option("--data", g.data_dir, "Data directory (created if missing)")
      ->type_name("DIR")
      ->envname("MEMD_DATA")
      ->capture_default_str();
  app.add_option("--user", g.user, "User whose memories to use")
      ->type_name("USER")
      ->envname("MEMD_USER")->capture_default_str();
  app.add_option("--project", g.project, "Project of the user")
      ->type_name("PROJECT")
      ->envname("MEMD_PROJECT")->capture_default_str();
  app.add_flag("--json", g.json,
               "Machine output: one JSON document per result (one JSON line per item for --jsonl); "
               "errors as {\"error\":{...}} on stderr");
  app.add_option("--durability", g.durability_name,
                 "full: fsync every commit (survives power loss); normal: faster, survives a process crash")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
}

// Every command's help ends with a reminder of the global options, which it does not list.
void AddGlobalsHint(CLI::App& app) {
  constexpr const char* kHint =
      "Global options (see 'memd --help'): --data DIR, --user USER, --project PROJECT, --json, --durability.";
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    const std::string footer = sub->get_footer();
    sub->footer(footer.empty() ? kHint : footer + "\n" + kHint);
    AddGlobalsHint(*sub);
  }
}

// Engine warnings go to stderr, never into stdout where --json output is.
void LogToStderr() {
  auto logger = std::make_shared<spdlog::logger>("memd", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern("memd: %l: %v");
  spdlog::set_default_logger(std::move(logger));
}

// After a successful parse: a usage error for a missing or unknown command or for arguments
// that no command took.
Status CheckCommand(CLI::App& app, bool have_command) {
  std::vector<std::string> extras = app.remaining();
  if (have_command) {
    if (!extras.empty()) return Status::InvalidArgument("unexpected argument '" + extras.front() + "'");
    return Status::OK();
  }
  // The deepest command group given, e.g. "pref" in `memd pref bogus`.
  CLI::App* group = &app;
  while (!group->get_subcommands().empty()) group = group->get_subcommands().front();
  if (group == &app) {
    if (extras.empty()) return Status::InvalidArgument("no command given");
    return Status::InvalidArgument("unknown command '" + extras.front() + "'");
  }
  std::string choices;
  for (const CLI::App* sub : group->get_subcommands([](CLI::App*) { return true; })) {
    choices += (choices.empty() ? "" : ", ") + sub->get_name();
  }
  if (extras.empty()) return Status::InvalidArgument("'" + group->get_name() + "' needs a command: " + choices);
  return Status::InvalidArgument("unknown " + group->get_name() + " command '" + extras.front() + "'; use " + choices);
}

}  // namespace

int Run(int argc, char** argv) {
  GlobalOptions globals;
  CLI::App app(kDescription, "memd");
  app.fallthrough();  // inherited by every subcommand: global options may follow the command
  app.set_version_flag("--version", std::string("memd ") + kVersion, "Print the version and exit");
  AddGlobalOptions(app, globals);

  Action selected;
  AddAddCommand(app, &selected);
  AddMemoryCommands(app, &selected);
  AddSearchCommands(app, &selected);
  AddPreferenceCommands(app, &selected);
  AddCubeCommands(app, &selected);
  AddMaintenanceCommands(app, &selected);
  AddKeyCommands(app, &selected);
  AddIngestCommand(app, &selected);
  AddServeCommand(app, &selected);
  AddMcpCommand(app, &selected);
  // Set after the subcommands exist so that only the top level collects stray arguments
  // (they fall through to it); Run() turns them into precise errors below.
  app.allow_extras();
  AddGlobalsHint(app);
  app.footer(kFooter);  // after the subcommands, which would otherwise inherit it

  Output output(std::cout, std::cerr, false);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    output.set_json(globals.json);
    output.Error(Status::InvalidArgument(e.what()));
    output.Note("Run 'memd --help' or 'memd <command> --help' for usage.");
    return kExitUsage;
  }
  output.set_json(globals.json);
  if (Status usage = CheckCommand(app, selected != nullptr); !usage.ok()) {
    output.Error(usage);
    output.Note("Run 'memd --help' or 'memd <command> --help' for usage.");
    return kExitUsage;
  }
  globals.durability = globals.durability_name == "normal" ? Durability::kNormal : Durability::kFull;
  globals.durability_given = app.get_option("--durability")->count() > 0;

  LogToStderr();
  CommandContext context(globals, output);
  Status status;
  try {
    status = selected(context);
  } catch (const std::bad_alloc&) {
    status = Status::ResourceExhausted("out of memory");
  } catch (const std::exception& e) {
    status = Status::Internal(std::string("unexpected exception: ") + e.what());
  }
  std::cout.flush();
  if (!status.ok()) {
    output.Error(status);
    return ExitCodeFor(status.code());
  }
  if (!std::cout) {
    output.Error(Status::IOError("cannot write to stdout"));
    return kExitFailure;
  }
  return context.exit_code();
}

}  // namespace memd::cli
