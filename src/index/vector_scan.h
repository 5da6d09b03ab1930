// Exact-scan building blocks for the vector index: a dot product the compiler turns into
// SIMD on every target, a bounded top-k collector, and iteration over the intersection of
// bitsets. Header-only so the inner loops inline into their callers. Thread-compatible.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "index/scored.h"

namespace memd::index {

// Sum of a[i] * b[i] for i < n. Uses GCC/Clang vector extensions (SSE on x86-64, NEON on
// ARM) with four independent accumulators; the summation order is fixed, so the result is
// the same on every platform and in every code path that scores a vector.
inline float Dot(const float* a, const float* b, std::size_t n) {
  typedef float V4 __attribute__((vector_size(16)));
  V4 s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    V4 a0, a1, a2, a3, b0, b1, b2, b3;
    std::memcpy(&a0, a + i, 16);
    std::memcpy(&a1, a + i + 4, 16);
    std::memcpy(&a2, a + i + 8, 16);
    std::memcpy(&a3, a + i + 12, 16);
    std::memcpy(&b0, b + i, 16);
    std::memcpy(&b1, b + i + 4, 16);
    std::memcpy(&b2, b + i + 8, 16);
    std::memcpy(&b3, b + i + 12, 16);
    s0 += a0 * b0;
    s1 += a1 * b1;
    s2 += a2 * b2;
    s3 += a3 * b3;
  }
  for (; i + 4 <= n; i += 4) {
    V4 a0, b0;
    std::memcpy(&a0, a + i, 16);
    std::memcpy(&b0, b + i, 16);
    s0 += a0 * b0;
  }
  V4 s = (s0 + s1) + (s2 + s3);
  float r = (s[0] + s[1]) + (s[2] + s[3]);
  for (; i < n; ++i) r += a[i] * b[i];
  return r;
}

// Asks the CPU to start loading a row of n floats into cache.
inline void PrefetchRow(const float* row, std::size_t n) {
  const char* p = reinterpret_cast<const char*>(row);
  for (std::size_t off = 0; off < n * sizeof(float); off += 64) __builtin_prefetch(p + off);
}

// Keeps the k best (slot, score) pairs by BetterScored. NaN scores count as -infinity, so a
// bad vector can never break the ordering.
class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(std::min<std::size_t>(k, 4096)); }

  // True if a candidate with this score may enter (cheap pre-check before Push).
  bool MayAccept(float score) const { return heap_.size() < k_ || score >= heap_.front().score; }

  void Push(Slot slot, float score) {
    if (k_ == 0) return;
    if (std::isnan(score)) score = -std::numeric_limits<float>::infinity();
    ScoredSlot s{slot, score};
    if (heap_.size() < k_) {
      heap_.push_back(s);
      std::push_heap(heap_.begin(), heap_.end(), BetterScored);  // front = worst kept
    } else if (BetterScored(s, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), BetterScored);
      heap_.back() = s;
      std::push_heap(heap_.begin(), heap_.end(), BetterScored);
    }
  }

  std::size_t size() const { return heap_.size(); }

  // The kept pairs, best first. Leaves the collector empty.
  std::vector<ScoredSlot> Take() {
    std::sort_heap(heap_.begin(), heap_.end(), BetterScored);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<ScoredSlot> heap_;
};

// Calls fn(i) for every bit i < nwords * 64 set in a, and in b and c when they are non-null.
template <typename Fn>
inline void ForEachSetBitAnd(const std::uint64_t* a, const std::uint64_t* b, const std::uint64_t* c,
                             std::size_t nwords, Fn&& fn) {
  for (std::size_t wi = 0; wi < nwords; ++wi) {
    std::uint64_t w = a[wi];
    if (b != nullptr) w &= b[wi];
    if (c != nullptr) w &= c[wi];
    while (w != 0) {
      fn(wi * 64 + static_cast<std::size_t>(std::countr_zero(w)));
      w &= w - 1;
    }
  }
}

// The number of bits set in both a and b (first nwords words).
inline std::size_t CountAnd(const std::uint64_t* a, const std::uint64_t* b, std::size_t nwords) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < nwords; ++i) n += static_cast<std::size_t>(std::popcount(a[i] & b[i]));
  return n;
}

}  // namespace memd::index
