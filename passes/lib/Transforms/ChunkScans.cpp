//===- ChunkScans.cpp - Linear scans of few channels in parallel chunks ---===//
//
// See Passes.td (ssm-chunk-scans). A first-order linear recurrence
// h[t] = a[t] * h[t - 1] + b[t] is associative: split along the scan axis
// into chunks, each chunk's part of it from zero (H) and the product of its
// coefficients so far (A) are independent of the other chunks, and
// h[t] = H[t] + A[t] * carry(chunk of t), the carries (the state entering
// each chunk) following from one short sequential pass over the chunks'
// last values. The chunks run on the threads when the channels alone are
// too few to fill them.
//
//===----------------------------------------------------------------------===//

#include "RuntimeFunctions.h"
#include "ScanTiles.h"

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/SSM/Utils/Classification.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

namespace tessera {
#define GEN_PASS_DEF_SSMCHUNKSCANSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// Positions per chunk.
constexpr int64_t kChunkLength = 4096;
/// Scans with more channels than this fill the threads with tiles of their
/// channels (ssm-tile-scans) instead.
constexpr int64_t kMaxChunkedChannels = 64;
/// Threads from which the chunks beat one sequential pass.
constexpr int64_t kMinThreads = 4;

/// The constant 0 or 1 of a scalar type (real, integer or complex).
Value getConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  if (auto complexType = dyn_cast<ComplexType>(type)) {
    Type part = complexType.getElementType();
    return complex::ConstantOp::create(
        b, loc, complexType,
        b.getArrayAttr(
            {b.getFloatAttr(part, double(value)), b.getFloatAttr(part, 0.0)}));
  }
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

/// x * y + z in the type of the scalars (real, integer or complex).
Value multiplyAdd(OpBuilder &b, Location loc, Value x, Value y, Value z) {
  Type type = x.getType();
  if (isa<ComplexType>(type))
    return complex::AddOp::create(b, loc, complex::MulOp::create(b, loc, x, y),
                                  z);
  if (isa<FloatType>(type))
    return arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, y),
                                 z);
  return arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, x, y), z);
}

/// The coefficient `a` of a linear scan body (`a * prev + b`, as
/// ssm-classify-recurrences recognized it), built into another block from
/// the body's values that do not depend on `prev`.
class CoefficientBuilder {
public:
  CoefficientBuilder(OpBuilder &b, Value previous, IRMapping &mapping)
      : b(b), previous(previous), mapping(mapping) {}

  /// a for `v`, or null if `v` is not affine in `prev`; `isZero` when it
  /// does not depend on it.
  Value build(Value v, bool &isZero) {
    isZero = false;
    if (v == previous)
      return getConstant(b, v.getLoc(), v.getType(), 1);
    Operation *def = v.getDefiningOp();
    if (!dependsOnPrevious(v)) {
      isZero = true;
      return getConstant(b, v.getLoc(), v.getType(), 0);
    }
    Location loc = def->getLoc();
    if (isa<arith::AddFOp, arith::SubFOp, arith::AddIOp, arith::SubIOp,
            complex::AddOp, complex::SubOp>(def)) {
      bool zx, zy;
      Value x = build(def->getOperand(0), zx),
            y = build(def->getOperand(1), zy);
      if (!x || !y)
        return nullptr;
      if (zy)
        return x;
      return cloneWith(def, {x, y}, loc);
    }
    if (isa<arith::MulFOp, arith::MulIOp, complex::MulOp>(def)) {
      Value x = def->getOperand(0), y = def->getOperand(1);
      bool zero;
      if (!dependsOnPrevious(x)) {
        Value cy = build(y, zero);
        return cy ? cloneWith(def, {mapping.lookupOrDefault(x), cy}, loc)
                  : nullptr;
      }
      if (!dependsOnPrevious(y)) {
        Value cx = build(x, zero);
        return cx ? cloneWith(def, {cx, mapping.lookupOrDefault(y)}, loc)
                  : nullptr;
      }
      return nullptr;
    }
    if (isa<arith::DivFOp, complex::DivOp>(def) &&
        !dependsOnPrevious(def->getOperand(1))) {
      bool zero;
      Value cx = build(def->getOperand(0), zero);
      return cx ? cloneWith(def,
                            {cx, mapping.lookupOrDefault(def->getOperand(1))},
                            loc)
                : nullptr;
    }
    if (isa<arith::NegFOp, complex::NegOp>(def)) {
      bool zero;
      Value cx = build(def->getOperand(0), zero);
      return cx ? cloneWith(def, {cx}, loc) : nullptr;
    }
    return nullptr;
  }

private:
  bool dependsOnPrevious(Value v) {
    if (v == previous)
      return true;
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != previous.getParentBlock())
      return false;
    return llvm::any_of(def->getOperands(),
                        [&](Value x) { return dependsOnPrevious(x); });
  }

  /// `op` recreated with `operands` (same name, attributes and types).
  Value cloneWith(Operation *op, ValueRange operands, Location loc) {
    OperationState state(loc, op->getName());
    state.addOperands(operands);
    state.addTypes(op->getResultTypes());
    state.addAttributes(op->getAttrs());
    return b.create(state)->getResult(0);
  }

  OpBuilder &b;
  Value previous;
  IRMapping &mapping;
};

