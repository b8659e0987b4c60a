//===- FileIO.h - Bounded input files and all-or-nothing outputs -*- C++
//-*-===//
//
// How every tool reads and writes files, in one place.
//
// Inputs (source files, .npy files) are read with a bound, kMaxInputBytes
// (1 GiB): a regular file larger than that is refused from its size, without
// reading it; a stream (stdin as "-", a character device such as /dev/zero,
// a fifo, a pipe) is read sequentially, never seeked, and reading stops at
// the bound plus one byte. A directory is refused.
//
// Outputs are written with AtomicOutputs: every destination of a command is
// checked before anything is written (the directory exists and is writable,
// the destination is not a directory, not an input, not another output),
// regular files are written to temporaries beside them and renamed over them
// only once every output is complete, and character or block devices, fifos
// and stdout ("-") are written in place. A symlink is resolved: its target is
// written and the link itself is kept.
//
// Problems are FileErrors, which print as one line `PATH: error: MESSAGE`.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_FILEIO_H
#define TESSERA_RUNTIME_FILEIO_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

/// The most bytes read from one input file: 1 GiB.
inline constexpr uint64_t kMaxInputBytes = uint64_t(1) << 30;

/// `bytes` for messages: "1 GiB", "64 KiB" for exact multiples, else
/// "N bytes".
std::string formatByteCount(uint64_t bytes);

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// A problem with one file as a whole, printed `PATH: error: MESSAGE` on one
/// line (no trailing newline).
class FileError : public llvm::ErrorInfo<FileError> {
public:
  static char ID;
  FileError(std::string path, std::string message)
      : path(std::move(path)), message(std::move(message)) {}
  const std::string &getPath() const { return path; }
  const std::string &getMessage() const { return message; }
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string path;
  std::string message;
};

/// A FileError for `path`.
llvm::Error makeFileError(llvm::StringRef path, const llvm::Twine &message);

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// An input file opened for bounded, sequential reading. "-" is stdin.
class InputFile {
public:
  /// Opens `path`; `what` ("source file", ".npy file") names it in messages
  /// such as "cannot open .npy file: No such file or directory". A
  /// directory is refused here.
  static llvm::Expected<InputFile> open(llvm::StringRef path,
                                        llvm::StringRef what = "file");
  InputFile(InputFile &&other);
  InputFile &operator=(InputFile &&) = delete;
  ~InputFile();

  llvm::StringRef getPath() const { return path; }
  /// The size of a regular file when it was opened (which may still grow or
  /// shrink), std::nullopt for a stream.
  std::optional<uint64_t> getSize() const { return size; }

  /// Reads into `buffer` until it is full or the file ends; returns the
  /// number of bytes read.
  llvm::Expected<size_t> read(llvm::MutableArrayRef<char> buffer);
  /// Reads the rest of the file, refusing it when it holds more than
  /// `limit` bytes (a regular file is refused from its size without reading
  /// it; a stream is read up to `limit` + 1 bytes). The buffer is
  /// null-terminated and named after the path.
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  readRest(uint64_t limit = kMaxInputBytes);

  /// "cannot read WHAT: it is larger than LIMIT (the limit for input files)"
  /// as a FileError for this file.
  llvm::Error tooLarge(uint64_t limit) const;

private:
  InputFile(std::string path, std::string what, int fd, bool owned,
            std::optional<uint64_t> size)
      : path(std::move(path)), what(std::move(what)), fd(fd), owned(owned),
        size(size) {}
  llvm::Error readError(std::error_code ec) const;
  llvm::Error outOfMemory() const;
  /// Reads what is left, up to `limit` + 1 bytes, in pieces.
  llvm::Error readChunks(uint64_t limit,
                         std::vector<std::unique_ptr<char[]>> &chunks,
                         std::vector<size_t> &chunkSizes);

  std::string path;
  std::string what;
  int fd = -1;
  bool owned = false;
  std::optional<uint64_t> size;
};

/// Reads the whole of `path` (see InputFile) into a null-terminated buffer.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(llvm::StringRef path, llvm::StringRef what = "file",
              uint64_t limit = kMaxInputBytes);

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

/// The outputs of one command, written all or nothing.
///
///   AtomicOutputs outputs;
///   outputs.addInput(sourcePath);
///   unsigned lib = outputs.add("libmm.so", "shared library",
///                              AtomicOutputs::RegularFileOnly);
///   unsigned hdr = outputs.add("libmm.h", "C header");
///   if (llvm::Error e = outputs.check()) ...     // before any work
///   ... link into outputs.getTemporaryPath(lib), print into *outputs.open(hdr)
///   if (llvm::Error e = outputs.commit()) ...    // everything or nothing
///
/// check() resolves each destination and refuses, as a FileError naming it:
/// an empty path, a directory, a missing or unwritable directory, an
/// unwritable file, a socket, a symlink loop, an input (same device and
/// inode, after resolving symlinks), and two outputs that are the same file.
/// A regular file, or a new one, is written to a temporary beside it (a
/// hidden `.NAME.tmp-XXXXXXXX`, given the replaced file's permissions) and
/// renamed over it by commit(); a device, a fifo or stdout ("-") is written
/// in place, from memory, by commit(). commit() writes the in-place outputs
/// first and renames the temporaries last, so a failure before the renames
/// leaves every regular file as it was. Temporaries are removed on any
/// failure, by discard() and by the destructor.
class AtomicOutputs {
public:
  /// What an output may be.
  enum Accept {
    AnyDestination,  ///< a regular file, a device, a fifo or stdout
    RegularFileOnly, ///< a regular file (or a new one) only
  };

  AtomicOutputs();
  ~AtomicOutputs();
  AtomicOutputs(const AtomicOutputs &) = delete;
  AtomicOutputs &operator=(const AtomicOutputs &) = delete;

  /// Records a file the command reads ("-": stdin); no output may be the
  /// same file. A path that cannot be examined is ignored.
  void addInput(llvm::StringRef path);
  /// Declares an output ("-": stdout) and returns its number. `what` names
  /// it in messages ("output", "C header", "result 'c'").
  unsigned add(llvm::StringRef path, llvm::StringRef what = "output",
               Accept accept = AnyDestination);

  /// Checks every output; the first problem found.
  llvm::Error check();

  /// After check(): the stream that output `id` is written to (a temporary
  /// file, or memory for in-place outputs). The same stream on every call.
  llvm::Expected<llvm::raw_pwrite_stream *> open(unsigned id);
  /// After check(): a fresh temporary file that another program may
  /// overwrite by name (a linker's -o), for a regular-file output.
  llvm::Expected<std::string> getTemporaryPath(unsigned id);
  /// After check(): whether output `id` is a regular file (replaced by a
  /// temporary) rather than stdout, a device or a fifo.
  bool isRegularFile(unsigned id) const;

  /// Completes every output that was opened (outputs never opened are left
  /// alone); see the class comment.
  llvm::Error commit();
  /// Removes every temporary; nothing is written.
  void discard();

private:
  struct Output;
  llvm::Error checkOne(Output &out);
  llvm::Error checkExisting(Output &out,
                            const llvm::sys::fs::file_status &status);
  llvm::Error checkDirectory(Output &out);
  llvm::Error checkCollisions(const Output &out, size_t index) const;
  llvm::Error createTemporary(Output &out);
  llvm::Error writeInPlace(Output &out);

  std::vector<llvm::sys::fs::UniqueID> inputs;
  std::vector<std::unique_ptr<Output>> outputs;
  bool checked = false;
};

} // namespace tessera

#endif // TESSERA_RUNTIME_FILEIO_H
