//===- SSMOps.cpp - ssm dialect ops ---------------------------------------===//

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace tessera::ssm;

#define GET_OP_CLASSES
#include "tessera/Dialect/SSM/IR/SSMOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

void ScanOp::build(
    OpBuilder &builder, OperationState &state, RankedTensorType resultType,
    ValueRange inputs, Value init, ValueRange bounds, ValueRange symbols,
    ArrayRef<AffineMap> indexingMaps, int64_t scanDim, bool reverse,
    function_ref<void(OpBuilder &, Location, ValueRange)> bodyBuilder) {
  build(builder, state, resultType, inputs, init, bounds, symbols,
        builder.getAffineMapArrayAttr(indexingMaps),
        builder.getI64IntegerAttr(scanDim),
        reverse ? builder.getUnitAttr() : nullptr,
        RecurrenceKindAttr::get(builder.getContext(),
                                RecurrenceKind::Unclassified),
        /*vector_dim=*/nullptr);
  OpBuilder::InsertionGuard guard(builder);
  Region *body = state.regions.front().get();
  SmallVector<Type> argTypes;
  SmallVector<Location> argLocs;
  for (Value input : inputs) {
    argTypes.push_back(cast<ShapedType>(input.getType()).getElementType());
    argLocs.push_back(state.location);
  }
  argTypes.push_back(resultType.getElementType());
  argLocs.push_back(state.location);
  Block *block = builder.createBlock(body, {}, argTypes, argLocs);
  if (bodyBuilder)
    bodyBuilder(builder, state.location, block->getArguments());
}

AffineMap ScanOp::getInputMap(unsigned i) {
  return cast<AffineMapAttr>(getIndexingMaps()[i]).getValue();
}

BlockArgument ScanOp::getPreviousState() {
  Block &block = getBody().front();
  return block.getArgument(block.getNumArguments() - 1);
}

int ScanOp::getStepVectorDim() {
  if (std::optional<uint64_t> vectorDim = getVectorDim())
    return int(*vectorDim);
  int rank = int(getNumLoops()), scanDim = int(getScanDim());
  return scanDim + 1 == rank ? rank - 2 : rank - 1;
}

YieldOp ScanOp::getYieldOp() {
  return cast<YieldOp>(getBody().front().getTerminator());
}

/// Checks the maps against the loops, the symbols and the inputs' ranks.
static LogicalResult verifyMaps(ScanOp op) {
  unsigned numLoops = op.getNumLoops(), numSymbols = op.getSymbols().size();
  if (op.getIndexingMaps().size() != op.getInputs().size())
    return op.emitOpError("expected ")
           << op.getInputs().size()
           << " indexing maps (one per input), but got "
           << op.getIndexingMaps().size();
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    AffineMap map = op.getInputMap(i);
    if (map.getNumDims() != numLoops || map.getNumSymbols() != numSymbols)
      return op.emitOpError("indexing map #")
             << i << " must have " << numLoops << " dimensions and "
             << numSymbols << " symbols, but has " << map.getNumDims()
             << " and " << map.getNumSymbols();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    if (map.getNumResults() != rank)
      return op.emitOpError("input #")
             << i << " has rank " << rank << ", but its indexing map has "
             << map.getNumResults() << " results";
    for (AffineExpr expr : map.getResults())
      if (!tessera::tess::isSupportedSubscript(expr))
        return op.emitOpError("subscript of input #")
               << i
               << " is not affine with constant factors and positive "
                  "constant divisors";
  }
  return success();
}

/// Checks that the static extents of each loop dimension agree: its bound
/// when constant, the result's dimension, and each input dimension that it
/// subscripts plainly.
static LogicalResult verifyExtents(ScanOp op) {
  RankedTensorType resultType = op.getType();
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    int64_t known = resultType.getDimSize(d);
    APInt value;
    if (matchPattern(op.getBounds()[d], m_ConstantInt(&value))) {
      int64_t bound = value.getSExtValue();
      if (bound < 0)
        return op.emitOpError("loop bound #") << d << " is negative";
      if (!ShapedType::isDynamic(known) && known != bound)
        return op.emitOpError("loop bound #")
               << d << " is " << bound << ", but result dimension " << d
               << " is " << known;
      known = bound;
    }
    for (auto [i, input] : llvm::enumerate(op.getInputs())) {
      auto type = cast<RankedTensorType>(input.getType());
      AffineMap map = op.getInputMap(i);
      for (unsigned j = 0; j < map.getNumResults(); ++j) {
        auto dim = dyn_cast<AffineDimExpr>(map.getResult(j));
        if (!dim || dim.getPosition() != d || type.isDynamicDim(j))
          continue;
        if (!ShapedType::isDynamic(known) && known != type.getDimSize(j))
          return op.emitOpError("loop dimension #")
                 << d << " has extent " << known << ", but input #" << i
                 << " dimension " << j << " is " << type.getDimSize(j);
        known = type.getDimSize(j);
      }
    }
  }
  return success();
}

