// The built-in, model-free embedder: feature hashing of words, identifier parts, word
// bigrams and character n-grams into a fixed-size signed vector (hash_embedder.cc explains
// the features and weights). Deterministic across runs and platforms, thread-safe, and
// needs no model file, so memd works out of the box; a real embedding model can replace it.
#pragma once

#include <cstddef>
#include <memory>

#include "memd/embedder.h"
#include "memd/status.h"

namespace memd::embed {

// Every knob of the hash embedder. The defaults are the "hash-v1" embedder; any other value
// changes the vectors, and name() then says so (see HashEmbedderName). Weights are relative:
// each feature type's block is normalised to unit length before its weight is applied.
struct HashEmbedderOptions {
  // Vector length: a multiple of 8 in 64..4096. Recorded by a cube besides name().
  int dimension = 256;
  // Inputs are cut to this many bytes (at a UTF-8 boundary) before embedding; 1..1 MiB.
  std::size_t max_input_bytes = 32 * 1024;

  // Stemmed, case-folded content words (stop words dropped), as the BM25 analyzer makes them;
  // a multi-part identifier contributes its parts.
  float word_weight = 1.0f;
  // A multi-part identifier as a whole, parts joined by '_' ("parseHttpRequest" and
  // "parse_http_request" give the same feature).
  float identifier_weight = 0.5f;
  // Pairs of consecutive content words.
  float bigram_weight = 0.5f;
  // Character n-grams of each folded content word, with '<' '>' marking its ends.
  float ngram_weight = 0.6f;
  int ngram_min = 3;  // 1..8, <= ngram_max
  int ngram_max = 5;
  // Words longer than this many bytes (hashes, base64) give no n-grams; 0 disables the cap.
  std::size_t ngram_max_word_bytes = 40;
  // Term frequency weighting: 1 + ln(tf) when true, tf when false.
  bool sublinear_tf = true;
};

// The name of an embedder with these options: "hash-v1" for the default options (whatever
// the dimension), else "hash-v1-" plus 16 hex digits identifying the non-default values.
std::string HashEmbedderName(const HashEmbedderOptions& options);

// Errors: InvalidArgument naming the bad option (e.g. a dimension that is not a multiple of
// 8 in 64..4096, a negative or non-finite weight, all weights zero, bad n-gram bounds).
Result<std::unique_ptr<Embedder>> MakeHashEmbedder(const HashEmbedderOptions& options);
// The default embedder with the given dimension. Errors: as above.
Result<std::unique_ptr<Embedder>> MakeHashEmbedder(int dimension);

}  // namespace memd::embed
