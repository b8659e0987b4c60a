//===- FourierToKernels.cpp - Fourier transforms to FFT kernels -----------===//
//
// structured.fft/ifft/rfft/irfft on tensors become calls of the runtime's
// FFT kernels (runtime/lib/Kernels/Fft*.cpp), and structured.causal_conv of
// the convolution kernel built on them (CausalConv.cpp): any length, any
// axis, batches threaded, plans cached per length at run time. Each reads the
// input's buffer in place and writes a new one. When the length is known here,
// its twiddles are computed here: the unit-root table that the plan reads
// (tessera/Runtime/UnitRoots.h) becomes a constant global of the program,
// so that no sine or cosine is evaluated at run time.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/StructuredToKernels/KernelCalls.h"
#include "tessera/Conversion/StructuredToKernels/StructuredToKernels.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"
#include "tessera/Runtime/UnitRoots.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tessera;

namespace {

/// The f32 or f64 parts of a real or complex element type.
FloatType getPartType(Type type) {
  if (auto complex = dyn_cast<ComplexType>(type))
    type = complex.getElementType();
  return cast<FloatType>(type);
}

/// True when `type` (real or complex) has f32 parts (else f64).
bool isSinglePrecision(Type type) { return getPartType(type).isF32(); }

/// The constant global holding the unit-root table of `order` in `part`
/// (f32 or f64), created once per module.
memref::GlobalOp getRootTableGlobal(ModuleOp module, int64_t order,
                                    FloatType part) {
  std::string name = "__tessera_unit_roots_" +
                     std::string(part.isF32() ? "f32_" : "f64_") +
                     std::to_string(order);
  if (auto existing = module.lookupSymbol<memref::GlobalOp>(name))
    return existing;
  int64_t entries = unitRootEntries(order);
  auto type = RankedTensorType::get({entries, 2}, part);
  DenseElementsAttr values;
  if (part.isF32()) {
    std::vector<float> table(2 * entries);
    fillUnitRoots(order, table.data());
    values = DenseElementsAttr::get(type, llvm::ArrayRef(table));
  } else {
    std::vector<double> table(2 * entries);
    fillUnitRoots(order, table.data());
    values = DenseElementsAttr::get(type, llvm::ArrayRef(table));
  }
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  return memref::GlobalOp::create(b, module.getLoc(), name,
                                  b.getStringAttr("private"),
                                  MemRefType::get({entries, 2}, part), values,
                                  /*constant=*/true, b.getI64IntegerAttr(64));
}

/// The kernel arguments (roots, rootOrder) for transforms of `length`
/// along the axis: the address of the table of order fftRootOrder(length)
/// when the length is static, else a null pointer and order 0 (the kernel
/// computes the table when it first plans the length).
SmallVector<Value, 2> getRootArguments(PatternRewriter &rewriter, Location loc,
                                       int64_t length, FloatType part) {
  Type i64 = rewriter.getI64Type();
  auto pointerType = LLVM::LLVMPointerType::get(rewriter.getContext());
  if (ShapedType::isDynamic(length) || length < 1)
    return {LLVM::ZeroOp::create(rewriter, loc, pointerType),
            arith::ConstantIntOp::create(rewriter, loc, i64, 0)};
  int64_t order = fftRootOrder(length);
  auto module =
      rewriter.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  memref::GlobalOp global = getRootTableGlobal(module, order, part);
  Value table = memref::GetGlobalOp::create(rewriter, loc, global.getType(),
                                            global.getSymName());
  Value address = arith::IndexCastOp::create(
      rewriter, loc, i64,
      memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc, table));
  return {LLVM::IntToPtrOp::create(rewriter, loc, pointerType, address),
          arith::ConstantIntOp::create(rewriter, loc, i64, order)};
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
    SmallVector<Value> after = {inverse};
    llvm::append_range(
        after, getRootArguments(rewriter, loc, type.getDimSize(op.getAxis()),
                                getPartType(type.getElementType())));
    rewriter.replaceOp(op,
                       createTransformCall(rewriter, loc, callee, op.getInput(),
                                           op.getAxis(), type, extents, extents,
                                           {}, after));
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
    RankedTensorType type = op.getInput().getType();
    StringRef callee = isSinglePrecision(type.getElementType())
                           ? "tessera_rfft_f32"
                           : "tessera_rfft_f64";
    SmallVector<Value, 2> roots =
        getRootArguments(rewriter, loc, type.getDimSize(axis),
                         getPartType(type.getElementType()));
    rewriter.replaceOp(op,
                       createTransformCall(rewriter, loc, callee, op.getInput(),
                                           axis, op.getResult().getType(),
                                           resultSizes, extents, {}, roots));
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
    Type element = op.getInput().getType().getElementType();
    StringRef callee =
        isSinglePrecision(element) ? "tessera_irfft_c64" : "tessera_irfft_c128";
    SmallVector<Value, 2> roots = getRootArguments(
        rewriter, loc, op.getResult().getType().getDimSize(axis),
        getPartType(element));
    rewriter.replaceOp(
        op, createTransformCall(rewriter, loc, callee, op.getInput(), axis,
                                op.getResult().getType(), resultSizes,
                                resultSizes, ValueRange{inLength}, roots));
    return success();
  }
};

/// causal_conv -> `tessera_causal_conv_<t>` with the kernel's rank,
/// extents, buffer and strides after the input's extents, and the root
/// table of the transforms of 2L (the kernel reads the kernel's buffer in
/// place, as it reads the input's).
struct CausalConvToKernel : OpRewritePattern<structured::CausalConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(structured::CausalConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    RankedTensorType type = op.getInput().getType();
    Type element = type.getElementType();
    SmallVector<Value> extents = getExtents(rewriter, loc, op.getInput());
    Value kernel = op.getKernel();
    auto [kPointer, kStrides] = getBufferArguments(rewriter, loc, kernel);
    Type i64 = rewriter.getI64Type();
    SmallVector<Value> before = {
        arith::ConstantIntOp::create(
            rewriter, loc, i64,
            cast<RankedTensorType>(kernel.getType()).getRank()),
        getArrayPointer(rewriter, loc, getExtents(rewriter, loc, kernel)),
        kPointer, kStrides};
    int64_t length = type.getDimSize(axis);
    if (!ShapedType::isDynamic(length))
      length *= 2;
    bool complex = isa<ComplexType>(element);
    StringRef callee =
        isSinglePrecision(element)
            ? (complex ? "tessera_causal_conv_c64" : "tessera_causal_conv_f32")
            : (complex ? "tessera_causal_conv_c128"
                       : "tessera_causal_conv_f64");
    SmallVector<Value, 2> roots =
        getRootArguments(rewriter, loc, length, getPartType(element));
    rewriter.replaceOp(
        op, createTransformCall(rewriter, loc, callee, op.getInput(), axis,
                                type, extents, extents, before, roots));
    return success();
  }
};

} // namespace

void tessera::populateFourierToKernelsPatterns(RewritePatternSet &patterns) {
  patterns.add<FftToKernel<structured::FftOp, false>,
               FftToKernel<structured::IfftOp, true>, RfftToKernel,
               IrfftToKernel, CausalConvToKernel>(patterns.getContext());
}
