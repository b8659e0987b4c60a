//===- TessToLinalg.cpp - Lower tess to linalg on tensors -----------------===//
//
// Lowers every tess op to linalg, tensor, arith, math, complex and func ops,
// keeping tensor (value) semantics. See Passes.td for the scheme. The
// linalg.generic of tess.contract and tess.map is built in Contraction.cpp,
// reads through compound subscripts in AffineReads.cpp.
//
//===----------------------------------------------------------------------===//

#include "tessera/Conversion/TessToLinalg/TessToLinalg.h"
#include "tessera/Conversion/Passes.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"

#include "Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tessera {
#define GEN_PASS_DEF_CONVERTTESSTOLINALG
#include "tessera/Conversion/Passes.h.inc"
} // namespace tessera

using namespace mlir;
using namespace tessera;
using namespace tessera::tesstolinalg;
using tess::ReductionKind;

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// Bit width of an integer or index type (index is 64 bits on every target
/// Tessera compiles for).
static unsigned getIntWidth(Type type) {
  if (isa<IndexType>(type))
    return IndexType::kInternalStorageBitWidth;
  return cast<IntegerType>(type).getWidth();
}

/// A complex constant `re + im*i` of `type`.
static Value createComplexConstant(OpBuilder &b, Location loc, ComplexType type,
                                   double re, double im) {
  Type part = type.getElementType();
  return complex::ConstantOp::create(
      b, loc, type,
      b.getArrayAttr({b.getFloatAttr(part, re), b.getFloatAttr(part, im)}));
}

/// Zero of a tess element type (the value of an out-of-bounds read).
Value tesstolinalg::createZero(OpBuilder &b, Location loc, Type type) {
  if (auto complexType = dyn_cast<ComplexType>(type))
    return createComplexConstant(b, loc, complexType, 0.0, 0.0);
  return arith::ConstantOp::create(b, loc,
                                   cast<TypedAttr>(b.getZeroAttr(type)));
}

/// Identity of reduction `kind` on `type`.
Value tesstolinalg::createIdentity(OpBuilder &b, Location loc,
                                   ReductionKind kind, Type type) {
  if (auto complexType = dyn_cast<ComplexType>(type))
    return createComplexConstant(b, loc, complexType,
                                 kind == ReductionKind::prod ? 1.0 : 0.0, 0.0);
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    APFloat value = APFloat::getZero(sem);
    switch (kind) {
    case ReductionKind::sum:
      break;
    case ReductionKind::prod:
      value = APFloat::getOne(sem);
      break;
    case ReductionKind::max:
      value = APFloat::getInf(sem, /*Negative=*/true);
      break;
    case ReductionKind::min:
      value = APFloat::getInf(sem, /*Negative=*/false);
      break;
    }
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  }
  if (type.isInteger(1)) {
    bool value = kind == ReductionKind::prod || kind == ReductionKind::min;
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(value));
  }
  unsigned width = getIntWidth(type);
  APInt value(width, 0);
  switch (kind) {
  case ReductionKind::sum:
    break;
  case ReductionKind::prod:
    value = APInt(width, 1);
    break;
  case ReductionKind::max:
    value = APInt::getSignedMinValue(width);
    break;
  case ReductionKind::min:
    value = APInt::getSignedMaxValue(width);
    break;
  }
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

