//===- Contraction.cpp - tess.contract and tess.map to linalg.generic -----===//
//
// A contraction becomes a linalg.generic on tensors whose operands are the
// inputs read through plain loop dimensions; inputs read through compound
// subscripts are read in the body (AffineReads.h). When such subscripts are
// affine, the iteration space is peeled: the contraction becomes one
// linalg.generic per piece, each on slices of the result and of the plain
// inputs, and the interior piece reads without bounds checks.
//
//===----------------------------------------------------------------------===//

#include "AffineReads.h"
#include "Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace tessera;
using namespace tessera::tesstolinalg;
using tess::ReductionKind;

namespace {

/// Largest body (operations, nested ones included) that is peeled: each
/// piece clones the body.
constexpr unsigned kMaxPeeledBodyOps = 256;

/// A part of the iteration space and what is known about it.
struct Piece {
  /// Per loop dimension: the first iteration and the number of iterations,
  /// both null when the piece covers the dimension's whole range.
  SmallVector<Value> offsets, extents;
  /// Per input: the compound subscripts (map results) known to be in range.
  SmallVector<llvm::SmallBitVector> proven;
};

/// Builds the linalg ops of one contraction.
class ContractionBuilder {
public:
  ContractionBuilder(PatternRewriter &rewriter, Location loc,
                     const ContractionSpec &spec);

  /// The accumulator-typed result of the whole contraction.
  Value build();

private:
  /// Builds the generic of `piece`, writing into (a slice of) `acc`, and
  /// returns the updated `acc`.
  Value buildPiece(Value acc, const Piece &piece);
  /// Fills the body of the generic of `piece`.
  void buildBody(OpBuilder &b, Location loc, ValueRange args,
                 ArrayRef<int> operandOf, const Piece &piece);
  /// `tensor` read through the plain `map`, restricted to `piece`: an
  /// extract_slice when a dimension of the map is split, else `tensor`.
  /// Sets `offsets`/`sizes` to those of the slice.
  Value slice(Value tensor, AffineMap map, const Piece &piece,
              SmallVectorImpl<OpFoldResult> &offsets,
              SmallVectorImpl<OpFoldResult> &sizes);
  /// Peels along `levels` (AffineReads.h) and returns the result.
  Value buildPeeled(Value init, ArrayRef<PeelLevel> levels);
  /// The value of loop dimension `d` at the current point of `piece`.
  Value getIndex(OpBuilder &b, Location loc, const Piece &piece, unsigned d);
  /// `map` with loop dimensions renumbered by loopPos.
  AffineMap permute(AffineMap map);
  /// Makes the dimension with the most unit-stride accesses innermost.
  void chooseLoopOrder();
  /// `init` with the identity written into it when some reduction range is
  /// empty (else the pieces write every element at their first step).
  Value fillIfReductionEmpty(Value init);

  PatternRewriter &rewriter;
  Location loc;
  const ContractionSpec &spec;
  unsigned numLoops;
  SmallVector<utils::IteratorType> iterators;
  bool hasReduction = false;
  Type accType;
  /// For each input read through compound subscripts, its prepared reads.
  SmallVector<std::optional<GuardedInput>> guarded;
  /// Position in the generic of each loop dimension.
  SmallVector<unsigned> loopPos;
  /// The first step of each reduction combines into the identity rather
  /// than into the (unfilled) result.
  bool initInBody = false;
};

} // namespace

ContractionBuilder::ContractionBuilder(PatternRewriter &rewriter, Location loc,
                                       const ContractionSpec &spec)
    : rewriter(rewriter), loc(loc), spec(spec),
      numLoops(spec.resultMap.getNumDims()) {
  for (unsigned d = 0; d < numLoops; ++d) {
    bool parallel = spec.resultMap.isFunctionOfDim(d);
    hasReduction |= !parallel;
    iterators.push_back(parallel ? utils::IteratorType::parallel
                                 : utils::IteratorType::reduction);
    loopPos.push_back(d);
  }
  // The generic computes in the accumulator type (f32 for f16/bf16 sums and
  // products) and is rounded to the result type once, afterwards.
  Type elementType = spec.resultType.getElementType();
  accType = hasReduction ? tess::getAccumulatorType(spec.kind, elementType)
                         : elementType;
}

/// Whether `body` has more than `limit` operations, nested ones included.
static bool bodyExceeds(Block *body, unsigned limit) {
  unsigned n = 0;
  return body
      ->walk([&](Operation *) {
        return ++n > limit ? WalkResult::interrupt() : WalkResult::advance();
      })
      .wasInterrupted();
}

