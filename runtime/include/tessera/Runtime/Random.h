//===- Random.h - Seeded, portable tensor data generation -------*- C++ -*-===//
//
// A xoshiro256** generator seeded through splitmix64. It uses only integer
// arithmetic and exact floating-point operations, so a seed produces the same
// bits on every machine and compiler.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_RANDOM_H
#define TESSERA_RUNTIME_RANDOM_H

#include "tessera/Runtime/HostTensor.h"

#include <cstdint>

namespace tessera {

/// xoshiro256** (Blackman & Vigna), state expanded from a 64-bit seed with
/// splitmix64 as its authors recommend.
class RandomGenerator {
public:
  explicit RandomGenerator(uint64_t seed);

  /// The next 64 uniformly distributed bits.
  uint64_t next();
  /// Uniform on the grid {k * 2^-(bits-1) - 1 : 0 <= k < 2^bits}, i.e. in
  /// [-1, 1) with `bits` random bits (1 <= bits <= 53).
  double uniformSigned(unsigned bits);
  /// Uniform integer in [lo, hi] (hi - lo < 2^32; the multiply-shift mapping
  /// has a bias below 2^-32, far under anything a test can observe).
  int64_t uniformInt(int64_t lo, int64_t hi);

private:
  uint64_t state[4];
};

/// Fills `tensor` from `rng`, element by element in row-major order:
///  - F64: uniform in [-1, 1) with 53 random bits; F32: 24 bits; F16: 11
///    bits; BF16: 8 bits (so every value is exactly representable and never
///    rounds up to 1);
///  - C64/C128: real then imaginary part, each like F32/F64;
///  - I32/I64: uniform in [-10, 10];
///  - Bool: 0 or 1 with equal probability.
void fillRandom(HostTensor &tensor, RandomGenerator &rng);
/// Same as fillRandom with a fresh generator seeded with `seed`.
void fillRandom(HostTensor &tensor, uint64_t seed);

} // namespace tessera

#endif // TESSERA_RUNTIME_RANDOM_H
