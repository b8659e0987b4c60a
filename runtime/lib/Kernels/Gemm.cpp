//===- Gemm.cpp - Batched GEMM entry points: dispatch and threads ---------===//
//
// tessera_gemm_f32/f64 (Kernels.h): pick the ISA once, split the batch and
// the rows or columns of C into one piece per thread (in whole micro-kernel
// tiles), and run each piece through the ISA's serial GEMM.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include "GemmKernel.h"
#include "Isa.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <utility>

#ifdef _OPENMP
#include <omp.h>
#endif

using namespace tessera::kernels;

namespace {

/// The entry points of one ISA's kernels.
struct IsaKernels {
  GemmF32 f32;
  GemmF64 f64;
  TileShape (*tile)(bool f64);
};

/// The kernels of the ISA in use (constant tables: no guard variables).
const IsaKernels &getKernels() {
  static constexpr IsaKernels generic{gemmGenericF32, gemmGenericF64,
                                      tileGeneric};
#ifdef TESSERA_KERNELS_X86
  static constexpr IsaKernels avx512{gemmAVX512F32, gemmAVX512F64, tileAVX512};
  static constexpr IsaKernels avx2{gemmAVX2F32, gemmAVX2F64, tileAVX2};
  switch (getIsa()) {
  case Isa::AVX512:
    return avx512;
  case Isa::AVX2:
    return avx2;
  default:
    break;
  }
#endif
  return generic;
}

/// Below this many multiply-adds a GEMM runs on one thread: waking the
/// others costs more than it saves.
constexpr double kMinParallelWork = 1 << 17;

/// How C is split: `chunks` pieces per batch element, along rows (or
/// columns), each `tilesPerChunk` micro-kernel tiles.
struct Split {
  int64_t chunks;
  bool alongRows;
  int64_t chunkSize;
};

Split chooseSplit(int64_t batch, int64_t m, int64_t n, int threads,
                  TileShape tile) {
  // Whole batch elements per thread when they divide evenly or are many.
  if (threads <= 1 || batch % threads == 0 || batch >= 8 * threads)
    return {1, true, m};
  int64_t rowTiles = (m + tile.rows - 1) / tile.rows;
  int64_t colTiles = (n + tile.cols - 1) / tile.cols;
  bool alongRows = rowTiles >= colTiles;
  int64_t tiles = alongRows ? rowTiles : colTiles;
  int64_t chunks = std::min<int64_t>(threads, tiles);
  int64_t tilesPerChunk = (tiles + chunks - 1) / chunks;
  chunks = (tiles + tilesPerChunk - 1) / tilesPerChunk;
  int64_t unit = alongRows ? tile.rows : tile.cols;
  return {chunks, alongRows, tilesPerChunk * unit};
}

template <typename T, typename Serial>
void runBatchedGemm(Serial serial, bool f64, int64_t batch, int64_t m,
                    int64_t n, int64_t k, const T *a, int64_t sab, int64_t sam,
                    int64_t sak, const T *b, int64_t sbb, int64_t sbk,
                    int64_t sbn, T *c, int64_t scb, int64_t scm, int64_t scn,
                    bool overwrite, int epilogue, T scalar) {
  if (batch <= 0 || m <= 0 || n <= 0 || (k <= 0 && !overwrite && epilogue == 0))
    return;
  // The micro-kernel stores whole vectors along C's columns: when C is
  // contiguous down its columns instead, compute C^T = B^T * A^T.
  if (scn != 1 && scm == 1) {
    std::swap(m, n);
    std::swap(a, b);
    std::swap(sab, sbb);
    int64_t aRow = sbn, aCol = sbk, bRow = sak, bCol = sam;
    sam = aRow;
    sak = aCol;
    sbk = bRow;
    sbn = bCol;
    std::swap(scm, scn);
  }
  int threads = tessera_get_num_threads();
  double work = double(batch) * double(m) * double(n) * double(k);
  if (work < kMinParallelWork)
    threads = 1;
#ifdef _OPENMP
  // Called from a parallel loop (a block of attention rows): that loop
  // already has the threads.
  if (threads > 1 && omp_in_parallel())
    threads = 1;
#endif
  Split split = chooseSplit(batch, m, n, threads, getKernels().tile(f64));
  int64_t tasks = batch * split.chunks;
  auto runTask = [&](int64_t task) {
    int64_t item = task / split.chunks, chunk = task % split.chunks;
    int64_t begin = chunk * split.chunkSize;
    int64_t extent = split.alongRows ? m : n;
    int64_t size = std::min(split.chunkSize, extent - begin);
    GemmProblem<T> g{m,
                     n,
                     k,
                     a + item * sab,
                     sam,
                     sak,
                     b + item * sbb,
                     sbk,
                     sbn,
                     c + item * scb,
                     scm,
                     scn,
                     overwrite,
                     epilogue,
                     scalar};
    if (split.alongRows) {
      g.m = size;
      g.a += begin * sam;
      g.c += begin * scm;
    } else {
      g.n = size;
      g.b += begin * sbn;
      g.c += begin * scn;
    }
    serial(g);
  };
  // One thread: no OpenMP construct at all (a serialized region still
  // costs libomp calls, which format debug strings in Debian's build).
  if (threads <= 1) {
    for (int64_t task = 0; task < tasks; ++task)
      runTask(task);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t task = 0; task < tasks; ++task)
    runTask(task);
}

} // namespace

extern "C" void tessera_gemm_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                                 const float *a, int64_t sab, int64_t sam,
                                 int64_t sak, const float *b, int64_t sbb,
                                 int64_t sbk, int64_t sbn, float *c,
                                 int64_t scb, int64_t scm, int64_t scn,
                                 int32_t overwrite, int32_t epilogue,
                                 double scalar) {
  runBatchedGemm<float>(getKernels().f32, /*f64=*/false, batch, m, n, k, a, sab,
                        sam, sak, b, sbb, sbk, sbn, c, scb, scm, scn,
                        overwrite != 0, epilogue, float(scalar));
}

extern "C" void tessera_gemm_f64(int64_t batch, int64_t m, int64_t n, int64_t k,
                                 const double *a, int64_t sab, int64_t sam,
                                 int64_t sak, const double *b, int64_t sbb,
                                 int64_t sbk, int64_t sbn, double *c,
                                 int64_t scb, int64_t scm, int64_t scn,
                                 int32_t overwrite, int32_t epilogue,
                                 double scalar) {
  runBatchedGemm<double>(getKernels().f64, /*f64=*/true, batch, m, n, k, a, sab,
                         sam, sak, b, sbb, sbk, sbn, c, scb, scm, scn,
                         overwrite != 0, epilogue, scalar);
}

extern "C" const char *tessera_gemm_isa(void) {
  switch (getIsa()) {
  case Isa::AVX512:
    return "avx512";
  case Isa::AVX2:
    return "avx2";
  default:
    return "generic";
  }
}