/// Combines `value` into the accumulator `acc` with `kind`.
Value tesstolinalg::combine(OpBuilder &b, Location loc, ReductionKind kind,
                            Value acc, Value value) {
  Type type = value.getType();
  if (isa<ComplexType>(type)) {
    if (kind == ReductionKind::prod)
      return complex::MulOp::create(b, loc, acc, value);
    return complex::AddOp::create(b, loc, acc, value);
  }
  if (isa<FloatType>(type)) {
    switch (kind) {
    case ReductionKind::sum:
      return arith::AddFOp::create(b, loc, acc, value);
    case ReductionKind::prod:
      return arith::MulFOp::create(b, loc, acc, value);
    case ReductionKind::max:
      return arith::MaximumFOp::create(b, loc, acc, value);
    case ReductionKind::min:
      return arith::MinimumFOp::create(b, loc, acc, value);
    }
  }
  if (type.isInteger(1)) {
    // Booleans: sum and max are "any", prod and min are "all".
    if (kind == ReductionKind::sum || kind == ReductionKind::max)
      return arith::OrIOp::create(b, loc, acc, value);
    return arith::AndIOp::create(b, loc, acc, value);
  }
  switch (kind) {
  case ReductionKind::sum:
    return arith::AddIOp::create(b, loc, acc, value);
  case ReductionKind::prod:
    return arith::MulIOp::create(b, loc, acc, value);
  case ReductionKind::max:
    return arith::MaxSIOp::create(b, loc, acc, value);
  case ReductionKind::min:
    return arith::MinSIOp::create(b, loc, acc, value);
  }
  llvm_unreachable("unknown reduction kind");
}

/// Extends `value` to the accumulator type `accType` (a no-op when equal).
Value tesstolinalg::extendToAccumulator(OpBuilder &b, Location loc, Value value,
                                        Type accType) {
  if (value.getType() == accType)
    return value;
  return arith::ExtFOp::create(b, loc, accType, value);
}

/// Rounds every element of `acc` (an f32 accumulator tensor) into `init`,
/// a tensor of the same shape and the final element type, once.
Value tesstolinalg::createTruncation(OpBuilder &b, Location loc, Value acc,
                                     Value init) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{acc}, ValueRange{init},
             ArrayRef<AffineMap>{identity, identity}, iterators,
             [&](OpBuilder &nb, Location nestedLoc, ValueRange args) {
               Value narrow = arith::TruncFOp::create(
                   nb, nestedLoc, type.getElementType(), args[0]);
               linalg::YieldOp::create(nb, nestedLoc, narrow);
             })
      .getResult(0);
}

