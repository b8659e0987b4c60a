//===- MLIRGen.cpp - Checked program to the tess dialect ------------------===//

#include "tessera/Frontend/MLIRGen.h"
#include "ComplexGen.h"

#include "tessera/Dialect/SSM/IR/SSMOps.h"
#include "tessera/Dialect/Structured/IR/StructuredOps.h"
#include "tessera/Dialect/Tess/IR/TessDialect.h"
#include "tessera/Dialect/Tess/IR/TessOps.h"
#include "tessera/InitAllDialects.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

#include <cmath>

using namespace mlir;
using namespace tessera;
using sema::AffineSubscript;
using sema::Contraction;
using sema::ContractionOperand;
using sema::Extent;
using sema::Function;
using sema::Param;
using sema::Program;
using sema::ReduceKind;
using sema::ScalarExpr;

void tessera::loadFrontendDialects(MLIRContext &context) {
  loadAllDialects(context);
}

namespace {

Type getElementType(MLIRContext *ctx, DType t) {
  switch (t) {
  case DType::Bool:
    return IntegerType::get(ctx, 1);
  case DType::I32:
    return IntegerType::get(ctx, 32);
  case DType::I64:
    return IntegerType::get(ctx, 64);
  case DType::F16:
    return Float16Type::get(ctx);
  case DType::BF16:
    return BFloat16Type::get(ctx);
  case DType::F32:
    return Float32Type::get(ctx);
  case DType::F64:
    return Float64Type::get(ctx);
  case DType::C64:
    return ComplexType::get(Float32Type::get(ctx));
  case DType::C128:
    return ComplexType::get(Float64Type::get(ctx));
  }
  return Float32Type::get(ctx);
}

RankedTensorType getTensorType(MLIRContext *ctx, const sema::TensorType &t) {
  SmallVector<int64_t> shape;
  for (const Extent &e : t.shape)
    shape.push_back(e.isLiteral() ? e.getValue() : ShapedType::kDynamic);
  return RankedTensorType::get(shape, getElementType(ctx, t.dtype));
}

/// A size expression as a `tess.dims` entry (docs/abi.md): an i64 literal, a
/// symbol name, or `[op, operands...]`.
Attribute getSizeTreeAttr(Builder &b, const sema::SizeExpr &e) {
  using Kind = sema::SizeExpr::Kind;
  if (e.isLiteral())
    return b.getI64IntegerAttr(e.getValue());
  if (e.isSymbol())
    return b.getStringAttr(e.getSymbol());
  StringRef op;
  switch (e.getKind()) {
  case Kind::Add:
    op = "+";
    break;
  case Kind::Sub:
    op = "-";
    break;
  case Kind::Mul:
    op = "*";
    break;
  case Kind::FloorDiv:
    op = "/";
    break;
  case Kind::Neg:
    op = "neg";
    break;
  default:
    op = "log2";
    break;
  }
  SmallVector<Attribute> node{b.getStringAttr(op)};
  for (const sema::SizeExprPtr &x : e.getOperands())
    node.push_back(getSizeTreeAttr(b, *x));
  return b.getArrayAttr(node);
}

/// The `tess.size_constraints` of a function (docs/abi.md): for each
/// constraint, {rule, size, bound (at_most_log2), what, axis (if any),
/// where}.
ArrayAttr getConstraintsAttr(Builder &b, const Function &fn,
                             StringRef filename) {
  SmallVector<Attribute> constraints;
  auto tree = [&](const Extent &e) {
    return e.isLiteral() ? Attribute(b.getI64IntegerAttr(e.getValue()))
                         : getSizeTreeAttr(b, *e.getWritten());
  };
  for (const sema::SizeConstraint &c : fn.constraints) {
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("rule", b.getStringAttr(getSizeRuleName(c.rule))),
        b.getNamedAttr("size", tree(c.size)),
        b.getNamedAttr("what", b.getStringAttr(c.what)),
        b.getNamedAttr(
            "where",
            b.getStringAttr(sema::describeConstraintLocation(c, filename)))};
    if (c.bound)
      fields.push_back(b.getNamedAttr("bound", tree(*c.bound)));
    if (c.axis >= 0)
      fields.push_back(b.getNamedAttr("axis", b.getI64IntegerAttr(c.axis)));
    constraints.push_back(b.getDictionaryAttr(fields));
  }
  return b.getArrayAttr(constraints);
}

/// The `tess.dims` of a shape: literals (folded), symbols written as such,
/// and every other dimension as its expression as written.
ArrayAttr getDimsAttr(Builder &b, const std::vector<Extent> &shape) {
  SmallVector<Attribute> dims;
  for (const Extent &e : shape)
    dims.push_back(e.isLiteral() ? Attribute(b.getI64IntegerAttr(e.getValue()))
                                 : getSizeTreeAttr(b, *e.getWritten()));
  return b.getArrayAttr(dims);
}

bool isFloatType(Type t) { return isa<FloatType>(t); }

