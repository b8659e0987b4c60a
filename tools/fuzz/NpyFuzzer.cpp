//===- NpyFuzzer.cpp - libFuzzer target for the .npy reader ---------------===//
//
// Feeds arbitrary bytes to tessera::parseNpy, the in-memory decoder behind
// readNpy (what tess-run --in uses). Whatever decodes must survive the rest
// of the runtime support library: it is encoded again and must decode to the
// same tensor, printed, and converted to every dtype. Errors are the expected
// outcome for most inputs; they must be diagnostics naming the file.
//
// Built only in the sanitizer configuration (-DTESSERA_SANITIZE=...);
// docs/reliability.md says how to run it and reproduce what it finds.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/Npy.h"
#include "tessera/Runtime/Printer.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace tessera;

namespace {

[[noreturn]] void fail(const llvm::Twine &message) {
  llvm::errs() << "npy fuzzer: " << message << "\n";
  llvm::errs().flush();
  std::abort();
}

bool sameTensor(const HostTensor &a, const HostTensor &b) {
  return a.getDType() == b.getDType() && a.getShape() == b.getShape() &&
         a.getNumBytes() == b.getNumBytes() &&
         std::memcmp(a.data(), b.data(), a.getNumBytes()) == 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<HostTensor> tensor = parseNpy("fuzz.npy", bytes);
  if (!tensor) {
    std::string message = llvm::toString(tensor.takeError());
    if (!llvm::StringRef(message).starts_with("fuzz.npy:"))
      fail("diagnostic does not name the file: " + message);
    return 0;
  }
  if (!tensor->hasStorage())
    fail("a decoded tensor has no storage");

  // Encoding what was decoded gives a file that decodes to the same tensor.
  llvm::Expected<std::string> encoded = encodeNpy(*tensor);
  if (!encoded)
    fail("cannot encode a decoded tensor: " +
         llvm::toString(encoded.takeError()));
  llvm::Expected<HostTensor> again = parseNpy("again.npy", *encoded);
  if (!again)
    fail("cannot decode an encoded tensor: " +
         llvm::toString(again.takeError()));
  if (!sameTensor(*tensor, *again))
    fail("the tensor changed in an encode/decode round trip");

  // Printing and conversion read every element; keep them cheap.
  if (tensor->getNumElements() > (1 << 14))
    return 0;
  (void)formatTensor(*tensor);
  for (DType to : {DType::Bool, DType::I32, DType::I64, DType::F16, DType::BF16,
                   DType::F32, DType::F64, DType::C64, DType::C128}) {
    llvm::Expected<HostTensor> converted = convertTensor(*tensor, to);
    if (!converted) {
      llvm::consumeError(converted.takeError());
      continue;
    }
    if (converted->getDType() != to ||
        converted->getShape() != tensor->getShape())
      fail("a conversion changed the shape or missed the dtype");
    (void)formatTensor(*converted);
  }
  return 0;
}
