// mcp: memd as a Model Context Protocol server on stdin/stdout, for a coding assistant to
// launch (see docs/MCP.md).
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "engine/validation.h"
#include "ingest/job_runner.h"
#include "mcp/project_name.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"

namespace memd::cli {

namespace {

struct McpFlags {
  bool read_only = false;
  std::string workspace;  // names the default project instead of the working directory
  std::vector<std::string> ingest_roots;  // where the ingest tool may read
};

// The project a connection defaults to: --project or MEMD_PROJECT when given, else the git
// repository (or directory) of --workspace, else of the directory the assistant started it in.
Result<std::string> DefaultProject(const GlobalOptions& options, const McpFlags& flags, bool project_given) {
  if (project_given) return options.project;
  if (!flags.workspace.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(flags.workspace, ec)) {
      return Status::InvalidArgument("--workspace '" + flags.workspace + "' is not a directory", "workspace");
    }
    return mcp::ProjectForDirectory(flags.workspace);
  }
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? std::string("default") : mcp::ProjectForDirectory(cwd.string());
}

Status RunMcp(CommandContext& ctx, const McpFlags& flags, bool project_given) {
  mcp::Identity identity;
  identity.user = ctx.options().user;
  MEMD_ASSIGN_OR_RETURN(identity.default_project, DefaultProject(ctx.options(), flags, project_given));
  identity.scopes = flags.read_only ? std::vector<Scope>{Scope::kRead} : std::vector<Scope>{Scope::kRead, Scope::kWrite};
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(CubeRef{identity.user, identity.default_project}));
  MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
  // The ingest tool reads within the workspace's repository (or the directories named).
  ingest::JobRunnerOptions runner_options;
  runner_options.allowed_roots = flags.ingest_roots;
  if (runner_options.allowed_roots.empty()) {
    std::error_code ec;
    const std::string dir = flags.workspace.empty() ? std::filesystem::current_path(ec).string() : flags.workspace;
    if (!ec) runner_options.allowed_roots.push_back(mcp::RepositoryRoot(dir));
  }
  ingest::JobRunner runner(*engine, runner_options);
  MEMD_RETURN_IF_ERROR(runner.Start());
  // A client that closes its end of stdout must end the loop with an error, not kill memd
  // in the middle of a write.
  ::signal(SIGPIPE, SIG_IGN);
  mcp::ServerOptions server_options;
  server_options.extra_tools = mcp::IngestTools(runner);
  mcp::Server server(*engine, std::move(server_options));
  spdlog::info("mcp: serving user '{}', project '{}'{} (data {}) on stdin/stdout", identity.user,
               identity.default_project, flags.read_only ? ", read-only" : "", ctx.engine_options().data_dir);
  Status served = mcp::ServeStdio(server, identity, std::cin, std::cout);
  runner.Stop();  // an unfinished ingest stays queued and resumes at the next start
  return served;
}

}  // namespace

void AddMcpCommand(CLI::App& app, Action* selected) {
  auto flags = std::make_shared<McpFlags>();
  CLI::App* sub = app.add_subcommand("mcp", "Serve the Model Context Protocol on stdin/stdout (for coding assistants)");
  sub->footer(
      "Reads one JSON-RPC message per line on stdin and writes each response as one line on stdout; logs go to\n"
      "stderr. Exits 0 when stdin closes. Tools, resources (memory://) and prompts act on --user's memories.\n"
      "The default project is --project or MEMD_PROJECT when given, else the name of the git repository that\n"
      "contains --workspace or the working directory (its top-level directory), else that directory's own name,\n"
      "with characters other than A-Z a-z 0-9 . _ @ - replaced by '-'. Tools may name another project.\n"
      "See docs/MCP.md.\n"
      "Example (Claude Code):\n"
      "  claude mcp add memd -- memd --data ~/.local/share/memd mcp");
  sub->add_flag("--read-only", flags->read_only, "Offer reading only: tools that write answer with an error");
  sub->add_option("--workspace", flags->workspace,
                  "Directory whose git repository (else its own name) names the default project; default: the "
                  "working directory")
      ->type_name("DIR");
  sub->add_option("--ingest-root", flags->ingest_roots,
                  "Directory the ingest tool may read (repeatable); default: the git repository of the workspace "
                  "(else the workspace directory)")
      ->type_name("DIR");
  // Whether --project or MEMD_PROJECT was given is known once parsing is done; the root
  // app outlives the action (cli.cc runs it before returning).
  CLI::Option* project = app.get_option("--project");
  OnParsed(sub, selected,
           [flags, project](CommandContext& ctx) { return RunMcp(ctx, *flags, project->count() > 0); });
}

}  // namespace memd::cli
