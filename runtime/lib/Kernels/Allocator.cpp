//===- Allocator.cpp - The allocator of compiled code's temporaries -------===//
//
// Compiled code allocates its temporaries through MLIR's generic allocation
// functions (the CPU pipeline lowers memref.alloc with
// use-generic-functions). Large temporaries are kept after they are freed
// and handed out again by the next allocation they fit: the same entry
// called again reuses the same blocks, whose pages are already mapped,
// instead of mapping fresh ones and faulting on every page (a 12 MiB
// temporary is 3,000 page faults per call). Small ones go to the C library.
//
// Every block carries a header in front of the address it returns (the
// block's own allocation and capacity), so freeing needs no lookup. The
// cache holds at most TESSERA_ALLOC_CACHE_MB MiB (default 1024; 0 turns it
// off); beyond it the least recently freed blocks go back to the system.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

namespace {

/// In front of every block this allocator returns.
struct Header {
  void *raw;          // what aligned_alloc returned
  uint64_t capacity;  // usable bytes from the returned address
  uint64_t alignment; // of the returned address
  uint64_t magic;
};

constexpr uint64_t kMagic = 0x7465737365726131ull; // "tessera1"
/// Blocks from this size on are cached.
constexpr uint64_t kCachedFrom = 1u << 20;
/// Cached capacities are rounded up to this, so that sizes that differ a
/// little (a symbolic extent) share blocks.
constexpr uint64_t kGranule = 64u << 10;
/// A cached block serves a request of at least 1/kMaxWaste of its size.
constexpr uint64_t kMaxWaste = 2;
constexpr int kMaxCached = 64;

struct CachedBlock {
  void *address;
  uint64_t capacity;
  uint64_t alignment;
  uint64_t freedAt; // for least-recently-freed eviction
};

pthread_mutex_t cacheLock = PTHREAD_MUTEX_INITIALIZER;
CachedBlock cache[kMaxCached];
int numCached = 0;
uint64_t cachedBytes = 0;
uint64_t freeCount = 0;
int64_t cacheLimit = -1; // bytes; -1: not read from the environment yet

Header *headerOf(void *address) {
  return reinterpret_cast<Header *>(static_cast<char *>(address) -
                                    sizeof(Header));
}

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

/// Frees cached block `i` (with the lock held).
void releaseCached(int i) {
  free(headerOf(cache[i].address)->raw);
  cachedBytes -= cache[i].capacity;
  cache[i] = cache[--numCached];
}

/// A cached block for `size` bytes at `alignment`, or null.
void *takeCached(uint64_t size, uint64_t alignment) {
  pthread_mutex_lock(&cacheLock);
  int best = -1;
  for (int i = 0; i < numCached; ++i) {
    const CachedBlock &block = cache[i];
    if (block.capacity < size || block.capacity / kMaxWaste > size ||
        block.alignment % alignment != 0)
      continue;
    if (best < 0 || block.capacity < cache[best].capacity)
      best = i;
  }
  void *address = nullptr;
  if (best >= 0) {
    address = cache[best].address;
    cachedBytes -= cache[best].capacity;
    cache[best] = cache[--numCached];
  }
  pthread_mutex_unlock(&cacheLock);
  return address;
}

/// Keeps a freed large block; false when the cache is off.
bool keepCached(void *address, const Header &header) {
  uint64_t limit = getCacheLimit();
  if (header.capacity > limit)
    return false;
  pthread_mutex_lock(&cacheLock);
  while (numCached > 0 &&
         (numCached == kMaxCached || cachedBytes + header.capacity > limit)) {
    int oldest = 0;
    for (int i = 1; i < numCached; ++i)
      if (cache[i].freedAt < cache[oldest].freedAt)
        oldest = i;
    releaseCached(oldest);
  }
  cache[numCached++] = {address, header.capacity, header.alignment,
                        ++freeCount};
  cachedBytes += header.capacity;
  pthread_mutex_unlock(&cacheLock);
  return true;
}

} // namespace

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment,
                                                    uint64_t size) {
  if (alignment > (uint64_t(1) << 32))
    return nullptr;
  // A power of two that holds the header in front of the address.
  uint64_t align = sizeof(Header);
  while (align < alignment)
    align *= 2;
  if (align < 64)
    align = 64;
  bool large = size >= kCachedFrom;
  uint64_t capacity = large ? (size + kGranule - 1) / kGranule * kGranule
                            : (size + align - 1) / align * align;
  if (capacity < size || capacity > UINT64_MAX - align)
    return nullptr; // overflow
  if (large)
    if (void *address = takeCached(capacity, align))
      return address;
  void *raw = aligned_alloc(align, align + capacity);
  if (!raw)
    return nullptr;
  void *address = static_cast<char *>(raw) + align;
  *headerOf(address) = Header{raw, capacity, align, kMagic};
  return address;
}

extern "C" void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(16, size);
}

extern "C" void _mlir_memref_to_llvm_free(void *address) {
  if (!address)
    return;
  Header header = *headerOf(address);
  if (header.magic != kMagic)
    return; // Not ours: leak rather than corrupt the heap.
  if (header.capacity >= kCachedFrom && keepCached(address, header))
    return;
  headerOf(address)->magic = 0; // a second free is caught above
  free(header.raw);
}

extern "C" void tessera_release_cached_memory(void) {
  pthread_mutex_lock(&cacheLock);
  while (numCached > 0)
    releaseCached(numCached - 1);
  pthread_mutex_unlock(&cacheLock);
}
