#!/usr/bin/env python3
"""Measures the error in ULPs of Tessera's f32 built-in math functions.

Compiles one function applying every built-in to an f32 vector with
`tessc --emit=lib`, calls it through ctypes on dense sweeps (every 2^k-th f32
bit pattern, which covers subnormals and the largest magnitudes, plus uniform
grids over the ranges where the functions change), and compares each result
with NumPy's float64 value of the same formula (math.erf/erfc for gelu).

The error of a result y against the float64 reference r is |y - r| divided by
the spacing of f32 numbers at r (2^-149 for subnormal r); a correctly rounded
result has error <= 0.5. An infinite y counts as 2^128. NaN must give NaN, and
an infinite reference must be matched exactly.

Usage: ulpcheck.py TESSC WORKDIR [--stride-log2 K] [--bound FN=ULPS ...]
Also runs the last 0, 1, 7, 1000 and 1023 inputs alone, which must give the
same bits as in the whole sweep (vector loop and scalar remainder agree).
Prints one line `FN max_ulp=E at x=X ...` per function, then `OK` when every
bound holds (the defaults below, the ones docs/language.md states), or
`FAIL FN ...` lines and exit status 1.
"""
import ctypes
import math
import os
import subprocess
import sys

import numpy as np

# name -> (tess expression, float64 reference, documented bound in ULPs).
SQRT1_2 = math.sqrt(0.5)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _sigmoid(x):
    # exp(-|x|) never overflows; for x < 0 the result is exp(x) / (1 + exp(x)).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _gelu(x):
    return 0.5 * x * _erfc(-x * SQRT1_2).astype(np.float64)


INF = np.inf

# name -> (tess expression, float64 reference, bounds). Each bound is
# (lo, hi, ULPs) for inputs lo <= x < hi; the ULPs of subnormal results are
# 2^-149 each. These are the numbers of the table in docs/language.md.
FUNCTIONS = {
    "exp": ("exp(x)", np.exp, [(-INF, INF, 2)]),
    "log": ("log(x)", np.log, [(-INF, INF, 1.5)]),
    "sqrt": ("sqrt(x)", np.sqrt, [(-INF, INF, 0.5)]),
    "rsqrt": ("rsqrt(x)", lambda x: 1 / np.sqrt(x), [(-INF, INF, 1.5)]),
    "sin": ("sin(x)", np.sin, [(-INF, INF, 1)]),
    "cos": ("cos(x)", np.cos, [(-INF, INF, 1)]),
    "tanh": ("tanh(x)", np.tanh, [(-INF, INF, 5)]),
    "sigmoid": ("sigmoid(x)", _sigmoid, [(-INF, INF, 3)]),
    "softplus": ("softplus(x)", lambda x: np.logaddexp(0, x),
                 [(-INF, INF, 3)]),
    "silu": ("silu(x)", lambda x: x * _sigmoid(x),
             [(-INF, -87, 64), (-87, INF, 4)]),
    "gelu": ("gelu(x)", _gelu,
             [(-INF, -5, 256), (-5, -1, 32), (-1, INF, 4)]),
}


def sweep(stride_log2):
    """Every 2^stride_log2-th f32 bit pattern of both signs, the special
    values, and uniform grids of 2^20 points over [-20, 20] and [-1, 1]."""
    bits = np.arange(0, 0x7F800000, 1 << stride_log2, dtype=np.uint32)
    pos = bits.view(np.float32)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45,
                        np.finfo(np.float32).max, -np.finfo(np.float32).max,
                        np.finfo(np.float32).tiny, 88.72, 88.73, -87.33,
                        -103.97, -104.0, 1e-4, 4e-4, -4e-4, 7.9, 8.0],
                       np.float32)
    grids = [np.linspace(-20, 20, 1 << 20, dtype=np.float32),
             np.linspace(-1, 1, 1 << 20, dtype=np.float32)]
    return np.concatenate([pos, -pos, special] + grids)


