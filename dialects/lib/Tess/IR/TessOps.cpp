//===- TessOps.cpp - tess operations --------------------------------------===//
//
// Builders, verifiers, folders, custom assembly and canonicalization patterns
// of the tess ops.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace tessera::tess;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Creates the single body block of a contract/map op: one argument per
/// input element type. Runs `bodyBuilder` in it when given.
static void
buildBody(OpBuilder &builder, OperationState &state, ValueRange inputs,
          function_ref<void(OpBuilder &, Location, ValueRange)> bodyBuilder) {
  Region *region = state.regions.front().get();
  SmallVector<Type> argTypes;
  SmallVector<Location> argLocs;
  for (Value input : inputs) {
    argTypes.push_back(cast<ShapedType>(input.getType()).getElementType());
    argLocs.push_back(input.getLoc());
  }
  OpBuilder::InsertionGuard guard(builder);
  Block *block = builder.createBlock(region, region->end(), argTypes, argLocs);
  if (bodyBuilder)
    bodyBuilder(builder, state.location, block->getArguments());
}

/// Verifies that the body block arguments are the input element types.
static LogicalResult verifyBodyArguments(Operation *op, Region &body,
                                         ValueRange inputs) {
  Block &block = body.front();
  if (block.getNumArguments() != inputs.size())
    return op->emitOpError("body has ")
           << block.getNumArguments() << " arguments, but the op has "
           << inputs.size() << " inputs";
  for (auto [i, arg, input] : llvm::enumerate(block.getArguments(), inputs)) {
    Type elementType = cast<ShapedType>(input.getType()).getElementType();
    if (arg.getType() != elementType)
      return op->emitOpError("body argument #")
             << i << " has type " << arg.getType() << ", but input #" << i
             << " has element type " << elementType;
  }
  if (!isa<YieldOp>(block.back()))
    return op->emitOpError("body must end with tess.yield");
  return success();
}

/// If `block` only yields one of its own arguments, returns its number.
static std::optional<unsigned> getYieldedBlockArgument(Block &block) {
  if (!llvm::hasSingleElement(block.getOperations()))
    return std::nullopt;
  auto yield = dyn_cast<YieldOp>(block.back());
  if (!yield)
    return std::nullopt;
  auto arg = dyn_cast<BlockArgument>(yield.getValue());
  if (!arg || arg.getOwner() != &block)
    return std::nullopt;
  return arg.getArgNumber();
}

/// `expr` as text, for diagnostics.
static std::string printExpr(AffineExpr expr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  expr.print(os);
  return text;
}

bool tessera::tess::isSupportedSubscript(AffineExpr expr) {
  if (!expr.isPureAffine())
    return false;
  return !expr.walk([](AffineExpr sub) {
                auto binary = dyn_cast<AffineBinaryOpExpr>(sub);
                if (!binary || binary.getKind() == AffineExprKind::Add ||
                    binary.getKind() == AffineExprKind::Mul)
                  return WalkResult::advance();
                auto divisor = dyn_cast<AffineConstantExpr>(binary.getRHS());
                if (divisor && divisor.getValue() > 0)
                  return WalkResult::advance();
                return WalkResult::interrupt();
              })
              .wasInterrupted();
}

Type tessera::tess::getAccumulatorType(ReductionKind kind, Type elementType) {
  bool accumulates = kind == ReductionKind::sum || kind == ReductionKind::prod;
  if (accumulates && (elementType.isF16() || elementType.isBF16()))
    return Float32Type::get(elementType.getContext());
  return elementType;
}

/// Verifies that subscript `expr` of input `input` can be computed: affine in
/// dimensions and symbols (products with a constant) and divided only by
/// positive constants, as the lowering requires.
static LogicalResult verifySubscript(Operation *op, unsigned input,
                                     AffineExpr expr) {
  if (!expr.isPureAffine())
    return op->emitOpError("subscript '")
           << printExpr(expr) << "' of input #" << input
           << " is not affine: a product needs a constant factor and a "
              "division a positive constant divisor";
  if (!isSupportedSubscript(expr))
    return op->emitOpError("subscript '")
           << printExpr(expr) << "' of input #" << input
           << " divides by a non-positive value";
  return success();
}

