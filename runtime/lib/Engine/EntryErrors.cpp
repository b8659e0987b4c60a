//===- EntryErrors.cpp - Messages of entry errors, tensor size checks -----===//
//
// The words for the errors a compiled entry reports through its status and
// error record (a tensor too large to describe, an allocation that failed),
// and the host-side check that computes a tensor's byte size without
// overflowing. See docs/abi.md.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/EntryABI.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstddef>

using namespace tessera;

// The compiled code writes the record through these offsets (the pass takes
// them from the struct); the C header spells the same layout.
static_assert(sizeof(void *) == 8, "error records assume 64-bit pointers");
static_assert(offsetof(EntryErrorRecord, status) == 0 &&
                  offsetof(EntryErrorRecord, rank) == 4 &&
                  offsetof(EntryErrorRecord, what) == 8 &&
                  offsetof(EntryErrorRecord, where) == 16 &&
                  offsetof(EntryErrorRecord, dtype) == 24 &&
                  offsetof(EntryErrorRecord, bytes) == 32 &&
                  offsetof(EntryErrorRecord, shape) == 40 &&
                  sizeof(EntryErrorRecord) == 40 + 8 * kErrorRecordMaxRank,
              "EntryErrorRecord must match tessera_error in docs/abi.md");

namespace {

/// " (defined at f.tess:3:3)", or nothing without a location.
std::string definedAt(llvm::StringRef where) {
  if (where.empty())
    return "";
  return (" (defined at " + where + ")").str();
}

/// The element count of `shape` in words ("2^124", "about 2^63.6", "12"),
/// and whether it fits in int64_t (which needs every extent to be known).
std::pair<std::string, bool> describeElementCount(llvm::ArrayRef<int64_t> shape,
                                                  int64_t rank) {
  int64_t count = 1;
  bool fits = static_cast<int64_t>(shape.size()) == rank;
  double log2Count = 0;
  bool exactPower = true;
  for (int64_t dim : shape) {
    if (dim <= 0)
      return {"0", true};
    if (fits && llvm::MulOverflow(count, dim, count))
      fits = false;
    log2Count += std::log2(static_cast<double>(dim));
    exactPower &= llvm::isPowerOf2_64(static_cast<uint64_t>(dim));
  }
  if (fits)
    return {std::to_string(count), true};
  if (exactPower)
    return {llvm::formatv("2^{0}", std::lround(log2Count)).str(), false};
  return {llvm::formatv("about 2^{0:F1}", log2Count).str(), false};
}

} // namespace

std::string tessera::formatTensorShape(llvm::StringRef dtype,
                                       llvm::ArrayRef<int64_t> shape,
                                       int64_t rank) {
  std::string text = dtype.str() + "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  if (rank > static_cast<int64_t>(shape.size()))
    text += shape.empty() ? "..." : ", ...";
  return text + "]";
}

std::string tessera::describeTooLarge(llvm::StringRef what,
                                      llvm::StringRef where,
                                      llvm::StringRef dtype,
                                      llvm::ArrayRef<int64_t> shape,
                                      int64_t rank) {
  auto [count, countFits] = describeElementCount(shape, rank);
  // When the count fits, the bytes do not: say how large each element is.
  std::string elementSize;
  if (countFits)
    if (std::optional<DType> parsed = parseDTypeName(dtype))
      elementSize = llvm::formatv(" of {0} bytes", getDTypeSize(*parsed));
  return llvm::formatv("{0} of shape {1} has {2} elements{3}: too large{4}",
                       what, formatTensorShape(dtype, shape, rank), count,
                       elementSize, definedAt(where))
      .str();
}

std::string tessera::describeOutOfMemory(llvm::StringRef what,
                                         llvm::StringRef where,
                                         llvm::StringRef dtype,
                                         llvm::ArrayRef<int64_t> shape,
                                         int64_t rank, int64_t bytes) {
  return llvm::formatv("cannot allocate {0} bytes for {1} of shape {2}{3}: "
                       "out of memory",
                       bytes, what, formatTensorShape(dtype, shape, rank),
                       definedAt(where))
      .str();
}

std::string tessera::describeEntryError(const EntrySignature &sig,
                                        int32_t status,
                                        const EntryErrorRecord *record) {
  if (!record || record->status != status ||
      (status != kStatusTooLarge && status != kStatusOutOfMemory))
    return describeEntryStatus(sig, status);
  auto text = [](const char *s) { return llvm::StringRef(s ? s : ""); };
  int64_t rank = std::max<int64_t>(record->rank, 0);
  llvm::ArrayRef<int64_t> shape(record->shape,
                                std::min<int64_t>(rank, kErrorRecordMaxRank));
  llvm::StringRef what = record->what ? text(record->what) : "a tensor";
  if (status == kStatusTooLarge)
    return describeTooLarge(what, text(record->where), text(record->dtype),
                            shape, rank);
  return describeOutOfMemory(what, text(record->where), text(record->dtype),
                             shape, rank, record->bytes);
}

std::optional<int64_t>
tessera::computeTensorBytes(DType dtype, llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  bool overflow = false, empty = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      return std::nullopt;
    empty |= dim == 0;
    // Keep going after an overflow: a later zero extent makes it empty.
    overflow |= llvm::MulOverflow(count, dim, count);
  }
  if (empty)
    return 0;
  int64_t bytes;
  if (overflow || llvm::MulOverflow(
                      count, static_cast<int64_t>(getDTypeSize(dtype)), bytes))
    return std::nullopt;
  return bytes;
}

llvm::Error tessera::checkTensorSize(llvm::StringRef what, DType dtype,
                                     llvm::ArrayRef<int64_t> shape) {
  if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv(
            "{0} has a negative extent: {1}", what,
            formatTensorShape(getDTypeName(dtype), shape, shape.size()))
            .str());
  if (computeTensorBytes(dtype, shape))
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      describeTooLarge(what, "", getDTypeName(dtype), shape, shape.size()));
}
