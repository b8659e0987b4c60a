//===- InputFile.cpp - Bounded reading of input files ---------------------===//

#include "tessera/Runtime/FileIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"

#include <cstring>
#include <new>

using namespace tessera;
using llvm::StringRef;

/// Streams are read in pieces of this size.
static constexpr size_t kChunkBytes = size_t(1) << 20;

std::string tessera::formatByteCount(uint64_t bytes) {
  static const char *const kUnits[] = {"TiB", "GiB", "MiB", "KiB"};
  for (unsigned i = 0; i < 4; ++i) {
    uint64_t unit = uint64_t(1) << (10 * (4 - i));
    if (bytes != 0 && bytes % unit == 0)
      return std::to_string(bytes / unit) + " " + kUnits[i];
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

//===----------------------------------------------------------------------===//
// FileError
//===----------------------------------------------------------------------===//

char FileError::ID = 0;

void FileError::log(llvm::raw_ostream &os) const {
  os << path << ": error: " << message;
}

std::error_code FileError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error tessera::makeFileError(StringRef path, const llvm::Twine &message) {
  return llvm::make_error<FileError>(path.str(), message.str());
}

//===----------------------------------------------------------------------===//
// InputFile
//===----------------------------------------------------------------------===//

llvm::Expected<InputFile> InputFile::open(StringRef path, StringRef what) {
  int fd = 0;
  bool owned = false;
  if (path != "-") {
    if (std::error_code ec = llvm::sys::fs::openFileForRead(path, fd))
      return makeFileError(path, "cannot open " + what + ": " + ec.message());
    owned = true;
  }
  InputFile file(path.str(), what.str(), fd, owned, std::nullopt);
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(fd, status))
    return file.readError(ec);
  switch (status.type()) {
  case llvm::sys::fs::file_type::directory_file:
    return makeFileError(path, "cannot read " + what + ": it is a directory");
  case llvm::sys::fs::file_type::regular_file:
    file.size = status.getSize();
    break;
  default:
    // A device, a fifo, a pipe or a terminal: read as a stream.
    break;
  }
  return std::move(file);
}

InputFile::InputFile(InputFile &&other)
    : path(std::move(other.path)), what(std::move(other.what)), fd(other.fd),
      owned(other.owned), size(other.size) {
  other.owned = false;
}

InputFile::~InputFile() {
  if (owned)
    (void)llvm::sys::fs::closeFile(fd);
}

llvm::Error InputFile::readError(std::error_code ec) const {
  return makeFileError(path, "cannot read " + what + ": " + ec.message());
}

llvm::Error InputFile::tooLarge(uint64_t limit) const {
  return makeFileError(path, "cannot read " + what + ": it is larger than " +
                                 formatByteCount(limit) +
                                 " (the limit for input files)");
}

llvm::Expected<size_t> InputFile::read(llvm::MutableArrayRef<char> buffer) {
  size_t done = 0;
  while (done < buffer.size()) {
    llvm::Expected<size_t> n =
        llvm::sys::fs::readNativeFile(fd, buffer.drop_front(done));
    if (!n)
      return readError(llvm::errorToErrorCode(n.takeError()));
    if (*n == 0)
      break;
    done += *n;
  }
  return done;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
InputFile::readRest(uint64_t limit) {
  if (size && *size > limit)
    return tooLarge(limit);
  // A regular file is read into a buffer of its size, in one piece.
  size_t expected = size.value_or(0);
  std::unique_ptr<llvm::WritableMemoryBuffer> first =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(expected, path);
  if (!first)
    return outOfMemory();
  llvm::Expected<size_t> firstRead = read(first->getBuffer());
  if (!firstRead)
    return firstRead.takeError();
  if (*firstRead < expected) // shrunk while we read it
    return llvm::MemoryBuffer::getMemBufferCopy(
        StringRef(first->getBufferStart(), *firstRead), path);

  // Then, and for streams only, whatever follows (a regular file may grow,
  // and files in /proc report a size of 0), in pieces, up to limit + 1.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::vector<size_t> chunkSizes;
  if (llvm::Error e = readChunks(limit - expected, chunks, chunkSizes))
    return std::move(e);
  if (chunks.empty())
    return std::move(first);
  uint64_t total = expected;
  for (size_t n : chunkSizes)
    total += n;
  std::unique_ptr<llvm::WritableMemoryBuffer> whole =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(total, path);
  if (!whole)
    return outOfMemory();
  char *out = whole->getBufferStart();
  std::memcpy(out, first->getBufferStart(), expected);
  out += expected;
  first.reset();
  for (size_t i = 0; i < chunks.size(); ++i) {
    std::memcpy(out, chunks[i].get(), chunkSizes[i]);
    out += chunkSizes[i];
    chunks[i].reset();
  }
  return std::move(whole);
}

llvm::Error InputFile::readChunks(uint64_t limit,
                                  std::vector<std::unique_ptr<char[]>> &chunks,
                                  std::vector<size_t> &chunkSizes) {
  uint64_t total = 0;
  while (true) {
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(kChunkBytes, limit + 1 - total));
    std::unique_ptr<char[]> chunk(new (std::nothrow) char[want]);
    if (!chunk)
      return outOfMemory();
    llvm::Expected<size_t> n =
        read(llvm::MutableArrayRef<char>(chunk.get(), want));
    if (!n)
      return n.takeError();
    if (*n == 0)
      return llvm::Error::success();
    total += *n;
    // The original limit, in the message, includes what came before.
    if (total > limit)
      return tooLarge(limit + size.value_or(0));
    chunks.push_back(std::move(chunk));
    chunkSizes.push_back(*n);
    if (*n < want)
      return llvm::Error::success();
  }
}

llvm::Error InputFile::outOfMemory() const {
  return readError(std::make_error_code(std::errc::not_enough_memory));
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
tessera::readInputFile(StringRef path, StringRef what, uint64_t limit) {
  llvm::Expected<InputFile> file = InputFile::open(path, what);
  if (!file)
    return file.takeError();
  return file->readRest(limit);
}
