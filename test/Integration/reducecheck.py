#!/usr/bin/env python3
"""Checks the vectorized reductions, log-sum-exp and softmax against NumPy.

Compiles test/Integration/Inputs/reductions_vec.tess with `tessc --emit=lib`
and calls it through ctypes for every shape N x M with N, M in {0, 1, 7,
1000, 1023} (sizes that are not multiples of any vector width, and empty
tensors), once on finite data and once with NaN, +inf and -inf planted in
some rows and columns. Oracles, computed independently in NumPy float64:

  sum, prod    |got - ref| <= (n + 2) * 2^-24 * sum|terms| (the bound for any
               order of association), exact for integers
  max, min     exact, NaN-propagating (np.max / np.min); empty -> -inf / +inf
  log-sum-exp  within (m + 2) * 2^-24 (the sum's relative error) plus 4 f32
               ULPs of log(sum(exp(x - max))) + max
  softmax      relative error within (m + 2) * 2^-24 plus 4 f32 ULPs of
               exp(x - max) / sum(exp(x - max))

Usage: reducecheck.py TESSC SOURCE WORKDIR. Prints `OK` or the mismatches.
"""
import ctypes
import os
import subprocess
import sys

import numpy as np

SIZES = [0, 1, 7, 1000, 1023]
EPS = 2.0 ** -24


class Memref(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 2),
                ("strides", ctypes.c_int64 * 2)]


def memref(a):
    m = Memref()
    m.allocated = m.aligned = a.ctypes.data
    m.offset = 0
    for i, n in enumerate(a.shape):
        m.sizes[i] = n
    if a.ndim == 2:
        m.strides[0], m.strides[1] = a.shape[1], 1
    else:
        m.strides[0] = 1
    return m


def ulps(got, ref):
    """f32 ULPs between `got` and float64 `ref` (NaN matches NaN)."""
    got = got.astype(np.float64)
    _, e = np.frexp(ref)
    spacing = np.ldexp(1.0, np.maximum(e, -125) - 24)
    same = (got == ref) | (np.isnan(got) & np.isnan(ref))
    return np.where(same, 0.0, np.abs(got - ref) / spacing)


def identity_reduce(fn, a, axis, empty):
    if a.shape[axis] == 0:
        shape = list(a.shape)
        del shape[axis]
        return np.full(shape, empty, np.float64)
    return fn(a, axis=axis)


def expected(x, k):
    xd = x.astype(np.float64)
    mx = identity_reduce(np.max, xd, 1, -np.inf)
    shifted = np.exp(xd - mx[:, None])
    total = shifted.sum(axis=1)
    lse = np.log(total) + mx
    softmax = shifted / total[:, None]
    return {
        "rs": (xd.sum(axis=1), np.abs(xd).sum(axis=1), x.shape[1]),
        "rp": (xd.prod(axis=1), np.abs(xd).prod(axis=1), x.shape[1]),
        "cs": (xd.sum(axis=0), np.abs(xd).sum(axis=0), x.shape[0]),
        "rx": mx,
        "rn": identity_reduce(np.min, xd, 1, np.inf),
        "cx": identity_reduce(np.max, xd, 0, -np.inf),
        "cn": identity_reduce(np.min, xd, 0, np.inf),
        "is": k.sum(axis=1, dtype=np.int32),
        "ix": identity_reduce(np.max, k, 1, np.iinfo(np.int32).min),
        "ic": identity_reduce(np.min, k, 0, np.iinfo(np.int32).max),
        "lse": (lse, x.shape[1]),
        "sm": (softmax, x.shape[1]),
    }


NAMES = ["rs", "rp", "cs", "rx", "rn", "cx", "cn", "is", "ix", "ic", "lse",
         "sm"]


def run(entry, x, k):
    n, m = x.shape
    outs = {
        "rs": np.empty(n, np.float32), "rp": np.empty(n, np.float32),
        "cs": np.empty(m, np.float32), "rx": np.empty(n, np.float32),
        "rn": np.empty(n, np.float32), "cx": np.empty(m, np.float32),
        "cn": np.empty(m, np.float32), "is": np.empty(n, np.int32),
        "ix": np.empty(n, np.int32), "ic": np.empty(m, np.int32),
        "lse": np.empty(n, np.float32), "sm": np.empty((n, m), np.float32),
    }
    descs = [memref(a) for a in [x, k] + [outs[name] for name in NAMES]]
    status = entry(*[ctypes.byref(d) for d in descs])
    if status != 0:
        raise RuntimeError("entry returned %d" % status)
    return outs


def compare(name, got, want):
    """Empty string when `got` agrees with `want`, else a description."""
    if name in ("rs", "rp", "cs"):
        ref, absref, n = want
        bound = (n + 2) * EPS * absref
        with np.errstate(all="ignore"):
            diff = np.abs(got.astype(np.float64) - ref)
        ok = (diff <= bound) | (got == ref) | (np.isnan(got) & np.isnan(ref))
    elif name in ("is", "ix", "ic"):
        ok = got == want
    elif name in ("rx", "rn", "cx", "cn"):
        ok = (got.astype(np.float64) == want) | (np.isnan(got) & np.isnan(want))
    else:
        ref, n = want
        sum_error = (n + 2) * EPS
        if name == "lse":
            with np.errstate(all="ignore"):
                ok = ulps(got, ref) <= 4 + np.nan_to_num(
                    sum_error / np.maximum(np.abs(ref) * EPS, 2.0 ** -149))
        else:
            ok = ulps(got, ref) <= 4 + sum_error / EPS
    if np.all(ok):
        return ""
    i = np.flatnonzero(~np.asarray(ok).ravel())[0]
    ref = want[0] if isinstance(want, tuple) else want
    return "at %d: got %r, want %r" % (i, got.ravel()[i], ref.ravel()[i])


def main():
    tessc, source, workdir = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    lib_path = os.path.join(workdir, "libreductions.so")
    subprocess.check_call([tessc, "--emit=lib", source, "-o", lib_path])
    entry = ctypes.CDLL(lib_path)._mlir_ciface_reductions
    entry.restype = ctypes.c_int32
    # inf - inf and NaN in the oracles are expected.
    np.seterr(all="ignore")
    rng = np.random.default_rng(7)
    failures = 0
    cases = 0
    for n in SIZES:
        for m in SIZES:
            if n * m > 1023 * 1000:
                continue
            for special in (False, True):
                # Magnitudes in [0.5, 1.5]: products of 1023 of them neither
                # overflow nor underflow.
                x = (rng.uniform(0.5, 1.5, (n, m)) *
                     rng.choice([-1.0, 1.0], (n, m))).astype(np.float32)
                if special and n >= 4 and m >= 1:
                    x[1, m // 2] = np.nan
                    x[2, m - 1] = np.inf
                    x[3, 0] = -np.inf
                k = rng.integers(-1000, 1000, (n, m), dtype=np.int32)
                outs = run(entry, x, k)
                want = expected(x, k)
                for name in NAMES:
                    cases += 1
                    problem = compare(name, outs[name], want[name])
                    if problem:
                        failures += 1
                        print("MISMATCH %s %dx%d special=%s: %s" %
                              (name, n, m, special, problem))
    if failures:
        return 1
    print("OK %d comparisons" % cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
