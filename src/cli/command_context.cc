#include "cli/command_context.h"

namespace memd::cli {

EngineOptions CommandContext::engine_options() const {
  EngineOptions options;
  options.data_dir = options_.data_dir;
  options.durability = options_.durability;
  return options;
}

Result<Engine*> CommandContext::engine() {
  if (engine_ == nullptr) {
    MEMD_ASSIGN_OR_RETURN(engine_, Engine::Open(engine_options()));
  }
  return engine_.get();
}

}  // namespace memd::cli
