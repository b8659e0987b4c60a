//===- ParallelizeRecurrences.cpp - Channels of slice recurrences ---------===//
//
// See Passes.td (ssm-parallelize-recurrences). The step of an
// ssm.recurrence is a handful of tess.contract ops over the whole slice;
// lowered as it is, each step forks the threads for a product of a few
// thousand multiply-adds. Its independent channels (what the classification
// finds) instead become an scf.forall around the recurrence, and every step
// works on one channel's slice.
//
//===----------------------------------------------------------------------===//

#include "RuntimeFunctions.h"
#include "tessera/Dialect/SSM/Utils/Classification.h"
#include "tessera/Dialect/SSM/Utils/Readouts.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace tessera {
#define GEN_PASS_DEF_SSMPARALLELIZERECURRENCESPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// Blocks of each tiled dimension outside a module (no runtime to ask for
/// the thread count).
constexpr int64_t kDefaultBlocks = 8;

/// Rewrites one ssm.recurrence as an scf.forall over the slice dimensions
/// `tiled` (channels), whose body runs it over one index of each.
class ChannelSplitter {
public:
  ChannelSplitter(ssm::RecurrenceOp recurrence,
                  ssm::RecurrenceClassification classification,
                  SmallVector<unsigned> tiled)
      : recurrence(recurrence), classification(std::move(classification)),
        tiled(std::move(tiled)) {}

  void rewrite();

private:
  /// `type` with a tile's extent along the dimensions of `sliceDims` that
  /// run along a tiled slice dimension.
  RankedTensorType restrict(RankedTensorType type, ArrayRef<int> sliceDims);
  /// The scf.forall over blocks of the tiled dimensions (of extents among
  /// `sliceSizes`), with `b` inside it, after the tile's offsets and sizes.
  scf::ForallOp buildForall(OpBuilder &b, ArrayRef<OpFoldResult> sliceSizes);
  /// The recurrence over one tile, its step cloned for the tile.
  ssm::RecurrenceOp buildTileRecurrence(OpBuilder &b,
                                        ArrayRef<OpFoldResult> sliceSizes);
  /// The number of blocks to split each tiled dimension into: twice the
  /// runtime's thread count.
  Value getBlockCount(OpBuilder &b, Location loc);
  /// The result dimension of `recurrence` that slice dimension `s` is.
  unsigned resultDim(unsigned s) {
    return s < recurrence.getScanDim() ? s : s + 1;
  }
  /// The loop `l` when result `p` of `map`, the map of `contract`'s operand
  /// `input`, is `l + position` for a loop `l` of one iteration, the
  /// recurrence's position, and the operand's extent along `p` is the
  /// recurrence's length: each step reads one index, always in bounds.
  std::optional<unsigned> getStepRead(tess::ContractOp contract, Value input,
                                      AffineMap map, unsigned p);
  /// Clones `op` of the step into the one-channel step.
  void cloneStepOp(OpBuilder &b, Operation &op);
  void cloneContract(OpBuilder &b, tess::ContractOp contract);
  /// `input` of `contract`, not derived from the previous slice, and its
  /// map, for one step of one tile: sliced at the tile along the `loops`
  /// that run along tiled dimensions where it reads them plainly (else
  /// offset by a symbol after the `numSymbols` the map has) and at the
  /// step's position where it reads one (getStepRead).
  std::pair<Value, AffineMap>
  restrictOperand(OpBuilder &b, tess::ContractOp contract, Value input,
                  AffineMap map, ArrayRef<unsigned> loops, unsigned numSymbols);
  void cloneExtractSlice(OpBuilder &b, tensor::ExtractSliceOp extract);

  ssm::RecurrenceOp recurrence;
  ssm::RecurrenceClassification classification;
  SmallVector<unsigned> tiled;
  /// Per tiled dimension, the first index of the forall iteration's tile and
  /// its extent (a block of consecutive indices).
  SmallVector<Value> tileOffsets;
  SmallVector<OpFoldResult> tileSizes;
  IRMapping mapping;
};