/// Checks that `init` has the result's shape without the scan dimension.
static LogicalResult verifyInit(ScanOp op) {
  if (!op.getInit())
    return success();
  RankedTensorType resultType = op.getType();
  auto initType = cast<RankedTensorType>(op.getInit().getType());
  if (initType.getElementType() != resultType.getElementType())
    return op.emitOpError("init has element type ")
           << initType.getElementType() << ", but the result has "
           << resultType.getElementType();
  if (initType.getRank() + 1 != resultType.getRank())
    return op.emitOpError("init must have rank ")
           << resultType.getRank() - 1
           << " (the result's without the scan dimension), but has rank "
           << initType.getRank();
  int64_t scanDim = op.getScanDim();
  for (int64_t j = 0; j < initType.getRank(); ++j) {
    int64_t d = j < scanDim ? j : j + 1;
    if (!initType.isDynamicDim(j) && !resultType.isDynamicDim(d) &&
        initType.getDimSize(j) != resultType.getDimSize(d))
      return op.emitOpError("init dimension ")
             << j << " is " << initType.getDimSize(j)
             << ", but result dimension " << d << " is "
             << resultType.getDimSize(d);
  }
  return success();
}

LogicalResult ScanOp::verify() {
  if (getNumLoops() != static_cast<unsigned>(getType().getRank()))
    return emitOpError("expected one loop bound per result dimension (")
           << getType().getRank() << "), but got " << getNumLoops();
  if (getScanDim() >= getNumLoops())
    return emitOpError("scan dimension ")
           << getScanDim() << " is out of range for a result of rank "
           << getNumLoops();
  if (getKind() == RecurrenceKind::Dense ||
      getKind() == RecurrenceKind::BlockDiagonal)
    return emitOpError("kind ")
           << stringifyRecurrenceKind(getKind())
           << " describes a transition between whole slices (ssm.recurrence)"
           << "; an ssm.scan's step is element-wise";
  if (std::optional<uint64_t> vectorDim = getVectorDim())
    if (*vectorDim >= getNumLoops() || *vectorDim == getScanDim())
      return emitOpError("vector dimension ")
             << *vectorDim << " must be a dimension of the result other "
             << "than the scan dimension " << getScanDim();
  if (failed(verifyMaps(*this)) || failed(verifyExtents(*this)))
    return failure();
  return verifyInit(*this);
}

LogicalResult ScanOp::verifyRegions() {
  Block &block = getBody().front();
  unsigned expected = getInputs().size() + 1;
  if (block.getNumArguments() != expected)
    return emitOpError("body has ")
           << block.getNumArguments() << " arguments, but expected " << expected
           << " (one per input and the previous state)";
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    Type elementType = cast<ShapedType>(input.getType()).getElementType();
    if (block.getArgument(i).getType() != elementType)
      return emitOpError("body argument #")
             << i << " has type " << block.getArgument(i).getType()
             << ", but input #" << i << " has element type " << elementType;
  }
  if (getPreviousState().getType() != getType().getElementType())
    return emitOpError("the body's last argument (the previous state) has "
                       "type ")
           << getPreviousState().getType() << ", but the result has "
           << getType().getElementType();
  if (!isa<YieldOp>(block.back()))
    return emitOpError("body must end with ssm.yield");
  return success();
}

//===----------------------------------------------------------------------===//
// RecurrenceOp
//===----------------------------------------------------------------------===//

void RecurrenceOp::build(
    OpBuilder &builder, OperationState &state, RankedTensorType resultType,
    Value init, Value length, int64_t scanDim, bool reverse,
    function_ref<void(OpBuilder &, Location, ValueRange)> bodyBuilder) {
  build(builder, state, resultType, init, length,
        builder.getI64IntegerAttr(scanDim),
        reverse ? builder.getUnitAttr() : nullptr,
        RecurrenceKindAttr::get(builder.getContext(),
                                RecurrenceKind::Unclassified));
  OpBuilder::InsertionGuard guard(builder);
  Region *body = state.regions.front().get();
  Block *block =
      builder.createBlock(body, {}, {builder.getIndexType(), init.getType()},
                          {state.location, state.location});
  if (bodyBuilder)
    bodyBuilder(builder, state.location, block->getArguments());
}

