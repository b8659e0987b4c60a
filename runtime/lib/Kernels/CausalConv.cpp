//===- CausalConv.cpp - Causal convolutions through FFTs ------------------===//
//
// tessera_causal_conv_f32/f64/c64/c128 (Kernels.h): y[t] = sum over s <= t
// of k[s] u[t - s], t < L, along one axis of u, with k broadcast over u's
// other dimensions as numpy broadcasts (k's dimensions are u's last ones,
// or 1). The transforms of k's vectors, zero-padded to 2L and scaled by
// 1 / 2L, are computed once per call; then each vector of u is padded,
// transformed, multiplied by its k's transform and transformed back in
// scratch that stays in cache, and its first L terms are written. Real data
// takes the real FFT of 2L through a complex one of L (FftRealSteps.h),
// complex data complex FFTs of 2L. Filters with few taps, and calls that
// get no memory, are summed directly.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "FftDriver.h"
#include "FftKernel.h"
#include "FftRealSteps.h"
#include "Isa.h"

#include <atomic>
#include <cmath>
#include <cstring>

using namespace tessera::kernels;
using namespace tessera::kernels::fft;

namespace {

/// The largest rank the kernels take (that of the structured ops).
constexpr int64_t kMaxRank = 8;

/// One convolution: the operands, their shapes, and where each vector of u
/// finds its filter.
template <typename T> struct ConvJob {
  Shape shape; ///< u's and out's rank, axis and extents
  const T *u;
  const int64_t *uStrides;
  T *out;
  const int64_t *outStrides;
  Shape kShape; ///< k's rank, axis and extents
  const T *k;
  const int64_t *kStrides;
  /// k's strides in u's dimensions: 0 where k broadcasts.
  int64_t kStridesU[kMaxRank];
  /// u's vector v uses the spectrum of k's vector vectorOffset(shape,
  /// spectrumRows, v).
  int64_t spectrumRows[kMaxRank];
  /// L, and the taps of k that can contribute: min(M, L).
  int64_t length, taps;
};

/// Fills `job`'s shapes and broadcast strides; false when k's extents do
/// not fit u's (compiled code checks them first).
template <typename T>
bool describe(ConvJob<T> &job, int64_t rank, int64_t axis,
              const int64_t *extents, int64_t kRank, const int64_t *kExtents) {
  if (rank > kMaxRank || kRank < 1 || kRank > rank || !kExtents)
    return false;
  int64_t lead = rank - kRank, kAxis = axis - lead;
  if (kAxis < 0 || kExtents[kAxis] < 0)
    return false;
  job.kShape = Shape{kRank, kAxis, kExtents};
  // Vectors of k are numbered row-major over its dimensions but the axis.
  int64_t row = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    job.kStridesU[d] = job.spectrumRows[d] = 0;
    int64_t j = d - lead;
    if (d == axis || j < 0)
      continue;
    if (kExtents[j] != 1 && kExtents[j] != extents[d])
      return false;
    if (kExtents[j] == extents[d]) {
      job.kStridesU[d] = job.kStrides[j];
      job.spectrumRows[d] = row;
    }
    row *= kExtents[j];
  }
  job.taps = kExtents[kAxis] < job.length ? kExtents[kAxis] : job.length;
  return true;
}

/// Zeros the vectors of `out` (S scalars per element).
template <typename T, int S>
void zeroAll(const ConvJob<T> &job, int64_t vectors) {
  int64_t os = S * job.outStrides[job.shape.axis];
  for (int64_t v = 0; v < vectors; ++v) {
    T *y = job.out + S * vectorOffset(job.shape, job.outStrides, v);
    for (int64_t t = 0; t < job.length; ++t)
      for (int e = 0; e < S; ++e)
        y[t * os + e] = T(0);
  }
}

