//===- StructuredOps.cpp - structured operations --------------------------===//

#include "tessera/Dialect/Structured/IR/StructuredOps.h"
#include "tessera/Runtime/SizeRules.h"

#include "mlir/IR/Matchers.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace tessera::structured;

/// Checks that `axis` is a dimension of `type`; returns its static extent
/// (ShapedType::kDynamic when unknown).
static FailureOr<int64_t> verifyAxis(Operation *op, RankedTensorType type,
                                     int64_t axis) {
  if (axis >= type.getRank())
    return op->emitOpError("axis ")
           << axis << " is out of range for a tensor of rank "
           << type.getRank();
  return type.getDimSize(axis);
}

/// The value of `v` when it is a constant integer.
static std::optional<int64_t> getConstant(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

/// True when static extents `a` and `b` may be equal (either is dynamic).
static bool mayEqual(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult FwhtOp::verify() {
  FailureOr<int64_t> extent =
      verifyAxis(*this, getInput().getType(), getAxis());
  if (failed(extent))
    return failure();
  // A dynamic length is checked where the function is called (an entry
  // size check).
  if (!ShapedType::isDynamic(*extent) && !tessera::isFwhtLength(*extent))
    return emitOpError("length ")
           << *extent
           << " along the axis is not a power of two, nor 12, 20, 28 or 40 "
              "times one";
  return success();
}

LogicalResult BitReverseOp::verify() {
  FailureOr<int64_t> extent =
      verifyAxis(*this, getInput().getType(), getAxis());
  if (failed(extent))
    return failure();
  if (!ShapedType::isDynamic(*extent) && !tessera::isPowerOfTwoLength(*extent))
    return emitOpError("length ")
           << *extent << " along the axis is not a power of two";
  return success();
}

OpFoldResult BitReverseOp::fold(FoldAdaptor) {
  // The permutation is an involution.
  if (auto inner = getInput().getDefiningOp<BitReverseOp>())
    if (inner.getAxis() == getAxis())
      return inner.getInput();
  return {};
}

LogicalResult FftOp::verify() {
  return verifyAxis(*this, getInput().getType(), getAxis());
}

LogicalResult IfftOp::verify() {
  return verifyAxis(*this, getInput().getType(), getAxis());
}

/// Checks that `real` and `complex` have the same precision, and the same
/// extents but along `axis`, where the complex one has `n / 2 + 1` for the
/// real one's `n` (any extent unless `checkAxis`).
static LogicalResult verifyRealComplexPair(Operation *op, RankedTensorType real,
                                           RankedTensorType complex,
                                           int64_t axis, bool checkAxis) {
  if (failed(verifyAxis(op, real, axis)))
    return failure();
  auto element = cast<ComplexType>(complex.getElementType());
  if (element.getElementType() != real.getElementType())
    return op->emitOpError("complex element type ")
           << complex.getElementType() << " does not match the real "
           << real.getElementType();
  if (real.getRank() != complex.getRank())
    return op->emitOpError("real and complex tensors have ranks ")
           << real.getRank() << " and " << complex.getRank();
  for (int64_t d = 0, e = real.getRank(); d != e; ++d) {
    int64_t r = real.getDimSize(d), c = complex.getDimSize(d);
    if (ShapedType::isDynamic(r) || ShapedType::isDynamic(c) ||
        (d == axis && !checkAxis))
      continue;
    int64_t expected = d == axis ? r / 2 + 1 : r;
    if (c != expected)
      return op->emitOpError("dimension ")
             << d << " of the complex tensor is " << c << " but must be "
             << expected << (d == axis ? " (n / 2 + 1 for n = " : "")
             << (d == axis ? std::to_string(r) + ")" : "");
  }
  return success();
}

LogicalResult RfftOp::verify() {
  if (failed(verifyRealComplexPair(*this, getInput().getType(),
                                   getResult().getType(), getAxis(),
                                   /*checkAxis=*/true)))
    return failure();
  if (getInput().getType().getDimSize(getAxis()) == 0)
    return emitOpError("needs at least one element along the axis");
  return success();
}

LogicalResult IrfftOp::verify() {
  if (failed(verifyRealComplexPair(*this, getResult().getType(),
                                   getInput().getType(), getAxis(),
                                   /*checkAxis=*/false)))
    return failure();
  std::optional<int64_t> length = getConstant(getLength());
  if (!length)
    return success();
  if (*length < 1)
    return emitOpError("length ") << *length << " is not positive";
  if (!mayEqual(getResult().getType().getDimSize(getAxis()), *length))
    return emitOpError("length ") << *length << " but the result has "
                                  << getResult().getType().getDimSize(getAxis())
                                  << " elements along the axis";
  return success();
}

LogicalResult CausalConvOp::verify() {
  RankedTensorType input = getInput().getType(), kernel = getKernel().getType();
  int64_t axis = getAxis(), lead = input.getRank() - kernel.getRank();
  if (failed(verifyAxis(*this, input, axis)))
    return failure();
  if (kernel.getElementType() != input.getElementType())
    return emitOpError("kernel of type ")
           << kernel.getElementType() << " for an input of "
           << input.getElementType();
  if (lead < 0 || axis < lead)
    return emitOpError("kernel of rank ")
           << kernel.getRank() << " has no dimension for axis " << axis
           << " of an input of rank " << input.getRank()
           << " (its dimensions are the input's last ones)";
  for (int64_t j = 0; j < kernel.getRank(); ++j) {
    int64_t k = kernel.getDimSize(j), x = input.getDimSize(lead + j);
    if (lead + j != axis && k != 1 && !mayEqual(k, x))
      return emitOpError("kernel dimension ")
             << j << " is " << k << " but must be 1 or the input's " << x;
  }
  return success();
}

OpFoldResult FftOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<IfftOp>())
    if (inner.getAxis() == getAxis())
      return inner.getInput();
  return {};
}

