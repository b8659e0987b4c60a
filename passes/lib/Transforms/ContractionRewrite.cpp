//===- ContractionRewrite.cpp - Product bodies and their rewrite ----------===//

#include "ContractionRewrite.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace tessera;
using namespace tessera::planning;

plan::IndexSet tessera::planning::dimensionsOf(AffineMap map) {
  plan::IndexSet set = 0;
  for (unsigned d = 0, e = map.getNumDims(); d < e && d < plan::kMaxLoops; ++d)
    if (map.isFunctionOfDim(d))
      set |= plan::IndexSet(1) << d;
  return set;
}

bool tessera::planning::isPlainMap(AffineMap map) {
  plan::IndexSet seen = 0;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || dim.getPosition() >= plan::kMaxLoops)
      return false;
    plan::IndexSet bit = plan::IndexSet(1) << dim.getPosition();
    if (seen & bit)
      return false;
    seen |= bit;
  }
  return true;
}

/// True for the element types whose products the pass may reassociate:
/// f32, f64, complex numbers of them and integers other than i1.
static bool isPlannableType(Type type) {
  if (auto ct = dyn_cast<ComplexType>(type))
    type = ct.getElementType();
  if (auto ft = dyn_cast<FloatType>(type))
    return ft.getWidth() >= 32;
  if (auto it = dyn_cast<IntegerType>(type))
    return it.getWidth() > 1;
  return false;
}

/// The body's operations that depend on no block argument and no
/// tess.index (and have no regions or side effects), in order.
static llvm::SmallPtrSet<Operation *, 8>
findInvariantOps(Block &body, SmallVectorImpl<Operation *> &ordered) {
  llvm::SmallPtrSet<Operation *, 8> invariant;
  for (Operation &inner : body.without_terminator()) {
    if (isa<tess::IndexOp>(inner) || inner.getNumRegions() != 0 ||
        !isMemoryEffectFree(&inner))
      continue;
    bool ok = llvm::all_of(inner.getOperands(), [&](Value v) {
      if (auto arg = dyn_cast<BlockArgument>(v))
        return arg.getOwner() != &body;
      Operation *def = v.getDefiningOp();
      return def->getBlock() != &body || invariant.contains(def);
    });
    if (ok) {
      invariant.insert(&inner);
      ordered.push_back(&inner);
    }
  }
  return invariant;
}

namespace {
/// Splits the yielded value into leaves and invariant factors.
class ProductMatcher {
public:
  ProductMatcher(Block &body, Type elementType, ProductForm &form)
      : body(body), elementType(elementType), form(form) {
    invariant = findInvariantOps(body, form.invariantOps);
  }

  /// Decomposes `root`; false (with `reason`) if it is not a product.
  bool match(Value root, std::string &reason) {
    // An explicit stack: bodies may be long chains of products.
    SmallVector<std::pair<Value, bool>> stack{{root, false}};
    while (!stack.empty()) {
      auto [value, divisor] = stack.pop_back_val();
      if (isInvariant(value)) {
        (divisor ? form.divisors : form.multipliers).push_back(value);
        continue;
      }
      if (divisor) {
        reason = "it divides by a value that depends on an input";
        return false;
      }
      if (std::optional<Leaf> leaf = matchLeaf(value)) {
        form.leaves.push_back(*leaf);
        continue;
      }
      Operation *def = value.getDefiningOp();
      if (isa_and_present<arith::MulFOp, arith::MulIOp, complex::MulOp>(def)) {
        // Right first, so that leaves come out in source order.
        stack.push_back({def->getOperand(1), false});
        stack.push_back({def->getOperand(0), false});
        continue;
      }
      if (isa_and_present<arith::NegFOp, complex::NegOp>(def)) {
        form.negate = !form.negate;
        stack.push_back({def->getOperand(0), false});
        continue;
      }
      if (auto sub = dyn_cast_if_present<arith::SubIOp>(def);
          sub && matchPattern(sub.getLhs(), m_Zero())) {
        form.negate = !form.negate;
        stack.push_back({sub.getRhs(), false});
        continue;
      }
      if (isa_and_present<arith::DivFOp, complex::DivOp>(def)) {
        stack.push_back({def->getOperand(1), true});
        stack.push_back({def->getOperand(0), false});
        continue;
      }
      reason = "its body is not a product of its inputs";
      return false;
    }
    return true;
  }

private:
  bool isInvariant(Value v) const {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner() != &body;
    Operation *def = v.getDefiningOp();
    return def->getBlock() != &body || invariant.contains(def);
  }

