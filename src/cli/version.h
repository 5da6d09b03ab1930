// The version printed by `memd --version` (memd/version.h).
#pragma once

#include "memd/version.h"

namespace memd::cli {

using ::memd::kVersion;

}  // namespace memd::cli
