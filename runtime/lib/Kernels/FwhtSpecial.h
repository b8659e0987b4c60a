//===- FwhtSpecial.h - Hadamard matrices 12, 20, 28, 40 ---------*- C++ -*-===//
//
// The fixed m x m Hadamard matrices H_m (m = 12, 20, 28, 40) of the
// transforms of length n = m 2^k (SizeRules.h splits a length into m and 2^k).
// Shared by Fwht.cpp and the per-ISA kernels (FwhtKernel.inc); constexpr
// data only, nothing to initialize at run time.
//
// Definition (unnormalized, every entry +1 or -1): for n = m 2^k,
//
//   M_n = kron(H_m, H_{2^k}),
//   out[a 2^k + b] = sum_{c < m, d < 2^k} H_m[a][c] H_{2^k}[b][d] in[c 2^k +
//   d],
//
// where H_{2^k}[b][d] = (-1)^popcount(b & d) is the Sylvester matrix and
// H_m[a][c] is character c of row a below ('+' for +1, '-' for -1). That is,
// viewing the vector as m rows of 2^k contiguous elements, each row gets
// the Sylvester transform and each column gets H_m (row a of H_m gives
// output row a: H_m multiplies from the left, not transposed). This is the
// matrix of Dao-AILab's fast-hadamard-transform (hadamard_transform_12N,
// 20N, 28N, 40N: each thread's chunk index c is the high part of the
// element index and its hadamard_mult_thread_{m} computes
// out[a] = sum_c H_m[a][c] x[c]), with the same H_m as its csrc/code_gen.py
// (had_12_paley, had_20_will, had_28_will, had_40_tpal, from
// http://neilsloane.com/hadamard/):
//  - H_12: Paley's construction II for q = 5: the 6 x 6 conference matrix
//    C = [[0, 1...1], [1...1, Q]] with Q[i][j] = chi(j - i) (chi the
//    quadratic character mod 5), each 0 replaced by [[1, -1], [-1, -1]] and
//    each +-1 by +-[[1, 1], [1, -1]]. Symmetric.
//  - H_20, H_28: Williamson-type matrices (Sloane's had.20.will,
//    had.28.will). Not symmetric.
//  - H_40: Sloane's had.40.tpal (from two Paley matrices). Not symmetric.
// Dao's library handles m 2^k with k >= 2 only (it zero-pads shorter inputs
// and truncates the result); this definition is the same formula for every
// k >= 0.
//
// A length 5 2^e is both 20 2^(e-2) and, for e >= 3, 40 2^(e-3): such
// lengths use H_40 when e >= 3 (as the QuaRot-style get_hadK helpers that
// feed Dao's library do, testing n % 40 before n % 20), so H_20 serves
// n = 20 alone: M_20 = H_20, M_40 = H_40, M_80 = kron(H_40, H_2), ...
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_RUNTIME_KERNELS_FWHTSPECIAL_H
#define TESSERA_RUNTIME_KERNELS_FWHTSPECIAL_H

#include "tessera/Runtime/SizeRules.h"

#include <cstdint>

