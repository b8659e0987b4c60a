//===- Random.cpp - Seeded, portable tensor data generation ---------------===//

#include "tessera/Runtime/Random.h"

#include "tessera/Runtime/Convert.h"

#include <cassert>
#include <cmath>
#include <cstring>

using namespace tessera;

static uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

RandomGenerator::RandomGenerator(uint64_t seed) {
  // splitmix64 never yields an all-zero state from four consecutive outputs.
  for (uint64_t &word : state)
    word = splitmix64(seed);
}

uint64_t RandomGenerator::next() {
  uint64_t result = rotl(state[1] * 5, 7) * 9;
  uint64_t t = state[1] << 17;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 45);
  return result;
}

double RandomGenerator::uniformSigned(unsigned bits) {
  assert(bits >= 1 && bits <= 53 && "bits out of range");
  // Both steps are exact in double: k < 2^bits <= 2^53, and k * 2^(1-bits)
  // minus one is a multiple of 2^(1-bits) below 2 in magnitude.
  uint64_t k = next() >> (64 - bits);
  return std::ldexp(static_cast<double>(k), 1 - static_cast<int>(bits)) - 1.0;
}

int64_t RandomGenerator::uniformInt(int64_t lo, int64_t hi) {
  assert(lo <= hi && static_cast<uint64_t>(hi - lo) < (uint64_t(1) << 32) &&
         "range too large");
  uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
  // Multiply-shift maps 32 random bits onto [0, range) without division.
  return lo + static_cast<int64_t>(((next() >> 32) * range) >> 32);
}

template <typename T>
static void storeAt(HostTensor &tensor, int64_t index, T value) {
  std::memcpy(static_cast<char *>(tensor.data()) + index * sizeof(T), &value,
              sizeof(T));
}

void tessera::fillRandom(HostTensor &tensor, RandomGenerator &rng) {
  int64_t count = tensor.getNumElements();
  for (int64_t i = 0; i < count; ++i) {
    switch (tensor.getDType()) {
    case DType::Bool:
      storeAt<uint8_t>(tensor, i, static_cast<uint8_t>(rng.next() >> 63));
      break;
    case DType::I32:
      storeAt<int32_t>(tensor, i,
                       static_cast<int32_t>(rng.uniformInt(-10, 10)));
      break;
    case DType::I64:
      storeAt<int64_t>(tensor, i, rng.uniformInt(-10, 10));
      break;
    case DType::F16:
      storeAt<uint16_t>(tensor, i, roundToF16(rng.uniformSigned(11)));
      break;
    case DType::BF16:
      storeAt<uint16_t>(tensor, i, roundToBF16(rng.uniformSigned(8)));
      break;
    case DType::F32:
      storeAt<float>(tensor, i, static_cast<float>(rng.uniformSigned(24)));
      break;
    case DType::F64:
      storeAt<double>(tensor, i, rng.uniformSigned(53));
      break;
    case DType::C64: {
      // Evaluation order of function arguments is unspecified: draw in
      // separate statements so the real part always comes first.
      float re = static_cast<float>(rng.uniformSigned(24));
      float im = static_cast<float>(rng.uniformSigned(24));
      storeAt<float>(tensor, 2 * i, re);
      storeAt<float>(tensor, 2 * i + 1, im);
      break;
    }
    case DType::C128: {
      double re = rng.uniformSigned(53);
      double im = rng.uniformSigned(53);
      storeAt<double>(tensor, 2 * i, re);
      storeAt<double>(tensor, 2 * i + 1, im);
      break;
    }
    }
  }
}

void tessera::fillRandom(HostTensor &tensor, uint64_t seed) {
  RandomGenerator rng(seed);
  fillRandom(tensor, rng);
}
