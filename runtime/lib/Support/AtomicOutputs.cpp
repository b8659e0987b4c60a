//===- AtomicOutputs.cpp - Checked, all-or-nothing output files -----------===//

#include "tessera/Runtime/FileIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <cerrno>
#include <unistd.h>

using namespace tessera;
using llvm::StringRef;
namespace fs = llvm::sys::fs;

/// How many symlinks are followed before giving up, as Linux does.
static constexpr unsigned kMaxSymlinkHops = 40;

/// How an output is written.
enum class Mode {
  Stdout,  ///< "-": written to stdout from memory
  Replace, ///< a regular or new file: a temporary renamed over it
  InPlace, ///< a device or a fifo: opened and written from memory
};

struct AtomicOutputs::Output {
  std::string path; ///< as given
  std::string what;
  Accept accept = AnyDestination;

  // Set by check().
  std::string target; ///< `path` with symlinks resolved
  Mode mode = Mode::Replace;
  std::optional<fs::UniqueID> id; ///< of an existing file
  std::string newPath;            ///< canonical path of a file to create
  std::optional<fs::perms> perms; ///< of a replaced file

  // Set by open() and getTemporaryPath().
  std::string tempPath;
  std::unique_ptr<llvm::raw_fd_ostream> file;
  llvm::SmallVector<char, 0> memory;
  std::unique_ptr<llvm::raw_svector_ostream> memoryStream;
  bool opened = false;

  llvm::Error error(const llvm::Twine &message) const {
    return makeFileError(path.empty() ? "<empty path>" : StringRef(path),
                         "cannot write " + what + ": " + message);
  }
  StringRef getDirectory() const {
    StringRef dir = llvm::sys::path::parent_path(target);
    return dir.empty() ? "." : dir;
  }
};

/// Follows symlinks from `path` to the file they name, which need not exist.
static std::error_code resolveSymlinks(StringRef path, std::string &result) {
  llvm::SmallString<256> current(path);
  for (unsigned hops = 0; hops <= kMaxSymlinkHops; ++hops) {
    fs::file_status status;
    std::error_code ec = fs::status(current, status, /*follow=*/false);
    if (ec == std::errc::no_such_file_or_directory ||
        (!ec && status.type() != fs::file_type::symlink_file)) {
      result = std::string(current);
      return {};
    }
    if (ec)
      return ec;
    char link[4096];
    ssize_t n = ::readlink(current.c_str(), link, sizeof(link));
    if (n < 0)
      return std::error_code(errno, std::generic_category());
    if (static_cast<size_t>(n) == sizeof(link))
      return std::make_error_code(std::errc::filename_too_long);
    StringRef linkText(link, n);
    if (llvm::sys::path::is_absolute(linkText)) {
      current = linkText;
    } else {
      llvm::SmallString<256> next(llvm::sys::path::parent_path(current));
      llvm::sys::path::append(next, linkText);
      current = next;
    }
  }
  return std::make_error_code(std::errc::too_many_symbolic_link_levels);
}

static StringRef describeType(fs::file_type type) {
  switch (type) {
  case fs::file_type::character_file:
    return "a character device";
  case fs::file_type::block_file:
    return "a block device";
  case fs::file_type::fifo_file:
    return "a fifo";
  case fs::file_type::socket_file:
    return "a socket";
  default:
    return "not a regular file";
  }
}

AtomicOutputs::AtomicOutputs() = default;
AtomicOutputs::~AtomicOutputs() { discard(); }

void AtomicOutputs::addInput(StringRef path) {
  fs::file_status status;
  std::error_code ec =
      path == "-" ? fs::status(0, status) : fs::status(path, status);
  if (!ec)
    inputs.push_back(status.getUniqueID());
}

unsigned AtomicOutputs::add(StringRef path, StringRef what, Accept accept) {
  auto out = std::make_unique<Output>();
  out->path = path.str();
  out->what = what.str();
  out->accept = accept;
  outputs.push_back(std::move(out));
  checked = false;
  return outputs.size() - 1;
}

