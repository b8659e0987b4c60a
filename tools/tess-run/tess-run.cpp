//===- tess-run.cpp - JIT-compile and run one Tessera function ------------===//
//
// A thin driver over tessera::Compiler::run: inputs come from .npy files or
// from a seeded generator, results are printed and/or written as .npy.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/Kernels.h"
#include "tessera/Runtime/Npy.h"
#include "tessera/Runtime/Printer.h"
#include "tessera/Runtime/Random.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

#include <set>

using namespace llvm;
using namespace tessera;

static cl::OptionCategory category("tess-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.tess>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    entryName("entry", cl::desc("Function to run (default: the last one)"),
              cl::value_desc("name"), cl::cat(category));
static cl::list<std::string>
    inputs("in", cl::desc("Read parameter NAME from a .npy file ('-': stdin)"),
           cl::value_desc("NAME=PATH.npy"), cl::cat(category));
static cl::list<std::string>
    sizes("size",
          cl::desc("Value of a size symbol (shapes of generated "
                   "inputs, index parameters)"),
          cl::value_desc("SYM=N"), cl::cat(category));
static cl::list<std::string> sizeHints(
    "size-hint",
    cl::desc("Plan contractions as if size symbol NAME were N (default: "
             "the sizes of the inputs)"),
    cl::value_desc("NAME=N"), cl::cat(category));
static cl::opt<uint64_t> seed("random",
                              cl::desc("Seed for generated inputs (default 0)"),
                              cl::value_desc("SEED"), cl::init(0),
                              cl::cat(category));
static cl::list<std::string>
    outputs("out",
            cl::desc("Write result NAME (or its position) to .npy ('-': "
                     "stdout); all --out files are written, or none"),
            cl::value_desc("NAME=PATH.npy"), cl::cat(category));
static cl::opt<bool> printResults("print", cl::desc("Print the results"),
                                  cl::cat(category));
