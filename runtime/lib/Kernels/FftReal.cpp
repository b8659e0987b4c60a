//===- FftReal.cpp - Real FFT entry points --------------------------------===//
//
// tessera_rfft_f32/f64 and tessera_irfft_c64/c128 (Kernels.h), as numpy's
// rfft and irfft. Even n: the n reals are n / 2 complex numbers (even and
// odd samples), transformed by a complex FFT of n / 2 and separated by a
// twiddled post-pass (a pre-pass for the inverse). Odd n: a complex FFT of
// n on the real input, or on the Hermitian extension of the bins. Rows are
// gathered into contiguous scratch in groups and the batch is split over
// the threads.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "FftDriver.h"
#include "FftKernel.h"
#include "FftRealSteps.h"
#include "Isa.h"

#include <cstring>

using namespace tessera::kernels;
using namespace tessera::kernels::fft;

namespace {

/// One real transform: the real plan, the batch shape and the operands.
template <typename T> struct RealJob {
  const FftPlan<T> *plan;
  Shape shape;
  const T *in;
  const int64_t *inStrides;
  T *out;
  const int64_t *outStrides;
  /// The real length and, for irfft, the bins of the input.
  int64_t n, inLength;
};

template <typename T>
void rfftRange(const RealJob<T> &job, int64_t begin, int64_t end, T *scratch) {
  int64_t n = job.n, len = n % 2 ? n : n / 2, group = groupSize(len);
  int64_t is = job.inStrides[job.shape.axis];
  int64_t os = job.outStrides[job.shape.axis];
  T *rowsIn = scratch, *rowsOut = rowsIn + 2 * group * len;
  T *work = rowsOut + 2 * group * len;
  const T *in[kGroup];
  T *out[kGroup];
  VectorWalker inWalk(job.shape, job.inStrides, begin);
  VectorWalker outWalk(job.shape, job.outStrides, begin);
  for (int64_t v = begin; v < end; v += group) {
    int64_t count = end - v < group ? end - v : group;
    for (int64_t i = 0; i < count; ++i) {
      const T *x = job.in + inWalk.next();
      T *row = rowsIn + 2 * i * len;
      out[i] = rowsOut + 2 * i * len;
      // Even n, contiguous: the reals already are the complex row.
      if (n % 2 == 0 && is == 1) {
        in[i] = x;
        continue;
      }
      // Odd n: (x_j, 0); even n: x_j packed two by two.
      if (n % 2)
        for (int64_t j = 0; j < n; ++j) {
          row[2 * j] = x[j * is];
          row[2 * j + 1] = 0;
        }
      else
        for (int64_t j = 0; j < n; ++j)
          row[j] = x[j * is];
      in[i] = row;
    }
    fftRunRows(job.plan->plan1, in, out, count, work);
    for (int64_t i = 0; i < count; ++i) {
      T *y = job.out + 2 * outWalk.next();
      if (n % 2 == 0) {
        separate(out[i], job.plan->rowTwiddles, n, y, os);
        continue;
      }
      for (int64_t k = 0; k <= n / 2; ++k) {
        y[2 * k * os] = out[i][2 * k];
        y[2 * k * os + 1] = out[i][2 * k + 1];
      }
    }
  }
}

/// Bin k of an irfft input row: zero past the input, imaginary parts of the
/// DC and (even n) Nyquist bins dropped, as numpy does.
template <typename T>
inline void bin(const RealJob<T> &job, const T *x, int64_t is, int64_t k, T *re,
                T *im) {
  bool present = k < job.inLength && k <= job.n / 2;
  *re = present ? x[2 * k * is] : T(0);
  *im = present && k != 0 && 2 * k != job.n ? x[2 * k * is + 1] : T(0);
}

/// The half-length spectrum z, scaled by 1 / n, whose inverse transform
/// interleaves the even and odd samples of the irfft (even n): the inverse
/// of `separate`.
template <typename T>
void combine(const RealJob<T> &job, const T *x, int64_t is, T *z) {
  int64_t h = job.n / 2;
  const T *w = job.plan->rowTwiddles;
  T scale = T(1) / T(job.n), ar, ai, br, bi;
  bin(job, x, is, 0, &ar, &ai);
  bin(job, x, is, h, &br, &bi);
  combineBin(ar, ai, br, bi, w, scale, z);
  // Bins 1 .. h - 1 straight from the input when all are there.
  bool all = job.inLength >= h;
  for (int64_t k = 1; k < h; ++k) {
    if (all) {
      const T *a = x + 2 * k * is, *b = x + 2 * (h - k) * is;
      combineBin(a[0], a[1], b[0], b[1], w + 2 * k, scale, z + 2 * k);
      continue;
    }
    bin(job, x, is, k, &ar, &ai);
    bin(job, x, is, h - k, &br, &bi);
    combineBin(ar, ai, br, bi, w + 2 * k, scale, z + 2 * k);
  }
}

/// The Hermitian extension of the bins (odd n).
template <typename T>
void extend(const RealJob<T> &job, const T *x, int64_t is, T *z) {
  int64_t n = job.n;
  for (int64_t k = 0; k <= n / 2; ++k) {
    T re, im;
    bin(job, x, is, k, &re, &im);
    z[2 * k] = re;
    z[2 * k + 1] = im;
    if (k) {
      z[2 * (n - k)] = re;
      z[2 * (n - k) + 1] = -im;
    }
  }
}

template <typename T>
void irfftRange(const RealJob<T> &job, int64_t begin, int64_t end, T *scratch) {
  int64_t n = job.n, len = n % 2 ? n : n / 2, group = groupSize(len);
  int64_t is = job.inStrides[job.shape.axis];
  int64_t os = job.outStrides[job.shape.axis];
  T *rowsIn = scratch, *rowsOut = rowsIn + 2 * group * len;
  T *work = rowsOut + 2 * group * len;
  const T *in[kGroup];
  T *out[kGroup], *y[kGroup];
  T scale = T(1) / T(n);
  VectorWalker inWalk(job.shape, job.inStrides, begin);
  VectorWalker outWalk(job.shape, job.outStrides, begin);
  for (int64_t v = begin; v < end; v += group) {
    int64_t count = end - v < group ? end - v : group;
    for (int64_t i = 0; i < count; ++i) {
      const T *x = job.in + 2 * inWalk.next();
      T *row = rowsIn + 2 * i * len;
      n % 2 ? extend(job, x, is, row) : combine(job, x, is, row);
      in[i] = row;
      y[i] = job.out + outWalk.next();
      // Even n, contiguous: the complex result already is the real row.
      out[i] = n % 2 == 0 && os == 1 ? y[i] : rowsOut + 2 * i * len;
    }
    fftRunRows(job.plan->plan2, in, out, count, work);
    for (int64_t i = 0; i < count; ++i) {
      if (out[i] == y[i])
        continue;
      for (int64_t j = 0; j < n; ++j)
        y[i][j * os] = n % 2 ? out[i][2 * j] * scale : out[i][j];
    }
  }
}

/// Zeros the real or complex (2 scalars) elements of vectors [begin, end).
template <typename T>
void zeroVectors(const Shape &shape, int64_t begin, int64_t end, int64_t length,
                 int scalars, T *out, const int64_t *strides) {
  for (int64_t v = begin; v < end; ++v) {
    T *y = out + scalars * vectorOffset(shape, strides, v);
    for (int64_t j = 0; j < length; ++j)
      for (int e = 0; e < scalars; ++e)
        y[scalars * j * strides[shape.axis] + e] = T(0);
  }
}

/// Runs rfft (inverse false) or irfft over the batch (zeros without
/// scratch).
template <typename T>
void runReal(const RealJob<T> &job, int64_t vectors, bool inverse) {
  int64_t n = job.n;
  parallelVectors(vectors, n, [&](int64_t begin, int64_t end) {
    int64_t len = n % 2 ? n : n / 2;
    const FftPlan<T> *plan = inverse ? job.plan->plan2 : job.plan->plan1;
    T *scratch = allocScratch<T>(fftScratch(plan) + 2 * groupSize(len) * len);
    if (!scratch)
      return inverse ? zeroVectors(job.shape, begin, end, n, 1, job.out,
                                   job.outStrides)
                     : zeroVectors(job.shape, begin, end, n / 2 + 1, 2, job.out,
                                   job.outStrides);
    inverse ? irfftRange(job, begin, end, scratch)
            : rfftRange(job, begin, end, scratch);
    std::free(scratch);
  });
}

template <typename T>
void runRfft(int64_t rank, int64_t axis, const int64_t *extents, const T *in,
             const int64_t *inStrides, T *out, const int64_t *outStrides,
             FftRoots<T> roots) {
  int64_t vectors = countVectors(rank, axis, extents);
  if (!vectors || !in || !out || !inStrides || !outStrides)
    return;
  int64_t n = extents[axis];
  RealJob<T> job{fftGetPlan<T>(n, 2, int32_t(getIsa()), &roots),
                 Shape{rank, axis, extents},
                 in,
                 inStrides,
                 out,
                 outStrides,
                 n,
                 0};
  if (!job.plan)
    return zeroVectors(job.shape, 0, vectors, n / 2 + 1, 2, out, outStrides);
  runReal(job, vectors, false);
}

template <typename T>
void runIrfft(int64_t rank, int64_t axis, const int64_t *extents,
              int64_t inLength, const T *in, const int64_t *inStrides, T *out,
              const int64_t *outStrides, FftRoots<T> roots) {
  int64_t vectors = countVectors(rank, axis, extents);
  if (!vectors || !out || !outStrides || (inLength > 0 && (!in || !inStrides)))
    return;
  int64_t n = extents[axis];
  RealJob<T> job{fftGetPlan<T>(n, 2, int32_t(getIsa()), &roots),
                 Shape{rank, axis, extents},
                 in,
                 inStrides,
                 out,
                 outStrides,
                 n,
                 inLength < 0 ? 0 : inLength};
  if (!job.plan || job.inLength == 0)
    return zeroVectors(job.shape, 0, vectors, n, 1, out, outStrides);
  runReal(job, vectors, true);
}

} // namespace

