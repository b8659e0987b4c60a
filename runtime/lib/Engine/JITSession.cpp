//===- JITSession.cpp - In-process compilation of entries -----------------===//

#include "tessera/Runtime/JITSession.h"

#include "tessera/Runtime/Codegen.h"
#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/Kernels.h"

#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <dlfcn.h>
#include <omp.h>

using namespace tessera;

static_assert(sizeof(void *) == sizeof(int64_t),
              "memref descriptors are built as 64-bit words");

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

JITSession::JITSession(std::unique_ptr<llvm::orc::LLJIT> jit)
    : jit(std::move(jit)) {}

JITSession::~JITSession() = default;

llvm::Expected<std::unique_ptr<JITSession>>
JITSession::create(unsigned optLevel) {
  initializeNativeTarget();
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return machineBuilder.takeError();
  static const llvm::CodeGenOptLevel levels[] = {
      llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
      llvm::CodeGenOptLevel::Default, llvm::CodeGenOptLevel::Aggressive};
  machineBuilder->setCodeGenOptLevel(levels[std::min(optLevel, 3u)]);

  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*machineBuilder))
                 .create();
  if (!jit)
    return jit.takeError();

  // libc and libm: whatever the process has loaded, plus libm explicitly in
  // case the host program does not link it.
  llvm::orc::JITDylib &main = (*jit)->getMainJITDylib();
  char prefix = (*jit)->getDataLayout().getGlobalPrefix();
  auto process =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix);
  if (!process)
    return process.takeError();
  main.addGenerator(std::move(*process));
  if (auto libm =
          llvm::orc::DynamicLibrarySearchGenerator::Load("libm.so.6", prefix))
    main.addGenerator(std::move(*libm));
  else
    llvm::consumeError(libm.takeError());
  // The OpenMP runtime that parallel loops call (__kmpc_*): the one this
  // library is linked with, which a host that loaded it with RTLD_LOCAL (a
  // Python extension) does not show among the process's global symbols.
  Dl_info openmp;
  if (dladdr(reinterpret_cast<void *>(&omp_get_num_procs), &openmp) &&
      openmp.dli_fname) {
    if (auto libomp = llvm::orc::DynamicLibrarySearchGenerator::Load(
            openmp.dli_fname, prefix))
      main.addGenerator(std::move(*libomp));
    else
      llvm::consumeError(libomp.takeError());
  }

  // The runtime kernels that compiled code calls (Kernels.h), from this
  // library rather than from the process's dynamic symbols, which an
  // executable does not export.
  llvm::orc::MangleAndInterner mangle(main.getExecutionSession(),
                                      (*jit)->getDataLayout());
  llvm::orc::SymbolMap kernels;
  auto define = [&](llvm::StringRef name, auto *function) {
    kernels[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                             llvm::JITSymbolFlags::Exported |
                                 llvm::JITSymbolFlags::Callable};
  };
  define("tessera_gemm_f32", &tessera_gemm_f32);
  define("tessera_gemm_f64", &tessera_gemm_f64);
  define("tessera_gemm_c64", &tessera_gemm_c64);
  define("tessera_gemm_c128", &tessera_gemm_c128);
  define("tessera_fwht_f32", &tessera_fwht_f32);
  define("tessera_fwht_f64", &tessera_fwht_f64);
  define("tessera_butterfly_f32", &tessera_butterfly_f32);
  define("tessera_butterfly_f64", &tessera_butterfly_f64);
  define("tessera_butterfly_c64", &tessera_butterfly_c64);
  define("tessera_butterfly_c128", &tessera_butterfly_c128);
  define("tessera_fft_c64", &tessera_fft_c64);
  define("tessera_fft_c128", &tessera_fft_c128);
  define("tessera_rfft_f32", &tessera_rfft_f32);
  define("tessera_rfft_f64", &tessera_rfft_f64);
  define("tessera_irfft_c64", &tessera_irfft_c64);
  define("tessera_irfft_c128", &tessera_irfft_c128);
  define("tessera_causal_conv_f32", &tessera_causal_conv_f32);
  define("tessera_causal_conv_f64", &tessera_causal_conv_f64);
  define("tessera_causal_conv_c64", &tessera_causal_conv_c64);
  define("tessera_causal_conv_c128", &tessera_causal_conv_c128);
  define("tessera_fwht_length_supported", &tessera_fwht_length_supported);
  define("tessera_transpose", &tessera_transpose);
  define("tessera_ssm_discretize_f32", &tessera_ssm_discretize_f32);
  define("tessera_ssm_discretize_f64", &tessera_ssm_discretize_f64);
  define("tessera_get_num_threads", &tessera_get_num_threads);
  define("tessera_aligned_alloc", &tessera_aligned_alloc);
  define("tessera_free", &tessera_free);
  define("tessera_set_num_threads", &tessera_set_num_threads);
  if (llvm::Error error =
          main.define(llvm::orc::absoluteSymbols(std::move(kernels))))
    return std::move(error);

  return std::unique_ptr<JITSession>(new JITSession(std::move(*jit)));
}

const llvm::DataLayout &JITSession::getDataLayout() const {
  return jit->getDataLayout();
}