llvm::Error AtomicOutputs::checkOne(Output &out) {
  out.id.reset();
  out.newPath.clear();
  out.perms.reset();
  if (out.path.empty())
    return out.error("the path is empty");
  if (out.path == "-") {
    if (out.accept == RegularFileOnly)
      return out.error("it must be a file, not stdout");
    out.mode = Mode::Stdout;
    return llvm::Error::success();
  }
  if (std::error_code ec = resolveSymlinks(out.path, out.target))
    return out.error(ec.message());
  fs::file_status status;
  std::error_code ec = fs::status(out.target, status);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return out.error(ec.message());
  out.mode = Mode::Replace;
  if (!ec) {
    if (llvm::Error e = checkExisting(out, status))
      return e;
    if (out.mode == Mode::InPlace)
      return llvm::Error::success();
  }
  return checkDirectory(out);
}

llvm::Error AtomicOutputs::checkExisting(Output &out,
                                         const fs::file_status &status) {
  fs::file_type type = status.type();
  if (type == fs::file_type::directory_file)
    return out.error("it is a directory");
  bool special = type == fs::file_type::character_file ||
                 type == fs::file_type::block_file ||
                 type == fs::file_type::fifo_file;
  if (type != fs::file_type::regular_file && !special)
    return out.error("it is " + describeType(type));
  if (special && out.accept == RegularFileOnly)
    return out.error("it is " + describeType(type) +
                     "; it must be a regular file");
  out.mode = special ? Mode::InPlace : Mode::Replace;
  out.id = status.getUniqueID();
  out.perms = status.permissions();
  // As if opened for writing: a read-only file is refused (except for root).
  if (std::error_code ec = fs::access(out.target, fs::AccessMode::Write))
    return out.error(ec.message());
  return llvm::Error::success();
}

llvm::Error AtomicOutputs::checkDirectory(Output &out) {
  // A temporary is created in the directory and renamed into place.
  StringRef dir = out.getDirectory();
  fs::file_status dirStatus;
  if (std::error_code ec = fs::status(dir, dirStatus))
    return out.error("directory '" + dir + "': " + ec.message());
  if (dirStatus.type() != fs::file_type::directory_file)
    return out.error("'" + dir + "' is not a directory");
  // Writable and searchable (fs::access never calls a directory executable).
  if (::access(dir.str().c_str(), W_OK | X_OK) != 0)
    return out.error("cannot create files in '" + dir + "': " +
                     std::error_code(errno, std::generic_category()).message());
  if (out.id)
    return llvm::Error::success();
  // A new file is known by its canonical path until it exists.
  llvm::SmallString<256> real;
  if (std::error_code ec = fs::real_path(dir, real))
    return out.error("directory '" + dir + "': " + ec.message());
  llvm::sys::path::append(real, llvm::sys::path::filename(out.target));
  out.newPath = std::string(real);
  return llvm::Error::success();
}

llvm::Error AtomicOutputs::checkCollisions(const Output &out,
                                           size_t index) const {
  if (out.id && llvm::is_contained(inputs, *out.id))
    return out.error("it is also an input file");
  for (size_t i = 0; i < index; ++i) {
    const Output &other = *outputs[i];
    bool same = (out.mode == Mode::Stdout && other.mode == Mode::Stdout) ||
                (out.id && other.id && *out.id == *other.id) ||
                (!out.newPath.empty() && out.newPath == other.newPath);
    if (!same)
      continue;
    std::string message = "it is the same file as the " + other.what;
    if (other.path != out.path)
      message += " ('" + other.path + "')";
    return out.error(message);
  }
  return llvm::Error::success();
}

llvm::Error AtomicOutputs::check() {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (llvm::Error e = checkOne(*outputs[i]))
      return e;
    if (llvm::Error e = checkCollisions(*outputs[i], i))
      return e;
  }
  checked = true;
  return llvm::Error::success();
}

bool AtomicOutputs::isRegularFile(unsigned id) const {
  return outputs[id]->mode == Mode::Replace;
}

llvm::Error AtomicOutputs::createTemporary(Output &out) {
  if (!out.tempPath.empty())
    return llvm::Error::success();
  StringRef dir = out.getDirectory();
  llvm::SmallString<256> model(dir);
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(out.target) +
                                     ".tmp-%%%%%%%%");
  int fd = -1;
  llvm::SmallString<256> tempPath;
  if (std::error_code ec = fs::createUniqueFile(model, fd, tempPath))
    return out.error("cannot create a temporary file in '" + dir +
                     "': " + ec.message());
  out.tempPath = std::string(tempPath);
  llvm::sys::RemoveFileOnSignal(out.tempPath);
  out.file = std::make_unique<llvm::raw_fd_ostream>(fd, /*shouldClose=*/true);
  out.opened = true;
  return llvm::Error::success();
}

