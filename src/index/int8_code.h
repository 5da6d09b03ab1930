// Int8 codes of vectors for the HNSW graph: each vector is stored as a float scale followed
// by one signed byte per component (scalar quantisation, symmetric, per vector), a quarter
// of the float vector's size. The graph navigates on code dot products; VectorIndex then
// re-scores what the graph found with the exact float vectors, so reported scores stay
// exact and only the order in which the graph explores (its recall) depends on the codes.
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>

namespace memd::index {

// Bytes of the code of a vector of `dimension` floats.
constexpr std::size_t Int8CodeBytes(std::size_t dimension) { return sizeof(float) + dimension; }

// Writes the code of x[0..dimension) to code[0..Int8CodeBytes(dimension)): scale =
// max |x_i| / 127 and component i = round(x_i / scale), so |x_i - scale * c_i| <= scale / 2.
// A zero (or non-finite) vector gets scale 0 and all-zero components.
void EncodeInt8(const float* x, std::size_t dimension, std::uint8_t* code);

// The dot product of the vectors two codes approximate: scale_a * scale_b * sum a_i * b_i,
// the integer sum exact (so every CPU computes the same value).
float Int8CodeDot(const std::uint8_t* a, const std::uint8_t* b, std::size_t dimension);

// A function computing 1 - Int8CodeDot(a, b, *dimension) (dimension points to a
// std::size_t) with the best kernel for this CPU inlined: the distance in the shape graph
// libraries take (hnswlib's DISTFUNC). Every choice gives the same value as Int8CodeDot.
using CodeDistanceFn = float (*)(const void* a, const void* b, const void* dimension);
CodeDistanceFn Int8CodeDistance();

// sum a_i * b_i over n signed bytes, exact for n up to 2^19. Uses AVX2 when the CPU has it, else SSE4.1
// (x86-64), else portable code; all give the same result.
std::int32_t DotInt8(const std::int8_t* a, const std::int8_t* b, std::size_t n);

namespace internal {
// The implementations DotInt8 and Int8CodeDistance choose between, for tests. Each is null
// when this build or CPU cannot run it; the portable ones always exist.
using DotInt8Fn = std::int32_t (*)(const std::int8_t*, const std::int8_t*, std::size_t);
std::int32_t DotInt8Portable(const std::int8_t* a, const std::int8_t* b, std::size_t n);
DotInt8Fn DotInt8Sse41();
DotInt8Fn DotInt8Avx2();
float Int8CodeDistancePortable(const void* a, const void* b, const void* dimension);
CodeDistanceFn Int8CodeDistanceSse41();
CodeDistanceFn Int8CodeDistanceAvx2();
}  // namespace internal

}  // namespace memd::index
