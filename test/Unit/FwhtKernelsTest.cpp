//===- FwhtKernelsTest.cpp - The Walsh-Hadamard kernels -----------------===//
//
// Each ISA's in-place transform and the strided, threaded entry points
// against a dense Sylvester-Hadamard matrix built here (H[i][j] =
// (-1)^popcount(i & j)), in f32 and f64, for lengths from 1 to past the
// kernel's L1 block (2^15), with the axis outer, middle or inner; and the
// lengths n = m 2^k (m = 12, 20, 28, 40) against the dense
// kron(H_m, H_{2^k}), H_m built here independently of the kernels' tables
// (H_12 by Paley's construction II, the others written out) and checked to
// be Hadamard.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "FwhtKernel.h"
#include "FwhtSpecial.h"
#include "Isa.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
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

/// A bad axis writes nothing (compiled code refuses it before the call).
TEST(FwhtKernelsTest, BadAxisDoesNothing) {
  std::vector<double> in(12, 1.0), out(12, -7.0);
  int64_t extents[1] = {12}, strides[1] = {1};
  tessera_fwht_f64(1, 1, extents, in.data(), strides, out.data(), strides);
  tessera_fwht_f64(1, -1, extents, in.data(), strides, out.data(), strides);
  for (double v : out)
    EXPECT_EQ(v, -7.0);
}

//===----------------------------------------------------------------------===//
// Lengths m 2^k, m = 12, 20, 28, 40: out = kron(H_m, H_{2^k}) in, i.e.
// out[a 2^k + b] = sum_{c, d} H_m[a][c] (-1)^popcount(b & d) in[c 2^k + d],
// with the H_m of Dao-AILab's fast-hadamard-transform.
//===----------------------------------------------------------------------===//

/// A +-1 matrix, row-major.
struct SignMatrix {
  int64_t n = 0;
  std::vector<int8_t> s;
  int at(int64_t i, int64_t j) const { return s[i * n + j]; }
};

SignMatrix fromStrings(const char *const *rows, int64_t m) {
  SignMatrix h{m, std::vector<int8_t>(m * m)};
  for (int64_t i = 0; i < m; ++i) {
    EXPECT_EQ(std::string(rows[i]).size(), size_t(m));
    for (int64_t j = 0; j < m; ++j)
      h.s[i * m + j] = rows[i][j] == '-' ? -1 : 1;
  }
  return h;
}

/// H_12 by Paley's construction II for q = 5: the conference matrix
/// C = [[0, 1 ... 1], [1 ... 1, Q]], Q[i][j] = chi(j - i) with chi the
/// quadratic character mod 5, then 0 -> [[1, -1], [-1, -1]] and
/// +-1 -> +-[[1, 1], [1, -1]].
SignMatrix paley12() {
  auto chi = [](int64_t a) {
    a = ((a % 5) + 5) % 5;
    return a == 0 ? 0 : (a == 1 || a == 4) ? 1 : -1;
  };
  int conference[6][6];
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j)
      conference[i][j] = i == 0 && j == 0   ? 0
                         : i == 0 || j == 0 ? 1
                                            : chi(j - i);
  const int zero[2][2] = {{1, -1}, {-1, -1}}, one[2][2] = {{1, 1}, {1, -1}};
  SignMatrix h{12, std::vector<int8_t>(144)};
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j)
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          h.s[(2 * i + a) * 12 + 2 * j + b] =
              conference[i][j] == 0 ? zero[a][b] : conference[i][j] * one[a][b];
  return h;
}

/// H_20 (Williamson type; Sloane's had.20.will).
const char *const kH20[20] = {
    "+----+----++--++-++-", "-+----+---+++---+-++", "--+----+---+++-+-+-+",
    "---+----+---+++++-+-", "----+----++--++-++-+", "-+++++-----+--+++--+",
    "+-+++-+---+-+--+++--", "++-++--+---+-+--+++-", "+++-+---+---+-+--+++",
    "++++-----++--+-+--++", "--++-+-++-+-----++++", "---++-+-++-+---+-+++",
    "+---++-+-+--+--++-++", "++---++-+----+-+++-+", "-++---++-+----+++++-",
    "-+--+--++-+----+----", "+-+-----++-+----+---", "-+-+-+---+--+----+--",
    "--+-+++------+----+-", "+--+--++------+----+",
};

