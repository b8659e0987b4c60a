//===- TransposesToKernels.cpp - Transposing copies as kernel calls -------===//
//
// See Passes.td (tess-transposes-to-kernels).
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace tessera {
#define GEN_PASS_DEF_TESSTRANSPOSESTOKERNELSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;

namespace {

/// Planes smaller than this many elements stay loops: the call costs more.
constexpr int64_t kMinPlaneElements = 64;

/// Bytes of one element of `type` (0 when not a plain number of bytes).
int64_t getElementBytes(Type type) {
  if (auto complexType = dyn_cast<ComplexType>(type))
    return 2 * getElementBytes(complexType.getElementType());
  if (type.isIntOrFloat() && type.getIntOrFloatBitWidth() % 8 == 0)
    return type.getIntOrFloatBitWidth() / 8;
  return 0;
}

/// Whether the innermost stride of `buffer` is statically 1.
bool hasUnitInnerStride(Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (type.getRank() == 0 || failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

/// Whether `op` is inside the loop of a scan's steps.
bool isInScanSteps(Operation *op) {
  for (auto loop = op->getParentOfType<scf::ForOp>(); loop;
       loop = loop->getParentOfType<scf::ForOp>())
    if (loop->hasAttr(tessera::ssm::kScanStepsAttrName))
      return true;
  return false;
}

/// A copy of one buffer into another with permuted dimensions whose
/// innermost dimensions differ: the loop dimension that the source's
/// innermost subscript reads (`sourceInner`) and the one the destination's
/// does (`destInner`).
struct TransposeMatch {
  linalg::GenericOp op;
  unsigned sourceInner, destInner;
  int64_t elementBytes;
};

std::optional<TransposeMatch> matchTranspose(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() || op.getNumLoops() < 2 ||
      isInScanSteps(op))
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues().front() != body.getArgument(0))
    return std::nullopt;
  OpOperand *source = op.getDpsInputOperand(0);
  OpOperand *dest = op.getDpsInitOperand(0);
  AffineMap sourceMap = op.getMatchingIndexingMap(source);
  AffineMap destMap = op.getMatchingIndexingMap(dest);
  if (!sourceMap.isPermutation() || !destMap.isPermutation() ||
      !hasUnitInnerStride(source->get()) || !hasUnitInnerStride(dest->get()))
    return std::nullopt;
  unsigned rank = sourceMap.getNumResults();
  unsigned sourceInner = sourceMap.getDimPosition(rank - 1);
  unsigned destInner = destMap.getDimPosition(rank - 1);
  int64_t bytes = getElementBytes(
      cast<MemRefType>(source->get().getType()).getElementType());
  if (sourceInner == destInner || bytes == 0)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (!ShapedType::isDynamic(ranges[sourceInner]) &&
      !ShapedType::isDynamic(ranges[destInner]) &&
      ranges[sourceInner] * ranges[destInner] < kMinPlaneElements)
    return std::nullopt;
  return TransposeMatch{op, sourceInner, destInner, bytes};
}

/// The kernel's declaration, once per module.
func::FuncOp getTransposeDecl(ModuleOp module) {
  StringRef name = "tessera_transpose";
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *ctx = module.getContext();
  Type i64 = IntegerType::get(ctx, 64), ptr = LLVM::LLVMPointerType::get(ctx);
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto decl = func::FuncOp::create(
      b, module.getLoc(), name,
      FunctionType::get(ctx, {i64, i64, i64, ptr, i64, ptr, i64}, {}));
  decl.setPrivate();
  return decl;
}

/// A buffer's base address (bytes, with its offset) and its strides.
struct Address {
  Value base;
  SmallVector<Value> strides;
};

Address getAddress(OpBuilder &b, Location loc, Value buffer, int64_t bytes) {
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value pointer =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value offset =
      arith::MulIOp::create(b, loc, metadata.getOffset(),
                            arith::ConstantIndexOp::create(b, loc, bytes));
  return {arith::AddIOp::create(b, loc, pointer, offset),
          SmallVector<Value>(metadata.getStrides())};
}

/// Loops over the dimensions other than the plane's, around one call per
/// plane.
void rewrite(const TransposeMatch &match, func::FuncOp kernel) {
  linalg::GenericOp op = match.op;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value source = op.getDpsInputOperand(0)->get();
  Value dest = op.getDpsInitOperand(0)->get();
  AffineMap sourceMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap destMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  Address from = getAddress(b, loc, source, match.elementBytes);
  Address to = getAddress(b, loc, dest, match.elementBytes);
  // Per loop dimension: its extent, its stride in the source and the
  // destination.
  unsigned numLoops = op.getNumLoops();
  SmallVector<Value> extents(numLoops), sourceStrides(numLoops),
      destStrides(numLoops);
  for (unsigned r = 0; r < numLoops; ++r) {
    unsigned d = sourceMap.getDimPosition(r);
    extents[d] = memref::DimOp::create(b, loc, source, r);
    sourceStrides[d] = from.strides[r];
    destStrides[destMap.getDimPosition(r)] = to.strides[r];
  }
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value bytes = arith::ConstantIndexOp::create(b, loc, match.elementBytes);
  Value sourceBase = from.base, destBase = to.base;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (d == match.sourceInner || d == match.destInner)
      continue;
    auto loop = scf::ForOp::create(b, loc, zero, extents[d], one);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value iv = loop.getInductionVar();
    auto advance = [&](Value base, Value stride) {
      return arith::AddIOp::create(
          b, loc, base,
          arith::MulIOp::create(b, loc, iv,
                                arith::MulIOp::create(b, loc, stride, bytes)));
    };
    sourceBase = advance(sourceBase, sourceStrides[d]);
    destBase = advance(destBase, destStrides[d]);
  }
  Type i64 = b.getI64Type();
  auto toI64 = [&](Value index) -> Value {
    return arith::IndexCastOp::create(b, loc, i64, index);
  };
  auto toPointer = [&](Value address) -> Value {
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), toI64(address));
  };
  // Rows of the source matrix: the destination's innermost dimension.
  func::CallOp::create(
      b, loc, kernel,
      ValueRange{toI64(bytes), toI64(extents[match.destInner]),
                 toI64(extents[match.sourceInner]), toPointer(sourceBase),
                 toI64(sourceStrides[match.destInner]), toPointer(destBase),
                 toI64(destStrides[match.sourceInner])});
  op.erase();
}

struct TessTransposesToKernelsPass
    : tessera::impl::TessTransposesToKernelsPassBase<
          TessTransposesToKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<TransposeMatch> matches;
    module.walk([&](linalg::GenericOp op) {
      if (std::optional<TransposeMatch> match = matchTranspose(op))
        matches.push_back(*match);
    });
    if (matches.empty())
      return;
    func::FuncOp kernel = getTransposeDecl(module);
    for (const TransposeMatch &match : matches)
      rewrite(match, kernel);
  }
};

} // namespace
