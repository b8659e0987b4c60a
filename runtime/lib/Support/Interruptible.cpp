//===- Interruptible.cpp - Computations that Ctrl-C can stop --------------===//
//
// The child writes, to a pipe: a status byte (0: tensors follow, 1: an
// error message follows), then for tensors their count and, for each, its
// dtype, rank, shape and bytes; for an error, the message's length and text.
// The parent reads while the child runs (the pipe holds only 64 KiB), each
// tensor's bytes straight into the tensor it allocates for them.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Interruptible.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace tessera;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Writes all of `bytes` or gives up (the parent has gone).
bool writeAll(int fd, const void *bytes, size_t size) {
  const char *p = static_cast<const char *>(bytes);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

template <typename T> bool writeValue(int fd, T value) {
  return writeAll(fd, &value, sizeof(value));
}

/// The child's side: run `work`, send its outcome, never return.
[[noreturn]] void runChild(int fd, llvm::function_ref<ComputeResult()> work) {
  std::signal(SIGPIPE, SIG_IGN);
  ComputeResult result = work();
  if (!result) {
    std::string message = llvm::toString(result.takeError());
    writeValue<uint8_t>(fd, 1) && writeValue<uint64_t>(fd, message.size()) &&
        writeAll(fd, message.data(), message.size());
    _exit(0);
  }
  bool ok =
      writeValue<uint8_t>(fd, 0) && writeValue<uint64_t>(fd, result->size());
  for (const HostTensor &t : *result) {
    ok = ok && writeValue<uint32_t>(fd, static_cast<uint32_t>(t.getDType())) &&
         writeValue<uint64_t>(fd, t.getShape().size());
    for (int64_t d : t.getShape())
      ok = ok && writeValue<int64_t>(fd, d);
    ok = ok && writeAll(fd, t.data(), t.getNumBytes());
  }
  _exit(ok ? 0 : 1);
}

/// Reads the child's message as it arrives, straight into the result
/// tensors (no copy of the whole message is kept), watching `interrupt`.
class Reader {
public:
  Reader(int fd, const std::atomic<bool> &interrupt)
      : fd(fd), interrupt(interrupt) {}

  /// Reads exactly `size` bytes; false at the end of the data, on an error
  /// or when interrupted (then `interrupted` is set).
  bool read(void *out, size_t size) {
    char *p = static_cast<char *>(out);
    while (size > 0) {
      if (interrupt) {
        interrupted = true;
        return false;
      }
      pollfd pfd = {fd, POLLIN, 0};
      int ready = ::poll(&pfd, 1, 50);
      if (ready < 0 && errno != EINTR)
        return false;
      if (ready <= 0)
        continue; // a timeout or a signal: look at `interrupt` again
      ssize_t n = ::read(fd, p, size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      p += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }
  template <typename T> bool read(T &value) { return read(&value, sizeof(T)); }

  bool interrupted = false;

private:
  int fd;
  const std::atomic<bool> &interrupt;
};

ComputeResult decode(Reader &reader) {
  uint8_t status = 0;
  uint64_t count = 0;
  if (!reader.read(status) || !reader.read(count))
    return makeError("the computation ended without a result");
  if (status == 1) {
    std::string message(std::min<uint64_t>(count, 1 << 20), '\0');
    if (!reader.read(message.data(), message.size()))
      return makeError("the computation's error is cut short");
    return makeError(message);
  }
  std::vector<HostTensor> tensors;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t dtype = 0;
    uint64_t rank = 0;
    if (!reader.read(dtype) || !reader.read(rank) || rank > 64)
      return makeError("the computation's result is cut short");
    std::vector<int64_t> shape(rank);
    for (int64_t &d : shape)
      if (!reader.read(d))
        return makeError("the computation's result is cut short");
    auto t = HostTensor::create(static_cast<DType>(dtype), shape);
    if (!t)
      return t.takeError();
    if (!reader.read(t->data(), t->getNumBytes()))
      return makeError("the computation's result is cut short");
    tensors.push_back(std::move(*t));
  }
  return tensors;
}

} // namespace

ComputeResult
tessera::runInterruptibly(llvm::function_ref<ComputeResult()> work,
                          const std::atomic<bool> &interrupt) {
  int fds[2];
  if (::pipe(fds) != 0)
    return makeError(llvm::Twine("cannot create a pipe: ") +
                     std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return makeError(llvm::Twine("cannot start the computation: ") +
                     std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    runChild(fds[1], work);
  }
  ::close(fds[1]);
  Reader reader(fds[0], interrupt);
  ComputeResult result = decode(reader);
  // Stopped, or not all read (a result too large to hold here): the child
  // may still be running or writing.
  if (reader.interrupted || !result)
    ::kill(pid, SIGKILL);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (reader.interrupted) {
    llvm::consumeError(result.takeError());
    return makeError("interrupted");
  }
  // A child that died says more than the message it did not finish.
  if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
    llvm::consumeError(result.takeError());
    return makeError(llvm::Twine("the computation was stopped by signal ") +
                     llvm::Twine(WTERMSIG(status)) + " (" +
                     strsignal(WTERMSIG(status)) + ")");
  }
  return result;
}
