//===- Kernels.h - Micro-kernels that compiled code calls -------*- C++ -*-===//
//
// The runtime kernels of Tessera (as IREE's ukernels): hand-written,
// target-dispatched loops that the CPU pipeline calls from generated code
// where they beat what the compiler generates, and the thread count that
// generated parallel loops and the kernels share.
//
// The generated code calls them by these C names; the JIT resolves them to
// this library's definitions and shared libraries written by tessc link
// libTesseraKernels.a, so compiled entries need nothing else at run time
// (except libomp, the OpenMP runtime of the parallel loops).
//
// GEMM: C[b] += A[b] * B[b] (with `overwrite` non-zero C[b] = A[b] * B[b],
// C's old contents never read) for b < batch, then, with `epilogue` 1 or 2,
// every element of C multiplied or divided by `scalar` (rounded to the
// element type) once its sum is complete, A[b] m x k, B[b] k x n, C[b] m x
// n, every operand addressed by element strides (any layout: transposed,
// strided or broadcast with stride 0; C must not overlap A or B, and C's
// own elements must not alias each other). Zero sizes do nothing (k = 0 with
// `overwrite` zeroes C). The
// kernels pack A and B into contiguous panels (cache-blocked as in
// BLIS/GotoBLAS), run a register-tiled vector micro-kernel compiled for the
// widest vector ISA the CPU has (AVX-512, AVX2+FMA, or the baseline), and
// split the work over the threads. Summation over k runs in blocks of the
// kernel's KC, in increasing k within a block, each block added to C in turn.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_H
#define TESSERA_RUNTIME_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// C[b] += A[b] * B[b] in f32 (see the file comment).
void tessera_gemm_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                      const float *a, int64_t aBatchStride, int64_t aRowStride,
                      int64_t aColStride, const float *b, int64_t bBatchStride,
                      int64_t bRowStride, int64_t bColStride, float *c,
                      int64_t cBatchStride, int64_t cRowStride,
                      int64_t cColStride, int32_t overwrite, int32_t epilogue,
                      double scalar);

/// C[b] += A[b] * B[b] in f64 (see the file comment).
void tessera_gemm_f64(int64_t batch, int64_t m, int64_t n, int64_t k,
                      const double *a, int64_t aBatchStride, int64_t aRowStride,
                      int64_t aColStride, const double *b, int64_t bBatchStride,
                      int64_t bRowStride, int64_t bColStride, double *c,
                      int64_t cBatchStride, int64_t cRowStride,
                      int64_t cColStride, int32_t overwrite, int32_t epilogue,
                      double scalar);

/// C[b] += op(A[b]) * op(B[b]) in complex f32 (interleaved (re, im) pairs,
/// strides in complex elements), as tessera_gemm_f32 otherwise; op conjugates
/// A when bit 0 of `conj` is set and B when bit 1 is. One real GEMM of m x 2n
/// x 2k (A read in place when its rows are contiguous and not conjugated, B
/// expanded into 2 x 2 real blocks [[re, im], [-im, re]]): the real kernels'
/// speed for the 4 m n k multiply-adds. `scalar` is real.
void tessera_gemm_c64(int64_t batch, int64_t m, int64_t n, int64_t k,
                      const float *a, int64_t aBatchStride, int64_t aRowStride,
                      int64_t aColStride, const float *b, int64_t bBatchStride,
                      int64_t bRowStride, int64_t bColStride, float *c,
                      int64_t cBatchStride, int64_t cRowStride,
                      int64_t cColStride, int32_t overwrite, int32_t epilogue,
                      double scalar, int32_t conj);

/// tessera_gemm_c64 in complex f64.
void tessera_gemm_c128(int64_t batch, int64_t m, int64_t n, int64_t k,
                       const double *a, int64_t aBatchStride,
                       int64_t aRowStride, int64_t aColStride, const double *b,
                       int64_t bBatchStride, int64_t bRowStride,
                       int64_t bColStride, double *c, int64_t cBatchStride,
                       int64_t cRowStride, int64_t cColStride,
                       int32_t overwrite, int32_t epilogue, double scalar,
                       int32_t conj);

