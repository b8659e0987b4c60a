//===- ChunkRankOneScans.cpp - Matrix-state scans in LASP's chunked form --===//
//
// See Passes.td (ssm-chunk-rank-one-scans). A matrix state updated by rank-1
// terms under a scalar decay and read out by a product with a query,
//
//   S[t, i, j] = g[t] * S[t - 1, i, j] + k[t, i] * v[t, j]
//   y[t, j]    = q[t, i] * S[t, i, j]
//
// (causal linear attention, Mamba-2's state-space dual), is computed by
// chunks of C positions along t, as LASP and Mamba-2's SSD do: with M[s, u]
// the decay from position u to s of a chunk (the product of g over
// (u, s], zero for u > s) and Sx[c] the state entering chunk c,
//
//   y[s, j]   = sum_u (q[s] . k[u]) M[s, u] v[u, j] + P[s] q[s] . Sx[c]
//   Sx[c + 1] = P[C - 1] Sx[c] + sum_u M[C - 1, u] k[u, i] v[u, j]
//
// where P[s] = g[0] M[s, 0] is the decay from the chunk's start. Every term
// but the short scan over chunks is a batched matrix product, which the
// contraction planner maps to GEMM kernels; the state is stored once per
// chunk, never per position.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/SSM/Utils/Classification.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SmallBitVector.h"

namespace tessera {
#define GEN_PASS_DEF_SSMCHUNKRANKONESCANSPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;

namespace {

/// Positions per chunk: the extent of the intra-chunk matrix products.
constexpr int64_t kChunkLength = 64;
/// A state of fewer elements than this (both extents static) is left to
/// ssm-tile-scans: its steps cost less than a chunk's matrix products.
constexpr int64_t kMinStateElements = 64;

using DimSet = llvm::SmallBitVector;

/// The dimensions of the iteration space `map` reads (its dimension count).
DimSet dimsOf(AffineMap map) {
  DimSet dims(map.getNumDims());
  for (AffineExpr result : map.getResults())
    result.walk([&](AffineExpr e) {
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        dims.set(dim.getPosition());
    });
  return dims;
}

/// The factors of a product tree of `arith.mulf` ops in `block`.
void collectFactors(Value v, Block *block, SmallVectorImpl<Value> &factors) {
  if (auto mul = v.getDefiningOp<arith::MulFOp>();
      mul && mul->getBlock() == block) {
    collectFactors(mul.getLhs(), block, factors);
    collectFactors(mul.getRhs(), block, factors);
    return;
  }
  factors.push_back(v);
}

/// One matrix-state scan with its readout, and the roles of its dimensions.
/// Logical dimensions number the scan's dimensions, then the chunk (c), the
/// position in the chunk (s) and a second position in the chunk (u).
class RankOneScan {
public:
  explicit RankOneScan(ssm::ScanOp scan) : scan(scan) {}

  /// Whether the scan has the rank-1, scalar-decay form with one readout.
  bool match();
  /// Replaces the readout by the chunked computation.
  void rewrite();

private:
  // Matching.
  DimSet dependencies(Value v);
  bool dependsOnPrevious(Value v);
  bool matchReadout();

  // Logical dimensions.
  unsigned chunkDim() const { return rank; }
  unsigned posDim() const { return rank + 1; }
  unsigned otherPosDim() const { return rank + 2; }
  /// The tensor dimensions: `batch` (in scan order), then `middle`, then
  /// the summed and kept state dimensions where asked.
  SmallVector<unsigned> layout(const DimSet &batch, ArrayRef<unsigned> middle,
                               bool withSummed, bool withKept) const;
  RankedTensorType typeOf(ArrayRef<unsigned> dims) const;
  SmallVector<Value> boundsOf(ArrayRef<unsigned> dims) const;
  /// The batch dimensions among `dims`.
  DimSet batchOf(ArrayRef<unsigned> dims) const;

  /// A map from `loops` reading a tensor of logical `dims`; `read` gives
  /// the subscript of a logical dimension (default: its loop).
  AffineMap readMap(
      ArrayRef<unsigned> loops, ArrayRef<unsigned> dims,
      DenseMap<unsigned, AffineExpr> read = DenseMap<unsigned, AffineExpr>(),
      unsigned numSymbols = 0) const;
  /// The scan-order position c * C + s of `loops` as an affine expression.
  AffineExpr chunkedPosition(ArrayRef<unsigned> loops) const;
  /// `map` over the scan's dimensions, moved onto `loops` with t at
  /// position `t` (the scan's symbols, then T when reversed).
  AffineMap moveMap(AffineMap map, ArrayRef<unsigned> loops, AffineExpr t,
                    unsigned numSymbols) const;
  /// The position t of a loop's c and s (inside a body).
  Value bodyPosition(OpBuilder &b, ArrayRef<unsigned> loops, bool scanOrder);

