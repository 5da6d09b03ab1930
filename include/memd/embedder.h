// The Embedder interface: text in, L2-normalised vectors out.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "memd/status.h"

namespace memd {

// Turns texts into vectors. Implementations must be thread-safe and deterministic for a
// given name(): a cube records name() and dimension() at creation and refuses to mix
// vectors of another embedder.
class Embedder {
 public:
  virtual ~Embedder() = default;
  // A stable identifier including anything that changes the vectors, e.g. "hash-v1".
  virtual std::string name() const = 0;
  virtual int dimension() const = 0;
  // Inputs longer than this many bytes are truncated (at a UTF-8 boundary) before embedding.
  virtual std::size_t max_input_bytes() const = 0;
  // Writes texts.size() unit-length vectors of dimension() floats, back to back, into out.
  // REQUIRES: out.size() == texts.size() * dimension().
  // Errors: InvalidArgument for a text that cannot be embedded; out is then unspecified.
  virtual Status Embed(std::span<const std::string_view> texts, std::span<float> out) const = 0;
};

// The built-in, model-free embedder (feature hashing; see docs/ARCHITECTURE.md).
// dimension: a multiple of 8 in 64..4096.
std::unique_ptr<Embedder> NewHashEmbedder(int dimension = 256);

}  // namespace memd
