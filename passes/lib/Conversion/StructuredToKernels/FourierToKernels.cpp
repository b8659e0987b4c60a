//===- FourierToKernels.cpp - Fourier transforms to FFT kernels -----------===//
//
// structured.fft/ifft/rfft/irfft on tensors become calls of the runtime's
// FFT kernels (runtime/lib/Kernels/Fft*.cpp): plans per length cached at run
// time, any length, any axis, batches threaded. Each reads the input's
// buffer in place and writes a new one.
//
//===----------------------------------------------------------------------===//

#include "KernelCalls.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tessera;

namespace {

/// True when complex type `type` has f32 parts (else f64).
bool isSinglePrecision(Type type) {
  if (auto complex = dyn_cast<ComplexType>(type))
    type = complex.getElementType();
  return type.isF32();
}

/// fft and ifft -> `tessera_fft_c64/c128(..., inverse)`.
template <typename OpTy, bool Inverse>
struct FftToKernel : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getInput().getType();
    SmallVector<Value> extents = getExtents(rewriter, loc, op.getInput());
    Value inverse = arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI32Type(), Inverse ? 1 : 0);
    StringRef callee = isSinglePrecision(type.getElementType())
                           ? "tessera_fft_c64"
                           : "tessera_fft_c128";
    rewriter.replaceOp(op,
                       createTransformCall(rewriter, loc, callee, op.getInput(),
                                           op.getAxis(), type, extents, extents,
                                           {}, ValueRange{inverse}));
    return success();
  }
};

/// rfft -> `tessera_rfft_f32/f64` with the input's extents; the result has
/// n / 2 + 1 terms along the axis.
struct RfftToKernel : OpRewritePattern<structured::RfftOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::RfftOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    SmallVector<Value> extents = getExtents(rewriter, loc, op.getInput());
    SmallVector<Value> resultSizes = extents;
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value two = arith::ConstantIndexOp::create(rewriter, loc, 2);
    resultSizes[axis] = arith::AddIOp::create(
        rewriter, loc,
        arith::DivUIOp::create(rewriter, loc, extents[axis], two), one);
    StringRef callee =
        isSinglePrecision(op.getInput().getType().getElementType())
            ? "tessera_rfft_f32"
            : "tessera_rfft_f64";
    rewriter.replaceOp(op, createTransformCall(
                               rewriter, loc, callee, op.getInput(), axis,
                               op.getResult().getType(), resultSizes, extents));
    return success();
  }
};

/// irfft -> `tessera_irfft_c64/c128` with the result's extents and the
/// input's length along the axis.
struct IrfftToKernel : OpRewritePattern<structured::IrfftOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::IrfftOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    SmallVector<Value> inExtents = getExtents(rewriter, loc, op.getInput());
    SmallVector<Value> resultSizes = inExtents;
    resultSizes[axis] = op.getLength();
    Value inLength = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getI64Type(), inExtents[axis]);
    StringRef callee =
        isSinglePrecision(op.getInput().getType().getElementType())
            ? "tessera_irfft_c64"
            : "tessera_irfft_c128";
    rewriter.replaceOp(
        op, createTransformCall(rewriter, loc, callee, op.getInput(), axis,
                                op.getResult().getType(), resultSizes,
                                resultSizes, ValueRange{inLength}));
    return success();
  }
};

} // namespace

void tessera::populateFourierToKernelsPatterns(RewritePatternSet &patterns) {
  patterns
      .add<FftToKernel<structured::FftOp, false>,
           FftToKernel<structured::IfftOp, true>, RfftToKernel, IrfftToKernel>(
          patterns.getContext());
}
