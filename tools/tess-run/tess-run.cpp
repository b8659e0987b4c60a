//===- tess-run.cpp - JIT-compile and run one Tessera function ------------===//
//
// A thin driver over tessera::Compiler::run: inputs come from .npy files or
// from a seeded generator, results are printed and/or written as .npy. Every
// flag must mean something: a size symbol the entry does not have, a size
// that contradicts an input's shape, an input given twice and a lossy dtype
// conversion (without --cast) are errors.
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/Kernels.h"
#include "tessera/Runtime/Npy.h"
#include "tessera/Runtime/Printer.h"
#include "tessera/Runtime/Random.h"
#include "tessera/Runtime/SizeExpr.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <chrono>
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
static cl::opt<bool>
    castInputs("cast",
               cl::desc("Convert --in data to the parameter's dtype even "
                        "where values change (overflow, truncation)"),
               cl::cat(category));
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
static cl::opt<std::string> saveInputsDir(
    "save-inputs",
    cl::desc("Write every input (given or generated) to DIR/NAME.npy"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::list<std::string>
    outputs("out",
            cl::desc("Write result NAME (or its position) to .npy ('-': "
                     "stdout); all --out files are written, or none"),
            cl::value_desc("NAME=PATH.npy"), cl::cat(category));
static cl::opt<bool> printResults("print", cl::desc("Print the results"),
                                  cl::cat(category));
static cl::opt<bool>
    timeRuns("time",
             cl::desc("Report the compile time and the median and spread of "
                      "repeated runs (see --repeat)"),
             cl::cat(category));
static cl::opt<unsigned> repeat("repeat",
                                cl::desc("Runs timed by --time (default 10)"),
                                cl::value_desc("N"), cl::init(10),
                                cl::cat(category));
static cl::opt<int> numThreads(
    "num-threads",
    cl::desc("Threads for the compiled code (default: TESSERA_NUM_THREADS, "
             "else every processor)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<char> optLevel("O", cl::desc("Optimization level (0-3)"),
                              cl::Prefix, cl::init('2'), cl::cat(category));

static const char *const kOverview = R"(Tessera JIT runner

Compiles one function of a .tess file and runs it on inputs read from .npy
files or generated from a seed.

Example:
  tess-run examples/matmul.tess --in a=a.npy --size N=3 --print
  tess-run examples/matmul.tess --size M=64 --size K=32 --size N=16 \
      --save-inputs inputs/ --out c=c.npy --time
)";

static int fail(const Twine &msg) {
  WithColor::error(errs(), "tess-run") << msg << "\n";
  return 1;
}

static void printVersion(raw_ostream &os) {
  os << "Tessera " TESSERA_VERSION " (LLVM " LLVM_VERSION_STRING ")\n";
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

/// `names` joined with ", ".
static std::string join(const std::vector<std::string> &names) {
  return names.empty() ? std::string("none") : llvm::join(names, ", ");
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
      std::vector<std::string> names;
      for (const ValueSpec &r : sig.results)
        names.push_back(r.name);
      fail("'" + sig.name + "' has no result '" + name +
           "' (results: " + join(names) + ", or their positions)");
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

/// The names --size may set for `sig`: its size symbols (in parameters and
/// results, plain or inside size expressions) and index parameters.
static std::set<std::string> getSizeNames(const EntrySignature &sig) {
  std::set<std::string> names;
  auto addDims = [&](const ValueSpec &v) {
    for (const DimSpec &d : v.dims) {
      if (d.isSymbol)
        names.insert(d.symbol);
      if (d.isExpr())
        for (const std::string &symbol : getSizeExprSymbols(d.expr))
          names.insert(symbol);
    }
  };
  for (const ValueSpec &p : sig.params) {
    if (p.kind == ValueSpec::Kind::Index)
      names.insert(p.name);
    addDims(p);
  }
  for (const ValueSpec &r : sig.results)
    addDims(r);
  return names;
}

/// The values of --size, each a name `sig` has.
static bool parseSizes(const EntrySignature &sig,
                       std::map<std::string, int64_t> &symbols) {
  std::set<std::string> known = getSizeNames(sig);
  for (StringRef arg : sizes) {
    StringRef name, value;
    if (!splitAssignment(arg, "size", name, value))
      return false;
    int64_t n;
    if (value.getAsInteger(10, n) || n < 0) {
      fail("--size " + name + " expects a non-negative integer, got '" + value +
           "'");
      return false;
    }
    if (!known.count(name.str())) {
      fail("--size " + arg + ": '" + sig.name +
           "' has no size symbol or index parameter '" + name +
           "' (it has: " + join({known.begin(), known.end()}) + ")");
      return false;
    }
    auto [it, inserted] = symbols.try_emplace(name.str(), n);
    if (!inserted && it->second != n) {
      fail("--size " + name + " is given twice, as " + Twine(it->second) +
           " and " + Twine(n));
      return false;
    }
  }
  return true;
}

/// `tensor`, read for parameter `p`, in `p`'s dtype: identical, converted
/// where no value changes, or (--cast) converted anyway.
static Expected<HostTensor> adoptInput(const ValueSpec &p, HostTensor tensor,
                                       StringRef path) {
  if (p.kind != ValueSpec::Kind::Tensor || tensor.getDType() == p.dtype)
    return std::move(tensor);
  auto refuse = [&](Error e, StringRef advice) {
    return createStringError(inconvertibleErrorCode(),
                             "parameter '" + p.name + "' (" + path +
                                 "): " + toString(std::move(e)) + advice);
  };
  auto converted = convertTensor(tensor, p.dtype);
  if (!converted)
    return refuse(converted.takeError(), "");
  if (!castInputs)
    if (Error e = checkLosslessConversion(tensor, p.dtype))
      return refuse(std::move(e), "; pass --cast to convert anyway");
  return std::move(*converted);
}

/// Reads the --in files into `args`, each once, binding the size symbols of
/// their shapes; a shape that contradicts a --size is an error.
static bool readInputs(const EntrySignature &sig, CallArguments &args,
                       std::map<std::string, int64_t> &symbols) {
  std::map<std::string, int64_t> given = symbols;
  std::map<std::string, std::string> sources;
  for (StringRef arg : inputs) {
    StringRef name, path;
    if (!splitAssignment(arg, "in", name, path))
      return false;
    auto param = llvm::find_if(
        sig.params, [&](const ValueSpec &p) { return p.name == name; });
    if (param == sig.params.end()) {
      std::vector<std::string> names;
      for (const ValueSpec &p : sig.params)
        names.push_back(p.name);
      fail("'" + sig.name + "' has no parameter '" + name +
           "' (parameters: " + join(names) + ")");
      return false;
    }
    auto [previous, first] = sources.try_emplace(name.str(), path.str());
    if (!first) {
      fail("parameter '" + name + "' is given twice (--in " + name + "=" +
           previous->second + " and --in " + arg + ")");
      return false;
    }
    auto tensor = readNpy(path);
    if (!tensor) {
      errs() << toString(tensor.takeError()) << "\n";
      return false;
    }
    auto adopted = adoptInput(*param, std::move(*tensor), path);
    if (!adopted) {
      fail(toString(adopted.takeError()));
      return false;
    }
    // Shapes of given inputs bind symbols for the generated ones.
    if (param->kind == ValueSpec::Kind::Tensor &&
        static_cast<size_t>(adopted->getRank()) == param->dims.size())
      for (size_t d = 0; d < param->dims.size(); ++d) {
        const DimSpec &dim = param->dims[d];
        if (!dim.isSymbol)
          continue;
        int64_t extent = adopted->getShape()[d];
        auto it = given.find(dim.symbol);
        if (it != given.end() && it->second != extent) {
          fail("--size " + dim.symbol + "=" + Twine(it->second) +
               " contradicts --in " + arg + ": its dimension " + Twine(d) +
               " (" + dim.symbol + ") is " + Twine(extent));
          return false;
        }
        symbols.try_emplace(dim.symbol, extent);
      }
    args.tensors.emplace(name.str(), std::move(*adopted));
  }
  return true;
}

/// The size symbols that generating the missing inputs of `sig` (and its
/// index parameters) needs but `symbols` does not give, in order.
static std::vector<std::string>
getMissingSizes(const EntrySignature &sig, const CallArguments &args,
                const std::map<std::string, int64_t> &symbols) {
  std::vector<std::string> missing;
  auto need = [&](const std::string &symbol) {
    if (!symbols.count(symbol) && !llvm::is_contained(missing, symbol))
      missing.push_back(symbol);
  };
  for (const ValueSpec &p : sig.params) {
    if (p.kind == ValueSpec::Kind::Index) {
      need(p.name);
      continue;
    }
    if (args.tensors.count(p.name))
      continue;
    for (const DimSpec &d : p.dims) {
      if (d.isSymbol)
        need(d.symbol);
      if (d.isExpr())
        for (const std::string &symbol : getSizeExprSymbols(d.expr))
          need(symbol);
    }
  }
  return missing;
}

/// Generates the inputs not given, in parameter order so that a seed always
/// produces the same data, and sets the index parameters.
static bool generateInputs(const EntrySignature &sig, CallArguments &args,
                           const std::map<std::string, int64_t> &symbols) {
  std::vector<std::string> missing = getMissingSizes(sig, args, symbols);
  if (!missing.empty()) {
    std::string flags;
    for (const std::string &symbol : missing)
      flags += " --size " + symbol + "=<extent>";
    fail("'" + sig.name + "' needs the size" +
         (missing.size() > 1 ? "s " : " ") + join(missing) + ": pass" + flags +
         ", or --in the inputs that have them");
    return false;
  }
  auto lookup = [&](StringRef symbol) -> std::optional<int64_t> {
    auto it = symbols.find(symbol.str());
    return it == symbols.end() ? std::nullopt
                               : std::optional<int64_t>(it->second);
  };
  RandomGenerator rng(seed);
  for (const ValueSpec &p : sig.params) {
    if (p.kind == ValueSpec::Kind::Index) {
      args.indices[p.name] = symbols.at(p.name);
      continue;
    }
    if (args.tensors.count(p.name))
      continue;
    std::vector<int64_t> shape;
    for (const DimSpec &d : p.dims) {
      if (d.isExpr()) {
        // The call checks the value and reports an invalid one in words.
        auto value = evaluateSizeExpr(d.expr, lookup);
        if (!value)
          consumeError(value.takeError());
        shape.push_back(value ? std::max<int64_t>(*value, 0) : 0);
      } else {
        shape.push_back(d.isSymbol ? symbols.at(d.symbol) : d.extent);
      }
    }
    auto t = HostTensor::create(p.dtype, shape);
    if (!t) {
      fail("cannot generate parameter '" + p.name +
           "': " + toString(t.takeError()));
      return false;
    }
    fillRandom(*t, rng);
    args.tensors.emplace(p.name, std::move(*t));
  }
  return true;
}

/// Writes each tensor to its file of `files` as .npy and commits them (all
/// or none); errors are printed.
static bool
writeFiles(AtomicOutputs &files,
           ArrayRef<std::pair<unsigned, const HostTensor *>> planned) {
  for (auto [file, tensor] : planned) {
    auto image = encodeNpy(*tensor);
    if (!image) {
      fail(toString(image.takeError()));
      return false;
    }
    auto os = files.open(file);
    if (!os) {
      errs() << toString(os.takeError()) << "\n";
      return false;
    }
    **os << *image;
  }
  if (Error e = files.commit()) {
    errs() << toString(std::move(e)) << "\n";
    return false;
  }
  return true;
}

/// Writes every tensor input to `dir`/NAME.npy (all or none).
static bool saveInputs(const EntrySignature &sig, const CallArguments &args,
                       StringRef dir) {
  if (!sys::fs::is_directory(dir)) {
    errs() << dir << ": error: --save-inputs needs an existing directory\n";
    return false;
  }
  AtomicOutputs files;
  files.addInput(inputFile);
  for (StringRef arg : inputs)
    files.addInput(arg.split('=').second);
  std::vector<std::pair<unsigned, const HostTensor *>> planned;
  for (const ValueSpec &p : sig.params) {
    auto it = args.tensors.find(p.name);
    if (it == args.tensors.end())
      continue;
    SmallString<128> path(dir);
    sys::path::append(path, p.name + ".npy");
    planned.emplace_back(files.add(path, "input '" + p.name + "'"),
                         &it->second);
  }
  if (Error e = files.check()) {
    errs() << toString(std::move(e)) << "\n";
    return false;
  }
  return writeFiles(files, planned);
}

/// Runs the entry (repeatedly under --time) and returns the first results.
static Expected<std::vector<HostTensor>> runTimed(Compiler &compiler,
                                                  const EntrySignature &sig,
                                                  const CallArguments &args) {
  auto results = compiler.run(sig.name, args);
  if (!results || !timeRuns)
    return results;
  std::vector<double> times;
  for (unsigned i = 0; i < std::max(repeat.getValue(), 1u); ++i) {
    auto start = std::chrono::steady_clock::now();
    auto again = compiler.run(sig.name, args);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
    if (!again)
      return again.takeError();
  }
  std::sort(times.begin(), times.end());
  double median =
      times.size() % 2
          ? times[times.size() / 2]
          : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
  errs() << format("compile: %.1f ms\n", compiler.getCompileSeconds() * 1e3)
         << format("run: median %.3f ms, min %.3f ms, max %.3f ms (%zu runs)\n",
                   median, times.front(), times.back(), times.size());
  return results;
}

/// Writes the --out files (all or none) and prints the results.
static bool deliverResults(const EntrySignature &sig,
                           ArrayRef<HostTensor> results, AtomicOutputs &files,
                           ArrayRef<std::pair<unsigned, unsigned>> pairs) {
  // NumPy has no bfloat16: such results are written as f32, exactly.
  std::vector<HostTensor> widened;
  widened.reserve(pairs.size()); // Never reallocated: planned points into it.
  std::vector<std::pair<unsigned, const HostTensor *>> planned;
  for (auto [file, result] : pairs) {
    const HostTensor *tensor = &results[result];
    if (tensor->getDType() == DType::BF16) {
      auto f32 = convertTensor(*tensor, DType::F32);
      if (!f32) {
        fail(toString(f32.takeError()));
        return false;
      }
      widened.push_back(std::move(*f32));
      tensor = &widened.back();
      WithColor::note(errs(), "tess-run")
          << "result '" << sig.results[result].name
          << "' is bf16, which .npy cannot hold: written as f32 (exactly)\n";
    }
    planned.emplace_back(file, tensor);
  }
  if (!writeFiles(files, planned))
    return false;
  if (printResults || pairs.empty())
    for (size_t i = 0; i < results.size(); ++i)
      outs() << sig.results[i].name << ": " << formatTensorType(results[i])
             << "\n"
             << formatTensor(results[i]) << "\n";
  return true;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(argc, argv, kOverview);
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
    std::vector<std::string> names;
    for (const EntrySignature &s : sigs)
      names.push_back(s.name);
    return fail("no function named '" + entryName +
                "' (available: " + join(names) + ")");
  }

  compiler.compileOnly(sig->name);

  // Every --out destination is checked before anything is read or run; the
  // results are written all or none.
  std::map<std::string, int64_t> symbols;
  AtomicOutputs outputFiles;
  std::vector<std::pair<unsigned, unsigned>> outputResults; // (file, result)
  CallArguments args;
  if (!parseSizes(*sig, symbols) ||
      !planOutputs(*sig, outputFiles, outputResults) ||
      !readInputs(*sig, args, symbols) || !generateInputs(*sig, args, symbols))
    return 1;
  if (!saveInputsDir.empty() && !saveInputs(*sig, args, saveInputsDir))
    return 1;

  auto results = runTimed(compiler, *sig, args);
  if (!results)
    return fail(toString(results.takeError()));
  return deliverResults(*sig, *results, outputFiles, outputResults) ? 0 : 1;
}
