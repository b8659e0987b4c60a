//===- AffineReads.cpp - Reads through compound subscripts ----------------===//
//
// Guarded and proven reads of tess.contract inputs, and the arithmetic of
// peeling: which dimensions to split and where their interiors lie. See
// AffineReads.h.
//
//===----------------------------------------------------------------------===//

#include "AffineReads.h"
#include "Lowering.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace tessera::tesstolinalg;

//===----------------------------------------------------------------------===//
// Reads
//===----------------------------------------------------------------------===//

GuardedInput tessera::tesstolinalg::prepareGuardedInput(OpBuilder &b,
                                                        Location loc,
                                                        Value input,
                                                        AffineMap map,
                                                        ValueRange symbols) {
  GuardedInput guarded;
  guarded.map = map;
  guarded.symbols = symbols;
  guarded.input = input;
  guarded.source = input;
  auto type = cast<RankedTensorType>(input.getType());
  guarded.zero = createZero(b, loc, type.getElementType());
  if (llvm::is_contained(type.getShape(), 0)) {
    guarded.alwaysZero = true;
    return guarded;
  }
  Value isEmpty;
  Value zeroIndex = arith::ConstantIndexOp::create(b, loc, 0);
  guarded.zeroIndex = zeroIndex;
  SmallVector<Value> standInSizes;
  for (int64_t j = 0, e = type.getRank(); j < e; ++j) {
    if (!type.isDynamicDim(j)) {
      guarded.sizes.push_back(
          arith::ConstantIndexOp::create(b, loc, type.getDimSize(j)));
      continue;
    }
    Value size = tensor::DimOp::create(b, loc, input, j);
    guarded.sizes.push_back(size);
    Value zeroSize = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           size, zeroIndex);
    isEmpty =
        isEmpty ? arith::OrIOp::create(b, loc, isEmpty, zeroSize) : zeroSize;
    standInSizes.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  // An empty tensor has no element to extract, not even at the clamped
  // index 0: read a 1x..x1 stand-in instead (its value is never used).
  if (isEmpty) {
    // scf.if, not arith.select: the two tensors differ in size at run time,
    // and a select on tensors would be taken for an elementwise op.
    auto ifOp = scf::IfOp::create(
        b, loc, isEmpty,
        [&](OpBuilder &tb, Location l) {
          Value standIn = tensor::EmptyOp::create(tb, l, type, standInSizes);
          scf::YieldOp::create(tb, l, standIn);
        },
        [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, input); });
    guarded.source = ifOp.getResult(0);
  }
  return guarded;
}

Value tessera::tesstolinalg::emitAffineRead(
    OpBuilder &b, Location loc, const GuardedInput &guarded,
    const llvm::SmallBitVector &proven,
    function_ref<Value(unsigned)> getIndex) {
  if (guarded.alwaysZero)
    return guarded.zero;
  AffineMap map = guarded.map;
  SmallVector<Value> dimValues(map.getNumDims());
  for (unsigned d = 0, e = map.getNumDims(); d < e; ++d)
    if (map.isFunctionOfDim(d))
      dimValues[d] = getIndex(d);
  Value zeroIndex = guarded.zeroIndex;
  SmallVector<Value> subscripts;
  Value inBounds;
  for (auto [j, expr] : llvm::enumerate(map.getResults())) {
    Value subscript =
        affine::expandAffineExpr(b, loc, expr, dimValues, guarded.symbols);
    subscripts.push_back(subscript);
    if (isa<AffineDimExpr>(expr) || proven.test(j))
      continue;
    Value nonNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                              subscript, zeroIndex);
    Value belowSize = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            subscript, guarded.sizes[j]);
    Value ok = arith::AndIOp::create(b, loc, nonNegative, belowSize);
    inBounds = inBounds ? arith::AndIOp::create(b, loc, inBounds, ok) : ok;
  }
  // Every subscript is in range: a plain read of the input (which is not
  // empty, since it has an element at this point).
  if (!inBounds)
    return tensor::ExtractOp::create(b, loc, guarded.input, subscripts);
  // Out-of-range points read element 0 (which exists) and discard it.
  SmallVector<Value> indices;
  for (Value subscript : subscripts)
    indices.push_back(
        arith::SelectOp::create(b, loc, inBounds, subscript, zeroIndex));
  Value element = tensor::ExtractOp::create(b, loc, guarded.source, indices);
  return arith::SelectOp::create(b, loc, inBounds, element, guarded.zero);
}

//===----------------------------------------------------------------------===//
// Linear forms
//===----------------------------------------------------------------------===//

