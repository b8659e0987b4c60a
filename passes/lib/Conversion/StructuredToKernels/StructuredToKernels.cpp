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
#include "tessera/Conversion/Passes.h"
#include "tessera/Conversion/StructuredToKernels/KernelCalls.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"
#include "tessera/Runtime/SizeRules.h"

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
    // A dynamic length reaches the kernel as an extent; the entry's size
    // checks (or Sema, for a literal) made sure it is one the kernel takes.
    if (!ShapedType::isDynamic(n) && !isFwhtLength(n))
      return rewriter.notifyMatchFailure(
          op, "the kernel takes lengths 2^k, 12, 20, 28 or 40 x 2^k");
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

/// The amount `rev` shifts the 64 reversed bits of an index right by to
/// reverse only its log2(n) low bits: the constant 64 - log2(n) for a static
/// length, else ctlz(n) (63 - log2(n)), with one more shift by 1 in
/// reverseIndex (so that n = 1 shifts by 64 in all, giving 0, where one
/// shift by 64 would be poison).
struct ReversalShift {
  Value amount;
  bool extraShift = false;
};

/// The shift for a length `n`, whose value is `length` when dynamic.
ReversalShift getReversalShift(OpBuilder &b, Location loc, int64_t n,
                               Value length) {
  Type i64 = b.getI64Type();
  if (!ShapedType::isDynamic(n))
    return {arith::ConstantIntOp::create(b, loc, i64, 64 - llvm::Log2_64(n)),
            false};
  Value wide = arith::IndexCastOp::create(b, loc, i64, length);
  return {math::CountLeadingZerosOp::create(b, loc, wide), true};
}

/// rev(i): the log2(n) low bits of the index `i` reversed.
Value reverseIndex(OpBuilder &b, Location loc, Value i,
                   const ReversalShift &shift) {
  Type i64 = b.getI64Type();
  Value wide = arith::IndexCastOp::create(b, loc, i64, i);
  Value reversed = LLVM::BitReverseOp::create(b, loc, i64, wide);
  reversed = arith::ShRUIOp::create(b, loc, reversed, shift.amount);
  if (shift.extraShift)
    reversed = arith::ShRUIOp::create(
        b, loc, reversed, arith::ConstantIntOp::create(b, loc, i64, 1));
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), reversed);
}

/// structured.bitreverse -> y[..., i, ...] = x[..., rev(i), ...], a gather
/// in a linalg.generic (rev reverses the log2(n) bits of i). A dynamic n is
/// a power of two by the entry's size checks.
struct BitReverseToGather : OpRewritePattern<structured::BitReverseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::BitReverseOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInput().getType();
    int64_t axis = op.getAxis(), n = type.getDimSize(axis);
    if (!ShapedType::isDynamic(n) && !isPowerOfTwoLength(n))
      return rewriter.notifyMatchFailure(op, "needs a power of two");
    if (n == 1) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    Value input = op.getInput();
    SmallVector<Value> dynamicSizes;
    Value length;
    for (int64_t d = 0; d < rank; ++d) {
      if (!type.isDynamicDim(d))
        continue;
      dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, input, d));
      if (d == axis)
        length = dynamicSizes.back();
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamicSizes);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    ReversalShift shift = getReversalShift(rewriter, loc, n, length);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange(), ValueRange{init},
        ArrayRef<AffineMap>{identity}, iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d)
            indices.push_back(linalg::IndexOp::create(b, l, d));
          indices[axis] = reverseIndex(b, l, indices[axis], shift);
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
    target.addIllegalOp<structured::FwhtOp, structured::BitReverseOp,
                        structured::FftOp, structured::IfftOp,
                        structured::RfftOp, structured::IrfftOp,
                        structured::CausalConvOp, structured::ButterflyOp,
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