static LogicalResult verifyReductionKind(Operation *op, ReductionKind kind,
                                         Type elementType) {
  if (!isReductionKindSupported(kind, elementType))
    return op->emitOpError("reduction kind '")
           << stringifyReductionKind(kind) << "' is not supported on "
           << elementType;
  return success();
}

//===----------------------------------------------------------------------===//
// ContractOp
//===----------------------------------------------------------------------===//

void ContractOp::build(
    OpBuilder &builder, OperationState &state, Type resultType,
    ReductionKind kind, ValueRange inputs, ValueRange bounds,
    ArrayRef<AffineMap> indexingMaps,
    function_ref<void(OpBuilder &, Location, ValueRange)> bodyBuilder) {
  build(builder, state, resultType, kind, inputs, bounds,
        /*symbols=*/ValueRange(), indexingMaps, bodyBuilder);
}

void ContractOp::build(
    OpBuilder &builder, OperationState &state, Type resultType,
    ReductionKind kind, ValueRange inputs, ValueRange bounds,
    ValueRange symbols, ArrayRef<AffineMap> indexingMaps,
    function_ref<void(OpBuilder &, Location, ValueRange)> bodyBuilder) {
  build(builder, state, resultType, inputs, bounds, symbols,
        builder.getAffineMapArrayAttr(indexingMaps), kind);
  buildBody(builder, state, inputs, bodyBuilder);
}

AffineMap ContractOp::getInputMap(unsigned i) {
  return cast<AffineMapAttr>(getIndexingMaps()[i]).getValue();
}

SmallVector<AffineMap> ContractOp::getInputMaps() {
  SmallVector<AffineMap> maps;
  for (unsigned i = 0, e = getInputs().size(); i < e; ++i)
    maps.push_back(getInputMap(i));
  return maps;
}

AffineMap ContractOp::getResultMap() {
  return cast<AffineMapAttr>(getIndexingMaps()[getIndexingMaps().size() - 1])
      .getValue();
}

bool ContractOp::isReductionDim(unsigned dim) {
  return !getResultMap().isFunctionOfDim(dim);
}

SmallVector<unsigned> ContractOp::getReductionDims() {
  SmallVector<unsigned> dims;
  for (unsigned d = 0, e = getNumLoops(); d < e; ++d)
    if (isReductionDim(d))
      dims.push_back(d);
  return dims;
}

YieldOp ContractOp::getYieldOp() {
  return cast<YieldOp>(getBody().front().getTerminator());
}

