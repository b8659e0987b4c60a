//===- Fft.cpp - FFT entry points -----------------------------------------===//
//
// tessera_fft_c64/c128 (Kernels.h): walk the batch (every index but the axis),
// hand contiguous rows or columns to the plan's kernels (FftKernel.inc), gather
// strided vectors into contiguous rows first, and split the batch over the
// threads.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "FftDriver.h"
#include "FftKernel.h"
#include "Isa.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace tessera::kernels;
using namespace tessera::kernels::fft;

namespace {

/// One complex transform: the plan and the operands.
template <typename T> struct ComplexJob {
  const FftPlan<T> *plan;
  Shape shape;
  const T *in;
  const int64_t *inStrides;
  T *out;
  const int64_t *outStrides;
  int64_t n;
  int inverse;
};

/// out[k * stride] *= scale for k < n (interleaved complex).
template <typename T> void scaleVector(T *out, int64_t stride, int64_t n, T s) {
  for (int64_t k = 0; k < n; ++k) {
    out[2 * k * stride] *= s;
    out[2 * k * stride + 1] *= s;
  }
}

/// The DFT of vectors [begin, end) term by term, with no memory: the
/// fallback when no plan or scratch can be allocated (zeros past 4096).
template <typename T>
void directVectors(const ComplexJob<T> &job, int64_t begin, int64_t end) {
  int64_t n = job.n, is = job.inStrides[job.shape.axis];
  int64_t os = job.outStrides[job.shape.axis];
  long double sign = job.inverse ? 1 : -1;
  for (int64_t v = begin; v < end; ++v) {
    const T *x = job.in + 2 * vectorOffset(job.shape, job.inStrides, v);
    T *y = job.out + 2 * vectorOffset(job.shape, job.outStrides, v);
    for (int64_t k = 0; k < n; ++k) {
      long double re = 0, im = 0;
      if (n <= 4096) {
        long double angle = sign * 2 * M_PIl * (long double)k / n;
        long double sr = cosl(angle), si = sinl(angle), cr = 1, ci = 0;
        for (int64_t j = 0; j < n; ++j) {
          long double a = x[2 * j * is], b = x[2 * j * is + 1];
          re += a * cr - b * ci;
          im += a * ci + b * cr;
          long double t = cr * sr - ci * si;
          ci = cr * si + ci * sr;
          cr = t;
        }
        if (job.inverse) {
          re /= n;
          im /= n;
        }
      }
      y[2 * k * os] = T(re);
      y[2 * k * os + 1] = T(im);
    }
  }
}

/// Vectors [begin, end) whose axis is contiguous in both operands.
template <typename T>
void contiguousRows(const ComplexJob<T> &job, int64_t begin, int64_t end,
                    T *scratch) {
  const T *in[kGroup];
  T *out[kGroup];
  T scale = T(1) / T(job.n);
  VectorWalker inWalk(job.shape, job.inStrides, begin);
  VectorWalker outWalk(job.shape, job.outStrides, begin);
  for (int64_t v = begin; v < end; v += kGroup) {
    int64_t count = end - v < kGroup ? end - v : kGroup;
    for (int64_t i = 0; i < count; ++i) {
      in[i] = job.in + 2 * inWalk.next();
      out[i] = job.out + 2 * outWalk.next();
    }
    fftRunRows(job.plan, in, out, count, scratch);
    if (job.inverse)
      for (int64_t i = 0; i < count; ++i)
        scaleVector(out[i], 1, job.n, scale);
  }
}

/// Vectors [begin, end) gathered into contiguous rows and scattered back.
template <typename T>
void gatheredRows(const ComplexJob<T> &job, int64_t begin, int64_t end,
                  int64_t group, T *scratch) {
  int64_t n = job.n, is = job.inStrides[job.shape.axis];
  int64_t os = job.outStrides[job.shape.axis];
  T *rowsIn = scratch, *rowsOut = rowsIn + 2 * group * n;
  T *work = rowsOut + 2 * group * n;
  const T *in[kGroup];
  T *out[kGroup];
  T scale = job.inverse ? T(1) / T(n) : T(1);
  VectorWalker inWalk(job.shape, job.inStrides, begin);
  VectorWalker outWalk(job.shape, job.outStrides, begin);
  for (int64_t v = begin; v < end; v += group) {
    int64_t count = end - v < group ? end - v : group;
    for (int64_t i = 0; i < count; ++i) {
      const T *x = job.in + 2 * inWalk.next();
      T *row = rowsIn + 2 * i * n;
      for (int64_t j = 0; j < n; ++j) {
        row[2 * j] = x[2 * j * is];
        row[2 * j + 1] = x[2 * j * is + 1];
      }
      in[i] = row;
      out[i] = rowsOut + 2 * i * n;
    }
    fftRunRows(job.plan, in, out, count, work);
    for (int64_t i = 0; i < count; ++i) {
      T *y = job.out + 2 * outWalk.next();
      for (int64_t j = 0; j < n; ++j) {
        y[2 * j * os] = out[i][2 * j] * scale;
        y[2 * j * os + 1] = out[i][2 * j + 1] * scale;
      }
    }
  }
}

/// Columns per call of the column path: a few vectors, more for short n.
inline int64_t columnCap(int64_t n) {
  int64_t cap = 32768 / n;
  return cap < 16 ? 16 : cap > 256 ? 256 : cap;
}

/// Vectors [begin, end) when the last dimension (not the axis) is
/// contiguous in both operands: runs of it are columns for the kernels.
template <typename T>
void contiguousColumns(const ComplexJob<T> &job, int64_t begin, int64_t end,
                       T *scratch) {
  int64_t n = job.n, cap = columnCap(n);
  int64_t last = job.shape.extents[job.shape.rank - 1];
  int64_t is = job.inStrides[job.shape.axis];
  int64_t os = job.outStrides[job.shape.axis];
  T *s1 = scratch, *s2 = scratch + 2 * n * cap;
  T scale = T(1) / T(n);
  for (int64_t v = begin; v < end;) {
    int64_t run = last - v % last;
    run = run < end - v ? run : end - v;
    run = run < cap ? run : cap;
    const T *x = job.in + 2 * vectorOffset(job.shape, job.inStrides, v);
    T *y = job.out + 2 * vectorOffset(job.shape, job.outStrides, v);
    fftRunColumns(job.plan, x, is, y, os, run, s1, s2);
    if (job.inverse)
      for (int64_t k = 0; k < n; ++k)
        scaleVector(y + 2 * k * os, 1, run, scale);
    v += run;
  }
}

/// Which of the paths above suits the job.
enum class Path { Rows, Columns, Gathered };

template <typename T> Path choosePath(const ComplexJob<T> &job) {
  const Shape &s = job.shape;
  if (job.inStrides[s.axis] == 1 && job.outStrides[s.axis] == 1)
    return Path::Rows;
  int64_t last = s.rank - 1;
  if (last != s.axis && s.extents[last] > 1 && job.inStrides[last] == 1 &&
      job.outStrides[last] == 1 && job.plan->kind != FftKind::Bluestein)
    return Path::Columns;
  return Path::Gathered;
}

template <typename T>
void complexRange(const ComplexJob<T> &job, int64_t begin, int64_t end) {
  if (!job.plan)
    return directVectors(job, begin, end);
  Path path = choosePath(job);
  int64_t n = job.n, group = 1;
  int64_t elements = fftScratch(job.plan);
  if (path == Path::Columns) {
    elements = 2 * n * columnCap(n);
  } else if (path == Path::Gathered) {
    group = n >= 4096 ? 1 : 4096 / n < kGroup ? 4096 / n : kGroup;
    elements += 2 * group * n;
  }
  T *scratch = allocScratch<T>(elements);
  if (!scratch)
    return directVectors(job, begin, end);
  if (path == Path::Rows)
    contiguousRows(job, begin, end, scratch);
  else if (path == Path::Columns)
    contiguousColumns(job, begin, end, scratch);
  else
    gatheredRows(job, begin, end, group, scratch);
  std::free(scratch);
}

template <typename T>
void runFft(int64_t rank, int64_t axis, const int64_t *extents, const T *in,
            const int64_t *inStrides, T *out, const int64_t *outStrides,
            int32_t inverse, FftRoots<T> roots) {
  int64_t vectors = countVectors(rank, axis, extents);
  if (!vectors || !in || !out || !inStrides || !outStrides)
    return;
  int64_t n = extents[axis];
  ComplexJob<T> job{
      fftGetPlan<T>(n, inverse ? 1 : 0, int32_t(getIsa()), &roots),
      Shape{rank, axis, extents},
      in,
      inStrides,
      out,
      outStrides,
      n,
      inverse ? 1 : 0};
  parallelVectors(vectors, n, [&](int64_t begin, int64_t end) {
    complexRange(job, begin, end);
  });
}

} // namespace

extern "C" void tessera_fft_c64(int64_t rank, int64_t axis,
                                const int64_t *extents, const float *in,
                                const int64_t *inStrides, float *out,
                                const int64_t *outStrides, int32_t inverse,
                                const float *roots, int64_t rootOrder) {
  runFft<float>(rank, axis, extents, in, inStrides, out, outStrides, inverse,
                {roots, rootOrder});
}

extern "C" void tessera_fft_c128(int64_t rank, int64_t axis,
                                 const int64_t *extents, const double *in,
                                 const int64_t *inStrides, double *out,
                                 const int64_t *outStrides, int32_t inverse,
                                 const double *roots, int64_t rootOrder) {
  runFft<double>(rank, axis, extents, in, inStrides, out, outStrides, inverse,
                 {roots, rootOrder});
}
