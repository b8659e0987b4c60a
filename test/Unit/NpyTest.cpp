//===- NpyTest.cpp - Tests of .npy reading and writing --------------------===//
//
// Round trips of every dtype and rank, malformed files (every error is
// located), and interoperation with NumPy run in a subprocess.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSupportTestUtils.h"

#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/HostTensor.h"
#include "tessera/Runtime/Npy.h"
#include "tessera/Runtime/Printer.h"
#include "tessera/Runtime/Random.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <map>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace tessera;
using namespace tessera::unittest;

namespace {

//===----------------------------------------------------------------------===//
// .npy round trips
//===----------------------------------------------------------------------===//

std::vector<std::vector<int64_t>> roundTripShapes() {
  return {{}, {5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {0}, {3, 0, 2}};
}

TEST(NpyTest, RoundTripEveryDTypeAndRank) {
  TempDir dir;
  unsigned seed = 1;
  for (DType dtype : kNpyDTypes) {
    for (const std::vector<int64_t> &shape : roundTripShapes()) {
      HostTensor tensor(dtype, shape);
      fillRandom(tensor, seed++);
      std::string path = dir.file("t.npy");
      ASSERT_FALSE(static_cast<bool>(writeNpy(path, tensor)));
      llvm::Expected<HostTensor> back = readNpy(path);
      ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
      EXPECT_EQ(back->getDType(), dtype);
      EXPECT_EQ(back->getShape(), tensor.getShape());
      EXPECT_EQ(bytesOf(*back), bytesOf(tensor));
      // The data starts 64-byte aligned, as NumPy writes it.
      std::string image = readFile(path);
      EXPECT_EQ((image.size() - tensor.getNumBytes()) % 64, 0u);
      llvm::Expected<HostTensor> parsed = parseNpy("mem", image);
      ASSERT_TRUE(static_cast<bool>(parsed));
      EXPECT_EQ(bytesOf(*parsed), bytesOf(tensor));
    }
  }
  // No temporary files are left behind.
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(dir.get(), ec), end;
       it != end && !ec; it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(NpyTest, HeaderLayout) {
  HostTensor tensor(DType::F32, {2, 3});
  llvm::Expected<std::string> image = encodeNpy(tensor);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_EQ(image->substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10));
  EXPECT_EQ(image->substr(10, 118),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
                std::string(58, ' ') + "\n");
  HostTensor vector(DType::Bool, {7});
  image = encodeNpy(vector);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_NE(image->find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(image->find("'shape': (7,)"), std::string::npos);
  HostTensor scalar(DType::C128, {});
  image = encodeNpy(scalar);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_NE(image->find("'descr': '<c16'"), std::string::npos);
  EXPECT_NE(image->find("'shape': ()"), std::string::npos);

  // A header beyond 64 KiB needs format 2.0.
  HostTensor wide(DType::Bool, std::vector<int64_t>(30000, 1));
  image = encodeNpy(wide);
  ASSERT_TRUE(static_cast<bool>(image));
  EXPECT_EQ((*image)[6], 2);
  EXPECT_EQ((image->size() - 1) % 64, 0u);
  llvm::Expected<HostTensor> back = parseNpy("wide.npy", *image);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->getRank(), 30000);
}

TEST(NpyTest, WriteFailuresKeepExistingFile) {
  TempDir dir;
  std::string path = dir.file("keep.npy");
  writeFile(path, "precious");
  HostTensor bf16(DType::BF16, {2, 3});
  llvm::Error err = writeNpy(path, bf16);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            path + ": error: cannot write bf16[2, 3]: bf16 tensors cannot be "
                   "stored in .npy files (NumPy has no such dtype); convert to "
                   "f32 first");
  EXPECT_EQ(readFile(path), "precious");

  llvm::Error noStorage = writeNpy(path, HostTensor());
  ASSERT_TRUE(static_cast<bool>(noStorage));
  llvm::consumeError(std::move(noStorage));
  EXPECT_EQ(readFile(path), "precious");

  HostTensor f32(DType::F32, {2});
  llvm::Error missingDir = writeNpy(dir.file("no/such/dir/x.npy"), f32);
  ASSERT_TRUE(static_cast<bool>(missingDir));
  std::string message = llvm::toString(std::move(missingDir));
  EXPECT_EQ(message, dir.file("no/such/dir/x.npy") +
                         ": error: cannot write .npy file: directory '" +
                         dir.file("no/such/dir") +
                         "': No such file or directory");

  llvm::Error toDir = writeNpy(dir.get(), f32);
  ASSERT_TRUE(static_cast<bool>(toDir));
  EXPECT_NE(llvm::toString(std::move(toDir)).find("it is a directory"),
            std::string::npos);

  // Success replaces the file, keeping its permissions.
  llvm::sys::fs::setPermissions(path, llvm::sys::fs::perms(0600));
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, f32)));
  EXPECT_EQ(*llvm::sys::fs::getPermissions(path), llvm::sys::fs::perms(0600));
  llvm::Expected<HostTensor> back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->getShape(), llvm::ArrayRef<int64_t>({2}));
}

