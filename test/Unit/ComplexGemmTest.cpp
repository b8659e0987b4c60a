//===- ComplexGemmTest.cpp - tessera_gemm_c64/c128 against a reference ----===//
//
// The complex GEMM entry points in every layout their callers can pass (A
// and B row- or column-major, C row-major, column-major or with spaced
// columns), conjugated factors, accumulation and the scalar epilogue, a
// batch with a broadcast operand, k = 0, and 1 or 2 threads, against a
// direct loop in long double. Tolerance: relative to the sum of |a||b|
// terms, 1e-5 (c64) and 1e-13 (c128).
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace {

using Cld = std::complex<long double>;

/// One call's shape and options.
struct Case {
  int64_t batch, m, n, k;
  bool aColumnMajor, bColumnMajor;
  int cLayout; ///< 0: row-major, 1: column-major, 2: columns 3 apart
  int conj;    ///< bit 0: A, bit 1: B
  bool overwrite;
  int epilogue;
  bool broadcastB;
};

template <typename T>
void gemm(const Case &c, const T *a, int64_t sab, int64_t sam, int64_t sak,
          const T *b, int64_t sbb, int64_t sbk, int64_t sbn, T *out,
          int64_t scb, int64_t scm, int64_t scn) {
  if constexpr (sizeof(T) == 4)
    tessera_gemm_c64(c.batch, c.m, c.n, c.k, a, sab, sam, sak, b, sbb, sbk, sbn,
                     out, scb, scm, scn, c.overwrite, c.epilogue, 0.5, c.conj);
  else
    tessera_gemm_c128(c.batch, c.m, c.n, c.k, a, sab, sam, sak, b, sbb, sbk,
                      sbn, out, scb, scm, scn, c.overwrite, c.epilogue, 0.5,
                      c.conj);
}

template <typename T> void check(const Case &c) {
  std::mt19937 rng(unsigned(c.m * 131 + c.n * 17 + c.k + c.conj));
  std::uniform_real_distribution<T> dist(-1, 1);
  auto fill = [&](std::vector<T> &v) {
    for (T &x : v)
      x = dist(rng);
  };
  int64_t bBatches = c.broadcastB ? 1 : c.batch;
  std::vector<T> a(2 * c.batch * c.m * c.k + 2),
      b(2 * bBatches * c.k * c.n + 2);
  int64_t cSpacing = c.cLayout == 2 ? 3 : 1;
  std::vector<T> out(2 * c.batch * c.m * c.n * cSpacing + 2);
  fill(a);
  fill(b);
  fill(out);
  std::vector<T> before = out;
  int64_t sam = c.aColumnMajor ? 1 : c.k, sak = c.aColumnMajor ? c.m : 1;
  int64_t sbk = c.bColumnMajor ? 1 : c.n, sbn = c.bColumnMajor ? c.k : 1;
  int64_t scm = c.cLayout == 1 ? 1 : c.n * cSpacing;
  int64_t scn = c.cLayout == 1 ? c.m : cSpacing;
  int64_t sab = c.m * c.k, sbb = c.broadcastB ? 0 : c.k * c.n;
  int64_t scb = c.m * c.n * cSpacing;
  gemm<T>(c, a.data(), sab, sam, sak, b.data(), sbb, sbk, sbn, out.data(), scb,
          scm, scn);
  double tolerance = sizeof(T) == 4 ? 1e-5 : 1e-13;
  for (int64_t z = 0; z < c.batch; ++z)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t l = 0; l < c.n; ++l) {
        Cld sum = 0;
        long double scale = 1;
        for (int64_t j = 0; j < c.k; ++j) {
          const T *x = &a[2 * (z * sab + i * sam + j * sak)];
          const T *y = &b[2 * (z * sbb + j * sbk + l * sbn)];
          Cld p(x[0], x[1]), q(y[0], y[1]);
          if (c.conj & 1)
            p = std::conj(p);
          if (c.conj & 2)
            q = std::conj(q);
          sum += p * q;
          scale += std::abs(p) * std::abs(q);
        }
        int64_t at = 2 * (z * scb + i * scm + l * scn);
        Cld want = sum;
        if (!c.overwrite)
          want += Cld(before[at], before[at + 1]);
        if (c.epilogue == 1)
          want *= 0.5L;
        else if (c.epilogue == 2)
          want /= 0.5L;
        Cld got(out[at], out[at + 1]);
        ASSERT_LT(double(std::abs(got - want) / (scale + std::abs(want))),
                  tolerance)
            << "batch " << z << " row " << i << " col " << l;
      }
}

template <typename T> void checkAll() {
  for (bool aCol : {false, true})
    for (bool bCol : {false, true})
      for (int cLayout : {0, 1, 2})
        for (int conj : {0, 1, 2, 3}) {
          SCOPED_TRACE(testing::Message() << aCol << bCol << cLayout << conj);
          check<T>({1, 37, 29, 45, aCol, bCol, cLayout, conj, true, 0, false});
        }
  // Accumulation, the epilogue, batches (B broadcast or not), k = 0.
  for (int epilogue : {0, 1, 2})
    for (bool overwrite : {false, true})
      check<T>({3, 19, 33, 17, false, true, 0, 1, overwrite, epilogue, true});
  check<T>({4, 9, 70, 130, true, false, 2, 2, false, 1, false});
  check<T>({2, 5, 6, 0, false, false, 0, 0, true, 0, false});
  check<T>({2, 5, 6, 0, false, false, 1, 0, false, 2, false});
}

TEST(ComplexGemmTest, Complex64) { checkAll<float>(); }
TEST(ComplexGemmTest, Complex128) { checkAll<double>(); }

TEST(ComplexGemmTest, Threads) {
  for (int threads : {2, 3}) {
    tessera_set_num_threads(threads);
    check<float>({1, 300, 200, 150, false, false, 0, 0, true, 0, false});
    check<double>({5, 64, 64, 64, false, false, 0, 3, true, 0, true});
  }
  tessera_set_num_threads(0);
}

} // namespace
