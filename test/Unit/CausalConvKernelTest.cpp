//===- CausalConvKernelTest.cpp - The causal convolution kernels ----------===//
//
// tessera_causal_conv_f32/f64/c64/c128 against the direct sum y_t =
// sum over s <= t of k_s u_(t - s) in long double: lengths that take the
// FFT path (powers of two, smooth, prime: Bluestein inside) and the direct
// one (few taps), k of the same length as u, shorter and longer, k
// broadcast over leading dimensions and dimensions of extent 1, the axis
// first, middle and last, strided layouts, 1 to 3 threads, every ISA the
// CPU runs; empty and misfitting shapes.
//
// Tolerance: max |got - want| / max |want| below 2e-6 (1 + log2 2L) in
// f32/c64 and 5e-15 (1 + log2 2L) in f64/c128.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "Isa.h"

#include "gtest/gtest.h"

#include <cmath>
#include <complex>
#include <random>
#include <vector>

using namespace tessera::kernels;

namespace {

using Cld = std::complex<long double>;

/// A dense tensor of `S`-scalar elements with row-major element strides.
template <typename T, int S> struct Tensor {
  std::vector<int64_t> extents, strides;
  std::vector<T> data;

  Tensor(std::vector<int64_t> shape, unsigned seed) : extents(shape) {
    strides.assign(shape.size(), 1);
    for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * shape[d + 1];
    int64_t count = 1;
    for (int64_t e : shape)
      count *= e;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    data.resize(size_t(S * count));
    for (T &v : data)
      v = T(dist(rng));
  }

  /// Element `index` (one index per dimension) as a complex number.
  Cld at(const std::vector<int64_t> &index) const {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += index[d] * strides[d];
    return S == 1 ? Cld(data[offset], 0)
                  : Cld(data[2 * offset], data[2 * offset + 1]);
  }
};

/// Calls the kernel of T and S.
template <typename T, int S>
void conv(int64_t axis, const Tensor<T, S> &u, const Tensor<T, S> &k, T *out,
          const int64_t *outStrides) {
  int64_t rank = int64_t(u.extents.size()), kRank = int64_t(k.extents.size());
  auto *f = S == 1 ? (sizeof(T) == 4 ? (void *)&tessera_causal_conv_f32
                                     : (void *)&tessera_causal_conv_f64)
                   : (sizeof(T) == 4 ? (void *)&tessera_causal_conv_c64
                                     : (void *)&tessera_causal_conv_c128);
  using Fn =
      void (*)(int64_t, int64_t, const int64_t *, int64_t, const int64_t *,
               const T *, const int64_t *, const T *, const int64_t *, T *,
               const int64_t *, const T *, int64_t);
  reinterpret_cast<Fn>(f)(rank, axis, u.extents.data(), kRank, k.extents.data(),
                          k.data.data(), k.strides.data(), u.data.data(),
                          u.strides.data(), out, outStrides, nullptr, 0);
}

/// Checks the kernel on u and k along `axis` against the direct sum.
template <typename T, int S>
void check(int64_t axis, const Tensor<T, S> &u, const Tensor<T, S> &k) {
  int64_t rank = int64_t(u.extents.size()), lead = rank - k.extents.size();
  int64_t length = u.extents[axis], taps = k.extents[axis - lead];
  std::vector<T> out(u.data.size(), T(7));
  conv<T, S>(axis, u, k, out.data(), u.strides.data());
  long double worst = 0, scale = 0;
  std::vector<int64_t> index(rank, 0), kIndex(k.extents.size());
  for (size_t flat = 0; flat < u.data.size() / S; ++flat) {
    int64_t rest = int64_t(flat), offset = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      index[d] = rest % u.extents[d];
      rest /= u.extents[d];
      offset += index[d] * u.strides[d];
    }
    Cld want = 0;
    std::vector<int64_t> shifted = index;
    for (int64_t s = 0; s <= index[axis] && s < taps; ++s) {
      for (size_t j = 0; j < kIndex.size(); ++j)
        kIndex[j] = k.extents[j] == 1 ? 0 : index[lead + j];
      kIndex[axis - lead] = s;
      shifted[axis] = index[axis] - s;
      want += k.at(kIndex) * u.at(shifted);
    }
    Cld got = S == 1 ? Cld(out[offset], 0)
                     : Cld(out[2 * offset], out[2 * offset + 1]);
    worst = std::max(worst, std::abs(got - want));
    scale = std::max(scale, std::abs(want));
  }
  double bound =
      (sizeof(T) == 4 ? 2e-6 : 5e-15) * (1 + std::log2(2.0 * double(length)));
  EXPECT_LE(double(worst / std::max(scale, 1.0L)), bound)
      << "L=" << length << " taps=" << taps << " axis=" << axis;
}