def ulp_error(got, ref):
    """Error of f32 `got` against float64 `ref` in f32 ULPs at `ref`."""
    got = got.astype(np.float64)
    big = 2.0 ** 128
    # References that round to an f32 infinity count as infinite.
    ref = np.where(np.abs(ref) >= big - 2.0 ** 103, np.copysign(np.inf, ref),
                   ref)
    g = np.where(np.isinf(got), np.copysign(big, got), got)
    r = np.where(np.isinf(ref), np.copysign(big, ref), ref)
    _, e = np.frexp(r)
    spacing = np.ldexp(1.0, np.maximum(e, -125) - 24)
    err = np.abs(g - r) / spacing
    both_inf = np.isinf(got) & (got == ref)
    err = np.where(both_inf, 0.0, err)
    # An infinite reference needs an exactly infinite result.
    err = np.where(np.isinf(ref) & ~both_inf, np.inf, err)
    nan_ref = np.isnan(ref)
    return np.where(nan_ref, np.where(np.isnan(got), 0.0, np.inf),
                    np.where(np.isnan(got), np.inf, err))


def build(tessc, workdir, names):
    src = os.path.join(workdir, "ulp.tess")
    results = ", ".join("f32[N]" for _ in names)
    body = "\n".join("  r%d = %s" % (i, FUNCTIONS[n][0])
                     for i, n in enumerate(names))
    rets = ", ".join("r%d" % i for i in range(len(names)))
    with open(src, "w") as f:
        f.write("fn ulp(x: f32[N]) -> (%s) {\n%s\n  return %s\n}\n" %
                (results, body, rets))
    lib = os.path.join(workdir, "libulp.so")
    subprocess.check_call([tessc, "--emit=lib", src, "-o", lib])
    return ctypes.CDLL(lib)


class Memref1(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 1),
                ("strides", ctypes.c_int64 * 1)]


def memref(a):
    m = Memref1()
    m.allocated = m.aligned = a.ctypes.data
    m.offset = 0
    m.sizes[0] = a.shape[0]
    m.strides[0] = 1
    return m


def main():
    tessc, workdir = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    stride_log2 = 12
    bounds = {n: f[2] for n, f in FUNCTIONS.items()}
    while args:
        if args[0] == "--stride-log2":
            stride_log2 = int(args[1])
        elif args[0] == "--bound":
            name, value = args[1].split("=")
            bounds[name] = [(-INF, INF, float(value))]
        else:
            sys.exit("ulpcheck: unknown argument %s" % args[0])
        args = args[2:]
    os.makedirs(workdir, exist_ok=True)
    names = list(FUNCTIONS)
    lib = build(tessc, workdir, names)
    x = sweep(stride_log2)
    outs = [np.full_like(x, 7.0) for _ in names]
    descs = [memref(a) for a in [x] + outs]
    entry = lib._mlir_ciface_ulp
    entry.restype = ctypes.c_int32
    status = entry(*[ctypes.byref(d) for d in descs])
    if status != 0:
        sys.exit("ulpcheck: entry returned %d" % status)
    failed = []
    xd = x.astype(np.float64)
    with np.errstate(all="ignore"):
        for name, got in zip(names, outs):
            ref = np.asarray(FUNCTIONS[name][1](xd), np.float64)
            err = ulp_error(got, ref)
            bound = np.full_like(xd, np.nan)
            for lo, hi, ulps in bounds[name]:
                bound[(xd >= lo) & (xd < hi)] = ulps
            bound[np.isinf(xd)] = 0  # infinities give exact results
            bound[np.isnan(xd)] = 0  # NaN gives NaN
            bad = ~(err <= bound)
            worst = int(np.argmax(err))
            print("%s max_ulp=%.3g at x=%r got=%r want=%r" %
                  (name, err[worst], float(x[worst]), float(got[worst]),
                   float(ref[worst])))
            if bad.any():
                k = int(np.argmax(bad))
                failed.append("FAIL %s: %.3g ULP at x=%r (bound %g)" %
                              (name, err[k], float(x[k]), bound[k]))
    # The vector loop and its scalar remainder must agree: every prefix of
    # the sweep (lengths that are not multiples of any vector width, and
    # empty) gives the same bits as the whole.
    for length in (0, 1, 7, 1000, 1023):
        part = np.ascontiguousarray(x[-length:] if length else x[:0])
        part_outs = [np.full_like(part, 7.0) for _ in names]
        part_descs = [memref(a) for a in [part] + part_outs]
        if entry(*[ctypes.byref(d) for d in part_descs]) != 0:
            sys.exit("ulpcheck: entry failed on %d elements" % length)
        for name, got, whole in zip(names, part_outs, outs):
            want = whole[-length:] if length else whole[:0]
            if not np.array_equal(got.view(np.uint32), want.view(np.uint32)):
                failed.append("FAIL %s: %d elements differ from the whole" %
                              (name, length))
    for line in failed:
        print(line)
    if failed:
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
