#!/usr/bin/env python3
"""Call overhead of the Python module: a compiled 8 x 8 matmul from Python.

    /usr/bin/python3 bench/python_overhead.py [--size 8] [--venv DIR] [--no-install]

Measures, side by side in one process, the time per call of an N x N float32
matmul (default N = 8, where the call costs more than the arithmetic):

  * tessera: `m.matmul(a, b)` (a new NumPy result each call),
    `m.matmul(a, b, out=c)`, and the same on PyTorch tensors (through
    DLPack);
  * numpy: `np.matmul(a, b)` and with `out=`;
  * torch: `torch.matmul(a, b)` and `torch.mm(a, b, out=c)` (eager);
  * torch.compile: a compiled `a @ b` (inductor, after warm-up);
  * the kernel alone: the same Tessera code called in a C loop (a library
    from `tessc --emit=lib`, no Python), which the overhead is counted from.

Every implementation's result is checked against NumPy (float64) first. The
table gives the median of 15 repeats of 20000 calls; "overhead" is the time
beyond the kernel. Writes bench/results/python-overhead.csv and .png.

The Python side runs in a venv with the `tessera` package and PyTorch:
build/python-venv, which `scripts/setup.sh test` creates; this script
creates it the same way when it is missing and re-installs the package from
this tree (`pip install .`) unless --no-install.

Target (issue 11): a call costs under 10 us beyond the kernel.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TESSERA_BUILD_DIR", os.path.join(ROOT, "build"))
TARGET_US = 10.0

MATMUL = """
fn matmul(a: f32[M, K], b: f32[K, N]) -> f32[M, N] {
  c[m, n] = a[m, k] * b[k, n]
  return c
}
"""

KERNEL_LOOP = r"""
#include "libmm.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
int main(int argc, char **argv) {
  int n = atoi(argv[1]), calls = atoi(argv[2]), repeats = atoi(argv[3]);
  float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
        *c = malloc(sizeof(float) * n * n);
  for (int i = 0; i != n * n; ++i) a[i] = b[i] = (float)(i % 7) - 3;
  for (int r = 0; r != repeats; ++r) {
    double start = now();
    for (int i = 0; i != calls; ++i)
      if (tessera_matmul(n, n, n, a, b, c)) return 1;
    printf("%.9f\n", (now() - start) / calls);
  }
  return 0;
}
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


def venv_python(venv):
    return os.path.join(venv, "bin", "python")


def prepare_venv(venv, install):
    """The venv's python, with tessera (from this tree), torch, matplotlib."""
    python = venv_python(venv)
    if not os.path.exists(python):
        log("creating %s" % venv)
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages",
                        venv], check=True)
    need = [m for m in ("scikit_build_core", "nanobind", "torch", "matplotlib")
            if subprocess.run([python, "-c", "import " + m],
                              capture_output=True).returncode != 0]
    if need:
        packages = [m.replace("_", "-") for m in need]
        log("pip install %s" % " ".join(packages))
        subprocess.run([python, "-m", "pip", "install", "-q"] + packages,
                       check=True)
    if install:
        log("pip install . (built against %s)" % BUILD)
        subprocess.run([python, "-m", "pip", "install", "-q",
                        "--no-build-isolation",
                        "--config-settings=build-dir=%s" %
                        os.path.join(BUILD, "python-package"), ROOT],
                       check=True, env=dict(os.environ, TESSERA_BUILD_DIR=BUILD))
    return python