LogicalResult ContractOp::verify() {
  unsigned numLoops = getNumLoops();
  ArrayAttr maps = getIndexingMaps();
  if (maps.size() != getInputs().size() + 1)
    return emitOpError("expected ")
           << getInputs().size() + 1
           << " indexing maps (one per input and one for the result), but got "
           << maps.size();
  unsigned numSymbols = getSymbols().size();
  for (auto [i, attr] : llvm::enumerate(maps)) {
    AffineMap map = cast<AffineMapAttr>(attr).getValue();
    if (map.getNumDims() != numLoops)
      return emitOpError("indexing map #")
             << i << " has " << map.getNumDims()
             << " dimensions, but the op has " << numLoops << " loop bounds";
    if (map.getNumSymbols() == numSymbols)
      continue;
    if (numSymbols == 0)
      return emitOpError("indexing map #")
             << i << " must not have symbols: the op has no symbol operands";
    return emitOpError("indexing map #")
           << i << " has " << map.getNumSymbols() << " symbols, but the op has "
           << numSymbols << " symbol operands";
  }
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    if (getInputMap(i).getNumResults() != rank)
      return emitOpError("input #")
             << i << " has rank " << rank << ", but its indexing map has "
             << getInputMap(i).getNumResults() << " results";
    for (AffineExpr expr : getInputMap(i).getResults())
      if (failed(verifySubscript(*this, i, expr)))
        return failure();
  }
  // A projected permutation: distinct plain dimensions (the map may declare
  // symbols, which the inputs use, but its results cannot).
  AffineMap resultMap = getResultMap();
  llvm::SmallBitVector seen(numLoops);
  for (AffineExpr expr : resultMap.getResults()) {
    bool usesSymbol = false;
    expr.walk(
        [&](AffineExpr sub) { usesSymbol |= isa<AffineSymbolExpr>(sub); });
    if (usesSymbol)
      return emitOpError("result indexing map must not use symbols, but got ")
             << AffineMapAttr::get(resultMap);
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || seen.test(dim.getPosition()))
      return emitOpError("result indexing map must be a projected permutation "
                         "(distinct loop dimensions), but got ")
             << AffineMapAttr::get(resultMap);
    seen.set(dim.getPosition());
  }
  RankedTensorType resultType = getType();
  if (resultMap.getNumResults() != resultType.getRank())
    return emitOpError("result has rank ")
           << resultType.getRank() << ", but the result indexing map has "
           << resultMap.getNumResults() << " results";
  if (failed(
          verifyReductionKind(*this, getKind(), resultType.getElementType())))
    return failure();

  // Every static extent of a loop dimension must agree: its bound when that
  // is a constant, and each tensor dimension that it subscripts plainly.
  for (unsigned d = 0; d < numLoops; ++d) {
    Value bound = getBounds()[d];
    std::optional<int64_t> known;
    std::string knownFrom;
    auto agree = [&](int64_t extent, const Twine &from) -> LogicalResult {
      if (!known) {
        known = extent;
        knownFrom = from.str();
        return success();
      }
      if (*known == extent)
        return success();
      return emitOpError("loop dimension #")
             << d << " has extent " << *known << " (" << knownFrom << ") but "
             << extent << " (" << from << ")";
    };
    APInt value;
    if (matchPattern(bound, m_ConstantInt(&value))) {
      int64_t extent = value.getSExtValue();
      if (extent < 0)
        return emitOpError("loop bound #")
               << d << " is negative (" << extent << ")";
      (void)agree(extent, "its bound");
    }
    for (unsigned j = 0, e = resultMap.getNumResults(); j < e; ++j)
      if (resultMap.getDimPosition(j) == d && !resultType.isDynamicDim(j) &&
          failed(
              agree(resultType.getDimSize(j), "result dimension " + Twine(j))))
        return failure();
    for (auto [i, input] : llvm::enumerate(getInputs())) {
      auto inputType = cast<RankedTensorType>(input.getType());
      AffineMap map = getInputMap(i);
      for (unsigned j = 0, e = map.getNumResults(); j < e; ++j) {
        auto dimExpr = dyn_cast<AffineDimExpr>(map.getResult(j));
        if (dimExpr && dimExpr.getPosition() == d &&
            !inputType.isDynamicDim(j) &&
            failed(agree(inputType.getDimSize(j),
                         "input #" + Twine(i) + " dimension " + Twine(j))))
          return failure();
      }
    }
  }
  return success();
}

LogicalResult ContractOp::verifyRegions() {
  return verifyBodyArguments(*this, getBody(), getInputs());
}

