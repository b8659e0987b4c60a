//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//

#include "tessera/Runtime/Npy.h"

#include "tessera/Runtime/Convert.h"
#include "tessera/Runtime/FileIO.h"
#include "tessera/Runtime/Printer.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <vector>

using namespace tessera;
using llvm::StringRef;

// The data is copied byte for byte, and '<' means little-endian.
static_assert(llvm::sys::IsLittleEndianHost,
              ".npy support assumes a little-endian host");

static constexpr char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicLen = 6;
/// NumPy aligns the start of the data to this many bytes.
static constexpr size_t kHeaderAlign = 64;
/// Errors before the header show this many bytes of the file.
static constexpr size_t kShownBytes = 16;

namespace {

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

/// A one-buffer pseudo-source that diagnostics point into, named after the
/// file so messages read `PATH:LINE:COL: error: ...`.
class PseudoSource {
public:
  PseudoSource(StringRef path, StringRef text) : path(path), text(text) {}

  StringRef getText() const { return text; }
  StringRef getPath() const { return path; }

  /// A diagnostic at byte `offset` of the text (clamped to its end).
  llvm::Error error(size_t offset, const llvm::Twine &message) const {
    llvm::SourceMgr sourceMgr;
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        llvm::MemoryBuffer::getMemBufferCopy(text, path);
    const char *start = buffer->getBufferStart();
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    std::string out;
    llvm::raw_string_ostream os(out);
    sourceMgr.PrintMessage(
        os, llvm::SMLoc::getFromPointer(start + std::min(offset, text.size())),
        llvm::SourceMgr::DK_Error, message, /*Ranges=*/{}, /*FixIts=*/{},
        /*ShowColors=*/false);
    os.flush();
    while (!out.empty() && out.back() == '\n')
      out.pop_back();
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::Twine(out));
  }

private:
  std::string path;
  std::string text;
};

/// An error about the file as a whole (its first bytes, the data after the
/// header): `PATH: error: MESSAGE`, with no source line to point into.
llvm::Error fileError(StringRef path, const llvm::Twine &message) {
  // Standard input reads as "<stdin>", as in located diagnostics.
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path == "-" ? StringRef("<stdin>") : path) +
                                     ": error: " + message);
}

/// Renders the first bytes of a file readably, for errors found before the
/// header: printable ASCII as is, everything else as \xNN.
std::string escapeBytes(StringRef bytes, size_t limit = kShownBytes) {
  std::string text;
  for (unsigned char c : bytes.take_front(limit)) {
    if (c == '\\')
      text += "\\\\";
    else if (c >= 0x20 && c < 0x7f)
      text += static_cast<char>(c);
    else
      text += "\\x" + llvm::utohexstr(c, /*LowerCase=*/true, /*Width=*/2);
  }
  if (bytes.size() > limit)
    text += "...";
  return text;
}

/// The header as shown in diagnostics: one byte per column, so carets line
/// up. Control and non-ASCII bytes become '?', carriage returns spaces, and
/// the trailing padding is dropped.
std::string sanitizeHeader(StringRef header) {
  std::string text;
  text.reserve(header.size());
  for (unsigned char c : header) {
    if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
      text += static_cast<char>(c);
    else if (c == '\r')
      text += ' ';
    else
      text += '?';
  }
  size_t end = text.find_last_not_of(" \t\n");
  text.resize(end == std::string::npos ? 0 : end + 1);
  return text;
}

std::string formatShapeTuple(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    text += ",";
  return text + ")";
}

//===----------------------------------------------------------------------===//
// Header dictionary parsing
//===----------------------------------------------------------------------===//

/// The subset of Python literals a .npy header may contain.
struct PyValue {
  enum class Kind { String, Bool, None, Int, BadNumber, Tuple, List };
  Kind kind = Kind::None;
  size_t loc = 0;   ///< offset of the value's first character
  std::string text; ///< String: contents; BadNumber: the literal
  bool boolean = false;
  int64_t integer = 0;
  bool overflow = false; ///< Int: does not fit in int64_t
  std::vector<PyValue> items;
};

/// Parses `{'key': value, ...}` the way Python's literal syntax reads it.
class HeaderParser {
public:
  HeaderParser(const PseudoSource &source)
      : source(source), text(source.getText()) {}

