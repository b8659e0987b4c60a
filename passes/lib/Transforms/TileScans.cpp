//===- TileScans.cpp - Recurrences over tiles of their channels -----------===//
//
// See Passes.td (ssm-tile-scans). A scan's channels (its dimensions other
// than the scan axis) are independent: each tile of them runs the whole
// recurrence on its own, with its state small enough to stay in cache and
// its steps vectorized along the innermost channel dimension, and the tiles
// run on the threads. The readouts that the scan's loop computes
// (Readouts.h) are tiled with it, so that no tile stores its state sequence.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/SSM/Utils/Readouts.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"
#include "tessera/Transforms/Passes.h"

#include "ScanTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace tessera {
#define GEN_PASS_DEF_SSMTILESCANSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// State elements of one tile: a few KiB, so that the state of a step and
/// the next stay in the L1 cache.
constexpr int64_t kTileElements = 512;
/// Each split dimension makes at least this many tiles where its extent
/// allows, so that the threads have tiles to share.
constexpr int64_t kSplit = 4;
/// The innermost channel dimension is not split below this many elements.
constexpr int64_t kMinInnerTile = 64;
/// Tile sizes of a split dimension of unknown extent that the steps
/// vectorize along (a static extent, so that the compiler can keep a tile's
/// vectors in registers): kTileElements over the whole dimensions when that
/// is known, within these bounds, else kVectorTile.
constexpr int64_t kMinVectorTile = 16, kMaxVectorTile = 128, kVectorTile = 32;

/// A tile extent near `wanted` for a dimension of static `extent`: a
/// divisor of it when one lies in (wanted / 2, wanted], so that every tile
/// has the same static shape.
int64_t fitTile(int64_t extent, int64_t wanted) {
  if (wanted >= extent)
    return extent;
  for (int64_t t = wanted; 2 * t > wanted; --t)
    if (extent % t == 0)
      return t;
  return wanted;
}