namespace {

/// Bounds that make evaluating a LinearForm overflow-free: with every
/// dimension and symbol value at most 2^40 in magnitude, a form whose
/// coefficients' magnitudes sum to at most 2^20 and whose constant is at
/// most 2^60 stays below 2^61 (and so does every partial sum).
constexpr int64_t kMaxValue = int64_t(1) << 40;
constexpr int64_t kMaxCoefficientSum = int64_t(1) << 20;
constexpr int64_t kMaxConstant = int64_t(1) << 60;

/// Whether `form` respects the bounds above.
bool isSmall(const LinearForm &form) {
  int64_t sum = 0;
  for (int64_t c : llvm::concat<const int64_t>(form.dims, form.symbols)) {
    if (c < -kMaxCoefficientSum || c > kMaxCoefficientSum)
      return false;
    sum += c < 0 ? -c : c;
    if (sum > kMaxCoefficientSum)
      return false;
  }
  return form.constant >= -kMaxConstant && form.constant <= kMaxConstant;
}

/// `form * factor`, or nullopt when a coefficient overflows.
std::optional<LinearForm> scale(LinearForm form, int64_t factor) {
  for (int64_t &c : llvm::concat<int64_t>(form.dims, form.symbols)) {
    std::optional<int64_t> product = llvm::checkedMul(c, factor);
    if (!product)
      return std::nullopt;
    c = *product;
  }
  std::optional<int64_t> constant = llvm::checkedMul(form.constant, factor);
  if (!constant)
    return std::nullopt;
  form.constant = *constant;
  return form;
}

/// `lhs + rhs` (both within the bounds, so no overflow).
LinearForm add(LinearForm lhs, const LinearForm &rhs) {
  for (auto [l, r] : llvm::zip(lhs.dims, rhs.dims))
    l += r;
  for (auto [l, r] : llvm::zip(lhs.symbols, rhs.symbols))
    l += r;
  lhs.constant += rhs.constant;
  return lhs;
}

} // namespace

std::optional<LinearForm>
tessera::tesstolinalg::getLinearForm(AffineExpr expr, unsigned numDims,
                                     unsigned numSymbols) {
  LinearForm form;
  form.dims.assign(numDims, 0);
  form.symbols.assign(numSymbols, 0);
  std::optional<LinearForm> result;
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    form.dims[dim.getPosition()] = 1;
    result = form;
  } else if (auto symbol = dyn_cast<AffineSymbolExpr>(expr)) {
    form.symbols[symbol.getPosition()] = 1;
    result = form;
  } else if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
    form.constant = constant.getValue();
    result = form;
  } else if (auto binary = dyn_cast<AffineBinaryOpExpr>(expr)) {
    std::optional<LinearForm> lhs =
        getLinearForm(binary.getLHS(), numDims, numSymbols);
    std::optional<LinearForm> rhs =
        getLinearForm(binary.getRHS(), numDims, numSymbols);
    if (!lhs || !rhs)
      return std::nullopt;
    auto isConstant = [](const LinearForm &f) {
      return llvm::all_of(llvm::concat<const int64_t>(f.dims, f.symbols),
                          [](int64_t c) { return c == 0; });
    };
    if (expr.getKind() == AffineExprKind::Add)
      result = add(*lhs, *rhs);
    else if (expr.getKind() == AffineExprKind::Mul && isConstant(*rhs))
      result = scale(*lhs, rhs->constant);
    else if (expr.getKind() == AffineExprKind::Mul && isConstant(*lhs))
      result = scale(*rhs, lhs->constant);
  }
  if (!result || !isSmall(*result))
    return std::nullopt;
  return result;
}

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

SmallVector<PeelLevel>
tessera::tesstolinalg::planPeeling(ArrayRef<AffineMap> inputMaps,
                                   AffineMap resultMap) {
  unsigned numLoops = resultMap.getNumDims();
  SmallVector<PeeledSubscript> subscripts;
  llvm::SmallBitVector used(numLoops);
  for (auto [i, map] : llvm::enumerate(inputMaps)) {
    if (!map)
      continue;
    for (auto [j, expr] : llvm::enumerate(map.getResults())) {
      if (isa<AffineDimExpr>(expr))
        continue;
      std::optional<LinearForm> form =
          getLinearForm(expr, numLoops, map.getNumSymbols());
      if (!form)
        continue;
      subscripts.push_back({unsigned(i), unsigned(j), *form});
      for (unsigned d = 0; d < numLoops; ++d)
        if (form->dims[d] != 0)
          used.set(d);
    }
  }
  // Parallel dimensions first: splitting them splits the result, and the
  // pieces of a reduction are the long ones only when no parallel
  // dimension is involved (a kernel dimension is usually the short one).
  SmallVector<unsigned> dims;
  for (unsigned d : used.set_bits())
    if (resultMap.isFunctionOfDim(d))
      dims.push_back(d);
  if (dims.empty())
    dims.assign(used.set_bits_begin(), used.set_bits_end());
  if (dims.size() > kMaxPeeledDims)
    dims.resize(kMaxPeeledDims);

  // Each subscript belongs to the last peeled dimension it depends on.
  SmallVector<PeelLevel> levels;
  for (unsigned d : dims)
    levels.push_back({d, {}});
  for (PeeledSubscript &subscript : subscripts)
    for (PeelLevel &level : llvm::reverse(levels))
      if (subscript.form.dims[level.dim] != 0) {
        level.subscripts.push_back(std::move(subscript));
        break;
      }
  llvm::erase_if(levels,
                 [](const PeelLevel &l) { return l.subscripts.empty(); });
  return levels;
}

