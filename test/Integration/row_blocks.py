#!/usr/bin/env python3
"""Runs the programs of Inputs/row_blocks.tess and
Inputs/column_reductions.tess with tess-run on many sizes (one row, fewer
rows than a block, rows longer than a block's budget, partial blocks of
columns, empty extents) and compares with a float64 NumPy reference.

Usage: row_blocks.py TESS_RUN [--quick]
Prints one line per case and `N cases, N mismatches`; exits 1 on a mismatch.
The environment passes through (TESSERA_NUM_THREADS).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "Inputs", "row_blocks.tess")
COLUMNS = os.path.join(HERE, "Inputs", "column_reductions.tess")


def softmax(s, axis):
    """Softmax in float64 (an empty axis gives an empty result)."""
    if s.shape[axis] == 0:
        return s
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention(q, k, v):
    s = np.einsum("bhtd,bhud->bhtu", q, k) / np.sqrt(max(q.shape[-1], 0) or np.nan)
    if q.shape[-1] == 0:
        s = np.full(s.shape, np.nan)
    return np.einsum("bhtu,bhud->bhtd", softmax(s, 3), v)


def cases(rng, quick):
    f = lambda *shape: rng.standard_normal(shape)
    sizes = [(1, 1, 1, 1, 1), (2, 3, 7, 5, 8), (1, 2, 100, 1023, 17),
             (1, 1, 9, 9000, 4), (2, 1, 0, 5, 3), (1, 2, 4, 3, 0)]
    if not quick:
        sizes += [(2, 2, 1000, 130, 64), (1, 1, 3, 0, 2)]
    for b, h, t, s, d in sizes:
        q, k, v = f(b, h, t, d), f(b, h, s, d), f(b, h, s, d)
        yield ("attention", "B=%d H=%d T=%d S=%d D=%d" % (b, h, t, s, d),
               dict(q=q, k=k, v=v), attention(q, k, v), np.float32)
    for t, s, d, e in [(1, 1, 1, 1), (33, 70, 5, 3), (200, 600, 16, 9)]:
        q, k, v = f(t, d), f(s, d), f(s, e)
        want = softmax(q @ k.T, 1) @ v
        yield ("attention64", "T=%d S=%d D=%d E=%d" % (t, s, d, e),
               dict(q=q, k=k, v=v), want, np.float64)
    for t, s, d, e in [(1, 1, 1, 1), (50, 300, 8, 6)]:
        q, x, wk, v = f(t, d), f(s, e), f(e, d), f(s, d)
        want = softmax(q @ (x @ wk).T, 1) @ v
        yield ("projected", "T=%d S=%d D=%d E=%d" % (t, s, d, e),
               dict(q=q, x=x, wk=wk, v=v), want, np.float32)
    for n, i, o in [(1, 1, 1), (7, 33, 5), (300, 100, 40)]:
        x, w = f(n, i), f(o, i)
        mu = x.mean(axis=1, keepdims=True)
        z = (x - mu) / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + 1e-5)
        yield ("norm_proj", "N=%d I=%d O=%d" % (n, i, o), dict(x=x, w=w),
               z @ w.T, np.float32)
    for t, s, d in [(1, 1, 1), (40, 9, 3)]:
        q, k, v = f(t, d), f(s, d), f(s, d)
        yield ("across", "T=%d S=%d D=%d" % (t, s, d), dict(q=q, k=k, v=v),
               softmax(q @ k.T, 0) @ v, np.float32)
    shapes = [(1, 1), (7, 1000), (1000, 7), (3, 257), (0, 5), (5, 0)]
    if not quick:
        shapes += [(300, 4100)]
    for n, m in shapes:
        x = f(n, m)
        yield ("colsum", "N=%d M=%d" % (n, m), dict(x=x), x.sum(axis=0), np.float32)
        if n:
            yield ("colmax", "N=%d M=%d" % (n, m), dict(x=x),
                   x.astype(np.float32).max(axis=0), np.float32)
            yield ("colmean64", "N=%d M=%d" % (n, m), dict(x=x), x.mean(axis=0),
                   np.float64)
    for n, b, m in [(2, 3, 300), (50, 1, 1)]:
        x = f(n, b, m)
        yield ("colsum3", "N=%d B=%d M=%d" % (n, b, m), dict(x=x), x.sum(axis=0),
               np.float32)


def run(tess_run, entry, inputs, dtype, tmp):
    source = COLUMNS if entry.startswith("col") else SOURCE
    cmd = [tess_run, "-O2", source, "--entry", entry]
    for name, value in inputs.items():
        path = os.path.join(tmp, name + ".npy")
        np.save(path, value.astype(dtype))
        cmd += ["--in", "%s=%s" % (name, path)]
    out = os.path.join(tmp, "out.npy")
    cmd += ["--out", "0=" + out]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr
    return np.load(out), ""


def main():
    tess_run = sys.argv[1]
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(7)
    total = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for entry, label, inputs, want, dtype in cases(rng, quick):
            # The reference from the rounded inputs the program sees.
            got, err = run(tess_run, entry, inputs, dtype, tmp)
            total += 1
            tol = 1e-12 if dtype == np.float64 else 2e-5
            ok = (got is not None and got.dtype == dtype and
                  got.shape == want.shape and
                  np.allclose(got, want, rtol=tol * 10, atol=tol * 10,
                              equal_nan=True))
            if ok:
                print("%s %s: OK" % (entry, label))
                continue
            bad += 1
            detail = err.strip() if got is None else "shape %s, max_abs_err=%g" % (
                got.shape, float(np.nanmax(np.abs(got - want)))
                if got.shape == want.shape and want.size else 0)
            print("%s %s: MISMATCH %s" % (entry, label, detail))
    print("%d cases, %d mismatches" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