Value ContractionBuilder::build() {
  auto accTensorType =
      RankedTensorType::get(spec.resultType.getShape(), accType);
  Value init = tensor::EmptyOp::create(rewriter, loc, accTensorType,
                                       spec.resultDynamicSizes);
  // Inputs read through plain loop dimensions are linalg operands; the
  // others are read in the body.
  SmallVector<AffineMap> peelable(spec.inputs.size());
  guarded.resize(spec.inputs.size());
  for (auto [i, input] : llvm::enumerate(spec.inputs)) {
    AffineMap map = spec.inputMaps[i];
    if (llvm::all_of(map.getResults(), llvm::IsaPred<AffineDimExpr>))
      continue;
    guarded[i] = prepareGuardedInput(rewriter, loc, input, map, spec.symbols);
    if (!guarded[i]->alwaysZero)
      peelable[i] = map;
  }
  SmallVector<PeelLevel> levels;
  if (!spec.bounds.empty() && !bodyExceeds(spec.body, kMaxPeeledBodyOps))
    levels = planPeeling(peelable, spec.resultMap);
  // Peeled along parallel dimensions only, every piece reduces complete
  // reduction ranges: the first reduction step starts from the identity
  // instead of a filled result (one pass over the result less).
  initInBody = hasReduction && !levels.empty() &&
               llvm::all_of(levels, [&](const PeelLevel &level) {
                 return iterators[level.dim] == utils::IteratorType::parallel;
               });
  if (initInBody) {
    init = fillIfReductionEmpty(init);
  } else if (hasReduction) {
    Value identity = createIdentity(rewriter, loc, spec.kind, accType);
    init = linalg::FillOp::create(rewriter, loc, ValueRange{identity},
                                  ValueRange{init})
               .getResult(0);
  }
  if (levels.empty()) {
    Piece whole;
    whole.offsets.resize(numLoops);
    whole.extents.resize(numLoops);
    for (AffineMap map : spec.inputMaps)
      whole.proven.emplace_back(map.getNumResults());
    return buildPiece(init, whole);
  }
  chooseLoopOrder();
  return buildPeeled(init, levels);
}

Value ContractionBuilder::fillIfReductionEmpty(Value init) {
  MLIRContext *ctx = rewriter.getContext();
  Value anyEmpty;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (iterators[d] != utils::IteratorType::reduction)
      continue;
    if (std::optional<int64_t> bound = getConstantIntValue(spec.bounds[d]))
      if (*bound != 0)
        continue;
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value empty = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                        spec.bounds[d], zero);
    anyEmpty =
        anyEmpty ? arith::OrIOp::create(rewriter, loc, anyEmpty, empty) : empty;
  }
  if (!anyEmpty)
    return init;
  // A loop of extent 1 when some reduction range is empty and 0 otherwise:
  // the identity is written only when no reduction step will write it.
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value extent = arith::SelectOp::create(rewriter, loc, anyEmpty, one, zero);
  Value dummy = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{ShapedType::kDynamic},
      rewriter.getI8Type(), ValueRange{extent});
  unsigned rank = spec.resultType.getRank();
  SmallVector<utils::IteratorType> fillIterators(rank,
                                                 utils::IteratorType::parallel);
  fillIterators.push_back(utils::IteratorType::reduction);
  AffineMap dummyMap =
      AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx), ctx);
  AffineMap outMap = AffineMap::get(
      rank + 1, 0, AffineMap::getMultiDimIdentityMap(rank, ctx).getResults(),
      ctx);
  Value identity = createIdentity(rewriter, loc, spec.kind, accType);
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{init.getType()}, ValueRange{dummy},
             ValueRange{init}, ArrayRef<AffineMap>{dummyMap, outMap},
             fillIterators,
             [&](OpBuilder &b, Location nestedLoc, ValueRange) {
               linalg::YieldOp::create(b, nestedLoc, identity);
             })
      .getResult(0);
}

Value ContractionBuilder::buildPeeled(Value init, ArrayRef<PeelLevel> levels) {
  Piece box;
  box.offsets.resize(numLoops);
  box.extents.resize(numLoops);
  for (AffineMap map : spec.inputMaps)
    box.proven.emplace_back(map.getNumResults());
  SmallVector<Value> boxLo, boxHi;
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  for (unsigned d = 0; d < numLoops; ++d) {
    boxLo.push_back(zero);
    boxHi.push_back(spec.bounds[d]);
  }
  Value acc = init;
  for (const PeelLevel &level : levels) {
    unsigned p = level.dim;
    auto [lo, hi] = emitInterior(rewriter, loc, level, boxLo, boxHi, guarded);
    Piece before = box;
    before.offsets[p] = zero;
    before.extents[p] = lo;
    acc = buildPiece(acc, before);
    Piece after = box;
    after.offsets[p] = hi;
    after.extents[p] = arith::SubIOp::create(rewriter, loc, boxHi[p], hi);
    acc = buildPiece(acc, after);
    box.offsets[p] = lo;
    box.extents[p] = arith::SubIOp::create(rewriter, loc, hi, lo);
    boxLo[p] = lo;
    boxHi[p] = hi;
    for (const PeeledSubscript &subscript : level.subscripts)
      box.proven[subscript.input].set(subscript.result);
  }
  return buildPiece(acc, box);
}

