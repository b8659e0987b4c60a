//===- SessionImpl.h - The state behind tessera::Session --------*- C++ -*-===//
//
// Private to driver/lib. Session.cpp runs cells, DirectCalls.cpp finds the
// cells that only call a function; SessionCommands.cpp runs the `:commands`.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DRIVER_LIB_SESSIONIMPL_H
#define TESSERA_DRIVER_LIB_SESSIONIMPL_H

#include "tessera/Driver/Compiler.h"
#include "tessera/Driver/Session.h"
#include "tessera/Frontend/Parser.h"
#include "tessera/Runtime/Interruptible.h"
#include "tessera/Runtime/JITSession.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ThreadPool.h"

#include <map>
#include <optional>
#include <set>

namespace tessera {

/// A source put together from pieces of cells and files, with the SourceMap
/// that points its positions back at them.
class ModuleText {
public:
  /// Appends text of the module's own (a header, a `return`); positions in
  /// it are reported at `file`:`line`:`col`.
  void appendOwn(llvm::StringRef s, llvm::StringRef file, unsigned line,
                 unsigned col);
  /// Appends `s`, which is the text of `file` from `line`:`col` on.
  void appendCopy(llvm::StringRef s, llvm::StringRef file, unsigned line,
                  unsigned col);
  const std::string &getText() const { return text; }
  SourceMap &getMap() { return map; }

private:
  void advance(llvm::StringRef s);
  std::string text;
  unsigned line = 1, col = 1;
  SourceMap map;
};

/// A `fn` or `const` definition the session holds.
struct Definition {
  std::string name;
  bool isFunction = false;
  /// Where its text is: a cell (`<cell 3>`) or a file, from line:col on.
  std::string file;
  unsigned line = 1, col = 1;
  std::string text;
  /// The identifiers it spells: the definitions it may use.
  std::vector<std::string> names;
};

/// A cell's statements and expressions as an entry function, compiled.
struct CompiledCell {
  std::unique_ptr<Compiler> compiler;
  std::string entry;
  /// The entry's parameters.
  std::vector<std::string> params;
  /// What each result binds: a value's name, or "" for an expression's.
  std::vector<std::string> binds;
  /// The definitions it was compiled with: name -> text.
  std::map<std::string, std::string> uses;
  uint64_t lastUse = 0;
};

/// A compiled cell and what one use of it passes and binds (a cached direct
/// call serves cells with other names).
struct CellUse {
  CompiledCell *cell = nullptr;
  /// The session value given to each of the entry's parameters.
  std::vector<std::string> arguments;
  /// What each result binds: a value's name, or "" for a value to print.
  std::vector<std::string> binds;
};

/// The body of a cell entry: its statements and bare expressions, each
/// with the text of `file` it was written in.
struct CellBody {
  std::string file;
  std::string fileText;
  std::vector<CellItem> items;
  /// Names in the text that stand for session values of other names (a
  /// direct call's arguments): name -> value.
  std::map<std::string, std::string> arguments;
  /// For a direct call in canonical names, what each result binds for the
  /// cell it stands for: a value's name, or "" for a value to print.
  std::vector<std::string> bindAs;

  /// The session value that `name` in the text stands for.
  const std::string &valueOf(const std::string &name) const {
    auto it = arguments.find(name);
    return it == arguments.end() ? name : it->second;
  }
};

class Session::Impl {
public:
  explicit Impl(SessionOptions options);

  Status eval(llvm::StringRef input, bool isFinal);
  /// Runs the cell `text` named `file`.
  Status evalCell(llvm::StringRef file, llvm::StringRef text, bool isFinal);
  /// Runs a `:command` line.
  Status runCommand(llvm::StringRef line);

  /// Parses `body.fileText` (the text of `body.file`) into `body.items`
  /// and the definitions `defs`. False after printing errors, or, unless
  /// `isFinal`, when the text is unfinished (then `*incomplete` is set).
  bool parseBody(CellBody &body, std::vector<Definition> &defs,
                 bool isFinal = true, bool *incomplete = nullptr);

  /// Why `name` cannot name a value (a definition's name, also among
  /// `defining`; the REPL's own names; a built-in or dtype); nullopt if it
  /// can.
  std::optional<std::string>
  whyNotAValueName(llvm::StringRef name,
                   const std::set<std::string> &defining = {}) const;

  // Commands (SessionCommands.cpp).