TEST(NpyTest, WritesThroughSymlinks) {
  TempDir dir;
  std::string target = dir.file("target.npy");
  std::string link = dir.file("link.npy");
  writeFile(target, "old");
  ASSERT_FALSE(llvm::sys::fs::create_link(target, link));
  HostTensor tensor(DType::I64, {3});
  fillRandom(tensor, 3);
  ASSERT_FALSE(static_cast<bool>(writeNpy(link, tensor)));
  EXPECT_TRUE(llvm::sys::fs::is_symlink_file(link));
  llvm::Expected<HostTensor> back = readNpy(target);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(bytesOf(*back), bytesOf(tensor));
}

TEST(NpyTest, ReadNpyAsConverts) {
  TempDir dir;
  std::string path = dir.file("f64.npy");
  HostTensor source = makeF64({3}, {1.5, -2.0, 3e10});
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, source)));
  llvm::Expected<HostTensor> f32 = readNpyAs(path, DType::F32);
  ASSERT_TRUE(static_cast<bool>(f32));
  EXPECT_EQ(f32->getDType(), DType::F32);
  EXPECT_EQ(f32->dataAs<float>()[0], 1.5f);
  llvm::Expected<HostTensor> same = readNpyAs(path, DType::F64);
  ASSERT_TRUE(static_cast<bool>(same));
  EXPECT_EQ(bytesOf(*same), bytesOf(source));
  expectLocatedError(
      readNpyAs(path, DType::I32), path, 1, 11,
      "cannot use '<f8' data as i32: value 30000000000 at index [2] is out of "
      "range for i32",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
}

//===----------------------------------------------------------------------===//
// Malformed .npy files
//===----------------------------------------------------------------------===//

class MalformedNpyTest : public ::testing::Test {
protected:
  /// Writes `bytes` to a file and expects reading it to fail at line 1,
  /// column `col` with `message`.
  void expectError(llvm::StringRef bytes, unsigned col, llvm::StringRef message,
                   std::optional<std::string> lineText = std::nullopt) {
    std::string path = dir.file("bad.npy");
    writeFile(path, bytes);
    expectLocatedError(readNpy(path), path, 1, col, message, lineText);
    // The in-memory decoder reports the same.
    expectLocatedError(parseNpy(path, bytes), path, 1, col, message, lineText);
  }
  /// Writes `bytes` to a file and expects reading it to fail with an error
  /// about the file as a whole: `PATH: error: MESSAGE`, no source line.
  void expectFileError(llvm::StringRef bytes, llvm::StringRef message) {
    std::string path = dir.file("bad.npy");
    writeFile(path, bytes);
    std::string expected = path + ": error: " + message.str();
    llvm::Expected<HostTensor> read = readNpy(path);
    ASSERT_FALSE(static_cast<bool>(read));
    EXPECT_EQ(llvm::toString(read.takeError()), expected);
    // The in-memory decoder reports the same.
    auto parsed = parseNpy(path, bytes);
    ASSERT_FALSE(static_cast<bool>(parsed));
    EXPECT_EQ(llvm::toString(parsed.takeError()), expected);
  }
  /// A header whose dict is `dict`, with f32 data for `count` elements.
  void expectHeaderError(const std::string &dict, llvm::StringRef marker,
                         llvm::StringRef message, size_t count = 0) {
    size_t col = dict.find(marker.str());
    ASSERT_NE(col, std::string::npos) << marker.str();
    expectError(makeNpy(dict, std::string(count * 4, '\0')), col + 1, message,
                dict);
  }