namespace {

// The simplifications to tess.map, a copy and tess.reduce apply to contracts
// without symbol operands only: a subscript that uses a symbol is compound
// (it may read out of bounds). ContractDropUnusedSymbols removes the symbols
// that no map uses first.

/// contract with one identity map for every operand (hence no reduction) and
/// no tess.index -> tess.map.
struct ContractToMap : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInputs().empty())
      return rewriter.notifyMatchFailure(op, "no inputs");
    if (!op.getSymbols().empty())
      return rewriter.notifyMatchFailure(op, "has symbol operands");
    AffineMap resultMap = op.getResultMap();
    if (!resultMap.isIdentity())
      return rewriter.notifyMatchFailure(op, "result map is not identity");
    for (AffineMap map : op.getInputMaps())
      if (map != resultMap)
        return rewriter.notifyMatchFailure(op, "input map is not identity");
    ArrayRef<int64_t> shape = op.getType().getShape();
    for (Value input : op.getInputs())
      if (cast<RankedTensorType>(input.getType()).getShape() != shape)
        return rewriter.notifyMatchFailure(op, "shapes differ");
    if (op.getBody()
            .walk([](IndexOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      return rewriter.notifyMatchFailure(op, "body uses tess.index");
    auto mapOp =
        MapOp::create(rewriter, op.getLoc(), op.getType(), op.getInputs());
    rewriter.inlineRegionBefore(op.getBody(), mapOp.getBody(),
                                mapOp.getBody().end());
    rewriter.replaceOp(op, mapOp.getResult());
    return success();
  }
};

/// contract that copies its single input (same permutation map for input and
/// result, body yields the element) -> the input, cast if the type differs.
struct ContractCopy : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInputs().size() != 1 ||
        getYieldedBlockArgument(op.getBody().front()) != 0u)
      return rewriter.notifyMatchFailure(op, "not a single-input copy");
    if (!op.getSymbols().empty())
      return rewriter.notifyMatchFailure(op, "has symbol operands");
    AffineMap resultMap = op.getResultMap();
    if (op.getInputMap(0) != resultMap || !resultMap.isPermutation())
      return rewriter.notifyMatchFailure(op, "maps differ or reduce");
    Value input = op.getInputs()[0];
    // A graph region may feed the op its own result.
    if (input == op.getResult())
      return rewriter.notifyMatchFailure(op, "copies its own result");
    if (input.getType() == op.getType()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    if (!tensor::CastOp::areCastCompatible(input.getType(), op.getType()))
      return rewriter.notifyMatchFailure(op, "incompatible shapes");
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getType(), input);
    return success();
  }
};

/// contract that reduces its single input (input map a permutation of all
/// loop dims, body yields the element, reduction dims present, kept dims in
/// input order) -> tess.reduce.
struct ContractToReduce : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInputs().size() != 1 ||
        getYieldedBlockArgument(op.getBody().front()) != 0u)
      return rewriter.notifyMatchFailure(op, "not a single-input reduction");
    if (!op.getSymbols().empty())
      return rewriter.notifyMatchFailure(op, "has symbol operands");
    AffineMap inputMap = op.getInputMap(0);
    if (!inputMap.isPermutation() || !op.hasReductionDims())
      return rewriter.notifyMatchFailure(op, "not a full reduction read");
    AffineMap resultMap = op.getResultMap();
    auto inputType = cast<RankedTensorType>(op.getInputs()[0].getType());
    RankedTensorType resultType = op.getType();
    int64_t previous = -1;
    for (unsigned j = 0, e = resultMap.getNumResults(); j < e; ++j) {
      int64_t pos = *inputMap.getResultPosition(resultMap.getResult(j));
      if (pos <= previous)
        return rewriter.notifyMatchFailure(op, "kept dims are permuted");
      previous = pos;
      int64_t inSize = inputType.getDimSize(pos);
      int64_t outSize = resultType.getDimSize(j);
      if (!ShapedType::isDynamic(inSize) && !ShapedType::isDynamic(outSize) &&
          inSize != outSize)
        return rewriter.notifyMatchFailure(op, "incompatible shapes");
    }
    SmallVector<int64_t> dims;
    for (unsigned d : op.getReductionDims())
      dims.push_back(*inputMap.getResultPosition(rewriter.getAffineDimExpr(d)));
    llvm::sort(dims);
    rewriter.replaceOpWithNewOp<ReduceOp>(op, resultType, op.getInputs()[0],
                                          dims, op.getKind());
    return success();
  }
};

/// Removes the inputs whose block argument is unused.
struct ContractDropUnusedInputs : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    Block &block = op.getBody().front();
    llvm::BitVector unused(block.getNumArguments());
    SmallVector<Value> inputs;
    SmallVector<Attribute> maps;
    for (BlockArgument arg : block.getArguments()) {
      unsigned i = arg.getArgNumber();
      if (arg.use_empty()) {
        unused.set(i);
        continue;
      }
      inputs.push_back(op.getInputs()[i]);
      maps.push_back(op.getIndexingMaps()[i]);
    }
    if (unused.none())
      return rewriter.notifyMatchFailure(op, "all inputs used");
    maps.push_back(op.getIndexingMaps()[op.getInputs().size()]);
    auto newOp = ContractOp::create(rewriter, op.getLoc(), op.getType(), inputs,
                                    op.getBounds(), op.getSymbols(),
                                    rewriter.getArrayAttr(maps), op.getKind());
    rewriter.modifyOpInPlace(op, [&] { block.eraseArguments(unused); });
    rewriter.inlineRegionBefore(op.getBody(), newOp.getBody(),
                                newOp.getBody().end());
    rewriter.replaceOp(op, newOp.getResult());
    return success();
  }
};

