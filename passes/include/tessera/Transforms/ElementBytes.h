//===- ElementBytes.h - Storage size of a tensor element --------*- C++ -*-===//
//
// The bytes one element takes in memory, for the passes that size blocks by
// bytes. Unlike ShapedType::getElementTypeBitWidth it accepts every element
// type the compiler produces: complex numbers take two parts, index 8 bytes.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_ELEMENTBYTES_H
#define TESSERA_TRANSFORMS_ELEMENTBYTES_H

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>
#include <cstdint>

namespace tessera {

/// The size in bytes of one element of type `type` (at least 1).
inline int64_t getElementBytes(mlir::Type type) {
  if (auto complex = mlir::dyn_cast<mlir::ComplexType>(type))
    return 2 * getElementBytes(complex.getElementType());
  if (type.isIntOrFloat())
    return std::max<int64_t>(1, type.getIntOrFloatBitWidth() / 8);
  return 8;
}

} // namespace tessera

#endif // TESSERA_TRANSFORMS_ELEMENTBYTES_H