/// dst[c * dstRowStride + r] = src[r * srcRowStride + c] for r < rows and
/// c < cols: the rows x cols matrix at `src` copied transposed, elements of
/// `elementBytes` bytes copied bit for bit, strides in elements (both
/// matrices unit-stride along their rows; they must not overlap). 4- and
/// 8-byte elements go through register-blocked vector kernels; large
/// matrices are split over the threads (outside parallel regions).
void tessera_transpose(int64_t elementBytes, int64_t rows, int64_t cols,
                       const void *src, int64_t srcRowStride, void *dst,
                       int64_t dstRowStride);

/// out = M_n in along dimension `axis` of tensors of rank `rank` (1 to 9:
/// compiled code passes a complex tensor of rank 8 as reals, rank 9)
/// with extents `extents`: the unnormalized Walsh-Hadamard transform (every
/// entry of M_n is +1 or -1) of every vector along the axis, whose length n
/// is a supported length (tessera_fwht_length_supported; other lengths,
/// empty or bad shapes do nothing; compiled code checks them first):
///  - n = 2^k: M_n = H_n, Sylvester order (H_1 = [1], H_2n = [[H_n, H_n],
///    [H_n, -H_n]], so H_n[i][j] = (-1)^popcount(i & j));
///  - n = m 2^k, m in {12, 20, 28, 40}: M_n = kron(H_m, H_{2^k}), that is
///    out[a 2^k + b] = sum_{c, d} H_m[a][c] H_{2^k}[b][d] in[c 2^k + d],
///    with the fixed m x m Hadamard matrices of Dao-AILab's
///    fast-hadamard-transform (the result of its hadamard_transform_{m}N
///    for the m chosen here, where it takes n): H_12 by Paley's
///    construction II for q = 5, H_20 and H_28 Williamson-type, H_40 from
///    two Paley matrices, written out in runtime/lib/Kernels/FwhtSpecial.h.
///    m = 40 whenever 40 divides n (n = 40 2^k is also 20 2^(k+1)), so
///    H_20 serves n = 20 alone.
/// Operands are addressed by element strides, one per dimension; `out` may
/// be `in` with the same strides (in place), else they must not overlap.
/// O(n log n + m n) additions per vector (Dao's library supports the m 2^k
/// only for k >= 2; the definition is the same for every k), the vectors
/// split over the threads.
void tessera_fwht_f32(int64_t rank, int64_t axis, const int64_t *extents,
                      const float *in, const int64_t *inStrides, float *out,
                      const int64_t *outStrides);

/// tessera_fwht_f32 in f64.
void tessera_fwht_f64(int64_t rank, int64_t axis, const int64_t *extents,
                      const double *in, const int64_t *inStrides, double *out,
                      const int64_t *outStrides);

/// The discrete Fourier transform along dimension `axis` (0 <= axis <
/// rank) of complex tensors of rank `rank` >= 1 with extents `extents`:
/// every vector along the axis (every other index is a batch index) of
/// length n = extents[axis] >= 1 maps to y_k = sum_j x_j e^(-2 pi i j k /
/// n) (numpy.fft.fft, unnormalized), or with `inverse` non-zero to y_k =
/// (1 / n) sum_j x_j e^(+2 pi i j k / n) (numpy.fft.ifft). Complex elements
/// are interleaved (re, im) pairs; `in` and `out` point to the first pair
/// and their strides, one per dimension, count complex elements (any
/// non-negative strides, 0 included). `in` and `out` must not overlap. An
/// extent of 0 does nothing. Any n: Stockham radix-2/3/4/5/7/8/11/13 stages
/// (four-step for long vectors), Bluestein (through a power of two or a
/// shorter 2^a 3^b 5^c) for other prime factors; plans are built once per
/// length, direction and ISA and cached for the process. `roots` is null
/// (rootOrder 0) or a unit-root table of order `rootOrder`
/// (tessera/Runtime/UnitRoots.h; the compiler passes one of order
/// fftRootOrder(n) for a length known at compile time): a plan built by this
/// call reads its twiddles from it where rootOrder is a multiple of the
/// order they need, and computes them otherwise.
/// The batch is split over the threads (one thread inside a parallel
/// region). When memory runs out the transform falls back to a direct DFT
/// (zeros for n > 4096, and for real transforms).
void tessera_fft_c64(int64_t rank, int64_t axis, const int64_t *extents,
                     const float *in, const int64_t *inStrides, float *out,
                     const int64_t *outStrides, int32_t inverse,
                     const float *roots, int64_t rootOrder);

