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

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace tessera {

/// The largest body, in operations, that elementwise fusion creates by
/// default. Bodies of ordinary programs stay far below it (attention's
/// softmax fuses into a dozen); it bounds the cost of fusing long chains of
/// statements, which grows with the square of the fused body.
inline constexpr unsigned kDefaultMaxFusedOps = 128;

/// The most uses that tess-split-shared-inits leaves to one init.
inline constexpr unsigned kDefaultMaxInitUses = 8;

/// The most loop nests that one block keeps before
/// tess-split-long-functions outlines its runs of loop nests.
inline constexpr unsigned kDefaultMaxLoopsPerFunction = 16;

/// Knobs of the CPU pipeline.
struct PipelineOptions {
  /// 0 to 3. At 0 the pipeline skips fusion and the cleanup passes that only
  /// serve speed; every level produces the same results.
  unsigned optLevel = 2;
  /// Extents of size symbols (name -> extent) that tess-plan-contractions
  /// plans for; a symbol without one is assumed to be 64.
  std::map<std::string, int64_t> sizeHints;
  /// tess-plan-contractions emits a remark with the plan of each
  /// contraction (tessc --explain).
  bool explainContractions = false;
};

/// Adds to `pm` (anchored on builtin.module) the passes that take the front
/// end's module (func.func on tensors with `tess.entry` entries, tess ops)
/// to the LLVM dialect: MLIR's inliner for the calls between functions,
/// contraction planning (when optimizing), tess -> linalg, elementwise fusion
/// (on flat function bodies), tess-expose-entries and the inliner again (each
/// implementation into its entry), one-shot bufferization with identity-layout
/// function boundaries, ownership-based deallocation, lowering to loops, and
/// the conversions to the LLVM dialect. The result is ready for
/// mlir::translateModuleToLLVMIR.
void buildTesseraCPUPipeline(mlir::OpPassManager &pm,
                             const PipelineOptions &options);

/// Registers the named pipeline `tessera-cpu` (option `opt-level`, default
/// 2) and the passes below with the global pass registry. Called by
/// tessera::registerAllPasses (tessera/InitAllPasses.h); calling it again
/// does nothing.
void registerTesseraCPUPipeline();

/// `tess-fuse-elementwise` (on func.func): MLIR's linalg-fuse-elementwise-ops
/// (same patterns: a producer with one use fuses into its consumer), except
/// that a fusion whose body would exceed `maxFusedOps` operations is not
/// made, so that a chain of n statements fuses in O(n) rather than O(n^2).
std::unique_ptr<mlir::Pass>
createFuseElementwisePass(unsigned maxFusedOps = kDefaultMaxFusedOps);

/// `tess-split-shared-inits`: CSE makes one init serve every destination of
/// the same shape. Each op that writes into a linalg.fill on tensors gets a
/// fill of its own (cheaper than the copy bufferization would make; before
/// a GEMM it becomes the kernel's overwrite mode), and a tensor.empty with
/// more than `maxUses` uses gives each further group of `maxUses` uses its
/// own copy: one-shot bufferization analyses the uses of one init as one
/// alias set, in time quadratic in its size; small groups keep it linear
/// and keep the buffer reuse it finds between neighbours.
std::unique_ptr<mlir::Pass>
createSplitSharedInitsPass(unsigned maxUses = kDefaultMaxInitUses);

/// `tess-split-deallocs`: splits a bufferization.dealloc that retains
/// nothing and frees the results of distinct memref.alloc ops into one
/// dealloc per buffer, which buffer-deallocation-simplification would do
/// after proving pairwise that they do not alias (quadratic).
std::unique_ptr<mlir::Pass> createSplitDeallocsPass();

/// `tess-dealloc-after-last-use`: moves each memref.dealloc of a
/// memref.alloc to just after the last use of the buffer in its block, when
/// every use is a load, store, copy, dim, linalg op or view there. Ownership-
/// based deallocation frees at the end of the block; freeing early bounds
/// peak memory and the live ranges LLVM has to allocate registers over.
std::unique_ptr<mlir::Pass> createDeallocAfterLastUsePass();

/// Registers the four passes above (done by registerTesseraCPUPipeline).
void registerScalingPasses();

/// tess-results-in-place: in an exported entry, a temporary whose last use
/// copies it into an output buffer becomes that buffer (no allocation, no
/// copy). Runs after one-shot bufferization.
std::unique_ptr<mlir::Pass> createResultsInPlacePass();

/// tess-noalias-outputs: on the LLVM dialect, the aligned pointer of each
/// output of an entry becomes a `noalias` argument of the entry's body
/// (outputs overlap nothing, docs/abi.md), so that LLVM vectorizes the loops
/// writing them without run-time overlap checks.
std::unique_ptr<mlir::Pass> createNoAliasOutputsPass();

/// Registers tess-results-in-place and tess-noalias-outputs (done by
/// registerTesseraCPUPipeline).
void registerEntryOutputsPasses();

/// `tess-split-long-functions`: a block (of a function or of an scf.if) with
/// more than `maxLoopsPerFunction` loop nests is cut into runs of at most
/// that many, and each run becomes a private function with LLVM's
/// `noinline`, called in its place. LLVM's optimizer and code generator are
/// superlinear in the size of a function (InstCombine's dominating
/// conditions, loop strength reduction and register allocation walk every
/// use of the sizes that all loops share), so one function per statement
/// chain would make compile time quadratic in its length. Programs with few
/// loop nests are left alone.
std::unique_ptr<mlir::Pass> createSplitLongFunctionsPass(
    unsigned maxLoopsPerFunction = kDefaultMaxLoopsPerFunction);

/// Registers tess-split-long-functions (done by registerTesseraCPUPipeline).
void registerSplitLongFunctionsPass();

} // namespace tessera

#endif // TESSERA_PIPELINES_PIPELINES_H
