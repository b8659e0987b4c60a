//===- SourceMap.cpp - Positions of a source put together from others -----===//

#include "tessera/Driver/Compiler.h"

#include "llvm/ADT/STLExtras.h"

#include <tuple>

using namespace tessera;

void SourceMap::addFile(llvm::StringRef file, llvm::StringRef text) {
  files.emplace_back(file.str(), text.str());
}

void SourceMap::addPiece(unsigned line, unsigned col, llvm::StringRef file,
                         unsigned fileLine, unsigned fileCol) {
  pieces.push_back({line, col, file.str(), fileLine, fileCol});
}

std::optional<SourceMap::Position> SourceMap::lookup(unsigned line,
                                                     unsigned col) const {
  // The first piece after line:col; the one before it is the answer.
  auto after =
      llvm::upper_bound(pieces, std::make_pair(line, col),
                        [](std::pair<unsigned, unsigned> pos, const Piece &p) {
                          return pos < std::make_pair(p.line, p.col);
                        });
  if (after == pieces.begin())
    return std::nullopt;
  const Piece &p = *std::prev(after);
  if (p.line != line)
    return Position{p.file, p.fileLine, p.fileCol};
  return Position{p.file, p.fileLine, p.fileCol + (col - p.col)};
}