  TempDir dir;
};

// Problems before the header, in the preamble, are about the file as a
// whole: no source line.
TEST_F(MalformedNpyTest, Preamble) {
  expectFileError("", "empty file is not a .npy file");
  expectFileError(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20),
                  "not a .npy file: it starts with "
                  "'\\x89PNG\\x0d\\x0a\\x1a\\x0a\\x00\\x00\\x00\\x0dIHDR...', "
                  "not the magic string '\\x93NUMPY'");
  expectFileError("\x93NUM",
                  "truncated .npy file: it ends inside the preamble");
  expectFileError(std::string("\x93NUMPY\x04\x00\x10\x00", 10),
                  "unsupported .npy format version 4.0 (supported: 1.0, 2.0, "
                  "3.0)");
  expectFileError(std::string("\x93NUMPY\x01\x01\x10\x00", 10),
                  "unsupported .npy format version 1.1 (supported: 1.0, 2.0, "
                  "3.0)");
  expectFileError(std::string("\x93NUMPY\x02\x00\x10\x00", 10),
                  "truncated .npy file: it ends inside the header length");
  expectFileError(std::string("\x93NUMPY\x01\x00\xff\x00{}", 12),
                  "header length 255 runs past the end of the file (12 bytes)");
  expectFileError(std::string("\x93NUMPY\x03\x00\xff\xff\xff\xff{}", 14),
                  "header length 4294967295 runs past the end of the file (14 "
                  "bytes)");
}

TEST_F(MalformedNpyTest, DTypes) {
  expectHeaderError("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }",
                    "'>f4'",
                    "big-endian dtype '>f4' is not supported; save the array "
                    "as little-endian (arr.astype('<f4'))",
                    3);
  expectHeaderError("{'descr': '<u4', 'fortran_order': False, 'shape': (3,), }",
                    "'<u4'",
                    "unsupported dtype '<u4' (supported: '|b1', '<i4', '<i8', "
                    "'<f2', '<f4', '<f8', '<c8', '<c16')",
                    3);
  expectHeaderError("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }",
                    "'|O'", "object arrays ('|O') are not supported", 3);
  expectHeaderError("{'descr': [('a', '<f4')], 'fortran_order': False, "
                    "'shape': (3,), }",
                    "[('a'", "structured dtypes are not supported", 3);
  expectHeaderError("{'descr': 4, 'fortran_order': False, 'shape': (3,), }",
                    "4,", "'descr' must be a string such as '<f4'", 3);
}

TEST_F(MalformedNpyTest, OrderAndShape) {
  expectHeaderError("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }",
                    "True", "Fortran-ordered arrays are not supported", 3);
  expectHeaderError("{'descr': '<f4', 'fortran_order': 'no', 'shape': (3,), }",
                    "'no'", "'fortran_order' must be True or False", 3);
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "-3",
      "negative dimension -3 in 'shape'");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                    "(99999999999999999999,), }",
                    "999",
                    "dimension 99999999999999999999 in 'shape' is too "
                    "large");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                    "(4294967296, 4294967296), }",
                    "(4294967296",
                    "shape (4294967296, 4294967296) has too many "
                    "elements");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }",
                    "(3)", "'shape' must be a tuple of integers", 3);
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': [3], }",
                    "[3]", "'shape' must be a tuple of integers", 3);
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", "2.5",
      "dimensions in 'shape' must be integers");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': ('a',), }", "'a'",
      "dimensions in 'shape' must be integers");
}