/// The direct sum for the vectors [begin, end): real (S = 1) or complex
/// (S = 2, interleaved) products accumulated in T.
template <typename T, int S>
void directRange(const ConvJob<T> &job, int64_t begin, int64_t end) {
  int64_t axis = job.shape.axis, taps = job.taps;
  int64_t is = S * job.uStrides[axis], os = S * job.outStrides[axis];
  int64_t ks = S * job.kStrides[job.kShape.axis];
  for (int64_t v = begin; v < end; ++v) {
    const T *x = job.u + S * vectorOffset(job.shape, job.uStrides, v);
    const T *f = job.k + S * vectorOffset(job.shape, job.kStridesU, v);
    T *y = job.out + S * vectorOffset(job.shape, job.outStrides, v);
    for (int64_t t = 0; t < job.length; ++t) {
      T re = 0, im = 0;
      int64_t last = t < taps - 1 ? t : taps - 1;
      for (int64_t s = 0; s <= last; ++s) {
        const T *a = f + s * ks, *b = x + (t - s) * is;
        if constexpr (S == 1) {
          re += a[0] * b[0];
        } else {
          re += a[0] * b[0] - a[1] * b[1];
          im += a[0] * b[1] + a[1] * b[0];
        }
      }
      y[t * os] = re;
      if constexpr (S == 2)
        y[t * os + 1] = im;
    }
  }
}

/// Whether summing directly costs less than the transforms: sum over t of
/// min(t + 1, taps) multiply-adds against a few n log2 n for n = 2L.
bool preferDirect(int64_t length, int64_t taps) {
  double l = double(length), m = double(taps), n = 2 * l;
  double direct = m * l - m * (m - 1) / 2;
  return direct <= 2 * n * std::log2(n);
}

/// The transforms of one call. Real data: the forward and inverse complex
/// plans of L and the twiddles w_2L^k (k <= L) of the real plan of 2L, the
/// spectra having L + 1 terms; complex data: the plans of 2L and 2L terms.
template <typename T> struct ConvPlans {
  const FftPlan<T> *forward = nullptr, *inverse = nullptr;
  const T *twiddles = nullptr;
  int64_t len = 0;  ///< complex elements of a transformed row
  int64_t bins = 0; ///< complex terms of a spectrum
  int32_t isa = 0;
};

/// The plans for vectors of length L (S scalars per element); false when
/// memory runs out.
template <typename T, int S>
bool makePlans(ConvPlans<T> &p, int64_t length, FftRoots<T> roots) {
  p.isa = int32_t(getIsa());
  if constexpr (S == 1) {
    const FftPlan<T> *real = fftGetPlan<T>(2 * length, 2, p.isa, &roots);
    if (!real)
      return false;
    p.forward = real->plan1;
    p.inverse = real->plan2;
    p.twiddles = real->rowTwiddles;
    p.len = length;
    p.bins = length + 1;
  } else {
    p.forward = fftGetPlan<T>(2 * length, 0, p.isa, &roots);
    p.inverse = fftGetPlan<T>(2 * length, 1, p.isa, &roots);
    p.len = p.bins = 2 * length;
  }
  return p.forward && p.inverse;
}

/// `count` elements of x (`is` elements apart) times `scale`, then zeros,
/// into `row` of `len` complex elements: the vector zero-padded to 2L.
template <typename T, int S>
void loadPadded(const T *x, int64_t is, int64_t count, T scale, T *row,
                int64_t len) {
  if (is == 1 && scale == T(1)) {
    std::memcpy(row, x, size_t(S * count) * sizeof(T));
  } else {
    for (int64_t j = 0; j < count; ++j)
      for (int e = 0; e < S; ++e)
        row[S * j + e] = x[S * j * is + e] * scale;
  }
  std::memset(row + S * count, 0, size_t(2 * len - S * count) * sizeof(T));
}

/// `n` complex elements rounded up to whole 64-byte lines (of f64 pairs).
inline int64_t roundUp(int64_t n) { return (n + 7) / 8 * 8; }

/// The spectra of k's vectors [begin, end), scaled by 1 / 2L (the inverse
/// transform's normalization), `bins` complex terms apart.
template <typename T, int S>
void spectraRange(const ConvJob<T> &job, const ConvPlans<T> &p, T *spectra,
                  int64_t begin, int64_t end, T *scratch) {
  T *work = scratch, *row = work + 2 * roundUp(fftScratch(p.forward));
  T *z = row + 2 * roundUp(p.len);
  int64_t ks = job.kStrides[job.kShape.axis];
  T scale = T(1) / T(2 * job.length);
  for (int64_t j = begin; j < end; ++j) {
    const T *f = job.k + S * vectorOffset(job.kShape, job.kStrides, j);
    loadPadded<T, S>(f, ks, job.taps, scale, row, p.len);
    T *spectrum = spectra + 2 * j * p.bins;
    const T *in[1] = {row};
    T *out[1] = {S == 1 ? z : spectrum};
    fftRunRows(p.forward, in, out, 1, work);
    if constexpr (S == 1)
      separate(z, p.twiddles, 2 * job.length, spectrum, 1);
  }
}