  /// The product of body values `factors` at every (dims) point, positions
  /// past the end zero when `mask`.
  Value pack(ArrayRef<Value> factors, ArrayRef<unsigned> dims, bool mask);
  /// The query at every point of `dims`.
  Value packQuery(ArrayRef<unsigned> dims);
  /// A sum of products over `loops`.
  Value contract(ArrayRef<unsigned> loops, ArrayRef<unsigned> resultDims,
                 ValueRange inputs, ArrayRef<AffineMap> maps,
                 function_ref<Value(OpBuilder &, ValueRange)> body);
  /// A tensor of the chunked form and its logical dimensions.
  struct Packed {
    Value value;
    SmallVector<unsigned> dims;
  };
  /// The scan's operands by chunk and position: keys (zero past the end),
  /// values, queries, and with a decay, the decays and their matrices.
  struct Operands {
    Packed keys, values, queries, decays, matrix;
  };
  Operands packOperands();
  /// Q K^T, masked by the decays between positions (or causally).
  Packed buildMaskedScores(const Operands &ops);
  /// The intra-chunk term: (Q K^T masked) V.
  Packed buildIntraChunk(const Operands &ops);
  /// Each chunk's contribution to the state: K^T (decay to the chunk's end
  /// * V).
  Packed buildIncrements(const Operands &ops);
  /// The inter-chunk term: Q times the state entering the chunk.
  Packed buildInterChunk(const Operands &ops, const Packed &states);
  /// y[t] = intra + decay from the chunk's start * inter, at (t floordiv C,
  /// t mod C), in the readout's layout.
  Value combine(const Operands &ops, const Packed &intra, const Packed &inter);
  /// The product of `args`.
  Value multiplyAll(OpBuilder &b, ValueRange args) const;
  /// The batch dimensions of `x` and `y`.
  DimSet unite(ArrayRef<unsigned> x, ArrayRef<unsigned> y) const {
    return batchOf(x) | batchOf(y);
  }
  /// Reads the position dimension at the loop of the other position.
  DenseMap<unsigned, AffineExpr> readAtOtherPos(ArrayRef<unsigned> loops) const;
  /// The decay matrices M[s, u] of every chunk.
  Value buildDecayMatrix(Value decay, ArrayRef<unsigned> decayDims,
                         SmallVectorImpl<unsigned> &dims);
  /// The states entering each chunk.
  Value buildChunkStates(Value increments, ArrayRef<unsigned> incrementDims,
                         Value decay, ArrayRef<unsigned> decayDims,
                         Value decayMatrix, ArrayRef<unsigned> matrixDims,
                         SmallVectorImpl<unsigned> &dims);

  mutable ssm::ScanOp scan;
  tess::ContractOp readout;
  unsigned stateInput = 0, rank = 0, scanDim = 0;
  /// Readout loop -> scan dimension.
  SmallVector<unsigned> readoutToScan;
  Value decay;
  SmallVector<Value> keyFactors, valueFactors;
  DimSet batch, summed, kept;
  DenseMap<Value, DimSet> dependencyCache;
  Value length, numChunks, chunk;
  std::optional<OpBuilder> builder;
  Location loc = UnknownLoc();
};

DimSet RankOneScan::dependencies(Value v) {
  if (auto it = dependencyCache.find(v); it != dependencyCache.end())
    return it->second;
  Block *body = &scan.getBody().front();
  DimSet deps(rank);
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (arg.getOwner() == body && arg.getArgNumber() < scan.getInputs().size())
      deps = dimsOf(scan.getInputMap(arg.getArgNumber()));
  } else if (auto index = v.getDefiningOp<ssm::IndexOp>()) {
    deps.set(index.getDim());
  } else if (Operation *def = v.getDefiningOp();
             def && def->getBlock() == body) {
    for (Value operand : def->getOperands())
      deps |= dependencies(operand);
  }
  dependencyCache[v] = deps;
  return deps;
}

bool RankOneScan::dependsOnPrevious(Value v) {
  if (v == scan.getPreviousState())
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != &scan.getBody().front())
    return false;
  return llvm::any_of(def->getOperands(),
                      [&](Value x) { return dependsOnPrevious(x); });
}