TEST_F(MalformedNpyTest, DictSyntax) {
  expectHeaderError("['descr', '<f4']", "[", "expected '{' at the start");
  expectHeaderError("{'descr' '<f4', 'fortran_order': False, 'shape': (3,), }",
                    "'<f4'", "expected ':' after a key");
  expectHeaderError("{'descr': '<f4, 'fortran_order': False, 'shape': (3,), }",
                    "fortran_order'", "expected ',' or '}'");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3,),",
                    "{", "unclosed '{' in the .npy header");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
                    " junk",
                    "junk", "unexpected text after the .npy header dictionary");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,;), }", ";",
      "unexpected character ';' in the .npy header");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3 4), }", "4)",
      "expected ',' or ')' in the .npy header");
  expectHeaderError("{'descr': '<f4', 'fortran_order': Flase, 'shape': (3,), }",
                    "Flase", "unexpected name 'Flase'");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': @, }",
                    "@", "unexpected character '@'");
  expectHeaderError("{'descr': \"<f4, 'fortran_order': False, 'shape': (3,), }",
                    "\"", "unterminated string");
  std::string open = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,";
  expectError(makeNpy(open, ""), open.size() + 1,
              "unexpected end of the .npy header", open);
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3",
                    "(3", "unclosed '(' in the .npy header");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': {}, }",
                    "{}", "nested dictionaries are not supported");
  expectHeaderError("{'descr': '\\x3c', 'fortran_order': False, 'shape': (), }",
                    "\\x", "unsupported escape sequence");
  expectHeaderError("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), "
                    "'shape': (3,), }",
                    "'shape': (3,), }", "duplicate key 'shape'");
  expectHeaderError(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1, }", "'x'",
      "unexpected key 'x' in the .npy header (expected 'descr', "
      "'fortran_order' and 'shape')");
  expectHeaderError("{'descr': '<f4', 'shape': (3,), }", "{",
                    "missing key 'fortran_order' in the .npy header");
  // Nesting is cut off at depth 32, long before the stack is at risk.
  std::string deep = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                     std::string(100000, '(') + "3" + std::string(100000, ')') +
                     ", }";
  expectError(makeNpy(deep, "", 2), deep.find('(') + 34,
              "values nested too deeply in the .npy header", deep);
}

TEST_F(MalformedNpyTest, ControlCharacterLocation) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (\x01,), }";
  std::string shown = dict;
  shown[shown.find('\x01')] = '?';
  expectError(makeNpy(dict, ""), shown.find('?') + 1,
              "unexpected character '?' in the .npy header", shown);
}

TEST_F(MalformedNpyTest, MultiLineHeader) {
  std::string dict = "{'descr': '<f4',\n 'fortran_order': False,\n 'shape': "
                     "(-1,), }";
  std::string path = dir.file("lines.npy");
  writeFile(path, makeNpy(dict, ""));
  expectLocatedError(readNpy(path), path, 3, 12,
                     "negative dimension -1 in 'shape'",
                     std::string(" 'shape': (-1,), }"));
}

TEST_F(MalformedNpyTest, DataSize) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expectFileError(makeNpy(dict, std::string(20, '\0')),
                  "array data is truncated: shape (2, 3) of '<f4' needs 24 "
                  "bytes but the file has 20");
  expectFileError(makeNpy(dict, std::string(28, '\0')),
                  "unexpected 4 bytes after the array data (shape (2, 3) of "
                  "'<f4' needs 24 bytes)");
  // Exactly right is fine, also with padding-free headers.
  std::string path = dir.file("ok.npy");
  writeFile(path, makeNpy(dict, std::string(24, '\0')));
  EXPECT_TRUE(static_cast<bool>(readNpy(path)));
}

/// The message of an Expected that must have failed.
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value)
    return "<no error>";
  return llvm::toString(value.takeError());
}

