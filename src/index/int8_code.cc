#include "index/int8_code.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MEMD_INT8_X86 1
#endif

namespace memd::index {
namespace internal {

std::int32_t DotInt8Portable(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
  std::int32_t sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
  return sum;
}

#ifdef MEMD_INT8_X86
namespace {

// Products of sign-extended bytes, summed pairwise into 32-bit lanes (pmaddwd). A lane gains
// at most 2 * 128 * 128 per 16 bytes of input, so the sums are exact for n up to 2^19.
__attribute__((target("sse4.1"))) std::int32_t Sse41(const std::int8_t* a, const std::int8_t* b,
                                                     std::size_t n) {
  __m128i acc = _mm_setzero_si128();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_cvtepi8_epi16(va), _mm_cvtepi8_epi16(vb)));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_cvtepi8_epi16(_mm_srli_si128(va, 8)),
                                            _mm_cvtepi8_epi16(_mm_srli_si128(vb, 8))));
  }
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(1, 0, 3, 2)));
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(acc) + DotInt8Portable(a + i, b + i, n - i);
}

__attribute__((target("avx2"))) std::int32_t Avx2(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
  __m256i acc = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_cvtepi8_epi16(va), _mm256_cvtepi8_epi16(vb)));
  }
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(sum) + DotInt8Portable(a + i, b + i, n - i);
}

float Scale(const std::uint8_t* code) {
  float scale;
  std::memcpy(&scale, code, sizeof scale);
  return scale;
}

// 1 - Int8CodeDot, each with its kernel inlined (one indirect call per distance).
__attribute__((target("sse4.1"))) float DistanceSse41(const void* a, const void* b, const void* dimension) {
  const auto* x = static_cast<const std::uint8_t*>(a);
  const auto* y = static_cast<const std::uint8_t*>(b);
  const std::int32_t dot = Sse41(reinterpret_cast<const std::int8_t*>(x + sizeof(float)),
                                 reinterpret_cast<const std::int8_t*>(y + sizeof(float)),
                                 *static_cast<const std::size_t*>(dimension));
  return 1.0f - Scale(x) * Scale(y) * static_cast<float>(dot);
}

__attribute__((target("avx2"))) float DistanceAvx2(const void* a, const void* b, const void* dimension) {
  const auto* x = static_cast<const std::uint8_t*>(a);
  const auto* y = static_cast<const std::uint8_t*>(b);
  const std::int32_t dot = Avx2(reinterpret_cast<const std::int8_t*>(x + sizeof(float)),
                                reinterpret_cast<const std::int8_t*>(y + sizeof(float)),
                                *static_cast<const std::size_t*>(dimension));
  return 1.0f - Scale(x) * Scale(y) * static_cast<float>(dot);
}

}  // namespace

DotInt8Fn DotInt8Sse41() { return __builtin_cpu_supports("sse4.1") ? &Sse41 : nullptr; }
DotInt8Fn DotInt8Avx2() { return __builtin_cpu_supports("avx2") ? &Avx2 : nullptr; }
CodeDistanceFn Int8CodeDistanceSse41() { return __builtin_cpu_supports("sse4.1") ? &DistanceSse41 : nullptr; }
CodeDistanceFn Int8CodeDistanceAvx2() { return __builtin_cpu_supports("avx2") ? &DistanceAvx2 : nullptr; }
#else
DotInt8Fn DotInt8Sse41() { return nullptr; }
DotInt8Fn DotInt8Avx2() { return nullptr; }
CodeDistanceFn Int8CodeDistanceSse41() { return nullptr; }
CodeDistanceFn Int8CodeDistanceAvx2() { return nullptr; }
#endif

float Int8CodeDistancePortable(const void* a, const void* b, const void* dimension) {
  return 1.0f - Int8CodeDot(static_cast<const std::uint8_t*>(a), static_cast<const std::uint8_t*>(b),
                            *static_cast<const std::size_t*>(dimension));
}

}  // namespace internal

namespace {

// std::lrint (round half to even in the default rounding mode), without the libm call
// that lrint costs where math errno is on.
int RoundToInt(float v) {
#ifdef MEMD_INT8_X86
  return _mm_cvtss_si32(_mm_set_ss(v));
#else
  return static_cast<int>(std::lrint(v));
#endif
}

internal::DotInt8Fn Best() {
  if (auto f = internal::DotInt8Avx2()) return f;
  if (auto f = internal::DotInt8Sse41()) return f;
  return &internal::DotInt8Portable;
}

}  // namespace

CodeDistanceFn Int8CodeDistance() {
  if (auto f = internal::Int8CodeDistanceAvx2()) return f;
  if (auto f = internal::Int8CodeDistanceSse41()) return f;
  return &internal::Int8CodeDistancePortable;
}

std::int32_t DotInt8(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
  static const internal::DotInt8Fn best = Best();
  return best(a, b, n);
}

void EncodeInt8(const float* x, std::size_t dimension, std::uint8_t* code) {
  float max_abs = 0.0f;
  bool finite = true;
  for (std::size_t i = 0; i < dimension; ++i) {
    finite = finite && std::isfinite(x[i]);
    max_abs = std::max(max_abs, std::fabs(x[i]));
  }
  float scale = finite && max_abs > 0.0f ? max_abs / 127.0f : 0.0f;
  std::memcpy(code, &scale, sizeof scale);
  auto* c = reinterpret_cast<std::int8_t*>(code + sizeof scale);
  for (std::size_t i = 0; i < dimension; ++i) {
    c[i] = scale == 0.0f ? std::int8_t{0}
                         : static_cast<std::int8_t>(std::clamp(RoundToInt(x[i] / scale), -127, 127));
  }
}

float Int8CodeDot(const std::uint8_t* a, const std::uint8_t* b, std::size_t dimension) {
  float sa, sb;
  std::memcpy(&sa, a, sizeof sa);
  std::memcpy(&sb, b, sizeof sb);
  const std::int32_t dot = DotInt8(reinterpret_cast<const std::int8_t*>(a + sizeof sa),
                                   reinterpret_cast<const std::int8_t*>(b + sizeof sb), dimension);
  return sa * sb * static_cast<float>(dot);
}

}  // namespace memd::index