/// The subscript `constant + sum_d coeffs[d] * d + sum_k c_k * symbol_k` as an
/// affine expression over the loops of a contraction. `symbolTerms` holds
/// (size symbol name, coefficient c_k) pairs; `getSymbol` returns the affine
/// symbol that stands for a name (the caller numbers the symbols and
/// collects their operands).
AffineExpr
buildSubscriptExpr(ArrayRef<int64_t> coeffs, int64_t constant,
                   ArrayRef<std::pair<std::string, int64_t>> symbolTerms,
                   function_ref<AffineExpr(const std::string &)> getSymbol,
                   MLIRContext *ctx) {
  AffineExpr e = getAffineConstantExpr(constant, ctx);
  for (auto [d, coeff] : llvm::enumerate(coeffs))
    if (coeff)
      e = e + getAffineDimExpr(d, ctx) * coeff;
  for (const auto &[name, coeff] : symbolTerms)
    if (coeff)
      e = e + getSymbol(name) * coeff;
  return e;
}

class FunctionGen {
public:
  FunctionGen(OpBuilder &builder, StringAttr file, const Program &program,
              const Function &fn)
      : b(builder), file(file), program(program), fn(fn) {}

  func::FuncOp run();

private:
  Location loc(ast::SourceLoc l) {
    return FileLineColLoc::get(file, l.line, l.col);
  }
  /// The location of a value's ops: named after its variable, if any.
  Location loc(const sema::Value &v) {
    if (v.name.empty())
      return loc(v.loc);
    return NameLoc::get(b.getStringAttr(v.name), loc(v.loc));
  }
  Value indexConst(Location l, int64_t v) {
    return arith::ConstantIndexOp::create(b, l, v);
  }
  Value extentValue(const Extent &e, Location l) {
    return sizeValue(*e.getCanonical(), l);
  }
  /// The index value of a size expression, from the symbols' values.
  Value sizeValue(const sema::SizeExpr &e, Location l);
  SmallVector<Value> dynamicDims(const sema::TensorType &t, Location l) {
    SmallVector<Value> dims;
    for (const Extent &e : t.shape)
      if (!e.isLiteral())
        dims.push_back(extentValue(e, l));
    return dims;
  }
  Value castTo(Value v, Type type, Location l) {
    if (v.getType() == type)
      return v;
    return tensor::CastOp::create(b, l, type, v);
  }

  void genValue(unsigned id);
  /// The operands of the op of a contraction's loop nest: one bound per
  /// loop, the size symbols its subscripts use, and the inputs with one
  /// indexing map each (result map not included).
  struct LoopNest {
    SmallVector<Value> bounds, symbols, inputs;
    SmallVector<AffineMap> maps;
  };
  LoopNest genLoopNest(const Contraction &c, Location l);
  void genContraction(unsigned id, const sema::Value &v);
  /// A recurrence: ssm.scan over the contraction's loops.
  void genScan(unsigned id, const sema::Value &v);
  /// The initial state of a recurrence (scan or slice scan) whose result
  /// has type `resultType`: its init value, converted to the state's
  /// element type, a scalar filling it; null without one.
  Value genInitialState(const sema::Value &v, RankedTensorType resultType,
                        Location l);
  /// A slice recurrence: ssm.recurrence whose body computes the step's
  /// values at one position (`pin`).
  void genSliceScan(unsigned id, const sema::Value &v);
  void genCall(unsigned id, const sema::Value &v);
  /// butterfly, permute, blockdiag and monarch: structured ops on operands.
  void genFactored(unsigned id, const sema::Value &v, Location l);
  Value genScalar(const ScalarExpr &e, const Contraction &c, Block &body);
  Value genUnary(const ScalarExpr &e, Value x, Location l);
  Value genBinary(const ScalarExpr &e, Value x, Value y, Location l);
  /// The constant `f` (or `i` for integers) of `t`; `f + imag i` when `t`
  /// is complex.
  Value genConstant(Type t, double f, int64_t i, Location l, double imag = 0);
  Value genSafeDivSI(Value x, Value y, Location l);

  OpBuilder &b;
  StringAttr file;
  const Program &program;
  const Function &fn;
  std::map<std::string, Value> symbols;
  std::vector<SmallVector<Value>> values;
  /// Inside a slice recurrence's body: the loop name of its scan index,
  /// which each step contraction runs at one position (extent 1, its
  /// subscripts offset by the position, symbol kPositionSymbol), and the
  /// Previous value, read without the scan dimension `axis`.
  struct Pin {
    std::string loopName;
    unsigned axis = 0;
    unsigned previous = 0;
  };
  std::optional<Pin> pin;
  static constexpr const char *kPositionSymbol = "$position";
  /// Whether loop `l` of `c` is the pinned scan loop.
  bool isPinned(const Contraction &c, unsigned l) const {
    return pin && c.loopNames[l] == pin->loopName;
  }
};

} // namespace

