#!/usr/bin/env python3
"""Runs the GEMM-shaped contractions of Inputs/gemm_shapes.tess with tess-run
on many sizes (tile multiples and not, 1, empty) and compares with NumPy.

Usage: gemm_shapes.py TESS_RUN [--quick]
Prints one line per case and `N cases, N mismatches`; exits 1 on a mismatch.
The environment passes through, so TESSERA_GEMM_ISA and TESSERA_NUM_THREADS
select the kernel variant and the threads.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "Inputs", "gemm_shapes.tess")
SIZES = [(1, 1, 1), (7, 5, 3), (0, 4, 3), (4, 3, 0), (33, 1000, 17),
         (1023, 7, 130), (100, 1023, 1000)]


def cases(m, n, k, rng, every_layout):
    """(entry, inputs, expected) at sizes m, n, k: the plain product, and
    with `every_layout` each other function too."""
    f = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    a, b = f(m, k), f(k, n)
    yield "nn", dict(a=a, b=b), a @ b
    if not every_layout:
        return
    yield "tn", dict(a=a.T.copy(), b=b), a @ b
    yield "nt", dict(a=a, b=b.T.copy()), a @ b
    yield "ct", dict(a=a, b=b), (a @ b).T
    x = f(k)
    yield "matvec", dict(a=a, x=x), a @ x
    a3, b3 = f(3, m, k), f(3, k, n)
    yield "batched", dict(a=a3, b=b3), a3 @ b3
    yield "shared", dict(a=a3, w=b), a3 @ b
    q, kk = f(2, 3, m, k), f(2, 3, n, k)
    yield "heads", dict(q=q, k=kk), np.einsum("bhtd,bhud->bhtu", q, kk)
    l = 3
    a2, b2 = f(m, k, l), f(k, l, n)
    yield "twosums", dict(a=a2, b=b2), np.einsum("mkl,kln->mn", a2, b2)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    yield "nn64", dict(a=a64, b=b64), a64 @ b64


def run(tess_run, entry, inputs, tmp):
    cmd = [tess_run, SOURCE, "--entry", entry]
    for name, value in inputs.items():
        path = os.path.join(tmp, name + ".npy")
        np.save(path, value)
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
    rng = np.random.default_rng(2026)
    total = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for index, (m, n, k) in enumerate(SIZES):
            every_layout = index in (1, 4) or (not quick and index in (2, 5))
            for entry, inputs, want in cases(m, n, k, rng, every_layout):
                got, err = run(tess_run, entry, inputs, tmp)
                total += 1
                tol = 1e-12 if want.dtype == np.float64 else 1e-5
                scale = np.sqrt(max(k, 1))
                ok = (got is not None and got.shape == want.shape and
                      np.allclose(got, want, rtol=tol * scale, atol=tol * scale))
                if not ok:
                    bad += 1
                    detail = err.strip() if got is None else "max_abs_err=%g" % (
                        float(np.max(np.abs(got - want))) if got.shape == want.shape
                        and want.size else 0)
                    print("%s m=%d n=%d k=%d: MISMATCH %s" % (entry, m, n, k, detail))
                else:
                    print("%s m=%d n=%d k=%d: OK" % (entry, m, n, k))
    print("%d cases, %d mismatches" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