bool RankOneScan::matchReadout() {
  if (!scan.getResult().hasOneUse())
    return false;
  readout = dyn_cast<tess::ContractOp>(*scan.getResult().getUsers().begin());
  if (!readout || readout.getKind() != tess::ReductionKind::sum ||
      readout.getInputs().size() != 2 || !readout.getSymbols().empty() ||
      readout.getNumLoops() != rank)
    return false;
  stateInput = readout.getInputs()[0] == scan.getResult() ? 0 : 1;
  if (readout.getInputs()[1 - stateInput] == scan.getResult())
    return false;
  // The body multiplies the two elements.
  Block &body = readout.getBody().front();
  auto yield = cast<tess::YieldOp>(body.getTerminator());
  auto mul = yield->getOperand(0).getDefiningOp<arith::MulFOp>();
  if (!mul || &body.front() != mul.getOperation() ||
      !((mul.getLhs() == body.getArgument(0) &&
         mul.getRhs() == body.getArgument(1)) ||
        (mul.getLhs() == body.getArgument(1) &&
         mul.getRhs() == body.getArgument(0))))
    return false;
  // The state is read at every loop: a permutation.
  AffineMap stateMap = readout.getInputMap(stateInput);
  if (!stateMap.isPermutation())
    return false;
  readoutToScan.assign(rank, 0);
  for (auto [r, result] : llvm::enumerate(stateMap.getResults()))
    readoutToScan[cast<AffineDimExpr>(result).getPosition()] = r;
  AffineMap resultMap = readout.getResultMap();
  DimSet resultLoops = dimsOf(resultMap);
  summed = DimSet(rank);
  for (unsigned l = 0; l < rank; ++l)
    if (!resultLoops.test(l))
      summed.set(readoutToScan[l]);
  return summed.any() && !summed.test(scanDim);
}

bool RankOneScan::match() {
  auto type = scan.getType();
  rank = type.getRank();
  scanDim = scan.getScanDim();
  if (scan.getInit() || !isa<FloatType>(type.getElementType()) ||
      !matchReadout())
    return false;
  // new = g * prev + b (or prev + b), b free of prev.
  Block *body = &scan.getBody().front();
  Value previous = scan.getPreviousState();
  auto add = scan.getYieldOp().getValue().getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != body)
    return false;
  Value carried = add.getLhs(), update = add.getRhs();
  if (dependsOnPrevious(update))
    std::swap(carried, update);
  if (dependsOnPrevious(update))
    return false;
  if (carried != previous) {
    auto mul = carried.getDefiningOp<arith::MulFOp>();
    if (!mul || mul->getBlock() != body)
      return false;
    decay = mul.getLhs() == previous ? mul.getRhs() : mul.getLhs();
    if ((mul.getLhs() != previous && mul.getRhs() != previous) ||
        dependsOnPrevious(decay))
      return false;
  }

  // Roles: the readout sums over the key's dimensions (summed); the batch
  // dimensions are those the decay, the query or a key factor reads; the
  // rest (kept) only the value factors read.
  SmallVector<Value> factors;
  collectFactors(update, body, factors);
  DimSet keyDims(rank);
  for (Value factor : factors) {
    DimSet deps = dependencies(factor);
    if ((deps & summed).any()) {
      keyFactors.push_back(factor);
      keyDims |= deps;
    } else {
      valueFactors.push_back(factor);
    }
  }
  DimSet decayDims = decay ? dependencies(decay) : DimSet(rank);
  if ((decayDims & summed).any())
    return false; // A decay per key dimension: not a scalar decay.
  AffineMap queryMap = readout.getInputMap(1 - stateInput);
  DimSet queryDims(rank);
  DimSet queryLoops = dimsOf(queryMap); // outlives the loop over its bits
  for (unsigned l : queryLoops.set_bits())
    queryDims.set(readoutToScan[l]);
  DimSet notBatch = summed;
  notBatch.set(scanDim);
  batch = (decayDims | queryDims | keyDims).reset(notBatch);
  kept = DimSet(rank).set().reset(notBatch).reset(batch);
  if (kept.none())
    return false;

  // Small states with static extents scan faster than they chunk.
  int64_t elements = 1;
  DimSet stateDims = summed | kept;
  for (unsigned d : stateDims.set_bits())
    elements = type.isDynamicDim(d)
                   ? kMinStateElements
                   : std::min(elements * type.getDimSize(d), kMinStateElements);
  return elements >= kMinStateElements;
}

SmallVector<unsigned> RankOneScan::layout(const DimSet &batchDims,
                                          ArrayRef<unsigned> middle,
                                          bool withSummed,
                                          bool withKept) const {
  SmallVector<unsigned> dims(batchDims.set_bits_begin(),
                             batchDims.set_bits_end());
  dims.append(middle.begin(), middle.end());
  if (withSummed)
    dims.append(summed.set_bits_begin(), summed.set_bits_end());
  if (withKept)
    dims.append(kept.set_bits_begin(), kept.set_bits_end());
  return dims;
}

