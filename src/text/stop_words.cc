// The English stop list and its lookup.
//
// The words are the classic English function words, close to the Snowball and NLTK English
// lists but shorter: articles and determiners, personal pronouns, auxiliary and modal verbs,
// conjunctions, the commonest prepositions and the wh-words. Left out on purpose, because
// they carry meaning in technical notes: up, down, out, over, under, off, before, after,
// above, below, between, against, during, again, once, same, other, more, most, few, own,
// may (the month), us (the country), can (CAN bus).
// Contraction fragments that SplitWords leaves after an apostrophe ("don't" -> don, t) are in.
#include <array>
#include <cstdint>
#include <string_view>

#include "text/text.h"

namespace memd::text {
namespace {

// clang-format off
constexpr std::string_view kStopWords[] = {
    // articles, determiners, quantifiers
    "a", "an", "the", "this", "that", "these", "those", "each", "every", "any", "all", "both", "some",
    "such", "no", "nor", "not", "only", "very", "too", "so", "than", "also", "just",
    // personal and possessive pronouns
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
    "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
    "they", "them", "their", "theirs", "themselves",
    // wh-words
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
    // auxiliary and modal verbs
    "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do",
    "does", "did", "doing", "will", "would", "shall", "should", "could", "might", "must",
    // conjunctions
    "and", "but", "or", "if", "because", "as", "until", "while", "then",
    // adverbs of place
    "there", "here",
    // prepositions
    "of", "at", "by", "for", "with", "about", "into", "through", "to", "from", "in", "on",
    // contraction fragments left by the apostrophe split
    "s", "t", "ll", "re", "ve", "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "hasn", "haven",
    "hadn", "wouldn", "shouldn", "couldn", "mustn",
};
// clang-format on

constexpr std::size_t kMaxStopWordBytes = 10;  // "themselves", "yourselves"

// Open-addressing hash set over kStopWords, built once. A lookup is one hash of at most
// kMaxStopWordBytes bytes and usually one comparison.
class StopWordSet {
 public:
  StopWordSet() {
    for (std::string_view word : kStopWords) {
      std::size_t slot = Hash(word) & kMask;
      while (!slots_[slot].empty()) slot = (slot + 1) & kMask;
      slots_[slot] = word;
    }
  }
  bool Contains(std::string_view word) const {
    if (word.empty() || word.size() > kMaxStopWordBytes) return false;
    for (std::size_t slot = Hash(word) & kMask;; slot = (slot + 1) & kMask) {
      if (slots_[slot].empty()) return false;
      if (slots_[slot] == word) return true;
    }
  }

 private:
  static constexpr std::size_t kSlots = 512;  // a power of two, over 3x the word count
  static constexpr std::size_t kMask = kSlots - 1;
  static std::uint32_t Hash(std::string_view word) {
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (char c : word) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }
  std::array<std::string_view, kSlots> slots_{};
};

static_assert(std::size(kStopWords) * 3 < 512, "grow StopWordSet::kSlots");

}  // namespace

bool IsStopWord(std::string_view folded_word) {
  static const StopWordSet kSet;
  return kSet.Contains(folded_word);
}

}  // namespace memd::text
