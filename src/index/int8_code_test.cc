#include "index/int8_code.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "index/vector_scan.h"

namespace memd::index {
namespace {

std::vector<float> RandomUnitVector(std::mt19937& rng, std::size_t dim) {
  std::normal_distribution<float> normal;
  std::vector<float> v(dim);
  double norm = 0;
  for (float& x : v) {
    x = normal(rng);
    norm += static_cast<double>(x) * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

std::vector<std::uint8_t> Encode(const std::vector<float>& v) {
  std::vector<std::uint8_t> code(Int8CodeBytes(v.size()));
  EncodeInt8(v.data(), v.size(), code.data());
  return code;
}

TEST(Int8CodeTest, EveryImplementationGivesTheExactIntegerSum) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<internal::DotInt8Fn> impls = {&internal::DotInt8Portable};
  if (auto f = internal::DotInt8Sse41()) impls.push_back(f);
  if (auto f = internal::DotInt8Avx2()) impls.push_back(f);
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 31u, 256u, 383u, 4096u}) {
    std::vector<std::int8_t> a(n), b(n);
    for (auto& x : a) x = static_cast<std::int8_t>(byte(rng));
    for (auto& x : b) x = static_cast<std::int8_t>(byte(rng));
    if (n == 4096)
      std::fill(a.begin(), a.end(), std::int8_t{-128}), std::fill(b.begin(), b.end(), std::int8_t{-128});
    std::int64_t expected = 0;
    for (std::size_t i = 0; i < n; ++i) expected += std::int64_t{a[i]} * b[i];
    for (auto f : impls) EXPECT_EQ(f(a.data(), b.data(), n), expected) << "n " << n;
    EXPECT_EQ(DotInt8(a.data(), b.data(), n), expected);
  }
}

TEST(Int8CodeTest, ComponentsAreWithinHalfAStepOfTheVector) {
  std::mt19937 rng(7);
  const std::vector<float> v = RandomUnitVector(rng, 100);
  const std::vector<std::uint8_t> code = Encode(v);
  float scale;
  std::memcpy(&scale, code.data(), sizeof scale);
  float max_abs = 0;
  for (float x : v) max_abs = std::max(max_abs, std::fabs(x));
  EXPECT_FLOAT_EQ(scale, max_abs / 127.0f);
  const auto* c = reinterpret_cast<const std::int8_t*>(code.data() + sizeof scale);
  int extremes = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_LE(std::fabs(v[i] - scale * c[i]), scale * 0.5f + 1e-7f) << i;
    extremes += std::abs(c[i]) == 127;
  }
  EXPECT_GE(extremes, 1);  // the largest component uses the full range
}

TEST(Int8CodeTest, CodeDotApproximatesTheFloatDot) {
  std::mt19937 rng(9);
  const std::size_t dim = 256;
  double worst = 0;
  for (int t = 0; t < 200; ++t) {
    const auto a = RandomUnitVector(rng, dim);
    const auto b = RandomUnitVector(rng, dim);
    const float exact = Dot(a.data(), b.data(), dim);
    const float approx = Int8CodeDot(Encode(a).data(), Encode(b).data(), dim);
    worst = std::max(worst, static_cast<double>(std::fabs(exact - approx)));
    // A vector's own code is its nearest neighbour's.
    EXPECT_NEAR(Int8CodeDot(Encode(a).data(), Encode(a).data(), dim), 1.0f, 0.01f);
  }
  EXPECT_LT(worst, 0.01);
}

TEST(Int8CodeTest, EveryDistanceImplementationAgreesWithTheCodeDot) {
  std::mt19937 rng(11);
  std::vector<CodeDistanceFn> impls = {&internal::Int8CodeDistancePortable, Int8CodeDistance()};
  if (auto f = internal::Int8CodeDistanceSse41()) impls.push_back(f);
  if (auto f = internal::Int8CodeDistanceAvx2()) impls.push_back(f);
  for (std::size_t dim : {3u, 16u, 100u, 256u}) {
    const auto a = Encode(RandomUnitVector(rng, dim));
    const auto b = Encode(RandomUnitVector(rng, dim));
    const float expected = 1.0f - Int8CodeDot(a.data(), b.data(), dim);
    for (auto f : impls) EXPECT_EQ(f(a.data(), b.data(), &dim), expected) << "dim " << dim;
  }
}

TEST(Int8CodeTest, ZeroAndNonFiniteVectorsEncodeAsZero) {
  for (float bad : {0.0f, std::nanf(""), INFINITY}) {
    std::vector<float> v(20, 0.0f);
    v[3] = bad;
    const auto code = Encode(v);
    for (std::uint8_t byte : code) EXPECT_EQ(byte, 0);
    EXPECT_EQ(Int8CodeDot(code.data(), Encode(std::vector<float>(20, 0.5f)).data(), 20), 0.0f);
  }
}

}  // namespace
}  // namespace memd::index