RankedTensorType RankOneScan::typeOf(ArrayRef<unsigned> dims) const {
  RankedTensorType type = scan.getType();
  int64_t length = type.getDimSize(scanDim);
  SmallVector<int64_t> shape;
  for (unsigned d : dims) {
    if (d < rank)
      shape.push_back(type.getDimSize(d));
    else if (d == chunkDim())
      shape.push_back(ShapedType::isDynamic(length)
                          ? ShapedType::kDynamic
                          : llvm::divideCeil(length, kChunkLength));
    else
      shape.push_back(kChunkLength);
  }
  return RankedTensorType::get(shape, type.getElementType());
}

SmallVector<Value> RankOneScan::boundsOf(ArrayRef<unsigned> dims) const {
  SmallVector<Value> bounds;
  for (unsigned d : dims)
    bounds.push_back(d < rank          ? scan.getBounds()[d]
                     : d == chunkDim() ? numChunks
                                       : chunk);
  return bounds;
}

DimSet RankOneScan::batchOf(ArrayRef<unsigned> dims) const {
  DimSet set(rank);
  for (unsigned d : dims)
    if (d < rank && batch.test(d))
      set.set(d);
  return set;
}

AffineMap RankOneScan::readMap(ArrayRef<unsigned> loops,
                               ArrayRef<unsigned> dims,
                               DenseMap<unsigned, AffineExpr> read,
                               unsigned numSymbols) const {
  MLIRContext *ctx = scan.getContext();
  SmallVector<AffineExpr> results;
  for (unsigned d : dims) {
    if (auto it = read.find(d); it != read.end()) {
      results.push_back(it->second);
      continue;
    }
    auto pos = llvm::find(loops, d);
    assert(pos != loops.end() && "tensor dimension without a loop");
    results.push_back(getAffineDimExpr(pos - loops.begin(), ctx));
  }
  return AffineMap::get(loops.size(), numSymbols, results, ctx);
}

AffineExpr RankOneScan::chunkedPosition(ArrayRef<unsigned> loops) const {
  MLIRContext *ctx = scan.getContext();
  auto loopOf = [&](unsigned d) {
    return getAffineDimExpr(llvm::find(loops, d) - loops.begin(), ctx);
  };
  return loopOf(chunkDim()) * kChunkLength + loopOf(posDim());
}

AffineMap RankOneScan::moveMap(AffineMap map, ArrayRef<unsigned> loops,
                               AffineExpr t, unsigned numSymbols) const {
  MLIRContext *ctx = scan.getContext();
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d < map.getNumDims(); ++d) {
    auto pos = llvm::find(loops, d);
    // Dimensions the read does not use map to anything.
    dims.push_back(d == scanDim ? t
                   : pos == loops.end()
                       ? getAffineConstantExpr(0, ctx)
                       : getAffineDimExpr(pos - loops.begin(), ctx));
  }
  SmallVector<AffineExpr> symbols;
  for (unsigned s = 0; s < map.getNumSymbols(); ++s)
    symbols.push_back(getAffineSymbolExpr(s, ctx));
  return map.replaceDimsAndSymbols(dims, symbols, loops.size(), numSymbols);
}

Value RankOneScan::bodyPosition(OpBuilder &b, ArrayRef<unsigned> loops,
                                bool scanOrder) {
  auto loopIndex = [&](unsigned d) {
    return tess::IndexOp::create(b, loc, llvm::find(loops, d) - loops.begin())
        .getResult();
  };
  Value position = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, loopIndex(chunkDim()), chunk),
      loopIndex(posDim()));
  if (scanOrder || !scan.getReverse())
    return position;
  Value last = arith::SubIOp::create(b, loc, length,
                                     arith::ConstantIndexOp::create(b, loc, 1));
  return arith::SubIOp::create(b, loc, last, position);
}