  /// A body argument of the result element type, a tess.cast of one to it,
  /// or the complex conjugate of one.
  std::optional<Leaf> matchLeaf(Value v) const {
    if (v.getType() != elementType)
      return std::nullopt;
    Operation *cast = nullptr;
    if (auto castOp = v.getDefiningOp<tess::CastOp>()) {
      cast = castOp;
      v = castOp.getInput();
    } else if (auto conj = v.getDefiningOp<complex::ConjOp>()) {
      cast = conj;
      v = conj.getComplex();
    }
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &body)
      return std::nullopt;
    return Leaf{arg.getArgNumber(), cast};
  }

  Block &body;
  Type elementType;
  ProductForm &form;
  llvm::SmallPtrSet<Operation *, 8> invariant;
};
} // namespace

FailureOr<ProductForm> tessera::planning::analyzeProduct(tess::ContractOp op,
                                                         std::string &reason) {
  if (op.getKind() != tess::ReductionKind::sum) {
    reason = "its kind is " + tess::stringifyReductionKind(op.getKind()).str() +
             ", not sum";
    return failure();
  }
  if (op.getNumLoops() > plan::kMaxLoops) {
    reason = "it has more than 64 loops";
    return failure();
  }
  Type elementType = op.getResult().getType().getElementType();
  if (!isPlannableType(elementType)) {
    reason = "its element type is not f32, f64, c64, c128 or an integer";
    return failure();
  }
  Block &body = op.getBody().front();
  bool usesIndex = false;
  body.walk([&](tess::IndexOp) { usesIndex = true; });
  if (usesIndex) {
    reason = "its body uses tess.index";
    return failure();
  }
  ProductForm form;
  ProductMatcher matcher(body, elementType, form);
  if (!matcher.match(op.getYieldOp().getValue(), reason))
    return failure();
  if (form.leaves.empty()) {
    reason = "its body reads no input";
    return failure();
  }
  // A summed dimension that no leaf uses would multiply the sum by its
  // extent; leave that to the single loop nest.
  plan::IndexSet used = dimensionsOf(op.getResultMap());
  for (const Leaf &leaf : form.leaves)
    used |= dimensionsOf(op.getInputMap(leaf.input));
  for (unsigned d : op.getReductionDims())
    if (!(used & (plan::IndexSet(1) << d))) {
      reason = "a summed dimension is read by no input";
      return failure();
    }
  return form;
}

namespace {
/// Builds the ops of a plan in place of one tess.contract.
class PlanBuilder {
public:
  PlanBuilder(OpBuilder &b, tess::ContractOp op, const ProductForm &form)
      : b(b), op(op), form(form), loc(op.getLoc()),
        elementType(op.getResult().getType().getElementType()) {
    for (const Leaf &leaf : form.leaves) {
      values.push_back(op.getInputs()[leaf.input]);
      maps.push_back(op.getInputMap(leaf.input));
      casts.push_back(leaf.cast);
    }
  }

