//===- tessc.cpp - The Tessera ahead-of-time compiler ---------------------===//
//
// A thin driver over tessera::Compiler: parse the command line, load the file,
// emit the requested artifact.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::OptionCategory category("tessc options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.tess>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file ('-': stdout)"),
                                       cl::value_desc("path"),
                                       cl::cat(category));
static cl::opt<tessera::EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(tessera::EmitKind::Object),
    cl::values(
        clEnumValN(tessera::EmitKind::AST, "ast", "the parsed syntax tree"),
        clEnumValN(tessera::EmitKind::MLIR, "mlir", "the tess-dialect module"),
        clEnumValN(tessera::EmitKind::Lowered, "lowered",
                   "the module lowered to MLIR's LLVM dialect"),
        clEnumValN(tessera::EmitKind::LLVM, "llvm", "LLVM IR"),
        clEnumValN(tessera::EmitKind::Assembly, "asm", "native assembly"),
        clEnumValN(tessera::EmitKind::Object, "obj", "an object file"),
        clEnumValN(tessera::EmitKind::Library, "lib",
                   "a shared library and its C header")),
    cl::cat(category));
static cl::opt<char> optLevel("O", cl::desc("Optimization level (0-3)"),
                              cl::Prefix, cl::init('2'), cl::cat(category));
static cl::opt<bool>
    verifyDiagnostics("verify-diagnostics",
                      cl::desc("Check expected-error annotations in the "
                               "source instead of printing diagnostics"),
                      cl::cat(category));
static cl::opt<bool>
    mlirTiming("mlir-timing",
               cl::desc("Print the time spent in each phase and pass of "
                        "the compilation (to stderr)"),
               cl::cat(category));

static cl::list<std::string>
    sizeHints("size-hint",
              cl::desc("Plan contractions for size symbol NAME = N "
                       "(repeatable; others are assumed to be 64)"),
              cl::value_desc("NAME=N"), cl::cat(category));
static cl::opt<bool>
    explain("explain",
            cl::desc("Print the pairwise order planned for each "
                     "contraction, with each step's shape and cost"),
            cl::cat(category));

/// The default output path for `kind` when -o is not given.
static std::string defaultOutput(tessera::EmitKind kind, StringRef input) {
  SmallString<128> stem = sys::path::stem(input);
  switch (kind) {
  case tessera::EmitKind::Object:
    return (stem + ".o").str();
  case tessera::EmitKind::Library:
    return ("lib" + stem + ".so").str();
  default:
    return "-";
  }
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Tessera compiler\n");
  if (optLevel < '0' || optLevel > '3') {
    WithColor::error(errs(), "tessc")
        << "invalid optimization level -O" << optLevel << " (use -O0..-O3)\n";
    return 1;
  }
  tessera::CompilerOptions options;
  options.optLevel = optLevel - '0';
  options.verifyDiagnostics = verifyDiagnostics;
  options.stopAfterParse = emitKind == tessera::EmitKind::AST;
  options.timing = mlirTiming;
  options.explain = explain;
  for (const std::string &hint : sizeHints)
    if (Error e = tessera::addSizeHint(options, hint)) {
      WithColor::error(errs(), "tessc") << toString(std::move(e)) << "\n";
      return 1;
    }
  tessera::Compiler compiler(options);
  bool ok = compiler.loadFile(inputFile);
  if (verifyDiagnostics)
    return ok ? 0 : 1;
  if (!ok)
    return 1;
  std::string out = outputFile.empty() ? defaultOutput(emitKind, inputFile)
                                       : std::string(outputFile);
  return compiler.emit(emitKind, out) ? 0 : 1;
}