Value RankOneScan::pack(ArrayRef<Value> factors, ArrayRef<unsigned> dims,
                        bool mask) {
  OpBuilder &b = *builder;
  Block *body = &scan.getBody().front();
  Type element = scan.getType().getElementType();
  // The body's ops that compute the factors, in order, and the inputs they
  // read.
  llvm::SetVector<Operation *> slice;
  SmallVector<unsigned> usedInputs;
  std::function<void(Value)> visit = [&](Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() == body &&
          !llvm::is_contained(usedInputs, arg.getArgNumber()))
        usedInputs.push_back(arg.getArgNumber());
      return;
    }
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != body || slice.contains(def))
      return;
    for (Value operand : def->getOperands())
      visit(operand);
    slice.insert(def);
  };
  for (Value factor : factors)
    visit(factor);
  llvm::sort(usedInputs);
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered,
             [](Operation *x, Operation *y) { return x->isBeforeInBlock(y); });

  unsigned numSymbols = scan.getSymbols().size() + (scan.getReverse() ? 1 : 0);
  AffineExpr t = chunkedPosition(dims);
  if (scan.getReverse())
    t = getAffineSymbolExpr(numSymbols - 1, scan.getContext()) - 1 - t;
  SmallVector<Value> inputs, symbols(scan.getSymbols());
  if (scan.getReverse())
    symbols.push_back(length);
  SmallVector<AffineMap> maps;
  for (unsigned i : usedInputs) {
    inputs.push_back(scan.getInputs()[i]);
    maps.push_back(moveMap(scan.getInputMap(i), dims, t, numSymbols));
  }
  maps.push_back(
      readMap(dims, dims, DenseMap<unsigned, AffineExpr>(), numSymbols));
  return tess::ContractOp::create(
             b, loc, typeOf(dims), tess::ReductionKind::sum, inputs,
             boundsOf(dims), symbols, maps,
             [&](OpBuilder &nb, Location, ValueRange args) {
               IRMapping mapping;
               for (auto [i, input] : llvm::enumerate(usedInputs))
                 mapping.map(body->getArgument(input), args[i]);
               for (Operation *op : ordered) {
                 if (auto index = dyn_cast<ssm::IndexOp>(op)) {
                   unsigned d = index.getDim();
                   mapping.map(index.getResult(),
                               d == scanDim
                                   ? bodyPosition(nb, dims, false)
                                   : tess::IndexOp::create(nb, loc,
                                                           llvm::find(dims, d) -
                                                               dims.begin())
                                         .getResult());
                   continue;
                 }
                 nb.clone(*op, mapping);
               }
               // The product of the factors (1 when there are none).
               Value product;
               for (Value factor : factors) {
                 Value value = mapping.lookupOrDefault(factor);
                 product = product
                               ? arith::MulFOp::create(nb, loc, product, value)
                                     .getResult()
                               : value;
               }
               if (!product)
                 product = arith::ConstantOp::create(
                     nb, loc, nb.getFloatAttr(element, 1.0));
               if (mask) {
                 Value inside = arith::CmpIOp::create(
                     nb, loc, arith::CmpIPredicate::ult,
                     bodyPosition(nb, dims, true), length);
                 product = arith::SelectOp::create(
                     nb, loc, inside, product,
                     arith::ConstantOp::create(nb, loc,
                                               nb.getFloatAttr(element, 0.0)));
               }
               tess::YieldOp::create(nb, loc, product);
             })
      .getResult();
}

Value RankOneScan::packQuery(ArrayRef<unsigned> dims) {
  MLIRContext *ctx = scan.getContext();
  // The query's map over the scan's dimensions.
  AffineMap queryMap = readout.getInputMap(1 - stateInput);
  SmallVector<AffineExpr> scanDims;
  for (unsigned l = 0; l < rank; ++l)
    scanDims.push_back(getAffineDimExpr(readoutToScan[l], ctx));
  AffineMap overScan = queryMap.replaceDimsAndSymbols(scanDims, {}, rank, 0);
  unsigned numSymbols = scan.getReverse() ? 1 : 0;
  AffineExpr t = chunkedPosition(dims);
  if (scan.getReverse())
    t = getAffineSymbolExpr(0, ctx) - 1 - t;
  SmallVector<Value> symbols;
  if (scan.getReverse())
    symbols.push_back(length);
  AffineMap maps[] = {
      moveMap(overScan, dims, t, numSymbols),
      readMap(dims, dims, DenseMap<unsigned, AffineExpr>(), numSymbols)};
  return tess::ContractOp::create(
             *builder, loc, typeOf(dims), tess::ReductionKind::sum,
             readout.getInputs()[1 - stateInput], boundsOf(dims), symbols, maps,
             [&](OpBuilder &nb, Location, ValueRange args) {
               tess::YieldOp::create(nb, loc, args[0]);
             })
      .getResult();
}

Value RankOneScan::contract(ArrayRef<unsigned> loops,
                            ArrayRef<unsigned> resultDims, ValueRange inputs,
                            ArrayRef<AffineMap> maps,
                            function_ref<Value(OpBuilder &, ValueRange)> body) {
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(readMap(loops, resultDims));
  return tess::ContractOp::create(
             *builder, loc, typeOf(resultDims), tess::ReductionKind::sum,
             inputs, boundsOf(loops), allMaps,
             [&](OpBuilder &nb, Location, ValueRange args) {
               tess::YieldOp::create(nb, loc, body(nb, args));
             })
      .getResult();
}

