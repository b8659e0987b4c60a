//===- Codegen.cpp - LLVM dialect to machine code -------------------------===//

#include "tessera/Runtime/Codegen.h"

#include "tessera/Runtime/EntryABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <dlfcn.h>
#include <mutex>

using namespace tessera;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

void tessera::initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
tessera::createHostTargetMachine(unsigned optLevel) {
  initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no LLVM target for host triple " + triple.str() + ": " +
                     error);
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.getKey(), feature.getValue());
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(), options,
      llvm::Reloc::PIC_, std::nullopt, getCodeGenOptLevel(optLevel)));
  if (!machine)
    return makeError("cannot create a target machine for " + triple.str());
  return std::move(machine);
}

std::vector<std::string> tessera::addPackedEntryWrappers(llvm::Module &module) {
  std::vector<llvm::Function *> interfaces;
  for (llvm::Function &function : module)
    if (!function.isDeclaration() &&
        function.getName().starts_with(kCInterfacePrefix))
      interfaces.push_back(&function);

  std::vector<std::string> names;
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *ptrType = llvm::PointerType::getUnqual(context);
  for (llvm::Function *callee : interfaces) {
    std::string name =
        callee->getName().drop_front(kCInterfacePrefix.size()).str();
    std::string packedName = (kPackedPrefix + name).str();
    if (module.getFunction(packedName))
      continue;
    // The interface with the error record, where there is one.
    if (llvm::Function *errinfo =
            module.getFunction((kErrorInfoPrefix + name).str()))
      if (!errinfo->isDeclaration())
        callee = errinfo;
    auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context),
                                         {ptrType}, /*isVarArg=*/false);
    auto *packed = llvm::Function::Create(
        type, llvm::GlobalValue::ExternalLinkage, packedName, module);
    packed->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::Value *args = packed->getArg(0);
    args->setName("args");
    llvm::IRBuilder<> builder(
        llvm::BasicBlock::Create(context, "entry", packed));

    // args[i] -> i-th argument; the result goes to *args[n].
    llvm::SmallVector<llvm::Value *> operands;
    for (auto [i, param] : llvm::enumerate(callee->args())) {
      llvm::Value *slot = builder.CreateConstGEP1_64(ptrType, args, i);
      llvm::Value *address = builder.CreateLoad(ptrType, slot);
      operands.push_back(builder.CreateLoad(param.getType(), address));
    }
    llvm::CallInst *call = builder.CreateCall(callee, operands);
    if (!callee->getReturnType()->isVoidTy()) {
      llvm::Value *slot =
          builder.CreateConstGEP1_64(ptrType, args, callee->arg_size());
      builder.CreateStore(call, builder.CreateLoad(ptrType, slot));
    }
    builder.CreateRetVoid();
    names.push_back(std::move(name));
  }
  return names;
}

/// Renames each C interface `_mlir_ciface_<name>` in `names` (whose last
/// parameter is an error record pointer) to `_tess_errinfo_<name>` and adds
/// `_mlir_ciface_<name>` without that parameter, which passes null.
static void splitErrorRecordInterfaces(llvm::Module &module,
                                       llvm::ArrayRef<std::string> names) {
  for (const std::string &interfaceName : names) {
    llvm::Function *full = module.getFunction(interfaceName);
    if (!full || full->isDeclaration() || full->arg_empty() ||
        !full->getArg(full->arg_size() - 1)->getType()->isPointerTy())
      continue;
    llvm::StringRef name =
        llvm::StringRef(interfaceName).drop_front(kCInterfacePrefix.size());
    full->setName((kErrorInfoPrefix + name).str());
    llvm::FunctionType *fullType = full->getFunctionType();
    auto *type = llvm::FunctionType::get(fullType->getReturnType(),
                                         fullType->params().drop_back(),
                                         /*isVarArg=*/false);
    auto *plain = llvm::Function::Create(
        type, llvm::GlobalValue::ExternalLinkage, interfaceName, module);
    plain->copyAttributesFrom(full);
    llvm::IRBuilder<> builder(
        llvm::BasicBlock::Create(module.getContext(), "entry", plain));
    llvm::SmallVector<llvm::Value *> operands;
    for (llvm::Argument &arg : plain->args())
      operands.push_back(&arg);
    operands.push_back(llvm::ConstantPointerNull::get(
        llvm::cast<llvm::PointerType>(fullType->params().back())));
    llvm::CallInst *call = builder.CreateCall(full, operands);
    if (type->getReturnType()->isVoidTy())
      builder.CreateRetVoid();
    else
      builder.CreateRet(call);
  }
}

