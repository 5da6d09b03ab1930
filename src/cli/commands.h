// Registration of memd's subcommands, grouped by concern (one .cc file each). Each function
// adds its subcommands to app; when one is parsed, *selected becomes its action, which cli.cc
// runs after parsing succeeded. Options are owned by the actions (shared), so app may be
// destroyed after the action ran.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "cli/command_context.h"

namespace memd::cli {

// add (one memory, or many with --jsonl).
void AddAddCommand(CLI::App& app, Action* selected);
// get, list, update, delete, restore, history, purge.
void AddMemoryCommands(CLI::App& app, Action* selected);
// search, context.
void AddSearchCommands(CLI::App& app, Action* selected);
// pref set|get|list|delete|prompt.
void AddPreferenceCommands(CLI::App& app, Action* selected);
// cubes list|stats|delete|snapshot|verify, forget.
void AddCubeCommands(CLI::App& app, Action* selected);
// export, import, purge-expired.
void AddMaintenanceCommands(CLI::App& app, Action* selected);
// key create|list|revoke, token.
void AddKeyCommands(CLI::App& app, Action* selected);

// ingest (files and directories into the project).
void AddIngestCommand(CLI::App& app, Action* selected);

// serve (the HTTP API server).
void AddServeCommand(CLI::App& app, Action* selected);
// mcp (the Model Context Protocol over stdin/stdout).
void AddMcpCommand(CLI::App& app, Action* selected);

// Makes `action` the one to run when `sub` is parsed.
void OnParsed(CLI::App* sub, Action* selected, Action action);

// InvalidArgument (field "jsonl") naming the first of `single` that was given: flags that
// describe one memory or query cannot be combined with --jsonl, whose lines carry them.
Status CheckJsonlAlone(const std::vector<CLI::Option*>& single);

}  // namespace memd::cli