/// Rewrites one linear scan of few channels as chunks (see the file
/// comment).
class ScanChunker {
public:
  explicit ScanChunker(ssm::ScanOp scan)
      : scan(scan), b(scan), loc(scan.getLoc()) {}

  void run();

private:
  /// The scan over the chunk `tile` (of the scan dimension) from zero, and
  /// the running product of its coefficients from one.
  std::pair<Value, Value> buildChunk(const Tile &tile);
  /// The state entering each chunk: a tensor of numChunks slices, the
  /// first the scan's initial value (or zeros), each next one the previous
  /// one carried through its chunk, from the chunk's last `local` and
  /// `product` values.
  Value buildCarries(Value local, Value product, Value numChunks, Value chunk);
  /// The scan's result: local + product * the carry of each position's
  /// chunk.
  Value combine(Value local, Value product, Value carries);
  /// The coefficient scan's body over `tile`, into the block `body`
  /// inserts into.
  bool buildCoefficientBody(OpBuilder &body, const Tile &tile);

  ssm::ScanOp scan;
  OpBuilder b;
  Location loc;
};

bool ScanChunker::buildCoefficientBody(OpBuilder &body, const Tile &tile) {
  Block &source = scan.getBody().front();
  Block *dest = body.getInsertionBlock();
  IRMapping mapping;
  for (unsigned i = 0; i + 1 < source.getNumArguments(); ++i)
    mapping.map(source.getArgument(i), dest->getArgument(i));
  Value previous = scan.getPreviousState();
  // Every op free of the previous state, in order (the unused ones fold).
  for (Operation &op : source.without_terminator()) {
    bool free = llvm::none_of(op.getOperands(), [&](Value v) {
      return v == previous ||
             (!mapping.contains(v) && v.getParentBlock() == &source);
    });
    if (!free)
      continue;
    Operation *clone = body.clone(op, mapping);
    // Positions are the chunk's plus its offset.
    if (auto index = dyn_cast<ssm::IndexOp>(op))
      if (Value offset = tile.offsets[index.getDim()])
        mapping.map(op.getResult(0),
                    arith::AddIOp::create(body, op.getLoc(),
                                          clone->getResult(0), offset));
  }
  CoefficientBuilder coefficients(body, previous, mapping);
  bool zero;
  Value a = coefficients.build(scan.getYieldOp().getValue(), zero);
  if (!a)
    return false;
  Value product = multiplyAdd(body, loc, a, dest->getArguments().back(),
                              getConstant(body, loc, a.getType(), 0));
  ssm::YieldOp::create(body, loc, product);
  return true;
}

std::pair<Value, Value> ScanChunker::buildChunk(const Tile &tile) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  TileRestriction restriction(b, loc, tile, scan.getSymbols(), rank);
  SmallVector<Value> inputs;
  for (auto [i, input] : llvm::enumerate(scan.getInputs()))
    inputs.push_back(restriction.restrict(input, scan.getInputMap(i)));
  auto tileType = RankedTensorType::get(tile.shape, type.getElementType());
  auto local = ssm::ScanOp::create(
      b, loc, tileType, inputs, /*init=*/nullptr, tile.sizes,
      restriction.getSymbols(), restriction.getMaps(), scanDim,
      scan.getReverse(), [&](OpBuilder &body, Location, ValueRange) {
        cloneTileBody(body, scan.getBody().front(), tile);
      });
  local.setKind(scan.getKind());
  SmallVector<int64_t> sliceShape(type.getShape());
  sliceShape.erase(sliceShape.begin() + scanDim);
  auto sliceType = RankedTensorType::get(sliceShape, type.getElementType());
  Value one = tess::SplatOp::create(
      b, loc, sliceType, getConstant(b, loc, type.getElementType(), 1),
      ValueRange{});
  bool built = true;
  auto product = ssm::ScanOp::create(
      b, loc, tileType, inputs, one, tile.sizes, restriction.getSymbols(),
      restriction.getMaps(), scanDim, scan.getReverse(),
      [&](OpBuilder &body, Location, ValueRange) {
        built = buildCoefficientBody(body, tile);
      });
  product.setKind(ssm::classifyScan(product));
  if (!built)
    return {};
  return {local.getResult(), product.getResult()};
}

