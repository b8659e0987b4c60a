//===- FileIOTest.cpp - Bounded inputs and all-or-nothing outputs ---------===//
//
// InputFile and readInputFile (bounds, streams, errors) and AtomicOutputs
// (what is written where, what is refused, all or nothing), on files in a
// scratch folder. Fifos are read or written by a second thread; device nodes
// are made with mknod in the scratch folder when running as root.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupportTestUtils.h"

#include "tessera/Runtime/FileIO.h"

#include "llvm/Support/FileSystem.h"

#include "gtest/gtest.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

using namespace tessera;
using namespace tessera::unittest;

namespace {

/// The message of an Error or failed Expected ("<success>" if none).
std::string messageOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : "<success>";
}
template <typename T> std::string messageOf(llvm::Expected<T> value) {
  return value ? "<success>" : llvm::toString(value.takeError());
}

/// The names in `dir`, sorted.
std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    names.push_back(llvm::sys::path::filename(it->path()).str());
  std::sort(names.begin(), names.end());
  return names;
}

/// Writes `text` to output `id` of `outputs`.
void write(AtomicOutputs &outputs, unsigned id, llvm::StringRef text) {
  llvm::Expected<llvm::raw_pwrite_stream *> os = outputs.open(id);
  ASSERT_TRUE(static_cast<bool>(os)) << llvm::toString(os.takeError());
  **os << text;
}

bool isRoot() { return ::geteuid() == 0; }

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

TEST(FileIOTest, FormatByteCount) {
  EXPECT_EQ(formatByteCount(kMaxInputBytes), "1 GiB");
  EXPECT_EQ(formatByteCount(3 << 20), "3 MiB");
  EXPECT_EQ(formatByteCount(1024), "1 KiB");
  EXPECT_EQ(formatByteCount(1000), "1000 bytes");
  EXPECT_EQ(formatByteCount(1), "1 byte");
  EXPECT_EQ(formatByteCount(0), "0 bytes");
}

TEST(FileIOTest, ReadsRegularFiles) {
  TempDir dir;
  std::string path = dir.file("a.txt");
  writeFile(path, "hello");
  auto buffer = readInputFile(path);
  ASSERT_TRUE(static_cast<bool>(buffer)) << llvm::toString(buffer.takeError());
  EXPECT_EQ((*buffer)->getBuffer(), "hello");
  EXPECT_EQ((*buffer)->getBufferIdentifier(), path);
  EXPECT_EQ((*buffer)->getBufferEnd()[0], '\0');

  // Exactly at the limit is fine; one byte more is refused from the size.
  EXPECT_TRUE(static_cast<bool>(readInputFile(path, "file", 5)));
  EXPECT_EQ(messageOf(readInputFile(path, "source file", 4)),
            path + ": error: cannot read source file: it is larger than 4 "
                   "bytes (the limit for input files)");
  writeFile(path, "");
  buffer = readInputFile(path);
  ASSERT_TRUE(static_cast<bool>(buffer));
  EXPECT_EQ((*buffer)->getBufferSize(), 0u);
}

TEST(FileIOTest, RefusesLargeFilesFromTheirSize) {
  TempDir dir;
  std::string path = dir.file("sparse.bin");
  // Sparse: no disk space, and nothing of it is read.
  writeFile(path, "");
  ASSERT_EQ(::truncate(path.c_str(), kMaxInputBytes + 1), 0);
  EXPECT_EQ(messageOf(readInputFile(path, ".npy file")),
            path + ": error: cannot read .npy file: it is larger than 1 GiB "
                   "(the limit for input files)");
}

TEST(FileIOTest, FileSystemErrorsAreOneLine) {
  TempDir dir;
  std::string missing = dir.file("missing.tess");
  EXPECT_EQ(messageOf(readInputFile(missing, "source file")),
            missing + ": error: cannot open source file: No such file or "
                      "directory");
  EXPECT_EQ(messageOf(readInputFile(dir.get(), "source file")),
            dir.get() + ": error: cannot read source file: it is a directory");
  llvm::Error err = makeFileError("x.npy", "message");
  llvm::handleAllErrors(std::move(err), [](const FileError &e) {
    EXPECT_EQ(e.getPath(), "x.npy");
    EXPECT_EQ(e.getMessage(), "message");
  });
}