llvm::Expected<std::unique_ptr<llvm::Module>>
tessera::translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                           const llvm::TargetMachine &targetMachine) {
  mlir::MLIRContext *mlirContext = module.getContext();
  mlir::registerBuiltinDialectTranslation(*mlirContext);
  mlir::registerLLVMDialectTranslation(*mlirContext);
  // Parallel loops arrive as omp.parallel regions (libomp calls).
  mlir::registerOpenMPDialectTranslation(*mlirContext);

  // The C interfaces that take an error record (the pipeline marks them).
  std::vector<std::string> recordInterfaces;
  for (auto func : module.getOps<mlir::LLVM::LLVMFuncOp>())
    if (func.getName().starts_with(kCInterfacePrefix) &&
        func->hasAttr(kErrorRecordAttrName))
      recordInterfaces.push_back(func.getName().str());

  // Collect the translation's diagnostics instead of printing them.
  std::string diagnostics;
  std::unique_ptr<llvm::Module> llvmModule;
  {
    mlir::ScopedDiagnosticHandler handler(
        mlirContext, [&](mlir::Diagnostic &diag) {
          llvm::raw_string_ostream os(diagnostics);
          os << diag.getLocation() << ": " << diag << "\n";
          return mlir::success();
        });
    llvmModule = mlir::translateModuleToLLVMIR(module, context);
  }
  if (!llvmModule)
    return makeError("cannot translate the module to LLVM IR" +
                     (diagnostics.empty() ? "" : ":\n" + diagnostics));

  llvmModule->setTargetTriple(targetMachine.getTargetTriple());
  llvmModule->setDataLayout(targetMachine.createDataLayout());

  splitErrorRecordInterfaces(*llvmModule, recordInterfaces);

  // Only the C interfaces and the packed wrapper are the entry's symbols.
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration() ||
        !function.getName().starts_with(kCInterfacePrefix))
      continue;
    llvm::StringRef name =
        function.getName().drop_front(kCInterfacePrefix.size());
    if (llvm::Function *body = llvmModule->getFunction(name))
      if (!body->isDeclaration())
        body->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  addPackedEntryWrappers(*llvmModule);

  std::string verifierOutput;
  llvm::raw_string_ostream verifierStream(verifierOutput);
  if (llvm::verifyModule(*llvmModule, &verifierStream))
    return makeError("generated LLVM IR is invalid:\n" + verifierOutput);
  return llvmModule;
}

/// Points the module's calls of aligned_alloc and free at the runtime's
/// allocator (tessera_aligned_alloc, tessera_free: Kernels.h), which keeps
/// large temporaries for the next call. After the optimizations, which
/// know what aligned_alloc and free do (a call of an unknown function in
/// an OpenMP-outlined loop nest made LLVM keep a reduction's accumulator in
/// memory and the loop scalar); tessera_free also takes the C library's
/// blocks, so a call LLVM may have introduced stays correct.
static void redirectAllocations(llvm::Module &module) {
  for (auto [from, to] : {std::pair<llvm::StringRef, llvm::StringRef>{
                              "aligned_alloc", "tessera_aligned_alloc"},
                          {"free", "tessera_free"}}) {
    llvm::Function *function = module.getFunction(from);
    if (!function || !function->isDeclaration())
      continue;
    llvm::FunctionCallee target =
        module.getOrInsertFunction(to, function->getFunctionType());
    function->replaceAllUsesWith(target.getCallee());
    function->eraseFromParent();
  }
}

llvm::Error tessera::optimizeLLVMModule(llvm::Module &module,
                                        llvm::TargetMachine &targetMachine,
                                        unsigned optLevel) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  tuning.LoopInterleaving = optLevel >= 2;
  tuning.LoopUnrolling = optLevel >= 2;

  llvm::LoopAnalysisManager loopAM;
  llvm::FunctionAnalysisManager functionAM;
  llvm::CGSCCAnalysisManager cgsccAM;
  llvm::ModuleAnalysisManager moduleAM;
  llvm::PassBuilder builder(&targetMachine, tuning);
  builder.registerModuleAnalyses(moduleAM);
  builder.registerCGSCCAnalyses(cgsccAM);
  builder.registerFunctionAnalyses(functionAM);
  builder.registerLoopAnalyses(loopAM);
  builder.crossRegisterProxies(loopAM, functionAM, cgsccAM, moduleAM);

  llvm::OptimizationLevel level = llvm::OptimizationLevel::O0;
  switch (optLevel) {
  case 0:
    break;
  case 1:
    level = llvm::OptimizationLevel::O1;
    break;
  case 2:
    level = llvm::OptimizationLevel::O2;
    break;
  default:
    level = llvm::OptimizationLevel::O3;
    break;
  }
  llvm::ModulePassManager passes =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, moduleAM);
  redirectAllocations(module);

  std::string verifierOutput;
  llvm::raw_string_ostream verifierStream(verifierOutput);
  if (llvm::verifyModule(module, &verifierStream))
    return makeError("optimized LLVM IR is invalid:\n" + verifierOutput);
  return llvm::Error::success();
}