  /// Parses the whole header into `entries` (key, key offset, value).
  llvm::Error parse(std::vector<std::pair<std::string, PyValue>> &entries,
                    std::vector<size_t> &keyLocs, size_t &dictLoc);

private:
  /// Deep nesting is never valid in a header; the limit keeps a hostile
  /// "((((..." from exhausting the stack.
  static constexpr unsigned kMaxDepth = 32;

  llvm::Error error(size_t offset, const llvm::Twine &message) const {
    return source.error(offset, message);
  }
  bool atEnd() const { return pos >= text.size(); }
  void skipSpace() {
    while (!atEnd() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'))
      ++pos;
  }
  llvm::Error unexpected() const;
  llvm::Error parseValue(PyValue &value, unsigned depth);
  llvm::Error parseString(PyValue &value);
  llvm::Error parseNumber(PyValue &value);
  llvm::Error parseSequence(PyValue &value, unsigned depth);

  const PseudoSource &source;
  StringRef text;
  size_t pos = 0;
};

llvm::Error HeaderParser::unexpected() const {
  if (atEnd())
    return error(pos, "unexpected end of the .npy header");
  return error(pos, llvm::Twine("unexpected character '") +
                        text.substr(pos, 1) + "' in the .npy header");
}

llvm::Error HeaderParser::parseString(PyValue &value) {
  char quote = text[pos];
  size_t start = pos++;
  value.kind = PyValue::Kind::String;
  value.loc = start;
  while (!atEnd() && text[pos] != quote) {
    char c = text[pos];
    if (c == '\n')
      break;
    if (c == '\\') {
      if (pos + 1 < text.size() &&
          (text[pos + 1] == '\\' || text[pos + 1] == '\'' ||
           text[pos + 1] == '"')) {
        value.text += text[pos + 1];
        pos += 2;
        continue;
      }
      return error(pos, "unsupported escape sequence in a .npy header string");
    }
    value.text += c;
    ++pos;
  }
  if (atEnd() || text[pos] != quote)
    return error(start, "unterminated string in the .npy header");
  ++pos;
  return llvm::Error::success();
}

llvm::Error HeaderParser::parseNumber(PyValue &value) {
  size_t start = pos;
  value.loc = start;
  bool negative = false;
  if (text[pos] == '-' || text[pos] == '+') {
    negative = text[pos] == '-';
    ++pos;
    skipSpace();
  }
  if (atEnd() || !llvm::isDigit(text[pos]))
    return unexpected();
  // Accumulate the magnitude; 2^63 is allowed only as a negative number.
  uint64_t magnitude = 0;
  bool overflow = false;
  while (!atEnd() && llvm::isDigit(text[pos])) {
    unsigned digit = text[pos] - '0';
    if (magnitude > (UINT64_MAX - digit) / 10)
      overflow = true;
    else
      magnitude = magnitude * 10 + digit;
    ++pos;
  }
  // Anything glued to the digits makes it some other literal (1.5, 1e3, 0x1,
  // 2j); Python 2's long suffix 'L', which old NumPy wrote, is fine.
  size_t suffixStart = pos;
  while (!atEnd() &&
         (llvm::isAlnum(text[pos]) || text[pos] == '.' || text[pos] == '_'))
    ++pos;
  StringRef suffix = text.slice(suffixStart, pos);
  if (!suffix.empty() && suffix != "L" && suffix != "l") {
    value.kind = PyValue::Kind::BadNumber;
    value.text = text.slice(start, pos).str();
    return llvm::Error::success();
  }
  uint64_t limit = negative ? uint64_t(1) << 63 : uint64_t(INT64_MAX);
  value.kind = PyValue::Kind::Int;
  value.overflow = overflow || magnitude > limit;
  value.text = text.slice(start, suffixStart).str();
  if (!value.overflow)
    value.integer = negative ? static_cast<int64_t>(0 - magnitude)
                             : static_cast<int64_t>(magnitude);
  return llvm::Error::success();
}

llvm::Error HeaderParser::parseSequence(PyValue &value, unsigned depth) {
  char open = text[pos];
  char close = open == '(' ? ')' : ']';
  size_t start = pos++;
  std::vector<PyValue> items;
  bool sawComma = false;
  skipSpace();
  while (atEnd() || text[pos] != close) {
    PyValue item;
    if (auto err = parseValue(item, depth + 1))
      return err;
    items.push_back(std::move(item));
    skipSpace();
    if (!atEnd() && text[pos] == ',') {
      sawComma = true;
      ++pos;
      skipSpace();
      continue;
    }
    if (!atEnd() && text[pos] == close)
      break;
    if (atEnd())
      return error(start, llvm::Twine("unclosed '") + StringRef(&open, 1) +
                              "' in the .npy header");
    return error(pos, llvm::Twine("expected ',' or '") + StringRef(&close, 1) +
                          "' in the .npy header");
  }
  ++pos;
  // In Python "(3)" is just the number 3; only a comma or "()" makes a tuple.
  if (open == '(' && items.size() == 1 && !sawComma) {
    value = std::move(items.front());
    value.loc = start;
    return llvm::Error::success();
  }
  value.kind = open == '(' ? PyValue::Kind::Tuple : PyValue::Kind::List;
  value.loc = start;
  value.items = std::move(items);
  return llvm::Error::success();
}

llvm::Error HeaderParser::parseValue(PyValue &value, unsigned depth) {
  skipSpace();
  if (depth > kMaxDepth)
    return error(pos, "values nested too deeply in the .npy header");
  if (atEnd())
    return unexpected();
  char c = text[pos];
  if (c == '\'' || c == '"')
    return parseString(value);
  if (c == '(' || c == '[')
    return parseSequence(value, depth);
  if (llvm::isDigit(c) || c == '-' || c == '+')
    return parseNumber(value);
  if (c == '{')
    return error(pos, "nested dictionaries are not supported in the .npy "
                      "header");
  if (llvm::isAlpha(c) || c == '_') {
    size_t start = pos;
    while (!atEnd() && (llvm::isAlnum(text[pos]) || text[pos] == '_'))
      ++pos;
    StringRef name = text.slice(start, pos);
    value.loc = start;
    if (name == "True" || name == "False") {
      value.kind = PyValue::Kind::Bool;
      value.boolean = name == "True";
      return llvm::Error::success();
    }
    if (name == "None") {
      value.kind = PyValue::Kind::None;
      return llvm::Error::success();
    }
    return error(start, llvm::Twine("unexpected name '") + name +
                            "' in the .npy header");
  }
  return unexpected();
}

llvm::Error
HeaderParser::parse(std::vector<std::pair<std::string, PyValue>> &entries,
                    std::vector<size_t> &keyLocs, size_t &dictLoc) {
  skipSpace();
  if (atEnd() || text[pos] != '{')
    return error(pos, "expected '{' at the start of the .npy header");
  dictLoc = pos++;
  while (true) {
    skipSpace();
    if (atEnd())
      return error(dictLoc, "unclosed '{' in the .npy header");
    if (text[pos] == '}') {
      ++pos;
      break;
    }
    if (text[pos] != '\'' && text[pos] != '"')
      return error(pos, "expected a quoted key or '}' in the .npy header");
    PyValue key;
    if (auto err = parseString(key))
      return err;
    skipSpace();
    if (atEnd() || text[pos] != ':')
      return error(pos, "expected ':' after a key in the .npy header");
    ++pos;
    PyValue value;
    if (auto err = parseValue(value, 0))
      return err;
    entries.emplace_back(key.text, std::move(value));
    keyLocs.push_back(key.loc);
    skipSpace();
    if (!atEnd() && text[pos] == ',') {
      ++pos;
      continue;
    }
    if (!atEnd() && text[pos] == '}') {
      ++pos;
      break;
    }
    if (atEnd())
      return error(dictLoc, "unclosed '{' in the .npy header");
    return error(pos, "expected ',' or '}' in the .npy header");
  }
  skipSpace();
  if (!atEnd())
    return error(pos, "unexpected text after the .npy header dictionary");
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Header interpretation
//===----------------------------------------------------------------------===//

struct DescrInfo {
  const char *code;
  DType dtype;
};
constexpr DescrInfo kDescrs[] = {
    {"b1", DType::Bool}, {"?", DType::Bool}, {"i4", DType::I32},
    {"i8", DType::I64},  {"f2", DType::F16}, {"f4", DType::F32},
    {"f8", DType::F64},  {"c8", DType::C64}, {"c16", DType::C128},
};

constexpr const char *kSupportedDescrs =
    "'|b1', '<i4', '<i8', '<f2', '<f4', '<f8', '<c8', '<c16'";

/// Maps a descr string to a dtype, or explains why it is not supported.
llvm::Error parseDescr(const PseudoSource &source, const PyValue &value,
                       DType &dtype) {
  if (value.kind == PyValue::Kind::List)
    return source.error(value.loc,
                        "structured dtypes are not supported in .npy files");
  if (value.kind != PyValue::Kind::String)
    return source.error(value.loc, "'descr' must be a string such as '<f4'");
  StringRef descr = value.text;
  char order = '=';
  StringRef code = descr;
  if (!code.empty() && StringRef("<>|=").contains(code.front())) {
    order = code.front();
    code = code.drop_front();
  }
  if (code.starts_with("O"))
    return source.error(value.loc, "object arrays ('" + descr +
                                       "') are not supported in .npy files");
  for (const DescrInfo &info : kDescrs) {
    if (code != info.code)
      continue;
    // Byte order is meaningless for one-byte items.
    if (order == '>' && getDTypeSize(info.dtype) > 1)
      return source.error(value.loc,
                          "big-endian dtype '" + descr +
                              "' is not supported; save the array as "
                              "little-endian (arr.astype('<" +
                              code + "'))");
    dtype = info.dtype;
    return llvm::Error::success();
  }
  return source.error(value.loc, "unsupported dtype '" + descr +
                                     "' (supported: " + kSupportedDescrs + ")");
}

llvm::Error parseShape(const PseudoSource &source, const PyValue &value,
                       std::vector<int64_t> &shape) {
  if (value.kind != PyValue::Kind::Tuple)
    return source.error(value.loc,
                        "'shape' must be a tuple of integers such as (2, 3)");
  for (const PyValue &item : value.items) {
    if (item.kind != PyValue::Kind::Int)
      return source.error(item.loc, "dimensions in 'shape' must be integers");
    if (item.overflow)
      return source.error(item.loc, "dimension " + item.text +
                                        " in 'shape' is too large");
    if (item.integer < 0)
      return source.error(item.loc,
                          "negative dimension " + item.text + " in 'shape'");
    shape.push_back(item.integer);
  }
  if (!computeNumElements(shape))
    return source.error(value.loc, "shape " + formatShapeTuple(shape) +
                                       " has too many elements");
  return llvm::Error::success();
}

/// A decoded file plus what diagnostics about it need afterwards.
struct DecodedNpy {
  HostTensor tensor;
  std::string header; ///< sanitized header text, the pseudo-source
  std::string descr;
  size_t descrLoc = 0;
};

/// The bytes of a .npy image: in memory, or read from a file on demand and
/// in order, never more than the header asks for (plus one byte, for
/// streams, to find data after the array).
class NpyBytes {
public:
  explicit NpyBytes(StringRef memory) : memory(memory), size(memory.size()) {}
  explicit NpyBytes(InputFile &file) : file(&file), size(file.getSize()) {}

  /// The size of the image when known (memory, a regular file).
  std::optional<uint64_t> getSize() const { return size; }

  /// The first `n` bytes, fewer when the image is shorter.
  llvm::Expected<StringRef> prefix(size_t n) {
    if (!file)
      return memory.take_front(n);
    if (head.size() < n && !ended) {
      size_t have = head.size();
      head.resize(n);
      llvm::Expected<size_t> got =
          file->read(llvm::MutableArrayRef<char>(head.data() + have, n - have));
      if (!got)
        return got.takeError();
      ended = *got < n - have;
      head.resize(have + *got);
    }
    return StringRef(head).take_front(n);
  }

  /// Copies up to `n` bytes that follow offset `start` (the end of the last
  /// prefix) into `out`; returns how many there were.
  llvm::Expected<size_t> read(size_t start, char *out, size_t n) {
    if (!file) {
      StringRef data = memory.substr(start, n);
      std::memcpy(out, data.data(), data.size());
      return data.size();
    }
    assert(start == head.size() && "a file is read in order");
    return file->read(llvm::MutableArrayRef<char>(out, n));
  }

  /// Whether a stream holds another byte after what was read.
  llvm::Expected<bool> hasMore() {
    char byte;
    llvm::Expected<size_t> got = file->read(llvm::MutableArrayRef<char>(byte));
    if (!got)
      return got.takeError();
    return *got != 0;
  }

private:
  StringRef memory;
  InputFile *file = nullptr;
  std::optional<uint64_t> size;
  std::string head;
  bool ended = false;
};

/// The preamble: where the header is.
struct NpyPreamble {
  size_t headerStart = 0;
  uint64_t headerLen = 0;
};

llvm::Error decodePreamble(StringRef path, NpyBytes &bytes,
                           NpyPreamble &result) {
  // One byte more than shown, so that the shown bytes end in "..." only
  // when there are more.
  llvm::Expected<StringRef> startOrErr = bytes.prefix(kShownBytes + 1);
  if (!startOrErr)
    return startOrErr.takeError();
  StringRef start = *startOrErr;
  auto preambleError = [&](const llvm::Twine &message) {
    return fileError(path, message);
  };
  if (start.empty())
    return preambleError("empty file is not a .npy file");
  // A prefix of the magic string is a truncated .npy file, not another format.
  StringRef magic(kMagic, kMagicLen);
  if (!magic.starts_with(start.take_front(kMagicLen)))
    return preambleError("not a .npy file: it starts with '" +
                         escapeBytes(start) +
                         "', not the magic string '\\x93NUMPY'");
  if (start.size() < kMagicLen + 2)
    return preambleError("truncated .npy file: it ends inside the preamble");
  unsigned major = static_cast<unsigned char>(start[6]);
  unsigned minor = static_cast<unsigned char>(start[7]);
  if (minor != 0 || major < 1 || major > 3)
    return preambleError("unsupported .npy format version " +
                         llvm::Twine(major) + "." + llvm::Twine(minor) +
                         " (supported: 1.0, 2.0, 3.0)");
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = kMagicLen + 2 + lengthSize;
  if (start.size() < headerStart)
    return preambleError("truncated .npy file: it ends inside the header "
                         "length");
  uint64_t headerLen = 0;
  for (size_t i = 0; i < lengthSize; ++i)
    headerLen |= uint64_t(static_cast<unsigned char>(start[8 + i])) << (8 * i);
  std::optional<uint64_t> size = bytes.getSize();
  if (size && headerLen > *size - headerStart)
    return preambleError("header length " + llvm::Twine(headerLen) +
                         " runs past the end of the file (" +
                         llvm::Twine(*size) + " bytes)");
  if (headerStart + headerLen > kMaxInputBytes)
    return preambleError("header length " + llvm::Twine(headerLen) +
                         " is larger than " + formatByteCount(kMaxInputBytes) +
                         " (the limit for input files)");
  result.headerStart = headerStart;
  result.headerLen = headerLen;
  return llvm::Error::success();
}

/// The header dict's entries, checked: dtype and shape.
llvm::Error
decodeHeader(const PseudoSource &source, DType &dtype,
             std::vector<int64_t> &shape, const PyValue *&descr,
             const PyValue *&shapeValue,
             std::vector<std::pair<std::string, PyValue>> &entries) {
  std::vector<size_t> keyLocs;
  size_t dictLoc = 0;
  if (auto err = HeaderParser(source).parse(entries, keyLocs, dictLoc))
    return err;

  static constexpr const char *kKeys[] = {"descr", "fortran_order", "shape"};
  const PyValue *found[3] = {nullptr, nullptr, nullptr};
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string &key = entries[i].first;
    size_t which = 0;
    while (which < 3 && key != kKeys[which])
      ++which;
    if (which == 3)
      return source.error(keyLocs[i], "unexpected key '" + key +
                                          "' in the .npy header (expected "
                                          "'descr', 'fortran_order' and "
                                          "'shape')");
    if (found[which])
      return source.error(keyLocs[i],
                          "duplicate key '" + key + "' in the .npy header");
    found[which] = &entries[i].second;
  }
  for (size_t which = 0; which < 3; ++which)
    if (!found[which])
      return source.error(dictLoc, llvm::Twine("missing key '") + kKeys[which] +
                                       "' in the .npy header");

  if (auto err = parseDescr(source, *found[0], dtype))
    return err;
  const PyValue &fortran = *found[1];
  if (fortran.kind != PyValue::Kind::Bool)
    return source.error(fortran.loc, "'fortran_order' must be True or False");
  if (fortran.boolean)
    return source.error(fortran.loc,
                        "Fortran-ordered arrays are not supported; save a "
                        "C-ordered array (np.ascontiguousarray)");
  descr = found[0];
  shapeValue = found[2];
  return parseShape(source, *found[2], shape);
}

/// Reads exactly the array data the header declares into `tensor`: an image
/// with more or less data is an error.
llvm::Error decodeData(const PseudoSource &source, NpyBytes &bytes,
                       size_t dataStart, const PyValue &descr,
                       const PyValue &shapeValue, DType dtype,
                       std::vector<int64_t> shape, HostTensor &tensor) {
  uint64_t numElements = static_cast<uint64_t>(*computeNumElements(shape));
  uint64_t itemSize = getDTypeSize(dtype);
  std::string what =
      "shape " + formatShapeTuple(shape) + " of '" + descr.text + "' needs ";
  if (numElements > (kMaxInputBytes - dataStart) / itemSize)
    return source.error(shapeValue.loc, "array data is too large: " + what +
                                            "more than " +
                                            formatByteCount(kMaxInputBytes) +
                                            " (the limit for input files)");
  uint64_t needed = numElements * itemSize;
  what += std::to_string(needed) + " bytes";
  std::optional<uint64_t> size = bytes.getSize();
  if (size && *size - dataStart < needed)
    return fileError(source.getPath(), "array data is truncated: " + what +
                                           " but the file has " +
                                           llvm::Twine(*size - dataStart));
  if (size && *size - dataStart > needed)
    return fileError(source.getPath(),
                     "unexpected " + llvm::Twine(*size - dataStart - needed) +
                         " bytes after the array data (" + what + ")");

  llvm::Expected<HostTensor> created =
      HostTensor::create(dtype, std::move(shape));
  if (!created)
    return source.error(shapeValue.loc, llvm::toString(created.takeError()));
  llvm::Expected<size_t> got =
      bytes.read(dataStart, static_cast<char *>(created->data()), needed);
  if (!got)
    return got.takeError();
  if (*got < needed)
    return fileError(source.getPath(), "array data is truncated: " + what +
                                           " but the file has " +
                                           llvm::Twine(*got));
  if (!size) {
    llvm::Expected<bool> more = bytes.hasMore();
    if (!more)
      return more.takeError();
    if (*more)
      return fileError(source.getPath(),
                       "unexpected bytes after the array data (" + what + ")");
  }
  if (dtype == DType::Bool) {
    // NumPy reads any nonzero byte as True; keep the one-byte 0/1 invariant.
    auto *data = created->dataAs<uint8_t>();
    for (uint64_t i = 0; i < needed; ++i)
      data[i] = data[i] != 0;
  }
  tensor = std::move(*created);
  return llvm::Error::success();
}

llvm::Error decodeNpy(StringRef path, NpyBytes &bytes, DecodedNpy &result) {
  NpyPreamble preamble;
  if (auto err = decodePreamble(path, bytes, preamble))
    return err;
  size_t dataStart = preamble.headerStart + preamble.headerLen;
  llvm::Expected<StringRef> image = bytes.prefix(dataStart);
  if (!image)
    return image.takeError();
  if (image->size() < dataStart)
    return fileError(path, "header length " + llvm::Twine(preamble.headerLen) +
                               " runs past the end of the file (" +
                               llvm::Twine(image->size()) + " bytes)");

  PseudoSource source(path, sanitizeHeader(image->substr(preamble.headerStart,
                                                         preamble.headerLen)));
  std::vector<std::pair<std::string, PyValue>> entries;
  DType dtype;
  std::vector<int64_t> shape;
  const PyValue *descr = nullptr, *shapeValue = nullptr;
  if (auto err = decodeHeader(source, dtype, shape, descr, shapeValue, entries))
    return err;
  if (auto err = decodeData(source, bytes, dataStart, *descr, *shapeValue,
                            dtype, std::move(shape), result.tensor))
    return err;
  result.header = source.getText().str();
  result.descr = descr->text;
  result.descrLoc = descr->loc;
  return llvm::Error::success();
}

/// Opens `path` and decodes it, reading no more than it declares.
llvm::Error readAndDecode(StringRef path, DecodedNpy &result) {
  llvm::Expected<InputFile> file = InputFile::open(path, ".npy file");
  if (!file)
    return file.takeError();
  if (std::optional<uint64_t> size = file->getSize();
      size && *size > kMaxInputBytes)
    return file->tooLarge(kMaxInputBytes);
  NpyBytes bytes(*file);
  return decodeNpy(path, bytes, result);
}

/// Encodes `tensor`, or returns false with the reason in `message`.
bool encode(const HostTensor &tensor, std::string &out, std::string &message) {
  if (!tensor.hasStorage()) {
    message = "cannot store a tensor without storage in a .npy file";
    return false;
  }
  std::optional<StringRef> descr = getNpyDescr(tensor.getDType());
  if (!descr) {
    message = getDTypeName(tensor.getDType()).str() +
              " tensors cannot be stored in .npy files (NumPy has no such "
              "dtype); convert to f32 first";
    return false;
  }

  std::string dict = "{'descr': '" + descr->str() +
                     "', 'fortran_order': False, 'shape': " +
                     formatShapeTuple(tensor.getShape()) + ", }";
  // Same layout as NumPy: 1..64 spaces and a newline after the dict so the
  // data starts 64-byte aligned, and version 2.0 only when the header length
  // does not fit in 16 bits.
  auto padding = [&](size_t lengthSize) {
    return kHeaderAlign -
           (kMagicLen + 2 + lengthSize + dict.size() + 1) % kHeaderAlign;
  };
  unsigned major = 1;
  size_t lengthSize = 2;
  if (dict.size() + 1 + padding(2) >= (size_t(1) << 16)) {
    major = 2;
    lengthSize = 4;
  }
  size_t headerLen = dict.size() + 1 + padding(lengthSize);

  out.clear();
  out.reserve(kMagicLen + 2 + lengthSize + headerLen + tensor.getNumBytes());
  out.append(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lengthSize; ++i)
    out += static_cast<char>((headerLen >> (8 * i)) & 0xff);
  out += dict;
  out.append(padding(lengthSize), ' ');
  out += '\n';
  out.append(static_cast<const char *>(tensor.data()), tensor.getNumBytes());
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

std::optional<StringRef> tessera::getNpyDescr(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return StringRef("|b1");
  case DType::I32:
    return StringRef("<i4");
  case DType::I64:
    return StringRef("<i8");
  case DType::F16:
    return StringRef("<f2");
  case DType::BF16:
    return std::nullopt;
  case DType::F32:
    return StringRef("<f4");
  case DType::F64:
    return StringRef("<f8");
  case DType::C64:
    return StringRef("<c8");
  case DType::C128:
    return StringRef("<c16");
  }
  return std::nullopt;
}

llvm::Expected<HostTensor> tessera::parseNpy(StringRef path, StringRef bytes) {
  DecodedNpy result;
  NpyBytes image(bytes);
  if (auto err = decodeNpy(path, image, result))
    return std::move(err);
  return std::move(result.tensor);
}

llvm::Expected<HostTensor> tessera::readNpy(StringRef path) {
  DecodedNpy result;
  if (auto err = readAndDecode(path, result))
    return std::move(err);
  return std::move(result.tensor);
}

llvm::Expected<HostTensor> tessera::readNpyAs(StringRef path, DType dtype) {
  DecodedNpy result;
  if (auto err = readAndDecode(path, result))
    return std::move(err);
  if (result.tensor.getDType() == dtype)
    return std::move(result.tensor);
  llvm::Expected<HostTensor> converted = convertTensor(result.tensor, dtype);
  if (!converted)
    return PseudoSource(path, result.header)
        .error(result.descrLoc, "cannot use '" + result.descr + "' data as " +
                                    getDTypeName(dtype) + ": " +
                                    llvm::toString(converted.takeError()));
  return converted;
}

llvm::Expected<std::string> tessera::encodeNpy(const HostTensor &tensor) {
  std::string out, message;
  if (!encode(tensor, out, message))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::Twine(message));
  return out;
}

llvm::Error tessera::writeNpy(StringRef path, const HostTensor &tensor) {
  std::string image, message;
  if (!encode(tensor, image, message))
    return fileError(path, "cannot write " + formatTensorType(tensor) + ": " +
                               message);
  AtomicOutputs outputs;
  unsigned id = outputs.add(path, ".npy file");
  if (llvm::Error e = outputs.check())
    return e;
  llvm::Expected<llvm::raw_pwrite_stream *> os = outputs.open(id);
  if (!os)
    return os.takeError();
  **os << image;
  return outputs.commit();
}
