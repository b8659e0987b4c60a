//===- FrontendFuzzer.cpp - libFuzzer target for the front end ------------===//
//
// Feeds arbitrary bytes to tessera::Compiler::loadSource, the entry point
// tessc and tess-run use: the parser, Sema and MLIRGen (whose module is
// verified), then the entry signatures read back from the module; and to
// tessera::parseCell, which the REPL parses each input with. Diagnostics
// go to a null stream. Most inputs end in diagnostics, which is fine; a
// crash, a sanitizer report, a leak or an inconsistent result is a bug.
//
// With TESSERA_FUZZ_LOWER=1 in the environment, every module that loads is
// also lowered to the LLVM dialect (Compiler::emit(EmitKind::Lowered), as
// `tessc --emit=lowered`), which takes the passes into the fuzzed code.
//
// Built only in the sanitizer configuration (-DTESSERA_SANITIZE=...);
// docs/reliability.md says how to run it and reproduce what it finds.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/Frontend/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

/// Counts the diagnostics of parseCell.
class CountingSink : public tessera::DiagnosticSink {
public:
  void note(tessera::ast::SourceLoc, const llvm::Twine &) override {}

protected:
  void emitError(tessera::ast::SourceLoc, const llvm::Twine &) override {}
  void emitWarning(tessera::ast::SourceLoc, const llvm::Twine &) override {}
};

/// The REPL's parse of `source` as a cell: an unfinished cell reports
/// nothing, a parsed one has items inside the source, an unparsed none.
void fuzzCell(llvm::StringRef source) {
  CountingSink sink;
  tessera::ParsedCell cell = tessera::parseCell(source, sink);
  if (cell.incomplete && (cell.ok || sink.getNumErrors())) {
    std::fprintf(stderr, "an incomplete cell reported errors\n");
    std::abort();
  }
  if (cell.ok != (!cell.incomplete && sink.getNumErrors() == 0) ||
      (!cell.ok && !cell.items.empty())) {
    std::fprintf(stderr, "parseCell's result and its errors disagree\n");
    std::abort();
  }
  for (const tessera::CellItem &item : cell.items)
    if (item.begin >= item.end || item.end > source.size()) {
      std::fprintf(stderr, "a cell item lies outside the cell\n");
      std::abort();
    }
}

/// The file lowered modules are written to; empty unless TESSERA_FUZZ_LOWER
/// is set.
std::string &getLoweredPath() {
  static std::string path;
  return path;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *lower = std::getenv("TESSERA_FUZZ_LOWER");
  if (!lower || !*lower || std::string(lower) == "0")
    return 0;
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("tess-fuzz", "mlir", path)) {
    std::fprintf(stderr, "cannot create a temporary file: %s\n",
                 ec.message().c_str());
    std::exit(1);
  }
  getLoweredPath() = path.str().str();
  std::atexit([] { llvm::sys::fs::remove(getLoweredPath()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tessera::CompilerOptions options;
  options.diagnosticStream = &llvm::nulls();
  tessera::Compiler compiler(options);
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
  fuzzCell(source);
  bool ok = compiler.loadSource("fuzz.tess", source);
  // Success and the error count must agree, and a module that loaded has a
  // signature for every function it declares.
  if (ok != (compiler.getNumErrors() == 0)) {
    std::fprintf(stderr, "loadSource returned %d with %u errors\n", ok,
                 compiler.getNumErrors());
    std::abort();
  }
  if (!ok && !compiler.getSignatures().empty()) {
    std::fprintf(stderr, "a failed load has entry signatures\n");
    std::abort();
  }
  for (const tessera::EntrySignature &sig : compiler.getSignatures()) {
    if (compiler.getSignature(sig.name) == nullptr) {
      std::fprintf(stderr, "signature '%s' cannot be looked up\n",
                   sig.name.c_str());
      std::abort();
    }
  }
  if (ok && !getLoweredPath().empty() &&
      !compiler.emit(tessera::EmitKind::Lowered, getLoweredPath()) &&
      compiler.getNumErrors() == 0) {
    std::fprintf(stderr, "lowering failed without an error\n");
    std::abort();
  }
  return 0;
}
