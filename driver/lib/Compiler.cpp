//===- Compiler.cpp - The one pipeline behind every tool ------------------===//

#include "tessera/Driver/Compiler.h"

#include "tessera/Frontend/MLIRGen.h"
#include "tessera/Frontend/Parser.h"
#include "tessera/Frontend/Sema.h"
#include "tessera/InitAllDialects.h"
#include "tessera/Pipelines/Pipelines.h"
#include "tessera/Runtime/CHeader.h"
#include "tessera/Runtime/Codegen.h"
#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/EntryABI.h"
#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/JITSession.h"
#include "tessera/Transforms/EntrySignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <set>

using namespace tessera;

/// Where `map` says the text at `loc` came from.
static mlir::Location remapLocation(mlir::FileLineColLoc loc,
                                    const SourceMap &map) {
  std::optional<SourceMap::Position> pos =
      map.lookup(loc.getLine(), loc.getColumn());
  if (!pos)
    return loc;
  return mlir::FileLineColLoc::get(loc.getContext(), pos->file, pos->line,
                                   pos->col);
}

namespace {

/// Routes front-end errors into the MLIR diagnostic engine so that every
/// stage prints through one handler.
class MLIRDiagnosticSink : public DiagnosticSink {
public:
  MLIRDiagnosticSink(mlir::MLIRContext &ctx, llvm::StringRef filename,
                     const SourceMap *map)
      : ctx(ctx), file(mlir::StringAttr::get(&ctx, filename)), map(map) {}

  void note(ast::SourceLoc loc, const llvm::Twine &message) override {
    ctx.getDiagEngine().emit(getLoc(loc), mlir::DiagnosticSeverity::Note)
        << message.str();
  }

protected:
  void emitError(ast::SourceLoc loc, const llvm::Twine &message) override {
    mlir::emitError(getLoc(loc)) << message.str();
  }
  void emitWarning(ast::SourceLoc loc, const llvm::Twine &message) override {
    mlir::emitWarning(getLoc(loc)) << message.str();
  }

private:
  mlir::Location getLoc(ast::SourceLoc loc) {
    auto fileLoc = mlir::FileLineColLoc::get(file, std::max(loc.line, 1u),
                                             std::max(loc.col, 1u));
    if (!map)
      return fileLoc;
    return remapLocation(fileLoc, *map);
  }
  mlir::MLIRContext &ctx;
  mlir::StringAttr file;
  const SourceMap *map;
};

} // namespace

/// Points every location in `module` where `map` says its text came from.
static void remapLocations(mlir::ModuleOp module, const SourceMap &map) {
  mlir::AttrTypeReplacer replacer;
  replacer.addReplacement(
      [&](mlir::FileLineColLoc loc) -> std::optional<mlir::Attribute> {
        return remapLocation(loc, map);
      });
  replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/true);
}

/// The first file position in `loc`: a fused location's first that has
/// one, a call site's callee, a named location's child.
static std::optional<mlir::FileLineColLoc>
findFileLocation(mlir::Location loc) {
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(loc))
    return file;
  if (auto named = llvm::dyn_cast<mlir::NameLoc>(loc))
    return findFileLocation(named.getChildLoc());
  if (auto call = llvm::dyn_cast<mlir::CallSiteLoc>(loc))
    return findFileLocation(call.getCallee());
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location part : fused.getLocations())
      if (auto file = findFileLocation(part))
        return file;
  return std::nullopt;
}

static DiagnosticRecord::Severity
toSeverity(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return DiagnosticRecord::Severity::Error;
  case mlir::DiagnosticSeverity::Warning:
    return DiagnosticRecord::Severity::Warning;
  case mlir::DiagnosticSeverity::Note:
    return DiagnosticRecord::Severity::Note;
  case mlir::DiagnosticSeverity::Remark:
    return DiagnosticRecord::Severity::Remark;
  }
  return DiagnosticRecord::Severity::Error;
}