/// The cases of one dtype: shapes, axes, lengths and broadcasts.
template <typename T, int S> void checkCases(unsigned seed) {
  for (int64_t n : {1, 2, 3, 5, 16, 17, 60, 64, 97, 128, 1000}) {
    // u [2, 3, n], k [3, n] (the S4D layout) and [n]: both paths.
    Tensor<T, S> u({2, 3, n}, seed++);
    check<T, S>(2, u, Tensor<T, S>({3, n}, seed++));
    check<T, S>(2, u, Tensor<T, S>({n}, seed++));
    // Few taps (the direct sum) and more taps than L.
    check<T, S>(2, u, Tensor<T, S>({3, 4}, seed++));
    check<T, S>(2, u, Tensor<T, S>({1, n + 5}, seed++));
  }
  for (int64_t n : {7, 100}) {
    // The axis first and in the middle, k broadcast along extents of 1.
    Tensor<T, S> u({n, 4, 3}, seed++);
    check<T, S>(0, u, Tensor<T, S>({n, 1, 3}, seed++));
    Tensor<T, S> v({2, n, 3}, seed++);
    check<T, S>(1, v, Tensor<T, S>({2, n, 1}, seed++));
    check<T, S>(1, v, Tensor<T, S>({n, 3}, seed++));
  }
}

/// The ISAs this CPU runs; the kernels dispatch on detectedIsa.
std::vector<Isa> isas() {
  std::vector<Isa> all = {Isa::Generic};
#ifdef TESSERA_KERNELS_X86
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    all.push_back(Isa::AVX2);
  if (__builtin_cpu_supports("avx512f"))
    all.push_back(Isa::AVX512);
#endif
  return all;
}

TEST(CausalConvKernelTest, MatchesDirectSum) {
  for (Isa isa : isas()) {
    detectedIsa.store(int(isa));
    SCOPED_TRACE(int(isa));
    checkCases<float, 1>(1);
    checkCases<double, 1>(100);
    checkCases<float, 2>(200);
    checkCases<double, 2>(300);
  }
  detectedIsa.store(-1);
}

TEST(CausalConvKernelTest, Threads) {
  for (int threads : {1, 2, 3}) {
    tessera_set_num_threads(threads);
    Tensor<float, 1> u({4, 8, 300}, 7);
    check<float, 1>(2, u, Tensor<float, 1>({8, 300}, 8));
    Tensor<double, 2> v({3, 250, 2}, 9);
    check<double, 2>(1, v, Tensor<double, 2>({250, 2}, 10));
  }
  tessera_set_num_threads(0);
}

TEST(CausalConvKernelTest, LongVectors) {
  // The S4D length: a complex FFT of 4096 inside the real one of 8192.
  Tensor<float, 1> u({2, 4096}, 18);
  check<float, 1>(1, u, Tensor<float, 1>({4096}, 19));
  Tensor<double, 2> v({1, 4099}, 20);
  check<double, 2>(1, v, Tensor<double, 2>({4099}, 21));
}

TEST(CausalConvKernelTest, StridedOutput) {
  // u [3, 64] into the even columns of a [3, 128] buffer, k [64].
  Tensor<float, 1> u({3, 64}, 11), k({64}, 12);
  std::vector<float> out(3 * 128, 7.0f), dense(3 * 64);
  int64_t strides[] = {128, 2};
  conv<float, 1>(1, u, k, out.data(), strides);
  conv<float, 1>(1, u, k, dense.data(), u.strides.data());
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t t = 0; t < 64; ++t) {
      EXPECT_FLOAT_EQ(out[i * 128 + 2 * t], dense[i * 64 + t]);
      EXPECT_EQ(out[i * 128 + 2 * t + 1], 7.0f);
    }
}

TEST(CausalConvKernelTest, EmptyAndMisfittingShapes) {
  // No taps: zeros. k of extent 2 against u's 3: zeros (compiled code
  // rejects it earlier). An empty u: nothing written.
  Tensor<float, 1> u({3, 8}, 13);
  std::vector<float> out(24, 7.0f);
  conv<float, 1>(1, u, Tensor<float, 1>({3, 0}, 14), out.data(),
                 u.strides.data());
  for (float v : out)
    EXPECT_EQ(v, 0.0f);
  out.assign(24, 7.0f);
  conv<float, 1>(1, u, Tensor<float, 1>({2, 8}, 15), out.data(),
                 u.strides.data());
  for (float v : out)
    EXPECT_EQ(v, 0.0f);
  Tensor<float, 1> empty({0, 8}, 16);
  out.assign(24, 7.0f);
  conv<float, 1>(1, empty, Tensor<float, 1>({8}, 17), out.data(),
                 u.strides.data());
  for (float v : out)
    EXPECT_EQ(v, 7.0f);
}

} // namespace
