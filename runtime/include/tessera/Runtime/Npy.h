//===- Npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The .npy format: a magic string, a version, a header length and a Python
// dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2,)}
// followed by the raw C-ordered array data.
//
// Supported on reading: format versions 1.0, 2.0 and 3.0; dtypes '|b1' (bool),
// '<i4', '<i8', '<f2', '<f4', '<f8', '<c8', '<c16' with byte order '<', '|'
// or '=' (the host is little-endian); C order only; the data must be exactly
// product(shape) * itemsize bytes. Everything else is an error.
//
// Errors are formatted like the compiler's diagnostics. The header dict text is
// treated as line 1 of a pseudo-source named after the file:
//
//   data.npy:1:11: error: big-endian dtype '>f4' is not supported; ...
//   {'descr': '>f4', 'fortran_order': False, 'shape': (3,), }
//             ^
//
// Problems found before the header (magic string, version, header length)
// show the escaped first bytes of the file as the source line; problems with
// the data size show the header, with the caret at column 1. The llvm::Error
// message is the whole diagnostic without a trailing newline. Problems with
// the file as a whole (missing, a directory, larger than the input limit,
// unwritable) are FileErrors (tessera/Runtime/FileIO.h), one line:
//
//   data.npy: error: cannot open .npy file: No such file or directory
//
// Files are read in order, never seeked, and only as far as the header
// declares: at most kMaxInputBytes (1 GiB) in all, so a stream ("-" for
// stdin, a fifo, a pipe, a device) works, and an endless one is refused once
// its header is read. From a stream, one byte after the declared data is read
// to find data that should not be there.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_NPY_H
#define TESSERA_RUNTIME_NPY_H

#include "tessera/Runtime/HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace tessera {

/// The .npy descr written for `dtype` ("<f4", "|b1", ...), or std::nullopt
/// for BF16, which NumPy has no dtype for.
std::optional<llvm::StringRef> getNpyDescr(DType dtype);

/// Reads the .npy file at `path`.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);

/// Reads the .npy file at `path` and converts it to `dtype` when the file
/// holds another dtype (see convertTensor). A failed conversion is reported
/// as a diagnostic pointing at the header's 'descr' value.
llvm::Expected<HostTensor> readNpyAs(llvm::StringRef path, DType dtype);

/// Decodes an in-memory .npy image; `path` names it in diagnostics.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef path,
                                    llvm::StringRef bytes);

/// Encodes `tensor` as a .npy image: format 1.0 unless the header needs the
/// 4-byte length of 2.0; header padded to a multiple of 64 bytes like NumPy.
/// Fails (with a plain message, there being no file to point at) for BF16 and
/// for a tensor without storage.
llvm::Expected<std::string> encodeNpy(const HostTensor &tensor);

/// Writes `tensor` to `path` (see encodeNpy) with AtomicOutputs: a regular
/// file is written to a temporary in its directory that is renamed over it
/// only once complete, so a failure never damages an existing file, and an
/// existing file keeps its permissions; a device, a fifo or "-" (stdout) is
/// written in place; a symlink at `path` is written through.
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace tessera

#endif // TESSERA_RUNTIME_NPY_H