// Problems with the file as a whole are one line, `PATH: error: MESSAGE`.
TEST_F(MalformedNpyTest, FileSystem) {
  std::string missing = dir.file("missing.npy");
  EXPECT_EQ(errorOf(readNpy(missing)),
            missing + ": error: cannot open .npy file: No such file or "
                      "directory");
  EXPECT_EQ(errorOf(readNpy(dir.get())),
            dir.get() + ": error: cannot read .npy file: it is a directory");
}

/// Reads `bytes` with readNpy through a fifo that a second thread fills, as
/// from a pipe: the reader cannot know the size or seek.
llvm::Expected<HostTensor> readThroughFifo(const std::string &fifo,
                                           const std::string &bytes) {
  std::thread writer([&] { writeFile(fifo, bytes); });
  llvm::Expected<HostTensor> result = readNpy(fifo);
  writer.join();
  return result;
}

// From a stream, exactly the declared data is read and one byte more, to find
// data after the array; regular files are checked against their size.
TEST_F(MalformedNpyTest, Streams) {
  std::string fifo = dir.file("fifo.npy");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  llvm::Expected<HostTensor> ok =
      readThroughFifo(fifo, makeNpy(dict, std::string(24, '\x01')));
  ASSERT_TRUE(static_cast<bool>(ok)) << llvm::toString(ok.takeError());
  EXPECT_EQ(bytesOf(*ok), std::string(24, '\x01'));
  EXPECT_EQ(
      errorOf(readThroughFifo(fifo, makeNpy(dict, std::string(20, '\0')))),
      fifo + ": error: array data is truncated: shape (2, 3) of '<f4' "
             "needs 24 bytes but the file has 20");
  EXPECT_EQ(
      errorOf(readThroughFifo(fifo, makeNpy(dict, std::string(25, '\0')))),
      fifo + ": error: unexpected bytes after the array data (shape (2, "
             "3) of '<f4' needs 24 bytes)");
  // The header length is bounded before the header is read.
  std::string longHeader("\x93NUMPY\x02\x00\xf0\xff\xff\xff{", 13);
  EXPECT_EQ(errorOf(readThroughFifo(fifo, longHeader)),
            fifo + ": error: header length 4294967280 is larger than 1 GiB "
                   "(the limit for input files)");
  EXPECT_EQ(errorOf(readThroughFifo(fifo, std::string(64, '\0')))
                .rfind(fifo + ": error: not a .npy file", 0),
            0u);
}

// Data beyond the input limit is refused from the header, before any of it
// is read or allocated.
TEST_F(MalformedNpyTest, Limits) {
  std::string dict = "{'descr': '<c16', 'fortran_order': False, 'shape': "
                     "(67108864, 2), }";
  expectHeaderError(dict, "(67108864",
                    "array data is too large: shape (67108864, 2) of '<c16' "
                    "needs more than 1 GiB (the limit for input files)");
  std::string huge =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (576460752303423487,"
      "), }";
  expectHeaderError(huge, "(576460752303423487",
                    "array data is too large: shape (576460752303423487,) of "
                    "'<f8' needs more than 1 GiB");
  std::string path = dir.file("sparse.npy");
  writeFile(path, makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                          "(268435456,), }",
                          ""));
  ASSERT_EQ(::truncate(path.c_str(), kMaxInputBytes + 1), 0);
  llvm::Expected<HostTensor> tooLarge = readNpy(path);
  ASSERT_FALSE(static_cast<bool>(tooLarge));
  EXPECT_EQ(llvm::toString(tooLarge.takeError()),
            path + ": error: cannot read .npy file: it is larger than 1 GiB "
                   "(the limit for input files)");
}