TEST(FileIOTest, StreamsStopAtTheLimit) {
  // /dev/zero never ends: reading stops at the limit plus one byte.
  EXPECT_EQ(messageOf(readInputFile("/dev/zero", "file", 3000000)),
            "/dev/zero: error: cannot read file: it is larger than 3000000 "
            "bytes (the limit for input files)");
  llvm::Expected<InputFile> zero = InputFile::open("/dev/zero");
  ASSERT_TRUE(static_cast<bool>(zero));
  EXPECT_FALSE(zero->getSize().has_value());
  char bytes[17] = {1};
  llvm::Expected<size_t> n = zero->read(bytes);
  ASSERT_TRUE(static_cast<bool>(n));
  EXPECT_EQ(*n, 17u);
  EXPECT_EQ(bytes[0], 0);
}

TEST(FileIOTest, ReadsFifosToTheirEnd) {
  TempDir dir;
  std::string path = dir.file("fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // More than one piece of the stream reader, and not a multiple of it.
  std::string data(3 * (size_t(1) << 20) + 5, 'x');
  data[12345] = 'y';
  std::thread writer([&] { writeFile(path, data); });
  auto buffer = readInputFile(path);
  writer.join();
  ASSERT_TRUE(static_cast<bool>(buffer)) << llvm::toString(buffer.takeError());
  EXPECT_EQ((*buffer)->getBuffer(), data);
  EXPECT_EQ((*buffer)->getBufferEnd()[0], '\0');

  std::thread small([&] { writeFile(path, "0123456789"); });
  EXPECT_EQ(messageOf(readInputFile(path, "file", 9)),
            path + ": error: cannot read file: it is larger than 9 bytes (the "
                   "limit for input files)");
  small.join();
}

TEST(FileIOTest, ReadsFilesThatMisreportTheirSize) {
  // Files in /proc are regular files of size 0 with contents.
  llvm::Expected<InputFile> file = InputFile::open("/proc/self/status");
  ASSERT_TRUE(static_cast<bool>(file));
  EXPECT_EQ(file->getSize(), std::optional<uint64_t>(0));
  auto buffer = file->readRest();
  ASSERT_TRUE(static_cast<bool>(buffer));
  EXPECT_TRUE((*buffer)->getBuffer().starts_with("Name:"));
}

//===----------------------------------------------------------------------===//
// Outputs: where and how
//===----------------------------------------------------------------------===//

TEST(AtomicOutputsTest, WritesNewAndReplacedFiles) {
  TempDir dir;
  std::string fresh = dir.file("new.txt"), old = dir.file("old.txt");
  writeFile(old, "old contents, longer than the new ones");
  llvm::sys::fs::setPermissions(old, llvm::sys::fs::perms(0640));
  AtomicOutputs outputs;
  unsigned a = outputs.add(fresh), b = outputs.add(old);
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  EXPECT_TRUE(outputs.isRegularFile(a));
  write(outputs, a, "one");
  write(outputs, b, "two");
  // Nothing is visible before commit, apart from the hidden temporaries.
  EXPECT_FALSE(llvm::sys::fs::exists(fresh));
  EXPECT_EQ(readFile(old), "old contents, longer than the new ones");
  EXPECT_EQ(listDir(dir.get()).size(), 3u);
  ASSERT_EQ(messageOf(outputs.commit()), "<success>");
  EXPECT_EQ(readFile(fresh), "one");
  EXPECT_EQ(readFile(old), "two");
  EXPECT_EQ(*llvm::sys::fs::getPermissions(old), llvm::sys::fs::perms(0640));
  EXPECT_EQ(listDir(dir.get()),
            (std::vector<std::string>{"new.txt", "old.txt"}));
}

TEST(AtomicOutputsTest, WritesThroughSymlinks) {
  TempDir dir;
  ASSERT_EQ(::mkdir(dir.file("sub").c_str(), 0700), 0);
  std::string target = dir.file("sub/target.txt");
  writeFile(target, "old");
  ASSERT_FALSE(llvm::sys::fs::create_link("sub/target.txt", dir.file("link")));
  // A dangling link creates its target; a chain is followed to its end.
  ASSERT_FALSE(llvm::sys::fs::create_link("sub/new.txt", dir.file("dangling")));
  ASSERT_FALSE(llvm::sys::fs::create_link("link", dir.file("chain")));
  AtomicOutputs outputs;
  unsigned a = outputs.add(dir.file("link"));
  unsigned b = outputs.add(dir.file("dangling"));
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  write(outputs, a, "through the link");
  write(outputs, b, "created");
  ASSERT_EQ(messageOf(outputs.commit()), "<success>");
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(dir.file("link")));
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(dir.file("dangling")));
  EXPECT_EQ(readFile(target), "through the link");
  EXPECT_EQ(readFile(dir.file("sub/new.txt")), "created");

  AtomicOutputs chain;
  unsigned c = chain.add(dir.file("chain"));
  ASSERT_EQ(messageOf(chain.check()), "<success>");
  write(chain, c, "chained");
  ASSERT_EQ(messageOf(chain.commit()), "<success>");
  EXPECT_EQ(readFile(target), "chained");
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(dir.file("chain")));

  // A loop is an error.
  ASSERT_FALSE(llvm::sys::fs::create_link("loop2", dir.file("loop1")));
  ASSERT_FALSE(llvm::sys::fs::create_link("loop1", dir.file("loop2")));
  AtomicOutputs loop;
  loop.add(dir.file("loop1"));
  EXPECT_EQ(messageOf(loop.check()),
            dir.file("loop1") +
                ": error: cannot write output: Too many levels of symbolic "
                "links");
}