RankedTensorType ChannelSplitter::restrict(RankedTensorType type,
                                           ArrayRef<int> sliceDims) {
  SmallVector<int64_t> shape(type.getShape());
  for (auto [p, s] : llvm::enumerate(sliceDims)) {
    auto j = llvm::find(tiled, unsigned(s)) - tiled.begin();
    if (s >= 0 && j < int64_t(tiled.size()))
      shape[p] =
          getConstantIntValue(tileSizes[j]).value_or(ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, type.getElementType());
}

/// Whether `tensor`'s extent along `dim` is `length`: `length` is that
/// extent's tensor.dim, or `tensor` is a tess.contract whose loop along
/// `dim` has the bound `length`.
static bool hasExtent(Value tensor, unsigned dim, Value length) {
  if (auto extent = length.getDefiningOp<tensor::DimOp>()) {
    std::optional<int64_t> index = extent.getConstantIndex();
    if (extent.getSource() == tensor && index && *index == int64_t(dim))
      return true;
  }
  auto contract = tensor.getDefiningOp<tess::ContractOp>();
  if (!contract)
    return false;
  auto loop = dyn_cast<AffineDimExpr>(contract.getResultMap().getResult(dim));
  return loop && contract.getBounds()[loop.getPosition()] == length;
}

std::optional<unsigned> ChannelSplitter::getStepRead(tess::ContractOp contract,
                                                     Value input, AffineMap map,
                                                     unsigned p) {
  auto sum = dyn_cast<AffineBinaryOpExpr>(map.getResult(p));
  if (!sum || sum.getKind() != AffineExprKind::Add)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(sum.getLHS());
  auto symbol = dyn_cast<AffineSymbolExpr>(sum.getRHS());
  if (!dim || !symbol) {
    dim = dyn_cast<AffineDimExpr>(sum.getRHS());
    symbol = dyn_cast<AffineSymbolExpr>(sum.getLHS());
  }
  if (!dim || !symbol ||
      contract.getSymbols()[symbol.getPosition()] != recurrence.getPosition() ||
      !matchPattern(contract.getBounds()[dim.getPosition()], m_One()))
    return std::nullopt;
  for (auto [q, expr] : llvm::enumerate(map.getResults()))
    if (q != p && expr.isFunctionOfDim(dim.getPosition()))
      return std::nullopt;
  if (!hasExtent(input, p, recurrence.getLength()))
    return std::nullopt;
  return dim.getPosition();
}

std::pair<Value, AffineMap> ChannelSplitter::restrictOperand(
    OpBuilder &b, tess::ContractOp contract, Value input, AffineMap map,
    ArrayRef<unsigned> loops, unsigned numSymbols) {
  Location loc = contract.getLoc();
  Value operand = mapping.lookupOrDefault(input);
  SmallVector<OpFoldResult> offsets(map.getNumResults(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, operand);
  bool sliced = false;
  DenseMap<AffineExpr, AffineExpr> replacements;
  for (auto [j, loop] : llvm::enumerate(loops)) {
    AffineExpr dim = b.getAffineDimExpr(loop);
    int p = getPlainResult(map, loop);
    if (p < 0) {
      replacements[dim] = dim + b.getAffineSymbolExpr(numSymbols + j);
      continue;
    }
    offsets[p] = tileOffsets[j];
    sizes[p] = tileSizes[j];
    sliced = true;
  }
  for (auto [p, expr] : llvm::enumerate(map.getResults()))
    if (std::optional<unsigned> loop = getStepRead(contract, input, map, p)) {
      offsets[p] = mapping.lookupOrDefault(recurrence.getPosition());
      sizes[p] = b.getIndexAttr(1);
      replacements[expr] = b.getAffineDimExpr(*loop);
      sliced = true;
    }
  if (sliced)
    operand = tensor::ExtractSliceOp::create(
        b, loc, operand, offsets, sizes,
        SmallVector<OpFoldResult>(offsets.size(), b.getIndexAttr(1)));
  return {operand, map.replace(replacements)};
}

void ChannelSplitter::cloneContract(OpBuilder &b, tess::ContractOp contract) {
  Location loc = contract.getLoc();
  AffineMap resultMap = contract.getResultMap();
  SmallVector<int> dims = classification.sliceDims.lookup(contract.getResult());
  // The loops that run along the tiled dimensions run one iteration each.
  // Operands that are not the channel's own are sliced at the channel's
  // index where they read such a loop plainly, else read through a new
  // symbol (an offset that keeps reads past the end zero).
  unsigned numSymbols = contract.getSymbols().size();
  SmallVector<Value> bounds =
      llvm::map_to_vector(contract.getBounds(),
                          [&](Value v) { return mapping.lookupOrDefault(v); });
  SmallVector<Value> symbols =
      llvm::map_to_vector(contract.getSymbols(),
                          [&](Value v) { return mapping.lookupOrDefault(v); });
  SmallVector<unsigned> loops;
  for (auto [j, s] : llvm::enumerate(tiled)) {
    auto q = llvm::find(dims, int(s)) - dims.begin();
    loops.push_back(cast<AffineDimExpr>(resultMap.getResult(q)).getPosition());
    bounds[loops.back()] =
        getValueOrCreateConstantIndexOp(b, loc, tileSizes[j]);
  }
  llvm::append_range(symbols, tileOffsets);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (auto [k, input] : llvm::enumerate(contract.getInputs())) {
    AffineMap map = contract.getInputMap(k);
    Value operand = mapping.lookupOrDefault(input);
    if (!classification.sliceDims.count(input))
      std::tie(operand, map) =
          restrictOperand(b, contract, input, map, loops, numSymbols);
    inputs.push_back(operand);
    maps.push_back(AffineMap::get(contract.getNumLoops(),
                                  numSymbols + tiled.size(), map.getResults(),
                                  b.getContext()));
  }
  maps.push_back(AffineMap::get(contract.getNumLoops(),
                                numSymbols + tiled.size(),
                                resultMap.getResults(), b.getContext()));
  auto type = restrict(cast<RankedTensorType>(contract.getType()), dims);
  auto clone = tess::ContractOp::create(b, loc, type, contract.getKind(),
                                        inputs, bounds, symbols, maps);
  clone.getBody().front().erase(); // The builder's empty block.
  IRMapping bodyMapping;
  contract.getBody().cloneInto(&clone.getBody(), bodyMapping);
  mapping.map(contract.getResult(), clone.getResult());
}

void ChannelSplitter::cloneExtractSlice(OpBuilder &b,
                                        tensor::ExtractSliceOp extract) {
  SmallVector<int> sourceDims =
      classification.sliceDims.lookup(extract.getSource());
  SmallVector<OpFoldResult> sizes;
  for (auto [p, size] : llvm::enumerate(extract.getMixedSizes())) {
    int s = sourceDims[p];
    auto j = llvm::find(tiled, unsigned(s)) - tiled.begin();
    if (s >= 0 && j < int64_t(tiled.size()))
      sizes.push_back(tileSizes[j]);
    else if (auto value = dyn_cast<Value>(size))
      sizes.push_back(mapping.lookupOrDefault(value));
    else
      sizes.push_back(size);
  }
  auto type = restrict(extract.getType(),
                       classification.sliceDims.lookup(extract.getResult()));
  auto clone = tensor::ExtractSliceOp::create(
      b, extract.getLoc(), type, mapping.lookupOrDefault(extract.getSource()),
      extract.getMixedOffsets(), sizes, extract.getMixedStrides());
  mapping.map(extract.getResult(), clone.getResult());
}

void ChannelSplitter::cloneStepOp(OpBuilder &b, Operation &op) {
  bool derived = llvm::any_of(op.getOperands(), [&](Value v) {
    return classification.sliceDims.count(v);
  });
  if (auto contract = dyn_cast<tess::ContractOp>(op); contract && derived)
    return cloneContract(b, contract);
  if (auto extract = dyn_cast<tensor::ExtractSliceOp>(op); extract && derived)
    return cloneExtractSlice(b, extract);
  b.clone(op, mapping); // Free of the state, or a tensor.dim.
}

Value ChannelSplitter::getBlockCount(OpBuilder &b, Location loc) {
  auto module = recurrence->getParentOfType<ModuleOp>();
  if (!module)
    return arith::ConstantIndexOp::create(b, loc, kDefaultBlocks);
  Value threads =
      func::CallOp::create(b, loc, getNumThreadsDecl(module)).getResult(0);
  Value twice = arith::ShLIOp::create(
      b, loc, threads,
      arith::ConstantIntOp::create(b, loc, threads.getType(), 1));
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), twice);
}