/// H_28 (Williamson type; Sloane's had.28.will).
const char *const kH28[28] = {
    "+------++----++-+--+-+--++--", "-+-----+++-----+-+--+-+--++-",
    "--+-----+++---+-+-+----+--++", "---+-----+++---+-+-+-+--+--+",
    "----+-----+++---+-+-+++--+--", "-----+-----++++--+-+--++--+-",
    "------++----++-+--+-+--++--+", "--++++-+-------++--+++-+--+-",
    "---++++-+-----+-++--+-+-+--+", "+---+++--+----++-++--+-+-+--",
    "++---++---+----++-++--+-+-+-", "+++---+----+----++-++--+-+-+",
    "++++--------+-+--++-++--+-+-", "-++++--------+++--++--+--+-+",
    "-+-++-++--++--+--------++++-", "+-+-++--+--++--+--------++++",
    "-+-+-++--+--++--+----+---+++", "+-+-+-++--+--+---+---++---++",
    "++-+-+-++--+------+--+++---+", "-++-+-+-++--+------+-++++---",
    "+-++-+---++--+------+-++++--", "-++--++-+-++-+++----++------",
    "+-++--++-+-++-+++-----+-----", "++-++---+-+-++-+++-----+----",
    "-++-++-+-+-+-+--+++-----+---", "--++-++++-+-+----+++-----+--",
    "+--++-+-++-+-+----+++-----+-", "++--++-+-++-+-+----++------+",
};

/// H_40 (two Paley matrices; Sloane's had.40.tpal).
const char *const kH40[40] = {
    "+-------------------+-------------------",
    "++-++----+-+-++++--+++-++----+-+-++++--+",
    "+++-++----+-+-++++--+++-++----+-+-++++--",
    "+-++-++----+-+-++++-+-++-++----+-+-++++-",
    "+--++-++----+-+-+++++--++-++----+-+-++++",
    "++--++-++----+-+-+++++--++-++----+-+-+++",
    "+++--++-++----+-+-+++++--++-++----+-+-++",
    "++++--++-++----+-+-+++++--++-++----+-+-+",
    "+++++--++-++----+-+-+++++--++-++----+-+-",
    "+-++++--++-++----+-++-++++--++-++----+-+",
    "++-++++--++-++----+-++-++++--++-++----+-",
    "+-+-++++--++-++----++-+-++++--++-++----+",
    "++-+-++++--++-++----++-+-++++--++-++----",
    "+-+-+-++++--++-++---+-+-+-++++--++-++---",
    "+--+-+-++++--++-++--+--+-+-++++--++-++--",
    "+---+-+-++++--++-++-+---+-+-++++--++-++-",
    "+----+-+-++++--++-+++----+-+-++++--++-++",
    "++----+-+-++++--++-+++----+-+-++++--++-+",
    "+++----+-+-++++--++-+++----+-+-++++--++-",
    "+-++----+-+-++++--+++-++----+-+-++++--++",
    "+--------------------+++++++++++++++++++",
    "++-++----+-+-++++--+--+--++++-+-+----++-",
    "+++-++----+-+-++++-----+--++++-+-+----++",
    "+-++-++----+-+-++++--+--+--++++-+-+----+",
    "+--++-++----+-+-++++-++--+--++++-+-+----",
    "++--++-++----+-+-+++--++--+--++++-+-+---",
    "+++--++-++----+-+-++---++--+--++++-+-+--",
    "++++--++-++----+-+-+----++--+--++++-+-+-",
    "+++++--++-++----+-+------++--+--++++-+-+",
    "+-++++--++-++----+-+-+----++--+--++++-+-",
    "++-++++--++-++----+---+----++--+--++++-+",
    "+-+-++++--++-++----+-+-+----++--+--++++-",
    "++-+-++++--++-++------+-+----++--+--++++",
    "+-+-+-++++--++-++----+-+-+----++--+--+++",
    "+--+-+-++++--++-++---++-+-+----++--+--++",
    "+---+-+-++++--++-++--+++-+-+----++--+--+",
    "+----+-+-++++--++-++-++++-+-+----++--+--",
    "++----+-+-++++--++-+--++++-+-+----++--+-",
    "+++----+-+-++++--++----++++-+-+----++--+",
    "+-++----+-+-++++--++-+--++++-+-+----++--",
};
SignMatrix hadamardOfOrder(int64_t m) {
  switch (m) {
  case 12:
    return paley12();
  case 20:
    return fromStrings(kH20, 20);
  case 28:
    return fromStrings(kH28, 28);
  default:
    return fromStrings(kH40, 40);
  }
}

