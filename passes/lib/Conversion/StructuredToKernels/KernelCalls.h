//===- KernelCalls.h - Calls of runtime transform kernels -------*- C++ -*-===//
//
// Internal to the structured-to-kernels conversion: the call of a runtime
// kernel (runtime/include/tessera/Runtime/Kernels.h) that transforms a
// tensor along one axis, reading the input's buffer in place and writing a
// new one.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_STRUCTUREDTOKERNELS_KERNELCALLS_H
#define TESSERA_CONVERSION_STRUCTUREDTOKERNELS_KERNELCALLS_H

#include "mlir/IR/PatternMatch.h"

namespace tessera {

/// Emits `callee(rank, axis, extents*, before..., in*, inStrides*, out*,
/// outStrides*, after...)` (declared in the module on first use): `in` is
/// `input`'s buffer in any strided layout, `out` a new buffer of
/// `resultType` with the extents `resultSizes` (one per dimension), and
/// strides count elements. With `parts` = 2, complex tensors are passed as
/// real ones with a trailing dimension of 2 (rank + 1, extents + [2],
/// strides counting reals), for a real kernel that transforms the real and
/// imaginary parts alike. Returns the result as a tensor.
mlir::Value
createTransformCall(mlir::PatternRewriter &rewriter, mlir::Location loc,
                    llvm::StringRef callee, mlir::Value input, int64_t axis,
                    mlir::RankedTensorType resultType,
                    mlir::ValueRange resultSizes, mlir::ValueRange extents,
                    mlir::ValueRange before = {}, mlir::ValueRange after = {},
                    unsigned parts = 1);

/// The buffer of the tensor `value` read in place, in any strided layout:
/// the address of its first element and a stack array of its element
/// strides, both as !llvm.ptr (for a kernel's `const T *, const int64_t *`).
/// With `parts` = 2, a complex tensor is passed as real numbers: the strides
/// count reals and gain a trailing 1 for the (re, im) dimension.
std::pair<mlir::Value, mlir::Value> getBufferArguments(mlir::OpBuilder &b,
                                                       mlir::Location loc,
                                                       mlir::Value value,
                                                       unsigned parts = 1);

/// A stack array of `values` (index), as an !llvm.ptr to its i64 elements
/// (a kernel's `const int64_t *`).
mlir::Value getArrayPointer(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::ValueRange values);

/// The extents of every dimension of the tensor `value`.
llvm::SmallVector<mlir::Value>
getExtents(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

/// Adds the patterns for fft, ifft, rfft, irfft and causal_conv
/// (FourierToKernels.cpp).
void populateFourierToKernelsPatterns(mlir::RewritePatternSet &patterns);

/// Adds the patterns for butterfly and fft_twiddles (FactorsToKernels.cpp).
void populateFactorsToKernelsPatterns(mlir::RewritePatternSet &patterns);

} // namespace tessera

#endif // TESSERA_CONVERSION_STRUCTUREDTOKERNELS_KERNELCALLS_H