TEST_F(MalformedNpyTest, AcceptedVariants) {
  // Versions 2.0 and 3.0, double quotes, Python 2 longs, no trailing comma,
  // keys in any order, '|' and '=' byte orders, bytes other than 0/1 as bool.
  struct Case {
    std::string dict;
    unsigned major;
    DType dtype;
    std::vector<int64_t> shape;
  } cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
       2,
       DType::F64,
       {2}},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
       3,
       DType::I32,
       {1, 2}},
      {"{\"shape\": (2L, 1L), \"descr\": \"=i8\", \"fortran_order\": False}",
       1,
       DType::I64,
       {2, 1}},
      {"{'descr':'|f4','fortran_order':False,'shape':( 2 , )}",
       1,
       DType::F32,
       {2}},
      {"{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
       1,
       DType::Bool,
       {3}},
  };
  for (const Case &c : cases) {
    size_t bytes = *computeNumElements(c.shape) * getDTypeSize(c.dtype);
    std::string data(bytes, '\0');
    if (c.dtype == DType::Bool)
      data = std::string("\0\2\1", 3);
    llvm::Expected<HostTensor> result =
        parseNpy("v.npy", makeNpy(c.dict, data, c.major));
    ASSERT_TRUE(static_cast<bool>(result))
        << llvm::toString(result.takeError());
    EXPECT_EQ(result->getDType(), c.dtype);
    EXPECT_EQ(result->getShape(), llvm::ArrayRef<int64_t>(c.shape));
    if (c.dtype == DType::Bool)
      EXPECT_EQ(bytesOf(*result), std::string("\0\1\1", 3));
  }
}

TEST_F(MalformedNpyTest, MutationsNeverCrash) {
  HostTensor tensor(DType::C64, {2, 3});
  fillRandom(tensor, 11);
  std::string image = unwrap(encodeNpy(tensor));
  // Every truncation fails cleanly.
  for (size_t length = 0; length < image.size(); ++length) {
    llvm::Expected<HostTensor> result =
        parseNpy("cut.npy", llvm::StringRef(image).take_front(length));
    ASSERT_FALSE(static_cast<bool>(result)) << length;
    std::string message = llvm::toString(result.takeError());
    EXPECT_TRUE(llvm::StringRef(message).starts_with("cut.npy:")) << message;
  }
  // Random byte changes either decode or fail with a message naming the
  // file: one line for the file as a whole, or a located one (three lines:
  // the message, the header line, the caret) inside the header.
  RandomGenerator rng(2024);
  for (int trial = 0; trial < 5000; ++trial) {
    std::string mutated = image;
    int changes = static_cast<int>(rng.uniformInt(1, 4));
    for (int i = 0; i < changes; ++i) {
      size_t at = static_cast<size_t>(
          rng.uniformInt(0, static_cast<int64_t>(mutated.size()) - 1));
      mutated[at] = static_cast<char>(rng.next() & 0xff);
    }
    llvm::Expected<HostTensor> result = parseNpy("m.npy", mutated);
    if (!result) {
      std::string message = llvm::toString(result.takeError());
      EXPECT_TRUE(llvm::StringRef(message).starts_with("m.npy:")) << message;
      size_t lines = llvm::StringRef(message).count('\n');
      EXPECT_EQ(lines,
                llvm::StringRef(message).starts_with("m.npy: error:") ? 0u : 2u)
          << message;
    }
  }
  // Random headers built from the tokens a header is made of.
  const char *tokens[] = {"{",
                          "}",
                          "(",
                          ")",
                          "[",
                          "]",
                          "'",
                          "\"",
                          ",",
                          ":",
                          " ",
                          "\n",
                          "-",
                          "1",
                          "99999999999999999999",
                          "L",
                          "True",
                          "False",
                          "None",
                          "'descr'",
                          "'shape'",
                          "'fortran_order'",
                          "'<f4'",
                          "'|b1'",
                          "(2, 3)",
                          "\\",
                          "\x01",
                          "\xff",
                          "2.5",
                          "0x",
                          "_"};
  for (int trial = 0; trial < 20000; ++trial) {
    std::string header;
    int length = static_cast<int>(rng.uniformInt(0, 40));
    for (int i = 0; i < length; ++i)
      header += tokens[rng.uniformInt(0, std::size(tokens) - 1)];
    std::string data(static_cast<size_t>(rng.uniformInt(0, 30)), '\0');
    llvm::Expected<HostTensor> result =
        parseNpy("h.npy", makeNpy(header, data,
                                  static_cast<unsigned>(rng.uniformInt(1, 3))));
    if (!result) {
      std::string message = llvm::toString(result.takeError());
      EXPECT_TRUE(llvm::StringRef(message).starts_with("h.npy:")) << message;
    }
  }
}