Value ScanChunker::buildCarries(Value local, Value product, Value numChunks,
                                Value chunk) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  Type element = type.getElementType();
  SmallVector<int64_t> sliceShape(type.getShape());
  sliceShape.erase(sliceShape.begin() + scanDim);
  auto sliceType = RankedTensorType::get(sliceShape, element);
  Value first = scan.getInit();
  if (!first)
    first = tess::SplatOp::create(
        b, loc, sliceType, getConstant(b, loc, element, 0), ValueRange{});
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<int64_t> carriesShape = {ShapedType::kDynamic};
  carriesShape.append(sliceShape);
  // At least one row: the first carry, also for an empty scan.
  Value rows = arith::MaxUIOp::create(b, loc, numChunks, one);
  Value carries =
      tensor::EmptyOp::create(b, loc, carriesShape, element, ValueRange{rows});
  auto insertRow = [&](OpBuilder &ib, Value row, Value into, Value at) {
    unsigned carriesRank = sliceShape.size() + 1;
    SmallVector<OpFoldResult> offsets(carriesRank, ib.getIndexAttr(0)),
        sizes = {ib.getIndexAttr(1)}, strides(carriesRank, ib.getIndexAttr(1));
    offsets[0] = at;
    for (int64_t extent : sliceShape)
      sizes.push_back(ib.getIndexAttr(extent));
    return tensor::InsertSliceOp::create(ib, loc, row, into, offsets, sizes,
                                         strides)
        .getResult();
  };
  carries = insertRow(b, first, carries, zero);
  Value length = scan.getBounds()[scanDim];
  auto loop = scf::ForOp::create(
      b, loc, one, numChunks, one, ValueRange{first, carries},
      [&](OpBuilder &lb, Location l, Value c, ValueRange carried) {
        // The last position that chunk c - 1 computes.
        Value covered = arith::MulIOp::create(lb, l, c, chunk);
        Value last = scan.getReverse()
                         ? Value(arith::SubIOp::create(lb, l, length, covered))
                         : Value(arith::SubIOp::create(lb, l, covered, one));
        auto at = [&](Value tensor) {
          SmallVector<OpFoldResult> offsets(rank, lb.getIndexAttr(0)), sizes,
              strides(rank, lb.getIndexAttr(1));
          offsets[scanDim] = last;
          for (unsigned d = 0; d < rank; ++d)
            sizes.push_back(d == scanDim ? OpFoldResult(lb.getIndexAttr(1))
                                         : OpFoldResult(lb.getIndexAttr(
                                               type.getDimSize(d))));
          return tensor::ExtractSliceOp::create(lb, l, sliceType, tensor,
                                                offsets, sizes, strides)
              .getResult();
        };
        Value next = tess::MapOp::create(
            lb, l, ValueRange{at(product), carried[0], at(local)}, element,
            [&](OpBuilder &mb, Location ml, ValueRange args) {
              tess::YieldOp::create(
                  mb, ml, multiplyAdd(mb, ml, args[0], args[1], args[2]));
            });
        // Carried in a buffer of its own (bufferization wants the yield
        // equivalent to the loop's argument).
        Value carry =
            linalg::CopyOp::create(lb, l, next, carried[0]).getResult(0);
        scf::YieldOp::create(
            lb, l, ValueRange{carry, insertRow(lb, next, carried[1], c)});
      });
  return loop.getResult(1);
}

Value ScanChunker::combine(Value local, Value product, Value carries) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  MLIRContext *ctx = b.getContext();
  // Position t's chunk: t floordiv L, or from the end when backwards.
  AffineExpr t = getAffineDimExpr(scanDim, ctx);
  AffineExpr chunkOf =
      (scan.getReverse() ? getAffineSymbolExpr(0, ctx) - 1 - t : t)
          .floorDiv(kChunkLength);
  SmallVector<AffineExpr> carryResults = {chunkOf};
  for (unsigned d = 0; d < rank; ++d)
    if (d != scanDim)
      carryResults.push_back(getAffineDimExpr(d, ctx));
  unsigned numSymbols = scan.getReverse() ? 1 : 0;
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(rank, ctx).shiftSymbols(numSymbols);
  SmallVector<AffineMap> maps = {
      identity, identity, AffineMap::get(rank, numSymbols, carryResults, ctx),
      identity};
  SmallVector<Value> symbols;
  if (scan.getReverse())
    symbols.push_back(scan.getBounds()[scanDim]);
  return tess::ContractOp::create(
             b, loc, type, tess::ReductionKind::sum,
             ValueRange{local, product, carries}, scan.getBounds(), symbols,
             maps,
             [&](OpBuilder &body, Location l, ValueRange args) {
               tess::YieldOp::create(
                   body, l, multiplyAdd(body, l, args[1], args[2], args[0]));
             })
      .getResult();
}

