//===- KernelsTest.cpp - The runtime GEMM kernels against a reference -----===//
//
// Every ISA variant this CPU can run, on sizes that are and are not
// multiples of the tiles, in every operand layout, against a direct triple
// loop in double precision.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "GemmKernel.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <vector>

using namespace tessera::kernels;

namespace {

/// One layout of the three operands: whether A, B and C are stored
/// transposed, and the spacing of C's columns (to check strided output).
struct Layout {
  bool aTransposed, bTransposed;
  int64_t cColSpacing;
};

template <typename T> struct Variants;
template <> struct Variants<float> {
  static std::vector<std::pair<const char *, GemmF32>> get() {
    std::vector<std::pair<const char *, GemmF32>> all = {
        {"generic", gemmGenericF32}};
#ifdef TESSERA_KERNELS_X86
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      all.push_back({"avx2", gemmAVX2F32});
    if (__builtin_cpu_supports("avx512f"))
      all.push_back({"avx512", gemmAVX512F32});
#endif
    return all;
  }
};
template <> struct Variants<double> {
  static std::vector<std::pair<const char *, GemmF64>> get() {
    std::vector<std::pair<const char *, GemmF64>> all = {
        {"generic", gemmGenericF64}};
#ifdef TESSERA_KERNELS_X86
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      all.push_back({"avx2", gemmAVX2F64});
    if (__builtin_cpu_supports("avx512f"))
      all.push_back({"avx512", gemmAVX512F64});
#endif
    return all;
  }
};

/// Runs `gemm` on random m x k and k x n operands stored as `layout` says,
/// accumulating into a random C, and compares with a double reference.
template <typename T, typename Gemm>
void checkGemm(Gemm gemm, int64_t m, int64_t n, int64_t k, Layout layout,
               bool overwrite, std::mt19937 &rng) {
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<T> a(m * k), b(k * n), c(m * n * layout.cColSpacing);
  for (T &x : a)
    x = dist(rng);
  for (T &x : b)
    x = dist(rng);
  for (T &x : c)
    x = dist(rng);
  std::vector<T> original = c;
  GemmProblem<T> g{m,
                   n,
                   k,
                   a.data(),
                   layout.aTransposed ? 1 : k,
                   layout.aTransposed ? m : 1,
                   b.data(),
                   layout.bTransposed ? 1 : n,
                   layout.bTransposed ? k : 1,
                   c.data(),
                   n * layout.cColSpacing,
                   layout.cColSpacing};
  g.overwrite = overwrite;
  // Overwriting runs also check the multiply epilogue.
  if (overwrite) {
    g.epilogue = 1;
    g.scalar = T(0.5);
  }
  gemm(g);
  double eps = sizeof(T) == 4 ? 1e-6 : 1e-15;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t at = i * g.cRowStride + j * g.cColStride;
      double expected = overwrite ? 0.0 : double(original[at]);
      double scale = std::fabs(expected);
      for (int64_t p = 0; p < k; ++p) {
        double term = double(a[i * g.aRowStride + p * g.aColStride]) *
                      double(b[p * g.bRowStride + j * g.bColStride]);
        expected += term;
        scale += std::fabs(term);
      }
      if (overwrite)
        expected *= 0.5;
      ASSERT_NEAR(c[at], expected, 4 * eps * (scale + 1))
          << "m=" << m << " n=" << n << " k=" << k << " at (" << i << ", " << j
          << ")";
    }
  // Elements between C's strided columns are untouched.
  for (size_t at = 0; at < c.size(); ++at)
    if (at % layout.cColSpacing != 0)
      ASSERT_EQ(c[at], original[at]);
}

template <typename T> void checkAllVariants() {
  std::mt19937 rng(42);
  const int64_t sizes[][3] = {
      {5, 3, 0},     {1, 1, 1},      {7, 5, 3},    {13, 33, 17}, {6, 16, 1},
      {12, 32, 400}, {100, 70, 800}, {97, 257, 9}, {1, 300, 40}, {300, 1, 40}};
  const Layout layouts[] = {{false, false, 1},
                            {true, false, 1},
                            {false, true, 1},
                            {true, true, 1},
                            {false, false, 3}};
  for (auto [name, gemm] : Variants<T>::get()) {
    SCOPED_TRACE(name);
    for (auto &size : sizes)
      for (Layout layout : layouts)
        for (bool overwrite : {false, true})
          checkGemm<T>(gemm, size[0], size[1], size[2], layout, overwrite, rng);
  }
}

TEST(KernelsTest, GemmF32AllVariants) { checkAllVariants<float>(); }
TEST(KernelsTest, GemmF64AllVariants) { checkAllVariants<double>(); }

/// The C entry point: batches (one broadcast operand, stride 0), threads,
/// and empty sizes that must not touch anything.
TEST(KernelsTest, BatchedEntryPointThreads) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  const int64_t batch = 3, m = 65, n = 47, k = 129;
  std::vector<float> a(batch * m * k), b(k * n), c(batch * m * n, 0.f);
  for (float &x : a)
    x = dist(rng);
  for (float &x : b)
    x = dist(rng);
  for (int threads : {1, 2, 3}) {
    tessera_set_num_threads(threads);
    ASSERT_EQ(tessera_get_num_threads(), threads);
    std::fill(c.begin(), c.end(), 0.f);
    // Overwriting: C's old contents (NaN) are never read.
    std::fill(c.begin(), c.end(), std::nanf(""));
    tessera_gemm_f32(batch, m, n, k, a.data(), m * k, k, 1, b.data(), 0, n, 1,
                     c.data(), m * n, n, 1, /*overwrite=*/1, /*epilogue=*/2,
                     /*scalar=*/4.0);
    for (int64_t t = 0; t < batch; ++t)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double expected = 0;
          for (int64_t p = 0; p < k; ++p)
            expected += double(a[(t * m + i) * k + p]) * b[p * n + j];
          ASSERT_NEAR(c[(t * m + i) * n + j], expected / 4, 1e-4);
        }
  }
  tessera_set_num_threads(0);
  EXPECT_GE(tessera_get_num_threads(), 1);

  float sentinel = 5.f;
  tessera_gemm_f32(0, 4, 4, 4, nullptr, 0, 0, 0, nullptr, 0, 0, 0, nullptr, 0,
                   0, 0, 1, 0, 1.0);
  tessera_gemm_f32(1, 1, 1, 0, nullptr, 0, 0, 0, nullptr, 0, 0, 0, &sentinel, 0,
                   0, 0, 0, 0, 1.0);
  EXPECT_EQ(sentinel, 5.f);
  // Nothing to sum, overwriting: C = 0.
  tessera_gemm_f32(1, 1, 1, 0, nullptr, 0, 0, 0, nullptr, 0, 0, 0, &sentinel, 0,
                   0, 0, 1, 0, 1.0);
  EXPECT_EQ(sentinel, 0.f);
  std::string isa = tessera_gemm_isa();
  EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "generic") << isa;
}

} // namespace
