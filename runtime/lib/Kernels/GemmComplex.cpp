//===- GemmComplex.cpp - Complex GEMM through the real kernels ------------===//
//
// tessera_gemm_c64/c128 (Kernels.h) as one real GEMM of twice the rows and
// columns: with interleaved storage, a complex m x k matrix A is a real
// m x 2k matrix A' (when its rows are contiguous), C a real m x 2n matrix
// C', and C = A B is C' = A' B' where B' (2k x 2n) holds each b = br + i bi
// as the block [[br, bi], [-bi, br]]. That costs the 4 m n k real
// multiply-adds the complex product needs, in the real kernels' packed,
// vectorized and threaded micro-kernels, plus one pass that builds B' (2x
// B's size). A conjugated A, or an A or C whose rows are not contiguous,
// goes through a contiguous copy.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include <cstdlib>
#include <cstring>
#include <utility>

namespace {

template <typename T> struct RealGemm;
template <> struct RealGemm<float> {
  static constexpr auto run = tessera_gemm_f32;
};
template <> struct RealGemm<double> {
  static constexpr auto run = tessera_gemm_f64;
};

/// A complex operand: interleaved (re, im) with strides in complex elements.
template <typename T> struct Operand {
  const T *data;
  int64_t batch, row, col;
};

/// Builds B' (batch x 2k x 2n, contiguous) from B (batch x k x n).
template <typename T>
void expandB(Operand<T> b, int64_t batch, int64_t k, int64_t n, bool conj,
             T *out) {
  T sign = conj ? T(-1) : T(1);
  for (int64_t z = 0; z < batch; ++z)
    for (int64_t j = 0; j < k; ++j) {
      T *top = out + (z * 2 * k + 2 * j) * 2 * n, *bottom = top + 2 * n;
      const T *row = b.data + 2 * (z * b.batch + j * b.row);
      for (int64_t l = 0; l < n; ++l) {
        T re = row[2 * l * b.col], im = sign * row[2 * l * b.col + 1];
        top[2 * l] = re;
        top[2 * l + 1] = im;
        bottom[2 * l] = -im;
        bottom[2 * l + 1] = re;
      }
    }
}

/// Copies A (batch x m x k) into a contiguous buffer, conjugated if asked.
template <typename T>
void packA(Operand<T> a, int64_t batch, int64_t m, int64_t k, bool conj,
           T *out) {
  T sign = conj ? T(-1) : T(1);
  for (int64_t z = 0; z < batch; ++z)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j) {
        const T *x = a.data + 2 * (z * a.batch + i * a.row + j * a.col);
        T *y = out + 2 * ((z * m + i) * k + j);
        y[0] = x[0];
        y[1] = sign * x[1];
      }
}

/// C = (C + T) * or / scalar (epilogue 1 or 2), or C = T scaled, with
/// `overwrite`; T contiguous batch x m x n.
template <typename T>
void scatterC(const T *t, T *c, int64_t scb, int64_t scm, int64_t scn,
              int64_t batch, int64_t m, int64_t n, bool overwrite, int epilogue,
              T scalar) {
  for (int64_t z = 0; z < batch; ++z)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t l = 0; l < n; ++l) {
        const T *x = t + 2 * ((z * m + i) * n + l);
        T *y = c + 2 * (z * scb + i * scm + l * scn);
        for (int p = 0; p < 2; ++p) {
          T v = overwrite ? x[p] : y[p] + x[p];
          y[p] = epilogue == 1 ? v * scalar : epilogue == 2 ? v / scalar : v;
        }
      }
}

/// The product term by term, with no memory: the fallback when the buffers
/// cannot be allocated.
template <typename T>
void directGemm(int64_t batch, int64_t m, int64_t n, int64_t k, Operand<T> a,
                Operand<T> b, T *c, int64_t scb, int64_t scm, int64_t scn,
                bool overwrite, int epilogue, T scalar, bool conjA,
                bool conjB) {
  T signA = conjA ? T(-1) : T(1), signB = conjB ? T(-1) : T(1);
  for (int64_t z = 0; z < batch; ++z)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t l = 0; l < n; ++l) {
        T re = 0, im = 0;
        for (int64_t j = 0; j < k; ++j) {
          const T *x = a.data + 2 * (z * a.batch + i * a.row + j * a.col);
          const T *y = b.data + 2 * (z * b.batch + j * b.row + l * b.col);
          T xr = x[0], xi = signA * x[1], yr = y[0], yi = signB * y[1];
          re += xr * yr - xi * yi;
          im += xr * yi + xi * yr;
        }
        T sum[2] = {re, im};
        scatterC(sum, c + 2 * (z * scb + i * scm + l * scn), 0, 0, 0, 1, 1, 1,
                 overwrite, epilogue, scalar);
      }
}

