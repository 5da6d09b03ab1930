// The hash embedder ("hash-v1"): a model-free text embedding by feature hashing.
//
// Features. The text (cut to max_input_bytes at a UTF-8 boundary) is split into words with
// text::SplitWords, and each word into identifier parts with text::SplitIdentifierSpans
// ("parseHttpRequest", "parse_http_request" -> parse, http, request). Then:
//   word        each part that is not a stop word, case-folded and Snowball-stemmed exactly
//               as the BM25 analyzer makes its terms ("requests" -> request).
//   identifier  each word of two or more parts, as its folded parts joined by '_' (stop-word
//               parts included), so identifier spellings agree: parse_http_request.
//   bigram      each pair of consecutive word features (across word and part boundaries;
//               stop words are skipped, not boundaries): "parse http", "http request".
//   n-gram      character n-grams (code points, n = 3..5) of each folded non-stop part
//               framed by '<' and '>': "<ht", "htt", ..., "ttp>" — robust to inflection,
//               typos and compound words. Parts over 40 bytes (hashes, blobs) give none.
// A word longer than 128 bytes is one opaque word feature (its folded first 128 bytes).
//
// Hashing. Each feature's bytes are hashed with XXH3-64 (util Hash64) under a seed per
// feature type, so equal strings of different types do not collide on purpose. The low 32
// bits pick the component ((low32 * dimension) >> 32) and the top bit the sign (+1/-1), so
// collisions cancel in expectation instead of piling up.
//
// Weights. Within a type, a feature with term frequency tf weighs 1 + ln(tf) (sublinear tf).
// Each type's block is scaled to unit length (divided by the square root of its summed
// squared weights) and then multiplied by the type weight:
//     word 1.0, identifier 0.5, bigram 0.5, n-gram 0.6
// so no type dominates because it has many features (n-grams outnumber words ~10:1), and
// exact words count most. The sum is L2-normalised. A text with no features (empty, only
// stop words or punctuation) gets a fixed unit vector with components +-1/sqrt(dimension),
// which is nearly orthogonal to every text vector; never NaN.
//
// Determinism. Only integer hashing, IEEE float adds and multiplies in an order fixed by the
// input, sqrt and log of small integers (both correctly rounded in practice) are used, so
// vectors are the same on every run and platform (given the same Unicode tables in utf8proc).
//
// The weights are HashEmbedderOptions fields, to be tuned on BEIR SciFact train; any change
// gives a different name() so cubes never mix vectors.
#include "embed/hash_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/text.h"
#include "util/hash.h"

namespace memd::embed {
namespace {

constexpr int kMinDimension = 64;
constexpr int kMaxDimension = 4096;
constexpr std::size_t kMaxInputCap = std::size_t{1} << 20;
constexpr int kMaxNgram = 8;

enum FeatureType : std::uint8_t { kWord = 0, kIdentifier = 1, kBigram = 2, kNgram = 3, kTypes = 4 };
// Seeds per feature type (arbitrary constants; changing one changes every vector).
constexpr std::uint64_t kSeeds[kTypes] = {0x68617368763157ULL, 0x686173687631C9ULL, 0x68617368763142ULL,
                                          0x6861736876314EULL};

// Counts features of one text: open addressing on the 64-bit feature hash (type is folded
// into the hash through its seed). Reused across texts by one thread.
class FeatureCounter {
 public:
  FeatureCounter() { Rehash(1024); }

  void Clear() {
    for (std::uint32_t i : used_) keys_[i] = 0;
    used_.clear();
  }
  void Add(std::uint64_t hash, FeatureType type) {
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    if ((used_.size() + 1) * 2 > keys_.size()) Rehash(keys_.size() * 2);
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = Mix(hash) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == hash) {
        ++counts_[i];
        return;
      }
      if (keys_[i] == 0) {
        keys_[i] = hash;
        counts_[i] = 1;
        types_[i] = type;
        used_.push_back(static_cast<std::uint32_t>(i));
        return;
      }
    }
  }
  // Calls fn(hash, type, count) per distinct feature, in first-seen order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (std::uint32_t i : used_) fn(keys_[i], static_cast<FeatureType>(types_[i]), counts_[i]);
  }

 private:
  static std::size_t Mix(std::uint64_t h) { return static_cast<std::size_t>(h ^ (h >> 29)); }
  void Rehash(std::size_t capacity) {
    std::vector<std::uint64_t> old_keys = std::move(keys_);
    std::vector<std::uint32_t> old_counts = std::move(counts_);
    std::vector<std::uint8_t> old_types = std::move(types_);
    std::vector<std::uint32_t> old_used = std::move(used_);
    keys_.assign(capacity, 0);
    counts_.assign(capacity, 0);
    types_.assign(capacity, 0);
    used_.clear();
    used_.reserve(capacity / 2);
    const std::size_t mask = capacity - 1;
    for (std::uint32_t o : old_used) {  // keeps first-seen order
      std::size_t i = Mix(old_keys[o]) & mask;
      while (keys_[i] != 0) i = (i + 1) & mask;
      keys_[i] = old_keys[o];
      counts_[i] = old_counts[o];
      types_[i] = old_types[o];
      used_.push_back(static_cast<std::uint32_t>(i));
    }
  }
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> counts_;
  std::vector<std::uint8_t> types_;
  std::vector<std::uint32_t> used_;  // occupied slots in first-seen order
};

