// What every subcommand gets: the global options, the output, and the engine (opened on
// first use, so `--help` and usage errors never touch the data directory).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cli/output.h"
#include "memd/engine.h"
#include "memd/options.h"

namespace memd::cli {

// Options accepted before or after any subcommand.
struct GlobalOptions {
  std::string data_dir = "./memd-data";  // --data, $MEMD_DATA
  std::string user = "local";            // --user, $MEMD_USER
  std::string project = "default";       // --project, $MEMD_PROJECT
  bool json = false;                     // --json
  std::string durability_name = "full";  // --durability, as typed
  Durability durability = Durability::kFull;  // parsed from durability_name
  bool durability_given = false;              // --durability was on the command line
};

// Not thread-safe; one per process run.
class CommandContext {
 public:
  // options and output must outlive this object.
  CommandContext(const GlobalOptions& options, Output& output) : options_(options), output_(output) {}

  const GlobalOptions& options() const { return options_; }
  Output& out() { return output_; }
  // The cube named by --user and --project.
  CubeRef cube() const { return CubeRef{options_.user, options_.project}; }
  // The options the engine is opened with (also used to pre-validate input).
  EngineOptions engine_options() const;
  // Opens the engine on first call; later calls return the same engine.
  Result<Engine*> engine();

  // The exit code of a command that succeeded but wants a non-zero code (verify).
  int exit_code() const { return exit_code_; }
  void set_exit_code(int code) { exit_code_ = code; }

 private:
  const GlobalOptions& options_;
  Output& output_;
  std::unique_ptr<Engine> engine_;
  int exit_code_ = 0;
};

// A parsed subcommand, ready to run. Returns the error that aborts it, if any.
using Action = std::function<Status(CommandContext&)>;

}  // namespace memd::cli