void ScanChunker::run() {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  if (!ssm::isLinear(scan.getKind()))
    return;
  int64_t channels = 1;
  for (unsigned d = 0; d < rank; ++d)
    if (d != scanDim) {
      if (type.isDynamicDim(d))
        return; // Possibly many: tiles of the channels fill the threads.
      channels *= type.getDimSize(d);
    }
  int64_t length = type.getDimSize(scanDim);
  if (channels > kMaxChunkedChannels ||
      (!ShapedType::isDynamic(length) && length < 2 * kChunkLength))
    return;
  auto module = scan->getParentOfType<ModuleOp>();
  if (!module)
    return;
  // The chunks pass over the data three times: with fewer threads than
  // kMinThreads the scan as it is (one sequential pass) is faster.
  Value threads =
      func::CallOp::create(b, loc, getNumThreadsDecl(module)).getResult(0);
  Value enough = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sge, threads,
      arith::ConstantIntOp::create(b, loc, kMinThreads, 32));
  auto branch = scf::IfOp::create(b, loc, TypeRange{type}, enough,
                                  /*withElseRegion=*/true);
  b.setInsertionPointToStart(&branch.getElseRegion().front());
  Operation *sequential = b.clone(*scan);
  scf::YieldOp::create(b, loc, sequential->getResult(0));
  b.setInsertionPointToStart(&branch.getThenRegion().front());
  Value lengthValue = scan.getBounds()[scanDim];
  Value chunk = arith::ConstantIndexOp::create(b, loc, kChunkLength);
  Value numChunks = arith::CeilDivUIOp::create(b, loc, lengthValue, chunk);
  SmallVector<Value> dynamicSizes;
  if (type.isDynamicDim(scanDim))
    dynamicSizes.push_back(lengthValue);
  auto empty = [&] {
    return tensor::EmptyOp::create(b, loc, type.getShape(),
                                   type.getElementType(), dynamicSizes)
        .getResult();
  };

  // Phase 1, in parallel: each chunk from zero, and its coefficients'
  // running product. Chunk c covers positions [c L, (c + 1) L) counted in
  // the scan's direction (from the end when it runs backwards).
  auto forall =
      scf::ForallOp::create(b, loc, {getAsOpFoldResult(numChunks)},
                            ValueRange{empty(), empty()}, std::nullopt);
  SmallVector<Value> parts;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    Value c = forall.getInductionVar(0);
    Value first = arith::MulIOp::create(b, loc, c, chunk);
    Value end = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, first, chunk), lengthValue);
    Value size = arith::SubIOp::create(b, loc, end, first);
    Value offset = scan.getReverse()
                       ? Value(arith::SubIOp::create(b, loc, lengthValue, end))
                       : first;
    Tile tile;
    for (unsigned d = 0; d < rank; ++d) {
      tile.offsets.push_back(d == scanDim ? offset : Value());
      tile.sizes.push_back(d == scanDim ? size : scan.getBounds()[d]);
      tile.shape.push_back(d == scanDim ? ShapedType::kDynamic
                                        : type.getDimSize(d));
    }
    auto [local, product] = buildChunk(tile);
    if (!local) {
      branch.erase();
      return;
    }
    b.setInsertionPointToStart(&forall.getTerminator().getRegion().front());
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
        strides(rank, b.getIndexAttr(1));
    offsets[scanDim] = offset;
    for (unsigned d = 0; d < rank; ++d)
      sizes.push_back(getAsOpFoldResult(tile.sizes[d]));
    for (auto [k, part] : llvm::enumerate(ValueRange{local, product}))
      tensor::ParallelInsertSliceOp::create(
          b, loc, part, forall.getRegionIterArgs()[k], offsets, sizes, strides);
  }
  Value local = forall.getResult(0), product = forall.getResult(1);
  Value carries = buildCarries(local, product, numChunks, chunk);
  scf::YieldOp::create(b, loc, combine(local, product, carries));
  scan.getResult().replaceAllUsesWith(branch.getResult(0));
  scan.erase();
}

struct SSMChunkScansPass
    : tessera::impl::SSMChunkScansPassBase<SSMChunkScansPass> {
  void runOnOperation() override {
    SmallVector<ssm::ScanOp> scans;
    getOperation()->walk([&](ssm::ScanOp op) { scans.push_back(op); });
    for (ssm::ScanOp scan : scans)
      ScanChunker(scan).run();
  }
};

} // namespace