/// Index arithmetic on values that are constants where they can be.
class IndexMath {
public:
  IndexMath(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpFoldResult min(OpFoldResult x, OpFoldResult y) {
    return apply(
        x, y, [](int64_t p, int64_t q) { return std::min(p, q); },
        [&](Value p, Value q) {
          return arith::MinUIOp::create(b, loc, p, q).getResult();
        });
  }
  OpFoldResult max(OpFoldResult x, OpFoldResult y) {
    return apply(
        x, y, [](int64_t p, int64_t q) { return std::max(p, q); },
        [&](Value p, Value q) {
          return arith::MaxUIOp::create(b, loc, p, q).getResult();
        });
  }
  OpFoldResult div(OpFoldResult x, OpFoldResult y) {
    return apply(
        x, y, [](int64_t p, int64_t q) { return p / q; },
        [&](Value p, Value q) {
          return arith::DivUIOp::create(b, loc, p, q).getResult();
        });
  }
  OpFoldResult ceilDiv(OpFoldResult x, OpFoldResult y) {
    return apply(
        x, y, [](int64_t p, int64_t q) { return llvm::divideCeil(p, q); },
        [&](Value p, Value q) {
          return arith::CeilDivUIOp::create(b, loc, p, q).getResult();
        });
  }
  OpFoldResult mul(OpFoldResult x, OpFoldResult y) {
    return apply(
        x, y, [](int64_t p, int64_t q) { return p * q; },
        [&](Value p, Value q) {
          return arith::MulIOp::create(b, loc, p, q).getResult();
        });
  }
  OpFoldResult constant(int64_t v) { return b.getIndexAttr(v); }

private:
  OpFoldResult apply(OpFoldResult x, OpFoldResult y,
                     function_ref<int64_t(int64_t, int64_t)> fold,
                     function_ref<Value(Value, Value)> build) {
    std::optional<int64_t> p = getConstantIntValue(x),
                           q = getConstantIntValue(y);
    if (p && q)
      return b.getIndexAttr(fold(*p, *q));
    return build(getValueOrCreateConstantIndexOp(b, loc, x),
                 getValueOrCreateConstantIndexOp(b, loc, y));
  }

  OpBuilder &b;
  Location loc;
};

/// The tile sizes of a scan's channel dimensions (`extents`, innermost
/// last; `whole` ones stay whole): kTileElements per tile, the innermost
/// dimensions first, each split dimension in at least kSplit tiles where
/// that keeps kMinInnerTile elements of the innermost one. Constants where
/// the extents are, and for the innermost split dimension (the steps
/// vectorize along it); a static extent gets a tile size that divides it
/// when one is close.
SmallVector<OpFoldResult> chooseTileSizes(IndexMath &math,
                                          ArrayRef<OpFoldResult> extents,
                                          ArrayRef<bool> whole) {
  unsigned n = extents.size();
  OpFoldResult one = math.constant(1), budget = math.constant(kTileElements);
  for (unsigned i = 0; i < n; ++i)
    if (whole[i])
      budget = math.div(budget, math.max(extents[i], one));
  budget = math.max(budget, one);
  SmallVector<OpFoldResult> sizes(extents);
  bool first = true;
  for (unsigned i = n; i-- > 0;) {
    if (whole[i])
      continue;
    std::optional<int64_t> extent = getConstantIntValue(extents[i]);
    if (first && !extent) {
      std::optional<int64_t> known = getConstantIntValue(budget);
      sizes[i] = math.constant(
          known ? std::clamp(*known, kMinVectorTile, kMaxVectorTile)
                : kVectorTile);
    } else {
      OpFoldResult floor = math.constant(i + 1 == n ? kMinInnerTile : 1);
      OpFoldResult wanted = math.max(
          floor,
          math.min(budget, math.ceilDiv(extents[i], math.constant(kSplit))));
      // At least 1, also for an empty dimension: the forall's step.
      sizes[i] = math.max(math.min(extents[i], wanted), one);
      std::optional<int64_t> size = getConstantIntValue(sizes[i]);
      if (extent && size && *extent > 0)
        sizes[i] = math.constant(fitTile(*extent, *size));
    }
    first = false;
    budget = math.max(math.div(budget, sizes[i]), one);
  }
  return sizes;
}

/// For a readout of `scan`, per scan dimension, the readout's loop
/// dimension that reads it and keeps it in the readout's result (so that a
/// tile of the scan computes its tile of the readout), or -1 when there is
/// none (the readout sums over it, or reads it shifted); none when the
/// readout reads the scan's result through different maps.
std::optional<SmallVector<int>> getReadoutDims(ssm::ScanOp scan,
                                               const Readout &readout) {
  unsigned rank = scan.getType().getRank();
  tess::ContractOp op = readout.op;
  std::optional<AffineMap> scanMap;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    if (input != scan.getResult())
      continue;
    if (scanMap && *scanMap != op.getInputMap(i))
      return std::nullopt;
    scanMap = op.getInputMap(i);
  }
  SmallVector<int> dims(rank, -1);
  for (unsigned j = 0; j < rank; ++j) {
    auto plain = dyn_cast<AffineDimExpr>(scanMap->getResult(j));
    if (plain && getPlainResult(*scanMap, plain.getPosition()) == int(j) &&
        getPlainResult(op.getResultMap(), plain.getPosition()) >= 0)
      dims[j] = plain.getPosition();
  }
  return dims;
}

/// The loop dimension of `readout` that reads dimension `dim` of the
/// scan's result plainly, or -1.
int getReadingDim(ssm::ScanOp scan, tess::ContractOp readout, int dim) {
  if (dim < 0)
    return -1;
  for (auto [i, input] : llvm::enumerate(readout.getInputs()))
    if (input == scan.getResult())
      if (auto plain =
              dyn_cast<AffineDimExpr>(readout.getInputMap(i).getResult(dim)))
        return plain.getPosition();
  return -1;
}

