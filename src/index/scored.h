// A slot with a score, the currency between index components.
#pragma once

#include <cstdint>

namespace memd::index {

// A slot is a cube-local dense document number assigned by the cube's index. Slots are
// never reused while the index lives; a rebuild renumbers them.
using Slot = std::uint32_t;

struct ScoredSlot {
  Slot slot = 0;
  float score = 0;
};

// Orders by descending score, then ascending slot (deterministic ties).
inline bool BetterScored(const ScoredSlot& a, const ScoredSlot& b) {
  return a.score > b.score || (a.score == b.score && a.slot < b.slot);
}

}  // namespace memd::index
