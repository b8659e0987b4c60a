//===- AllocatorTest.cpp - The allocator of compiled code's temporaries ---===//
//
// runtime/lib/Kernels/Allocator.cpp: alignment, reuse of a freed large
// block by the next allocation it fits (the point: no fresh pages per
// call), no reuse for a request much smaller than the block, small blocks
// and null, sizes that overflow, and returning the cache to the system.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <cstdint>
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
      void *p = _mlir_memref_to_llvm_aligned_alloc(alignment, size);
      ASSERT_NE(p, nullptr);
      EXPECT_TRUE(isAligned(p, alignment < 64 ? 64 : alignment));
      std::memset(p, 0xab, size); // writable over its whole size
      _mlir_memref_to_llvm_free(p);
    }
  void *p = _mlir_memref_to_llvm_alloc(40);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(isAligned(p, 16));
  _mlir_memref_to_llvm_free(p);
  _mlir_memref_to_llvm_free(nullptr);
  tessera_release_cached_memory();
}

TEST(AllocatorTest, ReusesAFreedLargeBlockItFits) {
  tessera_release_cached_memory();
  void *first = _mlir_memref_to_llvm_aligned_alloc(64, 12 * kMiB);
  ASSERT_NE(first, nullptr);
  static_cast<char *>(first)[12 * kMiB - 1] = 7;
  _mlir_memref_to_llvm_free(first);
  // The same size, or a little less, gets the same block back.
  void *again = _mlir_memref_to_llvm_aligned_alloc(64, 12 * kMiB - 100);
  EXPECT_EQ(again, first);
  // While it is in use, another request gets another block.
  void *other = _mlir_memref_to_llvm_aligned_alloc(64, 12 * kMiB);
  EXPECT_NE(other, again);
  _mlir_memref_to_llvm_free(other);
  _mlir_memref_to_llvm_free(again);
  // A request of less than half a cached block's size does not take it.
  void *small = _mlir_memref_to_llvm_aligned_alloc(64, 5 * kMiB);
  EXPECT_NE(small, first);
  EXPECT_NE(small, other);
  _mlir_memref_to_llvm_free(small);
  // A stricter alignment than the block's is not served from it.
  void *aligned = _mlir_memref_to_llvm_aligned_alloc(1u << 16, 12 * kMiB);
  ASSERT_NE(aligned, nullptr);
  EXPECT_TRUE(isAligned(aligned, 1u << 16));
  _mlir_memref_to_llvm_free(aligned);
  tessera_release_cached_memory();
  // Released: a new allocation is a fresh block (it may reuse the address,
  // but the cache no longer hands out the old one on its own).
  void *fresh = _mlir_memref_to_llvm_aligned_alloc(64, 12 * kMiB);
  ASSERT_NE(fresh, nullptr);
  _mlir_memref_to_llvm_free(fresh);
  tessera_release_cached_memory();
}

TEST(AllocatorTest, SizesThatOverflowFail) {
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(64, UINT64_MAX), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(64, UINT64_MAX - 10), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(uint64_t(1) << 63, 100),
            nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(UINT64_MAX, 100), nullptr);
}

} // namespace
