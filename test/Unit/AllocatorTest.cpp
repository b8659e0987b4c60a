//===- AllocatorTest.cpp - The allocator of compiled code's temporaries ---===//
//
// runtime/lib/Kernels/Allocator.cpp: alignment, reuse of a freed large
// block by the next allocation it fits (the point: no fresh pages per
// call), no reuse for a request much smaller than the block, small blocks
// (the C library's) and null, bad alignments and sizes that overflow, and
// returning the cache to the system.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr uint64_t kMiB = 1u << 20;

bool isAligned(void *address, uint64_t alignment) {
  return reinterpret_cast<uintptr_t>(address) % alignment == 0;
}

TEST(AllocatorTest, AlignsAndHoldsTheRequestedBytes) {
  tessera_release_cached_memory();
  for (uint64_t alignment : {1u, 16u, 64u, 128u, 4096u})
    for (uint64_t size : {uint64_t(0), uint64_t(1), uint64_t(100), 3 * kMiB}) {
      void *p = tessera_aligned_alloc(alignment, size);
      if (size == 0 && !p)
        continue; // as aligned_alloc, null is a valid answer to size 0
      ASSERT_NE(p, nullptr);
      EXPECT_TRUE(isAligned(p, alignment));
      std::memset(p, 0xab, size); // writable over its whole size
      tessera_free(p);
    }
  // Any block of the C library's.
  void *p = malloc(40);
  ASSERT_NE(p, nullptr);
  tessera_free(p);
  // Large blocks are aligned to 2 MiB (huge pages).
  p = tessera_aligned_alloc(64, 3 * kMiB);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(isAligned(p, 2 * kMiB));
  tessera_free(p);
  tessera_free(nullptr);
  tessera_release_cached_memory();
}

TEST(AllocatorTest, ReusesAFreedLargeBlockItFits) {
  tessera_release_cached_memory();
  void *first = tessera_aligned_alloc(64, 12 * kMiB);
  ASSERT_NE(first, nullptr);
  static_cast<char *>(first)[12 * kMiB - 1] = 7;
  tessera_free(first);
  // The same size, or a little less, gets the same block back.
  void *again = tessera_aligned_alloc(64, 12 * kMiB - 100);
  EXPECT_EQ(again, first);
  // While it is in use, another request gets another block.
  void *other = tessera_aligned_alloc(64, 12 * kMiB);
  EXPECT_NE(other, again);
  tessera_free(other);
  tessera_free(again);
  // A request of less than half a cached block's size does not take it.
  void *small = tessera_aligned_alloc(64, 5 * kMiB);
  EXPECT_NE(small, first);
  EXPECT_NE(small, other);
  tessera_free(small);
  // An alignment stricter than 2 MiB is the C library's block.
  void *aligned = tessera_aligned_alloc(4u << 20, 12 * kMiB);
  ASSERT_NE(aligned, nullptr);
  EXPECT_TRUE(isAligned(aligned, 4u << 20));
  tessera_free(aligned);
  tessera_release_cached_memory();
  // Released: a new allocation is a fresh block (it may reuse the address,
  // but the cache no longer hands out the old one on its own).
  void *fresh = tessera_aligned_alloc(64, 12 * kMiB);
  ASSERT_NE(fresh, nullptr);
  tessera_free(fresh);
  tessera_release_cached_memory();
}

TEST(AllocatorTest, SizesThatOverflowFail) {
  EXPECT_EQ(tessera_aligned_alloc(64, UINT64_MAX), nullptr);
  EXPECT_EQ(tessera_aligned_alloc(64, UINT64_MAX - 10), nullptr);
  EXPECT_EQ(tessera_aligned_alloc(uint64_t(1) << 63, 100), nullptr);
  EXPECT_EQ(tessera_aligned_alloc(3, 100), nullptr);
}

} // namespace