class Compiler::Impl {
public:
  explicit Impl(CompilerOptions opts)
      : options(opts),
        context(opts.threadPool ? mlir::MLIRContext::Threading::DISABLED
                                : mlir::MLIRContext::Threading::ENABLED) {
    if (options.threadPool)
      context.setThreadPool(*options.threadPool);
    loadAllDialects(context);
    llvm::raw_ostream &os =
        options.diagnosticStream ? *options.diagnosticStream : llvm::errs();
    if (options.verifyDiagnostics) {
      verifier = std::make_unique<mlir::SourceMgrDiagnosticVerifierHandler>(
          sourceMgr, &context, os);
    } else {
      handler = std::make_unique<mlir::SourceMgrDiagnosticHandler>(
          sourceMgr, &context, os);
    }
    // Count errors before the printing handler sees them (handlers run
    // newest first; returning failure passes the diagnostic on).
    context.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
      if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
        ++numErrors;
      return mlir::failure();
    });
    if (options.diagnosticCallback)
      context.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
        reportRecord(d, toSeverity(d.getSeverity()));
        for (const mlir::Diagnostic &note : d.getNotes())
          reportRecord(note, DiagnosticRecord::Severity::Note);
        return mlir::failure();
      });
    if (options.timing) {
      timingManager.setEnabled(true);
      timingManager.setDisplayMode(
          mlir::DefaultTimingManager::DisplayMode::Tree);
      timingManager.setOutput(mlir::createOutputStrategy(
          mlir::DefaultTimingManager::OutputFormat::Text, os));
      rootTiming = timingManager.getRootScope();
    }
  }

  ~Impl() {
    if (jitHandle)
      llvm::consumeError(jit->removeModule(jitHandle));
  }

  bool loadSource(llvm::StringRef name, std::unique_ptr<llvm::MemoryBuffer> buf,
                  const SourceMap *map = nullptr);
  bool lower();
  bool ensureJIT();

  /// Passes `d` to the diagnostic callback as a record of `severity`.
  void reportRecord(const mlir::Diagnostic &d,
                    DiagnosticRecord::Severity severity) {
    DiagnosticRecord record;
    record.severity = severity;
    if (auto loc = findFileLocation(d.getLocation())) {
      record.file = loc->getFilename().str();
      record.line = loc->getLine();
      record.column = loc->getColumn();
    }
    record.message = d.str();
    options.diagnosticCallback(record);
  }
  bool finish(bool ok) {
    if (verifier)
      return mlir::succeeded(verifier->verify());
    return ok && numErrors == 0;
  }
  llvm::raw_ostream &getDiagnosticStream() {
    return options.diagnosticStream ? *options.diagnosticStream : llvm::errs();
  }
  void error(const llvm::Twine &msg) {
    ++numErrors;
    llvm::WithColor::error(getDiagnosticStream(), "tessera") << msg << "\n";
    reportUnlocated("", msg.str());
  }
  /// Passes an error without a source position to the diagnostic callback.
  void reportUnlocated(llvm::StringRef file, llvm::StringRef message) {
    if (!options.diagnosticCallback)
      return;
    DiagnosticRecord record;
    record.file = file.str();
    record.message = message.str();
    options.diagnosticCallback(record);
  }
  /// Prints `err`: a FileError as `PATH: error: MESSAGE`, anything else as
  /// error() does. Returns false.
  bool report(llvm::Error err);

  /// The output files of emit(kind, path), checked: `main`, and for a
  /// library, `header` beside it.
  bool planOutputs(EmitKind kind, llvm::StringRef path, AtomicOutputs &outputs,
                   unsigned &main, unsigned &header);
  /// Prints the AST or a module into `os` (AST, MLIR, Lowered).
  bool printText(EmitKind kind, llvm::raw_ostream &os);
  /// The lowered module as optimized LLVM IR in `llvmContext`, for `tm`.
  llvm::Expected<std::unique_ptr<llvm::Module>>
  translateAndOptimize(llvm::LLVMContext &llvmContext, llvm::TargetMachine &tm);
  /// Lowers the module and translates it into optimized LLVM IR for the
  /// host (`llvmModule` in `llvmContext`, for `tm`); false after reporting.
  bool buildNative(llvm::LLVMContext &llvmContext,
                   std::unique_ptr<llvm::TargetMachine> &tm,
                   std::unique_ptr<llvm::Module> &llvmModule);
  /// Writes LLVM IR or assembly of the lowered module into `os`.
  bool printNative(EmitKind kind, llvm::raw_pwrite_stream &os);
  /// Writes LLVM IR, assembly, an object or a library into `outputs`.
  bool emitNative(EmitKind kind, llvm::StringRef path, AtomicOutputs &outputs,
                  unsigned main, unsigned header);

  CompilerOptions options;
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> handler;
  std::unique_ptr<mlir::SourceMgrDiagnosticVerifierHandler> verifier;
  unsigned numErrors = 0;
  std::string filename;
  /// The file loadFile read, which no output may overwrite.
  std::string inputPath;
  /// Prints its report when destroyed, after rootTiming has stopped. Both
  /// are no-ops unless options.timing.
  mlir::DefaultTimingManager timingManager;
  mlir::TimingScope rootTiming;

  std::unique_ptr<ast::Module> ast;
  std::unique_ptr<sema::Program> program;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// Read from `module` right after MLIRGen: the one source of every entry
  /// signature (C header, JIT calls, getSignatures).
  std::vector<EntrySignature> signatures;
  mlir::OwningOpRef<mlir::ModuleOp> lowered;
  /// The JIT session: ownedJIT's, or options.sharedJIT.
  JITSession *jit = nullptr;
  std::unique_ptr<JITSession> ownedJIT;
  /// The module in a shared session, removed with this Compiler.
  JITModuleHandle jitHandle;
  /// The only entry to compile (compileOnly); empty: every entry.
  std::string onlyEntry;
  /// The entries the JIT has generated code for.
  std::set<std::string> compiled;
  /// Seconds spent compiling for the JIT (see getCompileSeconds).
  double compileSeconds = 0;
};