OpFoldResult IfftOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<FftOp>())
    if (inner.getAxis() == getAxis())
      return inner.getInput();
  return {};
}

/// Checks twiddles `[F, N / 2, 2, 2]` for a transform of static or dynamic
/// length `n`.
static LogicalResult verifyFactors(Operation *op, RankedTensorType twiddles,
                                   int64_t n) {
  if (twiddles.getDimSize(2) != 2 || twiddles.getDimSize(3) != 2)
    return op->emitOpError("twiddles must be [F, N / 2, 2, 2], got ")
           << twiddles;
  // A dynamic length is checked where the function is called.
  if (ShapedType::isDynamic(n))
    return success();
  if (!tessera::isPowerOfTwoLength(n))
    return op->emitOpError("length ") << n << " is not a power of two";
  int64_t half = twiddles.getDimSize(1), factors = twiddles.getDimSize(0);
  if (!mayEqual(half, n / 2))
    return op->emitOpError("twiddles have ")
           << half << " pairs per factor but length " << n << " needs "
           << n / 2;
  if (!ShapedType::isDynamic(factors) &&
      factors > static_cast<int64_t>(llvm::Log2_64(n)))
    return op->emitOpError("")
           << factors << " factors exceed log2(" << n << ")";
  return success();
}

LogicalResult FftTwiddlesOp::verify() {
  RankedTensorType type = getResult().getType();
  if (std::optional<int64_t> n = getConstant(getLength())) {
    if (!tessera::isPowerOfTwoLength(*n))
      return emitOpError("length ") << *n << " is not a power of two";
    if (!mayEqual(type.getDimSize(1), *n / 2))
      return emitOpError("an FFT of length ")
             << *n << " has " << *n / 2 << " pairs per factor, not "
             << type.getDimSize(1);
  }
  if (!isa<ComplexType>(type.getElementType()))
    return emitOpError("twiddles of an FFT are complex");
  int64_t half = type.getDimSize(1), factors = type.getDimSize(0);
  if (!ShapedType::isDynamic(half) && (half < 0 || half > (int64_t(1) << 61)))
    return emitOpError("") << half << " pairs per factor is out of range";
  // The length: 1 without pairs (no factors), else twice the pairs.
  int64_t n = ShapedType::isDynamic(half) ? half : half == 0 ? 1 : 2 * half;
  if (failed(verifyFactors(*this, type, n)))
    return failure();
  if (!ShapedType::isDynamic(n) && !ShapedType::isDynamic(factors) &&
      factors != static_cast<int64_t>(llvm::Log2_64(n)))
    return emitOpError("an FFT of length ")
           << n << " has " << llvm::Log2_64(n) << " factors, not " << factors;
  return success();
}

LogicalResult ButterflyOp::verify() {
  RankedTensorType type = getInput().getType();
  FailureOr<int64_t> n = verifyAxis(*this, type, getAxis());
  if (failed(n))
    return failure();
  RankedTensorType twiddles = getTwiddles().getType();
  if (twiddles.getElementType() != type.getElementType())
    return emitOpError("twiddles of type ")
           << twiddles.getElementType() << " for a tensor of "
           << type.getElementType();
  return verifyFactors(*this, twiddles, *n);
}

