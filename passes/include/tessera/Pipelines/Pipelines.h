//===- Pipelines.h - Named Tessera compilation pipelines --------*- C++ -*-===//
//
// The pass pipelines shared by every tool: tessc, tess-run, the REPL and
// tess-opt all lower through the same code path. A context that runs them
// registers its dialects with tessera::registerAllDialects
// (tessera/InitAllDialects.h).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_PIPELINES_PIPELINES_H
#define TESSERA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace tessera {

/// Knobs of the CPU pipeline.
struct PipelineOptions {
  /// 0 to 3. At 0 the pipeline skips fusion and the cleanup passes that only
  /// serve speed; every level produces the same results.
  unsigned optLevel = 2;
};

/// Adds to `pm` (anchored on builtin.module) the passes that take the front
/// end's module (func.func on tensors with `tess.entry` entries, tess ops)
/// to the LLVM dialect: tess-expose-entries, one run of MLIR's inliner (it
/// inlines func.call and tess.call alike), tess -> linalg,
/// elementwise fusion, one-shot bufferization with identity-layout function
/// boundaries, ownership-based deallocation, lowering to loops, and the
/// conversions to the LLVM dialect. The result is ready for
/// mlir::translateModuleToLLVMIR.
void buildTesseraCPUPipeline(mlir::OpPassManager &pm,
                             const PipelineOptions &options);

/// Registers the named pipeline `tessera-cpu` (option `opt-level`, default
/// 2) with the global pass registry. Called by tessera::registerAllPasses
/// (tessera/InitAllPasses.h); calling it again does nothing.
void registerTesseraCPUPipeline();

} // namespace tessera

#endif // TESSERA_PIPELINES_PIPELINES_H