/// The factor m of a length m p (p a power of two), as QuaRot's get_hadK
/// picks it (40 before 20); 1 for powers of two.
int64_t factorOf(int64_t n) {
  for (int64_t m : {40, 28, 20, 12})
    if (n % m == 0)
      return m;
  return 1;
}

/// The dense M_n = kron(H_m, H_p), n = m p.
SignMatrix denseMatrix(int64_t n) {
  int64_t m = factorOf(n), p = n / m;
  SignMatrix hm = m == 1 ? SignMatrix{1, {1}} : hadamardOfOrder(m);
  SignMatrix mn{n, std::vector<int8_t>(n * n)};
  for (int64_t a = 0; a < m; ++a)
    for (int64_t b = 0; b < p; ++b)
      for (int64_t c = 0; c < m; ++c)
        for (int64_t d = 0; d < p; ++d)
          mn.s[(a * p + b) * n + c * p + d] =
              hm.at(a, c) * (__builtin_popcountll(b & d) % 2 ? -1 : 1);
  return mn;
}

std::vector<double> multiply(const SignMatrix &mn,
                             const std::vector<double> &x) {
  std::vector<double> y(mn.n, 0.0);
  for (int64_t i = 0; i < mn.n; ++i)
    for (int64_t j = 0; j < mn.n; ++j)
      y[i] += mn.at(i, j) * x[j];
  return y;
}

/// kron(H_m, H_p) x without the dense matrix: the Sylvester transform of
/// each row of x viewed as m x p, then H_m on the columns.
std::vector<double> stagedSpecial(const std::vector<double> &x) {
  int64_t n = x.size(), m = factorOf(n), p = n / m;
  SignMatrix hm = hadamardOfOrder(m);
  std::vector<std::vector<double>> rows(m);
  for (int64_t c = 0; c < m; ++c)
    rows[c] = stagedHadamard(
        std::vector<double>(x.begin() + c * p, x.begin() + (c + 1) * p));
  std::vector<double> y(n, 0.0);
  for (int64_t a = 0; a < m; ++a)
    for (int64_t c = 0; c < m; ++c)
      for (int64_t b = 0; b < p; ++b)
        y[a * p + b] += hm.at(a, c) * rows[c][b];
  return y;
}

/// max |got - want| <= tol max |want|.
template <typename T>
::testing::AssertionResult
closeTo(const T *got, const std::vector<double> &want, double tol) {
  double scale = 0, err = 0;
  int64_t worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::fabs(want[i]));
    double e = std::fabs(double(got[i]) - want[i]);
    if (e > err || std::isnan(e)) {
      err = e;
      worst = i;
    }
  }
  if (err <= tol * scale)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "error " << err << " at " << worst << " (got " << got[worst]
         << ", want " << want[worst] << "), scale " << scale;
}

template <typename T> constexpr double kTol = sizeof(T) == 4 ? 1e-5 : 1e-12;

TEST(FwhtKernelsTest, SmallMatricesAreHadamard) {
  for (int64_t m : {12, 20, 28, 40}) {
    SignMatrix h = hadamardOfOrder(m);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) {
        int64_t dot = 0;
        for (int64_t c = 0; c < m; ++c)
          dot += h.at(i, c) * h.at(j, c);
        ASSERT_EQ(dot, i == j ? m : 0) << "m=" << m << " " << i << "," << j;
        // The kernels' table (FwhtSpecial.h) holds the same entries.
        ASSERT_EQ(hadamardMinus(m, i, j), h.at(i, j) < 0) << "m=" << m;
      }
  }
  // M_n is Hadamard too: M M^T = n I.
  for (int64_t n : {12, 20, 40, 56, 96}) {
    SignMatrix mn = denseMatrix(n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t dot = 0;
        for (int64_t c = 0; c < n; ++c)
          dot += mn.at(i, c) * mn.at(j, c);
        ASSERT_EQ(dot, i == j ? n : 0) << "n=" << n;
      }
  }
}

TEST(FwhtKernelsTest, SupportedLengths) {
  for (int64_t n : {1, 2, 4, 1024, 12, 24, 48, 20, 40, 80, 28, 56, 112, 160,
                    12 << 20, 40 << 10})
    EXPECT_EQ(tessera_fwht_length_supported(n), 1) << n;
  EXPECT_EQ(tessera_fwht_length_supported(int64_t(12) << 58), 1);
  EXPECT_EQ(tessera_fwht_length_supported(int64_t(1) << 62), 1);
  for (int64_t n : {int64_t(0), int64_t(-4), int64_t(3), int64_t(5), int64_t(6),
                    int64_t(7), int64_t(10), int64_t(14), int64_t(25),
                    int64_t(36), int64_t(44), int64_t(60), int64_t(84),
                    int64_t(100), int64_t(24 + 1), INT64_MAX, INT64_MIN})
    EXPECT_EQ(tessera_fwht_length_supported(n), 0) << n;
}