//===----------------------------------------------------------------------===//
// Interoperation with NumPy
//===----------------------------------------------------------------------===//

TEST(NpyNumPyTest, ReadsFilesWrittenByNumPy) {
  REQUIRE_NUMPY();
  TempDir dir;
  // Each case: NumPy saves NAME.npy and the raw C-order bytes NAME.bin.
  std::string script = R"PY(
import numpy as np, sys
d = sys.argv[1] if len(sys.argv) > 1 else ''
out = )PY" + pyString(dir.get()) +
                       R"PY(
def case(name, a, version=None):
    with open(out + '/' + name + '.npy', 'wb') as f:
        np.lib.format.write_array(f, a, version=version)
    with open(out + '/' + name + '.bin', 'wb') as f:
        f.write(np.ascontiguousarray(a).tobytes())
    with open(out + '/' + name + '.txt', 'w') as f:
        f.write(a.dtype.str + ' ' + ','.join(map(str, a.shape)))
special = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e-3, 3.0e4, 7.0]
shapes = [(), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (0,), (2, 0)]
for code in ['?', '<i4', '<i8', '<f2', '<f4', '<f8', '<c8', '<c16']:
    for r, shape in enumerate(shapes):
        n = int(np.prod(shape))
        base = np.arange(n, dtype=np.float64) * 1.25 - 3
        if code in ('<f2', '<f4', '<f8'):
            base[:min(n, len(special))] = special[:min(n, len(special))]
        if code == '?':
            a = (np.arange(n) % 3 == 1)
        elif code.startswith('<c'):
            a = (base + 1j * (base[::-1] * 0.5)).astype(code)
        else:
            a = base.astype(code)
        case('d%s_r%d' % (code.replace('<', '').replace('?', 'b'), r),
             a.reshape(shape))