Value FunctionGen::sizeValue(const sema::SizeExpr &e, Location l) {
  using Kind = sema::SizeExpr::Kind;
  if (e.isLiteral())
    return indexConst(l, e.getValue());
  if (e.isSymbol())
    return symbols.at(e.getSymbol());
  SmallVector<Value> x;
  for (const sema::SizeExprPtr &operand : e.getOperands())
    x.push_back(sizeValue(*operand, l));
  switch (e.getKind()) {
  case Kind::Add:
    return arith::AddIOp::create(b, l, x[0], x[1]);
  case Kind::Sub:
    return arith::SubIOp::create(b, l, x[0], x[1]);
  case Kind::Mul:
    return arith::MulIOp::create(b, l, x[0], x[1]);
  case Kind::FloorDiv:
    return arith::FloorDivSIOp::create(b, l, x[0], x[1]);
  case Kind::Neg:
    return arith::SubIOp::create(b, l, indexConst(l, 0), x[0]);
  default: {
    // log2 of a power of two (the entry checks it): 63 - ctlz.
    Type i64 = b.getI64Type();
    Value v = arith::IndexCastOp::create(b, l, i64, x[0]);
    Value clz = math::CountLeadingZerosOp::create(b, l, v);
    Value r = arith::SubIOp::create(
        b, l, arith::ConstantIntOp::create(b, l, i64, 63), clz);
    return arith::IndexCastOp::create(b, l, b.getIndexType(), r);
  }
  }
}

func::FuncOp FunctionGen::run() {
  MLIRContext *ctx = b.getContext();
  SmallVector<Type> argTypes, resultTypes;
  for (const Param &p : fn.params)
    argTypes.push_back(p.isIndex ? Type(b.getIndexType())
                                 : Type(getTensorType(ctx, p.type)));
  for (const sema::TensorType &t : fn.resultTypes)
    resultTypes.push_back(getTensorType(ctx, t));
  auto func = func::FuncOp::create(b, loc(fn.loc), fn.name,
                                   b.getFunctionType(argTypes, resultTypes));
  func->setAttr("tess.entry", b.getUnitAttr());
  if (!fn.constraints.empty())
    func->setAttr("tess.size_constraints",
                  getConstraintsAttr(b, fn, file.getValue()));
  for (size_t i = 0; i < fn.params.size(); ++i) {
    const Param &p = fn.params[i];
    if (p.isIndex) {
      func.setArgAttr(i, "tess.size", b.getStringAttr(p.name));
    } else {
      func.setArgAttr(i, "tess.dims", getDimsAttr(b, p.type.shape));
      func.setArgAttr(i, "tess.name", b.getStringAttr(p.name));
    }
  }
  for (size_t i = 0; i < fn.resultTypes.size(); ++i) {
    func.setResultAttr(i, "tess.dims", getDimsAttr(b, fn.resultTypes[i].shape));
    // The result's name (the returned variable) for tess-run --out and the C
    // header; entry signatures are read back from these attributes.
    if (i < fn.resultNames.size())
      func.setResultAttr(i, "tess.name", b.getStringAttr(fn.resultNames[i]));
  }

  Block *entry = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(entry);

  // Bind every size symbol at its first occurrence.
  for (size_t i = 0; i < fn.params.size(); ++i) {
    const Param &p = fn.params[i];
    Location l = loc(p.loc);
    if (p.isIndex) {
      symbols.try_emplace(p.name, entry->getArgument(i));
      continue;
    }
    for (size_t d = 0; d < p.type.shape.size(); ++d) {
      const Extent &e = p.type.shape[d];
      if (!e.getWritten()->isSymbol() || symbols.count(e.getSymbol()))
        continue;
      symbols[e.getSymbol()] =
          tensor::DimOp::create(b, l, entry->getArgument(i), d);
    }
  }

  values.resize(fn.values.size());
  for (unsigned id = 0; id < fn.values.size(); ++id)
    if (!fn.values[id].inRecurrence)
      genValue(id);

  SmallVector<Value> results;
  for (size_t i = 0; i < fn.returns.size(); ++i) {
    Value v = values[fn.returns[i].id][fn.returns[i].result];
    results.push_back(castTo(v, resultTypes[i], loc(fn.returnLocs[i])));
  }
  ast::SourceLoc retLoc = fn.returnLocs.empty() ? fn.loc : fn.returnLocs[0];
  func::ReturnOp::create(b, loc(retLoc), results);
  return func;
}