/// Each ISA's kernel on n = m 2^k, k = 0..6, against the dense M_n, and on
/// longer ones (up to 40 2^10) against the staged reference.
template <typename T> void checkSpecialVariants() {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<int64_t> lengths;
  for (int64_t m : {12, 20, 28, 40})
    for (int64_t k = 0; k <= 6; ++k)
      lengths.push_back(m << k);
  // Past the kernels' 512-byte column tiles (f32 from 2^7).
  for (int64_t n : {12 << 7, 20 << 8, 28 << 9, 40 << 10})
    lengths.push_back(n);
  for (int64_t n : lengths) {
    std::vector<double> x(n);
    for (double &v : x)
      v = double(T(dist(rng)));
    std::vector<double> want =
        n <= 2560 ? multiply(denseMatrix(n), x) : stagedSpecial(x);
    for (auto [name, kernel] : variants<T>()) {
      // Unaligned start, and guards either side that must stay untouched.
      std::vector<T> buffer(n + 3, T(-9));
      std::copy(x.begin(), x.end(), buffer.begin() + 1);
      kernel(buffer.data() + 1, n);
      EXPECT_TRUE(closeTo(buffer.data() + 1, want, kTol<T>))
          << name << " n=" << n;
      EXPECT_EQ(buffer[0], T(-9));
      EXPECT_EQ(buffer[n + 1], T(-9));
      EXPECT_EQ(buffer[n + 2], T(-9));
    }
  }
}

TEST(FwhtKernelsTest, SpecialF32AllVariants) { checkSpecialVariants<float>(); }
TEST(FwhtKernelsTest, SpecialF64AllVariants) { checkSpecialVariants<double>(); }

/// The ISAs this CPU runs (the entry points dispatch through detectedIsa).
std::vector<Isa> supportedIsas() {
  std::vector<Isa> all = {Isa::Generic};
#ifdef TESSERA_KERNELS_X86
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    all.push_back(Isa::AVX2);
  if (__builtin_cpu_supports("avx512f"))
    all.push_back(Isa::AVX512);
#endif
  return all;
}

template <typename T>
void fwht(const int64_t *extents, int64_t axis, const T *in,
          const int64_t *inStrides, T *out, const int64_t *outStrides) {
  if constexpr (sizeof(T) == 4)
    tessera_fwht_f32(3, axis, extents, in, inStrides, out, outStrides);
  else
    tessera_fwht_f64(3, axis, extents, in, inStrides, out, outStrides);
}

