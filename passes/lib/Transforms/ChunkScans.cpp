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
  /// Chunk `c` of `chunkLength` positions, counted in the scan's direction
  /// (from the end when it runs backwards), the last one shorter.
  Tile getChunk(Value c, Value chunkLength);
  /// Phase 1: for each chunk but the last, in parallel, the state at its
  /// last position computed from zero (H) and the product of its
  /// coefficients (A), as tensors of one slice per chunk.
  std::pair<Value, Value> buildChunkEnds(Value numChunks, Value chunkLength);
  /// Phase 2: the state entering each chunk, a tensor of numChunks slices:
  /// the scan's initial value (or zeros), then A * carry + H of the chunk
  /// before.
  Value buildCarries(Value ends, Value products, Value numChunks);
  /// Phase 3: every chunk, in parallel, scanned from its carry into the
  /// result.
  Value buildChunkScans(Value carries, Value numChunks, Value chunkLength);
  /// The type of one slice of the scan (without the scan dimension), and
  /// of `rows` of them.
  RankedTensorType getSliceType();
  RankedTensorType getRowsType();
  /// Where row `at` of a tensor of rows is (row `at`, the whole slice).
  struct RowSlice {
    SmallVector<OpFoldResult> offsets, sizes, strides;
  };
  RowSlice getRow(OpBuilder &b, OpFoldResult at);
  /// `row` inserted as row `at` of `rows` (as buildCarries keeps them).
  Value insertRow(OpBuilder &b, Value row, Value rows, OpFoldResult at);
  /// Row `at` of `rows`.
  Value extractRow(OpBuilder &b, Value rows, OpFoldResult at);
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

RankedTensorType ScanChunker::getSliceType() {
  RankedTensorType type = scan.getType();
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + scan.getScanDim());
  return RankedTensorType::get(shape, type.getElementType());
}

RankedTensorType ScanChunker::getRowsType() {
  RankedTensorType slice = getSliceType();
  SmallVector<int64_t> shape = {ShapedType::kDynamic};
  llvm::append_range(shape, slice.getShape());
  return RankedTensorType::get(shape, slice.getElementType());
}

ScanChunker::RowSlice ScanChunker::getRow(OpBuilder &ib, OpFoldResult at) {
  RankedTensorType slice = getSliceType();
  unsigned rank = slice.getRank() + 1;
  RowSlice row{SmallVector<OpFoldResult>(rank, ib.getIndexAttr(0)),
               {ib.getIndexAttr(1)},
               SmallVector<OpFoldResult>(rank, ib.getIndexAttr(1))};
  row.offsets[0] = at;
  for (int64_t extent : slice.getShape())
    row.sizes.push_back(ib.getIndexAttr(extent));
  return row;
}

Value ScanChunker::insertRow(OpBuilder &ib, Value row, Value rows,
                             OpFoldResult at) {
  RowSlice slice = getRow(ib, at);
  return tensor::InsertSliceOp::create(ib, loc, row, rows, slice.offsets,
                                       slice.sizes, slice.strides)
      .getResult();
}

Value ScanChunker::extractRow(OpBuilder &ib, Value rows, OpFoldResult at) {
  RowSlice slice = getRow(ib, at);
  return tensor::ExtractSliceOp::create(ib, loc, getSliceType(), rows,
                                        slice.offsets, slice.sizes,
                                        slice.strides)
      .getResult();
}

Tile ScanChunker::getChunk(Value c, Value chunkLength) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  Value length = scan.getBounds()[scanDim];
  Value first = arith::MulIOp::create(b, loc, c, chunkLength);
  Value end = arith::MinUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, first, chunkLength), length);
  Value size = arith::SubIOp::create(b, loc, end, first);
  Value offset = scan.getReverse()
                     ? Value(arith::SubIOp::create(b, loc, length, end))
                     : first;
  Tile tile;
  for (unsigned d = 0; d < rank; ++d) {
    tile.offsets.push_back(d == scanDim ? offset : Value());
    tile.sizes.push_back(d == scanDim ? size : scan.getBounds()[d]);
    tile.shape.push_back(d == scanDim ? ShapedType::kDynamic
                                      : type.getDimSize(d));
  }
  return tile;
}

