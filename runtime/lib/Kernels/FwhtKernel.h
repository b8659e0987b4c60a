//===- FwhtKernel.h - One Walsh-Hadamard transform per ISA ------*- C++ -*-===//
//
// Internal interface between Fwht.cpp (layouts, dispatch, threads) and the
// per-ISA translation units FwhtAVX512.cpp, FwhtAVX2.cpp and FwhtGeneric.cpp,
// which compile FwhtKernel.inc for different vector widths.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_FWHTKERNEL_H
#define TESSERA_RUNTIME_KERNELS_FWHTKERNEL_H

#include <cstdint>

namespace tessera::kernels {

/// The unnormalized Walsh-Hadamard transform of the contiguous x[0, n), in
/// place: H_n for n a power of two, kron(H_m, H_{2^k}) for n = m 2^k with m
/// in {12, 20, 28, 40} (FwhtSpecial.h); any other n leaves x untouched.
void fwhtAVX512F32(float *x, int64_t n);
void fwhtAVX512F64(double *x, int64_t n);
void fwhtAVX2F32(float *x, int64_t n);
void fwhtAVX2F64(double *x, int64_t n);
void fwhtGenericF32(float *x, int64_t n);
void fwhtGenericF64(double *x, int64_t n);

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_FWHTKERNEL_H
