//===- RuntimeSupportTestUtils.h - Helpers of the runtime tests -*- C++ -*-===//
//
// Temporary directories, file helpers, running NumPy in a subprocess and
// building .npy images, shared by RuntimeSupportTest.cpp and NpyTest.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TEST_UNIT_RUNTIMESUPPORTTESTUTILS_H
#define TESSERA_TEST_UNIT_RUNTIMESUPPORTTESTUTILS_H

#include "tessera/Runtime/HostTensor.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <optional>
#include <string>

namespace tessera::unittest {

inline const DType kAllDTypes[] = {DType::Bool, DType::I32,  DType::I64,
                                   DType::F16,  DType::BF16, DType::F32,
                                   DType::F64,  DType::C64,  DType::C128};
/// The dtypes NumPy can hold.
inline const DType kNpyDTypes[] = {DType::Bool, DType::I32, DType::I64,
                                   DType::F16,  DType::F32, DType::F64,
                                   DType::C64,  DType::C128};

/// A fresh directory, removed with its contents at the end of the test.
class TempDir {
public:
  TempDir() {
    std::error_code ec =
        llvm::sys::fs::createUniqueDirectory("tessera-support-test", path);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<256> result(path);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }
  std::string get() const { return std::string(path); }

private:
  llvm::SmallString<256> path;
};

inline void writeFile(const std::string &path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  os << bytes;
}

inline std::string readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return "<unreadable>";
  return (*buffer)->getBuffer().str();
}

/// The value of an Expected that must have succeeded.
template <typename T> inline T unwrap(llvm::Expected<T> value) {
  if (!value) {
    ADD_FAILURE() << llvm::toString(value.takeError());
    return T();
  }
  return std::move(*value);
}

inline std::string bytesOf(const HostTensor &tensor) {
  return std::string(static_cast<const char *>(tensor.data()),
                     tensor.getNumBytes());
}

inline const char *kPython = "/usr/bin/python3";

/// Runs `script` with NumPy's Python; returns its exit code and stdout.
inline int runPython(const std::string &script, std::string *output = nullptr) {
  TempDir dir;
  std::string outPath = dir.file("stdout.txt");
  std::optional<llvm::StringRef> redirects[] = {
      llvm::StringRef(""), llvm::StringRef(outPath), std::nullopt};
  llvm::StringRef args[] = {kPython, "-c", script};
  int rc = llvm::sys::ExecuteAndWait(kPython, args, std::nullopt, redirects);
  if (output)
    *output = readFile(outPath);
  return rc;
}

inline bool haveNumPy() {
  static int available = -1;
  if (available < 0)
    available =
        llvm::sys::fs::can_execute(kPython) && runPython("import numpy") == 0;
  return available == 1;
}

#define REQUIRE_NUMPY()                                                        \
  do {                                                                         \
    if (!haveNumPy())                                                          \
      GTEST_SKIP() << kPython << " with numpy is not available";               \
  } while (0)

inline std::string pyString(llvm::StringRef text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'')
      quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

/// Builds a .npy image with an arbitrary header (padded like NumPy).
inline std::string makeNpy(llvm::StringRef header, llvm::StringRef data,
                           unsigned major = 1) {
  std::string text = header.str();
  size_t lengthSize = major == 1 ? 2 : 4;
  while ((8 + lengthSize + text.size() + 1) % 64)
    text += ' ';
  text += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lengthSize; ++i)
    out += static_cast<char>((text.size() >> (8 * i)) & 0xff);
  return out + text + data.str();
}

/// Checks that `result` failed with `PATH:LINE:COL: error: ...` containing
/// `message`, followed by the source line `lineText` (when given) and a caret
/// under column COL.
inline void
expectLocatedError(llvm::Expected<HostTensor> result, const std::string &path,
                   unsigned line, unsigned col, llvm::StringRef message,
                   std::optional<std::string> lineText = std::nullopt) {
  ASSERT_FALSE(static_cast<bool>(result)) << "expected an error";
  std::string text = llvm::toString(result.takeError());
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n');
  ASSERT_EQ(lines.size(), 3u) << text;
  std::string prefix = path + ":" + std::to_string(line) + ":" +
                       std::to_string(col) + ": error: ";
  EXPECT_TRUE(lines[0].starts_with(prefix)) << text;
  EXPECT_TRUE(lines[0].contains(message)) << text;
  if (lineText)
    EXPECT_EQ(lines[1], *lineText) << text;
  EXPECT_EQ(lines[2], std::string(col - 1, ' ') + "^") << text;
}

/// An f64 tensor of `shape` holding `values`.
inline HostTensor makeF64(std::vector<int64_t> shape,
                          std::vector<double> values) {
  HostTensor tensor(DType::F64, std::move(shape));
  std::copy(values.begin(), values.end(), tensor.dataAs<double>());
  return tensor;
}

} // namespace tessera::unittest

#endif // TESSERA_TEST_UNIT_RUNTIMESUPPORTTESTUTILS_H