std::pair<Value, Value> ScanChunker::buildChunkEnds(Value numChunks,
                                                    Value chunkLength) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = arith::SubIOp::create(b, loc, numChunks, one);
  RankedTensorType rowsType = getRowsType();
  Value empty =
      tensor::EmptyOp::create(b, loc, rowsType.getShape(),
                              rowsType.getElementType(), ValueRange{count});
  auto forall = scf::ForallOp::create(b, loc, {getAsOpFoldResult(count)},
                                      ValueRange{empty, empty}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value c = forall.getInductionVar(0);
  Tile tile = getChunk(c, chunkLength);
  auto [local, product] = buildChunk(tile);
  if (!local) {
    b.setInsertionPoint(forall);
    forall.erase();
    return {};
  }
  // The chunk's last position in the scan's direction.
  Value last =
      scan.getReverse()
          ? Value(arith::ConstantIndexOp::create(b, loc, 0))
          : Value(arith::SubIOp::create(b, loc, tile.sizes[scanDim], one));
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  offsets[scanDim] = last;
  for (unsigned d = 0; d < rank; ++d)
    sizes.push_back(d == scanDim
                        ? OpFoldResult(b.getIndexAttr(1))
                        : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
  SmallVector<Value> rows;
  for (Value part : {local, product}) {
    Value end = tensor::ExtractSliceOp::create(b, loc, getSliceType(), part,
                                               offsets, sizes, strides);
    rows.push_back(end);
  }
  b.setInsertionPointToStart(&forall.getTerminator().getRegion().front());
  RowSlice at = getRow(b, c);
  for (auto [k, row] : llvm::enumerate(rows))
    tensor::ParallelInsertSliceOp::create(b, loc, row,
                                          forall.getRegionIterArgs()[k],
                                          at.offsets, at.sizes, at.strides);
  return {forall.getResult(0), forall.getResult(1)};
}

Value ScanChunker::buildCarries(Value ends, Value products, Value numChunks) {
  Type element = scan.getType().getElementType();
  RankedTensorType sliceType = getSliceType();
  Value first = scan.getInit();
  if (!first)
    first = tess::SplatOp::create(
        b, loc, sliceType, getConstant(b, loc, element, 0), ValueRange{});
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  RankedTensorType rowsType = getRowsType();
  Value carries = tensor::EmptyOp::create(b, loc, rowsType.getShape(), element,
                                          ValueRange{numChunks});
  carries = insertRow(b, first, carries, zero);
  auto loop = scf::ForOp::create(
      b, loc, one, numChunks, one, ValueRange{first, carries},
      [&](OpBuilder &lb, Location l, Value c, ValueRange carried) {
        Value before = arith::SubIOp::create(lb, l, c, one);
        Value next = tess::MapOp::create(
            lb, l,
            ValueRange{extractRow(lb, products, before), carried[0],
                       extractRow(lb, ends, before)},
            element, [&](OpBuilder &mb, Location ml, ValueRange args) {
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

Value ScanChunker::buildChunkScans(Value carries, Value numChunks,
                                   Value chunkLength) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank(), scanDim = scan.getScanDim();
  SmallVector<Value> dynamicSizes;
  if (type.isDynamicDim(scanDim))
    dynamicSizes.push_back(scan.getBounds()[scanDim]);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType(), dynamicSizes);
  auto forall = scf::ForallOp::create(b, loc, {getAsOpFoldResult(numChunks)},
                                      ValueRange{empty}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value c = forall.getInductionVar(0);
  Tile tile = getChunk(c, chunkLength);
  TileRestriction restriction(b, loc, tile, scan.getSymbols(), rank);
  SmallVector<Value> inputs;
  for (auto [i, input] : llvm::enumerate(scan.getInputs()))
    inputs.push_back(restriction.restrict(input, scan.getInputMap(i)));
  auto tileType = RankedTensorType::get(tile.shape, type.getElementType());
  auto part = ssm::ScanOp::create(
      b, loc, tileType, inputs, extractRow(b, carries, c), tile.sizes,
      restriction.getSymbols(), restriction.getMaps(), scanDim,
      scan.getReverse(), [&](OpBuilder &body, Location, ValueRange) {
        cloneTileBody(body, scan.getBody().front(), tile);
      });
  part.setKind(scan.getKind());
  b.setInsertionPointToStart(&forall.getTerminator().getRegion().front());
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  offsets[scanDim] = tile.offsets[scanDim];
  for (unsigned d = 0; d < rank; ++d)
    sizes.push_back(getAsOpFoldResult(tile.sizes[d]));
  tensor::ParallelInsertSliceOp::create(b, loc, part.getResult(),
                                        forall.getRegionIterArgs()[0], offsets,
                                        sizes, strides);
  return forall.getResult(0);
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
  // The chunks pass over the data three times: below kMinThreads threads
  // one chunk, which phase 3 alone scans (the scan as it was).
  Value threads =
      func::CallOp::create(b, loc, getNumThreadsDecl(module)).getResult(0);
  Value enough = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::sge, threads,
      arith::ConstantIntOp::create(b, loc, kMinThreads, 32));
  Value lengthValue = scan.getBounds()[scanDim];
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value chunks = arith::CeilDivUIOp::create(
      b, loc, lengthValue,
      arith::ConstantIndexOp::create(b, loc, kChunkLength));
  Value numChunks = arith::MaxUIOp::create(
      b, loc, arith::SelectOp::create(b, loc, enough, chunks, one), one);
  Value chunkLength = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, lengthValue, numChunks), one);

  auto [ends, products] = buildChunkEnds(numChunks, chunkLength);
  if (!ends)
    return; // The coefficient could not be rebuilt: the scan stays.
  Value carries = buildCarries(ends, products, numChunks);
  Value result = buildChunkScans(carries, numChunks, chunkLength);
  scan.getResult().replaceAllUsesWith(result);
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
