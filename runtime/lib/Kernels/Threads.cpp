//===- Threads.cpp - The thread count of compiled code --------------------===//

#include "tessera/Runtime/Kernels.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

/// The value of tessera_set_num_threads; 0: the default.
std::atomic<int32_t> requestedThreads{0};

/// TESSERA_NUM_THREADS if it is a positive integer, else the processors
/// this process may run on.
int32_t computeDefaultThreads() {
  if (const char *text = std::getenv("TESSERA_NUM_THREADS")) {
    char *end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && value > 0)
      return value > 1024 ? 1024 : int32_t(value);
  }
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  unsigned count = std::thread::hardware_concurrency();
  return count ? int32_t(count) : 1;
#endif
}

} // namespace

extern "C" int32_t tessera_get_num_threads(void) {
  if (int32_t requested = requestedThreads.load(std::memory_order_relaxed))
    return requested;
  // Computed on first use; an atomic rather than a static local, since the
  // kernels use no C++ runtime (no guard variables).
  static std::atomic<int32_t> defaultThreads{0};
  int32_t threads = defaultThreads.load(std::memory_order_relaxed);
  if (threads == 0) {
    threads = computeDefaultThreads();
    defaultThreads.store(threads, std::memory_order_relaxed);
  }
  return threads;
}

extern "C" void tessera_set_num_threads(int32_t numThreads) {
  requestedThreads.store(numThreads > 0 ? std::min(numThreads, 1024) : 0,
                         std::memory_order_relaxed);
}
