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

// Counts the features of one text: an open-addressing table from the 64-bit feature hash
// (the type is folded into the hash through its seed) to a dense feature number, so the
// passes over the features are sequential. Reused across texts by one thread.
class FeatureCounter {
 public:
  FeatureCounter() { Rehash(1024); }

  void Clear() {
    for (std::uint32_t slot : slot_of_) slots_[slot].feature = kEmpty;
    slot_of_.clear();
    hashes_.clear();
    counts_.clear();
    types_.clear();
    for (auto& n : type_counts_) n = 0;
  }
  void Add(std::uint64_t hash, FeatureType type) {
    if ((hashes_.size() + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    const std::size_t mask = slots_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.feature == kEmpty) {
        slot = {tag, static_cast<std::uint32_t>(hashes_.size())};
        slot_of_.push_back(static_cast<std::uint32_t>(i));
        hashes_.push_back(hash);
        counts_.push_back(1);
        types_.push_back(type);
        ++type_counts_[type];
        return;
      }
      if (slot.tag == tag && hashes_[slot.feature] == hash) {
        ++counts_[slot.feature];
        return;
      }
    }
  }
  // Features in first-seen order.
  std::size_t size() const { return hashes_.size(); }
  std::uint64_t hash(std::size_t f) const { return hashes_[f]; }
  std::uint32_t count(std::size_t f) const { return counts_[f]; }
  FeatureType type(std::size_t f) const { return static_cast<FeatureType>(types_[f]); }
  // Distinct features of a type.
  std::size_t type_count(FeatureType type) const { return type_counts_[type]; }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  // 8 bytes, so the table of a typical text stays in L1. The tag is the hash's high half
  // (XXH3 bits are uniform, and the low half picks the vector component).
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t feature = kEmpty;
  };
  void Rehash(std::size_t capacity) {
    slots_.assign(capacity, Slot{});
    const std::size_t mask = capacity - 1;
    for (std::size_t f = 0; f < hashes_.size(); ++f) {
      const auto tag = static_cast<std::uint32_t>(hashes_[f] >> 32);
      std::size_t i = tag & mask;
      while (slots_[i].feature != kEmpty) i = (i + 1) & mask;
      slots_[i] = {tag, static_cast<std::uint32_t>(f)};
      slot_of_[f] = static_cast<std::uint32_t>(i);
    }
  }
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> slot_of_;  // per feature: its slot (for Clear)
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> counts_;
  std::vector<std::uint8_t> types_;
  std::size_t type_counts_[kTypes] = {0, 0, 0, 0};
};

// The features of one word, which depend only on its bytes and the n-gram options: its
// word-term hashes in order (for bigrams), its n-gram hashes and, for a multi-part
// identifier, the identifier hash.
struct WordFeatures {
  std::string key;  // the word's bytes (memo key)
  bool valid = false;
  bool has_identifier = false;
  std::uint64_t identifier = 0;
  std::vector<std::uint64_t> words;
  std::vector<std::uint64_t> ngrams;
};

// A direct-mapped memo of word -> WordFeatures. Word frequencies are Zipfian, so most words
// hit, and a hit replaces identifier splitting, folding, stemming and n-gram hashing by one
// hash and a compare. Being a pure memo it cannot change results. Only short words are
// cached, which bounds memory (about 1 MB per thread).
class WordMemo {
 public:
  static constexpr std::size_t kMaxKeyBytes = 32;
  WordMemo() : entries_(kSlots) {}
  // The slot for word. `params` identifies the options the features were computed with;
  // the memo is cleared when a thread switches to an embedder with other n-gram options.
  WordFeatures& Slot(std::string_view word, std::uint64_t params) {
    if (params != params_) {
      for (auto& e : entries_) e.valid = false;
      params_ = params;
    }
    return entries_[Hash64(word) & (kSlots - 1)];
  }

 private:
  static constexpr std::size_t kSlots = 16384;  // a power of two
  std::vector<WordFeatures> entries_;
  std::uint64_t params_ = 0;
};

