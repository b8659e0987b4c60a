//===- TransposeKernelsTest.cpp - tessera_transpose against a loop --------===//
//
// Every kernel variant this CPU can run, and the entry point on 1 and 2
// threads, on shapes that are and are not multiples of the register and
// cache blocks, with padded rows on both sides, against a direct loop:
// transposes copy bits, so the comparison is exact.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "TransposeKernel.h"

#include "gtest/gtest.h"

#include <cstring>
#include <random>
#include <vector>

using namespace tessera::kernels;

namespace {

/// Shapes around the 8 x 8 / 4 x 4 register blocks and 32 x 32 cache blocks.
const std::vector<std::pair<int64_t, int64_t>> kShapes = {
    {1, 1},  {1, 9},   {7, 1},   {8, 8},    {4, 4},   {9, 17},
    {33, 5}, {32, 32}, {64, 65}, {100, 37}, {3, 200}, {131, 257}};

/// Fills `words` with random bits (NaN payloads included: a transpose must
/// not touch them).
template <typename T> std::vector<T> randomBits(size_t count, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<T> words(count);
  for (T &w : words)
    w = T(rng());
  return words;
}

template <typename T, typename Kernel>
void checkKernel(Kernel kernel, const char *name) {
  for (auto [rows, cols] : kShapes) {
    // Row strides with padding, to check that neither side assumes
    // rows packed back to back.
    int64_t srcStride = cols + 3, dstStride = rows + 5;
    std::vector<T> src = randomBits<T>(size_t(rows * srcStride), 7);
    std::vector<T> dst(size_t(cols * dstStride), T(0x5a5a5a5a));
    std::vector<T> want = dst;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        want[c * dstStride + r] = src[r * srcStride + c];
    kernel(rows, cols, src.data(), srcStride, dst.data(), dstStride);
    EXPECT_EQ(std::memcmp(dst.data(), want.data(), dst.size() * sizeof(T)), 0)
        << name << " " << rows << "x" << cols;
  }
}

TEST(TransposeKernelsTest, Variants) {
  checkKernel<uint32_t>(transposeGeneric32, "generic32");
  checkKernel<uint64_t>(transposeGeneric64, "generic64");
#ifdef TESSERA_KERNELS_X86
  if (__builtin_cpu_supports("avx2")) {
    checkKernel<uint32_t>(transposeAVX2x32, "avx2x32");
    checkKernel<uint64_t>(transposeAVX2x64, "avx2x64");
  }
#endif
}

/// The entry point for element sizes 1, 2, 4, 8 and 16 (complex f64), on
/// one thread and on two (a matrix large enough to be split).
TEST(TransposeKernelsTest, EntryPoint) {
  int32_t saved = tessera_get_num_threads();
  for (int32_t threads : {1, 2}) {
    tessera_set_num_threads(threads);
    for (int64_t bytes : {1, 2, 4, 8, 16}) {
      for (auto [rows, cols] :
           std::vector<std::pair<int64_t, int64_t>>{{37, 45}, {600, 513}}) {
        int64_t srcStride = cols + 1, dstStride = rows;
        std::vector<uint8_t> src =
            randomBits<uint8_t>(size_t(rows * srcStride * bytes), 11);
        std::vector<uint8_t> dst(size_t(cols * dstStride * bytes), 0);
        std::vector<uint8_t> want = dst;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            std::memcpy(&want[size_t((c * dstStride + r) * bytes)],
                        &src[size_t((r * srcStride + c) * bytes)],
                        size_t(bytes));
        tessera_transpose(bytes, rows, cols, src.data(), srcStride, dst.data(),
                          dstStride);
        EXPECT_EQ(dst, want) << bytes << " bytes, " << rows << "x" << cols
                             << ", " << threads << " threads";
      }
    }
  }
  // Empty matrices write nothing.
  uint32_t untouched = 42;
  tessera_transpose(4, 0, 5, nullptr, 5, &untouched, 1);
  tessera_transpose(4, 5, 0, nullptr, 0, &untouched, 5);
  EXPECT_EQ(untouched, 42u);
  tessera_set_num_threads(saved);
}

} // namespace
