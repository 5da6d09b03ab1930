#include "cli/commands.h"

#include <utility>

namespace memd::cli {

void OnParsed(CLI::App* sub, Action* selected, Action action) {
  sub->callback([selected, action = std::move(action)] { *selected = action; });
}

Status CheckJsonlAlone(const std::vector<CLI::Option*>& single) {
  for (const CLI::Option* opt : single) {
    if (opt->count() > 0) {
      return Status::InvalidArgument(
          opt->get_name() + " cannot be combined with --jsonl; put per-item fields in the file", "jsonl");
    }
  }
  return Status::OK();
}

}  // namespace memd::cli