llvm::Expected<llvm::raw_pwrite_stream *> AtomicOutputs::open(unsigned id) {
  assert(checked && "AtomicOutputs::open before a successful check");
  Output &out = *outputs[id];
  if (out.mode != Mode::Replace) {
    if (!out.memoryStream)
      out.memoryStream =
          std::make_unique<llvm::raw_svector_ostream>(out.memory);
    out.opened = true;
    return out.memoryStream.get();
  }
  if (out.tempPath.empty()) {
    if (llvm::Error e = createTemporary(out))
      return std::move(e);
  } else if (!out.file) {
    // Handed out by path before: write it again from the start.
    std::error_code ec;
    out.file = std::make_unique<llvm::raw_fd_ostream>(out.tempPath, ec);
    if (ec) {
      out.file.reset();
      return out.error(ec.message());
    }
  }
  return out.file.get();
}

llvm::Expected<std::string> AtomicOutputs::getTemporaryPath(unsigned id) {
  assert(checked && "AtomicOutputs::getTemporaryPath before a check");
  Output &out = *outputs[id];
  if (out.mode != Mode::Replace)
    return out.error("it must be a regular file");
  if (llvm::Error e = createTemporary(out))
    return std::move(e);
  out.file->close();
  out.file->clear_error();
  out.file.reset();
  return out.tempPath;
}

llvm::Error AtomicOutputs::writeInPlace(Output &out) {
  StringRef data(out.memory.data(), out.memory.size());
  if (out.mode == Mode::Stdout) {
    llvm::outs() << data;
    llvm::outs().flush();
    if (!llvm::outs().has_error())
      return llvm::Error::success();
    std::error_code ec = llvm::outs().error();
    llvm::outs().clear_error();
    return makeFileError("<stdout>",
                         "cannot write " + out.what + ": " + ec.message());
  }
  int fd = -1;
  if (std::error_code ec =
          fs::openFileForWrite(out.target, fd, fs::CD_OpenExisting))
    return out.error(ec.message());
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << data;
  os.close();
  if (!os.has_error())
    return llvm::Error::success();
  std::error_code ec = os.error();
  os.clear_error();
  return out.error(ec.message());
}

llvm::Error AtomicOutputs::commit() {
  assert(checked && "AtomicOutputs::commit before a successful check");
  auto fail = [&](llvm::Error e) {
    discard();
    return e;
  };
  // Complete every temporary.
  for (auto &out : outputs) {
    if (!out->file)
      continue;
    out->file->close();
    std::error_code ec = out->file->error();
    out->file->clear_error();
    out->file.reset();
    if (ec)
      return fail(out->error(ec.message()));
  }
  // Devices, fifos and stdout, which cannot be taken back.
  for (auto &out : outputs)
    if (out->opened && out->mode != Mode::Replace)
      if (llvm::Error e = writeInPlace(*out))
        return fail(std::move(e));
  // The renames, last: a replaced file keeps its permissions.
  for (auto &out : outputs) {
    if (!out->opened || out->mode != Mode::Replace)
      continue;
    if (out->perms)
      (void)fs::setPermissions(out->tempPath, *out->perms);
    if (std::error_code ec = fs::rename(out->tempPath, out->target))
      return fail(out->error(ec.message()));
    llvm::sys::DontRemoveFileOnSignal(out->tempPath);
    out->tempPath.clear();
    out->opened = false;
  }
  for (auto &out : outputs)
    out->opened = false;
  return llvm::Error::success();
}

void AtomicOutputs::discard() {
  for (auto &out : outputs) {
    if (out->file) {
      out->file->close();
      out->file->clear_error();
      out->file.reset();
    }
    if (!out->tempPath.empty()) {
      (void)fs::remove(out->tempPath);
      llvm::sys::DontRemoveFileOnSignal(out->tempPath);
      out->tempPath.clear();
    }
    out->memoryStream.reset();
    out->memory.clear();
    out->opened = false;
  }
}