/// The inverse transform's input `row` for a vector whose forward transform
/// is z, times `spectrum`: for real data the bins of the real transform
/// (into `bins`), multiplied, then combined into the half-length spectrum
/// of the inverse (the steps of irfft).
template <typename T, int S>
void multiplySpectrum(const ConvPlans<T> &p, const T *z, const T *spectrum,
                      T *bins, T *row) {
  if constexpr (S == 2) {
    fftRunMultiply(p.isa, z, spectrum, row, p.bins);
  } else {
    int64_t h = p.len;
    const T *w = p.twiddles;
    separate(z, w, 2 * h, bins, 1);
    fftRunMultiply(p.isa, bins, spectrum, bins, h + 1);
    // The imaginary parts of the first and last bins are rounding errors.
    combineBin(bins[0], T(0), bins[2 * h], T(0), w, T(1), row);
    for (int64_t k = 1; k < h; ++k) {
      const T *a = bins + 2 * k, *b = bins + 2 * (h - k);
      combineBin(a[0], a[1], b[0], b[1], w + 2 * k, T(1), row + 2 * k);
    }
  }
}

/// Complex elements of scratch that convRange needs.
template <typename T>
int64_t convScratch(const ConvPlans<T> &p, int64_t group) {
  int64_t a = fftScratch(p.forward), b = fftScratch(p.inverse);
  return roundUp(a > b ? a : b) + 2 * group * roundUp(p.len) + roundUp(p.bins);
}

/// Convolves u's vectors [begin, end) in groups: pad, transform, multiply,
/// transform back, write the first L terms.
template <typename T, int S>
void convRange(const ConvJob<T> &job, const ConvPlans<T> &p, const T *spectra,
               int64_t begin, int64_t end, T *scratch) {
  int64_t len = p.len, group = groupSize(len), axis = job.shape.axis;
  int64_t a = fftScratch(p.forward), b = fftScratch(p.inverse);
  T *work = scratch, *rows = work + 2 * roundUp(a > b ? a : b);
  T *zs = rows + 2 * group * roundUp(len),
    *bins = zs + 2 * group * roundUp(len);
  int64_t is = job.uStrides[axis], os = S * job.outStrides[axis];
  const T *in[kGroup], *spectrum[kGroup];
  T *out[kGroup], *y[kGroup];
  VectorWalker uWalk(job.shape, job.uStrides, begin);
  VectorWalker outWalk(job.shape, job.outStrides, begin);
  VectorWalker specWalk(job.shape, job.spectrumRows, begin);
  for (int64_t v = begin; v < end; v += group) {
    int64_t count = end - v < group ? end - v : group;
    for (int64_t i = 0; i < count; ++i) {
      T *row = rows + 2 * i * roundUp(len);
      loadPadded<T, S>(job.u + S * uWalk.next(), is, job.length, T(1), row,
                       len);
      in[i] = row;
      out[i] = zs + 2 * i * roundUp(len);
      spectrum[i] = spectra + 2 * specWalk.next() * p.bins;
      y[i] = job.out + S * outWalk.next();
    }
    fftRunRows(p.forward, in, out, count, work);
    for (int64_t i = 0; i < count; ++i)
      multiplySpectrum<T, S>(p, out[i], spectrum[i], bins,
                             rows + 2 * i * roundUp(len));
    fftRunRows(p.inverse, in, out, count, work);
    for (int64_t i = 0; i < count; ++i) {
      if (os == S) {
        std::memcpy(y[i], out[i], size_t(S * job.length) * sizeof(T));
        continue;
      }
      for (int64_t t = 0; t < job.length; ++t)
        for (int e = 0; e < S; ++e)
          y[i][t * os + e] = out[i][S * t + e];
    }
  }
}

