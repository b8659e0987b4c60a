//===- SessionCommands.cpp - The REPL's `:commands` -----------------------===//
//
// Each command takes the rest of its line. Those that show code take a
// function's name (its generic code, sizes as symbols) or an expression
// (the code of the cell that computes it from the session's values, with
// their extents).
//
//===----------------------------------------------------------------------===//

#include "SessionImpl.h"

#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/Npy.h"
#include "tessera/Runtime/Printer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"

#include <chrono>

using namespace tessera;

namespace {

/// The commands, in the order :help lists them.
struct Command {
  llvm::StringLiteral name;
  llvm::StringLiteral args;
  llvm::StringLiteral help;
};

constexpr Command kCommands[] = {
    {"help", "", "this list"},
    {"type", "EXPR | FN",
     "the type of an expression, or a function's "
     "signature"},
    {"mlir", "EXPR | FN", "the tess-dialect MLIR"},
    {"lowered", "EXPR | FN", "the code lowered to MLIR's LLVM dialect"},
    {"llvm", "EXPR | FN", "LLVM IR, optimized"},
    {"asm", "EXPR | FN", "native assembly"},
    {"explain", "EXPR | FN",
     "the plan of each contraction: the pairwise "
     "order, each step's shape and cost"},
    {"time", "CELL",
     "compile once, then run repeatedly: the median time "
     "and the spread"},
    {"load", "FILE", "run the file FILE.tess as a cell"},
    {"save", "NAME FILE", "write the value NAME to the .npy file FILE"},
    {"read", "NAME FILE", "read the .npy file FILE into the value NAME"},
    {"list", "", "the definitions and values"},
    {"reset", "", "forget every definition and value"},
    {"quit", "", "leave (Ctrl-D too)"},
};

/// "1.23 ms": `seconds` in the unit that fits.
std::string formatSeconds(double seconds) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (seconds >= 1)
    os << llvm::format("%.3g s", seconds);
  else if (seconds >= 1e-3)
    os << llvm::format("%.3g ms", seconds * 1e3);
  else
    os << llvm::format("%.3g us", seconds * 1e6);
  return s;
}

/// Runs `entry` once, then repeatedly until `maxRuns` runs or `maxSeconds`
/// (at least 3 runs); the times of the repeated runs in seconds, as an f64
/// tensor.
ComputeResult timeRuns(Compiler &compiler, llvm::StringRef entry,
                       const CallArguments &args, unsigned maxRuns,
                       double maxSeconds) {
  auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
        .count();
  };
  // A first run warms the caches and the allocator.
  if (auto r = compiler.run(entry, args); !r)
    return r.takeError();
  std::vector<double> times;
  auto start = std::chrono::steady_clock::now();
  while (times.size() < 3 ||
         (times.size() < maxRuns && since(start) < maxSeconds)) {
    auto t = std::chrono::steady_clock::now();
    if (auto r = compiler.run(entry, args); !r)
      return r.takeError();
    times.push_back(since(t));
  }
  auto tensor =
      HostTensor::create(DType::F64, {static_cast<int64_t>(times.size())});
  if (!tensor)
    return tensor.takeError();
  std::copy(times.begin(), times.end(), tensor->dataAs<double>());
  std::vector<HostTensor> result;
  result.push_back(std::move(*tensor));
  return result;
}

} // namespace

llvm::ArrayRef<llvm::StringRef> tessera::getCommandNames() {
  static const std::vector<llvm::StringRef> names = [] {
    std::vector<llvm::StringRef> n;
    for (const Command &c : kCommands)
      n.push_back(c.name);
    return n;
  }();
  return names;
}

llvm::StringRef Session::getHelp() {
  static const std::string help = [] {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << "Enter definitions (fn, const), statements (x = ..., y[i] = ...) "
          "or an expression\nto print its value (kept as _). A line that "
          "leaves a cell unfinished\ncontinues on the next. Commands:\n";
    for (const Command &c : kCommands) {
      std::string usage = (":" + c.name + " " + c.args).str();
      os << "  " << llvm::left_justify(usage, 22) << c.help << "\n";
    }
    return s;
  }();
  return help;
}

namespace {

/// The commands that show a function's or an expression's code.
class CodeCommand {
public:
  CodeCommand(Session::Impl &session) : session(session) {}