/// How much loop `dim` favors unit-stride access when innermost: +1 for each
/// map whose last subscript depends on it, -1 for each other subscript that
/// does (as tess-reorder-reduction-loops, but seeing the inputs read in the
/// body too).
static int64_t strideScore(ArrayRef<AffineMap> maps, unsigned dim) {
  int64_t score = 0;
  for (AffineMap map : maps)
    for (unsigned r = 0, e = map.getNumResults(); r != e; ++r)
      if (map.getResult(r).isFunctionOfDim(dim))
        score += r + 1 == e ? 1 : -1;
  return score;
}

void ContractionBuilder::chooseLoopOrder() {
  unsigned innermost = numLoops - 1;
  if (numLoops < 2 || iterators[innermost] != utils::IteratorType::reduction)
    return;
  SmallVector<AffineMap> maps(spec.inputMaps);
  maps.push_back(spec.resultMap);
  // A parallel dimension innermost vectorizes without reassociating the
  // reduction: it wins ties.
  int64_t bestScore = strideScore(maps, innermost);
  std::optional<unsigned> best;
  for (unsigned d = 0; d != innermost; ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      continue;
    int64_t score = strideScore(maps, d);
    if (score >= bestScore) {
      bestScore = score;
      best = d;
    }
  }
  if (!best)
    return;
  for (unsigned d = 0; d < numLoops; ++d)
    loopPos[d] = d < *best ? d : d == *best ? innermost : d - 1;
}

AffineMap ContractionBuilder::permute(AffineMap map) {
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d < numLoops; ++d)
    dims.push_back(rewriter.getAffineDimExpr(loopPos[d]));
  return map.replaceDimsAndSymbols(dims, {}, numLoops, 0);
}

Value ContractionBuilder::slice(Value tensor, AffineMap map, const Piece &piece,
                                SmallVectorImpl<OpFoldResult> &offsets,
                                SmallVectorImpl<OpFoldResult> &sizes) {
  auto splitDim = [&](AffineExpr expr) {
    return piece.offsets[cast<AffineDimExpr>(expr).getPosition()] != nullptr;
  };
  if (llvm::none_of(map.getResults(), splitDim))
    return tensor;
  for (auto [j, expr] : llvm::enumerate(map.getResults())) {
    unsigned d = cast<AffineDimExpr>(expr).getPosition();
    if (piece.offsets[d]) {
      offsets.push_back(piece.offsets[d]);
      sizes.push_back(piece.extents[d]);
      continue;
    }
    offsets.push_back(rewriter.getIndexAttr(0));
    sizes.push_back(tensor::getMixedSize(rewriter, loc, tensor, j));
  }
  SmallVector<OpFoldResult> strides(map.getNumResults(),
                                    rewriter.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(rewriter, loc, tensor, offsets, sizes,
                                        strides);
}

Value ContractionBuilder::getIndex(OpBuilder &b, Location loc,
                                   const Piece &piece, unsigned d) {
  Value index = linalg::IndexOp::create(b, loc, loopPos[d]);
  if (!piece.offsets[d])
    return index;
  return arith::AddIOp::create(b, loc, index, piece.offsets[d]);
}

Value ContractionBuilder::buildPiece(Value acc, const Piece &piece) {
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<OpFoldResult> outOffsets, outSizes;
  Value out = slice(acc, spec.resultMap, piece, outOffsets, outSizes);
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  SmallVector<int> operandOf(spec.inputs.size(), -1);
  llvm::SmallBitVector covered(numLoops);
  for (AffineExpr expr : spec.resultMap.getResults())
    covered.set(cast<AffineDimExpr>(expr).getPosition());
  for (auto [i, input] : llvm::enumerate(spec.inputs)) {
    if (guarded[i])
      continue;
    // linalg maps have no symbols; a plain map uses none.
    AffineMap map =
        AffineMap::get(numLoops, 0, spec.inputMaps[i].getResults(), ctx);
    SmallVector<OpFoldResult> offsets, sizes;
    operandOf[i] = operands.size();
    operands.push_back(slice(input, map, piece, offsets, sizes));
    maps.push_back(permute(map));
    for (AffineExpr expr : map.getResults())
      covered.set(cast<AffineDimExpr>(expr).getPosition());
  }
  // linalg infers loop ranges from operand shapes: give every loop dimension
  // that no operand covers a dummy operand of its extent.
  for (unsigned d = 0; d < numLoops; ++d) {
    if (covered.test(d))
      continue;
    Value extent = piece.extents[d] ? piece.extents[d] : spec.bounds[d];
    int64_t size = getConstantIntValue(extent).value_or(ShapedType::kDynamic);
    SmallVector<Value> dynamicSizes;
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(extent);
    operands.push_back(
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{size},
                                rewriter.getI8Type(), dynamicSizes));
    maps.push_back(
        AffineMap::get(numLoops, 0, getAffineDimExpr(loopPos[d], ctx)));
  }
  maps.push_back(
      permute(AffineMap::get(numLoops, 0, spec.resultMap.getResults(), ctx)));
  SmallVector<utils::IteratorType> genericIterators(numLoops);
  for (unsigned d = 0; d < numLoops; ++d)
    genericIterators[loopPos[d]] = iterators[d];

  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{out.getType()}, operands, ValueRange{out}, maps,
      genericIterators, [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
        buildBody(b, nestedLoc, args, operandOf, piece);
      });

  // tess.index nested in regions of the body (e.g. in an scf.if) becomes a
  // linalg.index at the start of the body: linalg.index must be a direct
  // child of the linalg op.
  // A tess.index inside a nested tess.contract belongs to that contract and
  // is lowered with it.
  Block &genericBody = generic.getRegion().front();
  SmallVector<tess::IndexOp> nestedIndices;
  genericBody.walk<WalkOrder::PreOrder>([&](Operation *nested) {
    if (isa<tess::ContractOp>(nested))
      return WalkResult::skip();
    if (auto index = dyn_cast<tess::IndexOp>(nested))
      nestedIndices.push_back(index);
    return WalkResult::advance();
  });
  for (tess::IndexOp index : nestedIndices) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&genericBody);
    rewriter.replaceOp(
        index, getIndex(rewriter, index.getLoc(), piece, index.getDim()));
  }
  Value result = generic.getResult(0);
  if (out == acc)
    return result;
  SmallVector<OpFoldResult> strides(outOffsets.size(),
                                    rewriter.getIndexAttr(1));
  return tensor::InsertSliceOp::create(rewriter, loc, result, acc, outOffsets,
                                       outSizes, strides);
}