  Status typeCommand(llvm::StringRef arg);
  Status showCommand(EmitKind kind, llvm::StringRef arg);
  Status explainCommand(llvm::StringRef arg);
  Status timeCommand(llvm::StringRef arg);
  Status loadCommand(llvm::StringRef path);
  Status saveCommand(llvm::StringRef name, llvm::StringRef path);
  Status readCommand(llvm::StringRef name, llvm::StringRef path);
  Status listCommand();

  // Definitions.

  /// The definitions named in `names`, and those they name, transitively,
  /// with `extra` (not yet committed) in place of the session's of the same
  /// name; in the session's order, then `extra`'s.
  std::vector<const Definition *>
  closure(const std::vector<std::string> &names,
          const std::vector<Definition> &extra) const;
  /// Replaces or adds `defs`; drops the values and the compiled cells they
  /// shadow or change.
  void commit(std::vector<Definition> defs);
  const Definition *findDefinition(llvm::StringRef name) const;

  // Cells.

  /// The session values `body` names, in order of first use.
  std::vector<std::string> valuesUsed(const CellBody &body) const;
  /// The module of `defs` and, if `body` has items, the entry `entry` for
  /// them. `binds` receives what each result binds.
  ModuleText buildModule(llvm::ArrayRef<const Definition *> defs,
                         const CellBody *body, llvm::StringRef entry,
                         const std::vector<std::string> &params,
                         std::vector<std::string> &binds) const;
  /// A compiler for `text`, front end run; null after printing errors
  /// (into `diagnostics`, default the session's error stream). With
  /// `explainTo`, it prints the contraction plans there (and its
  /// diagnostics).
  std::unique_ptr<Compiler> load(ModuleText &text,
                                 llvm::raw_ostream *explainTo = nullptr,
                                 llvm::raw_ostream *diagnostics = nullptr);
  /// A name for a cell's entry that no definition has (`repl_cell_N`).
  std::string freshEntryName(const std::vector<Definition> &defs);
  /// A cell that only calls a function with values as its arguments (`f(x,
  /// y)`, `z = f(x)`, `a, b = f(x)`), as the same call in canonical names
  /// (`repl_out_0 = f(repl_arg_0, repl_arg_1)`): compiled once for every
  /// such cell with the same function and argument types, whatever its
  /// names. nullopt for any other cell.
  std::optional<CellBody> asDirectCall(const CellBody &body) const;
  /// compileCell without the direct-call path; errors go to `diagnostics`
  /// (default: the session's error stream).
  CompiledCell *compileBody(const CellBody &body,
                            const std::vector<Definition> &newDefs,
                            llvm::raw_ostream *diagnostics);
  /// The compiled entry of `body` with `defs` (cached), with the values it
  /// takes and what its results bind for `body`; no cell after errors.
  CellUse compileCell(const CellBody &body,
                      const std::vector<Definition> &newDefs);
  /// Runs `use` on the session's values; its results in `results`. False
  /// after printing the error.
  bool runCell(const CellUse &use, std::vector<HostTensor> &results);
  /// Compiles `cell` and calls `work` with the session's values as its
  /// arguments: in a child process that Ctrl-C stops when
  /// options.interrupt is set (the values are lent, not copied).
  ComputeResult
  compute(const CellUse &use,
          llvm::function_ref<ComputeResult(const CallArguments &)> work);
  /// Removes compiled cells beyond the cache size, least recently used
  /// first.
  void trimCache();

  // Printing.

  /// Prints `message` as `error: message`.
  void error(const llvm::Twine &message);
  /// The JIT session, created on first use.
  JITSession *getJIT();

  SessionOptions options;
  llvm::raw_ostream &out;
  llvm::raw_ostream &err;
  std::vector<Definition> definitions;
  std::map<std::string, HostTensor> values;
  /// Declared before the cache: the cells' modules leave it before it goes.
  std::unique_ptr<JITSession> jit;
  /// The passes' threads, shared by every cell's Compiler (declared before
  /// the cache for the same reason).
  llvm::DefaultThreadPool threadPool;
  std::map<std::string, CompiledCell> cache;
  /// The text of each cell or file that holds a definition (for the
  /// source lines under diagnostics).
  std::map<std::string, std::string> files;
  unsigned nextCell = 1;
  unsigned nextEntry = 0;
  uint64_t useClock = 0;
};

/// The commands' names, without the `:`.
llvm::ArrayRef<llvm::StringRef> getCommandNames();

/// Whether `name` is an identifier of the language.
bool isIdentifier(llvm::StringRef name);

} // namespace tessera

#endif // TESSERA_DRIVER_LIB_SESSIONIMPL_H