/// tessera_fft_c64 in complex f64.
void tessera_fft_c128(int64_t rank, int64_t axis, const int64_t *extents,
                      const double *in, const int64_t *inStrides, double *out,
                      const int64_t *outStrides, int32_t inverse,
                      const double *roots, int64_t rootOrder);

/// numpy.fft.rfft along `axis`: the real tensor `in` (extents `inExtents`,
/// strides in reals) of length n = inExtents[axis] along the axis maps to
/// the n / 2 + 1 complex bins y_k = sum_j x_j e^(-2 pi i j k / n), k <= n /
/// 2, of `out`, whose extents are inExtents with the axis's replaced by n /
/// 2 + 1 and whose strides count complex elements (interleaved pairs).
/// `roots` and `rootOrder` as for tessera_fft_c64.
void tessera_rfft_f32(int64_t rank, int64_t axis, const int64_t *inExtents,
                      const float *in, const int64_t *inStrides, float *out,
                      const int64_t *outStrides, const float *roots,
                      int64_t rootOrder);

/// tessera_rfft_f32 in f64.
void tessera_rfft_f64(int64_t rank, int64_t axis, const int64_t *inExtents,
                      const double *in, const int64_t *inStrides, double *out,
                      const int64_t *outStrides, const double *roots,
                      int64_t rootOrder);

/// numpy.fft.irfft(x, n = outExtents[axis], axis): the real tensor `out`
/// (extents `outExtents`, strides in reals) from the complex bins of `in`
/// (extents outExtents with the axis's replaced by `inLength`, strides in
/// complex elements). The first min(inLength, n / 2 + 1) bins are used and
/// missing ones are zero; the imaginary parts of bin 0 and (even n) bin n /
/// 2 are ignored; the result is scaled by 1 / n. `roots` and `rootOrder` as
/// for tessera_fft_c64.
void tessera_irfft_c64(int64_t rank, int64_t axis, const int64_t *outExtents,
                       int64_t inLength, const float *in,
                       const int64_t *inStrides, float *out,
                       const int64_t *outStrides, const float *roots,
                       int64_t rootOrder);

/// tessera_irfft_c64 in complex f64.
void tessera_irfft_c128(int64_t rank, int64_t axis, const int64_t *outExtents,
                        int64_t inLength, const double *in,
                        const int64_t *inStrides, double *out,
                        const int64_t *outStrides, const double *roots,
                        int64_t rootOrder);