bool Compiler::Impl::loadSource(llvm::StringRef name,
                                std::unique_ptr<llvm::MemoryBuffer> buf,
                                const SourceMap *map) {
  filename = name.str();
  llvm::StringRef text = buf->getBuffer();
  sourceMgr.AddNewSourceBuffer(std::move(buf), llvm::SMLoc());
  // The diagnostics' handler prints source lines from these.
  if (map)
    for (const auto &[file, fileText] : map->getFiles())
      sourceMgr.AddNewSourceBuffer(
          llvm::MemoryBuffer::getMemBufferCopy(fileText, file), llvm::SMLoc());
  MLIRDiagnosticSink sink(context, filename, map);
  mlir::TimingScope parseTiming = rootTiming.nest("Parse");
  ast = parseModule(text, filename, sink);
  parseTiming.stop();
  if (!ast)
    return finish(false);
  if (options.stopAfterParse)
    return finish(true);
  mlir::TimingScope semaTiming = rootTiming.nest("Sema");
  program = sema::analyze(*ast, sink);
  semaTiming.stop();
  if (!program)
    return finish(false);
  mlir::TimingScope genTiming = rootTiming.nest("MLIRGen");
  module = generateModule(context, *program);
  genTiming.stop();
  if (!module)
    return finish(false);
  if (map)
    remapLocations(*module, *map);
  mlir::FailureOr<std::vector<EntrySignature>> sigs =
      collectEntrySignatures(*module);
  if (mlir::failed(sigs)) {
    module = nullptr;
    return finish(false);
  }
  signatures = std::move(*sigs);
  return finish(true);
}

bool Compiler::Impl::lower() {
  if (lowered)
    return true;
  if (!module)
    return false;
  mlir::OwningOpRef<mlir::ModuleOp> clone = module->clone();
  // Other entries become private helpers: the pipeline's inliner and
  // symbol DCE keep those the entry calls and drop the rest.
  if (!onlyEntry.empty())
    clone->walk([&](mlir::func::FuncOp func) {
      if (func.getSymName() != onlyEntry && func->hasAttr("tess.entry")) {
        func->removeAttr("tess.entry");
        func.setPrivate();
      }
    });
  mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
  PipelineOptions popts;
  popts.optLevel = options.optLevel;
  popts.sizeHints = options.sizeHints;
  popts.explainContractions = options.explain;
  buildTesseraCPUPipeline(pm, popts);
  mlir::TimingScope pipelineTiming = rootTiming.nest("Pipeline (tessera-cpu)");
  pm.enableTiming(pipelineTiming);
  if (mlir::failed(pm.run(*clone))) {
    if (numErrors == 0)
      error("lowering '" + filename + "' failed");
    return false;
  }
  lowered = std::move(clone);
  return true;
}

bool Compiler::Impl::report(llvm::Error err) {
  llvm::handleAllErrors(
      std::move(err),
      [&](const FileError &e) {
        ++numErrors;
        llvm::WithColor::error(getDiagnosticStream(), e.getPath())
            << e.getMessage() << "\n";
        reportUnlocated(e.getPath(), e.getMessage());
      },
      [&](const llvm::ErrorInfoBase &e) { error(e.message()); });
  return false;
}

llvm::Error tessera::addSizeHint(CompilerOptions &options,
                                 llvm::StringRef hint) {
  auto [name, value] = hint.split('=');
  int64_t n;
  if (name.empty() || value.getAsInteger(10, n) || n < 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "size hint '" + hint + "' is not NAME=N with N a non-negative integer");
  options.sizeHints[name.str()] = n;
  return llvm::Error::success();
}