Value RankOneScan::buildDecayMatrix(Value decayValues,
                                    ArrayRef<unsigned> decayDims,
                                    SmallVectorImpl<unsigned> &dims) {
  // M[s, u] = g[s] M[s - 1, u] + (s == u): a scan along s.
  dims = layout(batchOf(decayDims), {chunkDim(), posDim(), otherPosDim()},
                false, false);
  unsigned posLoop = llvm::find(dims, posDim()) - dims.begin();
  unsigned otherLoop = llvm::find(dims, otherPosDim()) - dims.begin();
  Type element = scan.getType().getElementType();
  auto matrix = ssm::ScanOp::create(
      *builder, loc, typeOf(dims), decayValues, /*init=*/nullptr,
      boundsOf(dims), ValueRange{}, readMap(dims, decayDims), posLoop,
      /*reverse=*/false, [&](OpBuilder &nb, Location, ValueRange args) {
        Value diagonal =
            arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::eq,
                                  ssm::IndexOp::create(nb, loc, posLoop),
                                  ssm::IndexOp::create(nb, loc, otherLoop));
        Value start = arith::SelectOp::create(
            nb, loc, diagonal,
            arith::ConstantOp::create(nb, loc, nb.getFloatAttr(element, 1.0)),
            arith::ConstantOp::create(nb, loc, nb.getFloatAttr(element, 0.0)));
        Value next = arith::AddFOp::create(
            nb, loc, arith::MulFOp::create(nb, loc, args[0], args[1]), start);
        ssm::YieldOp::create(nb, loc, next);
      });
  matrix.setKind(ssm::classifyScan(matrix));
  return matrix.getResult();
}

Value RankOneScan::buildChunkStates(
    Value increments, ArrayRef<unsigned> incrementDims, Value decayValues,
    ArrayRef<unsigned> decayDims, Value decayMatrix,
    ArrayRef<unsigned> matrixDims, SmallVectorImpl<unsigned> &dims) {
  // Sx[c] = P_end[c - 1] Sx[c - 1] + increments[c - 1]: the state entering
  // chunk c (zero for the first: reads at c - 1 < 0 are zero).
  MLIRContext *ctx = scan.getContext();
  DimSet stateBatch = batchOf(incrementDims);
  if (decayValues)
    stateBatch |= batchOf(decayDims);
  dims = layout(stateBatch, {chunkDim()}, true, true);
  unsigned chunkLoop = llvm::find(dims, chunkDim()) - dims.begin();
  AffineExpr previousChunk = getAffineDimExpr(chunkLoop, ctx) - 1;
  SmallVector<Value> inputs = {increments};
  SmallVector<AffineMap> maps = {
      readMap(dims, incrementDims, {{chunkDim(), previousChunk}})};
  if (decayValues) {
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    AffineExpr last = getAffineConstantExpr(kChunkLength - 1, ctx);
    inputs.append({decayValues, decayMatrix});
    maps.push_back(readMap(dims, decayDims,
                           {{chunkDim(), previousChunk}, {posDim(), zero}}));
    maps.push_back(readMap(dims, matrixDims,
                           {{chunkDim(), previousChunk},
                            {posDim(), last},
                            {otherPosDim(), zero}}));
  }
  auto states = ssm::ScanOp::create(
      *builder, loc, typeOf(dims), inputs, /*init=*/nullptr, boundsOf(dims),
      ValueRange{}, maps, chunkLoop, /*reverse=*/false,
      [&](OpBuilder &nb, Location, ValueRange args) {
        Value carried = args.back();
        if (decayValues)
          carried = arith::MulFOp::create(
              nb, loc, arith::MulFOp::create(nb, loc, args[1], args[2]),
              carried);
        ssm::YieldOp::create(nb, loc,
                             arith::AddFOp::create(nb, loc, carried, args[0]));
      });
  states.setKind(ssm::classifyScan(states));
  return states.getResult();
}

Value RankOneScan::multiplyAll(OpBuilder &nb, ValueRange args) const {
  Value product = args[0];
  for (Value arg : args.drop_front())
    product = arith::MulFOp::create(nb, loc, product, arg);
  return product;
}

DenseMap<unsigned, AffineExpr>
RankOneScan::readAtOtherPos(ArrayRef<unsigned> loops) const {
  return {{posDim(),
           getAffineDimExpr(llvm::find(loops, otherPosDim()) - loops.begin(),
                            scan.getContext())}};
}

RankOneScan::Operands RankOneScan::packOperands() {
  unsigned c = chunkDim(), s = posDim();
  Operands ops;
  DimSet keyBatch(rank), valueBatch(rank);
  for (Value factor : keyFactors)
    keyBatch |= dependencies(factor) & batch;
  for (Value factor : valueFactors)
    valueBatch |= dependencies(factor) & batch;
  ops.keys.dims = layout(keyBatch, {c, s}, true, false);
  ops.keys.value = pack(keyFactors, ops.keys.dims, /*mask=*/true);
  ops.values.dims = layout(valueBatch, {c, s}, false, true);
  ops.values.value = pack(valueFactors, ops.values.dims, /*mask=*/false);
  DimSet queryBatch(rank);
  AffineMap queryMap = readout.getInputMap(1 - stateInput);
  DimSet queryLoops = dimsOf(queryMap); // outlives the loop over its bits
  for (unsigned l : queryLoops.set_bits())
    if (batch.test(readoutToScan[l]))
      queryBatch.set(readoutToScan[l]);
  ops.queries.dims = layout(queryBatch, {c, s}, true, false);
  ops.queries.value = packQuery(ops.queries.dims);
  if (decay) {
    ops.decays.dims = layout(dependencies(decay) & batch, {c, s}, false, false);
    ops.decays.value = pack({decay}, ops.decays.dims, /*mask=*/false);
    ops.matrix.value =
        buildDecayMatrix(ops.decays.value, ops.decays.dims, ops.matrix.dims);
  }
  return ops;
}