static cl::opt<int> numThreads(
    "num-threads",
    cl::desc("Threads for the compiled code (default: TESSERA_NUM_THREADS, "
             "else every processor)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<char> optLevel("O", cl::desc("Optimization level (0-3)"),
                              cl::Prefix, cl::init('2'), cl::cat(category));

static int fail(const Twine &msg) {
  WithColor::error(errs(), "tess-run") << msg << "\n";
  return 1;
}

static bool splitAssignment(StringRef arg, StringRef flag, StringRef &name,
                            StringRef &value) {
  std::tie(name, value) = arg.split('=');
  if (name.empty() || value.empty() || !arg.contains('=')) {
    fail("--" + flag + " expects NAME=VALUE, got '" + arg + "'");
    return false;
  }
  return true;
}

/// Declares the --out files in `files` (the source and --in files as
/// inputs) and checks them; `pairs` matches each file with the number
/// of the result it receives (NAME is a result's name or position).
static bool planOutputs(const EntrySignature &sig, AtomicOutputs &files,
                        std::vector<std::pair<unsigned, unsigned>> &pairs) {
  files.addInput(inputFile);
  for (StringRef arg : inputs)
    if (arg.contains('='))
      files.addInput(arg.split('=').second);
  for (StringRef arg : outputs) {
    StringRef name, path;
    if (!splitAssignment(arg, "out", name, path))
      return false;
    int index = -1;
    for (size_t i = 0; i < sig.results.size(); ++i)
      if (sig.results[i].name == name || std::to_string(i) == name)
        index = static_cast<int>(i);
    if (index < 0) {
      std::string names;
      for (const ValueSpec &r : sig.results)
        names += (names.empty() ? "" : ", ") + r.name;
      fail("'" + sig.name + "' has no result '" + name +
           "' (results: " + names + ", or their positions)");
      return false;
    }
    pairs.emplace_back(files.add(path, "result '" + name.str() + "'"), index);
  }
  if (Error e = files.check()) {
    errs() << toString(std::move(e)) << "\n";
    return false;
  }
  return true;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Tessera JIT runner\n");
  if (optLevel < '0' || optLevel > '3')
    return fail("invalid optimization level -O" + std::string(1, optLevel) +
                " (use -O0..-O3)");

  if (numThreads < 0 || numThreads > 1024)
    return fail("invalid thread count " + Twine(int(numThreads)) +
                " (use 1..1024)");
  tessera_set_num_threads(numThreads);

  CompilerOptions options;
  options.optLevel = optLevel - '0';
  for (const std::string &hint : sizeHints)
    if (Error e = addSizeHint(options, hint))
      return fail(toString(std::move(e)));
  Compiler compiler(options);
  if (!compiler.loadFile(inputFile))
    return 1;
  ArrayRef<EntrySignature> sigs = compiler.getSignatures();
  if (sigs.empty())
    return fail("'" + inputFile + "' defines no function to run");
  const EntrySignature *sig =
      entryName.empty() ? &sigs.back() : compiler.getSignature(entryName);
  if (!sig) {
    std::string names;
    for (const EntrySignature &s : sigs)
      names += (names.empty() ? "" : ", ") + s.name;
    return fail("no function named '" + entryName + "' (available: " + names +
                ")");
  }

  // Size symbols given on the command line.
  std::map<std::string, int64_t> symbols;
  for (StringRef arg : sizes) {
    StringRef name, value;
    if (!splitAssignment(arg, "size", name, value))
      return 1;
    int64_t n;
    if (value.getAsInteger(10, n) || n < 0)
      return fail("--size " + name + " expects a non-negative integer, got '" +
                  value + "'");
    symbols[name.str()] = n;
  }

  // Every --out destination is checked before anything is read or run; the
  // results are written all or none.
  AtomicOutputs outputFiles;
  std::vector<std::pair<unsigned, unsigned>> outputResults; // (file, result)
  if (!planOutputs(*sig, outputFiles, outputResults))
    return 1;

  CallArguments args;
  std::set<std::string> paramNames;
  for (const ValueSpec &p : sig->params)
    paramNames.insert(p.name);
  auto listParams = [&] {
    std::string s;
    for (const ValueSpec &p : sig->params)
      s += (s.empty() ? "" : ", ") + p.name;
    return s.empty() ? std::string("none") : s;
  };
  for (StringRef arg : inputs) {
    StringRef name, path;
    if (!splitAssignment(arg, "in", name, path))
      return 1;
    if (!paramNames.count(name.str()))
      return fail("'" + sig->name + "' has no parameter '" + name +
                  "' (parameters: " + listParams() + ")");
    auto tensor = readNpy(path);
    if (!tensor) {
      errs() << toString(tensor.takeError()) << "\n";
      return 1;
    }
    // Shapes of given inputs bind symbols for the generated ones.
    for (const ValueSpec &p : sig->params) {
      if (p.name != name || p.kind != ValueSpec::Kind::Tensor)
        continue;
      if (static_cast<size_t>(tensor->getRank()) == p.dims.size())
        for (size_t d = 0; d < p.dims.size(); ++d)
          if (p.dims[d].isSymbol)
            symbols.try_emplace(p.dims[d].symbol, tensor->getShape()[d]);
    }
    args.tensors.emplace(name.str(), std::move(*tensor));
  }

  // Generate what was not given, in parameter order so that a seed always
  // produces the same data.
  RandomGenerator rng(seed);
  for (const ValueSpec &p : sig->params) {
    if (p.kind == ValueSpec::Kind::Index) {
      auto it = symbols.find(p.name);
      if (it == symbols.end())
        return fail("index parameter '" + p.name + "' of '" + sig->name +
                    "' needs a value: pass --size " + p.name + "=N");
      args.indices[p.name] = it->second;
      continue;
    }
    if (args.tensors.count(p.name))
      continue;
    std::vector<int64_t> shape;
    for (const DimSpec &d : p.dims) {
      if (d.isExpr()) {
        // The call checks the value and reports an invalid one in words.
        auto value = evaluateSizeExpr(d.expr, [&](StringRef symbol) {
          auto it = symbols.find(symbol.str());
          return it == symbols.end() ? std::nullopt
                                     : std::optional<int64_t>(it->second);
        });
        if (!value) {
          consumeError(value.takeError());
          for (const std::string &symbol : getSizeExprSymbols(d.expr))
            if (!symbols.count(symbol))
              return fail("cannot generate parameter '" + p.name +
                          "': the size of " + symbol +
                          " is unknown; pass --size " + symbol + "=N or --in " +
                          p.name + "=FILE.npy");
        }
        shape.push_back(value ? std::max<int64_t>(*value, 0) : 0);
        continue;
      }
      if (!d.isSymbol) {
        shape.push_back(d.extent);
        continue;
      }
      auto it = symbols.find(d.symbol);
      if (it == symbols.end())
        return fail("cannot generate parameter '" + p.name + "': the size of " +
                    d.symbol + " is unknown; pass --size " + d.symbol +
                    "=N or --in " + p.name + "=FILE.npy");
      shape.push_back(it->second);
    }
    auto t = HostTensor::create(p.dtype, shape);
    if (!t)
      return fail("cannot generate parameter '" + p.name +
                  "': " + toString(t.takeError()));
    fillRandom(*t, rng);
    args.tensors.emplace(p.name, std::move(*t));
  }

  auto results = compiler.run(sig->name, args);
  if (!results) {
    return fail(toString(results.takeError()));
  }

  for (auto [file, result] : outputResults) {
    auto image = encodeNpy((*results)[result]);
    if (!image)
      return fail("cannot write result '" + sig->results[result].name +
                  "': " + toString(image.takeError()));
    auto os = outputFiles.open(file);
    if (!os) {
      errs() << toString(os.takeError()) << "\n";
      return 1;
    }
    **os << *image;
  }
  if (Error e = outputFiles.commit()) {
    errs() << toString(std::move(e)) << "\n";
    return 1;
  }
  bool wroteAny = !outputResults.empty();
  if (printResults || !wroteAny) {
    for (size_t i = 0; i < results->size(); ++i) {
      const HostTensor &t = (*results)[i];
      outs() << sig->results[i].name << ": " << formatTensorType(t);
      outs() << "\n" << formatTensor(t) << "\n";
    }
  }
  return 0;
}
