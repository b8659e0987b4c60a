//===- Signature.h - The calling signature of an entry function -*- C++ -*-===//
//
// What a caller needs to know about a compiled Tessera function: its
// parameters and results with dtypes and symbolic shapes. The front end
// produces it; the JIT invoker, tess-run and the C header generator consume it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_SIGNATURE_H
#define TESSERA_RUNTIME_SIGNATURE_H

#include "tessera/Runtime/DType.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

/// One dimension of a declared shape: a literal extent or a size symbol.
struct DimSpec {
  bool isSymbol = false;
  int64_t extent = 0; ///< when !isSymbol
  std::string symbol; ///< when isSymbol
};

/// A parameter or result of an entry function.
struct ValueSpec {
  enum class Kind {
    Tensor, ///< a tensor or scalar (rank 0); passed as a memref descriptor
    Index,  ///< `L: index`; passed as int64_t, binds the size symbol `name`
  };
  Kind kind = Kind::Tensor;
  std::string name;         ///< parameter name ("result0", ... for results)
  DType dtype = DType::F32; ///< element type (I64 for Index)
  std::vector<DimSpec> dims;
};

/// The signature of one `fn`.
struct EntrySignature {
  std::string name;
  std::vector<ValueSpec> params;
  std::vector<ValueSpec> results;
};

} // namespace tessera

#endif // TESSERA_RUNTIME_SIGNATURE_H