RankedTensorType RecurrenceOp::getSliceType() {
  RankedTensorType type = getType();
  SmallVector<int64_t> shape(type.getShape());
  if (getScanDim() < shape.size())
    shape.erase(shape.begin() + getScanDim());
  return RankedTensorType::get(shape, type.getElementType());
}

LogicalResult RecurrenceOp::verify() {
  RankedTensorType type = getType();
  if (getScanDim() >= static_cast<uint64_t>(type.getRank()))
    return emitOpError("scan dimension ")
           << getScanDim() << " is out of range for a result of rank "
           << type.getRank();
  if (getInit().getType() != getSliceType())
    return emitOpError("the initial slice has type ")
           << getInit().getType() << ", but a slice of the result has type "
           << getSliceType();
  APInt length;
  int64_t extent = type.getDimSize(getScanDim());
  if (matchPattern(getLength(), m_ConstantInt(&length)) &&
      !ShapedType::isDynamic(extent) && length.getSExtValue() != extent)
    return emitOpError("length ")
           << length.getSExtValue() << " disagrees with the result's scan "
           << "dimension " << extent;
  return success();
}

LogicalResult RecurrenceOp::verifyRegions() {
  Block &block = getBody().front();
  if (block.getNumArguments() != 2 ||
      !block.getArgument(0).getType().isIndex() ||
      block.getArgument(1).getType() != getSliceType())
    return emitOpError("body must take the position (index) and the "
                       "previous slice (")
           << getSliceType() << ")";
  if (!isa<YieldOp>(block.back()))
    return emitOpError("body must end with ssm.yield");
  return success();
}

//===----------------------------------------------------------------------===//
// IndexOp, YieldOp
//===----------------------------------------------------------------------===//

LogicalResult IndexOp::verify() {
  auto scan = cast<ScanOp>((*this)->getParentOp());
  if (getDim() >= scan.getNumLoops())
    return emitOpError("dimension ")
           << getDim() << " is out of range: the enclosing ssm.scan has "
           << scan.getNumLoops() << " loop dimensions";
  return success();
}

LogicalResult YieldOp::verify() {
  if (auto recurrence = dyn_cast<RecurrenceOp>((*this)->getParentOp())) {
    if (getValue().getType() != recurrence.getSliceType())
      return emitOpError("yields ")
             << getValue().getType() << ", but a slice of the enclosing "
             << "ssm.recurrence has type " << recurrence.getSliceType();
    return success();
  }
  auto scan = cast<ScanOp>((*this)->getParentOp());
  Type expected = scan.getType().getElementType();
  if (getValue().getType() != expected)
    return emitOpError("yields ")
           << getValue().getType()
           << ", but the element type of the enclosing ssm.scan is "
           << expected;
  return success();
}

//===----------------------------------------------------------------------===//
// DiscretizeOp
//===----------------------------------------------------------------------===//

/// Whether the static extents `x` and `y` may be equal (either dynamic).
static bool mayBeEqual(int64_t x, int64_t y) {
  return ShapedType::isDynamic(x) || ShapedType::isDynamic(y) || x == y;
}

LogicalResult DiscretizeOp::verify() {
  auto a = cast<RankedTensorType>(getA().getType());
  auto b = cast<RankedTensorType>(getB().getType());
  auto dt = cast<RankedTensorType>(getDt().getType());
  Type element = a.getElementType();
  if (!element.isF32() && !element.isF64())
    return emitOpError("expects f32 or f64 elements, but A has ") << element;
  if (a.getRank() != 2 || !mayBeEqual(a.getDimSize(0), a.getDimSize(1)))
    return emitOpError("expects a square matrix A, but A has type ") << a;
  if (b.getRank() != 1 && b.getRank() != 2)
    return emitOpError("expects B of rank 1 or 2, but B has type ") << b;
  if (!mayBeEqual(b.getDimSize(0), a.getDimSize(0)))
    return emitOpError("B has ")
           << b.getDimSize(0) << " rows, but A has " << a.getDimSize(0);
  if (dt.getRank() != 0)
    return emitOpError("expects a rank-0 step dt, but dt has type ") << dt;
  if (b.getElementType() != element || dt.getElementType() != element)
    return emitOpError("expects A, B and dt of one element type, but they "
                       "have ")
           << element << ", " << b.getElementType() << " and "
           << dt.getElementType();
  return success();
}
