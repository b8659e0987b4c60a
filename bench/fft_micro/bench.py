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
    return times[len(times) // 2] * 1e6


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


def main():
    exe = os.path.join(HERE, "build", "fft_bench")
    args = [str(v) for shape in SHAPES for v in shape]
    env = dict(os.environ, TESSERA_NUM_THREADS="1")
    lines = subprocess.run([exe] + args, capture_output=True, text=True,
                           env=env, check=True).stdout.split("\n")
    tessera = {(int(l.split()[0]), int(l.split()[1])): float(l.split()[2])
               for l in lines if l.strip()}
    isa = os.environ.get("TESSERA_GEMM_ISA", "best")
    print(f"ISA {isa}; times in us (median); ratio = tessera / other")
    print(f"{'shape':>10} {'tessera':>8} {'fftw':>8} {'ducc0':>8} "
          f"{'numpy':>8}  {'/fftw':>6} {'/ducc0':>6} {'/numpy':>6}")
    for rows, n in SHAPES:
        o = others(rows, n)
        t = tessera[(rows, n)]
        print(f"{rows:>4}x{n:<5} {t:8.1f} {o['fftw']:8.1f} {o['ducc0']:8.1f} "
              f"{o['numpy']:8.1f}  {t / o['fftw']:6.2f} {t / o['ducc0']:6.2f} "
              f"{t / o['numpy']:6.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
