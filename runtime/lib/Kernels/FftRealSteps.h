//===- FftRealSteps.h - Real FFTs from half-length ones ---------*- C++ -*-===//
//
// Internal: the steps that turn a complex FFT of n / 2 into the real FFT of
// an even n and back (FftReal.cpp, CausalConv.cpp). The n reals x are the
// n / 2 complex numbers (x_2j, x_2j+1); `separate` splits their transform
// into the bins of the real one, `combineBin` is its inverse.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_FFTREALSTEPS_H
#define TESSERA_RUNTIME_KERNELS_FFTREALSTEPS_H

#include <cstdint>

namespace tessera::kernels::fft {

/// Bin k of the real row from a = z_k and b = conj(z_(h - k)) (even n):
/// X_k = E_k + w^k O_k with E = (a + b) / 2 and O = (a - b) / 2i the
/// transforms of the even and odd samples.
template <typename T>
inline void separateBin(const T *a, const T *b, const T *w, T *y) {
  T ar = a[0], ai = a[1], br = b[0], bi = -b[1];
  T er = (ar + br) / 2, ei = (ai + bi) / 2;
  T orr = (ai - bi) / 2, oi = -(ar - br) / 2;
  y[0] = er + w[0] * orr - w[1] * oi;
  y[1] = ei + w[0] * oi + w[1] * orr;
}

/// Bins k <= n / 2 of the real row whose half-length transform is z
/// (even n), into y (bins os apart).
template <typename T>
void separate(const T *z, const T *w, int64_t n, T *y, int64_t os) {
  int64_t h = n / 2;
  separateBin(z, z, w, y);
  for (int64_t k = 1; k < h; ++k)
    separateBin(z + 2 * k, z + 2 * (h - k), w + 2 * k, y + 2 * k * os);
  separateBin(z, z, w + 2 * h, y + 2 * h * os);
}

/// z_k = scale (E_k + i O_k) from bins a = X_k and b = conj(X_(h - k)),
/// O_k = (a - b) conj(w^k).
template <typename T>
inline void combineBin(T ar, T ai, T br, T bi, const T *w, T scale, T *z) {
  bi = -bi;
  T er = ar + br, ei = ai + bi, dr = ar - br, di = ai - bi;
  T wr = w[0], wi = -w[1];
  T orr = dr * wr - di * wi, oi = dr * wi + di * wr;
  z[0] = (er - oi) * scale;
  z[1] = (ei + orr) * scale;
}

} // namespace tessera::kernels::fft

#endif // TESSERA_RUNTIME_KERNELS_FFTREALSTEPS_H