  /// Prepares `arg`: a function's name, or a cell to compile. Returns false
  /// after printing errors.
  bool prepare(llvm::StringRef arg, llvm::raw_ostream *explainTo = nullptr) {
    if (const Definition *d = session.findDefinition(arg); d && d->isFunction) {
      std::vector<std::string> binds;
      ModuleText m = session.buildModule(session.closure({d->name}, {}),
                                         nullptr, "", {}, binds);
      owned = session.load(m, explainTo);
      compiler = owned.get();
      entry = d->name;
      return compiler;
    }
    std::string file = "<cell " + std::to_string(session.nextCell++) + ">";
    CellBody body{file, arg.str(), {}, {}, {}};
    std::vector<Definition> defs;
    if (!session.parseBody(body, defs))
      return false;
    if (!defs.empty()) {
      session.error("a command takes an expression or a function's name, "
                    "not a definition");
      return false;
    }
    if (explainTo) {
      // Not cached: the plan is printed while compiling.
      std::vector<std::string> binds;
      std::vector<std::string> names;
      for (const CellItem &item : body.items)
        names.insert(names.end(), item.names.begin(), item.names.end());
      entry = session.freshEntryName({});
      ModuleText m =
          session.buildModule(session.closure(names, {}), &body, entry,
                              session.valuesUsed(body), binds);
      owned = session.load(m, explainTo);
      compiler = owned.get();
      return compiler;
    }
    // Not as a direct call: the code shows the cell's own names.
    cell = session.compileBody(body, {}, nullptr);
    if (!cell)
      return false;
    compiler = cell->compiler.get();
    entry = cell->entry;
    return true;
  }

  Session::Impl &session;
  std::unique_ptr<Compiler> owned;
  CompiledCell *cell = nullptr;
  Compiler *compiler = nullptr;
  std::string entry;
};

} // namespace

Session::Status Session::Impl::typeCommand(llvm::StringRef arg) {
  if (const Definition *d = findDefinition(arg)) {
    llvm::StringRef text = d->text;
    out << (d->isFunction ? text.take_until([](char c) { return c == '{'; })
                          : text)
               .rtrim()
        << "\n";
    return Status::Done;
  }
  CodeCommand code(*this);
  if (!code.prepare(arg))
    return Status::Failed;
  const EntrySignature *sig = code.compiler->getSignature(code.entry);
  if (!sig)
    return Status::Failed;
  for (const auto &[result, bind] : llvm::zip(sig->results, code.cell->binds)) {
    std::vector<int64_t> shape;
    for (const DimSpec &d : result.dims)
      shape.push_back(d.extent);
    if (!bind.empty())
      out << bind << ": ";
    out << formatTensorType(result.dtype, shape) << "\n";
  }
  return Status::Done;
}

Session::Status Session::Impl::showCommand(EmitKind kind, llvm::StringRef arg) {
  CodeCommand code(*this);
  if (!code.prepare(arg))
    return Status::Failed;
  return code.compiler->printFunction(kind, code.entry, out) ? Status::Done
                                                             : Status::Failed;
}

Session::Status Session::Impl::explainCommand(llvm::StringRef arg) {
  std::string plan;
  llvm::raw_string_ostream planStream(plan);
  CodeCommand code(*this);
  bool ok = code.prepare(arg, &planStream) &&
            code.compiler->printFunction(EmitKind::Lowered, code.entry,
                                         llvm::nulls());
  if (!ok) {
    // The errors went to the plan's stream with the remarks.
    err << plan;
    return Status::Failed;
  }
  out << (plan.empty() ? "no contraction to plan\n" : plan);
  return Status::Done;
}

Session::Status Session::Impl::timeCommand(llvm::StringRef arg) {
  std::string file = "<cell " + std::to_string(nextCell++) + ">";
  CellBody body{file, arg.str(), {}, {}, {}};
  std::vector<Definition> defs;
  if (!parseBody(body, defs))
    return Status::Failed;
  if (!defs.empty() || body.items.empty()) {
    error(":time takes statements or an expression");
    return Status::Failed;
  }
  CellUse use = compileCell(body, {});
  CompiledCell *cell = use.cell;
  if (!cell)
    return Status::Failed;
  double compileBefore = cell->compiler->getCompileSeconds();
  unsigned maxRuns = std::max(options.maxTimedRuns, 3u);
  double maxSeconds = options.maxTimedSeconds;
  // The runs' times come back as a tensor (from a child process when
  // Ctrl-C can stop it).
  ComputeResult measured = compute(use, [&](const CallArguments &args) {
    return timeRuns(*cell->compiler, cell->entry, args, maxRuns, maxSeconds);
  });
  if (!measured) {
    error(llvm::toString(measured.takeError()));
    return Status::Failed;
  }
  double compileSeconds = cell->compiler->getCompileSeconds() - compileBefore;
  const HostTensor &t = measured->front();
  std::vector<double> times(t.dataAs<double>(),
                            t.dataAs<double>() + t.getNumElements());
  llvm::sort(times);
  out << "median " << formatSeconds(times[times.size() / 2]) << ", min "
      << formatSeconds(times.front()) << ", max " << formatSeconds(times.back())
      << " over " << times.size() << " runs";
  if (compileSeconds > 0)
    out << " (compiled in " << formatSeconds(compileSeconds) << ")";
  out << "\n";
  return Status::Done;
}