void FunctionGen::genValue(unsigned id) {
  const sema::Value &v = fn.values[id];
  Location l = loc(v);
  MLIRContext *ctx = b.getContext();
  switch (v.kind) {
  case sema::Value::Kind::Param: {
    Block *entry = b.getInsertionBlock();
    values[id].push_back(entry->getArgument(v.paramIndex));
    return;
  }
  case sema::Value::Kind::Contraction:
    genContraction(id, v);
    return;
  case sema::Value::Kind::Scan:
    genScan(id, v);
    return;
  case sema::Value::Kind::SliceScan:
    genSliceScan(id, v);
    return;
  case sema::Value::Kind::Previous:
    return; // The recurrence's block argument (genSliceScan).
  case sema::Value::Kind::Softmax: {
    Value x = values[v.operands[0].id][v.operands[0].result];
    values[id].push_back(tess::SoftmaxOp::create(b, l, x, v.axis));
    return;
  }
  case sema::Value::Kind::Fwht: {
    Value x = values[v.operands[0].id][v.operands[0].result];
    values[id].push_back(structured::FwhtOp::create(b, l, x, v.axis));
    return;
  }
  case sema::Value::Kind::FftTwiddles: {
    RankedTensorType t = getTensorType(ctx, v.types[0]);
    const Extent &length = v.length ? *v.length : Extent::literal(1);
    Value n = length.isLiteral() ? indexConst(l, length.getValue())
                                 : extentValue(length, l);
    values[id].push_back(structured::FftTwiddlesOp::create(b, l, t, n));
    return;
  }
  case sema::Value::Kind::Butterfly:
  case sema::Value::Kind::Permute:
  case sema::Value::Kind::BlockDiag:
  case sema::Value::Kind::Monarch:
    genFactored(id, v, l);
    return;
  case sema::Value::Kind::Rfft: {
    Value x = values[v.operands[0].id][v.operands[0].result];
    values[id].push_back(structured::RfftOp::create(
        b, l, getTensorType(ctx, v.types[0]), x, v.axis));
    return;
  }
  case sema::Value::Kind::Irfft: {
    Value x = values[v.operands[0].id][v.operands[0].result];
    RankedTensorType t = getTensorType(ctx, v.types[0]);
    // A symbolic length may be negative (2 * (M - 1) with M = 0): the
    // result is then empty, and a signature that shows it fails its check.
    const Extent &length = v.types[0].shape[v.axis];
    Value n = length.isLiteral()
                  ? indexConst(l, length.getValue())
                  : arith::MaxSIOp::create(b, l, extentValue(length, l),
                                           indexConst(l, 0));
    values[id].push_back(structured::IrfftOp::create(b, l, t, x, v.axis, n));
    return;
  }
  case sema::Value::Kind::CausalConv: {
    Value u = values[v.operands[0].id][v.operands[0].result];
    Value k = values[v.operands[1].id][v.operands[1].result];
    values[id].push_back(
        structured::CausalConvOp::create(b, l, u.getType(), u, k, v.axis));
    return;
  }
  case sema::Value::Kind::Fft:
  case sema::Value::Kind::Ifft: {
    Value x = values[v.operands[0].id][v.operands[0].result];
    if (v.kind == sema::Value::Kind::Fft)
      values[id].push_back(structured::FftOp::create(b, l, x, v.axis));
    else
      values[id].push_back(structured::IfftOp::create(b, l, x, v.axis));
    return;
  }
  case sema::Value::Kind::BitReverse: {
    Value x = values[v.operands[0].id][v.operands[0].result];
    values[id].push_back(structured::BitReverseOp::create(b, l, x, v.axis));
    return;
  }
  case sema::Value::Kind::Splat: {
    RankedTensorType t = getTensorType(ctx, v.types[0]);
    Value scalar = genConstant(t.getElementType(), v.splatValue,
                               static_cast<int64_t>(v.splatValue), l);
    values[id].push_back(
        tess::SplatOp::create(b, l, t, scalar, dynamicDims(v.types[0], l)));
    return;
  }
  case sema::Value::Kind::Call:
    genCall(id, v);
    return;
  case sema::Value::Kind::Discretize: {
    auto operand = [&](unsigned i) {
      return values[v.operands[i].id][v.operands[i].result];
    };
    auto method = v.bilinear ? ssm::DiscretizeMethod::Bilinear
                             : ssm::DiscretizeMethod::ZOH;
    auto op = ssm::DiscretizeOp::create(
        b, l, getTensorType(ctx, v.types[0]), getTensorType(ctx, v.types[1]),
        operand(0), operand(1), operand(2),
        ssm::DiscretizeMethodAttr::get(ctx, method));
    values[id].push_back(op.getAbar());
    values[id].push_back(op.getBbar());
    return;
  }
  }
}

void FunctionGen::genFactored(unsigned id, const sema::Value &v, Location l) {
  SmallVector<Value> ops;
  for (sema::ValueRef r : v.operands)
    ops.push_back(values[r.id][r.result]);
  RankedTensorType t = getTensorType(b.getContext(), v.types[0]);
  Value result;
  switch (v.kind) {
  case sema::Value::Kind::Butterfly:
    result = structured::ButterflyOp::create(b, l, ops[0], ops[1], v.axis);
    break;
  case sema::Value::Kind::Permute:
    result = structured::PermuteOp::create(b, l, ops[0], ops[1], v.axis);
    break;
  case sema::Value::Kind::BlockDiag:
    result = structured::BlockDiagOp::create(b, l, t, ops[0], ops[1], v.axis);
    break;
  default:
    result =
        structured::MonarchOp::create(b, l, t, ops[0], ops[1], ops[2], v.axis);
    break;
  }
  values[id].push_back(result);
}