// Per-thread scratch, so the steady state does not allocate.
struct Scratch {
  FeatureCounter counter;
  WordMemo memo;
  WordFeatures uncached;  // for words too long to memoise
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
  // Appends the n-gram hashes of a folded part to *out.
  void AddNgrams(std::string_view folded, Scratch& s, std::vector<std::uint64_t>* out) const {
    if (options_.ngram_max_word_bytes != 0 && folded.size() > options_.ngram_max_word_bytes) return;
    s.framed.assign(1, '<');
    s.framed.append(folded);
    s.framed.push_back('>');
    CodePointBounds(s.framed, &s.bounds);
    const std::size_t chars = s.bounds.size() - 1;
    const std::string_view framed = s.framed;
    for (auto n = static_cast<std::size_t>(options_.ngram_min); n <= static_cast<std::size_t>(options_.ngram_max);
         ++n) {
      for (std::size_t i = 0; i + n <= chars; ++i) {
        const std::uint32_t b = s.bounds[i], e = s.bounds[i + n];
        out->push_back(Hash64(framed.substr(b, e - b), kSeeds[kNgram]));
      }
    }
  }

  // Fills wf with the features of one word (at most kMaxTermBytes long).
  void ComputeWord(std::string_view word, Scratch& s, WordFeatures* wf) const {
    wf->words.clear();
    wf->ngrams.clear();
    wf->has_identifier = false;
    text::SplitIdentifierSpans(word, &s.spans);
    const bool multi = s.spans.size() >= 2;
    s.identifier.clear();
    for (const auto& [begin, end] : s.spans) {
      const std::string_view part = word.substr(begin, end - begin);
      text::CaseFoldInto(part, &s.folded);
      if (s.folded.empty()) continue;
      if (multi) {
        if (!s.identifier.empty()) s.identifier.push_back('_');
        s.identifier.append(s.folded);
      }
      if (text::IsStopWord(s.folded)) continue;
      // The analyzer's term for this part (fold + stem), so words match BM25 terms.
      analyzer_.Analyze(part, &s.terms);
      for (const std::string& term : s.terms) wf->words.push_back(Hash64(term, kSeeds[kWord]));
      if (options_.ngram_weight > 0) AddNgrams(s.folded, s, &wf->ngrams);
    }
    if (multi && !s.identifier.empty()) {
      wf->has_identifier = true;
      wf->identifier = Hash64(s.identifier, kSeeds[kIdentifier]);
    }
  }

  const WordFeatures& Word(std::string_view word, Scratch& s) const {
    if (word.size() > WordMemo::kMaxKeyBytes) {
      ComputeWord(word, s, &s.uncached);
      return s.uncached;
    }
    WordFeatures& wf = s.memo.Slot(word, memo_params_);
    if (!wf.valid || wf.key != word) {
      wf.key.assign(word);
      ComputeWord(word, s, &wf);
      wf.valid = true;
    }
    return wf;
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
        // A blob (hash, base64, minified code): one opaque word, as the analyzer does.
        text::CaseFoldInto(text::TruncateUtf8(word, text::kMaxTermBytes), &s.folded);
        if (!s.folded.empty()) add_word(Hash64(s.folded, kSeeds[kWord]));
        continue;
      }
      const WordFeatures& wf = Word(word, s);
      for (std::uint64_t h : wf.words) add_word(h);
      for (std::uint64_t h : wf.ngrams) s.counter.Add(h, kNgram);
      if (wf.has_identifier) s.counter.Add(wf.identifier, kIdentifier);
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
    const FeatureCounter& c = s.counter;
    // Features seen once weigh 1 and are the vast majority: start from the per-type feature
    // counts and correct for the repeated ones (keeps the loop free of a serial chain).
    double sum_sq[kTypes];
    for (int t = 0; t < kTypes; ++t) sum_sq[t] = static_cast<double>(c.type_count(static_cast<FeatureType>(t)));
    for (std::size_t f = 0; f < c.size(); ++f) {
      if (c.count(f) == 1) continue;
      const double w = TfWeight(c.count(f));
      sum_sq[c.type(f)] += w * w - 1.0;
    }
    float scale[kTypes];
    for (int t = 0; t < kTypes; ++t) {
      scale[t] = sum_sq[t] > 0 ? static_cast<float>(weights_[t] / std::sqrt(sum_sq[t])) : 0.0f;
    }
    std::fill(out.begin(), out.end(), 0.0f);
    const std::uint64_t dim = out.size();
    for (std::size_t f = 0; f < c.size(); ++f) {
      const std::uint64_t hash = c.hash(f);
      const std::size_t index = static_cast<std::size_t>(((hash & 0xFFFFFFFFu) * dim) >> 32);
      const float v = TfWeight(c.count(f)) * scale[c.type(f)];
      out[index] += (hash >> 63) ? -v : v;
    }
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