Compiler::Compiler(CompilerOptions options)
    : impl(std::make_unique<Impl>(options)) {}
Compiler::~Compiler() = default;

void Compiler::compileOnly(llvm::StringRef name) { impl->onlyEntry = name; }

double Compiler::getCompileSeconds() const { return impl->compileSeconds; }

unsigned Compiler::getNumErrors() const { return impl->numErrors; }

bool Compiler::loadFile(llvm::StringRef path) {
  // Bounded (kMaxInputBytes), and read as a stream when it is one.
  auto buf = readInputFile(path, "source file");
  if (!buf)
    return impl->report(buf.takeError());
  impl->inputPath = path.str();
  return impl->loadSource(path, std::move(*buf));
}

bool Compiler::loadSource(llvm::StringRef name, llvm::StringRef source,
                          const SourceMap *map) {
  return impl->loadSource(
      name, llvm::MemoryBuffer::getMemBufferCopy(source, name), map);
}

llvm::ArrayRef<EntrySignature> Compiler::getSignatures() const {
  return impl->signatures;
}

const EntrySignature *Compiler::getSignature(llvm::StringRef name) const {
  for (const EntrySignature &sig : impl->signatures)
    if (sig.name == name)
      return &sig;
  return nullptr;
}

bool Compiler::Impl::planOutputs(EmitKind kind, llvm::StringRef path,
                                 AtomicOutputs &outputs, unsigned &main,
                                 unsigned &header) {
  if (kind == EmitKind::Object && path == "-") {
    error("refusing to write an object file to stdout; use -o FILE");
    return false;
  }
  if (kind == EmitKind::Library && path == "-") {
    error("--emit=lib needs an output path (-o libNAME.so)");
    return false;
  }
  if (!inputPath.empty())
    outputs.addInput(inputPath);
  if (kind == EmitKind::Library) {
    // The linker writes the library by name: a regular file only.
    main = outputs.add(path, "shared library", AtomicOutputs::RegularFileOnly);
    llvm::SmallString<128> headerPath(path);
    llvm::sys::path::replace_extension(headerPath, "h");
    header = outputs.add(headerPath, "C header");
  } else {
    main = outputs.add(path);
  }
  if (llvm::Error e = outputs.check())
    return report(std::move(e));
  return true;
}

bool Compiler::Impl::printText(EmitKind kind, llvm::raw_ostream &os) {
  if (kind == EmitKind::AST) {
    ast::dump(*ast, os);
    return true;
  }
  if (kind == EmitKind::Lowered && !lower())
    return false;
  (kind == EmitKind::MLIR ? *module : *lowered)->print(os);
  os << "\n";
  return true;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
Compiler::Impl::translateAndOptimize(llvm::LLVMContext &llvmContext,
                                     llvm::TargetMachine &tm) {
  mlir::TimingScope translateTiming = rootTiming.nest("Translate to LLVM IR");
  auto llvmModule = translateToLLVMIR(*lowered, llvmContext, tm);
  translateTiming.stop();
  if (!llvmModule)
    return llvmModule.takeError();
  mlir::TimingScope optTiming = rootTiming.nest("LLVM optimization");
  if (llvm::Error e = optimizeLLVMModule(**llvmModule, tm, options.optLevel))
    return std::move(e);
  return llvmModule;
}

bool Compiler::Impl::buildNative(llvm::LLVMContext &llvmContext,
                                 std::unique_ptr<llvm::TargetMachine> &tm,
                                 std::unique_ptr<llvm::Module> &llvmModule) {
  if (!lower())
    return false;
  initializeNativeTarget();
  auto machine = createHostTargetMachine(options.optLevel);
  if (!machine)
    return report(machine.takeError());
  tm = std::move(*machine);
  auto translated = translateAndOptimize(llvmContext, *tm);
  if (!translated)
    return report(translated.takeError());
  llvmModule = std::move(*translated);
  return true;
}

bool Compiler::Impl::printNative(EmitKind kind, llvm::raw_pwrite_stream &os) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::unique_ptr<llvm::Module> llvmModule;
  if (!buildNative(llvmContext, tm, llvmModule))
    return false;
  if (kind == EmitKind::LLVM) {
    os << printLLVMIR(*llvmModule);
    return true;
  }
  MachineCodeKind mk = kind == EmitKind::Assembly ? MachineCodeKind::Assembly
                                                  : MachineCodeKind::Object;
  mlir::TimingScope codegenTiming = rootTiming.nest("Code generation");
  if (llvm::Error e = emitMachineCode(*llvmModule, *tm, mk, os))
    return report(std::move(e));
  return true;
}