def kernel_seconds(n, calls, repeats):
    """Median seconds per call of the Tessera matmul from a C loop."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "mm.tess")
        with open(source, "w") as f:
            f.write(MATMUL)
        subprocess.run([os.path.join(BUILD, "bin", "tessc"), source,
                        "--emit=lib", "-o", os.path.join(tmp, "libmm.so")],
                       check=True)
        loop = os.path.join(tmp, "loop.c")
        with open(loop, "w") as f:
            f.write(KERNEL_LOOP)
        exe = os.path.join(tmp, "loop")
        subprocess.run(["clang-22", "-O2", "-I", tmp, loop, "-L", tmp, "-lmm",
                        "-Wl,-rpath," + tmp, "-o", exe], check=True)
        out = subprocess.run([exe, str(n), str(calls), str(repeats)],
                             check=True, capture_output=True, text=True).stdout
    return statistics.median(float(line) for line in out.split())


def worker(n, calls, repeats):
    """Runs in the venv: times every implementation; prints rows as CSV."""
    import numpy as np
    import tessera
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    expected = a.astype(np.float64) @ b
    m = tessera.compile(MATMUL)
    c = np.empty((n, n), np.float32)
    ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(n, n)

    candidates = [
        ("tessera", "m.matmul(a, b)", lambda: m.matmul(a, b)),
        ("tessera", "m.matmul(a, b, out=c)", lambda: m.matmul(a, b, out=c)),
        ("tessera", "m.matmul(ta, tb, out=tc) [torch]",
         lambda: m.matmul(ta, tb, out=tc)),
        ("numpy", "np.matmul(a, b)", lambda: np.matmul(a, b)),
        ("numpy", "np.matmul(a, b, out=c)", lambda: np.matmul(a, b, out=c)),
        ("torch", "torch.matmul(a, b)", lambda: torch.matmul(ta, tb)),
        ("torch", "torch.mm(a, b, out=c)", lambda: torch.mm(ta, tb, out=tc)),
    ]
    try:
        compiled = torch.compile(lambda x, y: x @ y)
        for _ in range(3):
            compiled(ta, tb)
        candidates.append(("torch.compile", "torch.compile(a @ b)(a, b)",
                           lambda: compiled(ta, tb)))
    except Exception as e:  # noqa: BLE001 - reported, the rest goes on
        log("!! torch.compile unavailable: %s" % e)

    writer = csv.writer(sys.stdout)
    for impl, call, fn in candidates:
        result = fn()
        got = np.asarray(result.numpy() if isinstance(result, torch.Tensor)
                         else result)
        if not np.allclose(got, expected, rtol=1e-4, atol=1e-4):
            log("!! %s: %s MISMATCH" % (impl, call))
            continue
        times = timeit.repeat(fn, number=calls, repeat=repeats)
        writer.writerow([impl, call, "%.6f" % (statistics.median(times) / calls * 1e6),
                         "%.6f" % (min(times) / calls * 1e6)])


def plot(rows, kernel_us, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [r["call"] for r in rows] + ["kernel alone (C loop)"]
    values = [r["median_us"] for r in rows] + [kernel_us]
    colors = ["tab:blue" if r["impl"] == "tessera" else "tab:gray" for r in rows]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.barh(labels, values, color=colors + ["tab:green"])
    ax.axvline(kernel_us + TARGET_US, color="tab:red", linestyle="--",
               label="target: kernel + %g us" % TARGET_US)
    ax.set_xlabel("microseconds per call (median)")
    ax.set_title("Python call of an %s float32 matmul" % rows[0]["shape"])
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=8)
    p.add_argument("--calls", type=int, default=20000)
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--venv", default=os.path.join(BUILD, "python-venv"))
    p.add_argument("--no-install", action="store_true",
                   help="use the venv's tessera as it is")
    p.add_argument("--csv", default=os.path.join(ROOT, "bench", "results",
                                                 "python-overhead.csv"))
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.size, args.calls, args.repeats)
        return

    python = prepare_venv(args.venv, not args.no_install)
    kernel_us = kernel_seconds(args.size, args.calls, args.repeats) * 1e6
    out = subprocess.run([python, os.path.abspath(__file__), "--worker",
                          "--size", str(args.size), "--calls", str(args.calls),
                          "--repeats", str(args.repeats)],
                         check=True, capture_output=True, text=True,
                         env=dict(os.environ, TESSERA_NUM_THREADS="1",
                                  OMP_NUM_THREADS="1"))
    sys.stderr.write(out.stderr)
    shape = "%d x %d" % (args.size, args.size)
    rows = [dict(impl=i, call=c, median_us=float(med), min_us=float(low),
                 shape=shape)
            for i, c, med, low in csv.reader(out.stdout.splitlines())]
    numpy_us = min(r["median_us"] for r in rows if r["impl"] == "numpy")
    print("%-16s %-26s %10s %10s %10s" % ("impl", "call", "us/call",
                                          "overhead", "x numpy"))
    for r in rows:
        r["overhead_us"] = r["median_us"] - kernel_us
        print("%-16s %-26s %10.3f %10.3f %10.2f" % (
            r["impl"], r["call"], r["median_us"], r["overhead_us"],
            r["median_us"] / numpy_us))
    print("%-16s %-26s %10.3f" % ("kernel", "C loop over tessera_matmul",
                                  kernel_us))
    worst = max(r["overhead_us"] for r in rows
                if r["impl"] == "tessera" and "torch" not in r["call"])
    print("tessera overhead beyond the kernel, NumPy arrays: at most %.2f us "
          "(target < %g us): %s"
          % (worst, TARGET_US, "met" if worst < TARGET_US else "MISSED"))

    os.makedirs(os.path.dirname(args.csv), exist_ok=True)
    with open(args.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["impl", "call", "shape", "median_us", "min_us",
                    "overhead_us"])
        for r in rows:
            w.writerow([r["impl"], r["call"], shape, "%.3f" % r["median_us"],
                        "%.3f" % r["min_us"], "%.3f" % r["overhead_us"]])
        w.writerow(["kernel", "C loop over tessera_matmul", shape,
                    "%.3f" % kernel_us, "", "0"])
    print("wrote", os.path.relpath(args.csv, ROOT))
    png = os.path.splitext(args.csv)[0] + ".png"
    plot_run = subprocess.run(
        [python, "-c", "import sys, json; sys.path.insert(0, %r); "
         "import python_overhead as p; p.plot(json.loads(sys.argv[1]), "
         "float(sys.argv[2]), sys.argv[3])" % os.path.dirname(
             os.path.abspath(__file__)),
         __import__("json").dumps(rows), str(kernel_us), png],
        capture_output=True, text=True)
    if plot_run.returncode == 0:
        print("wrote", os.path.relpath(png, ROOT))
    else:
        log("!! no plot: %s" % plot_run.stderr.strip().splitlines()[-1:])


if __name__ == "__main__":
    main()