LogicalResult PermuteOp::verify() {
  RankedTensorType type = getInput().getType();
  FailureOr<int64_t> n = verifyAxis(*this, type, getAxis());
  if (failed(n))
    return failure();
  int64_t length = getPerm().getType().getDimSize(0);
  if (!mayEqual(*n, length))
    return emitOpError("a permutation of ")
           << length << " elements along an axis of " << *n;
  if (getOutOfRange() && !isa<IntegerType>(type.getElementType()))
    return emitOpError("out_of_range needs an integer tensor");
  return success();
}

/// Checks that `result` is `input` with `outLength` along `axis` instead of
/// `inLength`, and that the element types match `weights`'.
static LogicalResult verifyBlockShapes(Operation *op, RankedTensorType weights,
                                       RankedTensorType input,
                                       RankedTensorType result, int64_t axis,
                                       int64_t inLength, int64_t outLength) {
  if (failed(verifyAxis(op, input, axis)))
    return failure();
  if (weights.getElementType() != input.getElementType() ||
      result.getElementType() != input.getElementType())
    return op->emitOpError("weights, input and result must have one element "
                           "type");
  if (result.getRank() != input.getRank())
    return op->emitOpError("the result's rank differs from the input's");
  for (int64_t d = 0; d < input.getRank(); ++d) {
    int64_t in = input.getDimSize(d), out = result.getDimSize(d);
    if (d != axis && !mayEqual(in, out))
      return op->emitOpError("dimension ") << d << " of the result is " << out
                                           << " but the input's is " << in;
  }
  if (!mayEqual(input.getDimSize(axis), inLength))
    return op->emitOpError("the input has ")
           << input.getDimSize(axis) << " elements along the axis but the "
           << "weights take " << inLength;
  if (!mayEqual(result.getDimSize(axis), outLength))
    return op->emitOpError("the result has ")
           << result.getDimSize(axis) << " elements along the axis but the "
           << "weights give " << outLength;
  return success();
}

/// `a * b`, dynamic if either is; nullopt if the product overflows.
static std::optional<int64_t> mulExtents(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  int64_t product;
  if (llvm::MulOverflow(a, b, product) || ShapedType::isDynamic(product))
    return std::nullopt;
  return product;
}

/// The products of pairs of the weights' extents that the block transforms
/// need, or failure after reporting one that overflows.
static FailureOr<SmallVector<int64_t>>
getProducts(Operation *op, ArrayRef<std::pair<int64_t, int64_t>> pairs) {
  SmallVector<int64_t> products;
  for (auto [a, b] : pairs) {
    std::optional<int64_t> product = mulExtents(a, b);
    if (!product)
      return op->emitOpError("block sizes ")
             << a << " x " << b << " overflow 64 bits";
    products.push_back(*product);
  }
  return products;
}

LogicalResult BlockDiagOp::verify() {
  RankedTensorType w = getWeights().getType();
  FailureOr<SmallVector<int64_t>> n =
      getProducts(*this, {{w.getDimSize(0), w.getDimSize(2)},
                          {w.getDimSize(0), w.getDimSize(1)}});
  if (failed(n))
    return failure();
  return verifyBlockShapes(*this, w, getInput().getType(),
                           getResult().getType(), getAxis(), (*n)[0], (*n)[1]);
}

LogicalResult MonarchOp::verify() {
  RankedTensorType w1 = getW1().getType(), w2 = getW2().getType();
  if (w1.getElementType() != w2.getElementType())
    return emitOpError("w1 and w2 have different element types");
  FailureOr<SmallVector<int64_t>> n =
      getProducts(*this, {{w1.getDimSize(0), w1.getDimSize(1)},
                          {w2.getDimSize(0), w2.getDimSize(2)},
                          {w1.getDimSize(0), w1.getDimSize(2)},
                          {w2.getDimSize(0), w2.getDimSize(1)}});
  if (failed(n))
    return failure();
  if (!mayEqual((*n)[0], (*n)[1]))
    return emitOpError("w1 gives ") << (*n)[0] << " terms but w2 takes "
                                    << (*n)[1] << " (K * Q must equal L * R)";
  return verifyBlockShapes(*this, w1, getInput().getType(),
                           getResult().getType(), getAxis(), (*n)[2], (*n)[3]);
}

#define GET_OP_CLASSES
#include "tessera/Dialect/Structured/IR/StructuredOps.cpp.inc"