/// `tensor.empty` of `type` whose dynamic sizes are the sizes of dimensions
/// `sourceDims` of `source` (one per result dimension).
static Value createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                             Value source, ArrayRef<int64_t> sourceDims) {
  SmallVector<Value> dynamicSizes;
  for (int64_t j = 0, e = type.getRank(); j < e; ++j)
    if (type.isDynamicDim(j))
      dynamicSizes.push_back(
          tensor::DimOp::create(b, loc, source, sourceDims[j]));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

//===----------------------------------------------------------------------===//
// Contraction / map lowering (Contraction.cpp)
//===----------------------------------------------------------------------===//

/// True if every subscript of `map` can be expanded to arith ops: affine in
/// dimensions and symbols, and divided only by positive constants (the
/// verifier ensures this; the check keeps the lowering from building half an
/// op otherwise).
static bool hasExpandableSubscripts(AffineMap map) {
  return llvm::all_of(map.getResults(), tess::isSupportedSubscript);
}

namespace {

struct ContractOpLowering : OpRewritePattern<tess::ContractOp> {
  /// Bodies may hold tess.contract and tess.map ops, which this pattern
  /// lowers again once cloned into the generic; nesting bounds the recursion.
  ContractOpLowering(MLIRContext *ctx) : OpRewritePattern(ctx) {
    setHasBoundedRewriteRecursion();
  }

  LogicalResult matchAndRewrite(tess::ContractOp op,
                                PatternRewriter &rewriter) const override {
    if (!llvm::all_of(op.getInputMaps(), hasExpandableSubscripts))
      return rewriter.notifyMatchFailure(op, "subscript cannot be expanded");
    ContractionSpec spec;
    spec.inputs = op.getInputs();
    spec.inputMaps = op.getInputMaps();
    spec.resultMap = op.getResultMap();
    spec.resultType = op.getType();
    for (unsigned j = 0, e = spec.resultMap.getNumResults(); j < e; ++j)
      if (spec.resultType.isDynamicDim(j))
        spec.resultDynamicSizes.push_back(
            op.getBounds()[spec.resultMap.getDimPosition(j)]);
    spec.bounds = op.getBounds();
    spec.symbols = op.getSymbols();
    spec.kind = op.getKind();
    spec.body = &op.getBody().front();
    rewriter.replaceOp(op, buildContraction(rewriter, op.getLoc(), spec));
    return success();
  }
};

struct MapOpLowering : OpRewritePattern<tess::MapOp> {
  /// Bodies may hold tess.contract and tess.map ops, which this pattern
  /// lowers again once cloned into the generic; nesting bounds the recursion.
  MapOpLowering(MLIRContext *ctx) : OpRewritePattern(ctx) {
    setHasBoundedRewriteRecursion();
  }

  LogicalResult matchAndRewrite(tess::MapOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ContractionSpec spec;
    spec.resultType = op.getType();
    int64_t rank = spec.resultType.getRank();
    spec.inputs = op.getInputs();
    spec.resultMap = rewriter.getMultiDimIdentityMap(rank);
    spec.inputMaps.assign(op.getInputs().size(), spec.resultMap);
    for (int64_t j = 0; j < rank; ++j)
      if (spec.resultType.isDynamicDim(j))
        spec.resultDynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getInputs().front(), j));
    spec.kind = ReductionKind::sum;
    spec.body = &op.getBody().front();
    rewriter.replaceOp(op, buildContraction(rewriter, loc, spec));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reduce, softmax, splat
//===----------------------------------------------------------------------===//

struct ReduceOpLowering : OpRewritePattern<tess::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tess::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> dims = op.getDims();
    // A graph region may feed the op its own result.
    if (input == op.getResult())
      return rewriter.notifyMatchFailure(op, "reduces its own result");
    if (dims.empty()) {
      Value result = input;
      if (input.getType() != op.getType())
        result = tensor::CastOp::create(rewriter, loc, op.getType(), input);
      rewriter.replaceOp(op, result);
      return success();
    }
    // linalg.reduce wants the init shape to be exactly the kept input shape.
    SmallVector<int64_t> shape;
    SmallVector<int64_t> keptDims;
    for (int64_t d = 0, e = inputType.getRank(); d < e; ++d) {
      if (llvm::is_contained(dims, d))
        continue;
      shape.push_back(inputType.getDimSize(d));
      keptDims.push_back(d);
    }
    // f16/bf16 sums and products accumulate in f32, rounded once at the end.
    ReductionKind kind = op.getKind();
    Type elementType = inputType.getElementType();
    Type accType = tess::getAccumulatorType(kind, elementType);
    auto initType = RankedTensorType::get(shape, elementType);
    Value init = createEmptyLike(
        rewriter, loc, RankedTensorType::get(shape, accType), input, keptDims);
    Value identity = createIdentity(rewriter, loc, kind, accType);
    init = linalg::FillOp::create(rewriter, loc, ValueRange{identity},
                                  ValueRange{init})
               .getResult(0);
    auto reduce = linalg::ReduceOp::create(
        rewriter, loc, ValueRange{input}, ValueRange{init}, dims,
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value value = extendToAccumulator(b, nestedLoc, args[0], accType);
          linalg::YieldOp::create(b, nestedLoc,
                                  combine(b, nestedLoc, kind, args[1], value));
        });
    Value result = reduce.getResult(0);
    if (accType != elementType)
      result = createTruncation(
          rewriter, loc, result,
          createEmptyLike(rewriter, loc, initType, input, keptDims));
    if (initType != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxOpLowering : OpRewritePattern<tess::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tess::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();

    SmallVector<int64_t> allDims, keptDims, reducedShape;
    SmallVector<AffineExpr> keptExprs;
    SmallVector<utils::IteratorType> reduceIterators, parallelIterators;
    for (int64_t d = 0; d < rank; ++d) {
      allDims.push_back(d);
      parallelIterators.push_back(utils::IteratorType::parallel);
      reduceIterators.push_back(d == axis ? utils::IteratorType::reduction
                                          : utils::IteratorType::parallel);
      if (d == axis)
        continue;
      keptDims.push_back(d);
      keptExprs.push_back(rewriter.getAffineDimExpr(d));
      reducedShape.push_back(type.getDimSize(d));
    }
    AffineMap full = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = AffineMap::get(rank, 0, keptExprs, getContext());
    auto reducedType = RankedTensorType::get(reducedShape, elementType);

    // Reduces term(x, rowValue) along the axis with `kind` (maximumf or
    // addf), `rowValue` an element of `row` (or null); an f16/bf16 sum
    // accumulates in f32 and is rounded once.
    using TermFn = function_ref<Value(OpBuilder &, Location, Value, Value)>;
    auto reduceAlongAxis = [&](Value row, ReductionKind kind,
                               TermFn term) -> Value {
      Type accType = tess::getAccumulatorType(kind, elementType);
      auto accTensorType = RankedTensorType::get(reducedShape, accType);
      Value init =
          createEmptyLike(rewriter, loc, accTensorType, input, keptDims);
      Value identity = createIdentity(rewriter, loc, kind, accType);
      init = linalg::FillOp::create(rewriter, loc, ValueRange{identity},
                                    ValueRange{init})
                 .getResult(0);
      SmallVector<Value> inputs{input};
      SmallVector<AffineMap> maps{full};
      if (row) {
        inputs.push_back(row);
        maps.push_back(reduced);
      }
      maps.push_back(reduced);
      Value acc =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{accTensorType}, inputs, ValueRange{init},
              maps, reduceIterators,
              [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
                Value value =
                    term(b, nestedLoc, args[0], row ? args[1] : Value());
                value = extendToAccumulator(b, nestedLoc, value, accType);
                linalg::YieldOp::create(
                    b, nestedLoc,
                    combine(b, nestedLoc, kind, args.back(), value));
              })
              .getResult(0);
      if (accType == elementType)
        return acc;
      return createTruncation(
          rewriter, loc, acc,
          createEmptyLike(rewriter, loc, reducedType, input, keptDims));
    };
    auto shiftedExp = [](OpBuilder &b, Location l, Value x, Value m) {
      return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, x, m))
          .getResult();
    };

    // Three passes over each row, none of which writes a temporary of the
    // input's size: the maximum, the sum of exp(x - max), and the result
    // exp(x - max) / sum, the exponentials computed again (vectorized, they
    // cost less than writing and reading them back).
    Value max = reduceAlongAxis(
        Value(), ReductionKind::max,
        [](OpBuilder &, Location, Value x, Value) { return x; });
    Value sum = reduceAlongAxis(max, ReductionKind::sum, shiftedExp);
    Value init = createEmptyLike(rewriter, loc, type, input, allDims);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type}, ValueRange{input, max, sum},
            ValueRange{init}, ArrayRef<AffineMap>{full, reduced, reduced, full},
            parallelIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value e = shiftedExp(b, l, args[0], args[1]);
              linalg::YieldOp::create(
                  b, l, arith::DivFOp::create(b, l, e, args[2]).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplatOpLowering : OpRewritePattern<tess::SplatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tess::SplatOp op,
                                PatternRewriter &rewriter) const override {
    Value empty = tensor::EmptyOp::create(rewriter, op.getLoc(), op.getType(),
                                          op.getDynamicSizes());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, ValueRange{op.getValue()},
                                                ValueRange{empty});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scalars and calls
