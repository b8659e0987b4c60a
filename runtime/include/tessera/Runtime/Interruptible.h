//===- Interruptible.h - Computations that Ctrl-C can stop ------*- C++ -*-===//
//
// JIT-compiled code cannot be stopped halfway from inside the process: its
// loops do not poll, and its threads hold the runtime's state. The REPL
// therefore runs a computation in a child process (fork, so the child has
// the compiled code and the inputs without copying them), which the parent
// kills when the user presses Ctrl-C; the results come back through a pipe.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_INTERRUPTIBLE_H
#define TESSERA_RUNTIME_INTERRUPTIBLE_H

#include "tessera/Runtime/HostTensor.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <atomic>
#include <vector>

namespace tessera {

/// The tensors, or the error, of a computation.
using ComputeResult = llvm::Expected<std::vector<HostTensor>>;

/// Runs `work` in a child process and returns what it returned. If
/// `interrupt` becomes true meanwhile, the child is killed and the result
/// is the error "interrupted". A child that dies (a crash, a signal) is an
/// error naming the signal. Nothing `work` changes in memory reaches the
/// caller but its result.
ComputeResult runInterruptibly(llvm::function_ref<ComputeResult()> work,
                               const std::atomic<bool> &interrupt);

} // namespace tessera

#endif // TESSERA_RUNTIME_INTERRUPTIBLE_H
