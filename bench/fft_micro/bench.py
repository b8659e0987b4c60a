#!/usr/bin/env python3
"""Times Tessera's tessera_fft_c64 (fft_bench, built by build.sh) against
pyfftw (FFTW_MEASURE, one thread), ducc0.fft.c2c (nthreads=1) and numpy.fft
on the benchmark shapes, forward c64 along the contiguous last axis, in the
same run; medians in microseconds. TESSERA_GEMM_ISA=avx2 narrows Tessera's
ISA. Run with /work/wt-bench/bench/.venv/bin/python."""
import os
import subprocess
import sys
import time

import numpy as np
import pyfftw
import ducc0

SHAPES = [(64, 1024), (1, 65536), (16, 4096), (32, 1000)]
HERE = os.path.dirname(os.path.abspath(__file__))


def median_time(fn, budget=2e-3, samples=61):
    """(median, fastest) seconds per call over `samples` batches."""
    fn()
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    reps = max(1, int(budget / max(once, 1e-7)))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return times[len(times) // 2] * 1e6, times[0] * 1e6


def others(rows, n):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((rows, n)) +
         1j * rng.standard_normal((rows, n))).astype(np.complex64)
    a = pyfftw.empty_aligned((rows, n), dtype=np.complex64)
    b = pyfftw.empty_aligned((rows, n), dtype=np.complex64)
    plan = pyfftw.FFTW(a, b, axes=(1,), flags=("FFTW_MEASURE",), threads=1)
    a[:] = x
    out = np.empty_like(x)
    return {
        "fftw": median_time(lambda: plan()),
        "ducc0": median_time(
            lambda: ducc0.fft.c2c(x, axes=(1,), forward=True, nthreads=1,
                                  out=out)),
        "numpy": median_time(lambda: np.fft.fft(x, axis=1)),
    }


def tessera(rows, n):
    exe = os.path.join(HERE, "build", "fft_bench")
    env = dict(os.environ, TESSERA_NUM_THREADS="1")
    line = subprocess.run([exe, str(rows), str(n)], capture_output=True,
                          text=True, env=env, check=True).stdout.split()
    return float(line[2]), float(line[3])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    isa = os.environ.get("TESSERA_GEMM_ISA", "best")
    print(f"ISA {isa}; us per call: median of samples (best of {rounds} "
          "rounds, each library timed in turn per round), then the fastest "
          "sample; ratio = tessera / other on the medians")
    print(f"{'shape':>10} {'tessera':>13} {'fftw':>13} {'ducc0':>13} "
          f"{'numpy':>13}  {'/fftw':>5} {'/ducc0':>6} {'/numpy':>6}")
    for rows, n in SHAPES:
        best = {}
        for _ in range(rounds):
            got = others(rows, n)
            got["tessera"] = tessera(rows, n)
            for k, v in got.items():
                old = best.get(k, (1e30, 1e30))
                best[k] = (min(old[0], v[0]), min(old[1], v[1]))
        t = best["tessera"][0]
        cells = " ".join(f"{best[k][0]:6.1f}/{best[k][1]:6.1f}"
                         for k in ("tessera", "fftw", "ducc0", "numpy"))
        print(f"{rows:>4}x{n:<5} {cells}  {t / best['fftw'][0]:5.2f} "
              f"{t / best['ducc0'][0]:6.2f} {t / best['numpy'][0]:6.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
