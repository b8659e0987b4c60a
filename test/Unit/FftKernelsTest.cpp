//===- FftKernelsTest.cpp - The FFT kernels -------------------------------===//
//
// tessera_fft_c64/c128, tessera_rfft_f32/f64 and tessera_irfft_c64/c128
// against a direct O(n^2) DFT in long double (exact twiddles from a table
// of cosl/sinl), on every ISA the CPU has: every length 1..128, primes
// (Bluestein), mixed and power-of-two lengths, 65536 through a few direct
// bins, the round trip and Parseval; rank-3 tensors with the axis first,
// middle and last and strided or transposed layouts, empty extents, and 1
// to 3 threads.
//
// Tolerances (relative L2 error, ||got - want|| / ||want||): c64 below
// 1e-6 (1 + log2 n), c128 below 1e-14 (1 + log2 n), i.e. at most 1.7e-5 and
// 1.7e-13 at n = 65536 (Bluestein included).
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"
#include "tessera/Runtime/UnitRoots.h"

#include "Isa.h"

#include "gtest/gtest.h"

#include <cmath>
#include <complex>
#include <map>
#include <random>
#include <thread>
#include <vector>

using namespace tessera::kernels;

namespace {

using Cld = std::complex<long double>;

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

const char *isaName(Isa isa) {
  return isa == Isa::AVX512 ? "avx512" : isa == Isa::AVX2 ? "avx2" : "generic";
}

/// Runs body() with each ISA selected, then restores detection.
template <typename Body> void forEachIsa(Body body) {
  for (Isa isa : isas()) {
    detectedIsa.store(int(isa));
    SCOPED_TRACE(isaName(isa));
    body();
  }
  detectedIsa.store(-1);
}

/// y_k = sum_j x_j e^(sign 2 pi i j k / n), scaled by 1/n when sign > 0.
std::vector<Cld> dft(const std::vector<Cld> &x, int sign) {
  size_t n = x.size();
  std::vector<Cld> w(n), y(n);
  for (size_t k = 0; k < n; ++k) {
    long double a = 2 * M_PIl * (long double)k / n;
    w[k] = Cld(cosl(a), sign * sinl(a));
  }
  for (size_t k = 0; k < n; ++k) {
    Cld sum = 0;
    for (size_t j = 0; j < n; ++j)
      sum += x[j] * w[(j * k) % n];
    y[k] = sign > 0 ? sum / (long double)n : sum;
  }
  return y;
}

/// Random values that floats represent exactly (the same input for c64 and
/// c128).
std::vector<Cld> randomComplex(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<Cld> x(n);
  for (Cld &v : x)
    v = Cld(dist(rng), dist(rng));
  return x;
}

template <typename T> double tolerance(int64_t n) {
  return (sizeof(T) == 4 ? 1e-6 : 1e-14) * (1 + std::log2(double(n)));
}

/// ||got - want|| / ||want|| over complex values.
template <typename T>
double relativeError(const std::vector<T> &got, const std::vector<Cld> &want) {
  long double err = 0, norm = 0;
  for (size_t k = 0; k < want.size(); ++k) {
    Cld g(got[2 * k], got[2 * k + 1]);
    err += std::norm(g - want[k]);
    norm += std::norm(want[k]);
  }
  return norm == 0 ? double(sqrtl(err)) : double(sqrtl(err / norm));
}

template <typename T>
void fft(int64_t rank, int64_t axis, const int64_t *extents, const T *in,
         const int64_t *inStrides, T *out, const int64_t *outStrides,
         int inverse) {
  if constexpr (sizeof(T) == 4)
    tessera_fft_c64(rank, axis, extents, in, inStrides, out, outStrides,
                    inverse, nullptr, 0);
  else
    tessera_fft_c128(rank, axis, extents, in, inStrides, out, outStrides,
                     inverse, nullptr, 0);
}

template <typename T> std::vector<T> interleave(const std::vector<Cld> &x) {
  std::vector<T> v(2 * x.size());
  for (size_t k = 0; k < x.size(); ++k) {
    v[2 * k] = T(x[k].real());
    v[2 * k + 1] = T(x[k].imag());
  }
  return v;
}

/// A 1-D transform of x against the references, both directions.
template <typename T>
void checkOne(const std::vector<Cld> &x, const std::vector<Cld> &forward,
              const std::vector<Cld> &backward) {
  int64_t n = x.size(), stride = 1;
  std::vector<T> in = interleave<T>(x), out(2 * n);
  fft<T>(1, 0, &n, in.data(), &stride, out.data(), &stride, 0);
  EXPECT_LT(relativeError(out, forward), tolerance<T>(n)) << "n=" << n;
  fft<T>(1, 0, &n, in.data(), &stride, out.data(), &stride, 1);
  EXPECT_LT(relativeError(out, backward), tolerance<T>(n)) << "inverse n=" << n;
}

void checkLengths(const std::vector<int64_t> &lengths) {
  for (int64_t n : lengths) {
    std::vector<Cld> x = randomComplex(n, unsigned(n));
    std::vector<Cld> forward = dft(x, -1), backward = dft(x, 1);
    forEachIsa([&] {
      checkOne<float>(x, forward, backward);
      checkOne<double>(x, forward, backward);
    });
  }
}

TEST(FftKernelsTest, EveryLengthTo128) {
  std::vector<int64_t> lengths;
  for (int64_t n = 1; n <= 128; ++n)
    lengths.push_back(n);
  checkLengths(lengths);
}

TEST(FftKernelsTest, LargerLengths) {
  // Primes (Bluestein), mixed radices, powers of two and prime powers.
  checkLengths({127, 243, 256, 343, 500, 1000, 1009, 1024, 1331, 2048, 2197,
                2310, 3125, 4096, 4099, 6000});
}

/// n = 65536 and 2^14 + 1 (Bluestein): a few direct bins, the round trip
/// and Parseval's identity.
template <typename T> void checkLong(int64_t n) {
  std::vector<Cld> x = randomComplex(n, 3);
  std::vector<T> in = interleave<T>(x), out(2 * n), back(2 * n);
  int64_t stride = 1;
  fft<T>(1, 0, &n, in.data(), &stride, out.data(), &stride, 0);
  fft<T>(1, 0, &n, out.data(), &stride, back.data(), &stride, 1);
  EXPECT_LT(relativeError(back, x), 2 * tolerance<T>(n)) << "n=" << n;
  long double energyIn = 0, energyOut = 0;
  for (int64_t k = 0; k < n; ++k) {
    energyIn += std::norm(x[k]);
    energyOut += std::norm(Cld(out[2 * k], out[2 * k + 1]));
  }
  EXPECT_NEAR(double(energyOut / (energyIn * n)), 1.0, 2 * tolerance<T>(n));
  for (int64_t k : {int64_t(0), int64_t(1), int64_t(777), n / 2, n - 1}) {
    Cld want = 0;
    for (int64_t j = 0; j < n; ++j) {
      long double a = -2 * M_PIl * (long double)((j * k) % n) / n;
      want += x[j] * Cld(cosl(a), sinl(a));
    }
    Cld got(out[2 * k], out[2 * k + 1]);
    EXPECT_LT(double(std::abs(got - want)),
              tolerance<T>(n) * std::sqrt(double(n)))
        << "n=" << n << " k=" << k;
  }
}

TEST(FftKernelsTest, LongTransforms) {
  forEachIsa([] {
    for (int64_t n : {int64_t(65536), int64_t(16385)}) {
      checkLong<float>(n);
      checkLong<double>(n);
    }
  });
}

/// numpy.fft.irfft of `bins` (inLength of them) for length n.
std::vector<long double> irfftReference(const std::vector<Cld> &bins,
                                        int64_t n) {
  std::vector<Cld> full(n, 0);
  int64_t used = std::min<int64_t>(bins.size(), n / 2 + 1);
  for (int64_t k = 0; k < used; ++k) {
    Cld b = bins[k];
    if (k == 0 || 2 * k == n)
      b = Cld(b.real(), 0);
    full[k] = b;
    if (k)
      full[n - k] = std::conj(b);
  }
  std::vector<Cld> y = dft(full, 1);
  std::vector<long double> r(n);
  for (int64_t j = 0; j < n; ++j)
    r[j] = y[j].real();
  return r;
}

/// rfft of a real vector and irfft of bins (shorter, exact and longer than
/// n / 2 + 1, with imaginary DC and Nyquist parts), on every ISA.
void checkReal(int64_t n) {
  std::vector<Cld> x = randomComplex(n, unsigned(n) + 11);
  for (Cld &v : x)
    v = Cld(v.real(), 0);
  std::vector<Cld> want = dft(x, -1);
  want.resize(n / 2 + 1);
  std::vector<int64_t> inLengths = {n / 2 + 1, n / 4 + 1, n / 2 + 3};
  std::vector<std::vector<Cld>> bins;
  std::vector<std::vector<long double>> refs;
  for (int64_t inLength : inLengths) {
    bins.push_back(randomComplex(inLength, unsigned(n + inLength)));
    refs.push_back(irfftReference(bins.back(), n));
  }
  int64_t stride = 1;
  forEachIsa([&] {
    std::vector<float> in32(n), out32(2 * (n / 2 + 1));
    std::vector<double> in64(n), out64(2 * (n / 2 + 1));
    for (int64_t j = 0; j < n; ++j)
      in32[j] = in64[j] = double(x[j].real());
    tessera_rfft_f32(1, 0, &n, in32.data(), &stride, out32.data(), &stride,
                     nullptr, 0);
    tessera_rfft_f64(1, 0, &n, in64.data(), &stride, out64.data(), &stride,
                     nullptr, 0);
    EXPECT_LT(relativeError(out32, want), tolerance<float>(n)) << "n=" << n;
    EXPECT_LT(relativeError(out64, want), tolerance<double>(n)) << "n=" << n;
    for (size_t b = 0; b < bins.size(); ++b) {
      std::vector<float> bins32 = interleave<float>(bins[b]), real32(n);
      std::vector<double> bins64 = interleave<double>(bins[b]), real64(n);
      tessera_irfft_c64(1, 0, &n, inLengths[b], bins32.data(), &stride,
                        real32.data(), &stride, nullptr, 0);
      tessera_irfft_c128(1, 0, &n, inLengths[b], bins64.data(), &stride,
                         real64.data(), &stride, nullptr, 0);
      long double err32 = 0, err64 = 0, norm = 0;
      for (int64_t j = 0; j < n; ++j) {
        err32 += (real32[j] - refs[b][j]) * (real32[j] - refs[b][j]);
        err64 += (real64[j] - refs[b][j]) * (real64[j] - refs[b][j]);
        norm += refs[b][j] * refs[b][j];
      }
      EXPECT_LT(double(sqrtl(err32 / norm)), tolerance<float>(n))
          << "irfft n=" << n << " inLength=" << inLengths[b];
      EXPECT_LT(double(sqrtl(err64 / norm)), tolerance<double>(n))
          << "irfft n=" << n << " inLength=" << inLengths[b];
    }
  });
}

TEST(FftKernelsTest, RealTransforms) {
  for (int64_t n = 1; n <= 64; ++n)
    checkReal(n);
  for (int64_t n : {100, 127, 256, 1000, 1024, 1025, 4099})
    checkReal(n);
}

/// rfft and irfft of a [3, n] batch along the axis, contiguous (rows) and
/// transposed (axis first, the vectors strided), in f32 and f64.
template <typename T> void checkRealBatch(int64_t n) {
  int64_t batch = 3, bins = n / 2 + 1;
  std::vector<Cld> x = randomComplex(batch * n, unsigned(n) + 5);
  std::vector<std::vector<Cld>> want;
  std::vector<std::vector<long double>> backWant;
  std::vector<Cld> spectra = randomComplex(batch * bins, unsigned(n) + 6);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Cld> v(n),
        s(spectra.begin() + b * bins, spectra.begin() + (b + 1) * bins);
    for (int64_t t = 0; t < n; ++t)
      v[t] = Cld(x[b * n + t].real(), 0);
    want.push_back(dft(v, -1));
    backWant.push_back(irfftReference(s, n));
  }
  for (bool axisFirst : {false, true}) {
    int64_t axis = axisFirst ? 0 : 1;
    int64_t extents[2] = {axisFirst ? n : batch, axisFirst ? batch : n};
    int64_t realStrides[2] = {axisFirst ? 1 : n, axisFirst ? n : 1};
    int64_t binStrides[2] = {axisFirst ? 1 : bins, axisFirst ? bins : 1};
    // Element (b, t) at b * n + t either way: the strides transpose it.
    std::vector<T> in(batch * n), out(2 * batch * bins), back(batch * n);
    for (int64_t i = 0; i < batch * n; ++i)
      in[i] = T(x[i].real());
    std::vector<T> spectrum = interleave<T>(spectra);
    if constexpr (sizeof(T) == 4) {
      tessera_rfft_f32(2, axis, extents, in.data(), realStrides, out.data(),
                       binStrides, nullptr, 0);
      tessera_irfft_c64(2, axis, extents, bins, spectrum.data(), binStrides,
                        back.data(), realStrides, nullptr, 0);
    } else {
      tessera_rfft_f64(2, axis, extents, in.data(), realStrides, out.data(),
                       binStrides, nullptr, 0);
      tessera_irfft_c128(2, axis, extents, bins, spectrum.data(), binStrides,
                         back.data(), realStrides, nullptr, 0);
    }
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<T> got(out.begin() + 2 * b * bins,
                         out.begin() + 2 * (b + 1) * bins);
      std::vector<Cld> w(want[b].begin(), want[b].begin() + bins);
      EXPECT_LT(relativeError(got, w), tolerance<T>(n))
          << "rfft n=" << n << " axisFirst=" << axisFirst;
      long double err = 0, norm = 0;
      for (int64_t t = 0; t < n; ++t) {
        long double d = back[b * n + t] - backWant[b][t];
        err += d * d;
        norm += backWant[b][t] * backWant[b][t];
      }
      EXPECT_LT(double(sqrtl(err / norm)), tolerance<T>(n))
          << "irfft n=" << n << " axisFirst=" << axisFirst;
    }
  }
}

