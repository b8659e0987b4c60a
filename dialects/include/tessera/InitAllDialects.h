//===- InitAllDialects.h - Every dialect Tessera uses -----------*- C++ -*-===//
//
// The one list of dialects, dialect interfaces and extensions that a Tessera
// MLIRContext needs: the tess dialect, the upstream dialects the front end
// emits and the CPU pipeline lowers through, their bufferization and
// deallocation models, the func inliner extension and the LLVM IR
// translations. tess-opt, the driver's context and MLIRGen all start from it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_INITALLDIALECTS_H
#define TESSERA_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace tessera {

/// Inserts into `registry` the tess dialect and every upstream dialect,
/// interface model and extension that the front end's output and the CPU
/// pipeline (buildTesseraCPUPipeline) need, including the translations of the
/// builtin and LLVM dialects to LLVM IR. Inserting twice is harmless.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Appends the registry of registerAllDialects to `context` and loads every
/// dialect in it.
void loadAllDialects(mlir::MLIRContext &context);

} // namespace tessera

#endif // TESSERA_INITALLDIALECTS_H