/// An empty tensor of `op`'s result type (a shared output of the forall).
Value createEmptyResult(OpBuilder &b, Location loc, tess::ContractOp op) {
  RankedTensorType type = op.getType();
  SmallVector<Value> dynamicSizes;
  for (unsigned j = 0; j < type.getRank(); ++j)
    if (type.isDynamicDim(j))
      dynamicSizes.push_back(
          op.getBounds()[op.getResultMap().getDimPosition(j)]);
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

/// The order of the dimensions of a tensor read (or written) through `map`
/// by an op (a scan or a readout) whose steps run along its loop `scanDim`
/// and vectorize along its loop `vectorDim`, in which the steps access it
/// unit-stride along the vector loop: the dimension that reads the vector
/// loop innermost and, for a tensor that changes along the scan, the scan
/// position outermost (each step then accesses one contiguous block); the
/// latter only with `stage` (a tile's slice, copied for one tile at a time
/// so that it stays in cache for the steps). Per position, the tensor's
/// dimension there; empty when the tensor is fine as it is (already so, or
/// not reading the vector loop: a value per vector). Mamba's `A[d, n]` and a
/// tile of `u[b, d, l]`, vectorized along `d`, want `[n, d]` and `[l, b, d]`.
SmallVector<unsigned> getStagedOrder(AffineMap map, unsigned scanDim,
                                     int vectorDim, bool stage) {
  unsigned rank = map.getNumResults();
  if (vectorDim < 0 || rank < 2)
    return {};
  int vectorResult = getPlainResult(map, vectorDim);
  int scanResult = getPlainResult(map, scanDim);
  if (vectorResult < 0 || vectorResult + 1 == int(rank) ||
      (scanResult < 0 && map.isFunctionOfDim(scanDim)) ||
      (scanResult >= 0 && !stage))
    return {};
  SmallVector<unsigned> from;
  if (scanResult >= 0)
    from.push_back(scanResult);
  for (unsigned r = 0; r < rank; ++r)
    if (int(r) != vectorResult && int(r) != scanResult)
      from.push_back(r);
  from.push_back(vectorResult);
  return from;
}

/// `input`, read through `map` (see getStagedOrder), copied in the order its
/// steps want, and the map that reads the copy; else unchanged.
std::pair<Value, AffineMap> packForSteps(OpBuilder &b, Location loc,
                                         Value input, AffineMap map,
                                         unsigned scanDim, int vectorDim,
                                         bool stage) {
  SmallVector<unsigned> from = getStagedOrder(map, scanDim, vectorDim, stage);
  if (from.empty())
    return {input, map};
  SmallVector<AffineExpr> results;
  for (unsigned r : from)
    results.push_back(map.getResult(r));
  return {transposeTensor(b, loc, input, from),
          AffineMap::get(map.getNumDims(), map.getNumSymbols(), results,
                         b.getContext())};
}

/// Replaces each input of `op` (an ssm.scan or a tess.contract) that
/// packForSteps copies by its copy.
template <typename OpTy>
void packInputs(OpBuilder &b, OpTy op, unsigned scanDim, int vectorDim,
                Value skip = nullptr) {
  SmallVector<Attribute> maps(op.getIndexingMaps().getValue());
  for (unsigned i = 0; i < op.getInputs().size(); ++i) {
    Value input = op.getInputs()[i];
    if (input == skip)
      continue;
    auto [packed, map] = packForSteps(b, op.getLoc(), input, op.getInputMap(i),
                                      scanDim, vectorDim, /*stage=*/false);
    op.getInputsMutable()[i].set(packed);
    maps[i] = AffineMapAttr::get(map);
  }
  op.setIndexingMapsAttr(b.getArrayAttr(maps));
}

/// A readout of the scan being tiled, and the loop dimension of the readout
/// that reads each scan dimension and keeps it in its result (or -1).
using TiledReadout = std::pair<Readout, SmallVector<int>>;

/// Rewrites one scan and its readouts as a forall over channel tiles.
class ScanTiler {
public:
  explicit ScanTiler(ssm::ScanOp scan)
      : scan(scan), b(scan), loc(scan.getLoc()) {}

  /// Tiles the scan when its channels make more than one tile.
  void run();

private:
  /// Decides which dimensions are split and the tile sizes; false when the
  /// scan is one tile.
  bool plan();
  /// The tile of the forall's iteration `index`.
  Tile getTile(Value index);
  /// The tiled scan and readouts of `tile`: the readouts' tiles, then the
  /// scan's tile when the states are stored.
  SmallVector<Value> buildTile(const Tile &tile);
  /// `buildTile` of `tile`, or, when the vector dimension's last tile may
  /// be smaller than the others, of a static-shaped full tile and of
  /// `tile`, selected at run time.
  SmallVector<Value> buildPeeledTile(const Tile &tile);
  /// The tile of the loop dimensions of a readout: the scan's `tile` on the
  /// dimensions that read the scan's tiled ones (`readoutDims`).
  Tile getReadoutTile(ArrayRef<int> readoutDims, tess::ContractOp op,
                      const Tile &tile);
  /// The tiled readout (a tess.contract over its tile, its inputs and
  /// result staged as packForSteps describes).
  Value buildReadout(const Readout &readout, const Tile &tile,
                     ssm::ScanOp tiledScan, ArrayRef<Value> inputs,
                     TileRestriction &restriction);
  /// Inserts `tileResult` into `into` at the tile's offsets along each of
  /// the results of `resultMap` (loop dimensions of `tile`).
  void insertTile(Value tileResult, Value into, AffineMap resultMap,
                  const Tile &tile);

  ssm::ScanOp scan;
  OpBuilder b;
  Location loc;
  SmallVector<TiledReadout> readouts;
  bool storeStates = false;
  /// Per loop dimension: whether the forall splits it, and its tile size.
  SmallVector<bool> split;
  SmallVector<OpFoldResult> tileSizes;
  /// The split dimension with a static tile size that steps vectorize along.
  int vectorDim = -1;
};

bool ScanTiler::plan() {
  RankedTensorType type = scan.getType();
  unsigned scanDim = scan.getScanDim(), rank = type.getRank();
  // Readouts keep whole the channel dimensions they sum over.
  for (const Readout &readout : findReadouts(scan))
    if (auto dims = getReadoutDims(scan, readout))
      readouts.emplace_back(readout, *dims);
  SmallVector<OpFoldResult> extents;
  SmallVector<bool> whole;
  for (unsigned d = 0; d < rank; ++d) {
    if (d == scanDim)
      continue;
    extents.push_back(getAsOpFoldResult(scan.getBounds()[d]));
    whole.push_back(llvm::any_of(
        readouts, [&](auto &entry) { return entry.second[d] < 0; }));
  }
  if (llvm::all_of(whole, [](bool w) { return w; }))
    return false;
  IndexMath math(b, loc);
  tileSizes = chooseTileSizes(math, extents, whole);
  tileSizes.insert(tileSizes.begin() + scanDim,
                   getAsOpFoldResult(scan.getBounds()[scanDim]));
  // The dimensions split: those whose tiles may be smaller than them.
  split.assign(rank, false);
  for (unsigned d = 0; d < rank; ++d) {
    std::optional<int64_t> size = getConstantIntValue(tileSizes[d]);
    split[d] = d != scanDim && !whole[d < scanDim ? d : d - 1] &&
               (type.isDynamicDim(d) || !size || *size < type.getDimSize(d));
    if (split[d] && size)
      vectorDim = d;
  }
  if (llvm::none_of(split, [](bool s) { return s; }))
    return false;
  storeStates = llvm::any_of(scan.getResult().getUsers(), [&](auto *u) {
    return llvm::none_of(readouts, [&](auto &r) { return r.first.op == u; });
  });
  return true;
}

void ScanTiler::run() {
  if (!plan())
    return;
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank();
  // Inputs that steps would read strided along the vector dimension, and
  // that are the same at every step, are copied once.
  packInputs(b, scan, scan.getScanDim(), vectorDim);
  for (auto &[readout, dims] : readouts)
    packInputs(b, readout.op, readout.dim,
               getReadingDim(scan, readout.op, vectorDim), scan.getResult());

  // The forall's shared outputs: each readout's result, then the states.
  SmallVector<Value> outputs;
  for (auto &[readout, dims] : readouts)
    outputs.push_back(createEmptyResult(b, loc, readout.op));
  if (storeStates) {
    SmallVector<Value> dynamicSizes;
    for (unsigned d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(scan.getBounds()[d]);
    outputs.push_back(tensor::EmptyOp::create(
        b, loc, type.getShape(), type.getElementType(), dynamicSizes));
  }
  // One loop over all tiles: the threads share it as a whole (an
  // scf.parallel over several dimensions would run its innermost one
  // sequentially).
  IndexMath math(b, loc);
  OpFoldResult numTiles = math.constant(1);
  for (unsigned d = 0; d < rank; ++d)
    if (split[d])
      numTiles = math.mul(
          numTiles,
          math.ceilDiv(getAsOpFoldResult(scan.getBounds()[d]), tileSizes[d]));
  auto forall =
      scf::ForallOp::create(b, loc, {numTiles}, outputs, std::nullopt);
  b.setInsertionPoint(forall.getTerminator());
  Tile tile = getTile(forall.getInductionVar(0));
  SmallVector<Value> tileResults = buildPeeledTile(tile);

  b.setInsertionPointToStart(&forall.getTerminator().getRegion().front());
  ArrayRef<BlockArgument> shared = forall.getRegionIterArgs();
  for (auto [k, entry] : llvm::enumerate(readouts))
    insertTile(tileResults[k], shared[k], entry.first.op.getResultMap(),
               getReadoutTile(entry.second, entry.first.op, tile));
  if (storeStates)
    insertTile(tileResults.back(), shared.back(),
               AffineMap::getMultiDimIdentityMap(rank, b.getContext()), tile);

  for (auto [k, entry] : llvm::enumerate(readouts)) {
    entry.first.op.getResult().replaceAllUsesWith(forall.getResult(k));
    entry.first.op.erase();
  }
  if (storeStates)
    scan.getResult().replaceAllUsesWith(forall.getResults().back());
  scan.erase();
}

Tile ScanTiler::getTile(Value index) {
  RankedTensorType type = scan.getType();
  unsigned rank = type.getRank();
  // The tile's position along each split dimension, the last fastest.
  SmallVector<Value> positions(rank);
  for (unsigned d = rank; d-- > 0;) {
    if (!split[d])
      continue;
    Value count = getValueOrCreateConstantIndexOp(
        b, loc,
        IndexMath(b, loc).ceilDiv(getAsOpFoldResult(scan.getBounds()[d]),
                                  tileSizes[d]));
    positions[d] = arith::RemUIOp::create(b, loc, index, count);
    index = arith::DivUIOp::create(b, loc, index, count);
  }
  // The last tile of a dimension whose extent the tile size does not
  // divide is smaller.
  Tile tile;
  for (unsigned d = 0; d < rank; ++d) {
    Value bound = scan.getBounds()[d];
    if (!split[d]) {
      tile.offsets.push_back(nullptr);
      tile.sizes.push_back(bound);
      tile.shape.push_back(type.getDimSize(d));
      continue;
    }
    Value size = getValueOrCreateConstantIndexOp(b, loc, tileSizes[d]);
    Value offset = arith::MulIOp::create(b, loc, positions[d], size);
    tile.offsets.push_back(offset);
    int64_t extent = type.getDimSize(d);
    std::optional<int64_t> constant = getConstantIntValue(tileSizes[d]);
    bool even =
        !ShapedType::isDynamic(extent) && constant && extent % *constant == 0;
    if (!even)
      size = arith::MinSIOp::create(
          b, loc, size, arith::SubIOp::create(b, loc, bound, offset));
    tile.sizes.push_back(size);
    tile.shape.push_back(even ? *constant : ShapedType::kDynamic);
  }
  return tile;
}

SmallVector<Value> ScanTiler::buildPeeledTile(const Tile &tile) {
  if (vectorDim < 0 || !ShapedType::isDynamic(tile.shape[vectorDim]))
    return buildTile(tile);
  int64_t full = *getConstantIntValue(tileSizes[vectorDim]);
  Value fullSize = arith::ConstantIndexOp::create(b, loc, full);
  Value isFull = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       tile.sizes[vectorDim], fullSize);
  // The result types of the general tile; the full tile's are cast to them.
  SmallVector<Type> types;
  for (auto &[readout, dims] : readouts) {
    Tile readoutTile = getReadoutTile(dims, readout.op, tile);
    AffineMap resultMap = readout.op.getResultMap();
    SmallVector<int64_t> shape;
    for (unsigned r = 0; r < resultMap.getNumResults(); ++r)
      shape.push_back(readoutTile.shape[resultMap.getDimPosition(r)]);
    types.push_back(
        RankedTensorType::get(shape, readout.op.getType().getElementType()));
  }
  if (storeStates)
    types.push_back(
        RankedTensorType::get(tile.shape, scan.getType().getElementType()));
  auto branch = scf::IfOp::create(b, loc, types, isFull, /*withElse=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&branch.getThenRegion().front());
  Tile fullTile = tile;
  fullTile.sizes[vectorDim] = fullSize;
  fullTile.shape[vectorDim] = full;
  SmallVector<Value> fullResults;
  for (auto [value, type] : llvm::zip(buildTile(fullTile), types))
    fullResults.push_back(tensor::CastOp::create(b, loc, type, value));
  scf::YieldOp::create(b, loc, fullResults);
  b.setInsertionPointToStart(&branch.getElseRegion().front());
  scf::YieldOp::create(b, loc, buildTile(tile));
  return SmallVector<Value>(branch.getResults());
}

SmallVector<Value> ScanTiler::buildTile(const Tile &tile) {
  RankedTensorType type = scan.getType();
  unsigned scanDim = scan.getScanDim(), rank = type.getRank();
  // The readouts' inputs, sliced before the tiled scan so that the steps of
  // convert-ssm-to-tess still compute them (their inputs precede the scan).
  SmallVector<Tile> readoutTiles;
  readoutTiles.reserve(readouts.size()); // The restrictions point into it.
  SmallVector<SmallVector<Value>> readoutInputs;
  SmallVector<std::unique_ptr<TileRestriction>> readoutRestrictions;
  for (auto &[readout, dims] : readouts) {
    tess::ContractOp op = readout.op;
    readoutTiles.push_back(getReadoutTile(dims, op, tile));
    readoutRestrictions.push_back(std::make_unique<TileRestriction>(
        b, loc, readoutTiles.back(), op.getSymbols(), op.getBounds().size()));
    SmallVector<Value> inputs;
    for (auto [i, input] : llvm::enumerate(op.getInputs())) {
      if (input == scan.getResult()) {
        inputs.push_back(nullptr);
        readoutRestrictions.back()->keep(op.getInputMap(i));
        continue;
      }
      inputs.push_back(
          readoutRestrictions.back()->restrict(input, op.getInputMap(i)));
    }
    readoutInputs.push_back(inputs);
  }

  // The scan over the tile.
  TileRestriction restriction(b, loc, tile, scan.getSymbols(), rank);
  SmallVector<Value> inputs;
  for (auto [i, input] : llvm::enumerate(scan.getInputs()))
    inputs.push_back(restriction.restrict(input, scan.getInputMap(i)));
  Value init = scan.getInit();
  if (init) {
    AffineMap initMap = AffineMap::getMultiDimIdentityMap(rank, b.getContext())
                            .dropResult(scanDim);
    TileRestriction initRestriction(b, loc, tile, {}, rank);
    init = initRestriction.restrict(init, initMap);
  }
  // The tile's slices that steps would read strided, staged contiguous.
  SmallVector<AffineMap> maps = restriction.getMaps();
  for (auto [input, map] : llvm::zip(inputs, maps))
    std::tie(input, map) =
        packForSteps(b, loc, input, map, scanDim, vectorDim, /*stage=*/true);
  SmallVector<int64_t> tileShape(tile.shape);
  auto tileType = RankedTensorType::get(tileShape, type.getElementType());
  auto tiledScan = ssm::ScanOp::create(
      b, loc, tileType, inputs, init, tile.sizes, restriction.getSymbols(),
      maps, scanDim, scan.getReverse(),
      [&](OpBuilder &body, Location, ValueRange) {
        cloneTileBody(body, scan.getBody().front(), tile);
      });
  tiledScan.setKind(scan.getKind());
  if (vectorDim >= 0)
    tiledScan.setVectorDim(vectorDim);

  SmallVector<Value> results;
  for (auto [k, entry] : llvm::enumerate(readouts))
    results.push_back(buildReadout(entry.first, readoutTiles[k], tiledScan,
                                   readoutInputs[k], *readoutRestrictions[k]));
  if (storeStates)
    results.push_back(tiledScan.getResult());
  return results;
}

Tile ScanTiler::getReadoutTile(ArrayRef<int> readoutDims, tess::ContractOp op,
                               const Tile &scanTile) {
  RankedTensorType type = op.getType();
  AffineMap resultMap = op.getResultMap();
  unsigned numLoops = op.getBounds().size();
  Tile tile;
  for (unsigned p = 0; p < numLoops; ++p) {
    tile.offsets.push_back(nullptr);
    tile.sizes.push_back(op.getBounds()[p]);
    int r = getPlainResult(resultMap, p);
    tile.shape.push_back(r >= 0 ? type.getDimSize(r) : ShapedType::kDynamic);
  }
  for (auto [j, p] : llvm::enumerate(readoutDims)) {
    if (p < 0 || !scanTile.offsets[j])
      continue;
    tile.offsets[p] = scanTile.offsets[j];
    tile.sizes[p] = scanTile.sizes[j];
    tile.shape[p] = scanTile.shape[j];
  }
  return tile;
}

Value ScanTiler::buildReadout(const Readout &readout, const Tile &tile,
                              ssm::ScanOp tiledScan, ArrayRef<Value> inputs,
                              TileRestriction &restriction) {
  tess::ContractOp op = readout.op;
  restriction.keep(op.getResultMap());
  SmallVector<AffineMap> maps = restriction.getMaps();
  AffineMap resultMap = maps.pop_back_val();
  int vectorLoop = getReadingDim(scan, op, vectorDim);
  // Its inputs staged like the scan's (before the scan: convert-ssm-to-tess
  // computes a readout in the scan's loop when its inputs precede the scan).
  SmallVector<Value> operands;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(tiledScan);
    for (auto [input, map] : llvm::zip(inputs, maps)) {
      if (!input) {
        operands.push_back(tiledScan.getResult());
        continue;
      }
      auto [staged, stagedMap] = packForSteps(b, loc, input, map, readout.dim,
                                              vectorLoop, /*stage=*/true);
      operands.push_back(staged);
      map = stagedMap;
    }
  }
  // A result whose innermost dimension is the scan position is computed
  // with the position outermost and the vector loop innermost (each step
  // writes one contiguous block), then transposed back.
  SmallVector<unsigned> order =
      getStagedOrder(resultMap, readout.dim, vectorLoop, /*stage=*/true);
  if (order.empty())
    for (unsigned r = 0; r < resultMap.getNumResults(); ++r)
      order.push_back(r);
  SmallVector<AffineExpr> stagedResults;
  SmallVector<int64_t> shape;
  for (unsigned r : order) {
    stagedResults.push_back(resultMap.getResult(r));
    shape.push_back(tile.shape[resultMap.getDimPosition(r)]);
  }
  maps.push_back(AffineMap::get(resultMap.getNumDims(),
                                resultMap.getNumSymbols(), stagedResults,
                                b.getContext()));
  auto type = RankedTensorType::get(shape, op.getType().getElementType());
  Value result = tess::ContractOp::create(
                     b, loc, type, op.getKind(), operands, tile.sizes,
                     restriction.getSymbols(), maps,
                     [&](OpBuilder &body, Location, ValueRange) {
                       cloneTileBody(body, op.getBody().front(), tile);
                     })
                     .getResult();
  if (llvm::all_of(llvm::enumerate(order),
                   [](auto e) { return e.index() == e.value(); }))
    return result;
  SmallVector<unsigned> back(order.size());
  for (auto [position, r] : llvm::enumerate(order))
    back[r] = position;
  return transposeTensor(b, loc, result, back);
}