/// Removes the symbol operands that no indexing map uses (and the symbols
/// from every map).
struct ContractDropUnusedSymbols : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSymbols().empty())
      return rewriter.notifyMatchFailure(op, "no symbol operands");
    SmallVector<AffineMap> maps = op.getInputMaps();
    maps.push_back(op.getResultMap());
    llvm::SmallBitVector unused = getUnusedSymbolsBitVector(maps);
    if (unused.none())
      return rewriter.notifyMatchFailure(op, "all symbols used");
    SmallVector<Value> symbols;
    for (auto [k, symbol] : llvm::enumerate(op.getSymbols()))
      if (!unused.test(k))
        symbols.push_back(symbol);
    SmallVector<AffineMap> newMaps;
    for (AffineMap map : maps)
      newMaps.push_back(compressSymbols(map, unused));
    auto newOp = ContractOp::create(
        rewriter, op.getLoc(), op.getType(), op.getInputs(), op.getBounds(),
        symbols, rewriter.getAffineMapArrayAttr(newMaps), op.getKind());
    rewriter.inlineRegionBefore(op.getBody(), newOp.getBody(),
                                newOp.getBody().end());
    rewriter.replaceOp(op, newOp.getResult());
    return success();
  }
};

} // namespace

void ContractOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<ContractToMap, ContractCopy, ContractToReduce,
              ContractDropUnusedInputs, ContractDropUnusedSymbols>(context);
}

//===----------------------------------------------------------------------===//
// MapOp
//===----------------------------------------------------------------------===//

void MapOp::build(
    OpBuilder &builder, OperationState &state, ValueRange inputs,
    Type resultElementType,
    function_ref<void(OpBuilder &, Location, ValueRange)> bodyBuilder) {
  ArrayRef<int64_t> shape;
  if (!inputs.empty())
    shape = cast<ShapedType>(inputs.front().getType()).getShape();
  build(builder, state, RankedTensorType::get(shape, resultElementType),
        inputs);
  buildBody(builder, state, inputs, bodyBuilder);
}

YieldOp MapOp::getYieldOp() {
  return cast<YieldOp>(getBody().front().getTerminator());
}

LogicalResult MapOp::verify() {
  if (getInputs().empty())
    return emitOpError("expected at least one input");
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(getInputs().front().getType()).getShape();
  for (auto [i, input] : llvm::enumerate(getInputs()))
    if (cast<RankedTensorType>(input.getType()).getShape() != shape)
      return emitOpError("input #")
             << i << " has type " << input.getType()
             << ", whose shape differs from that of input #0";
  if (getType().getShape() != shape)
    return emitOpError("result type ")
           << getType() << " must have the shape of the inputs";
  return success();
}

LogicalResult MapOp::verifyRegions() {
  return verifyBodyArguments(*this, getBody(), getInputs());
}

OpFoldResult MapOp::fold(FoldAdaptor) {
  std::optional<unsigned> arg = getYieldedBlockArgument(getBody().front());
  // In a graph region the input may be the op's own result: folding to it
  // would be an endless in-place fold.
  if (arg && getInputs()[*arg].getType() == getType() &&
      getInputs()[*arg] != getResult())
    return getInputs()[*arg];
  return {};
}