  /// Builds every step and the epilogue; returns the final value.
  Value build(const plan::Plan &plan) {
    for (auto [i, step] : llvm::enumerate(plan.steps))
      buildStep(step, i + 1 == plan.steps.size() && !plan.hasEpilogue);
    if (plan.hasEpilogue)
      buildEpilogue(plan);
    return values.back();
  }

private:
  /// The step's result map over the original loops: the op's own result
  /// map for the last step, else the kept dimensions in increasing order.
  AffineMap resultMapOf(const plan::Step &step, bool last) {
    if (last)
      return op.getResultMap();
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (step.result & (plan::IndexSet(1) << d))
        exprs.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(op.getNumLoops(), op.getSymbols().size(), exprs,
                          b.getContext());
  }

  /// An intermediate's type: static where the loop bound is a constant.
  RankedTensorType intermediateType(AffineMap resultMap) {
    SmallVector<int64_t> shape;
    for (AffineExpr e : resultMap.getResults()) {
      Value bound = op.getBounds()[cast<AffineDimExpr>(e).getPosition()];
      std::optional<int64_t> c = getConstantIntValue(bound);
      shape.push_back(c ? *c : ShapedType::kDynamic);
    }
    return RankedTensorType::get(shape, elementType);
  }

  /// `x * y` in the element type.
  Value multiply(OpBuilder &nb, Location l, Value x, Value y) {
    if (isa<FloatType>(elementType))
      return arith::MulFOp::create(nb, l, x, y);
    if (isa<ComplexType>(elementType))
      return complex::MulOp::create(nb, l, x, y);
    return arith::MulIOp::create(nb, l, x, y);
  }

  /// `x / y` in the element type (a float or complex number).
  Value divide(OpBuilder &nb, Location l, Value x, Value y) {
    if (isa<ComplexType>(elementType))
      return complex::DivOp::create(nb, l, x, y);
    return arith::DivFOp::create(nb, l, x, y);
  }

  /// `-x` in the element type.
  Value negate(OpBuilder &nb, Location l, Value x) {
    if (isa<FloatType>(elementType))
      return arith::NegFOp::create(nb, l, x);
    if (isa<ComplexType>(elementType))
      return complex::NegOp::create(nb, l, x);
    Value zero = arith::ConstantOp::create(nb, l, elementType,
                                           nb.getIntegerAttr(elementType, 0));
    return arith::SubIOp::create(nb, l, zero, x);
  }

  /// The element `arg` of operand `id`, converted by its cast if any.
  Value readOperand(OpBuilder &nb, int id, Value arg) {
    Operation *c = casts[id];
    if (!c)
      return arg;
    IRMapping mapping;
    mapping.map(c->getOperand(0), arg);
    return nb.clone(*c, mapping)->getResult(0);
  }

  void buildStep(const plan::Step &step, bool last) {
    unsigned numSymbols = op.getSymbols().size();
    // Local loop numbering: the step's loops in increasing order.
    SmallVector<AffineExpr> dimReplacements;
    SmallVector<Value> bounds;
    for (unsigned d = 0; d < op.getNumLoops(); ++d) {
      if (step.loops & (plan::IndexSet(1) << d)) {
        dimReplacements.push_back(b.getAffineDimExpr(bounds.size()));
        bounds.push_back(op.getBounds()[d]);
      } else {
        dimReplacements.push_back(b.getAffineConstantExpr(0));
      }
    }
    SmallVector<AffineExpr> symbols;
    for (unsigned s = 0; s < numSymbols; ++s)
      symbols.push_back(b.getAffineSymbolExpr(s));
    auto localize = [&](AffineMap map) {
      return map.replaceDimsAndSymbols(dimReplacements, symbols, bounds.size(),
                                       numSymbols);
    };
    SmallVector<int> operands{step.lhs};
    if (step.rhs >= 0)
      operands.push_back(step.rhs);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> stepMaps;
    for (int id : operands) {
      inputs.push_back(values[id]);
      stepMaps.push_back(localize(maps[id]));
    }
    AffineMap resultMap = resultMapOf(step, last);
    stepMaps.push_back(localize(resultMap));
    Type resultType =
        last ? op.getResult().getType() : intermediateType(resultMap);
    auto body = [&](OpBuilder &nb, Location l, ValueRange args) {
      SmallVector<Value> factors;
      for (auto [k, id] : llvm::enumerate(operands))
        factors.push_back(readOperand(nb, id, args[k]));
      Value product = factors[0];
      if (factors.size() == 2)
        product = multiply(nb, l, factors[0], factors[1]);
      tess::YieldOp::create(nb, l, product);
    };
    auto stepOp = tess::ContractOp::create(
        b, loc, resultType, tess::ReductionKind::sum, inputs, bounds,
        op.getSymbols(), stepMaps, body);
    values.push_back(stepOp.getResult());
    maps.push_back(resultMap);
    casts.push_back(nullptr);
  }