case('v2', np.arange(6, dtype='<f4').reshape(2, 3), (2, 0))
case('v3', np.arange(6, dtype='<i8').reshape(3, 2), (3, 0))
case('slice', np.arange(24, dtype='<f8').reshape(4, 6)[::2, 1::2])
case('i4_extreme', np.array([-2**31, 2**31 - 1, 0], dtype='<i4'))
case('i8_extreme', np.array([-2**63, 2**63 - 1], dtype='<i8'))
np.save(out + '/bigendian.npy', np.arange(3, dtype='>f4'))
np.save(out + '/fortran.npy', np.asfortranarray(np.ones((2, 3))))
np.save(out + '/unicode.npy', np.array(['a', 'b']))
np.save(out + '/object.npy', np.array([1, None], dtype=object), allow_pickle=True)
np.save(out + '/uint8.npy', np.arange(3, dtype=np.uint8))
np.save(out + '/struct.npy', np.zeros(2, dtype=[('x', '<f4'), ('y', '<i4')]))
print('done')
)PY";
  std::string output;
  ASSERT_EQ(runPython(script, &output), 0) << output;
  ASSERT_EQ(output, "done\n");

  std::error_code ec;
  int checked = 0;
  for (llvm::sys::fs::directory_iterator it(dir.get(), ec), end;
       it != end && !ec; it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (!path.ends_with(".bin"))
      continue;
    std::string stem = path.drop_back(4).str();
    llvm::Expected<HostTensor> tensor = readNpy(stem + ".npy");
    ASSERT_TRUE(static_cast<bool>(tensor))
        << llvm::toString(tensor.takeError());
    EXPECT_EQ(bytesOf(*tensor), readFile(stem + ".bin")) << stem;
    std::string info = readFile(stem + ".txt");
    auto [descr, shapeText] = llvm::StringRef(info).split(' ');
    EXPECT_EQ(getNpyDescr(tensor->getDType()), descr) << stem;
    llvm::SmallVector<llvm::StringRef> dims;
    if (!shapeText.empty())
      shapeText.split(dims, ',');
    ASSERT_EQ(dims.size(), static_cast<size_t>(tensor->getRank())) << stem;
    for (size_t i = 0; i < dims.size(); ++i)
      EXPECT_EQ(std::to_string(tensor->getShape()[i]), dims[i].str()) << stem;
    ++checked;
  }
  EXPECT_EQ(checked, 8 * 7 + 5);

  // Spot-check decoded values, not just bytes.
  llvm::Expected<HostTensor> f2 = readNpy(dir.file("df2_r2.npy"));
  ASSERT_TRUE(static_cast<bool>(f2));
  EXPECT_EQ(getRealElement(*f2, 2), 1.5);
  EXPECT_TRUE(std::signbit(getRealElement(*f2, 1)));
  EXPECT_TRUE(std::isnan(getRealElement(*f2, 6)));
  llvm::Expected<HostTensor> slice = readNpy(dir.file("slice.npy"));
  ASSERT_TRUE(static_cast<bool>(slice));
  EXPECT_EQ(slice->getShape(), llvm::ArrayRef<int64_t>({2, 3}));
  EXPECT_EQ(getRealElement(*slice, 4), 15.0);

  struct Rejected {
    const char *name;
    const char *message;
  } rejected[] = {
      {"bigendian", "big-endian dtype '>f4' is not supported"},
      {"fortran", "Fortran-ordered arrays are not supported"},
      {"unicode", "unsupported dtype '<U1'"},
      {"object", "object arrays ('|O') are not supported"},
      {"uint8", "unsupported dtype '|u1'"},
      {"struct", "structured dtypes are not supported"},
  };
  for (const Rejected &r : rejected) {
    std::string path = dir.file(std::string(r.name) + ".npy");
    llvm::Expected<HostTensor> result = readNpy(path);
    ASSERT_FALSE(static_cast<bool>(result)) << r.name;
    std::string message = llvm::toString(result.takeError());
    EXPECT_TRUE(llvm::StringRef(message).starts_with(path + ":1:")) << message;
    EXPECT_NE(message.find(r.message), std::string::npos) << message;
    EXPECT_EQ(llvm::StringRef(message).count('\n'), 2u) << message;
  }
}

TEST(NpyNumPyTest, NumPyReadsFilesWeWrite) {
  REQUIRE_NUMPY();
  TempDir dir;
  std::string expectations;
  unsigned seed = 100;
  int count = 0;
  for (DType dtype : kNpyDTypes) {
    for (const std::vector<int64_t> &shape : roundTripShapes()) {
      HostTensor tensor(dtype, shape);
      fillRandom(tensor, seed++);
      std::string name = "w" + std::to_string(count++);
      ASSERT_FALSE(
          static_cast<bool>(writeNpy(dir.file(name + ".npy"), tensor)));
      writeFile(dir.file(name + ".bin"), bytesOf(tensor));
      std::string shapeTuple = "(";
      for (int64_t dim : shape)
        shapeTuple += std::to_string(dim) + ",";
      expectations += "('" + name + "', '" + getNpyDescr(dtype)->str() + "', " +
                      shapeTuple + ")),\n";
    }
  }

  std::string script = "import numpy as np\nout = " + pyString(dir.get()) +
                       "\ncases = [\n" + expectations + R"PY(]
bad = 0
for name, descr, shape in cases:
    a = np.load(out + '/' + name + '.npy', allow_pickle=False)
    raw = open(out + '/' + name + '.bin', 'rb').read()
    with open(out + '/' + name + '.npy', 'rb') as f:
        version = np.lib.format.read_magic(f)
    ok = (a.dtype.str == descr and a.shape == shape and a.flags.c_contiguous
          and a.tobytes() == raw)
    ok = ok and version == (1, 0)
    if not ok:
        bad += 1
        print('mismatch', name, a.dtype.str, a.shape)
print('checked', len(cases), 'bad', bad)
)PY";
  std::string output;
  ASSERT_EQ(runPython(script, &output), 0) << output;
  EXPECT_EQ(output, "checked " + std::to_string(count) + " bad 0\n");
}

} // namespace