namespace {

/// Removes the inputs whose block argument is unused (keeping one, which
/// gives the shape).
struct MapDropUnusedInputs : OpRewritePattern<MapOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MapOp op,
                                PatternRewriter &rewriter) const override {
    Block &block = op.getBody().front();
    llvm::BitVector unused(block.getNumArguments());
    for (BlockArgument arg : block.getArguments())
      if (arg.use_empty())
        unused.set(arg.getArgNumber());
    if (unused.all())
      unused.reset(0);
    if (unused.none())
      return rewriter.notifyMatchFailure(op, "all inputs used");
    SmallVector<Value> inputs;
    for (auto [i, input] : llvm::enumerate(op.getInputs()))
      if (!unused.test(i))
        inputs.push_back(input);
    auto newOp = MapOp::create(rewriter, op.getLoc(), op.getType(), inputs);
    rewriter.modifyOpInPlace(op, [&] { block.eraseArguments(unused); });
    rewriter.inlineRegionBefore(op.getBody(), newOp.getBody(),
                                newOp.getBody().end());
    rewriter.replaceOp(op, newOp.getResult());
    return success();
  }
};

} // namespace

void MapOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<MapDropUnusedInputs>(context);
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

void ReduceOp::build(OpBuilder &builder, OperationState &state,
                     ReductionKind kind, Value input, ArrayRef<int64_t> dims) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t d = 0, e = inputType.getRank(); d < e; ++d)
    if (!llvm::is_contained(dims, d))
      shape.push_back(inputType.getDimSize(d));
  build(builder, state,
        RankedTensorType::get(shape, inputType.getElementType()), input, dims,
        kind);
}

LogicalResult ReduceOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  RankedTensorType resultType = getType();
  ArrayRef<int64_t> dims = getDims();
  int64_t previous = -1;
  for (int64_t d : dims) {
    if (d < 0 || d >= inputType.getRank())
      return emitOpError("reduction dimension ")
             << d << " is out of range for an input of rank "
             << inputType.getRank();
    if (d <= previous)
      return emitOpError("reduction dimensions must be strictly increasing");
    previous = d;
  }
  if (resultType.getElementType() != inputType.getElementType())
    return emitOpError("result element type ")
           << resultType.getElementType()
           << " differs from the input element type "
           << inputType.getElementType();
  if (resultType.getRank() + static_cast<int64_t>(dims.size()) !=
      inputType.getRank())
    return emitOpError("result has rank ")
           << resultType.getRank() << ", expected "
           << inputType.getRank() - static_cast<int64_t>(dims.size());
  int64_t j = 0;
  for (int64_t d = 0, e = inputType.getRank(); d < e; ++d) {
    if (llvm::is_contained(dims, d))
      continue;
    int64_t inSize = inputType.getDimSize(d);
    int64_t outSize = resultType.getDimSize(j);
    if (!ShapedType::isDynamic(inSize) && !ShapedType::isDynamic(outSize) &&
        inSize != outSize)
      return emitOpError("result dimension ")
             << j << " has size " << outSize << ", but input dimension " << d
             << " has size " << inSize;
    ++j;
  }
  return verifyReductionKind(*this, getKind(), inputType.getElementType());
}