TEST(FftKernelsTest, RealBatchedStrided) {
  forEachIsa([] {
    for (int64_t n : {1, 2, 5, 6, 16, 33, 100, 1024}) {
      checkRealBatch<float>(n);
      checkRealBatch<double>(n);
    }
  });
}

/// A rank-3 tensor [4, n, 3] permuted so that the axis is first, middle or
/// last, read through padded strides and written through transposed or
/// contiguous ones, on every ISA and 1 to 3 threads.
template <typename T> void checkLayouts(int64_t n, int64_t axis) {
  int64_t extents[3] = {4, 3, 5};
  extents[axis] = n;
  int64_t total = extents[0] * extents[1] * extents[2];
  // Padded input: the inner dimensions one and two longer than needed.
  int64_t inStrides[3] = {(extents[1] + 1) * (extents[2] + 2), extents[2] + 2,
                          1};
  int64_t contiguous[3] = {extents[1] * extents[2], extents[2], 1};
  int64_t transposed[3] = {1, extents[0], extents[0] * extents[1]};
  std::vector<Cld> x = randomComplex(extents[0] * inStrides[0], 9);
  std::vector<T> in = interleave<T>(x);
  // The vectors along the axis, by the index of their first element, and
  // their transforms in both directions.
  std::vector<std::vector<int64_t>> starts;
  std::vector<std::vector<Cld>> want[2];
  for (int64_t i = 0; i < extents[0]; ++i)
    for (int64_t j = 0; j < extents[1]; ++j)
      for (int64_t k = 0; k < extents[2]; ++k) {
        std::vector<int64_t> idx = {i, j, k};
        if (idx[axis] != 0)
          continue;
        std::vector<Cld> v(n);
        for (int64_t t = 0; t < n; ++t) {
          idx[axis] = t;
          v[t] = x[idx[0] * inStrides[0] + idx[1] * inStrides[1] + idx[2]];
        }
        idx[axis] = 0;
        starts.push_back(idx);
        want[0].push_back(dft(v, -1));
        want[1].push_back(dft(v, 1));
      }
  forEachIsa([&] {
    for (int threads : {1, 2, 3}) {
      tessera_set_num_threads(threads);
      for (const int64_t *outStrides : {contiguous, transposed})
        for (int inverse : {0, 1}) {
          std::vector<T> out(2 * total, T(-7));
          fft<T>(3, axis, extents, in.data(), inStrides, out.data(), outStrides,
                 inverse);
          for (size_t v = 0; v < starts.size(); ++v) {
            std::vector<T> got(2 * n);
            for (int64_t t = 0; t < n; ++t) {
              std::vector<int64_t> idx = starts[v];
              idx[axis] = t;
              int64_t to = idx[0] * outStrides[0] + idx[1] * outStrides[1] +
                           idx[2] * outStrides[2];
              got[2 * t] = out[2 * to];
              got[2 * t + 1] = out[2 * to + 1];
            }
            EXPECT_LT(relativeError(got, want[inverse][v]), tolerance<T>(n))
                << "n=" << n << " axis=" << axis << " threads=" << threads;
          }
        }
    }
  });
  tessera_set_num_threads(0);
}