llvm::Expected<JITModuleHandle>
JITSession::addModule(std::unique_ptr<llvm::Module> module,
                      std::unique_ptr<llvm::LLVMContext> context) {
  if (module->getDataLayout() != jit->getDataLayout())
    return makeError("module '" + module->getModuleIdentifier() +
                     "' has data layout '" +
                     module->getDataLayout().getStringRepresentation() +
                     "' but the JIT needs '" +
                     jit->getDataLayout().getStringRepresentation() + "'");
  JITModuleHandle tracker = jit->getMainJITDylib().createResourceTracker();
  if (llvm::Error error = jit->addIRModule(
          tracker,
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    return std::move(error);
  return tracker;
}

llvm::Error JITSession::removeModule(JITModuleHandle handle) {
  if (!handle)
    return makeError("no module to remove");
  return handle->remove();
}

llvm::Expected<void *> JITSession::lookup(llvm::StringRef name) {
  auto address = jit->lookup(name);
  if (!address)
    return address.takeError();
  return address->toPtr<void *>();
}

std::vector<int64_t> tessera::makeMemRefDescriptor(const HostTensor &tensor) {
  llvm::SmallVector<int64_t, 16> descriptor;
  appendMemRefDescriptor(tensor.data(), tensor.getShape(), descriptor);
  return {descriptor.begin(), descriptor.end()};
}

namespace {

/// Checks every tensor argument before a call: it has storage and a shape
/// whose byte size fits (a HostTensor guarantees it; a checked call does not
/// rely on that).
llvm::Error checkTensorParams(const EntrySignature &sig,
                              llvm::ArrayRef<const HostTensor *> tensors) {
  unsigned next = 0;
  for (const ValueSpec &param : sig.params) {
    if (param.kind != ValueSpec::Kind::Tensor)
      continue;
    const HostTensor *tensor = tensors[next++];
    std::string what = "parameter '" + param.name + "'";
    if (!tensor->hasStorage())
      return makeError(sig.name + ": " + what + " has no data");
    if (llvm::Error error =
            checkTensorSize(what, tensor->getDType(), tensor->getShape()))
      return makeError(sig.name + ": " + llvm::toString(std::move(error)));
  }
  return llvm::Error::success();
}

/// Whether the entry `name` takes an error record after its outputs, as
/// every entry compiled by the Tessera pipeline does (docs/abi.md);
/// hand-made modules may not.
bool hasErrorRecord(JITSession &session, llvm::StringRef name) {
  auto errinfo = session.lookup((kErrorInfoPrefix + name).str());
  if (errinfo)
    return true;
  llvm::consumeError(errinfo.takeError());
  return false;
}

} // namespace

llvm::Error
tessera::invokeEntry(JITSession &session, const EntrySignature &sig,
                     llvm::ArrayRef<const HostTensor *> tensorParams,
                     llvm::ArrayRef<int64_t> indexParams,
                     llvm::MutableArrayRef<HostTensor> results) {
  if (results.size() != sig.results.size())
    return makeError(llvm::formatv("'{0}' has {1} result(s) but {2} slot(s) "
                                   "were given",
                                   sig.name, sig.results.size(),
                                   results.size()));
  size_t numTensorParams = llvm::count_if(sig.params, [](const ValueSpec &p) {
    return p.kind == ValueSpec::Kind::Tensor;
  });
  if (tensorParams.size() != numTensorParams)
    return makeError(llvm::formatv("'{0}' takes {1} tensor argument(s) but got "
                                   "{2}",
                                   sig.name, numTensorParams,
                                   tensorParams.size()));
  // Element types are not part of the compiled checks; check them here.
  std::vector<llvm::ArrayRef<int64_t>> shapes;
  for (const ValueSpec &param : sig.params) {
    if (param.kind != ValueSpec::Kind::Tensor)
      continue;
    const HostTensor *tensor = tensorParams[shapes.size()];
    if (!tensor)
      return makeError("parameter '" + param.name + "' has no tensor");
    if (tensor->getDType() != param.dtype)
      return makeError(
          llvm::formatv("parameter '{0}' of '{1}' must be {2} but is {3}",
                        param.name, sig.name, getDTypeName(param.dtype),
                        getDTypeName(tensor->getDType())));
    shapes.push_back(tensor->getShape());
  }
  if (llvm::Error error = checkTensorParams(sig, tensorParams))
    return error;
  auto bindings = bindSizes(sig, shapes, indexParams);
  if (!bindings)
    return bindings.takeError();
  auto outShapes = resultShapes(sig, *bindings);
  if (!outShapes)
    return outShapes.takeError();
  // Each result is allocated here, once; sizes come from users, so a shape
  // too large to allocate is an error rather than a fatal failure.
  for (auto [slot, spec, shape] : llvm::zip(results, sig.results, *outShapes)) {
    auto tensor = HostTensor::create(spec.dtype, shape);
    if (!tensor)
      return makeError(sig.name + ": result '" + spec.name +
                       "': " + llvm::toString(tensor.takeError()));
    slot = std::move(*tensor);
  }

  auto entry = lookupEntry(session, sig.name);
  if (!entry)
    return entry.takeError();
  std::vector<TensorView> inputs, outputs;
  for (const HostTensor *tensor : tensorParams)
    inputs.push_back({const_cast<void *>(tensor->data()), tensor->getDType(),
                      tensor->getShape()});
  for (HostTensor &tensor : results)
    outputs.push_back({tensor.data(), tensor.getDType(), tensor.getShape()});
  return callEntry(*entry, sig, inputs, indexParams, outputs);
}

llvm::Expected<CompiledEntry> tessera::lookupEntry(JITSession &session,
                                                   llvm::StringRef name) {
  auto function = session.lookup((kPackedPrefix + name).str());
  if (!function)
    return function.takeError();
  CompiledEntry entry;
  entry.packed = reinterpret_cast<void (*)(void **)>(*function);
  entry.hasErrorRecord = hasErrorRecord(session, name);
  return entry;
}
