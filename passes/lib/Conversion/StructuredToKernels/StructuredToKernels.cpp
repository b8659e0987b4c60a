//===- StructuredToKernels.cpp - structured ops to kernels ----------------===//
//
// structured.fwht becomes a call of tessera_fwht_f32/f64 (runtime/, the
// transform vectorized per ISA and threaded) that reads the input's buffer
// and writes a new one; structured.bitreverse becomes a linalg.generic that
// reads each element from the bit-reversed position. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/StructuredToKernels/StructuredToKernels.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

/// `int64_t tessera_fwht_<t>(rank, axis, extents*, in*, inStrides*, out*,
/// outStrides*)`, declared once per module.
func::FuncOp getFwhtDecl(ModuleOp module, Type elementType) {
  StringRef name =
      elementType.isF32() ? "tessera_fwht_f32" : "tessera_fwht_f64";
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *ctx = module.getContext();
  Type i64 = IntegerType::get(ctx, 64), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> params = {i64, i64, ptr, ptr, ptr, ptr, ptr};
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   FunctionType::get(ctx, params, {}));
  decl.setPrivate();
  return decl;
}

/// The address of the first element of `buffer` (its aligned pointer plus
/// its offset), as an !llvm.ptr.
Value getElementPointer(OpBuilder &b, Location loc, Value buffer, Value offset,
                        int64_t elementBytes) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  if (offset) {
    Value bytes = arith::MulIOp::create(
        b, loc, offset, arith::ConstantIndexOp::create(b, loc, elementBytes));
    base = arith::AddIOp::create(b, loc, base, bytes);
  }
  Value address = arith::IndexCastOp::create(b, loc, b.getI64Type(), base);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), address);
}

/// A stack array of `values` (index), as an !llvm.ptr to its i64 elements.
Value getArrayPointer(OpBuilder &b, Location loc, ValueRange values) {
  auto type = MemRefType::get({int64_t(values.size())}, b.getI64Type());
  Value array = memref::AllocaOp::create(b, loc, type);
  for (auto [i, value] : llvm::enumerate(values)) {
    Value element = arith::IndexCastOp::create(b, loc, b.getI64Type(), value);
    memref::StoreOp::create(
        b, loc, element, array,
        ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
  }
  return getElementPointer(b, loc, array, Value(), 8);
}

/// structured.fwht -> the input's buffer, a new buffer for the result, and
/// the kernel call between them.
struct FwhtToKernel : OpRewritePattern<structured::FwhtOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::FwhtOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInput().getType();
    Type elementType = type.getElementType();
    int64_t n = type.getDimSize(op.getAxis());
    if (!elementType.isF32() && !elementType.isF64())
      return rewriter.notifyMatchFailure(op, "the kernel is f32 and f64 only");
    if (ShapedType::isDynamic(n) || !llvm::isPowerOf2_64(n))
      return rewriter.notifyMatchFailure(
          op, "the kernel takes static power-of-two lengths");
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    int64_t elementBytes = elementType.getIntOrFloatBitWidth() / 8;

    // The input as a buffer of any layout; the result in a new one.
    SmallVector<int64_t> dynamicStrides(rank, ShapedType::kDynamic);
    auto inType = MemRefType::get(type.getShape(), elementType,
                                  StridedLayoutAttr::get(getContext(),
                                                         ShapedType::kDynamic,
                                                         dynamicStrides));
    Value in =
        bufferization::ToBufferOp::create(rewriter, loc, inType, op.getInput(),
                                          /*read_only=*/true);
    SmallVector<Value> dynamicSizes, extents;
    for (int64_t d = 0; d < rank; ++d) {
      Value extent = tensor::DimOp::create(rewriter, loc, op.getInput(), d);
      extents.push_back(extent);
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(extent);
    }
    auto outType = MemRefType::get(type.getShape(), elementType);
    Value out = memref::AllocOp::create(rewriter, loc, outType, dynamicSizes,
                                        rewriter.getI64IntegerAttr(64));

    auto inMeta = memref::ExtractStridedMetadataOp::create(rewriter, loc, in);
    auto outMeta = memref::ExtractStridedMetadataOp::create(rewriter, loc, out);
    Value i64Rank = arith::ConstantIntOp::create(rewriter, loc,
                                                 rewriter.getI64Type(), rank);
    Value i64Axis = arith::ConstantIntOp::create(
        rewriter, loc, rewriter.getI64Type(), op.getAxis());
    SmallVector<Value> args = {
        i64Rank,
        i64Axis,
        getArrayPointer(rewriter, loc, extents),
        getElementPointer(rewriter, loc, in, inMeta.getOffset(), elementBytes),
        getArrayPointer(rewriter, loc, inMeta.getStrides()),
        getElementPointer(rewriter, loc, out, Value(), elementBytes),
        getArrayPointer(rewriter, loc, outMeta.getStrides())};
    auto module = op->getParentOfType<ModuleOp>();
    func::CallOp::create(rewriter, loc, getFwhtDecl(module, elementType), args);
    rewriter.replaceOpWithNewOp<bufferization::ToTensorOp>(
        op, type, out, /*restrict=*/true, /*writable=*/true);
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

struct ConvertStructuredToKernelsPass
    : tessera::impl::ConvertStructuredToKernelsBase<
          ConvertStructuredToKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateStructuredToKernelsPatterns(patterns);
    ConversionTarget target(getContext());
    target.addIllegalOp<structured::FwhtOp, structured::BitReverseOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tessera::populateStructuredToKernelsPatterns(RewritePatternSet &patterns) {
  patterns.add<FwhtToKernel, BitReverseToGather>(patterns.getContext());
}