/// The FFT path: spectra of k, then u's vectors. False, having written
/// nothing, when plans or the spectra get no memory; vectors whose thread
/// gets no scratch are summed directly.
template <typename T, int S>
bool convolveByFft(const ConvJob<T> &job, int64_t vectors, FftRoots<T> roots) {
  ConvPlans<T> p;
  if (!makePlans<T, S>(p, job.length, roots))
    return false;
  int64_t kVectors =
      countVectors(job.kShape.rank, job.kShape.axis, job.kShape.extents);
  T *spectra = allocScratch<T>(kVectors * p.bins);
  if (!spectra)
    return false;
  std::atomic<bool> failed{false};
  int64_t n = 2 * job.length;
  parallelVectors(kVectors, n, [&](int64_t begin, int64_t end) {
    T *scratch =
        allocScratch<T>(roundUp(fftScratch(p.forward)) + 3 * roundUp(p.len));
    if (!scratch)
      return failed.store(true);
    spectraRange<T, S>(job, p, spectra, begin, end, scratch);
    std::free(scratch);
  });
  if (failed) {
    std::free(spectra);
    return false;
  }
  parallelVectors(vectors, n, [&](int64_t begin, int64_t end) {
    T *scratch = allocScratch<T>(convScratch(p, groupSize(p.len)));
    if (!scratch)
      return directRange<T, S>(job, begin, end);
    convRange<T, S>(job, p, spectra, begin, end, scratch);
    std::free(scratch);
  });
  std::free(spectra);
  return true;
}

template <typename T, int S>
void runConv(int64_t rank, int64_t axis, const int64_t *extents, int64_t kRank,
             const int64_t *kExtents, const T *k, const int64_t *kStrides,
             const T *u, const int64_t *uStrides, T *out,
             const int64_t *outStrides, FftRoots<T> roots) {
  int64_t vectors = countVectors(rank, axis, extents);
  if (!vectors || !out || !outStrides)
    return;
  ConvJob<T> job = {};
  job.shape = Shape{rank, axis, extents};
  job.u = u;
  job.uStrides = uStrides;
  job.out = out;
  job.outStrides = outStrides;
  job.k = k;
  job.kStrides = kStrides;
  job.length = extents[axis];
  bool valid = kStrides && describe(job, rank, axis, extents, kRank, kExtents);
  if (!valid || job.taps == 0 || !u || !uStrides || !k)
    return zeroAll<T, S>(job, vectors);
  if (!preferDirect(job.length, job.taps) &&
      convolveByFft<T, S>(job, vectors, roots))
    return;
  parallelVectors(vectors, job.length, [&](int64_t begin, int64_t end) {
    directRange<T, S>(job, begin, end);
  });
}

} // namespace

extern "C" void tessera_causal_conv_f32(int64_t rank, int64_t axis,
                                        const int64_t *extents, int64_t kRank,
                                        const int64_t *kExtents, const float *k,
                                        const int64_t *kStrides, const float *u,
                                        const int64_t *uStrides, float *out,
                                        const int64_t *outStrides,
                                        const float *roots, int64_t rootOrder) {
  runConv<float, 1>(rank, axis, extents, kRank, kExtents, k, kStrides, u,
                    uStrides, out, outStrides, {roots, rootOrder});
}

extern "C" void tessera_causal_conv_f64(
    int64_t rank, int64_t axis, const int64_t *extents, int64_t kRank,
    const int64_t *kExtents, const double *k, const int64_t *kStrides,
    const double *u, const int64_t *uStrides, double *out,
    const int64_t *outStrides, const double *roots, int64_t rootOrder) {
  runConv<double, 1>(rank, axis, extents, kRank, kExtents, k, kStrides, u,
                     uStrides, out, outStrides, {roots, rootOrder});
}

extern "C" void tessera_causal_conv_c64(int64_t rank, int64_t axis,
                                        const int64_t *extents, int64_t kRank,
                                        const int64_t *kExtents, const float *k,
                                        const int64_t *kStrides, const float *u,
                                        const int64_t *uStrides, float *out,
                                        const int64_t *outStrides,
                                        const float *roots, int64_t rootOrder) {
  runConv<float, 2>(rank, axis, extents, kRank, kExtents, k, kStrides, u,
                    uStrides, out, outStrides, {roots, rootOrder});
}

extern "C" void tessera_causal_conv_c128(
    int64_t rank, int64_t axis, const int64_t *extents, int64_t kRank,
    const int64_t *kExtents, const double *k, const int64_t *kStrides,
    const double *u, const int64_t *uStrides, double *out,
    const int64_t *outStrides, const double *roots, int64_t rootOrder) {
  runConv<double, 2>(rank, axis, extents, kRank, kExtents, k, kStrides, u,
                     uStrides, out, outStrides, {roots, rootOrder});
}