// The features of one identifier part, which depend only on the part's bytes and the n-gram
// options: its folded form, whether it is a stop word, its word-term hashes and its n-gram
// hashes.
struct PartFeatures {
  std::string key;  // the part's bytes (memo key)
  bool valid = false;
  bool stop = false;
  std::string folded;
  std::vector<std::uint64_t> words;
  std::vector<std::uint64_t> ngrams;
};

// A direct-mapped memo of part -> PartFeatures. Word frequencies are Zipfian, so most parts
// hit, and a hit replaces folding, stemming and n-gram hashing by one hash and a compare.
// Being a pure memo it cannot change results. Only short parts are cached (bounded memory:
// about 1 MB per thread at most).
class PartMemo {
 public:
  static constexpr std::size_t kMaxKeyBytes = 24;
  PartMemo() : entries_(kSlots) {}
  // The slot for part. `params` identifies the options the features were computed with;
  // the memo is cleared when a thread switches to an embedder with other n-gram options.
  PartFeatures& Slot(std::string_view part, std::uint64_t params) {
    if (params != params_) {
      for (auto& e : entries_) e.valid = false;
      params_ = params;
    }
    return entries_[Hash64(part) & (kSlots - 1)];
  }

 private:
  static constexpr std::size_t kSlots = 4096;  // a power of two
  std::vector<PartFeatures> entries_;
  std::uint64_t params_ = 0;
};

// Per-thread scratch, so the steady state does not allocate.
struct Scratch {
  FeatureCounter counter;
  PartMemo memo;
  PartFeatures uncached;  // for parts too long to memoise
  std::vector<std::string_view> words;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::vector<std::string> terms;
  std::string folded;
  std::string identifier;
  std::string framed;
  std::vector<std::uint32_t> bounds;
};

// Byte offsets of the code points of s (plus s.size() at the end). Continuation bytes of a
// sequence never start a code point; ill-formed bytes count as one each.
void CodePointBounds(std::string_view s, std::vector<std::uint32_t>* bounds) {
  bounds->clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) bounds->push_back(static_cast<std::uint32_t>(i));
  }
  bounds->push_back(static_cast<std::uint32_t>(s.size()));
}

bool FiniteNonNegative(float w) { return std::isfinite(w) && w >= 0; }

class HashEmbedder final : public Embedder {
 public:
  explicit HashEmbedder(const HashEmbedderOptions& options)
      : options_(options), name_(HashEmbedderName(options)), empty_(static_cast<std::size_t>(options.dimension)) {
    weights_[kWord] = options.word_weight;
    weights_[kIdentifier] = options.identifier_weight;
    weights_[kBigram] = options.bigram_weight;
    weights_[kNgram] = options.ngram_weight;
    log_tf_[0] = 0;
    for (std::uint32_t c = 1; c < kLogTableSize; ++c) log_tf_[c] = static_cast<float>(1.0 + std::log(static_cast<double>(c)));
    memo_params_ = Hash64(std::to_string(options.ngram_weight > 0) + "," + std::to_string(options.ngram_min) + "," +
                              std::to_string(options.ngram_max) + "," + std::to_string(options.ngram_max_word_bytes)) |
                   1;  // never 0, the memo's initial value
    const float c = 1.0f / std::sqrt(static_cast<float>(options.dimension));
    const std::uint64_t bits = Hash64("memd hash-v1 empty text");
    for (std::size_t i = 0; i < empty_.size(); ++i) {
      empty_[i] = (Hash64(std::string_view(reinterpret_cast<const char*>(&bits), sizeof(bits)), i) >> 63) ? -c : c;
    }
  }

  std::string name() const override { return name_; }
  int dimension() const override { return options_.dimension; }
  std::size_t max_input_bytes() const override { return options_.max_input_bytes; }

  Status Embed(std::span<const std::string_view> texts, std::span<float> out) const override {
    const std::size_t dim = static_cast<std::size_t>(options_.dimension);
    if (out.size() != texts.size() * dim) {
      return Status::InvalidArgument("output holds " + std::to_string(out.size()) + " floats, expected " +
                                     std::to_string(texts.size()) + " texts x " + std::to_string(dim));
    }
    thread_local Scratch scratch;
    for (std::size_t i = 0; i < texts.size(); ++i) EmbedOne(texts[i], out.subspan(i * dim, dim), scratch);
    return Status::OK();
  }