/// Rank-3 tensors with the axis first, middle or last, every input
/// dimension strided (padded rows, every other element innermost), into a
/// contiguous output, a transposed (column-major) output and in place, on
/// 1 to 3 threads and each ISA, against the dense M_n.
template <typename T> void checkSpecialEntryPoints() {
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (int64_t n :
       {12, 20, 28, 40, 48, 80, 112, 160, 384, 640, 896, 1280, 12 << 7})
    for (int64_t axis = 0; axis < 3; ++axis) {
      int64_t extents[3] = {4, 5, 3};
      extents[axis] = n;
      int64_t e0 = extents[0], e1 = extents[1], e2 = extents[2];
      int64_t inStrides[3] = {(e1 + 1) * (2 * e2 + 1), 2 * e2 + 1, 2};
      int64_t rowMajor[3] = {e1 * e2, e2, 1};
      int64_t colMajor[3] = {1, e0, e0 * e1};
      int64_t size = e0 * e1 * e2;
      std::vector<T> in(e0 * inStrides[0], T(0));
      for (int64_t i = 0; i < e0; ++i)
        for (int64_t j = 0; j < e1; ++j)
          for (int64_t l = 0; l < e2; ++l)
            in[i * inStrides[0] + j * inStrides[1] + l * inStrides[2]] =
                T(dist(rng));
      // The expected result, row-major.
      SignMatrix mn = denseMatrix(n);
      std::vector<double> want(size);
      int64_t others[2], o = 0;
      for (int64_t d = 0; d < 3; ++d)
        if (d != axis)
          others[o++] = d;
      for (int64_t u = 0; u < extents[others[0]]; ++u)
        for (int64_t v = 0; v < extents[others[1]]; ++v) {
          int64_t idx[3];
          idx[others[0]] = u;
          idx[others[1]] = v;
          std::vector<double> x(n);
          for (int64_t j = 0; j < n; ++j) {
            idx[axis] = j;
            x[j] = in[idx[0] * inStrides[0] + idx[1] * inStrides[1] +
                      idx[2] * inStrides[2]];
          }
          std::vector<double> y = multiply(mn, x);
          for (int64_t j = 0; j < n; ++j) {
            idx[axis] = j;
            want[idx[0] * rowMajor[0] + idx[1] * rowMajor[1] + idx[2]] = y[j];
          }
        }
      for (Isa isa : supportedIsas())
        for (int threads = 1; threads <= 3; ++threads) {
          detectedIsa.store(int(isa));
          tessera_set_num_threads(threads);
          std::vector<T> out(size, T(-9)), outT(size, T(-9)), inPlace(size);
          fwht<T>(extents, axis, in.data(), inStrides, out.data(), rowMajor);
          fwht<T>(extents, axis, in.data(), inStrides, outT.data(), colMajor);
          // The in-place operand: the input copied row-major.
          for (int64_t i = 0; i < e0; ++i)
            for (int64_t j = 0; j < e1; ++j)
              for (int64_t l = 0; l < e2; ++l)
                inPlace[i * rowMajor[0] + j * e2 + l] =
                    in[i * inStrides[0] + j * inStrides[1] + l * inStrides[2]];
          fwht<T>(extents, axis, inPlace.data(), rowMajor, inPlace.data(),
                  rowMajor);
          std::vector<T> outTRowMajor(size);
          for (int64_t i = 0; i < e0; ++i)
            for (int64_t j = 0; j < e1; ++j)
              for (int64_t l = 0; l < e2; ++l)
                outTRowMajor[i * rowMajor[0] + j * e2 + l] =
                    outT[i + j * e0 + l * e0 * e1];
          std::string where = "n=" + std::to_string(n) +
                              " axis=" + std::to_string(axis) +
                              " isa=" + std::to_string(int(isa)) +
                              " threads=" + std::to_string(threads);
          EXPECT_TRUE(closeTo(out.data(), want, kTol<T>)) << where;
          EXPECT_TRUE(closeTo(outTRowMajor.data(), want, kTol<T>)) << where;
          EXPECT_TRUE(closeTo(inPlace.data(), want, kTol<T>)) << where;
        }
    }
  detectedIsa.store(-1);
  tessera_set_num_threads(0);
}

TEST(FwhtKernelsTest, SpecialF32EntryPoints) {
  checkSpecialEntryPoints<float>();
}
TEST(FwhtKernelsTest, SpecialF64EntryPoints) {
  checkSpecialEntryPoints<double>();
}

/// Lengths that are neither 2^k nor m 2^k write nothing, through the entry
/// points (contiguous and strided output) and each ISA's kernel.
TEST(FwhtKernelsTest, OtherLengthsDoNothing) {
  for (int64_t n : {3, 5, 6, 7, 10, 14, 24 + 1, 36, 44, 60, 84, 100}) {
    std::vector<double> in(2 * n, 1.0), out(2 * n, -7.0);
    int64_t extents[1] = {n}, unit[1] = {1}, two[1] = {2};
    tessera_fwht_f64(1, 0, extents, in.data(), unit, out.data(), unit);
    tessera_fwht_f64(1, 0, extents, in.data(), unit, out.data(), two);
    for (double v : out)
      ASSERT_EQ(v, -7.0) << "n=" << n;
    std::vector<float> inF(2 * n, 1.0f), outF(2 * n, -7.0f);
    tessera_fwht_f32(1, 0, extents, inF.data(), two, outF.data(), unit);
    tessera_fwht_f32(1, 0, extents, outF.data(), unit, outF.data(), unit);
    for (float v : outF)
      ASSERT_EQ(v, -7.0f) << "n=" << n;
    for (auto [name, kernel] : variants<double>()) {
      kernel(out.data(), n);
      for (double v : out)
        ASSERT_EQ(v, -7.0) << name << " n=" << n;
    }
    for (auto [name, kernel] : variants<float>()) {
      kernel(outF.data(), n);
      for (float v : outF)
        ASSERT_EQ(v, -7.0f) << name << " n=" << n;
    }
  }
}

} // namespace