RankOneScan::Packed RankOneScan::buildMaskedScores(const Operands &ops) {
  unsigned c = chunkDim(), s = posDim(), u = otherPosDim();
  auto multiply = [&](OpBuilder &nb, ValueRange args) {
    return multiplyAll(nb, args);
  };
  SmallVector<unsigned> scoreDims =
      layout(unite(ops.queries.dims, ops.keys.dims), {c, s, u}, false, false);
  SmallVector<unsigned> loops =
      layout(batchOf(scoreDims), {c, s, u}, true, false);
  Value scores =
      contract(loops, scoreDims, {ops.queries.value, ops.keys.value},
               {readMap(loops, ops.queries.dims),
                readMap(loops, ops.keys.dims, readAtOtherPos(loops))},
               multiply);
  if (decay) {
    SmallVector<unsigned> maskedDims =
        layout(unite(scoreDims, ops.matrix.dims), {c, s, u}, false, false);
    return {contract(maskedDims, maskedDims, {scores, ops.matrix.value},
                     {readMap(maskedDims, scoreDims),
                      readMap(maskedDims, ops.matrix.dims)},
                     multiply),
            maskedDims};
  }
  // Without decays, the mask is causal: s >= u.
  unsigned sLoop = llvm::find(scoreDims, s) - scoreDims.begin();
  unsigned uLoop = llvm::find(scoreDims, u) - scoreDims.begin();
  Type element = scan.getType().getElementType();
  Value masked = contract(
      scoreDims, scoreDims, {scores}, {readMap(scoreDims, scoreDims)},
      [&](OpBuilder &nb, ValueRange args) -> Value {
        Value causal =
            arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::uge,
                                  tess::IndexOp::create(nb, loc, sLoop),
                                  tess::IndexOp::create(nb, loc, uLoop));
        return arith::SelectOp::create(
            nb, loc, causal, args[0],
            arith::ConstantOp::create(nb, loc, nb.getFloatAttr(element, 0.0)));
      });
  return {masked, scoreDims};
}

RankOneScan::Packed RankOneScan::buildIntraChunk(const Operands &ops) {
  unsigned c = chunkDim(), s = posDim(), u = otherPosDim();
  Packed masked = buildMaskedScores(ops);
  SmallVector<unsigned> intraDims =
      layout(unite(masked.dims, ops.values.dims), {c, s}, false, true);
  SmallVector<unsigned> loops =
      layout(batchOf(intraDims), {c, s, u}, false, true);
  return {contract(loops, intraDims, {masked.value, ops.values.value},
                   {readMap(loops, masked.dims),
                    readMap(loops, ops.values.dims, readAtOtherPos(loops))},
                   [&](OpBuilder &nb, ValueRange args) {
                     return multiplyAll(nb, args);
                   }),
          intraDims};
}

RankOneScan::Packed RankOneScan::buildIncrements(const Operands &ops) {
  unsigned c = chunkDim(), s = posDim(), u = otherPosDim();
  MLIRContext *ctx = scan.getContext();
  auto multiply = [&](OpBuilder &nb, ValueRange args) {
    return multiplyAll(nb, args);
  };
  Packed weighted = ops.keys;
  if (decay) {
    weighted.dims =
        layout(unite(ops.keys.dims, ops.matrix.dims), {c, s}, true, false);
    AffineExpr last = getAffineConstantExpr(kChunkLength - 1, ctx);
    AffineExpr sLoop = getAffineDimExpr(
        llvm::find(weighted.dims, s) - weighted.dims.begin(), ctx);
    weighted.value = contract(
        weighted.dims, weighted.dims, {ops.keys.value, ops.matrix.value},
        {readMap(weighted.dims, ops.keys.dims),
         readMap(weighted.dims, ops.matrix.dims, {{s, last}, {u, sLoop}})},
        multiply);
  }
  SmallVector<unsigned> incrementDims =
      layout(unite(weighted.dims, ops.values.dims), {c}, true, true);
  SmallVector<unsigned> loops =
      layout(batchOf(incrementDims), {c, u}, true, true);
  return {contract(loops, incrementDims, {weighted.value, ops.values.value},
                   {readMap(loops, weighted.dims, readAtOtherPos(loops)),
                    readMap(loops, ops.values.dims, readAtOtherPos(loops))},
                   multiply),
          incrementDims};
}