//===----------------------------------------------------------------------===//

struct ConstantOpLowering : OpRewritePattern<tess::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tess::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    Attribute value = op.getValue();
    if (auto array = dyn_cast<ArrayAttr>(value)) {
      rewriter.replaceOpWithNewOp<complex::ConstantOp>(op, op.getType(), array);
      return success();
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(value));
    return success();
  }
};

/// Converts a real scalar `value` to the real type `dst`, with the semantics
/// of tess.cast.
static Value castReal(OpBuilder &b, Location loc, Value value, Type dst) {
  Type src = value.getType();
  if (src == dst)
    return value;
  Type i64 = b.getI64Type();
  if (dst.isInteger(1)) {
    if (auto floatType = dyn_cast<FloatType>(src)) {
      Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(src, 0.0));
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    }
    Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(src, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  bool srcIsBool = src.isInteger(1);
  if (isa<FloatType>(src) && isa<FloatType>(dst)) {
    unsigned srcWidth = src.getIntOrFloatBitWidth();
    unsigned dstWidth = dst.getIntOrFloatBitWidth();
    if (srcWidth < dstWidth)
      return arith::ExtFOp::create(b, loc, dst, value);
    if (srcWidth > dstWidth)
      return arith::TruncFOp::create(b, loc, dst, value);
    // f16 <-> bf16: go through f32, which holds both exactly.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, dst, wide);
  }
  if (isa<FloatType>(src)) {
    if (isa<IndexType>(dst))
      return arith::IndexCastOp::create(
          b, loc, dst, arith::FPToSIOp::create(b, loc, i64, value));
    return arith::FPToSIOp::create(b, loc, dst, value);
  }
  // Integer or index source.
  if (isa<FloatType>(dst)) {
    if (isa<IndexType>(src))
      value = arith::IndexCastOp::create(b, loc, i64, value);
    if (srcIsBool)
      return arith::UIToFPOp::create(b, loc, dst, value);
    return arith::SIToFPOp::create(b, loc, dst, value);
  }
  if (isa<IndexType>(src) || isa<IndexType>(dst)) {
    if (srcIsBool)
      return arith::IndexCastUIOp::create(b, loc, dst, value);
    return arith::IndexCastOp::create(b, loc, dst, value);
  }
  unsigned srcWidth = getIntWidth(src);
  unsigned dstWidth = getIntWidth(dst);
  if (srcWidth > dstWidth)
    return arith::TruncIOp::create(b, loc, dst, value);
  if (srcIsBool)
    return arith::ExtUIOp::create(b, loc, dst, value);
  return arith::ExtSIOp::create(b, loc, dst, value);
}

struct CastOpLowering : OpRewritePattern<tess::CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tess::CastOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Type dst = op.getType();
    // A graph region may feed the op its own result.
    if (input == op.getResult())
      return rewriter.notifyMatchFailure(op, "casts its own result");
    auto dstComplex = dyn_cast<ComplexType>(dst);
    if (!dstComplex) {
      if (isa<ComplexType>(input.getType()))
        return rewriter.notifyMatchFailure(op, "complex to real");
      rewriter.replaceOp(op, castReal(rewriter, loc, input, dst));
      return success();
    }
    Type part = dstComplex.getElementType();
    Value re, im;
    if (isa<ComplexType>(input.getType())) {
      re = castReal(rewriter, loc, complex::ReOp::create(rewriter, loc, input),
                    part);
      im = castReal(rewriter, loc, complex::ImOp::create(rewriter, loc, input),
                    part);
    } else {
      re = castReal(rewriter, loc, input, part);
      im = arith::ConstantOp::create(rewriter, loc,
                                     rewriter.getFloatAttr(part, 0.0));
    }
    rewriter.replaceOpWithNewOp<complex::CreateOp>(op, dst, re, im);
    return success();
  }
};

/// tess.call -> func.call. The CPU pipeline inlines every tess.call before
/// this conversion (tess.call is a CallOpInterface); this keeps modules that
/// were not inlined, e.g. from tess-opt, convertible.
struct CallOpLowering : OpRewritePattern<tess::CallOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tess::CallOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<func::CallOp>(
        op, op.getResultTypes(), op.getCalleeAttr(), op.getOperands());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertTessToLinalgPass
    : tessera::impl::ConvertTessToLinalgBase<ConvertTessToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<tess::TessDialect>();
    // Bodies may hold ops of any dialect (arith, math, complex, scf, ...);
    // they are cloned into linalg regions as they are.
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateTessToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tessera::populateTessToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CallOpLowering, CastOpLowering, ConstantOpLowering,
               ContractOpLowering, MapOpLowering, ReduceOpLowering,
               SoftmaxOpLowering, SplatOpLowering>(patterns.getContext());
}