  /// `t * e_0 * ... * m_0 * ... / d_0 / ...` element by element, where
  /// `t` is the last step's result, `e` the epilogue operands and `m`, `d`
  /// the invariant factors.
  void buildEpilogue(const plan::Plan &plan) {
    SmallVector<int> operands{int(values.size()) - 1};
    for (unsigned i : plan.epilogue)
      operands.push_back(i);
    AffineMap resultMap = op.getResultMap();
    SmallVector<AffineExpr> dimReplacements, symbols;
    SmallVector<Value> bounds;
    for (unsigned d = 0; d < op.getNumLoops(); ++d) {
      auto pos = resultMap.getResultPosition(b.getAffineDimExpr(d));
      dimReplacements.push_back(pos ? b.getAffineDimExpr(*pos)
                                    : b.getAffineConstantExpr(0));
    }
    for (AffineExpr e : resultMap.getResults())
      bounds.push_back(op.getBounds()[cast<AffineDimExpr>(e).getPosition()]);
    unsigned numSymbols = op.getSymbols().size();
    for (unsigned s = 0; s < numSymbols; ++s)
      symbols.push_back(b.getAffineSymbolExpr(s));
    SmallVector<Value> inputs;
    SmallVector<AffineMap> stepMaps;
    for (int id : operands) {
      inputs.push_back(values[id]);
      stepMaps.push_back(maps[id].replaceDimsAndSymbols(
          dimReplacements, symbols, bounds.size(), numSymbols));
    }
    stepMaps.push_back(resultMap.replaceDimsAndSymbols(
        dimReplacements, symbols, bounds.size(), numSymbols));
    auto body = [&](OpBuilder &nb, Location l, ValueRange args) {
      IRMapping mapping;
      for (Operation *inner : form.invariantOps)
        nb.clone(*inner, mapping);
      Value v = readOperand(nb, operands[0], args[0]);
      for (unsigned k = 1; k < operands.size(); ++k)
        v = multiply(nb, l, v, readOperand(nb, operands[k], args[k]));
      for (Value m : form.multipliers)
        v = multiply(nb, l, v, mapping.lookupOrDefault(m));
      for (Value d : form.divisors)
        v = divide(nb, l, v, mapping.lookupOrDefault(d));
      if (form.negate)
        v = negate(nb, l, v);
      tess::YieldOp::create(nb, l, v);
    };
    auto epilogue = tess::ContractOp::create(
        b, loc, op.getResult().getType(), tess::ReductionKind::sum, inputs,
        bounds, op.getSymbols(), stepMaps, body);
    values.push_back(epilogue.getResult());
  }

  OpBuilder &b;
  tess::ContractOp op;
  const ProductForm &form;
  Location loc;
  Type elementType;
  /// Per operand of the plan (leaves, then step results): the tensor, its
  /// map over the original loops and the cast its elements go through.
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  SmallVector<Operation *> casts;
};
} // namespace

void tessera::planning::rewriteContraction(OpBuilder &builder,
                                           tess::ContractOp op,
                                           const ProductForm &form,
                                           const plan::Plan &plan) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(op);
  Value result = PlanBuilder(builder, op, form).build(plan);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}