TEST(FftKernelsTest, StridedBatchedThreaded) {
  for (int64_t n : {1, 2, 7, 16, 60, 64, 97, 256, 1024})
    for (int64_t axis = 0; axis < 3; ++axis) {
      checkLayouts<float>(n, axis);
      checkLayouts<double>(n, axis);
    }
}

/// Many contiguous rows (the batched and four-step row paths, several
/// groups of rows) and many contiguous columns, on 1 and 2 threads.
template <typename T>
void checkBatch(const std::vector<Cld> &rowMajor,
                const std::vector<Cld> &colMajor, int64_t rows, int64_t n,
                const std::vector<std::vector<Cld>> &want) {
  std::vector<T> out(2 * rows * n);
  for (int64_t axis : {0, 1}) {
    std::vector<T> in = interleave<T>(axis ? rowMajor : colMajor);
    int64_t extents[2] = {axis ? rows : n, axis ? n : rows};
    int64_t strides[2] = {extents[1], 1};
    fft<T>(2, axis, extents, in.data(), strides, out.data(), strides, 0);
    for (int64_t r = 0, i = 0; r < rows; r += 7, ++i) {
      std::vector<T> got(2 * n);
      for (int64_t t = 0; t < n; ++t) {
        int64_t at = axis ? r * n + t : t * rows + r;
        got[2 * t] = out[2 * at];
        got[2 * t + 1] = out[2 * at + 1];
      }
      EXPECT_LT(relativeError(got, want[i]), tolerance<T>(n))
          << "rows=" << rows << " n=" << n << " axis=" << axis;
    }
  }
}