scf::ForallOp ChannelSplitter::buildForall(OpBuilder &b,
                                           ArrayRef<OpFoldResult> sliceSizes) {
  Location loc = recurrence.getLoc();
  RankedTensorType type = recurrence.getType();
  SmallVector<OpFoldResult> resultSizes(sliceSizes);
  resultSizes.insert(resultSizes.begin() + recurrence.getScanDim(),
                     recurrence.getLength());
  Value empty =
      tensor::EmptyOp::create(b, loc, resultSizes, type.getElementType());
  // Each tiled dimension is split into blocks of consecutive indices, twice
  // as many as there are threads (so that a step's operands are contiguous
  // in memory, and the extents are dynamic: a static 1 would make the
  // step's rank-reducing slices ambiguous).
  Value blocks = getBlockCount(b, loc);
  SmallVector<Value> extents, blockSizes;
  for (unsigned s : tiled) {
    extents.push_back(getValueOrCreateConstantIndexOp(b, loc, sliceSizes[s]));
    blockSizes.push_back(arith::MaxUIOp::create(
        b, loc, arith::CeilDivUIOp::create(b, loc, extents.back(), blocks),
        arith::ConstantIndexOp::create(b, loc, 1)));
  }
  SmallVector<OpFoldResult> counts;
  for (auto [extent, size] : llvm::zip(extents, blockSizes))
    counts.push_back(
        arith::CeilDivUIOp::create(b, loc, extent, size).getResult());
  auto forall =
      scf::ForallOp::create(b, loc, counts, ValueRange{empty}, std::nullopt);
  b.setInsertionPoint(forall.getTerminator());
  for (auto [index, extent, size] :
       llvm::zip(forall.getInductionVars(), extents, blockSizes)) {
    Value first = arith::MulIOp::create(b, loc, index, size);
    tileOffsets.push_back(first);
    tileSizes.push_back(
        arith::MinUIOp::create(b, loc, size,
                               arith::SubIOp::create(b, loc, extent, first))
            .getResult());
  }
  return forall;
}