 private:
  // Fills pf with the features of one identifier part.
  void ComputePart(std::string_view part, Scratch& s, PartFeatures* pf) const {
    text::CaseFoldInto(part, &pf->folded);
    pf->words.clear();
    pf->ngrams.clear();
    pf->stop = pf->folded.empty() || text::IsStopWord(pf->folded);
    if (pf->stop) return;
    // The analyzer's term for this part (fold + stem), so words match BM25 terms.
    analyzer_.Analyze(part, &s.terms);
    for (const std::string& term : s.terms) pf->words.push_back(Hash64(term, kSeeds[kWord]));
    if (options_.ngram_weight <= 0) return;
    if (options_.ngram_max_word_bytes != 0 && pf->folded.size() > options_.ngram_max_word_bytes) return;
    s.framed.assign(1, '<');
    s.framed.append(pf->folded);
    s.framed.push_back('>');
    CodePointBounds(s.framed, &s.bounds);
    const std::size_t chars = s.bounds.size() - 1;
    const std::string_view framed = s.framed;
    for (auto n = static_cast<std::size_t>(options_.ngram_min); n <= static_cast<std::size_t>(options_.ngram_max);
         ++n) {
      for (std::size_t i = 0; i + n <= chars; ++i) {
        const std::uint32_t b = s.bounds[i], e = s.bounds[i + n];
        pf->ngrams.push_back(Hash64(framed.substr(b, e - b), kSeeds[kNgram]));
      }
    }
  }

  const PartFeatures& Part(std::string_view part, Scratch& s) const {
    if (part.size() > PartMemo::kMaxKeyBytes) {
      ComputePart(part, s, &s.uncached);
      return s.uncached;
    }
    PartFeatures& pf = s.memo.Slot(part, memo_params_);
    if (!pf.valid || pf.key != part) {
      pf.key.assign(part);
      ComputePart(part, s, &pf);
      pf.valid = true;
    }
    return pf;
  }

  // Collects the features of one text into s.counter.
  void CollectFeatures(std::string_view text, Scratch& s) const {
    const bool bigrams = options_.bigram_weight > 0;
    std::uint64_t prev = 0;
    bool have_prev = false;
    auto add_word = [&](std::uint64_t h) {
      s.counter.Add(h, kWord);
      if (bigrams && have_prev) {
        std::uint64_t pair[2] = {prev, h};
        s.counter.Add(Hash64(std::string_view(reinterpret_cast<const char*>(pair), sizeof(pair)), kSeeds[kBigram]),
                      kBigram);
      }
      prev = h;
      have_prev = true;
    };
    text::SplitWords(text, &s.words);
    for (std::string_view word : s.words) {
      if (word.size() > text::kMaxTermBytes) {
        text::CaseFoldInto(text::TruncateUtf8(word, text::kMaxTermBytes), &s.folded);
        if (!s.folded.empty()) add_word(Hash64(s.folded, kSeeds[kWord]));
        continue;
      }
      text::SplitIdentifierSpans(word, &s.spans);
      const bool multi = s.spans.size() >= 2;
      s.identifier.clear();
      for (const auto& [begin, end] : s.spans) {
        const PartFeatures& pf = Part(word.substr(begin, end - begin), s);
        if (pf.folded.empty()) continue;
        if (multi) {
          if (!s.identifier.empty()) s.identifier.push_back('_');
          s.identifier.append(pf.folded);
        }
        if (pf.stop) continue;
        for (std::uint64_t h : pf.words) add_word(h);
        for (std::uint64_t h : pf.ngrams) s.counter.Add(h, kNgram);
      }
      if (multi && !s.identifier.empty()) s.counter.Add(Hash64(s.identifier, kSeeds[kIdentifier]), kIdentifier);
    }
  }

  float TfWeight(std::uint32_t count) const {
    if (!options_.sublinear_tf) return static_cast<float>(count);
    if (count < kLogTableSize) return log_tf_[count];
    return static_cast<float>(1.0 + std::log(static_cast<double>(count)));
  }