std::string tessera::printLLVMIR(const llvm::Module &module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os, /*AAW=*/nullptr);
  return text;
}

llvm::Error tessera::emitMachineCode(const llvm::Module &module,
                                     llvm::TargetMachine &targetMachine,
                                     MachineCodeKind kind,
                                     llvm::raw_pwrite_stream &os) {
  // Code generation rewrites IR in place; work on a copy.
  std::unique_ptr<llvm::Module> copy = llvm::CloneModule(module);
  copy->setDataLayout(targetMachine.createDataLayout());
  copy->setTargetTriple(targetMachine.getTargetTriple());
  llvm::legacy::PassManager passes;
  llvm::CodeGenFileType fileType = kind == MachineCodeKind::Assembly
                                       ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile;
  if (targetMachine.addPassesToEmitFile(passes, os, /*DwoOut=*/nullptr,
                                        fileType))
    return makeError("the target cannot emit this kind of file");
  passes.run(*copy);
  return llvm::Error::success();
}

llvm::Error tessera::writeMachineCodeFile(const llvm::Module &module,
                                          llvm::TargetMachine &targetMachine,
                                          MachineCodeKind kind,
                                          llvm::StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec,
                          kind == MachineCodeKind::Assembly
                              ? llvm::sys::fs::OF_Text
                              : llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot open '" + path + "': " + ec.message());
  if (llvm::Error error = emitMachineCode(module, targetMachine, kind, os))
    return error;
  os.close();
  if (os.has_error())
    return makeError("cannot write '" + path + "': " + os.error().message());
  return llvm::Error::success();
}

llvm::StringRef tessera::getClangDriverPath() { return TESSERA_CLANG_PATH; }

/// The archive of runtime kernels that goes into every shared library:
/// beside an installed Tessera (PREFIX/lib/libTesseraKernels.a, from the
/// directory of the executable or shared library this code runs in), else
/// the build tree's.
static std::string findKernelsArchive() {
  llvm::SmallVector<std::string, 2> binaries;
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&findKernelsArchive), &info) &&
      info.dli_fname && llvm::sys::path::is_absolute(info.dli_fname))
    binaries.push_back(info.dli_fname);
  binaries.push_back(llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&findKernelsArchive)));
  for (const std::string &binary : binaries) {
    llvm::StringRef dir = llvm::sys::path::parent_path(binary);
    for (llvm::StringRef relative : {"../lib", "."}) {
      llvm::SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, relative, "libTesseraKernels.a");
      if (!dir.empty() && llvm::sys::fs::is_regular_file(candidate))
        return std::string(candidate);
    }
  }
  return TESSERA_KERNELS_ARCHIVE;
}

llvm::Error tessera::linkSharedLibrary(llvm::StringRef objectPath,
                                       llvm::StringRef outPath) {
  llvm::StringRef clang = getClangDriverPath();
  // The driver's output goes to a temporary file so a failure can report it.
  llvm::SmallString<128> logPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("tessera-link", "log", logPath))
    return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeLog(logPath);

  // The runtime kernels (Kernels.h) go into the library; libomp, the
  // OpenMP runtime of their threads, is a dependency of it.
  static const std::string kernels = findKernelsArchive();
  llvm::SmallVector<llvm::StringRef> args = {
      clang, "-shared", "-o", outPath, objectPath, kernels, "-fopenmp", "-lm"};
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string executeError;
  int status = llvm::sys::ExecuteAndWait(clang, args, std::nullopt, redirects,
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &executeError);
  if (status == 0)
    return llvm::Error::success();
  std::string log;
  if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
    log = (*buffer)->getBuffer().str();
  std::string command;
  for (llvm::StringRef arg : args)
    command += (command.empty() ? "" : " ") + arg.str();
  return makeError("linking the shared library failed (" + command + ")" +
                   (executeError.empty() ? "" : ": " + executeError) +
                   (log.empty() ? "" : "\n" + log));
}