void ContractionBuilder::buildBody(OpBuilder &b, Location loc, ValueRange args,
                                   ArrayRef<int> operandOf,
                                   const Piece &piece) {
  SmallVector<Value> indices(numLoops);
  auto index = [&](unsigned d) -> Value {
    if (!indices[d])
      indices[d] = getIndex(b, loc, piece, d);
    return indices[d];
  };
  IRMapping mapping;
  for (auto [i, arg] : llvm::enumerate(spec.body->getArguments())) {
    if (operandOf[i] >= 0)
      mapping.map(arg, args[operandOf[i]]);
    else
      mapping.map(arg,
                  emitAffineRead(b, loc, *guarded[i], piece.proven[i], index));
  }
  for (Operation &op : spec.body->without_terminator()) {
    if (auto indexOp = dyn_cast<tess::IndexOp>(op)) {
      mapping.map(indexOp.getResult(), index(indexOp.getDim()));
      continue;
    }
    b.clone(op, mapping);
  }
  auto yield = cast<tess::YieldOp>(spec.body->getTerminator());
  Value value = mapping.lookupOrDefault(yield.getValue());
  if (hasReduction) {
    Value acc = args.back();
    if (initInBody) {
      // The first step of the reductions (every reduction index 0).
      Value first;
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      for (unsigned d = 0; d < numLoops; ++d) {
        if (iterators[d] != utils::IteratorType::reduction)
          continue;
        Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             index(d), zero);
        first = first ? arith::AndIOp::create(b, loc, first, isZero) : isZero;
      }
      Value identity = createIdentity(b, loc, spec.kind, accType);
      acc = arith::SelectOp::create(b, loc, first, identity, acc);
    }
    value = combine(b, loc, spec.kind, acc,
                    extendToAccumulator(b, loc, value, accType));
  }
  linalg::YieldOp::create(b, loc, value);
}

Value tessera::tesstolinalg::buildContraction(PatternRewriter &rewriter,
                                              Location loc,
                                              const ContractionSpec &spec) {
  Value acc = ContractionBuilder(rewriter, loc, spec).build();
  Type elementType = spec.resultType.getElementType();
  if (cast<RankedTensorType>(acc.getType()).getElementType() == elementType)
    return acc;
  Value narrow = tensor::EmptyOp::create(rewriter, loc, spec.resultType,
                                         spec.resultDynamicSizes);
  return createTruncation(rewriter, loc, acc, narrow);
}
