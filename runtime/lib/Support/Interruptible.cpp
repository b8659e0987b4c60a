//===- Interruptible.cpp - Computations that Ctrl-C can stop --------------===//
//
// The child writes, to a pipe: a status byte (0: tensors follow, 1: an
// error message follows), then for tensors their count and, for each, its
// dtype, rank, shape and bytes; for an error, the message's length and text.
// The parent reads while the child runs (the pipe holds only 64 KiB).
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

/// Reads the child's message out of `data`.
class Reader {
public:
  explicit Reader(llvm::StringRef data) : data(data) {}

  template <typename T> bool read(T &value) {
    if (data.size() < sizeof(T))
      return false;
    std::memcpy(&value, data.data(), sizeof(T));
    data = data.drop_front(sizeof(T));
    return true;
  }
  bool read(void *out, size_t size) {
    if (data.size() < size)
      return false;
    std::memcpy(out, data.data(), size);
    data = data.drop_front(size);
    return true;
  }
  llvm::StringRef take(size_t size) {
    llvm::StringRef s = data.take_front(size);
    data = data.drop_front(s.size());
    return s;
  }

private:
  llvm::StringRef data;
};

ComputeResult decode(llvm::StringRef data) {
  Reader reader(data);
  uint8_t status = 0;
  uint64_t count = 0;
  if (!reader.read(status) || !reader.read(count))
    return makeError("the computation ended without a result");
  if (status == 1)
    return makeError(reader.take(count));
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
  std::string data;
  bool interrupted = false;
  char buffer[1 << 16];
  while (true) {
    if (interrupt) {
      interrupted = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p = {fds[0], POLLIN, 0};
    int ready = ::poll(&p, 1, 50);
    if (ready <= 0)
      continue; // a timeout, or a signal (EINTR): look at `interrupt`
    ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    data.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (interrupted)
    return makeError("interrupted");
  if (WIFSIGNALED(status))
    return makeError(llvm::Twine("the computation was stopped by signal ") +
                     llvm::Twine(WTERMSIG(status)) + " (" +
                     strsignal(WTERMSIG(status)) + ")");
  return decode(data);
}