extern "C" void tessera_rfft_f32(int64_t rank, int64_t axis,
                                 const int64_t *inExtents, const float *in,
                                 const int64_t *inStrides, float *out,
                                 const int64_t *outStrides, const float *roots,
                                 int64_t rootOrder) {
  runRfft<float>(rank, axis, inExtents, in, inStrides, out, outStrides,
                 {roots, rootOrder});
}

extern "C" void tessera_rfft_f64(int64_t rank, int64_t axis,
                                 const int64_t *inExtents, const double *in,
                                 const int64_t *inStrides, double *out,
                                 const int64_t *outStrides, const double *roots,
                                 int64_t rootOrder) {
  runRfft<double>(rank, axis, inExtents, in, inStrides, out, outStrides,
                  {roots, rootOrder});
}

extern "C" void tessera_irfft_c64(int64_t rank, int64_t axis,
                                  const int64_t *outExtents, int64_t inLength,
                                  const float *in, const int64_t *inStrides,
                                  float *out, const int64_t *outStrides,
                                  const float *roots, int64_t rootOrder) {
  runIrfft<float>(rank, axis, outExtents, inLength, in, inStrides, out,
                  outStrides, {roots, rootOrder});
}

extern "C" void tessera_irfft_c128(int64_t rank, int64_t axis,
                                   const int64_t *outExtents, int64_t inLength,
                                   const double *in, const int64_t *inStrides,
                                   double *out, const int64_t *outStrides,
                                   const double *roots, int64_t rootOrder) {
  runIrfft<double>(rank, axis, outExtents, inLength, in, inStrides, out,
                   outStrides, {roots, rootOrder});
}
