//===- TessTypes.cpp - tess attributes and types --------------------------===//

#include "tessera/Dialect/Tess/IR/TessTypes.h"

using namespace mlir;

#include "tessera/Dialect/Tess/IR/TessEnums.cpp.inc"

namespace tessera::tess {

bool isTessElementType(Type type) {
  // i0 has no values to compute with: its reduction identities and constants
  // are not representable.
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.isSignless() && intType.getWidth() > 0;
  if (auto complexType = dyn_cast<ComplexType>(type))
    return isa<FloatType>(complexType.getElementType());
  return isa<IndexType, FloatType>(type);
}

bool isReductionKindSupported(ReductionKind kind, Type elementType) {
  if (!isTessElementType(elementType))
    return false;
  if (isa<ComplexType>(elementType))
    return kind == ReductionKind::sum || kind == ReductionKind::prod;
  // The identities of max and min are -inf and +inf: formats without
  // infinities (f8E4M3FN, f4E2M1FN, ...) have none.
  if (auto floatType = dyn_cast<FloatType>(elementType))
    if (kind == ReductionKind::max || kind == ReductionKind::min)
      return llvm::APFloat::semanticsHasInf(floatType.getFloatSemantics());
  return true;
}

} // namespace tessera::tess
