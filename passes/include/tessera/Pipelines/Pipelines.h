//===- Pipelines.h - Named Tessera compilation pipelines --------*- C++ -*-===//
//
// The pass pipelines shared by every tool: tessc, tess-run, the REPL and
// tess-opt all lower through the same code path.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_PIPELINES_PIPELINES_H
#define TESSERA_PIPELINES_PIPELINES_H

#include "mlir/IR/DialectRegistry.h"
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
/// to the LLVM dialect: tess-expose-entries, inlining, tess -> linalg,
/// elementwise fusion, one-shot bufferization with identity-layout function
/// boundaries, ownership-based deallocation, lowering to loops, and the
/// conversions to the LLVM dialect. The result is ready for
/// mlir::translateModuleToLLVMIR.
void buildTesseraCPUPipeline(mlir::OpPassManager &pm,
                             const PipelineOptions &options);

/// Inserts into `registry` every dialect, interface model and LLVM IR
/// translation that the CPU pipeline and its translation to LLVM IR need
/// (bufferization models of arith/linalg/tensor/scf/..., the func inliner,
/// the ConvertToLLVM interfaces). Call it on the registry of any context
/// that will run buildTesseraCPUPipeline.
void registerTesseraPipelineDialects(mlir::DialectRegistry &registry);

/// Registers with the global registries, for tess-opt and textual pipelines:
/// the Tessera conversion and transformation passes and the named pipeline
/// `tessera-cpu` (option `opt-level`, default 2).
void registerTesseraPasses();

} // namespace tessera

#endif // TESSERA_PIPELINES_PIPELINES_H