RankOneScan::Packed RankOneScan::buildInterChunk(const Operands &ops,
                                                 const Packed &states) {
  unsigned c = chunkDim(), s = posDim();
  SmallVector<unsigned> interDims =
      layout(unite(ops.queries.dims, states.dims), {c, s}, false, true);
  SmallVector<unsigned> loops = layout(batchOf(interDims), {c, s}, true, true);
  return {
      contract(loops, interDims, {ops.queries.value, states.value},
               {readMap(loops, ops.queries.dims), readMap(loops, states.dims)},
               [&](OpBuilder &nb, ValueRange args) {
                 return multiplyAll(nb, args);
               }),
      interDims};
}

Value RankOneScan::combine(const Operands &ops, const Packed &intra,
                           const Packed &inter) {
  OpBuilder &b = *builder;
  MLIRContext *ctx = scan.getContext();
  unsigned c = chunkDim(), s = posDim(), u = otherPosDim();
  AffineMap resultMap = readout.getResultMap();
  SmallVector<unsigned> outLoops; // scan dimensions, in the result's order
  SmallVector<Value> outBounds;
  for (AffineExpr result : resultMap.getResults()) {
    unsigned l = cast<AffineDimExpr>(result).getPosition();
    outLoops.push_back(readoutToScan[l]);
    outBounds.push_back(readout.getBounds()[l]);
  }
  unsigned numSymbols = scan.getReverse() ? 1 : 0;
  AffineExpr t =
      getAffineDimExpr(llvm::find(outLoops, scanDim) - outLoops.begin(), ctx);
  if (scan.getReverse())
    t = getAffineSymbolExpr(0, ctx) - 1 - t;
  DenseMap<unsigned, AffineExpr> atPosition = {{c, t.floorDiv(kChunkLength)},
                                               {s, t % kChunkLength}};
  SmallVector<Value> inputs = {intra.value, inter.value};
  SmallVector<AffineMap> maps = {
      readMap(outLoops, intra.dims, atPosition, numSymbols),
      readMap(outLoops, inter.dims, atPosition, numSymbols)};
  if (decay) {
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    inputs.append({ops.decays.value, ops.matrix.value});
    auto atStart = atPosition;
    atStart[s] = zero;
    maps.push_back(readMap(outLoops, ops.decays.dims, atStart, numSymbols));
    auto fromStart = atPosition;
    fromStart[u] = zero;
    maps.push_back(readMap(outLoops, ops.matrix.dims, fromStart, numSymbols));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(outLoops.size(), ctx)
                     .shiftSymbols(numSymbols));
  SmallVector<Value> symbols;
  if (scan.getReverse())
    symbols.push_back(length);
  return tess::ContractOp::create(
             b, loc, readout.getType(), tess::ReductionKind::sum, inputs,
             outBounds, symbols, maps,
             [&](OpBuilder &nb, Location, ValueRange args) {
               Value fromState = args[1];
               if (decay)
                 fromState = arith::MulFOp::create(
                     nb, loc, arith::MulFOp::create(nb, loc, args[2], args[3]),
                     fromState);
               tess::YieldOp::create(
                   nb, loc, arith::AddFOp::create(nb, loc, args[0], fromState));
             })
      .getResult();
}

void RankOneScan::rewrite() {
  builder.emplace(readout);
  loc = scan.getLoc();
  length = scan.getBounds()[scanDim];
  chunk = arith::ConstantIndexOp::create(*builder, loc, kChunkLength);
  numChunks = arith::CeilDivUIOp::create(*builder, loc, length, chunk);
  Operands ops = packOperands();
  Packed intra = buildIntraChunk(ops);
  Packed increments = buildIncrements(ops);
  Packed states;
  states.value = buildChunkStates(
      increments.value, increments.dims, ops.decays.value, ops.decays.dims,
      ops.matrix.value, ops.matrix.dims, states.dims);
  Packed inter = buildInterChunk(ops, states);
  readout.getResult().replaceAllUsesWith(combine(ops, intra, inter));
  readout.erase();
  scan.erase();
}

struct SSMChunkRankOneScansPass
    : tessera::impl::SSMChunkRankOneScansPassBase<SSMChunkRankOneScansPass> {
  void runOnOperation() override {
    SmallVector<ssm::ScanOp> scans;
    getOperation()->walk([&](ssm::ScanOp op) { scans.push_back(op); });
    for (ssm::ScanOp scan : scans) {
      RankOneScan candidate(scan);
      if (candidate.match())
        candidate.rewrite();
    }
  }
};

} // namespace
