//===- FrontendFuzzer.cpp - libFuzzer target for the front end ------------===//
//
// Feeds arbitrary bytes to tessera::Compiler::loadSource, the entry point
// tessc and tess-run use: the parser, Sema and MLIRGen (whose module is
// verified), then the entry signatures read back from the module. Diagnostics
// go to a null stream. Most inputs end in diagnostics, which is fine; a
// crash, a sanitizer report, a leak or an inconsistent result is a bug.
//
// Built only in the sanitizer configuration (-DTESSERA_SANITIZE=...);
// docs/reliability.md says how to run it and reproduce what it finds.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tessera::CompilerOptions options;
  options.diagnosticStream = &llvm::nulls();
  tessera::Compiler compiler(options);
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
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
  return 0;
}
