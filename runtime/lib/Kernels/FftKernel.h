//===- FftKernel.h - FFT plans and the per-ISA FFT kernels ------*- C++ -*-===//
//
// Internal interface between Fft.cpp / FftPlan.cpp (plans, layouts, dispatch,
// threads) and the per-ISA translation units FftAVX512.cpp, FftAVX2.cpp and
// FftGeneric.cpp, which compile FftKernel.inc for different vector widths.
//
// Complex data is interleaved (re, im); lengths, strides and offsets count
// complex elements unless a name says otherwise. Plans compute unnormalized
// transforms (the entry points scale inverses).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_FFTKERNEL_H
#define TESSERA_RUNTIME_KERNELS_FFTKERNEL_H

#include <cstdint>

namespace tessera::kernels {

/// The most Stockham stages of a plan (every radix is at least 2).
constexpr int kFftMaxStages = 63;

/// How a plan computes its transform of contiguous rows.
enum class FftKind : int32_t {
  /// Stockham stages over L rows at once, transposed into columns (small n).
  Batched,
  /// Four-step: n = n1 n2, column FFTs of n1 and n2 around a twiddled
  /// transpose, so that every stage runs on whole vectors (large n).
  FourStep,
  /// Bluestein's chirp-z convolution through FFTs of a power of two m, or
  /// of a shorter 2^a 3^b 5^c (n with a prime factor the codelets lack).
  Bluestein,
};

/// A plan: everything a transform of length n in one direction needs,
/// computed once and cached for the life of the process (FftPlan.cpp).
template <typename T> struct FftPlan {
  /// The next plan in the cache's list.
  FftPlan *next;
  int64_t n;
  int32_t inverse;
  /// The ISA the plan was made for (its vector width picks the layout).
  int32_t isa;
  FftKind kind;
  /// Stockham stages of n (when n is smooth), first to last, and each
  /// stage's table: the radix's cos/sin constants, (cos 2 pi k / r,
  /// sin 2 pi k / r) for k < r, then for every p < n / (radix product so
  /// far) and j in [1, r) the twiddle w^(j p) as (re, re, -im, im).
  int32_t numStages;
  int32_t radix[kFftMaxStages];
  T *stageTables[kFftMaxStages];
  /// FourStep: n = n1 n2 and the plans of n1 and n2; rowTwiddles[k1 n2 +
  /// j2] = w_n^(k1 j2) as (re, im). Real plans: w_n^k for k <= n / 2.
  int64_t n1, n2;
  const FftPlan *plan1, *plan2;
  T *rowTwiddles;
  /// Bluestein: m >= 2 n - 1 (bluesteinLength), the forward and inverse plans
  /// of m, the chirp w^(k^2 / 2) for k < n and the kernel's transform divided
  /// by m.
  int64_t m;
  const FftPlan *planM, *planMInverse;
  T *chirp, *kernel;
  /// The one allocation holding the tables.
  void *memory;
};

/// Complex elements per vector of an ISA (its vector bytes over 2 sizeof(T)).
inline int64_t fftLanes(int32_t isa, int64_t elementBytes) {
  int64_t bytes = isa == 0 ? 64 : isa == 1 ? 32 : 16;
  return bytes / (2 * elementBytes);
}

/// Columns of one four-step panel for column transforms of length `rows`
/// over `cols` columns: all of them while the panel fits 64 KiB, else the
/// columns split evenly into panels a multiple of the lanes wide (the last
/// panel overlaps the previous one by less than a vector). 64 KiB panels
/// measured best for 65536 = 256 x 256: in L2, few conflicting strided rows.
inline int64_t fftPanelWidth(int64_t rows, int64_t cols, int64_t lanes,
                             int64_t complexBytes) {
  int64_t most = 65536 / (rows * complexBytes) / lanes * lanes;
  most = most < lanes ? lanes : most;
  if (cols <= most)
    return cols;
  int64_t panels = (cols + most - 1) / most;
  int64_t width = ((cols + panels - 1) / panels + lanes - 1) / lanes * lanes;
  return width < cols ? width : cols;
}

/// Complex elements of scratch that fftRows needs per call.
template <typename T>
int64_t fftRowScratch(const FftPlan<T> *plan, int64_t lanes) {
  if (plan->kind == FftKind::FourStep) {
    int64_t bytes = 2 * sizeof(T);
    int64_t pa = fftPanelWidth(plan->n1, plan->n2, lanes, bytes);
    int64_t pb = fftPanelWidth(plan->n2, plan->n1, lanes, bytes);
    int64_t panel =
        plan->n1 * pa > plan->n2 * pb ? plan->n1 * pa : plan->n2 * pb;
    return plan->n + 3 * panel + 64;
  }
  return 4 * plan->n * lanes + 64;
}

/// The per-ISA kernels (FftKernel.inc). fftColumns: column transforms,
/// out[k][v] = sum_j in[j][v] w^(j k) for v < cols, the rows of `in` and
/// `out` inRow and outRow apart (in complex elements); s1 and s2 are
/// scratch of n cols complex elements each, distinct from `in` and `out`;
/// plans of kind Bluestein have no stages and are refused. fftRows: the
/// transforms of `count` contiguous rows of length n, in[i] to out[i]
/// (distinct), for plans of kind Batched or FourStep; `scratch` holds
/// fftRowScratch(plan, lanes) complex elements, 64-byte aligned.
/// fftMultiply: out[k] = a[k] b[k] for k < n (complex; out may be a or b).
#define TESSERA_FFT_DECLARE(ISA, T, S)                                         \
  void fftColumns##ISA##S(const FftPlan<T> *plan, const T *in, int64_t inRow,  \
                          T *out, int64_t outRow, int64_t cols, T *s1, T *s2); \
  void fftRows##ISA##S(const FftPlan<T> *plan, const T *const *in,             \
                       T *const *out, int64_t count, T *scratch);              \
  void fftMultiply##ISA##S(const T *a, const T *b, T *out, int64_t n);
