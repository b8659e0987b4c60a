//===- FwhtKernelsTest.cpp - The Walsh-Hadamard kernels
//---------------------===//
//
// Each ISA's in-place transform and the strided, threaded entry points
// against a dense Sylvester-Hadamard matrix built here (H[i][j] =
// (-1)^popcount(i & j)), in f32 and f64, for lengths from 1 to past the
// kernel's L1 block (2^15), with the axis outer, middle or inner.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "FwhtKernel.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <vector>

using namespace tessera::kernels;

namespace {

/// H x for a dense Hadamard matrix, in double.
std::vector<double> denseHadamard(const std::vector<double> &x) {
  size_t n = x.size();
  std::vector<double> y(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      y[i] += (__builtin_popcountll(i & j) % 2 ? -1.0 : 1.0) * x[j];
  return y;
}

/// The transform of x by repeated radix-2 stages, in double: the reference
/// for lengths where the dense product is too slow.
std::vector<double> stagedHadamard(std::vector<double> x) {
  size_t n = x.size();
  for (size_t h = 1; h < n; h *= 2)
    for (size_t i = 0; i < n; i += 2 * h)
      for (size_t j = i; j < i + h; ++j) {
        double a = x[j], b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
  return x;
}

template <typename T> using Kernel = void (*)(T *, int64_t);

template <typename T>
std::vector<std::pair<const char *, Kernel<T>>> variants();
template <> std::vector<std::pair<const char *, Kernel<float>>> variants() {
  std::vector<std::pair<const char *, Kernel<float>>> all = {
      {"generic", fwhtGenericF32}};
#ifdef TESSERA_KERNELS_X86
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    all.push_back({"avx2", fwhtAVX2F32});
  if (__builtin_cpu_supports("avx512f"))
    all.push_back({"avx512", fwhtAVX512F32});
#endif
  return all;
}
template <> std::vector<std::pair<const char *, Kernel<double>>> variants() {
  std::vector<std::pair<const char *, Kernel<double>>> all = {
      {"generic", fwhtGenericF64}};
#ifdef TESSERA_KERNELS_X86
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    all.push_back({"avx2", fwhtAVX2F64});
  if (__builtin_cpu_supports("avx512f"))
    all.push_back({"avx512", fwhtAVX512F64});
#endif
  return all;
}

template <typename T> void checkVariants() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  double tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
  for (auto [name, kernel] : variants<T>())
    for (int64_t n = 1; n <= (int64_t(1) << 15); n *= 2) {
      std::vector<double> x(n);
      for (double &v : x)
        v = double(T(dist(rng)));
      std::vector<double> want =
          n <= 256 ? denseHadamard(x) : stagedHadamard(x);
      std::vector<T> got(x.begin(), x.end());
      kernel(got.data(), n);
      // Each output is a sum of n terms of magnitude <= 1.
      double bound = tol * std::sqrt(double(n)) * std::log2(double(2 * n));
      for (int64_t i = 0; i < n; ++i)
        ASSERT_NEAR(got[i], want[i], bound * std::sqrt(double(n)))
            << name << " n=" << n << " i=" << i;
    }
}

TEST(FwhtKernelsTest, F32AllVariants) { checkVariants<float>(); }
TEST(FwhtKernelsTest, F64AllVariants) { checkVariants<double>(); }

/// tessera_fwht_f32 on a [outer, n, inner] tensor, into a separate output
/// with other strides (the transposed layout), in place, and on 1 and 2
/// threads.
TEST(FwhtKernelsTest, EntryPointLayouts) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int threads : {1, 2})
    for (auto [outer, n, inner] :
         {std::tuple<int64_t, int64_t, int64_t>{3, 8, 1},
          {1, 64, 5},
          {4, 1024, 2},
          {2, 1, 3},
          {0, 8, 1}}) {
      tessera_set_num_threads(threads);
      std::vector<float> in(outer * n * inner);
      for (float &v : in)
        v = dist(rng);
      int64_t extents[3] = {outer, n, inner};
      int64_t rowMajor[3] = {n * inner, inner, 1};
      int64_t transposed[3] = {1, outer, n * outer};
      std::vector<float> out(in.size(), 0.0f), inPlace = in;
      tessera_fwht_f32(3, 1, extents, in.data(), rowMajor, out.data(),
                       transposed);
      tessera_fwht_f32(3, 1, extents, inPlace.data(), rowMajor, inPlace.data(),
                       rowMajor);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          std::vector<double> x(n);
          for (int64_t j = 0; j < n; ++j)
            x[j] = in[(o * n + j) * inner + i];
          std::vector<double> want = denseHadamard(x);
          for (int64_t j = 0; j < n; ++j) {
            ASSERT_NEAR(out[i * n * outer + j * outer + o], want[j], 1e-4)
                << "outer=" << outer << " n=" << n << " inner=" << inner;
            ASSERT_NEAR(inPlace[(o * n + j) * inner + i], want[j], 1e-4);
          }
        }
    }
  tessera_set_num_threads(0);
}

/// A length that is not a power of two, or a bad axis, writes nothing
/// (compiled code refuses them before the call).
TEST(FwhtKernelsTest, OtherLengthsDoNothing) {
  std::vector<double> in(12, 1.0), out(12, -7.0);
  int64_t extents[1] = {12}, strides[1] = {1};
  tessera_fwht_f64(1, 0, extents, in.data(), strides, out.data(), strides);
  tessera_fwht_f64(1, 1, extents, in.data(), strides, out.data(), strides);
  for (double v : out)
    EXPECT_EQ(v, -7.0);
}

} // namespace