//===----------------------------------------------------------------------===//
// Interiors
//===----------------------------------------------------------------------===//

namespace {

/// Emits the index arithmetic of the interior computation.
struct IndexBuilder {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value add(Value l, Value r) { return arith::AddIOp::create(b, loc, l, r); }
  Value sub(Value l, Value r) { return arith::SubIOp::create(b, loc, l, r); }
  Value mul(Value l, int64_t r) {
    return r == 1 ? l : arith::MulIOp::create(b, loc, l, constant(r));
  }
  Value max(Value l, Value r) { return arith::MaxSIOp::create(b, loc, l, r); }
  Value min(Value l, Value r) { return arith::MinSIOp::create(b, loc, l, r); }
  Value floorDiv(Value l, int64_t r) {
    return r == 1 ? l : arith::FloorDivSIOp::create(b, loc, l, constant(r));
  }
  Value ceilDiv(Value l, int64_t r) {
    return r == 1 ? l : arith::CeilDivSIOp::create(b, loc, l, constant(r));
  }
  /// -2^40 <= value <= 2^40.
  Value isSmall(Value value) {
    Value low = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, value,
                                      constant(-kMaxValue));
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, value,
                                       constant(kMaxValue));
    return arith::AndIOp::create(b, loc, low, high);
  }
};

} // namespace

std::pair<Value, Value> tessera::tesstolinalg::emitInterior(
    OpBuilder &b, Location loc, const PeelLevel &level, ValueRange boxLo,
    ValueRange boxHi, ArrayRef<std::optional<GuardedInput>> guarded) {
  IndexBuilder ib{b, loc};
  unsigned p = level.dim;
  Value bound = boxHi[p];
  Value lo = ib.constant(0);
  Value hi = bound;
  // Every value the forms are evaluated at is small (or the interior is
  // empty), so the arithmetic below cannot overflow.
  Value safe = ib.isSmall(bound);
  for (const PeeledSubscript &subscript : level.subscripts) {
    const LinearForm &form = subscript.form;
    const GuardedInput &input = *guarded[subscript.input];
    Value size = input.sizes[subscript.result];
    safe = arith::AndIOp::create(b, loc, safe, ib.isSmall(size));
    // The range [restMin, restMax] of the subscript without its p term.
    Value rest = ib.constant(form.constant);
    for (auto [s, c] : llvm::enumerate(form.symbols)) {
      if (c == 0)
        continue;
      safe = arith::AndIOp::create(b, loc, safe, ib.isSmall(input.symbols[s]));
      rest = ib.add(rest, ib.mul(input.symbols[s], c));
    }
    Value restMin = rest, restMax = rest;
    for (auto [d, c] : llvm::enumerate(form.dims)) {
      if (c == 0 || d == p)
        continue;
      safe = arith::AndIOp::create(b, loc, safe, ib.isSmall(boxHi[d]));
      Value first = boxLo[d];
      Value last = ib.sub(boxHi[d], ib.constant(1));
      restMin = ib.add(restMin, ib.mul(c > 0 ? first : last, c));
      restMax = ib.add(restMax, ib.mul(c > 0 ? last : first, c));
    }
    // 0 <= a * p + restMin and a * p + restMax <= size - 1.
    int64_t a = form.dims[p];
    Value sizeMinusOne = ib.sub(size, ib.constant(1));
    Value first, last;
    if (a > 0) {
      first = ib.ceilDiv(ib.sub(ib.constant(0), restMin), a);
      last = ib.floorDiv(ib.sub(sizeMinusOne, restMax), a);
    } else {
      first = ib.ceilDiv(ib.sub(restMax, sizeMinusOne), -a);
      last = ib.floorDiv(restMin, -a);
    }
    lo = ib.max(lo, first);
    hi = ib.min(hi, ib.add(last, ib.constant(1)));
  }
  lo = ib.min(lo, bound);
  hi = ib.max(hi, lo);
  Value zero = ib.constant(0);
  lo = arith::SelectOp::create(b, loc, safe, lo, zero);
  hi = arith::SelectOp::create(b, loc, safe, hi, zero);
  return {lo, hi};
}