Session::Status Session::Impl::loadCommand(llvm::StringRef path) {
  auto buf = readInputFile(path, "source file");
  if (!buf) {
    err << llvm::toString(buf.takeError()) << "\n";
    return Status::Failed;
  }
  return evalCell(path, (*buf)->getBuffer(), /*isFinal=*/true);
}

Session::Status Session::Impl::saveCommand(llvm::StringRef name,
                                           llvm::StringRef path) {
  auto it = values.find(name.str());
  if (it == values.end()) {
    error("no value named '" + name + "'");
    return Status::Failed;
  }
  if (llvm::Error e = writeNpy(path, it->second)) {
    err << llvm::toString(std::move(e)) << "\n";
    return Status::Failed;
  }
  return Status::Done;
}

Session::Status Session::Impl::readCommand(llvm::StringRef name,
                                           llvm::StringRef path) {
  if (std::optional<std::string> why = whyNotAValueName(name)) {
    error(*why);
    return Status::Failed;
  }
  auto tensor = readNpy(path);
  if (!tensor) {
    err << llvm::toString(tensor.takeError()) << "\n";
    return Status::Failed;
  }
  values[name.str()] = std::move(*tensor);
  return Status::Done;
}

Session::Status Session::Impl::listCommand() {
  for (const Definition &d : definitions) {
    llvm::StringRef text = d.text;
    out << (d.isFunction ? text.take_until([](char c) { return c == '{'; })
                         : text)
               .rtrim()
        << "\n";
  }
  for (const auto &[name, value] : values)
    out << name << ": " << formatTensorType(value) << "\n";
  return Status::Done;
}

Session::Status Session::Impl::runCommand(llvm::StringRef line) {
  llvm::StringRef word, rest;
  std::tie(word, rest) = line.drop_front().split(' ');
  word = word.trim();
  rest = rest.trim();
  auto needArgs = [&](unsigned n) {
    llvm::SmallVector<llvm::StringRef, 2> parts;
    rest.split(parts, ' ', -1, /*KeepEmpty=*/false);
    if (parts.size() == n && (n || rest.empty()))
      return true;
    for (const Command &c : kCommands)
      if (c.name == word)
        error("usage: :" + c.name + " " + c.args);
    return false;
  };
  auto twoArgs = [&](auto method) {
    if (!needArgs(2))
      return Status::Failed;
    auto [a, b] = rest.split(' ');
    return (this->*method)(a.trim(), b.trim());
  };
  if (word == "help") {
    out << getHelp();
    return Status::Done;
  }
  if (word == "quit" || word == "q")
    return Status::Quit;
  if (word == "reset") {
    definitions.clear();
    values.clear();
    cache.clear();
    files.clear();
    return Status::Done;
  }
  if (word == "list")
    return listCommand();
  if (word == "save")
    return twoArgs(&Impl::saveCommand);
  if (word == "read")
    return twoArgs(&Impl::readCommand);
  std::optional<EmitKind> show =
      llvm::StringSwitch<std::optional<EmitKind>>(word)
          .Case("mlir", EmitKind::MLIR)
          .Case("lowered", EmitKind::Lowered)
          .Case("llvm", EmitKind::LLVM)
          .Case("asm", EmitKind::Assembly)
          .Default(std::nullopt);
  bool known = show || llvm::is_contained(getCommandNames(), word);
  if (!known) {
    error("unknown command ':" + word + "'; :help lists the commands");
    return Status::Failed;
  }
  if (rest.empty()) {
    needArgs(1);
    return Status::Failed;
  }
  if (show)
    return showCommand(*show, rest);
  if (word == "type")
    return typeCommand(rest);
  if (word == "explain")
    return explainCommand(rest);
  if (word == "time")
    return timeCommand(rest);
  return loadCommand(rest);
}