void ScanTiler::insertTile(Value tileResult, Value into, AffineMap resultMap,
                           const Tile &tile) {
  unsigned rank = resultMap.getNumResults();
  SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
  auto type = cast<RankedTensorType>(tileResult.getType());
  for (unsigned r = 0; r < rank; ++r) {
    unsigned p = resultMap.getDimPosition(r);
    offsets.push_back(tile.offsets[p] ? OpFoldResult(tile.offsets[p])
                                      : OpFoldResult(b.getIndexAttr(0)));
    // The size as the tile's type has it: a bound that folded to a constant
    // (after inlining into a caller with static shapes) must not make the
    // slice static where the type is not.
    OpFoldResult size = getAsOpFoldResult(tile.sizes[p]);
    if (type.isDynamicDim(r) && isa<Attribute>(size))
      size = tile.sizes[p];
    else if (!type.isDynamicDim(r))
      size = b.getIndexAttr(type.getDimSize(r));
    sizes.push_back(size);
  }
  tensor::ParallelInsertSliceOp::create(b, loc, tileResult, into, offsets,
                                        sizes, strides);
}

struct SSMTileScansPass
    : tessera::impl::SSMTileScansPassBase<SSMTileScansPass> {
  void runOnOperation() override {
    SmallVector<ssm::ScanOp> scans;
    getOperation()->walk([&](ssm::ScanOp op) { scans.push_back(op); });
    for (ssm::ScanOp scan : scans)
      ScanTiler(scan).run();
  }
};

} // namespace
