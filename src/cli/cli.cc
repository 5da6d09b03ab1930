#include "cli/cli.h"

namespace memd::cli {

int Run(int argc, char** argv) { return 0; }

}  // namespace memd::cli
