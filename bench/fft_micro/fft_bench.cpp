//===- fft_bench.cpp - Times tessera_fft_c64 on the benchmark shapes ------===//
//
// fft_bench [rows n]...: the median over many runs of one call of
// tessera_fft_c64 (forward, along the contiguous last axis, one thread) on
// rows x n complex floats, in microseconds, then the fastest sample, one line per shape.
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/Kernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
  tessera_set_num_threads(1);
  for (int a = 1; a + 1 < argc; a += 2) {
    int64_t rows = std::atoll(argv[a]), n = std::atoll(argv[a + 1]);
    std::vector<float> in(2 * rows * n), out(2 * rows * n);
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = float(std::rand() % 2001 - 1000) / 1000.0f;
    int64_t extents[2] = {rows, n}, strides[2] = {n, 1};
    auto call = [&] {
      tessera_fft_c64(2, 1, extents, in.data(), strides, out.data(), strides,
                      0);
    };
    call();
    // Calls per sample: about 2 ms of work.
    auto t0 = std::chrono::steady_clock::now();
    call();
    double once = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
    int reps = std::max(1, int(2e-3 / std::max(once, 1e-7)));
    std::vector<double> samples;
    for (int s = 0; s < 101; ++s) {
      auto start = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r)
        call();
      samples.push_back(std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count() /
                        reps);
    }
    std::sort(samples.begin(), samples.end());
    std::printf("%lld %lld %.2f %.2f\n", (long long)rows, (long long)n,
                samples[samples.size() / 2] * 1e6, samples[0] * 1e6);
  }
}
