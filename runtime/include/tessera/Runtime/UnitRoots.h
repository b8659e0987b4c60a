//===- UnitRoots.h - Tables of the roots of unity ---------------*- C++ -*-===//
//
// The one definition of the unit-root tables that FFT plans read their
// twiddles from: the compiler builds the table of a length known at compile
// time into the program (StructuredToKernels), the FFT kernels build it at
// run time otherwise (runtime/lib/Kernels/FftPlan.cpp). A table of order R
// holds (cos 2 pi k / R, sin 2 pi k / R) for k = 0 .. unitRootEntries(R) - 1,
// computed in long double and rounded once: the first octant when 8 divides
// R, else the first half turn. Every other root follows by exact symmetries
// (swaps and sign changes), so a lookup equals the direct computation up to
// the rounding of the long double value. Header only, no dependencies.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_UNITROOTS_H
#define TESSERA_RUNTIME_UNITROOTS_H

#include <cmath>
#include <cstdint>

namespace tessera {

/// Entries (cos, sin) of the unit-root table of order `order` >= 1.
inline int64_t unitRootEntries(int64_t order) {
  return order % 8 == 0 ? order / 8 + 1 : order / 2 + 1;
}

/// The primes of the FFT kernels' stage radices, in ascending order.
inline constexpr int64_t kFftRadixPrimes[] = {2, 3, 5, 7, 11, 13};

/// Whether n >= 1 factors into kFftRadixPrimes; other lengths go through
/// Bluestein's convolution.
inline bool isFftSmoothLength(int64_t n) {
  for (int64_t p : kFftRadixPrimes)
    while (n % p == 0)
      n /= p;
  return n == 1;
}

/// The order of the unit-root table that the FFT plans of length n read
/// (complex or real): n when it is smooth, else 2 n (Bluestein's chirp).
inline int64_t fftRootOrder(int64_t n) {
  return isFftSmoothLength(n) ? n : 2 * n;
}

/// Fills `table` (2 unitRootEntries(order) values) with the unit-root table
/// of order `order`.
template <typename T> void fillUnitRoots(int64_t order, T *table) {
  const long double pi = 3.141592653589793238462643383279502884L;
  for (int64_t k = 0, e = unitRootEntries(order); k < e; ++k) {
    long double angle = 2.0L * pi * (long double)k / (long double)order;
    table[2 * k] = T(cosl(angle));
    table[2 * k + 1] = T(sinl(angle));
  }
}

/// (cos, sign sin) of 2 pi k / order from the table of order `order`, for
/// any k >= 0 and sign +1 or -1.
template <typename T>
void lookUpUnitRoot(const T *table, int64_t order, int64_t k, int sign, T *c,
                    T *s) {
  k %= order;
  T re, im;
  if (order % 8 == 0) {
    int64_t quarter = order / 4, q = k / quarter, r = k % quarter;
    // The angle within the quadrant, past the octant by symmetry about pi/4.
    if (r <= order / 8) {
      re = table[2 * r];
      im = table[2 * r + 1];
    } else {
      re = table[2 * (quarter - r) + 1];
      im = table[2 * (quarter - r)];
    }
    // Each quarter turn maps (re, im) to (-im, re).
    for (; q > 0; --q) {
      T t = re;
      re = -im;
      im = t;
    }
  } else if (2 * k <= order) {
    re = table[2 * k];
    im = table[2 * k + 1];
  } else {
    re = table[2 * (order - k)];
    im = -table[2 * (order - k) + 1];
  }
  *c = re;
  *s = sign < 0 ? -im : im;
}

} // namespace tessera

#endif // TESSERA_RUNTIME_UNITROOTS_H