OpFoldResult ReduceOp::fold(FoldAdaptor) {
  if (getDims().empty() && getInput().getType() == getType() &&
      getInput() != getResult())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  // The row maximum starts at -inf.
  if (failed(verifyReductionKind(*this, ReductionKind::max,
                                 getType().getElementType())))
    return failure();
  int64_t rank = getType().getRank();
  if (static_cast<int64_t>(getAxis()) >= rank)
    return emitOpError("axis ")
           << getAxis() << " is out of range for a tensor of rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// SplatOp
//===----------------------------------------------------------------------===//

LogicalResult SplatOp::verify() {
  RankedTensorType type = getType();
  if (getValue().getType() != type.getElementType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from the element type of "
           << type;
  if (getDynamicSizes().size() != type.getNumDynamicDims())
    return emitOpError("expected ")
           << type.getNumDynamicDims() << " dynamic sizes for " << type
           << ", but got " << getDynamicSizes().size();
  for (auto [i, size] : llvm::enumerate(getDynamicSizes())) {
    APInt value;
    if (matchPattern(size, m_ConstantInt(&value)) && value.isNegative())
      return emitOpError("dynamic size #")
             << i << " is negative (" << value.getSExtValue() << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

bool ConstantOp::isBuildableWith(Attribute value, Type type) {
  if (auto array = dyn_cast<ArrayAttr>(value)) {
    auto complexType = dyn_cast<ComplexType>(type);
    if (!complexType || !isTessElementType(complexType) || array.size() != 2)
      return false;
    return llvm::all_of(array, [&](Attribute part) {
      auto floatAttr = dyn_cast<FloatAttr>(part);
      return floatAttr && floatAttr.getType() == complexType.getElementType();
    });
  }
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return false;
  if (isa<IntegerAttr>(value))
    return isa<IntegerType, IndexType>(type) && isTessElementType(type);
  if (isa<FloatAttr>(value))
    return isa<FloatType>(type);
  // Dense elements only: other ElementsAttr kinds (dense_resource, sparse)
  // need not hold their values, which the lowering to LLVM requires.
  if (isa<DenseElementsAttr>(value)) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    return tensorType && tensorType.hasStaticShape() &&
           isTessElementType(tensorType.getElementType());
  }
  return false;
}

LogicalResult ConstantOp::verify() {
  if (!isBuildableWith(getValue(), getType()))
    return emitOpError("value ")
           << getValue() << " is not a valid constant of type " << getType();
  return success();
}

ParseResult ConstantOp::parse(OpAsmParser &parser, OperationState &result) {
  Attribute value;
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseAttribute(value))
    return failure();
  Type type;
  if (auto typed = dyn_cast<TypedAttr>(value))
    type = typed.getType();
  else if (parser.parseColonType(type))
    return failure();
  result.addAttribute(getValueAttrName(result.name), value);
  result.addTypes(type);
  return success();
}

void ConstantOp::print(OpAsmPrinter &printer) {
  printer.printOptionalAttrDict((*this)->getAttrs(),
                                /*elidedAttrs=*/{getValueAttrName()});
  printer << ' ';
  printer.printAttribute(getValue());
  if (!isa<TypedAttr>(getValue()))
    printer << " : " << getType();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  if (isa<ComplexType>(getInput().getType()) && !isa<ComplexType>(getType()))
    return emitOpError("cannot cast complex type ")
           << getInput().getType() << " to real type " << getType()
           << "; use complex.re or complex.abs";
  return success();
}

/// Bit width used to fold integer and index values.
static unsigned getFoldWidth(Type type) {
  if (isa<IndexType>(type))
    return IndexType::kInternalStorageBitWidth;
  return cast<IntegerType>(type).getWidth();
}

/// Folds a real constant `value` of type `srcType` into `dstType` (a real
/// type). Returns null if the conversion has no exact defined value (e.g. a
/// float that does not fit the integer type).
static TypedAttr foldRealCast(Attribute value, Type srcType, Type dstType) {
  // The constant may come from any ConstantLike op (ub.poison, ...): fold
  // only plain integer and float attributes of the source type.
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != srcType ||
      !isa<IntegerAttr, FloatAttr>(value))
    return {};
  bool srcIsBool = srcType.isInteger(1);
  if (auto intAttr = dyn_cast<IntegerAttr>(value)) {
    APInt v = intAttr.getValue();
    if (dstType.isInteger(1))
      return IntegerAttr::get(dstType, v.isZero() ? 0 : 1);
    if (isa<IntegerType, IndexType>(dstType)) {
      unsigned width = getFoldWidth(dstType);
      return IntegerAttr::get(dstType, srcIsBool ? v.zextOrTrunc(width)
                                                 : v.sextOrTrunc(width));
    }
    auto floatType = cast<FloatType>(dstType);
    APFloat f(floatType.getFloatSemantics());
    f.convertFromAPInt(v, /*IsSigned=*/!srcIsBool,
                       APFloat::rmNearestTiesToEven);
    return FloatAttr::get(dstType, f);
  }
  APFloat f = cast<FloatAttr>(value).getValue();
  if (dstType.isInteger(1))
    return IntegerAttr::get(dstType, f.isZero() ? 0 : 1);
  if (isa<IntegerType, IndexType>(dstType)) {
    llvm::APSInt result(getFoldWidth(dstType), /*isUnsigned=*/false);
    bool isExact = false;
    if (f.convertToInteger(result, APFloat::rmTowardZero, &isExact) &
        APFloat::opInvalidOp)
      return {};
    return IntegerAttr::get(dstType, result);
  }
  bool losesInfo = false;
  f.convert(cast<FloatType>(dstType).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &losesInfo);
  return FloatAttr::get(dstType, f);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  Type srcType = getInput().getType();
  Type dstType = getType();
  if (srcType == dstType)
    return getInput() != getResult() ? getInput() : OpFoldResult();
  Attribute value = adaptor.getInput();
  if (!value)
    return {};
  auto dstComplex = dyn_cast<ComplexType>(dstType);
  if (!dstComplex)
    return foldRealCast(value, srcType, dstType);
  Type partType = dstComplex.getElementType();
  if (auto srcComplex = dyn_cast<ComplexType>(srcType)) {
    auto array = dyn_cast<ArrayAttr>(value);
    if (!array || array.size() != 2)
      return {};
    Type srcPart = srcComplex.getElementType();
    TypedAttr re = foldRealCast(array[0], srcPart, partType);
    TypedAttr im = foldRealCast(array[1], srcPart, partType);
    if (!re || !im)
      return {};
    return ArrayAttr::get(getContext(), {re, im});
  }
  TypedAttr re = foldRealCast(value, srcType, partType);
  if (!re)
    return {};
  return ArrayAttr::get(getContext(), {re, FloatAttr::get(partType, 0.0)});
}

//===----------------------------------------------------------------------===//
// IndexOp
//===----------------------------------------------------------------------===//

LogicalResult IndexOp::verify() {
  auto contract = (*this)->getParentOfType<ContractOp>();
  if (!contract)
    return emitOpError("must be nested in a tess.contract body");
  if (getDim() >= contract.getNumLoops())
    return emitOpError("dimension ")
           << getDim() << " is out of range: the enclosing tess.contract has "
           << contract.getNumLoops() << " loop dimensions";
  return success();
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

LogicalResult YieldOp::verify() {
  Type expected =
      cast<ShapedType>((*this)->getParentOp()->getResult(0).getType())
          .getElementType();
  if (getValue().getType() != expected)
    return emitOpError("yields ")
           << getValue().getType()
           << ", but the element type of the enclosing op's result is "
           << expected;
  return success();
}

//===----------------------------------------------------------------------===//
// CallOp
//===----------------------------------------------------------------------===//

void CallOp::build(OpBuilder &builder, OperationState &state,
                   func::FuncOp callee, ValueRange operands) {
  build(builder, state, callee.getFunctionType().getResults(),
        SymbolRefAttr::get(callee), operands, /*arg_attrs=*/nullptr,
        /*res_attrs=*/nullptr);
}

LogicalResult CallOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FlatSymbolRefAttr calleeAttr = getCalleeAttr();
  auto callee =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, calleeAttr);
  if (!callee)
    return emitOpError("'")
           << calleeAttr.getValue() << "' does not reference a func.func";
  FunctionType type = callee.getFunctionType();
  if (type.getNumInputs() != getOperands().size())
    return emitOpError("callee expects ")
           << type.getNumInputs() << " operands, but got "
           << getOperands().size();
  for (auto [i, expected, operand] :
       llvm::enumerate(type.getInputs(), getOperands()))
    if (operand.getType() != expected)
      return emitOpError("operand #")
             << i << " has type " << operand.getType()
             << ", but the callee expects " << expected;
  if (type.getNumResults() != getNumResults())
    return emitOpError("callee returns ")
           << type.getNumResults() << " results, but the call has "
           << getNumResults();
  for (auto [i, expected, result] :
       llvm::enumerate(type.getResults(), getResults()))
    if (result.getType() != expected)
      return emitOpError("result #") << i << " has type " << result.getType()
                                     << ", but the callee returns " << expected;
  return success();
}

#define GET_OP_CLASSES
#include "tessera/Dialect/Tess/IR/TessOps.cpp.inc"