void FunctionGen::genCall(unsigned id, const sema::Value &v) {
  Location l = loc(v);
  MLIRContext *ctx = b.getContext();
  const Function *callee = program.lookup(v.callee);
  SmallVector<Value> args;
  SmallVector<Type> calleeResults;
  for (size_t i = 0; i < v.operands.size(); ++i) {
    Value a = values[v.operands[i].id][v.operands[i].result];
    const Param &p = callee->params[i];
    if (p.isIndex) {
      // Index arguments arrive as rank-0 i64 tensors.
      Value scalar = tensor::ExtractOp::create(b, l, a, ValueRange{});
      args.push_back(
          arith::IndexCastOp::create(b, l, b.getIndexType(), scalar));
      continue;
    }
    args.push_back(castTo(a, getTensorType(ctx, p.type), l));
  }
  for (const sema::TensorType &t : callee->resultTypes)
    calleeResults.push_back(getTensorType(ctx, t));
  auto call = tess::CallOp::create(b, l, calleeResults,
                                   FlatSymbolRefAttr::get(ctx, v.callee), args);
  for (size_t r = 0; r < v.types.size(); ++r)
    values[id].push_back(
        castTo(call->getResult(r), getTensorType(ctx, v.types[r]), l));
}

FunctionGen::LoopNest FunctionGen::genLoopNest(const Contraction &c,
                                               Location l) {
  MLIRContext *ctx = b.getContext();
  unsigned numLoops = c.loopExtents.size();
  LoopNest nest;
  for (unsigned loop = 0; loop < numLoops; ++loop)
    nest.bounds.push_back(isPinned(c, loop)
                              ? indexConst(l, 1)
                              : extentValue(c.loopExtents[loop], l));
  // Size symbols in subscripts become the op's symbol operands, numbered in
  // order of first use: symbol k of every map is symbols[k].
  std::map<std::string, unsigned> symbolNumbers;
  auto getSymbol = [&](const std::string &name) -> AffineExpr {
    auto [it, inserted] = symbolNumbers.try_emplace(name, nest.symbols.size());
    if (inserted)
      nest.symbols.push_back(symbols.at(name));
    return getAffineSymbolExpr(it->second, ctx);
  };
  SmallVector<SmallVector<AffineExpr>> inputExprs;
  for (const ContractionOperand &op : c.operands) {
    nest.inputs.push_back(values[op.value.id][op.value.result]);
    SmallVector<AffineExpr> &exprs = inputExprs.emplace_back();
    bool previous = pin && op.value.id == pin->previous;
    // A value of the step is computed at the position already; one from
    // outside is read there.
    bool atPosition = pin && !previous && !fn.values[op.value.id].inRecurrence;
    for (auto [d, s] : llvm::enumerate(op.subscripts)) {
      if (previous && d == pin->axis)
        continue; // The previous slice has no scan dimension.
      auto symbolCoeffs = s.symbolCoeffs;
      for (unsigned loop = 0; loop < numLoops; ++loop)
        if (isPinned(c, loop) && s.coeffs[loop] && atPosition)
          symbolCoeffs.push_back({kPositionSymbol, s.coeffs[loop]});
      exprs.push_back(buildSubscriptExpr(s.coeffs, s.constant, symbolCoeffs,
                                         getSymbol, ctx));
    }
  }
  for (ArrayRef<AffineExpr> exprs : inputExprs)
    nest.maps.push_back(
        AffineMap::get(numLoops, nest.symbols.size(), exprs, ctx));
  return nest;
}

Value FunctionGen::genInitialState(const sema::Value &v,
                                   RankedTensorType resultType, Location l) {
  if (!v.hasInit)
    return {};
  Value init = values[v.operands[0].id][v.operands[0].result];
  SmallVector<int64_t> shape(resultType.getShape());
  shape.erase(shape.begin() + v.axis);
  auto initType = RankedTensorType::get(shape, resultType.getElementType());
  auto given = cast<RankedTensorType>(init.getType());
  if (given.getRank() == 0 && initType.getRank() > 0) {
    // A scalar fills the state.
    Value scalar = tensor::ExtractOp::create(b, l, init, ValueRange{});
    if (scalar.getType() != initType.getElementType())
      scalar = tess::CastOp::create(b, l, initType.getElementType(), scalar);
    sema::TensorType stateType = v.types[0];
    stateType.shape.erase(stateType.shape.begin() + v.axis);
    init = tess::SplatOp::create(b, l, initType, scalar,
                                 dynamicDims(stateType, l));
  } else if (given.getElementType() != initType.getElementType()) {
    init = tess::MapOp::create(
        b, l, ValueRange{init}, initType.getElementType(),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          tess::YieldOp::create(
              nb, nl,
              tess::CastOp::create(nb, nl, initType.getElementType(), args[0]));
        });
  }
  return castTo(init, initType, l);
}

void FunctionGen::genScan(unsigned id, const sema::Value &v) {
  Location l = loc(v);
  const Contraction &c = *v.contraction;
  LoopNest nest = genLoopNest(c, l);
  RankedTensorType resultType = getTensorType(b.getContext(), v.types[0]);
  Value init = genInitialState(v, resultType, l);
  auto op =
      ssm::ScanOp::create(b, l, resultType, nest.inputs, init, nest.bounds,
                          nest.symbols, nest.maps, v.axis, v.reverse);
  Block &body = op.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&body);
  Value result = genScalar(*c.body, c, body);
  ssm::YieldOp::create(b, l, result);
  values[id].push_back(op.getResult());
}

