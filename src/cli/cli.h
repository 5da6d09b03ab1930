// The memd command line: parses argv and runs one subcommand over the engine API.
#pragma once

namespace memd::cli {

// Runs the CLI; returns the process exit code (0 success; see docs for the error mapping).
int Run(int argc, char** argv);

}  // namespace memd::cli