namespace tessera::kernels {

/// The split of a length into m and 2^k (SizeRules.h, shared with the
/// compiler and the entry checks).
using tessera::splitFwhtLength;

/// H_12 (Paley II, q = 5), one string per row.
inline constexpr const char *kHadamard12[12] = {
    "+-++++++++++", "--+-+-+-+-+-", "+++-++----++", "+---+--+-++-",
    "+++++-++----", "+-+---+--+-+", "++--+++-++--", "+--++---+--+",
    "++----+++-++", "+--+-++---+-", "++++----+++-", "+-+--+-++---",
};

/// H_20 (Williamson type), one string per row.
inline constexpr const char *kHadamard20[20] = {
    "+----+----++--++-++-", "-+----+---+++---+-++", "--+----+---+++-+-+-+",
    "---+----+---+++++-+-", "----+----++--++-++-+", "-+++++-----+--+++--+",
    "+-+++-+---+-+--+++--", "++-++--+---+-+--+++-", "+++-+---+---+-+--+++",
    "++++-----++--+-+--++", "--++-+-++-+-----++++", "---++-+-++-+---+-+++",
    "+---++-+-+--+--++-++", "++---++-+----+-+++-+", "-++---++-+----+++++-",
    "-+--+--++-+----+----", "+-+-----++-+----+---", "-+-+-+---+--+----+--",
    "--+-+++------+----+-", "+--+--++------+----+",
};

/// H_28 (Williamson type), one string per row.
inline constexpr const char *kHadamard28[28] = {
    "+------++----++-+--+-+--++--", "-+-----+++-----+-+--+-+--++-",
    "--+-----+++---+-+-+----+--++", "---+-----+++---+-+-+-+--+--+",
    "----+-----+++---+-+-+++--+--", "-----+-----++++--+-+--++--+-",
    "------++----++-+--+-+--++--+", "--++++-+-------++--+++-+--+-",
    "---++++-+-----+-++--+-+-+--+", "+---+++--+----++-++--+-+-+--",
    "++---++---+----++-++--+-+-+-", "+++---+----+----++-++--+-+-+",
    "++++--------+-+--++-++--+-+-", "-++++--------+++--++--+--+-+",
    "-+-++-++--++--+--------++++-", "+-+-++--+--++--+--------++++",
    "-+-+-++--+--++--+----+---+++", "+-+-+-++--+--+---+---++---++",
    "++-+-+-++--+------+--+++---+", "-++-+-+-++--+------+-++++---",
    "+-++-+---++--+------+-++++--", "-++--++-+-++-+++----++------",
    "+-++--++-+-++-+++-----+-----", "++-++---+-+-++-+++-----+----",
    "-++-++-+-+-+-+--+++-----+---", "--++-++++-+-+----+++-----+--",
    "+--++-+-++-+-+----+++-----+-", "++--++-+-++-+-+----++------+",
};

/// H_40 (two Paley matrices), one string per row.
inline constexpr const char *kHadamard40[40] = {
    "+-------------------+-------------------",
    "++-++----+-+-++++--+++-++----+-+-++++--+",
    "+++-++----+-+-++++--+++-++----+-+-++++--",
    "+-++-++----+-+-++++-+-++-++----+-+-++++-",
    "+--++-++----+-+-+++++--++-++----+-+-++++",
    "++--++-++----+-+-+++++--++-++----+-+-+++",
    "+++--++-++----+-+-+++++--++-++----+-+-++",
    "++++--++-++----+-+-+++++--++-++----+-+-+",
    "+++++--++-++----+-+-+++++--++-++----+-+-",
    "+-++++--++-++----+-++-++++--++-++----+-+",
    "++-++++--++-++----+-++-++++--++-++----+-",
    "+-+-++++--++-++----++-+-++++--++-++----+",
    "++-+-++++--++-++----++-+-++++--++-++----",
    "+-+-+-++++--++-++---+-+-+-++++--++-++---",
    "+--+-+-++++--++-++--+--+-+-++++--++-++--",
    "+---+-+-++++--++-++-+---+-+-++++--++-++-",
    "+----+-+-++++--++-+++----+-+-++++--++-++",
    "++----+-+-++++--++-+++----+-+-++++--++-+",
    "+++----+-+-++++--++-+++----+-+-++++--++-",
    "+-++----+-+-++++--+++-++----+-+-++++--++",
    "+--------------------+++++++++++++++++++",
    "++-++----+-+-++++--+--+--++++-+-+----++-",
    "+++-++----+-+-++++-----+--++++-+-+----++",
    "+-++-++----+-+-++++--+--+--++++-+-+----+",
    "+--++-++----+-+-++++-++--+--++++-+-+----",
    "++--++-++----+-+-+++--++--+--++++-+-+---",
    "+++--++-++----+-+-++---++--+--++++-+-+--",
    "++++--++-++----+-+-+----++--+--++++-+-+-",
    "+++++--++-++----+-+------++--+--++++-+-+",
    "+-++++--++-++----+-+-+----++--+--++++-+-",
    "++-++++--++-++----+---+----++--+--++++-+",
    "+-+-++++--++-++----+-+-+----++--+--++++-",
    "++-+-++++--++-++------+-+----++--+--++++",
    "+-+-+-++++--++-++----+-+-+----++--+--+++",
    "+--+-+-++++--++-++---++-+-+----++--+--++",
    "+---+-+-++++--++-++--+++-+-+----++--+--+",
    "+----+-+-++++--++-++-++++-+-+----++--+--",
    "++----+-+-++++--++-+--++++-+-+----++--+-",
    "+++----+-+-++++--++----++++-+-+----++--+",
    "+-++----+-+-++++--++-+--++++-+-+----++--",
};

/// The rows of H_m (m = 12, 20, 28, 40), else null.
constexpr const char *const *hadamardRows(int64_t m) {
  switch (m) {
  case 12:
    return kHadamard12;
  case 20:
    return kHadamard20;
  case 28:
    return kHadamard28;
  case 40:
    return kHadamard40;
  default:
    return nullptr;
  }
}

/// Whether H_m[a][c] is -1.
constexpr bool hadamardMinus(int64_t m, int64_t a, int64_t c) {
  return hadamardRows(m)[a][c] == '-';
}

} // namespace tessera::kernels

#endif // TESSERA_RUNTIME_KERNELS_FWHTSPECIAL_H
