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
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <mutex>

using namespace mlir;

void tessera::buildTesseraCPUPipeline(OpPassManager &pm,
                                      const PipelineOptions &options) {
  bool optimize = options.optLevel > 0;

  // Front-end cleanup, then the exported entries: each tess.entry function
  // becomes a private implementation behind its wrapper. One run of the
  // inliner then inlines every call, the wrappers' func.call and the
  // front end's tess.call (CallOpInterface, with the tess dialect's inliner
  // interface), so symbol-dce leaves one function per entry.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createTessExposeEntriesPass());
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());

  // tess ops -> linalg on tensors.
  pm.addPass(createConvertTessToLinalg());
  // Elementwise arith/math on whole tensors becomes linalg.generic, which
  // bufferization and fusion understand.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());

  if (optimize) {
    OpPassManager &funcPM = pm.nest<func::FuncOp>();
    funcPM.addPass(createLinalgElementwiseOpFusionPass());
    // On tensors, so that no operand aliases another yet.
    funcPM.addPass(createTessReorderReductionLoopsPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // Tensors -> buffers. Function boundaries get identity layouts so that
  // the exported memref descriptors are plain dense row-major arrays.
  // No eliminate-empty-tensors: after CSE one tensor.empty can feed several
  // results, and eliminating it into one entry output (a `restrict`
  // destination) let another result share that buffer and be overwritten
  // (two scalar reductions returned the same value). Results are computed in
  // temporaries and copied into the outputs instead.
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addPass(createCanonicalizerPass());
  if (optimize) {
    OpPassManager &funcPM = pm.nest<func::FuncOp>();
    funcPM.addPass(bufferization::createBufferHoistingPass());
    funcPM.addPass(bufferization::createBufferLoopHoistingPass());
  }
  // Every allocation gets freed; nothing allocated escapes an entry because
  // results are written into caller-owned buffers.
  pm.addPass(createTessCheckAllocationsPass()); // before deallocs: see .td
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Buffers -> loops.
  pm.addPass(createTessLowerStridedCopiesPass());
  pm.addNestedPass<func::FuncOp>(createTessGuardEmptyDomainsPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  if (optimize) {
    pm.addPass(createLoopInvariantCodeMotionPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  pm.addPass(createSCFToControlFlowPass());

  // Everything -> LLVM dialect. Complex and arith expansions first, since
  // they produce math and arith ops; math that has no LLVM intrinsic becomes
  // a libm call.
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
  arith::ArithExpandOpsPassOptions expandOptions;
  expandOptions.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expandOptions));
  pm.addPass(createConvertMathToFuncs());
  // log1p stays a libm call: LLVM has no intrinsic for it, and the default
  // expansion log(1 + x) loses all precision for small x (softplus of
  // negative inputs).
  ConvertMathToLLVMPassOptions mathOptions;
  mathOptions.approximateLog1p = false;
  pm.addPass(createConvertMathToLLVMPass(mathOptions));
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertComplexToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
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