TEST(FftKernelsTest, ManyRowsAndColumns) {
  int64_t rows = 70;
  for (int64_t n : {8, 30, 64, 1000, 1024}) {
    // Row r of the [rows, n] input; the [n, rows] input holds it as column
    // r (the same values, transposed).
    std::vector<Cld> rowMajor = randomComplex(rows * n, 17);
    std::vector<Cld> colMajor(rows * n);
    std::vector<std::vector<Cld>> want;
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<Cld> v(rowMajor.begin() + r * n,
                         rowMajor.begin() + (r + 1) * n);
      for (int64_t t = 0; t < n; ++t)
        colMajor[t * rows + r] = v[t];
      if (r % 7 == 0)
        want.push_back(dft(v, -1));
    }
    forEachIsa([&] {
      for (int threads : {1, 2}) {
        tessera_set_num_threads(threads);
        checkBatch<float>(rowMajor, colMajor, rows, n, want);
        checkBatch<double>(rowMajor, colMajor, rows, n, want);
      }
    });
    tessera_set_num_threads(0);
  }
}

/// Threads that build the same plans at once (lengths no other test uses)
/// get correct transforms.
TEST(FftKernelsTest, ConcurrentPlans) {
  std::vector<int64_t> lengths = {3 * 1013, 2 * 3 * 5 * 7 * 13, 8 * 1021};
  std::vector<std::vector<Cld>> inputs, wants;
  for (int64_t n : lengths) {
    inputs.push_back(randomComplex(n, 23));
    wants.push_back(dft(inputs.back(), -1));
  }
  std::vector<double> errors(4 * lengths.size(), 1.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < lengths.size(); ++i) {
        int64_t n = lengths[i], stride = 1;
        std::vector<double> in = interleave<double>(inputs[i]), out(2 * n);
        tessera_fft_c128(1, 0, &n, in.data(), &stride, out.data(), &stride, 0,
                         nullptr, 0);
        errors[t * lengths.size() + i] = relativeError(out, wants[i]);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (size_t i = 0; i < errors.size(); ++i)
    EXPECT_LT(errors[i], tolerance<double>(lengths[i % lengths.size()]));
}

/// Empty extents and invalid axes write nothing.
TEST(FftKernelsTest, EmptyAndInvalidDoNothing) {
  std::vector<float> in(64, 1.0f), out(64, -7.0f);
  int64_t strides[2] = {4, 1};
  for (auto extents : {std::vector<int64_t>{0, 4}, std::vector<int64_t>{4, 0}})
    for (int64_t axis : {0, 1}) {
      tessera_fft_c64(2, axis, extents.data(), in.data(), strides, out.data(),
                      strides, 0, nullptr, 0);
      tessera_rfft_f32(2, axis, extents.data(), in.data(), strides, out.data(),
                       strides, nullptr, 0);
      tessera_irfft_c64(2, axis, extents.data(), 3, in.data(), strides,
                        out.data(), strides, nullptr, 0);
    }
  int64_t extents[2] = {4, 4};
  tessera_fft_c64(2, 2, extents, in.data(), strides, out.data(), strides, 0,
                  nullptr, 0);
  tessera_fft_c64(0, 0, extents, in.data(), strides, out.data(), strides, 0,
                  nullptr, 0);
  for (float v : out)
    EXPECT_EQ(v, -7.0f);
}

/// Every root of the tables of many orders, looked up by symmetry, matches
/// cosl/sinl rounded once (to within the long double argument's rounding).
template <typename T> void checkUnitRoots(int64_t order) {
  std::vector<T> table(2 * tessera::unitRootEntries(order));
  tessera::fillUnitRoots(order, table.data());
  double eps = sizeof(T) == 4 ? 6e-8 : 1.2e-16;
  for (int64_t k = 0; k < 2 * order + 3; ++k)
    for (int sign : {1, -1}) {
      T c, s;
      tessera::lookUpUnitRoot(table.data(), order, k, sign, &c, &s);
      long double a = 2 * M_PIl * (long double)(k % order) / order;
      EXPECT_NEAR(double(c), double(cosl(a)), eps) << order << " " << k;
      EXPECT_NEAR(double(s), double(sign * sinl(a)), eps) << order << " " << k;
    }
}

TEST(UnitRootsTest, LookupsMatchDirectValues) {
  for (int64_t order = 1; order <= 80; ++order) {
    checkUnitRoots<float>(order);
    checkUnitRoots<double>(order);
  }
  for (int64_t order : {96, 100, 1000, 1024, 4097}) {
    checkUnitRoots<float>(order);
    checkUnitRoots<double>(order);
  }
}

TEST(UnitRootsTest, TableOrders) {
  EXPECT_EQ(tessera::fftRootOrder(1024), 1024);
  EXPECT_EQ(tessera::fftRootOrder(30030), 30030);
  EXPECT_EQ(tessera::fftRootOrder(17), 34);
  EXPECT_EQ(tessera::unitRootEntries(1024), 129);
  EXPECT_EQ(tessera::unitRootEntries(12), 7);
}

/// The DFT of a random vector of length n, computed once per n.
const std::vector<Cld> &referenceOf(int64_t n) {
  static std::map<int64_t, std::vector<Cld>> references;
  auto [it, inserted] = references.try_emplace(n);
  if (inserted)
    it->second = dft(randomComplex(n, unsigned(n)), -1);
  return it->second;
}

/// The forward transform of a length no other test uses, with `table` of
/// order `order` given, against the DFT.
template <typename T>
void checkWithTable(int64_t n, const std::vector<T> &table, int64_t order,
                    bool expectCorrect) {
  const std::vector<Cld> &want = referenceOf(n);
  std::vector<T> in = interleave<T>(randomComplex(n, unsigned(n))), out(2 * n);
  int64_t stride = 1;
  if constexpr (sizeof(T) == 4)
    tessera_fft_c64(1, 0, &n, in.data(), &stride, out.data(), &stride, 0,
                    table.data(), order);
  else
    tessera_fft_c128(1, 0, &n, in.data(), &stride, out.data(), &stride, 0,
                     table.data(), order);
  if (expectCorrect)
    EXPECT_LT(relativeError(out, want), tolerance<T>(n)) << "n=" << n;
  else
    EXPECT_GT(relativeError(out, want), 0.1) << "n=" << n;
}

template <typename T> std::vector<T> rootTable(int64_t order) {
  std::vector<T> table(2 * tessera::unitRootEntries(order));
  tessera::fillUnitRoots(order, table.data());
  return table;
}

/// Plans read the twiddles of a table the caller gives (the compiler's, for
/// lengths known at compile time) when its order is a multiple of theirs,
/// and ignore it otherwise. The lengths appear in no other test: plans are
/// cached for the process.
TEST(FftKernelsTest, GivenRootTables) {
  forEachIsa([] {
    // Mixed radix (batched), four-step (its sub-plans read the same
    // table) and Bluestein (the chirp's order is 2 n).
    for (int64_t n : {1260, 7560, 1031}) {
      int64_t order = tessera::fftRootOrder(n);
      checkWithTable(n, rootTable<float>(order), order, true);
      checkWithTable(n, rootTable<double>(order), order, true);
    }
    // A multiple of the order needed.
    checkWithTable(3780, rootTable<float>(3 * 3780), 3 * 3780, true);
    checkWithTable(3780, rootTable<double>(3 * 3780), 3 * 3780, true);
    // An order that is no multiple: ignored (the zeros would be wrong).
    std::vector<float> zeros32(2 * tessera::unitRootEntries(1541));
    std::vector<double> zeros64(zeros32.size());
    checkWithTable(1540, zeros32, 1541, true);
    checkWithTable(1540, zeros64, 1541, true);
  });
  // A table of zeros of the right order is read: the transform is wrong
  // (which proves that plans take their twiddles from the table).
  std::vector<double> zeros(2 * tessera::unitRootEntries(1188));
  checkWithTable(1188, zeros, 1188, false);
}

} // namespace