void FunctionGen::genSliceScan(unsigned id, const sema::Value &v) {
  Location l = loc(v);
  const Contraction &c = *v.contraction;
  RankedTensorType resultType = getTensorType(b.getContext(), v.types[0]);
  sema::TensorType sliceType = v.types[0];
  sliceType.shape.erase(sliceType.shape.begin() + v.axis);
  Value init = genInitialState(v, resultType, l);
  if (!init) {
    // Zeros of the state's type at the first step.
    RankedTensorType type = getTensorType(b.getContext(), sliceType);
    Value zero = genConstant(type.getElementType(), 0.0, 0, l);
    init = tess::SplatOp::create(b, l, type, zero, dynamicDims(sliceType, l));
  }
  unsigned scanLoop = c.resultLoops[v.axis];
  Value length = extentValue(c.loopExtents[scanLoop], l);
  auto op = ssm::RecurrenceOp::create(b, l, resultType, init, length, v.axis,
                                      v.reverse);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&op.getBody().front());
  // The step's values at the body's position, reading its previous slice.
  pin = Pin{c.loopNames[scanLoop], static_cast<unsigned>(v.axis), v.previous};
  symbols[kPositionSymbol] = op.getPosition();
  values[v.previous] = {op.getPrevious()};
  for (unsigned step : v.stepValues)
    genValue(step);
  genContraction(id, v);
  pin.reset();
  symbols.erase(kPositionSymbol);
  // The step's result has extent 1 along the scan dimension: drop it.
  Value step = values[id].pop_back_val();
  auto stepType = cast<RankedTensorType>(step.getType());
  unsigned rank = stepType.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  for (unsigned d = 0; d < rank; ++d)
    sizes.push_back(tensor::getMixedSize(b, l, step, d));
  Value slice = tensor::ExtractSliceOp::create(b, l, op.getSliceType(), step,
                                               offsets, sizes, strides);
  ssm::YieldOp::create(b, l, slice);
  values[id] = {op.getResult()};
}

void FunctionGen::genContraction(unsigned id, const sema::Value &v) {
  Location l = loc(v);
  MLIRContext *ctx = b.getContext();
  const Contraction &c = *v.contraction;
  unsigned numLoops = c.loopExtents.size();
  LoopNest nest = genLoopNest(c, l);
  SmallVector<AffineMap> maps = nest.maps;
  SmallVector<AffineExpr> outExprs;
  for (unsigned r : c.resultLoops)
    outExprs.push_back(getAffineDimExpr(r, ctx));
  maps.push_back(AffineMap::get(numLoops, nest.symbols.size(), outExprs, ctx));

  tess::ReductionKind kind = tess::ReductionKind::sum;
  switch (c.kind) {
  case ReduceKind::Sum:
    kind = tess::ReductionKind::sum;
    break;
  case ReduceKind::Max:
    kind = tess::ReductionKind::max;
    break;
  case ReduceKind::Min:
    kind = tess::ReductionKind::min;
    break;
  case ReduceKind::Prod:
    kind = tess::ReductionKind::prod;
    break;
  }
  RankedTensorType resultType = getTensorType(ctx, v.types[0]);
  if (pin) {
    // At one position of the scan loop: extent 1 there.
    SmallVector<int64_t> shape(resultType.getShape());
    for (auto [d, loop] : llvm::enumerate(c.resultLoops))
      if (isPinned(c, loop))
        shape[d] = 1;
    resultType = RankedTensorType::get(shape, resultType.getElementType());
  }
  auto op = tess::ContractOp::create(b, l, resultType, kind, nest.inputs,
                                     nest.bounds, nest.symbols, maps);
  Block &body = op.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&body);
  Value result = genScalar(*c.body, c, body);
  tess::YieldOp::create(b, l, result);
  values[id].push_back(op.getResult());
}

