//===- StructuredToKernels.cpp - structured ops to kernels ----------------===//
//
// structured.fwht becomes a call of tessera_fwht_f32/f64 (runtime/, the
// transform vectorized per ISA and threaded) that reads the input's buffer
// and writes a new one, and the Fourier transforms calls of the FFT kernels
// (FourierToKernels.cpp); structured.bitreverse becomes a linalg.generic
// that reads each element from the bit-reversed position. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/StructuredToKernels/StructuredToKernels.h"
#include "KernelCalls.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/MathExtras.h"

namespace tessera {
#define GEN_PASS_DEF_CONVERTSTRUCTUREDTOKERNELS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// structured.fwht -> the input's buffer, a new buffer for the result, and
/// `tessera_fwht_f32/f64(rank, axis, extents*, in*, inStrides*, out*,
/// outStrides*)` between them.
struct FwhtToKernel : OpRewritePattern<structured::FwhtOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::FwhtOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInput().getType();
    Type elementType = type.getElementType();
    // A complex tensor is transformed as its real and imaginary parts: a
    // real tensor with a trailing dimension of 2.
    unsigned parts = 1;
    if (auto complex = dyn_cast<ComplexType>(elementType)) {
      elementType = complex.getElementType();
      parts = 2;
    }
    int64_t n = type.getDimSize(op.getAxis());
    if (!elementType.isF32() && !elementType.isF64())
      return rewriter.notifyMatchFailure(op, "the kernel is f32 and f64 only");
    if (ShapedType::isDynamic(n) || !structured::isHadamardLength(n))
      return rewriter.notifyMatchFailure(
          op, "the kernel takes static lengths 2^k, 12, 20, 28 or 40 x 2^k");
    Location loc = op.getLoc();
    SmallVector<Value> extents = getExtents(rewriter, loc, op.getInput());
    rewriter.replaceOp(
        op, createTransformCall(rewriter, loc,
                                elementType.isF32() ? "tessera_fwht_f32"
                                                    : "tessera_fwht_f64",
                                op.getInput(), op.getAxis(), type, extents,
                                extents, {}, {}, parts));
    return success();
  }
};

/// structured.bitreverse -> y[..., i, ...] = x[..., rev(i), ...], a gather
/// in a linalg.generic (rev reverses the log2(n) bits of i).
struct BitReverseToGather : OpRewritePattern<structured::BitReverseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::BitReverseOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInput().getType();
    int64_t axis = op.getAxis(), n = type.getDimSize(axis);
    if (ShapedType::isDynamic(n) || !llvm::isPowerOf2_64(n))
      return rewriter.notifyMatchFailure(op, "needs a static power of two");
    if (n == 1) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInput(), d));
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamicSizes);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value input = op.getInput();
    int64_t shift = 64 - llvm::Log2_64(n);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange(), ValueRange{init},
        ArrayRef<AffineMap>{identity}, iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d)
            indices.push_back(linalg::IndexOp::create(b, l, d));
          Value i =
              arith::IndexCastOp::create(b, l, b.getI64Type(), indices[axis]);
          Value reversed = LLVM::BitReverseOp::create(b, l, b.getI64Type(), i);
          reversed = arith::ShRUIOp::create(
              b, l, reversed,
              arith::ConstantIntOp::create(b, l, b.getI64Type(), shift));
          indices[axis] =
              arith::IndexCastOp::create(b, l, b.getIndexType(), reversed);
          Value element = tensor::ExtractOp::create(b, l, input, indices);
          linalg::YieldOp::create(b, l, element);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// The zero of element type `type` (what an out-of-range read gives).
Value createZero(OpBuilder &b, Location loc, Type type) {
  if (auto complex = dyn_cast<ComplexType>(type)) {
    Attribute zero = b.getFloatAttr(complex.getElementType(), 0.0);
    return complex::ConstantOp::create(b, loc, type,
                                       b.getArrayAttr({zero, zero}));
  }
  return arith::ConstantOp::create(b, loc,
                                   cast<TypedAttr>(b.getZeroAttr(type)));
}

/// structured.permute -> y[..., i, ...] = x[..., perm[i], ...] in a
/// linalg.generic, zero where perm[i] is outside [0, n).
struct PermuteToGather : OpRewritePattern<structured::PermuteOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::PermuteOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    SmallVector<Value> extents = getExtents(rewriter, loc, op.getInput());
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(extents[d]);
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamicSizes);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap alongAxis = AffineMap::get(
        rank, 0, rewriter.getAffineDimExpr(axis), rewriter.getContext());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    // What an index out of range reads: zero, or the op's out_of_range.
    auto outOfRange = [&](OpBuilder &b, Location l) -> Value {
      Type element = type.getElementType();
      if (std::optional<int64_t> value = op.getOutOfRange())
        return arith::ConstantOp::create(b, l,
                                         b.getIntegerAttr(element, *value));
      return createZero(b, l, element);
    };
    Value input = op.getInput(), length = extents[axis];
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{op.getPerm()}, ValueRange{init},
        ArrayRef<AffineMap>{alongAxis, identity}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d)
            indices.push_back(linalg::IndexOp::create(b, l, d));
          Value j = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value inRange = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, j, zero),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j,
                                    length));
          indices[axis] = arith::SelectOp::create(b, l, inRange, j, zero);
          Value element = tensor::ExtractOp::create(b, l, input, indices);
          Value result =
              arith::SelectOp::create(b, l, inRange, element, outOfRange(b, l));
          linalg::YieldOp::create(b, l, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct ConvertStructuredToKernelsPass
    : tessera::impl::ConvertStructuredToKernelsBase<
          ConvertStructuredToKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateStructuredToKernelsPatterns(patterns);
    ConversionTarget target(getContext());
    target
        .addIllegalOp<structured::FwhtOp, structured::BitReverseOp,
                      structured::FftOp, structured::IfftOp, structured::RfftOp,
                      structured::IrfftOp, structured::ButterflyOp,
                      structured::FftTwiddlesOp, structured::PermuteOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tessera::populateStructuredToKernelsPatterns(RewritePatternSet &patterns) {
  patterns.add<FwhtToKernel, BitReverseToGather, PermuteToGather>(
      patterns.getContext());
  populateFourierToKernelsPatterns(patterns);
  populateFactorsToKernelsPatterns(patterns);
}
