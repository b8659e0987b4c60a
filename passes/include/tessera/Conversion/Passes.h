//===- Passes.h - Tessera conversion passes ---------------------*- C++ -*-===//
//
// Declares the conversion passes (see Passes.td) and
// `tessera::registerConversionPasses()`.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_PASSES_H
#define TESSERA_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"
#include "tessera/Conversion/SSMToKernels/SSMToKernels.h"
#include "tessera/Conversion/SSMToTess/SSMToTess.h"
#include "tessera/Conversion/StructuredToKernels/StructuredToKernels.h"
#include "tessera/Conversion/StructuredToTess/StructuredToTess.h"
#include "tessera/Conversion/TessToLinalg/TessToLinalg.h"

namespace tessera {

#define GEN_PASS_DECL
#include "tessera/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessera/Conversion/Passes.h.inc"

} // namespace tessera

#endif // TESSERA_CONVERSION_PASSES_H