TESSERA_FFT_DECLARE(AVX512, float, F32)
TESSERA_FFT_DECLARE(AVX512, double, F64)
TESSERA_FFT_DECLARE(AVX2, float, F32)
TESSERA_FFT_DECLARE(AVX2, double, F64)
TESSERA_FFT_DECLARE(Generic, float, F32)
TESSERA_FFT_DECLARE(Generic, double, F64)
#undef TESSERA_FFT_DECLARE

/// A unit-root table of order `order` (tessera/Runtime/UnitRoots.h).
template <typename T> struct FftRoots {
  const T *table;
  int64_t order;
};

/// The cached plan of length n >= 1 for `key` 0 (forward), 1 (inverse) or
/// 2 (real: the complex plans and twiddles rfft and irfft use) on `isa`
/// (int(Isa)); null when memory runs out. A plan not yet cached reads its
/// twiddles from `roots` where its order is a multiple of the one needed
/// (the table the compiler built for a length known at compile time), and
/// otherwise from a table of its own, computed in long double.
template <typename T>
const FftPlan<T> *fftGetPlan(int64_t n, int32_t key, int32_t isa,
                             const FftRoots<T> *roots = nullptr);

/// Complex elements of scratch that fftRunRows needs for `plan`.
template <typename T> int64_t fftScratch(const FftPlan<T> *plan);

/// The transforms of `count` contiguous rows in[i] to out[i] (distinct) on
/// the plan's ISA, Bluestein included.
template <typename T>
void fftRunRows(const FftPlan<T> *plan, const T *const *in, T *const *out,
                int64_t count, T *scratch);

/// fftColumns on the plan's ISA (not for Bluestein plans).
template <typename T>
void fftRunColumns(const FftPlan<T> *plan, const T *in, int64_t inRow, T *out,
                   int64_t outRow, int64_t cols, T *s1, T *s2);

/// out[k] = a[k] b[k] for k < n (complex; out may be a or b) on `isa`.
template <typename T>
void fftRunMultiply(int32_t isa, const T *a, const T *b, T *out, int64_t n);

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_FFTKERNEL_H