/// The causal convolution y_t = sum over s <= t of k_s u_(t - s), t < L,
/// along dimension `axis` of `u` and `out` (rank `rank` <= 8, extents
/// `extents`, L = extents[axis]): the first L terms of the linear
/// convolution, computed with FFTs of 2L (the transforms of k's vectors,
/// zero-padded, once per call; then each vector of u padded, transformed,
/// multiplied and transformed back in cache), or summed directly when k has
/// few taps. k has rank `kRank` (1 <= kRank <= rank) and extents `kExtents`:
/// its dimensions are u's last kRank ones, each equal to u's or 1 (numpy's
/// broadcasting, over u's leading dimensions too), except along the axis,
/// where k has any length M: taps s >= M are zero and taps s >= L never
/// contribute. Strides count elements (interleaved (re, im) pairs for the
/// complex variants); `out` must not overlap the inputs. Extents that do not
/// fit (compiled code checks them) give zeros. `roots` and `rootOrder` as
/// for tessera_fft_c64, for the transforms of 2L. The vectors are split
/// over the threads; when memory runs out, the direct sum.
void tessera_causal_conv_f32(int64_t rank, int64_t axis, const int64_t *extents,
                             int64_t kRank, const int64_t *kExtents,
                             const float *k, const int64_t *kStrides,
                             const float *u, const int64_t *uStrides,
                             float *out, const int64_t *outStrides,
                             const float *roots, int64_t rootOrder);
/// tessera_causal_conv_f32 in f64.
void tessera_causal_conv_f64(int64_t rank, int64_t axis, const int64_t *extents,
                             int64_t kRank, const int64_t *kExtents,
                             const double *k, const int64_t *kStrides,
                             const double *u, const int64_t *uStrides,
                             double *out, const int64_t *outStrides,
                             const double *roots, int64_t rootOrder);
/// tessera_causal_conv_f32 in c64.
void tessera_causal_conv_c64(int64_t rank, int64_t axis, const int64_t *extents,
                             int64_t kRank, const int64_t *kExtents,
                             const float *k, const int64_t *kStrides,
                             const float *u, const int64_t *uStrides,
                             float *out, const int64_t *outStrides,
                             const float *roots, int64_t rootOrder);
/// tessera_causal_conv_f32 in c128.
void tessera_causal_conv_c128(int64_t rank, int64_t axis,
                              const int64_t *extents, int64_t kRank,
                              const int64_t *kExtents, const double *k,
                              const int64_t *kStrides, const double *u,
                              const int64_t *uStrides, double *out,
                              const int64_t *outStrides, const double *roots,
                              int64_t rootOrder);

/// 1 if tessera_fwht_f32/f64 transform vectors of length n (n = 2^k or
/// n = m 2^k with m in {12, 20, 28, 40}, k >= 0), else 0: isFwhtLength of
/// SizeRules.h, for compiled code (the entry check of a symbolic fwht
/// length calls it).
int32_t tessera_fwht_length_supported(int64_t n);

/// The allocator of compiled code's temporaries (its calls of aligned_alloc
/// and free point here after LLVM's optimizations): blocks of at least 1 MiB
/// are aligned to 2 MiB, kept when freed and reused by later allocations
/// they fit, up to TESSERA_ALLOC_CACHE_MB MiB (default 1024; 0: off), so
/// that an entry called again does not fault in fresh pages; smaller ones
/// are the C library's. Alignment is a power of two; null when out of
/// memory. tessera_free takes any pointer of the C library's as well.
void *tessera_aligned_alloc(uint64_t alignment, uint64_t size);
void tessera_free(void *address);
/// Returns the blocks the allocator keeps to the system.
void tessera_release_cached_memory(void);

/// The number of threads that compiled code and the kernels use: the last
/// value given to tessera_set_num_threads if positive, else the environment
/// variable TESSERA_NUM_THREADS if it is a positive integer, else the
/// number of processors available to the process.
int32_t tessera_get_num_threads(void);

/// Sets the thread count for later calls (0 or less: back to the default).
void tessera_set_num_threads(int32_t numThreads);

/// The vector instruction set the kernels (GEMM, FWHT, FFT) dispatch to on
/// this CPU:
/// "avx512", "avx2" or "generic". TESSERA_GEMM_ISA=avx2|generic in the
/// environment selects a narrower one (for testing each of them).
const char *tessera_gemm_isa(void);

