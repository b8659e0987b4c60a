//===- RuntimeFunctions.h - Declarations of runtime functions ---*- C++ -*-===//
//
// Declarations, in a module, of the runtime functions (runtime/include/
// tessera/Runtime/Kernels.h) that several passes call. Private to the
// Transforms library.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_RUNTIMEFUNCTIONS_H
#define TESSERA_TRANSFORMS_RUNTIMEFUNCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace tessera {

/// The declaration of `int32_t tessera_get_num_threads(void)` in `module`,
/// created on first use.
mlir::func::FuncOp getNumThreadsDecl(mlir::ModuleOp module);

/// The declaration of `int32_t tessera_fwht_length_supported(int64_t)` in
/// `module`, created on first use.
mlir::func::FuncOp getFwhtLengthSupportedDecl(mlir::ModuleOp module);

} // namespace tessera

#endif // TESSERA_TRANSFORMS_RUNTIMEFUNCTIONS_H
