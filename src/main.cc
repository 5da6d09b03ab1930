// The memd binary: everything lives in the CLI library so tests can run it in-process.
#include "cli/cli.h"

int main(int argc, char** argv) { return memd::cli::Run(argc, argv); }
