//===- StructuredToKernels.h - structured ops to kernels --------*- C++ -*-===//
//
// Patterns that lower structured-dialect ops on tensors: the Walsh-Hadamard
// transform to a call of the runtime kernel (through a buffer of its own),
// bit reversal to a linalg.generic gather.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_STRUCTUREDTOKERNELS_STRUCTUREDTOKERNELS_H
#define TESSERA_CONVERSION_STRUCTUREDTOKERNELS_STRUCTUREDTOKERNELS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tessera {

/// Adds the patterns that rewrite structured.fwht and structured.bitreverse
/// on tensors (see the convert-structured-to-kernels pass), and those of
/// the two functions below.
void populateStructuredToKernelsPatterns(mlir::RewritePatternSet &patterns);

/// Adds the patterns for fft, ifft, rfft, irfft and causal_conv
/// (FourierToKernels.cpp).
void populateFourierToKernelsPatterns(mlir::RewritePatternSet &patterns);

/// Adds the patterns for butterfly and fft_twiddles (FactorsToKernels.cpp).
void populateFactorsToKernelsPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_STRUCTUREDTOKERNELS_STRUCTUREDTOKERNELS_H