  void EmbedOne(std::string_view text, std::span<float> out, Scratch& s) const {
    text = text::TruncateUtf8(text, options_.max_input_bytes);
    s.counter.Clear();
    CollectFeatures(text, s);

    // Squared block norms per type, then each feature's signed, scaled contribution.
    double sum_sq[kTypes] = {0, 0, 0, 0};
    s.counter.ForEach([&](std::uint64_t, FeatureType type, std::uint32_t count) {
      const double w = TfWeight(count);
      sum_sq[type] += w * w;
    });
    float scale[kTypes];
    for (int t = 0; t < kTypes; ++t) {
      scale[t] = sum_sq[t] > 0 ? static_cast<float>(weights_[t] / std::sqrt(sum_sq[t])) : 0.0f;
    }
    std::fill(out.begin(), out.end(), 0.0f);
    const std::uint64_t dim = out.size();
    s.counter.ForEach([&](std::uint64_t hash, FeatureType type, std::uint32_t count) {
      if (scale[type] == 0) return;
      const std::size_t index = static_cast<std::size_t>(((hash & 0xFFFFFFFFu) * dim) >> 32);
      const float v = TfWeight(count) * scale[type];
      out[index] += (hash >> 63) ? -v : v;
    });
    double norm_sq = 0;
    for (float x : out) norm_sq += static_cast<double>(x) * x;
    if (!(norm_sq > 0) || !std::isfinite(norm_sq)) {
      std::copy(empty_.begin(), empty_.end(), out.begin());
      return;
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(norm_sq));
    for (float& x : out) x *= inv;
  }

  HashEmbedderOptions options_;
  std::string name_;
  float weights_[kTypes];
  std::vector<float> empty_;  // the vector of a text without features
  static constexpr std::uint32_t kLogTableSize = 64;
  float log_tf_[kLogTableSize];    // 1 + ln(count)
  std::uint64_t memo_params_ = 0;  // identifies the n-gram options in the per-thread memo
  text::Analyzer analyzer_;
};

std::string FloatBits(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return std::to_string(bits);
}

}  // namespace

std::string HashEmbedderName(const HashEmbedderOptions& o) {
  const HashEmbedderOptions d;
  if (o.max_input_bytes == d.max_input_bytes && o.word_weight == d.word_weight &&
      o.identifier_weight == d.identifier_weight && o.bigram_weight == d.bigram_weight &&
      o.ngram_weight == d.ngram_weight && o.ngram_min == d.ngram_min && o.ngram_max == d.ngram_max &&
      o.ngram_max_word_bytes == d.ngram_max_word_bytes && o.sublinear_tf == d.sublinear_tf) {
    return "hash-v1";
  }
  const std::string canonical = "in=" + std::to_string(o.max_input_bytes) + ";w=" + FloatBits(o.word_weight) +
                                ";i=" + FloatBits(o.identifier_weight) + ";b=" + FloatBits(o.bigram_weight) +
                                ";n=" + FloatBits(o.ngram_weight) + ";nmin=" + std::to_string(o.ngram_min) +
                                ";nmax=" + std::to_string(o.ngram_max) +
                                ";nwb=" + std::to_string(o.ngram_max_word_bytes) + ";tf=" + (o.sublinear_tf ? "log" : "raw");
  const std::uint64_t h = Hash64(canonical);
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(h >> (56 - 8 * i));
  return "hash-v1-" + HexEncode(bytes);
}

Result<std::unique_ptr<Embedder>> MakeHashEmbedder(const HashEmbedderOptions& o) {
  if (o.dimension < kMinDimension || o.dimension > kMaxDimension || o.dimension % 8 != 0) {
    return Status::InvalidArgument("hash embedder dimension " + std::to_string(o.dimension) +
                                       " is invalid; use a multiple of 8 from 64 to 4096 (default 256)",
                                   "dimension");
  }
  if (o.max_input_bytes == 0 || o.max_input_bytes > kMaxInputCap) {
    return Status::InvalidArgument("max_input_bytes must be 1..1048576", "max_input_bytes");
  }
  if (!FiniteNonNegative(o.word_weight) || !FiniteNonNegative(o.identifier_weight) ||
      !FiniteNonNegative(o.bigram_weight) || !FiniteNonNegative(o.ngram_weight)) {
    return Status::InvalidArgument("hash embedder weights must be finite and >= 0", "weights");
  }
  if (o.word_weight + o.identifier_weight + o.bigram_weight + o.ngram_weight <= 0) {
    return Status::InvalidArgument("at least one hash embedder weight must be positive", "weights");
  }
  if (o.ngram_min < 1 || o.ngram_max > kMaxNgram || o.ngram_min > o.ngram_max) {
    return Status::InvalidArgument("n-gram sizes must satisfy 1 <= ngram_min <= ngram_max <= 8", "ngram_min");
  }
  return std::unique_ptr<Embedder>(new HashEmbedder(o));
}

Result<std::unique_ptr<Embedder>> MakeHashEmbedder(int dimension) {
  HashEmbedderOptions options;
  options.dimension = dimension;
  return MakeHashEmbedder(options);
}

}  // namespace memd::embed

namespace memd {

// Returns null for an invalid dimension; embed::MakeHashEmbedder says why.
std::unique_ptr<Embedder> NewHashEmbedder(int dimension) {
  auto embedder = embed::MakeHashEmbedder(dimension);
  if (!embedder.ok()) return nullptr;
  return std::move(embedder).value();
}

}  // namespace memd
