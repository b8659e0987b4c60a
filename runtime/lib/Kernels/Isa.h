//===- Isa.h - The vector ISA the kernels dispatch to -----------*- C++ -*-===//
//
// Internal: the widest vector instruction set of this CPU that the kernels
// have a variant for, detected once (Gemm.cpp, Fwht.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_ISA_H
#define TESSERA_RUNTIME_KERNELS_ISA_H

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace tessera::kernels {

enum class Isa { AVX512, AVX2, Generic };

/// The widest ISA the CPU supports, narrowed by TESSERA_GEMM_ISA.
inline Isa detectIsa() {
  const char *requested = std::getenv("TESSERA_GEMM_ISA");
  bool allowAVX512 = !requested || !std::strcmp(requested, "avx512");
  bool allowAVX2 = allowAVX512 || !std::strcmp(requested, "avx2");
#if defined(__x86_64__) && defined(TESSERA_KERNELS_X86)
  __builtin_cpu_init();
  if (allowAVX512 && __builtin_cpu_supports("avx512f"))
    return Isa::AVX512;
  if (allowAVX2 && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma"))
    return Isa::AVX2;
#else
  (void)allowAVX2;
#endif
  return Isa::Generic;
}

/// The ISA, detected on first use. A plain atomic rather than a static
/// local: the kernels use no C++ runtime (no guard variables), and a race
/// only detects twice.
inline std::atomic<int> detectedIsa{-1};

inline Isa getIsa() {
  int isa = detectedIsa.load(std::memory_order_relaxed);
  if (isa < 0) {
    isa = int(detectIsa());
    detectedIsa.store(isa, std::memory_order_relaxed);
  }
  return Isa(isa);
}

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_ISA_H
