//===- Allocator.cpp - The allocator of compiled code's temporaries -------===//
//
// Compiled code allocates its temporaries with aligned_alloc and free, which
// LLVM's optimizations know; after them, tessera::optimizeLLVMModule points
// those calls here. Large temporaries are kept after they are freed
// and handed out again by the next allocation they fit: the same entry
// called again reuses the same blocks, whose pages are already mapped,
// instead of mapping fresh ones and faulting on every page (a 12 MiB
// temporary is 3,000 page faults per call). Small ones go to the C library.
//
// Small blocks are the C library's, untouched. Large ones are aligned to
// 2 MiB (which also lets the kernel back them with huge pages) and recorded
// in a table while they live, so that freeing takes the lock only for a
// pointer with that alignment. The cache holds at most
// TESSERA_ALLOC_CACHE_MB MiB (default 1024; 0 turns it off); beyond it the
// least recently freed blocks go back to the system.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

namespace {

/// Blocks from this size on are cached.
constexpr uint64_t kCachedFrom = 1u << 20;
/// The alignment of cached blocks: no smaller block need be looked up.
constexpr uint64_t kLargeAlignment = 2u << 20;
/// Cached capacities are rounded up to this, so that sizes that differ a
/// little (a symbolic extent) share blocks.
constexpr uint64_t kGranule = 64u << 10;
/// A cached block serves a request of at least 1/kMaxWaste of its size.
constexpr uint64_t kMaxWaste = 2;
constexpr int kMaxCached = 64;
/// Large blocks in use that the table records (more are plain blocks).
constexpr int kMaxLive = 1024;

struct Block {
  void *address;
  uint64_t capacity;
  uint64_t freedAt; // for least-recently-freed eviction
};

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
Block live[kMaxLive];
int numLive = 0;
Block cache[kMaxCached];
int numCached = 0;
uint64_t cachedBytes = 0;
uint64_t freeCount = 0;
int64_t cacheLimit = -1; // bytes; -1: not read from the environment yet

uint64_t getCacheLimit() {
  if (cacheLimit < 0) {
    int64_t megabytes = 1024;
    if (const char *text = getenv("TESSERA_ALLOC_CACHE_MB")) {
      char *end = nullptr;
      long long value = strtoll(text, &end, 10);
      if (end != text && *end == '\0' && value >= 0 && value < (1ll << 40))
        megabytes = value;
    }
    cacheLimit = megabytes << 20;
  }
  return uint64_t(cacheLimit);
}

/// A block of the C library's (posix_memalign: unlike aligned_alloc, any
/// size), or null.
void *allocateAligned(uint64_t alignment, uint64_t size) {
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  void *address = nullptr;
  if (posix_memalign(&address, alignment, size) != 0)
    return nullptr;
  return address;
}

/// Records a large block in use (with the lock held).
void recordLive(void *address, uint64_t capacity) {
  if (numLive < kMaxLive)
    live[numLive++] = {address, capacity, 0};
}

/// A cached block of at least `capacity` bytes (with the lock held), or
/// null.
void *takeCached(uint64_t capacity) {
  int best = -1;
  for (int i = 0; i < numCached; ++i) {
    const Block &block = cache[i];
    if (block.capacity < capacity || block.capacity / kMaxWaste > capacity)
      continue;
    if (best < 0 || block.capacity < cache[best].capacity)
      best = i;
  }
  if (best < 0)
    return nullptr;
  Block block = cache[best];
  cachedBytes -= block.capacity;
  cache[best] = cache[--numCached];
  recordLive(block.address, block.capacity);
  return block.address;
}

/// Keeps a freed large block (with the lock held); false when it does not
/// fit the cache.
bool keepCached(const Block &block) {
  uint64_t limit = getCacheLimit();
  if (block.capacity > limit)
    return false;
  while (numCached > 0 &&
         (numCached == kMaxCached || cachedBytes + block.capacity > limit)) {
    int oldest = 0;
    for (int i = 1; i < numCached; ++i)
      if (cache[i].freedAt < cache[oldest].freedAt)
        oldest = i;
    free(cache[oldest].address);
    cachedBytes -= cache[oldest].capacity;
    cache[oldest] = cache[--numCached];
  }
  cache[numCached] = block;
  cache[numCached++].freedAt = ++freeCount;
  cachedBytes += block.capacity;
  return true;
}

} // namespace

extern "C" void *tessera_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 ||
      alignment > (uint64_t(1) << 32))
    return nullptr;
  if (size < kCachedFrom || alignment > kLargeAlignment)
    return allocateAligned(alignment, size);
  uint64_t capacity = (size + kGranule - 1) / kGranule * kGranule;
  if (capacity < size)
    return nullptr; // overflow
  pthread_mutex_lock(&lock);
  void *address = takeCached(capacity);
  pthread_mutex_unlock(&lock);
  if (address)
    return address;
  address = allocateAligned(kLargeAlignment, capacity);
  if (address) {
    pthread_mutex_lock(&lock);
    recordLive(address, capacity);
    pthread_mutex_unlock(&lock);
  }
  return address;
}

extern "C" void tessera_free(void *address) {
  if (reinterpret_cast<uintptr_t>(address) % kLargeAlignment != 0) {
    free(address);
    return;
  }
  if (!address)
    return;
  bool kept = false;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < numLive; ++i) {
    if (live[i].address != address)
      continue;
    Block block = live[i];
    live[i] = live[--numLive];
    kept = keepCached(block);
    break;
  }
  pthread_mutex_unlock(&lock);
  if (!kept)
    free(address);
}

extern "C" void tessera_release_cached_memory(void) {
  pthread_mutex_lock(&lock);
  while (numCached > 0) {
    --numCached;
    free(cache[numCached].address);
  }
  cachedBytes = 0;
  pthread_mutex_unlock(&lock);
}