Value FunctionGen::genConstant(Type t, double f, int64_t i, Location l,
                               double imag) {
  if (auto ct = dyn_cast<ComplexType>(t))
    return mlirgen::genComplexConstant(b, l, ct, f, imag);
  if (auto ft = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(b, l, FloatAttr::get(ft, f));
  if (auto it = dyn_cast<IntegerType>(t))
    return arith::ConstantOp::create(b, l, IntegerAttr::get(it, i));
  return arith::ConstantOp::create(b, l, b.getIndexAttr(i));
}

Value FunctionGen::genScalar(const ScalarExpr &e, const Contraction &c,
                             Block &body) {
  Location l = loc(e.loc);
  MLIRContext *ctx = b.getContext();
  Type type = getElementType(ctx, e.dtype);
  switch (e.kind) {
  case ScalarExpr::Kind::Constant:
    return genConstant(type, e.floatValue, e.intValue, l, e.imagValue);
  case ScalarExpr::Kind::Read:
    return body.getArgument(e.operand);
  case ScalarExpr::Kind::Previous:
    // A scan's body: its last argument; a slice scan's step: its read of
    // the previous slice.
    if (isa<ssm::ScanOp>(body.getParentOp()))
      return body.getArguments().back();
    return body.getArgument(e.operand);
  case ScalarExpr::Kind::LoopIndex: {
    if (isPinned(c, e.loop))
      return arith::IndexCastOp::create(b, l, type,
                                        symbols.at(kPositionSymbol));
    auto dim = static_cast<int64_t>(e.loop);
    Value idx = isa<ssm::ScanOp>(body.getParentOp())
                    ? Value(ssm::IndexOp::create(b, l, dim))
                    : Value(tess::IndexOp::create(b, l, dim));
    return arith::IndexCastOp::create(b, l, type, idx);
  }
  case ScalarExpr::Kind::SizeValue:
    return arith::IndexCastOp::create(
        b, l, type, e.size ? sizeValue(*e.size, l) : symbols.at(e.symbol));
  case ScalarExpr::Kind::Cast: {
    Value x = genScalar(*e.args[0], c, body);
    if (x.getType() == type)
      return x;
    return tess::CastOp::create(b, l, type, x);
  }
  case ScalarExpr::Kind::Select: {
    Value cnd = genScalar(*e.args[0], c, body);
    Value x = genScalar(*e.args[1], c, body);
    Value y = genScalar(*e.args[2], c, body);
    return arith::SelectOp::create(b, l, cnd, x, y);
  }
  case ScalarExpr::Kind::Unary:
    return genUnary(e, genScalar(*e.args[0], c, body), l);
  case ScalarExpr::Kind::Binary: {
    Value x = genScalar(*e.args[0], c, body);
    if (e.binaryOp == ScalarExpr::BinaryOp::Pow &&
        e.args[1]->kind == ScalarExpr::Kind::Constant &&
        isIntegerDType(e.args[1]->dtype)) {
      // Integer exponents: small ones unroll to multiplications.
      int64_t n = e.args[1]->intValue;
      if (isa<ComplexType>(x.getType()))
        return mlirgen::genComplexIntPower(b, l, x, n);
      if (n >= 0 && n <= 4) {
        Value r = genConstant(x.getType(), 1.0, 1, l);
        for (int64_t k = 0; k < n; ++k)
          r = k == 0 ? x : Value(arith::MulFOp::create(b, l, r, x));
        return r;
      }
      Value exp = genConstant(b.getI32Type(), 0, n, l);
      if (n < INT32_MIN || n > INT32_MAX)
        exp = genConstant(x.getType(), static_cast<double>(n), 0, l);
      if (isa<FloatType>(exp.getType()))
        return math::PowFOp::create(b, l, x, exp);
      return math::FPowIOp::create(b, l, x, exp);
    }
    Value y = genScalar(*e.args[1], c, body);
    return genBinary(e, x, y, l);
  }
  }
  return {};
}

/// Signed division that never traps: x / 0 is 0, and INT_MIN / -1 wraps to
/// INT_MIN (the hardware would raise SIGFPE for both).
Value FunctionGen::genSafeDivSI(Value x, Value y, Location l) {
  Type t = x.getType();
  unsigned width = cast<IntegerType>(t).getWidth();
  Value zero = genConstant(t, 0, 0, l);
  Value one = genConstant(t, 1, 1, l);
  Value minusOne = genConstant(t, -1, -1, l);
  Value intMin = arith::ConstantOp::create(
      b, l, IntegerAttr::get(t, APInt::getSignedMinValue(width)));
  Value byZero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, y, zero);
  Value overflows = arith::AndIOp::create(
      b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, x, intMin),
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, y, minusOne));
  Value unsafe = arith::OrIOp::create(b, l, byZero, overflows);
  Value divisor = arith::SelectOp::create(b, l, unsafe, one, y);
  Value q = arith::DivSIOp::create(b, l, x, divisor);
  return arith::SelectOp::create(b, l, byZero, zero, q);
}

