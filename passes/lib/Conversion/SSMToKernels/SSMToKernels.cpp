//===- SSMToKernels.cpp - ssm ops to runtime kernels ----------------------===//
//
// ssm.discretize becomes a call of tessera_ssm_discretize_f32/f64 (runtime/,
// Kernels.h) that reads A and B through their buffers and writes Abar and
// Bbar into new ones, with a workspace of 8 (n + m)^2 doubles allocated
// for the call. A vector B ([N], one input) is passed as an [N, 1] matrix.
// See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/SSMToKernels/SSMToKernels.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Conversion/StructuredToKernels/KernelCalls.h"
#include "tessera/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tessera {
#define GEN_PASS_DEF_CONVERTSSMTOKERNELS
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// The extents of `type`'s dynamic dimensions, from `extents` (one per
/// dimension).
SmallVector<Value> dynamicExtents(RankedTensorType type, ValueRange extents) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(extents[d]);
  return sizes;
}

/// The element count of the kernel's workspace, 8 (n + m)^2.
Value workspaceSize(OpBuilder &b, Location loc, Value n, Value m) {
  Value k = arith::AddIOp::create(b, loc, n, m);
  Value square = arith::MulIOp::create(b, loc, k, k);
  return arith::MulIOp::create(b, loc, square,
                               arith::ConstantIndexOp::create(b, loc, 8));
}

/// ssm.discretize -> `tessera_ssm_discretize_<t>(method, n, m, dt, a*,
/// aStrides*, b*, bStrides*, abar*, abarStrides*, bbar*, bbarStrides*,
/// work*)`.
struct DiscretizeToKernel : OpRewritePattern<ssm::DiscretizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ssm::DiscretizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = op.getA(), b = op.getB();
    auto aType = cast<RankedTensorType>(a.getType());
    auto bType = cast<RankedTensorType>(b.getType());
    Type element = aType.getElementType();
    Value n = tensor::DimOp::create(rewriter, loc, a, 0);
    // One input: B as an [N, 1] matrix, Bbar back to [N] at the end.
    SmallVector<ReassociationIndices> rows = {{0, 1}};
    if (bType.getRank() == 1) {
      auto matrix = RankedTensorType::get({bType.getDimSize(0), 1}, element);
      OpFoldResult extent =
          bType.isDynamicDim(0)
              ? OpFoldResult(tensor::DimOp::create(rewriter, loc, b, 0))
              : OpFoldResult(rewriter.getIndexAttr(bType.getDimSize(0)));
      b = tensor::ExpandShapeOp::create(
          rewriter, loc, matrix, b, rows,
          ArrayRef<OpFoldResult>{extent, rewriter.getIndexAttr(1)});
    }
    auto matrixType = cast<RankedTensorType>(b.getType());
    Value m = tensor::DimOp::create(rewriter, loc, b, 1);
    auto [aPointer, aStrides] = getBufferArguments(rewriter, loc, a);
    auto [bPointer, bStrides] = getBufferArguments(rewriter, loc, b);
    KernelOutput abar = allocateKernelOutput(
        rewriter, loc, aType, dynamicExtents(aType, ValueRange{n, n}));
    KernelOutput bbar =
        allocateKernelOutput(rewriter, loc, matrixType,
                             dynamicExtents(matrixType, ValueRange{n, m}));
    Value work = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic}, rewriter.getF64Type()),
        ValueRange{workspaceSize(rewriter, loc, n, m)},
        rewriter.getI64IntegerAttr(64));
    Value dt =
        tensor::ExtractOp::create(rewriter, loc, op.getDt(), ValueRange{});
    if (!element.isF64())
      dt = arith::ExtFOp::create(rewriter, loc, rewriter.getF64Type(), dt);
    Type i64 = rewriter.getI64Type();
    auto wide = [&](Value v) {
      return arith::IndexCastOp::create(rewriter, loc, i64, v);
    };
    Value method =
        arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(),
                                     static_cast<int64_t>(op.getMethod()));
    createKernelCall(rewriter, loc,
                     element.isF64() ? "tessera_ssm_discretize_f64"
                                     : "tessera_ssm_discretize_f32",
                     {method, wide(n), wide(m), dt, aPointer, aStrides,
                      bPointer, bStrides, abar.pointer, abar.strides,
                      bbar.pointer, bbar.strides,
                      getBufferPointer(rewriter, loc, work)});
    auto toTensor = [&](RankedTensorType type, Value buffer) -> Value {
      return bufferization::ToTensorOp::create(rewriter, loc, type, buffer,
                                               /*restrict=*/true,
                                               /*writable=*/true);
    };
    Value bbarTensor = toTensor(matrixType, bbar.buffer);
    if (bType.getRank() == 1)
      bbarTensor = tensor::CollapseShapeOp::create(rewriter, loc, bType,
                                                   bbarTensor, rows);
    rewriter.replaceOp(op, {toTensor(aType, abar.buffer), bbarTensor});
    return success();
  }
};

struct ConvertSSMToKernelsPass
    : tessera::impl::ConvertSSMToKernelsBase<ConvertSSMToKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSSMToKernelsPatterns(patterns);
    ConversionTarget target(getContext());
    target.addIllegalOp<ssm::DiscretizeOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tessera::populateSSMToKernelsPatterns(RewritePatternSet &patterns) {
  patterns.add<DiscretizeToKernel>(patterns.getContext());
}
