// Analyzer: words -> folded, stop-filtered, stemmed BM25 terms.
#include <libstemmer.h>

#include <vector>

#include "text/text.h"
#include "util/hash.h"

namespace memd::text {
namespace {

// A direct-mapped memo of part -> term (fold, stop-word check and stem together). Word
// frequencies are Zipfian, so most parts hit; a hit costs one XXH3 of the part and one
// comparison instead of ~0.5 us of folding and stemming. Being a pure memo it cannot change
// results. Only short parts are cached, which bounds memory (~300 KB per thread).
class TermCache {
 public:
  static constexpr std::size_t kMaxKeyBytes = 24;

  TermCache() : entries_(kSlots) {}

  // The entry for part: a hit if entry.valid && entry.key == part.
  struct Entry {
    std::string key;
    std::string term;  // empty: the part yields no term (stop word, or folds to nothing)
    bool valid = false;
  };
  Entry& Slot(std::string_view part) { return entries_[Hash64(part) & (kSlots - 1)]; }

 private:
  static constexpr std::size_t kSlots = 16384;  // a power of two
  std::vector<Entry> entries_;
};

// Per-thread scratch: the Snowball stemmer (sb_stemmer is not thread-safe), the term cache,
// and buffers reused across calls so the steady state does not allocate per word.
struct ThreadState {
  ThreadState() : stemmer(sb_stemmer_new("english", "UTF_8")) {}
  ~ThreadState() { sb_stemmer_delete(stemmer); }
  ThreadState(const ThreadState&) = delete;
  ThreadState& operator=(const ThreadState&) = delete;

  sb_stemmer* stemmer;  // null if it could not be created (out of memory): no stemming
  TermCache cache;
  std::vector<std::string_view> words;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::string folded;
};

// Writes terms into *terms from the front, reusing existing strings; Finish() trims.
class TermSink {
 public:
  explicit TermSink(std::vector<std::string>* terms) : terms_(terms) {}
  void Emit(std::string_view term) {
    term = TruncateUtf8(term, kMaxTermBytes);
    if (count_ < terms_->size()) {
      (*terms_)[count_].assign(term);
    } else {
      terms_->emplace_back(term);
    }
    ++count_;
  }
  void Finish() { terms_->resize(count_); }

 private:
  std::vector<std::string>* terms_;
  std::size_t count_ = 0;
};

bool IsAsciiDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The term for one identifier part or plain word: folded, empty if a stop word, stemmed
// unless numeric. The view is valid until the next call with the same state.
std::string_view TermOf(std::string_view part, ThreadState& state) {
  CaseFoldInto(part, &state.folded);
  const std::string& folded = state.folded;
  if (folded.empty() || IsStopWord(folded)) return {};
  if (state.stemmer == nullptr || IsAsciiDigits(folded)) return folded;
  const sb_symbol* stemmed = sb_stemmer_stem(state.stemmer, reinterpret_cast<const sb_symbol*>(folded.data()),
                                             static_cast<int>(folded.size()));
  if (stemmed == nullptr) return folded;  // out of memory inside the stemmer
  return std::string_view(reinterpret_cast<const char*>(stemmed),
                          static_cast<std::size_t>(sb_stemmer_length(state.stemmer)));
}

void EmitPart(std::string_view part, ThreadState& state, TermSink& sink) {
  if (part.size() > TermCache::kMaxKeyBytes) {
    const std::string_view term = TermOf(part, state);
    if (!term.empty()) sink.Emit(term);
    return;
  }
  TermCache::Entry& entry = state.cache.Slot(part);
  if (!entry.valid || entry.key != part) {
    entry.key.assign(part);
    entry.term.assign(TermOf(part, state));
    entry.valid = true;
  }
  if (!entry.term.empty()) sink.Emit(entry.term);
}

}  // namespace

void Analyzer::Analyze(std::string_view text, std::vector<std::string>* terms) const {
  thread_local ThreadState state;
  TermSink sink(terms);
  SplitWords(text, &state.words);
  for (std::string_view word : state.words) {
    if (word.size() > kMaxTermBytes) {
      // Too long to be a useful identifier (a blob or minified code): one truncated term.
      CaseFoldInto(TruncateUtf8(word, kMaxTermBytes), &state.folded);
      if (!state.folded.empty()) sink.Emit(state.folded);
      continue;
    }
    SplitIdentifierSpans(word, &state.spans);
    if (state.spans.size() >= 2) {
      CaseFoldInto(word, &state.folded);
      if (!state.folded.empty()) sink.Emit(state.folded);
    }
    for (const auto& [begin, end] : state.spans) EmitPart(word.substr(begin, end - begin), state, sink);
  }
  sink.Finish();
}

}  // namespace memd::text