bool Compiler::Impl::emitNative(EmitKind kind, llvm::StringRef path,
                                AtomicOutputs &outputs, unsigned main,
                                unsigned header) {
  if (kind != EmitKind::Library) {
    llvm::Expected<llvm::raw_pwrite_stream *> os = outputs.open(main);
    if (!os)
      return report(os.takeError());
    return printNative(kind, **os);
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::unique_ptr<llvm::Module> llvmModule;
  if (!buildNative(llvmContext, tm, llvmModule))
    return false;
  mlir::TimingScope codegenTiming = rootTiming.nest("Code generation");
  // Object into a temporary, link into the library's temporary, header
  // beside it; AtomicOutputs renames both into place together.
  llvm::SmallString<128> objPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("tessera", "o", objPath)) {
    error("cannot create a temporary file: " + ec.message());
    return false;
  }
  llvm::FileRemover removeObj(objPath);
  if (llvm::Error e = writeMachineCodeFile(*llvmModule, *tm,
                                           MachineCodeKind::Object, objPath))
    return report(std::move(e));
  llvm::Expected<std::string> libPath = outputs.getTemporaryPath(main);
  if (!libPath)
    return report(libPath.takeError());
  if (llvm::Error e = linkSharedLibrary(objPath, *libPath))
    return report(std::move(e));
  llvm::Expected<llvm::raw_pwrite_stream *> os = outputs.open(header);
  if (!os)
    return report(os.takeError());
  std::string libName = llvm::sys::path::stem(path).str();
  **os << generateCHeader(signatures, libName);
  return true;
}

bool Compiler::printFunction(EmitKind kind, llvm::StringRef name,
                             llvm::raw_ostream &os) {
  Impl &I = *impl;
  if (!I.module)
    return false;
  auto fn = I.module->lookupSymbol<mlir::func::FuncOp>(name);
  if (!fn || !getSignature(name)) {
    I.error("no function named '" + name + "'");
    return false;
  }
  if (kind == EmitKind::MLIR) {
    fn.print(os);
    os << "\n";
    return true;
  }
  if (!I.lowered)
    I.onlyEntry = name.str();
  if (I.onlyEntry != name) {
    I.error("'" + name + "' is not compiled: this compiler compiles only '" +
            I.onlyEntry + "'");
    return false;
  }
  if (kind == EmitKind::Lowered)
    return I.printText(kind, os);
  llvm::SmallString<0> text;
  llvm::raw_svector_ostream buffer(text);
  if (!I.printNative(kind, buffer))
    return false;
  os << text;
  return true;
}

bool Compiler::emit(EmitKind kind, llvm::StringRef path) {
  Impl &I = *impl;
  bool isText = kind == EmitKind::AST || kind == EmitKind::MLIR ||
                kind == EmitKind::Lowered;
  if (kind == EmitKind::AST ? !I.ast : !I.module)
    return false;
  // Every destination is checked before anything is compiled or written.
  AtomicOutputs outputs;
  unsigned main = 0, header = 0;
  if (!I.planOutputs(kind, path, outputs, main, header))
    return false;
  if (isText) {
    llvm::Expected<llvm::raw_pwrite_stream *> os = outputs.open(main);
    if (!os)
      return I.report(os.takeError());
    if (!I.printText(kind, **os))
      return false;
  } else if (!I.emitNative(kind, path, outputs, main, header)) {
    return false;
  }
  // Nothing is written unless everything succeeded.
  if (llvm::Error e = outputs.commit())
    return I.report(std::move(e));
  return true;
}

bool Compiler::Impl::ensureJIT() {
  if (jit)
    return true;
  if (!lower())
    return false;
  initializeNativeTarget();
  JITSession *session = options.sharedJIT;
  if (!session) {
    auto created = JITSession::create(options.optLevel);
    if (!created) {
      error(llvm::toString(created.takeError()));
      return false;
    }
    ownedJIT = std::move(*created);
    session = ownedJIT.get();
  }
  auto llvmContext = std::make_unique<llvm::LLVMContext>();
  auto tm = createHostTargetMachine(options.optLevel);
  if (!tm) {
    error(llvm::toString(tm.takeError()));
    return false;
  }
  // translateToLLVMIR adds the packed wrappers the JIT calls.
  auto llvmModule = translateAndOptimize(*llvmContext, **tm);
  if (!llvmModule) {
    error(llvm::toString(llvmModule.takeError()));
    return false;
  }
  auto handle =
      session->addModule(std::move(*llvmModule), std::move(llvmContext));
  if (!handle) {
    error(llvm::toString(handle.takeError()));
    return false;
  }
  jit = session;
  if (options.sharedJIT)
    jitHandle = *handle;
  return true;
}