Value FunctionGen::genUnary(const ScalarExpr &e, Value x, Location l) {
  using U = ScalarExpr::UnaryOp;
  Type t = x.getType();
  if (isa<ComplexType>(t))
    return mlirgen::genComplexUnary(b, l, e.unaryOp, x);
  bool fp = isFloatType(t);
  auto one = [&] { return genConstant(t, 1.0, 1, l); };
  auto zero = [&] { return genConstant(t, 0.0, 0, l); };
  // 1 / (1 + e) for x >= 0 and e / (1 + e) below, with e = exp(-|x|): exp
  // never overflows, and tiny results for very negative x keep their
  // precision instead of becoming 1 / inf = 0.
  auto sigmoid = [&](Value v) -> Value {
    Value ex = math::ExpOp::create(
        b, l, arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, v)));
    Value den = arith::AddFOp::create(b, l, one(), ex);
    Value pos = arith::DivFOp::create(b, l, one(), den);
    Value neg = arith::MulFOp::create(b, l, ex, pos);
    Value nonNegative =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::UGE, v, zero());
    return arith::SelectOp::create(b, l, nonNegative, pos, neg);
  };
  switch (e.unaryOp) {
  case U::Neg:
    if (fp)
      return arith::NegFOp::create(b, l, x);
    return arith::SubIOp::create(b, l, zero(), x);
  case U::Exp:
    return math::ExpOp::create(b, l, x);
  case U::Log:
    return math::LogOp::create(b, l, x);
  case U::Sqrt:
    return math::SqrtOp::create(b, l, x);
  case U::Rsqrt:
    return math::RsqrtOp::create(b, l, x);
  case U::Sin:
    return math::SinOp::create(b, l, x);
  case U::Cos:
    return math::CosOp::create(b, l, x);
  case U::Tanh:
    return math::TanhOp::create(b, l, x);
  case U::Sigmoid:
    return sigmoid(x);
  case U::Softplus: {
    // log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x.
    Value ax = math::AbsFOp::create(b, l, x);
    Value ex = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, ax));
    Value lp = math::Log1pOp::create(b, l, ex);
    Value mx = arith::MaximumFOp::create(b, l, x, zero());
    return arith::AddFOp::create(b, l, mx, lp);
  }
  case U::Silu:
    return arith::MulFOp::create(b, l, x, sigmoid(x));
  case U::Gelu: {
    // The exact (erf) form, as torch.nn.functional.gelu computes by default,
    // written 0.5 x erfc(-x / sqrt 2): 1 + erf(x / sqrt 2) would cancel to 0
    // for x below about -5.
    Value half = genConstant(t, 0.5, 0, l);
    Value minusInvSqrt2 = genConstant(t, -M_SQRT1_2, 0, l);
    Value erfc = math::ErfcOp::create(
        b, l, arith::MulFOp::create(b, l, x, minusInvSqrt2));
    return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, half, x),
                                 erfc);
  }
  case U::Relu:
    if (fp)
      return arith::MaximumFOp::create(b, l, x, zero());
    return arith::MaxSIOp::create(b, l, x, zero());
  case U::Abs:
    if (fp)
      return math::AbsFOp::create(b, l, x);
    return math::AbsIOp::create(b, l, x);
  case U::Re:
  case U::Im:
  case U::Conj:
    return mlirgen::genRealPart(b, l, e.unaryOp, x);
  }
  return x;
}

Value FunctionGen::genBinary(const ScalarExpr &e, Value x, Value y,
                             Location l) {
  using BO = ScalarExpr::BinaryOp;
  if (isa<ComplexType>(x.getType()) || e.binaryOp == BO::Complex)
    return mlirgen::genComplexBinary(b, l, e.binaryOp, x, y);
  bool fp = isFloatType(x.getType());
  switch (e.binaryOp) {
  case BO::Add:
    return fp ? Value(arith::AddFOp::create(b, l, x, y))
              : Value(arith::AddIOp::create(b, l, x, y));
  case BO::Sub:
    return fp ? Value(arith::SubFOp::create(b, l, x, y))
              : Value(arith::SubIOp::create(b, l, x, y));
  case BO::Mul:
    return fp ? Value(arith::MulFOp::create(b, l, x, y))
              : Value(arith::MulIOp::create(b, l, x, y));
  case BO::Div:
    if (fp)
      return arith::DivFOp::create(b, l, x, y);
    return genSafeDivSI(x, y, l);
  case BO::Pow:
    return math::PowFOp::create(b, l, x, y);
  case BO::Max:
    return fp ? Value(arith::MaximumFOp::create(b, l, x, y))
              : Value(arith::MaxSIOp::create(b, l, x, y));
  case BO::Min:
    return fp ? Value(arith::MinimumFOp::create(b, l, x, y))
              : Value(arith::MinSIOp::create(b, l, x, y));
  default:
    break;
  }
  if (fp) {
    arith::CmpFPredicate p = arith::CmpFPredicate::OEQ;
    switch (e.binaryOp) {
    case BO::Lt:
      p = arith::CmpFPredicate::OLT;
      break;
    case BO::Le:
      p = arith::CmpFPredicate::OLE;
      break;
    case BO::Gt:
      p = arith::CmpFPredicate::OGT;
      break;
    case BO::Ge:
      p = arith::CmpFPredicate::OGE;
      break;
    case BO::Eq:
      p = arith::CmpFPredicate::OEQ;
      break;
    default:
      p = arith::CmpFPredicate::UNE;
      break;
    }
    return arith::CmpFOp::create(b, l, p, x, y);
  }
  arith::CmpIPredicate p = arith::CmpIPredicate::eq;
  switch (e.binaryOp) {
  case BO::Lt:
    p = arith::CmpIPredicate::slt;
    break;
  case BO::Le:
    p = arith::CmpIPredicate::sle;
    break;
  case BO::Gt:
    p = arith::CmpIPredicate::sgt;
    break;
  case BO::Ge:
    p = arith::CmpIPredicate::sge;
    break;
  case BO::Eq:
    p = arith::CmpIPredicate::eq;
    break;
  default:
    p = arith::CmpIPredicate::ne;
    break;
  }
  return arith::CmpIOp::create(b, l, p, x, y);
}

OwningOpRef<ModuleOp> tessera::generateModule(MLIRContext &context,
                                              const Program &program) {
  loadFrontendDialects(context);
  OpBuilder b(&context);
  StringAttr file = b.getStringAttr(program.filename);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(file, 1, 1));
  b.setInsertionPointToEnd(module->getBody());
  for (const Function &fn : program.functions)
    FunctionGen(b, file, program, fn).run();
  if (failed(verify(*module)))
    return nullptr;
  return module;
}
