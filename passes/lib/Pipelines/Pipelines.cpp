//===- Pipelines.cpp - Named Tessera compilation pipelines ----------------===//

#include "tessera/Pipelines/Pipelines.h"

#include "tessera/Conversion/Passes.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ComplexToLLVM/ComplexToLLVM.h"
#include "mlir/Conversion/ComplexToStandard/ComplexToStandard.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToFuncs/MathToFuncs.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <mutex>

using namespace mlir;

namespace tessera {

/// Tess ops -> linalg on tensors, fused; then the exported entries.
static void addTensorPasses(OpPassManager &pm, const PipelineOptions &options) {
  bool optimize = options.optLevel > 0;
  // Front-end cleanup, then one run of the inliner for the calls between
  // functions (tess.call: CallOpInterface, with the tess dialect's inliner
  // interface), so that every function is one flat body.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createInlinerPass());
  // Recurrences are classified, split into tiles of their channels that
  // run on the threads, then become loops over their scan axis whose steps
  // are contractions over the tile's channels.
  pm.addPass(createSSMClassifyRecurrencesPass());
  // Matrix states with rank-1 updates (linear attention, Mamba-2) first
  // become LASP's chunks: matrix products and a short scan over chunks.
  pm.addPass(createSSMChunkRankOneScansPass());
  // Long linear scans of too few channels to fill the threads run as
  // chunks along the scan axis (from 4 threads; one chunk below).
  pm.addPass(createSSMChunkScansPass());
  pm.addPass(createSSMTileScansPass());
  // Slice recurrences (dense and block-diagonal transitions) run their
  // independent channels in parallel, one sequential loop each.
  pm.addPass(createSSMParallelizeRecurrencesPass());
  pm.addPass(createConvertSSMToTess());
  // Block-diagonal and Monarch transforms become block products, planned
  // and mapped to kernels with the other contractions.
  pm.addPass(createConvertStructuredToTess());

  // Costly parts of a contraction that depend on only some of its loops
  // are computed once, over those loops. Products of three or more tensors
  // become trees of pairwise contractions, planned for the known sizes;
  // invariant factors move out of the sums.
  if (optimize) {
    pm.addNestedPass<func::FuncOp>(
        createTessHoistInvariantSubexpressionsPass());
    TessPlanContractionsPassOptions planOptions;
    for (const auto &[name, extent] : options.sizeHints)
      planOptions.sizeHints.push_back(name + "=" + std::to_string(extent));
    planOptions.explain = options.explainContractions;
    pm.addPass(createTessPlanContractionsPass(planOptions));
    pm.addPass(createCanonicalizerPass());
  }

  // tess ops -> linalg on tensors.
  pm.addPass(createConvertTessToLinalg());
  // Elementwise arith/math on whole tensors becomes linalg.generic, which
  // bufferization and fusion understand.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());

  if (optimize) {
    OpPassManager &funcPM = pm.nest<func::FuncOp>();
    // MLIR's elementwise fusion, with a bound on the fused body so that a
    // long chain of statements fuses in linear time.
    funcPM.addPass(createFuseElementwisePass());
    // On tensors, so that no operand aliases another yet.
    funcPM.addPass(createTessReorderReductionLoopsPass());
    // Row-normalizing chains (softmax between attention's contractions) run
    // per block of rows, in parallel; the chain's intermediates stay in
    // cache.
    funcPM.addPass(createTessFuseRowBlocksPass());
    // Reductions over rows run by blocks of columns, in parallel.
    pm.addPass(createTessBlockColumnReductionsPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // The exported entries: each tess.entry function becomes a private
  // implementation behind its wrapper, which the inliner inlines into the
  // wrapper's size-check `scf.if`; symbol-dce leaves one function per entry.
  // This comes after the tensor-level rewrites on purpose: the greedy
  // rewriter revisits the ancestors of every op it changes, and each visit
  // of an `scf.if` holding a whole body walks all of it, so rewriting
  // inside it is quadratic in the length of the function.
  pm.addPass(createTessExposeEntriesPass());
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  // Structured transforms -> kernel calls and gathers. After the inliner:
  // the buffer and LLVM ops of a kernel call have no inliner interface, and
  // would keep an implementation out of its entry (and its allocations out
  // of the entry's checks). The dense discretization of linear systems
  // likewise.
  pm.addPass(createConvertStructuredToKernels());
  pm.addPass(createConvertSSMToKernels());
}

/// Tensors -> buffers, every temporary freed after its last use.
static void addBufferizationPasses(OpPassManager &pm, bool optimize) {
  // Function boundaries get identity layouts so that the exported memref
  // descriptors are plain dense row-major arrays.
  // No eliminate-empty-tensors: after CSE one tensor.empty can feed several
  // results, and eliminating it into one entry output (a `restrict`
  // destination) let another result share that buffer and be overwritten
  // (two scalar reductions returned the same value). Results are computed in
  // temporaries and copied into the outputs instead. An init shared by many
  // destinations is copied for each few of them, which keeps one-shot
  // bufferization's analysis linear.
  // Each step of a loop that builds a tensor slice by slice (recurrences)
  // writes its slice in place.
  pm.addNestedPass<func::FuncOp>(createTessWriteLoopStepsInPlacePass());
  pm.addPass(createSplitSharedInitsPass());
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  // Blocks of rows (tess-fuse-row-blocks) are parallel loops on buffers.
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createCanonicalizerPass());
  // Results straight into the caller's buffers where that is unobservable.
  if (optimize)
    pm.addNestedPass<func::FuncOp>(createResultsInPlacePass());
  if (optimize) {
    OpPassManager &funcPM = pm.nest<func::FuncOp>();
    funcPM.addPass(bufferization::createBufferHoistingPass());
    funcPM.addPass(bufferization::createBufferLoopHoistingPass());
  }
  // Every allocation gets freed; nothing allocated escapes an entry because
  // results are written into caller-owned buffers. The allocation checks
  // come first so that error paths free what was allocated (see Passes.td).
  // Then bufferization::buildBufferDeallocationPipeline with
  // tess-split-deallocs before the simplification, which is quadratic in the
  // buffers that one dealloc frees.
  pm.addPass(createTessCheckAllocationsPass());
  pm.addPass(memref::createExpandReallocPass(
      memref::ExpandReallocPassOptions{/*emitDeallocs=*/false}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSplitDeallocsPass());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Those deallocations sit at the end of their block: free each temporary
  // after its last use instead, so that neither peak memory nor the live
  // ranges LLVM allocates registers over grow with the program.
  pm.addPass(createDeallocAfterLastUsePass());
}

/// Buffers -> loops -> control flow.
static void addLoopPasses(OpPassManager &pm, bool optimize) {
  // GEMM-shaped contractions call the runtime's packed, vectorized and
  // threaded kernels (at every level, so all levels compute alike).
  pm.addPass(createTessContractionsToKernelsPass());
  pm.addPass(createTessLowerStridedCopiesPass());
  // Transposing copies call the runtime's register-blocked kernel.
  pm.addPass(createTessTransposesToKernelsPass());
  pm.addNestedPass<func::FuncOp>(createTessGuardEmptyDomainsPass());
  // Floating-point reductions may keep vector partial sums (Passes.td).
  pm.addNestedPass<func::FuncOp>(createTessReassociateReductionsPass());
  // Parallel dimensions become scf.parallel loops (the outermost of each
  // nest runs on the threads, see below); at -O0 everything is scf.for.
  if (optimize) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    pm.addNestedPass<func::FuncOp>(createTessSerializeNestedParallelPass());
  } else {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  }
  pm.addPass(createLowerAffinePass());
  if (optimize) {
    pm.addPass(createLoopInvariantCodeMotionPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // Long functions become several, for LLVM's sake (see Pipelines.h).
  pm.addPass(createSplitLongFunctionsPass());
  // The outermost parallel loops fork OpenMP threads (libomp), as many as
  // tessera_get_num_threads() says, when they do enough work.
  if (optimize) {
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addPass(createTessConfigureParallelRegionsPass());
  }
  pm.addPass(createSCFToControlFlowPass());
}

/// Everything -> LLVM dialect.
static void addLLVMPasses(OpPassManager &pm) {
  // Complex and arith expansions first, since they produce math and arith
  // ops; math that has no LLVM intrinsic becomes a libm call.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertComplexToStandardPass());
  // bf16 <-> f32 conversions become integer code rather than calls to
  // compiler-rt helpers that a JIT process may not have.
  // Arithmetic and math on f16/bf16 compute in f32 (x86 has no bf16 ALU and
  // LLVM would otherwise call __truncsfbf2 from compiler-rt).
  pm.addPass(math::createMathExtendToSupportedTypes());
  arith::ArithEmulateUnsupportedFloatsOptions emulateOptions;
  emulateOptions.sourceTypeStrs = {"bf16"};
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulateOptions));
  // arith-expand, but max/min stay whole so that their reductions vectorize.
  pm.addPass(createTessExpandArithPass());
  // f32 exp, log, tanh, erf, ... become polynomials that LLVM vectorizes.
  pm.addPass(createTessApproximateMathPass());
  pm.addPass(createConvertMathToFuncs());
  // log1p stays a libm call: LLVM has no intrinsic for it, and the default
  // expansion log(1 + x) loses all precision for small x (softplus of
  // negative inputs).
  ConvertMathToLLVMPassOptions mathOptions;
  mathOptions.approximateLog1p = false;
  pm.addPass(createConvertMathToLLVMPass(mathOptions));
  pm.addPass(createConvertMathToLibmPass());
  // aligned_alloc rather than malloc and rounding the address up: a pointer
  // rebuilt from an integer has no provenance, and LLVM could then not tell
  // a temporary from the arguments (the loop vectorizer gives up on a loop
  // nest whose alias checks it cannot hoist, such as a convolution's).
  // (The calls go to the runtime's allocator after LLVM's optimizations:
  // tessera::optimizeLLVMModule.)
  FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
  memrefOptions.useAlignedAlloc = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  pm.addPass(createConvertComplexToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createNoAliasOutputsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

} // namespace tessera

void tessera::buildTesseraCPUPipeline(OpPassManager &pm,
                                      const PipelineOptions &options) {
  bool optimize = options.optLevel > 0;
  addTensorPasses(pm, options);
  addBufferizationPasses(pm, optimize);
  addLoopPasses(pm, optimize);
  addLLVMPasses(pm);
}

namespace {
/// Command-line options of the registered `tessera-cpu` pipeline.
struct TesseraCPUPipelineCLOptions
    : public PassPipelineOptions<TesseraCPUPipelineCLOptions> {
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level, 0 to 3"),
                            llvm::cl::init(2)};
};
} // namespace

void tessera::registerTesseraCPUPipeline() {
  // Registering a pipeline name twice is a fatal error; tools and tests may
  // both call this.
  static std::once_flag once;
  std::call_once(once, [] {
    registerScalingPasses();
    registerEntryOutputsPasses();
    registerSplitLongFunctionsPass();
    PassPipelineRegistration<TesseraCPUPipelineCLOptions>(
        "tessera-cpu",
        "Lower a Tessera module (tess/linalg on tensors) to the LLVM dialect "
        "with exported C entries",
        [](OpPassManager &pm, const TesseraCPUPipelineCLOptions &cl) {
          PipelineOptions options;
          options.optLevel = std::min<unsigned>(cl.optLevel, 3);
          buildTesseraCPUPipeline(pm, options);
        });
  });
}