template <typename T>
void runComplexGemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                    Operand<T> a, Operand<T> b, T *c, int64_t scb, int64_t scm,
                    int64_t scn, bool overwrite, int epilogue, double scalar,
                    int conj) {
  if (batch <= 0 || m <= 0 || n <= 0 || (k <= 0 && !overwrite && epilogue == 0))
    return;
  bool conjA = conj & 1, conjB = conj & 2;
  // C contiguous down its columns: C^T = B^T A^T (the conjugations follow).
  if (scn != 1 && scm == 1) {
    std::swap(m, n);
    std::swap(a, b);
    std::swap(a.row, a.col);
    std::swap(b.row, b.col);
    std::swap(scm, scn);
    std::swap(conjA, conjB);
  }
  k = k > 0 ? k : 0;
  // An operand broadcast over the batch (stride 0) is expanded or copied
  // once.
  int64_t bBatch = b.batch == 0 ? 1 : batch,
          aBatches = a.batch == 0 ? 1 : batch;
  bool copyA = conjA || a.col != 1, copyC = scn != 1;
  size_t bElems = size_t(bBatch) * 4 * size_t(k) * size_t(n);
  size_t aElems = copyA ? size_t(aBatches) * 2 * size_t(m) * size_t(k) : 0;
  size_t cElems = copyC ? size_t(batch) * 2 * size_t(m) * size_t(n) : 0;
  T *memory =
      static_cast<T *>(std::malloc((bElems + aElems + cElems + 1) * sizeof(T)));
  if (!memory)
    return directGemm(batch, m, n, k, a, b, c, scb, scm, scn, overwrite,
                      epilogue, T(scalar), conjA, conjB);
  T *bx = memory, *ax = bx + bElems, *cx = ax + aElems;
  expandB(b, bBatch, k, n, conjB, bx);
  const T *aReal = a.data;
  int64_t aBatch = 2 * a.batch, aRow = 2 * a.row;
  if (copyA) {
    packA(a, aBatches, m, k, conjA, ax);
    aReal = ax;
    aBatch = a.batch == 0 ? 0 : 2 * m * k;
    aRow = 2 * k;
  }
  T *cReal = copyC ? cx : c;
  int64_t cBatch = copyC ? 2 * m * n : 2 * scb;
  int64_t cRow = copyC ? 2 * n : 2 * scm;
  bool realOverwrite = copyC || overwrite;
  RealGemm<T>::run(batch, m, 2 * n, 2 * k, aReal, aBatch, aRow, 1, bx,
                   b.batch == 0 ? 0 : 4 * k * n, 2 * n, 1, cReal, cBatch, cRow,
                   1, realOverwrite ? 1 : 0, copyC ? 0 : epilogue, scalar);
  if (copyC)
    scatterC(cx, c, scb, scm, scn, batch, m, n, overwrite, epilogue, T(scalar));
  std::free(memory);
}

} // namespace

extern "C" void tessera_gemm_c64(int64_t batch, int64_t m, int64_t n, int64_t k,
                                 const float *a, int64_t sab, int64_t sam,
                                 int64_t sak, const float *b, int64_t sbb,
                                 int64_t sbk, int64_t sbn, float *c,
                                 int64_t scb, int64_t scm, int64_t scn,
                                 int32_t overwrite, int32_t epilogue,
                                 double scalar, int32_t conj) {
  runComplexGemm<float>(batch, m, n, k, {a, sab, sam, sak}, {b, sbb, sbk, sbn},
                        c, scb, scm, scn, overwrite != 0, epilogue, scalar,
                        conj);
}

extern "C" void tessera_gemm_c128(
    int64_t batch, int64_t m, int64_t n, int64_t k, const double *a,
    int64_t sab, int64_t sam, int64_t sak, const double *b, int64_t sbb,
    int64_t sbk, int64_t sbn, double *c, int64_t scb, int64_t scm, int64_t scn,
    int32_t overwrite, int32_t epilogue, double scalar, int32_t conj) {
  runComplexGemm<double>(batch, m, n, k, {a, sab, sam, sak}, {b, sbb, sbk, sbn},
                         c, scb, scm, scn, overwrite != 0, epilogue, scalar,
                         conj);
}