/// out = the product of butterfly factors f = 0 .. factors-1 (applied in
/// that order) along dimension `axis` of length n, a power of two with
/// 2^factors <= n: factor f pairs x[2sj + k] and x[2sj + s + k] (s = 2^f,
/// k < s) and maps them by the 2x2 matrix twiddles[f][sj + k]:
/// out[2sj + a s + k] = sum_b twiddles[f][sj + k][a][b] x[2sj + b s + k].
/// `twiddles` has extents `twExtents` = [factors, n / 2, 2, 2] and element
/// strides `twStrides`; the tensors are as for tessera_fwht_f32. Complex
/// variants take interleaved (re, im) pairs, strides counting pairs. Shapes
/// that do not fit (compiled code checks them) give an output of zeros;
/// without memory for a scratch vector the factors run in the output.
void tessera_butterfly_f32(int64_t rank, int64_t axis, const int64_t *extents,
                           const float *in, const int64_t *inStrides,
                           float *out, const int64_t *outStrides,
                           const int64_t *twExtents, const float *twiddles,
                           const int64_t *twStrides);
/// tessera_butterfly_f32 in f64.
void tessera_butterfly_f64(int64_t rank, int64_t axis, const int64_t *extents,
                           const double *in, const int64_t *inStrides,
                           double *out, const int64_t *outStrides,
                           const int64_t *twExtents, const double *twiddles,
                           const int64_t *twStrides);
/// tessera_butterfly_f32 in c64.
void tessera_butterfly_c64(int64_t rank, int64_t axis, const int64_t *extents,
                           const float *in, const int64_t *inStrides,
                           float *out, const int64_t *outStrides,
                           const int64_t *twExtents, const float *twiddles,
                           const int64_t *twStrides);
/// tessera_butterfly_f32 in c128.
void tessera_butterfly_c128(int64_t rank, int64_t axis, const int64_t *extents,
                            const double *in, const int64_t *inStrides,
                            double *out, const int64_t *outStrides,
                            const int64_t *twExtents, const double *twiddles,
                            const int64_t *twStrides);

/// Discretizes x' = A x + B u with the step `dt` for a dense n x n A and an
/// n x m B (n >= 1, m >= 0), computed in double: with `method` 0 the
/// zero-order hold, Abar = exp(dt A) and Bbar = A^-1 (exp(dt A) - I) B, read
/// from exp(dt [[A, B], [0, 0]]) = [[Abar, Bbar], [0, I]] (no inverse of A
/// is formed), the exponential by Higham's scaling and squaring with Pade
/// approximants of degree 3 to 13 (SIAM J. Matrix Anal. Appl. 26(4), 2005:
/// backward error at most 2^-53 ||dt M||_1 before rounding); with `method` 1
/// the bilinear transform, Abar = (I - dt/2 A)^-1 (I + dt/2 A) and Bbar =
/// (I - dt/2 A)^-1 dt B, by Gaussian elimination with partial pivoting.
/// Matrices are addressed by (row, column) element strides, two per
/// matrix; the outputs must not overlap the inputs. `work` holds at least
/// 8 (n + m)^2 doubles. A NaN or infinite input gives NaN results (zero-order
/// hold); a singular I - dt/2 A gives infinities or NaNs (bilinear).
void tessera_ssm_discretize_f32(int32_t method, int64_t n, int64_t m, double dt,
                                const float *a, const int64_t *aStrides,
                                const float *b, const int64_t *bStrides,
                                float *abar, const int64_t *abarStrides,
                                float *bbar, const int64_t *bbarStrides,
                                double *work);

/// tessera_ssm_discretize_f32 in f64.
void tessera_ssm_discretize_f64(int32_t method, int64_t n, int64_t m, double dt,
                                const double *a, const int64_t *aStrides,
                                const double *b, const int64_t *bStrides,
                                double *abar, const int64_t *abarStrides,
                                double *bbar, const int64_t *bbarStrides,
                                double *work);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TESSERA_RUNTIME_KERNELS_H
