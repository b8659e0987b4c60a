//===- TessTypes.cpp - tess attributes and types --------------------------===//

#include "tessera/Dialect/Tess/IR/TessTypes.h"

using namespace mlir;

#include "tessera/Dialect/Tess/IR/TessEnums.cpp.inc"

namespace tessera::tess {

bool isTessElementType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.isSignless();
  if (auto complexType = dyn_cast<ComplexType>(type))
    return isa<FloatType>(complexType.getElementType());
  return isa<IndexType, FloatType>(type);
}

bool isReductionKindSupported(ReductionKind kind, Type elementType) {
  if (!isTessElementType(elementType))
    return false;
  if (isa<ComplexType>(elementType))
    return kind == ReductionKind::sum || kind == ReductionKind::prod;
  return true;
}

} // namespace tessera::tess
