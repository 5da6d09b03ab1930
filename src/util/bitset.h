// A dense, growable bitset over slot numbers, used for filter results and liveness.
// Thread-compatible.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace memd {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(std::size_t size, bool value = false) { Resize(size, value); }

  std::size_t size() const { return size_; }
  // Grows or shrinks to `size` bits; new bits take `value`.
  void Resize(std::size_t size, bool value = false) {
    std::size_t old = size_;
    words_.resize((size + 63) / 64, 0);
    size_ = size;
    if (value) {
      for (std::size_t i = old; i < size; ++i) Set(i);
    }
    ClearTail();
  }
  bool Test(std::size_t i) const { return i < size_ && (words_[i >> 6] >> (i & 63)) & 1; }
  void Set(std::size_t i) { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  void Reset(std::size_t i) { words_[i >> 6] &= ~(std::uint64_t{1} << (i & 63)); }
  void SetAll() {
    for (auto& w : words_) w = ~std::uint64_t{0};
    ClearTail();
  }
  std::size_t Count() const {
    std::size_t n = 0;
    for (auto w : words_) n += static_cast<std::size_t>(std::popcount(w));
    return n;
  }
  // In-place set algebra; REQUIRES: other.size() == size().
  void And(const Bitset& other) {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
  }
  void Or(const Bitset& other) {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
  }
  void AndNot(const Bitset& other) {
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= ~other.words_[i];
  }
  void Flip() {
    for (auto& w : words_) w = ~w;
    ClearTail();
  }
  // Calls fn(i) for every set bit in increasing order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (std::size_t wi = 0; wi < words_.size(); ++wi) {
      std::uint64_t w = words_[wi];
      while (w) {
        fn(wi * 64 + static_cast<std::size_t>(std::countr_zero(w)));
        w &= w - 1;
      }
    }
  }
  const std::vector<std::uint64_t>& words() const { return words_; }
  std::vector<std::uint64_t>& mutable_words() { return words_; }

 private:
  void ClearTail() {
    if (size_ & 63) words_.back() &= (std::uint64_t{1} << (size_ & 63)) - 1;
  }
  std::vector<std::uint64_t> words_;
  std::size_t size_ = 0;
};

}  // namespace memd