ssm::RecurrenceOp
ChannelSplitter::buildTileRecurrence(OpBuilder &b,
                                     ArrayRef<OpFoldResult> sliceSizes) {
  Location loc = recurrence.getLoc();
  RankedTensorType type = recurrence.getType();
  unsigned sliceRank = sliceSizes.size();
  SmallVector<OpFoldResult> offsets(sliceRank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes(sliceSizes);
  SmallVector<OpFoldResult> strides(sliceRank, b.getIndexAttr(1));
  for (auto [j, s] : llvm::enumerate(tiled)) {
    offsets[s] = tileOffsets[j];
    sizes[s] = tileSizes[j];
  }
  Value initTile = tensor::ExtractSliceOp::create(b, loc, recurrence.getInit(),
                                                  offsets, sizes, strides);
  SmallVector<int> resultSliceDims;
  for (unsigned d = 0; d < unsigned(type.getRank()); ++d)
    resultSliceDims.push_back(d == recurrence.getScanDim()  ? -1
                              : d < recurrence.getScanDim() ? int(d)
                                                            : int(d) - 1);
  auto tile = ssm::RecurrenceOp::create(
      b, loc, restrict(type, resultSliceDims), initTile, recurrence.getLength(),
      int64_t(recurrence.getScanDim()), bool(recurrence.getReverse()));
  tile.setKind(recurrence.getKind());
  Block &step = recurrence.getBody().front();
  mapping.map(recurrence.getPosition(), tile.getPosition());
  mapping.map(recurrence.getPrevious(), tile.getPrevious());
  OpBuilder stepBuilder = OpBuilder::atBlockBegin(&tile.getBody().front());
  for (Operation &op : step.without_terminator())
    cloneStepOp(stepBuilder, op);
  ssm::YieldOp::create(
      stepBuilder, loc,
      mapping.lookupOrDefault(
          cast<ssm::YieldOp>(step.getTerminator()).getValue()));
  return tile;
}

void ChannelSplitter::rewrite() {
  OpBuilder b(recurrence);
  Location loc = recurrence.getLoc();
  RankedTensorType type = recurrence.getType();
  SmallVector<OpFoldResult> sliceSizes =
      tensor::getMixedSizes(b, loc, recurrence.getInit());
  SmallVector<OpFoldResult> resultSizes(sliceSizes);
  resultSizes.insert(resultSizes.begin() + recurrence.getScanDim(),
                     recurrence.getLength());
  scf::ForallOp forall = buildForall(b, sliceSizes);
  ssm::RecurrenceOp tile = buildTileRecurrence(b, sliceSizes);

  // Its part of the result.
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> resultOffsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> resultTileSizes(resultSizes);
  for (auto [j, s] : llvm::enumerate(tiled)) {
    resultOffsets[resultDim(s)] = tileOffsets[j];
    resultTileSizes[resultDim(s)] = tileSizes[j];
  }
  tensor::ParallelInsertSliceOp::create(
      b, loc, tile.getResult(), forall.getRegionIterArgs().front(),
      resultOffsets, resultTileSizes,
      SmallVector<OpFoldResult>(type.getRank(), b.getIndexAttr(1)));
  recurrence.getResult().replaceAllUsesWith(forall.getResult(0));
  recurrence.erase();
}

/// The slice dimensions of `recurrence` to run in parallel: its channels but
/// the innermost slice dimension (the steps vectorize along it), each of
/// which every contraction derived from the previous slice keeps as a plain
/// loop of its result.
SmallVector<unsigned>
chooseTiledDims(ssm::RecurrenceOp recurrence,
                const ssm::RecurrenceClassification &classification) {
  SmallVector<unsigned> tiled;
  if (classification.sliceDims.empty())
    return tiled;
  unsigned sliceRank = recurrence.getSliceType().getRank();
  for (unsigned s = 0; s + 1 < sliceRank; ++s) {
    if (!classification.channels.test(s))
      continue;
    bool kept = true;
    for (auto &[value, dims] : classification.sliceDims) {
      auto contract = value.getDefiningOp<tess::ContractOp>();
      if (!contract)
        continue;
      auto q = llvm::find(dims, int(s));
      kept = kept && q != dims.end() &&
             isa<AffineDimExpr>(
                 contract.getResultMap().getResult(q - dims.begin()));
    }
    if (kept)
      tiled.push_back(s);
  }
  return tiled;
}

struct ParallelizeRecurrencesPass
    : tessera::impl::SSMParallelizeRecurrencesPassBase<
          ParallelizeRecurrencesPass> {
  void runOnOperation() override {
    SmallVector<ssm::RecurrenceOp> recurrences;
    getOperation()->walk(
        [&](ssm::RecurrenceOp op) { recurrences.push_back(op); });
    for (ssm::RecurrenceOp recurrence : recurrences) {
      ssm::RecurrenceClassification classification =
          ssm::classifyRecurrence(recurrence);
      SmallVector<unsigned> tiled = chooseTiledDims(recurrence, classification);
      if (!tiled.empty())
        ChannelSplitter(recurrence, std::move(classification), std::move(tiled))
            .rewrite();
    }
  }
};

} // namespace
