//===- Session.h - The REPL's state and its commands ------------*- C++ -*-===//
//
// `tessera::Session` is what tess-repl runs (and what an embedder can run):
// a sequence of inputs, each a cell or a `:command`. A cell holds `fn` and
// `const` definitions, statements that bind session values (`x = ones(f32[4,
// 4])`, `y[i] = sum[j](x[i, j])`) and bare expressions, whose values are
// printed NumPy-style and kept as `_`.
//
// How a cell runs: its statements and expressions become the body of an
// entry function whose parameters are the session values the cell names,
// with their dtypes and extents; the definitions the cell uses (through the
// names it spells, transitively) are put in the same module. Everything is
// copied as text, so the front end checks it as any source, and a SourceMap
// points every diagnostic back into the cell or file the text came from
// (`<cell 3>:1:5: error: ...`). The module is compiled by a Compiler (the one
// pipeline of every tool) into one JIT session shared by all cells, each
// module under its own resource tracker. Compiled cells are cached by their
// text and their values' dtypes and extents; redefining a function or a
// constant removes the cached cells that used it (their resource trackers),
// so later cells see the new definition.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DRIVER_SESSION_H
#define TESSERA_DRIVER_SESSION_H

#include "tessera/Runtime/HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace tessera {

/// How a Session compiles and where it prints.
struct SessionOptions {
  /// -O0 .. -O3 for the cells' code.
  unsigned optLevel = 2;
  /// Values and the output of commands; default llvm::outs().
  llvm::raw_ostream *out = nullptr;
  /// Diagnostics; default llvm::errs().
  llvm::raw_ostream *err = nullptr;
  /// Most compiled cells kept; the least recently used go first.
  unsigned cacheSize = 64;
  /// Runs `:time` makes at most, and the seconds it spends at most (it
  /// stops at whichever comes first, after at least 3 runs).
  unsigned maxTimedRuns = 100;
  double maxTimedSeconds = 1.0;
  /// When set, computations run in a child process that is stopped when
  /// the flag becomes true (Ctrl-C: tess-repl sets it from SIGINT at a
  /// terminal), the session going on (tessera/Runtime/Interruptible.h).
  const std::atomic<bool> *interrupt = nullptr;
};

/// The REPL's definitions, values and compiled cells. Not thread-safe.
class Session {
public:
  explicit Session(SessionOptions options = {});
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  /// What `eval` did.
  enum class Status {
    Done,       ///< the input ran
    Failed,     ///< errors were printed; the session is as it was
    Incomplete, ///< the cell is unfinished: nothing was done
    Quit,       ///< `:quit`
  };

  /// Runs one input: a line starting with `:` is a command, anything else a
  /// cell. With `isFinal`, an unfinished cell is reported as the errors it
  /// has instead of Incomplete (the end of the input has come).
  Status eval(llvm::StringRef input, bool isFinal = false);

  /// The names that complete `prefix`, sorted: commands after a `:`, else
  /// definitions, values, built-ins and dtype names.
  std::vector<std::string> complete(llvm::StringRef prefix) const;

  /// The value `name`, or null.
  const HostTensor *getValue(llvm::StringRef name) const;
  /// Binds `name` (a new or existing value) to `value`.
  void setValue(llvm::StringRef name, HostTensor value);

  /// The help text of the commands.
  static llvm::StringRef getHelp();

  /// The state behind the session (driver/lib/SessionImpl.h).
  class Impl;

private:
  std::unique_ptr<Impl> impl;
};

} // namespace tessera

#endif // TESSERA_DRIVER_SESSION_H