llvm::Error Compiler::compile(llvm::StringRef entry) {
  Impl &I = *impl;
  // The JIT generates an entry's code on its first lookup.
  if (I.compiled.count(entry.str()))
    return llvm::Error::success();
  auto start = std::chrono::steady_clock::now();
  if (!I.ensureJIT())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "compilation of '" + I.filename +
                                       "' failed");
  if (auto address = I.jit->lookup((kPackedPrefix + entry).str()); !address)
    return address.takeError();
  I.compiled.insert(entry.str());
  I.compileSeconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return llvm::Error::success();
}

llvm::Expected<CompiledEntry>
Compiler::getCompiledEntry(llvm::StringRef entry) {
  if (!getSignature(entry))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no function named '" + entry + "'");
  if (llvm::Error e = compile(entry))
    return std::move(e);
  return lookupEntry(*impl->jit, entry);
}

llvm::Expected<std::vector<HostTensor>>
Compiler::run(llvm::StringRef entry, const CallArguments &args) {
  Impl &I = *impl;
  auto fail = [](const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
  };
  const EntrySignature *sig = getSignature(entry);
  if (!sig)
    return fail("no function named '" + entry + "'");
  if (!I.onlyEntry.empty() && entry != I.onlyEntry)
    return fail("'" + entry +
                "' is not compiled: this compiler compiles only '" +
                I.onlyEntry + "'");

  // Convert inputs to the parameter dtypes into temporaries (the caller's
  // tensors are left alone) and gather shapes.
  size_t numTensorParams = llvm::count_if(sig->params, [](const ValueSpec &p) {
    return p.kind == ValueSpec::Kind::Tensor;
  });
  std::vector<HostTensor> converted;
  // Never reallocated: tensorParams points into it.
  converted.reserve(numTensorParams);
  std::vector<const HostTensor *> tensorParams;
  std::vector<llvm::ArrayRef<int64_t>> shapes;
  std::vector<int64_t> indexValues;
  for (const ValueSpec &p : sig->params) {
    if (p.kind == ValueSpec::Kind::Index) {
      auto it = args.indices.find(p.name);
      if (it == args.indices.end())
        return fail("missing value for index parameter '" + p.name + "'");
      indexValues.push_back(it->second);
      continue;
    }
    auto it = args.tensors.find(p.name);
    if (it == args.tensors.end())
      return fail("missing value for parameter '" + p.name + "'");
    const HostTensor *t = &it->second;
    if (t->getRank() != static_cast<int64_t>(p.dims.size()))
      return fail("parameter '" + p.name + "' of '" + sig->name +
                  "' has rank " + llvm::Twine(p.dims.size()) +
                  " but the given tensor has rank " +
                  llvm::Twine(t->getRank()));
    if (t->getDType() != p.dtype) {
      auto c = convertTensor(*t, p.dtype);
      if (!c)
        return fail("parameter '" + p.name + "' expects " +
                    getDTypeName(p.dtype) +
                    " data: " + llvm::toString(c.takeError()));
      converted.push_back(std::move(*c));
      t = &converted.back();
    }
    shapes.push_back(t->getShape());
    tensorParams.push_back(t);
  }
  // Size errors are reported before anything is compiled.
  auto bindings = bindSizes(*sig, shapes, indexValues);
  if (!bindings)
    return fail(llvm::toString(bindings.takeError()));

  // The first call compiles, planning contractions for its sizes.
  if (!I.lowered)
    for (const auto &[name, extent] : *bindings)
      I.options.sizeHints.try_emplace(name, extent);
  if (llvm::Error e = compile(entry))
    return std::move(e);

  // invokeEntry allocates each result once, with the shape the signature
  // implies, and reports an allocation failure as an error.
  std::vector<HostTensor> results(sig->results.size());
  if (llvm::Error e =
          invokeEntry(*I.jit, *sig, tensorParams, indexValues, results))
    return fail(llvm::toString(std::move(e)));
  return results;
}