TEST(AtomicOutputsTest, WritesFifosInPlace) {
  TempDir dir;
  std::string path = dir.file("fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  AtomicOutputs outputs;
  unsigned id = outputs.add(path);
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  EXPECT_FALSE(outputs.isRegularFile(id));
  write(outputs, id, "through the fifo");
  std::string received;
  std::thread reader([&] { received = readFile(path); });
  ASSERT_EQ(messageOf(outputs.commit()), "<success>");
  reader.join();
  EXPECT_EQ(received, "through the fifo");
  llvm::sys::fs::file_status status;
  ASSERT_FALSE(llvm::sys::fs::status(path, status));
  EXPECT_EQ(status.type(), llvm::sys::fs::file_type::fifo_file);
}

TEST(AtomicOutputsTest, WritesDevicesInPlace) {
  AtomicOutputs outputs;
  unsigned id = outputs.add("/dev/null");
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  EXPECT_FALSE(outputs.isRegularFile(id));
  write(outputs, id, "discarded");
  ASSERT_EQ(messageOf(outputs.commit()), "<success>");
  llvm::sys::fs::file_status status;
  ASSERT_FALSE(llvm::sys::fs::status("/dev/null", status));
  EXPECT_EQ(status.type(), llvm::sys::fs::file_type::character_file);
}

TEST(AtomicOutputsTest, TemporaryPathsForOtherPrograms) {
  TempDir dir;
  std::string path = dir.file("lib.so");
  AtomicOutputs outputs;
  unsigned id =
      outputs.add(path, "shared library", AtomicOutputs::RegularFileOnly);
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  llvm::Expected<std::string> temp = outputs.getTemporaryPath(id);
  ASSERT_TRUE(static_cast<bool>(temp));
  EXPECT_EQ(llvm::sys::path::parent_path(*temp), dir.get());
  writeFile(*temp, "linked");
  ASSERT_EQ(messageOf(outputs.commit()), "<success>");
  EXPECT_EQ(readFile(path), "linked");
  EXPECT_EQ(listDir(dir.get()), std::vector<std::string>{"lib.so"});
}

//===----------------------------------------------------------------------===//
// Outputs: what is refused
//===----------------------------------------------------------------------===//

/// check() of one output at `path` (with `input` as an input when given).
std::string
checkOne(const std::string &path,
         AtomicOutputs::Accept accept = AtomicOutputs::AnyDestination,
         const std::string &input = "") {
  AtomicOutputs outputs;
  if (!input.empty())
    outputs.addInput(input);
  outputs.add(path, "output", accept);
  return messageOf(outputs.check());
}

TEST(AtomicOutputsTest, RefusesBadDestinations) {
  TempDir dir;
  std::string file = dir.file("file.txt");
  writeFile(file, "x");
  EXPECT_EQ(checkOne(dir.get()),
            dir.get() + ": error: cannot write output: it is a directory");
  EXPECT_EQ(checkOne(dir.file("no/x")),
            dir.file("no/x") + ": error: cannot write output: directory '" +
                dir.file("no") + "': No such file or directory");
  EXPECT_EQ(checkOne(dir.file("file.txt/x")),
            dir.file("file.txt/x") +
                ": error: cannot write output: Not a directory");
  EXPECT_EQ(checkOne(""),
            "<empty path>: error: cannot write output: the path is empty");
  EXPECT_EQ(checkOne("-", AtomicOutputs::RegularFileOnly),
            "-: error: cannot write output: it must be a file, not stdout");
  std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(checkOne(fifo, AtomicOutputs::RegularFileOnly),
            fifo + ": error: cannot write output: it is a fifo; it must be a "
                   "regular file");
  EXPECT_EQ(checkOne("/dev/null", AtomicOutputs::RegularFileOnly),
            "/dev/null: error: cannot write output: it is a character device; "
            "it must be a regular file");
  if (!isRoot()) {
    // Root may write anything; others may not replace a read-only file.
    llvm::sys::fs::setPermissions(file, llvm::sys::fs::perms(0444));
    EXPECT_EQ(checkOne(file),
              file + ": error: cannot write output: Permission denied");
    std::string locked = dir.file("locked");
    ASSERT_EQ(::mkdir(locked.c_str(), 0500), 0);
    EXPECT_EQ(checkOne(locked + "/x"),
              locked +
                  "/x: error: cannot write output: cannot create files "
                  "in '" +
                  locked + "': Permission denied");
  }
}

TEST(AtomicOutputsTest, RefusesInputs) {
  TempDir dir;
  std::string source = dir.file("source.tess");
  writeFile(source, "precious");
  ASSERT_FALSE(llvm::sys::fs::create_link("source.tess", dir.file("link")));
  ASSERT_FALSE(llvm::sys::fs::create_hard_link(source, dir.file("hard")));
  std::string expected = ": error: cannot write output: it is also an input "
                         "file";
  EXPECT_EQ(checkOne(source, AtomicOutputs::AnyDestination, source),
            source + expected);
  EXPECT_EQ(checkOne(dir.file("link"), AtomicOutputs::AnyDestination, source),
            dir.file("link") + expected);
  EXPECT_EQ(checkOne(dir.file("hard"), AtomicOutputs::AnyDestination, source),
            dir.file("hard") + expected);
  EXPECT_EQ(checkOne(source, AtomicOutputs::AnyDestination, dir.file("link")),
            source + expected);
  EXPECT_EQ(readFile(source), "precious");
  // A missing input is ignored.
  EXPECT_EQ(checkOne(source, AtomicOutputs::AnyDestination, dir.file("none")),
            "<success>");
}

TEST(AtomicOutputsTest, RefusesTheSameFileTwice) {
  TempDir dir;
  writeFile(dir.file("old.txt"), "old");
  ASSERT_FALSE(llvm::sys::fs::create_link("old.txt", dir.file("link")));
  auto check = [&](const std::string &a, const std::string &b) {
    AtomicOutputs outputs;
    outputs.add(a, "library");
    outputs.add(b, "header");
    return messageOf(outputs.check());
  };
  EXPECT_EQ(check(dir.file("new.txt"), dir.file("new.txt")),
            dir.file("new.txt") + ": error: cannot write header: it is the "
                                  "same file as the library");
  EXPECT_EQ(check(dir.file("new.txt"), dir.get() + "/./new.txt"),
            dir.get() +
                "/./new.txt: error: cannot write header: it is the "
                "same file as the library ('" +
                dir.file("new.txt") + "')");
  EXPECT_EQ(check(dir.file("old.txt"), dir.file("link")),
            dir.file("link") +
                ": error: cannot write header: it is the same "
                "file as the library ('" +
                dir.file("old.txt") + "')");
  EXPECT_EQ(check("-", "-"), "-: error: cannot write header: it is the same "
                             "file as the library");
  EXPECT_EQ(check(dir.file("a"), dir.file("b")), "<success>");
  EXPECT_FALSE(llvm::sys::fs::exists(dir.file("new.txt")));
}

//===----------------------------------------------------------------------===//
// Outputs: all or nothing
//===----------------------------------------------------------------------===//

TEST(AtomicOutputsTest, DiscardLeavesEverythingAsItWas) {
  TempDir dir;
  writeFile(dir.file("old.txt"), "old");
  {
    AtomicOutputs outputs;
    unsigned a = outputs.add(dir.file("old.txt"));
    unsigned b = outputs.add(dir.file("new.txt"));
    ASSERT_EQ(messageOf(outputs.check()), "<success>");
    write(outputs, a, "replaced");
    write(outputs, b, "created");
    // Destroyed without commit(), as when a later step fails.
  }
  EXPECT_EQ(listDir(dir.get()), std::vector<std::string>{"old.txt"});
  EXPECT_EQ(readFile(dir.file("old.txt")), "old");

  AtomicOutputs outputs;
  unsigned a = outputs.add(dir.file("old.txt"));
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  write(outputs, a, "replaced");
  outputs.discard();
  EXPECT_EQ(listDir(dir.get()), std::vector<std::string>{"old.txt"});
  EXPECT_EQ(readFile(dir.file("old.txt")), "old");
}

TEST(AtomicOutputsTest, OutputsNeverOpenedAreLeftAlone) {
  TempDir dir;
  writeFile(dir.file("old.txt"), "old");
  AtomicOutputs outputs;
  outputs.add(dir.file("old.txt"));
  unsigned b = outputs.add(dir.file("new.txt"));
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  write(outputs, b, "created");
  ASSERT_EQ(messageOf(outputs.commit()), "<success>");
  EXPECT_EQ(readFile(dir.file("old.txt")), "old");
  EXPECT_EQ(readFile(dir.file("new.txt")), "created");
}

TEST(AtomicOutputsTest, AFailedDeviceWriteRenamesNothing) {
  if (!isRoot())
    GTEST_SKIP() << "mknod needs root";
  TempDir dir;
  // Like /dev/full: every write fails with ENOSPC.
  std::string full = dir.file("full");
  ASSERT_EQ(::mknod(full.c_str(), S_IFCHR | 0600, makedev(1, 7)), 0);
  writeFile(dir.file("old.txt"), "old");
  AtomicOutputs outputs;
  unsigned a = outputs.add(dir.file("old.txt"), "result 'a'");
  unsigned b = outputs.add(full, "result 'b'");
  unsigned c = outputs.add(dir.file("new.txt"), "result 'c'");
  ASSERT_EQ(messageOf(outputs.check()), "<success>");
  write(outputs, a, "replaced");
  write(outputs, b, "lost");
  write(outputs, c, "created");
  EXPECT_EQ(messageOf(outputs.commit()),
            full + ": error: cannot write result 'b': No space left on device");
  EXPECT_EQ(listDir(dir.get()), (std::vector<std::string>{"full", "old.txt"}));
  EXPECT_EQ(readFile(dir.file("old.txt")), "old");
}

} // namespace
