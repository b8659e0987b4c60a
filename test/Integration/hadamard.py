#!/usr/bin/env python3
"""Runs fwht and bitreverse programs with tess-run and compares them with
dense Sylvester-Hadamard matrices and a bit-reversal permutation built here
(NumPy): lengths 1 to 2^16 (past the kernel's L1 block), the axis first,
middle and last, batch dimensions, f32 and f64, fwht(fwht(x)) = n x.

Usage: hadamard.py TESS_RUN [--quick]
Prints one line per case and `N cases, N mismatches`; exits 1 on a mismatch.
The environment passes through (TESSERA_NUM_THREADS, TESSERA_GEMM_ISA).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np


def hadamard(n):
    """The dense n x n Sylvester-Hadamard matrix: (-1)^popcount(i & j)."""
    i = np.arange(n)
    bits = np.bitwise_and.outer(i, i)
    parity = np.zeros_like(bits)
    while bits.any():
        parity ^= bits & 1
        bits >>= 1
    return np.where(parity, -1.0, 1.0)


def staged(x, axis):
    """The transform by radix-2 stages along `axis` (float64)."""
    y = np.moveaxis(np.array(x, dtype=np.float64), axis, -1).copy()
    n = y.shape[-1]
    h = 1
    while h < n:
        y = y.reshape(y.shape[:-1] + (n // (2 * h), 2, h))
        a, b = y[..., 0, :].copy(), y[..., 1, :].copy()
        y[..., 0, :], y[..., 1, :] = a + b, a - b
        y = y.reshape(y.shape[:-3] + (n,))
        h *= 2
    return np.moveaxis(y, -1, axis)


def fwht_ref(x, axis):
    n = x.shape[axis]
    if n > 2048:
        return staged(x, axis)
    return np.moveaxis(np.tensordot(hadamard(n), np.moveaxis(x, axis, 0), 1), 0, axis)


def bitrev_ref(x, axis):
    n = x.shape[axis]
    k = max(n.bit_length() - 1, 0)
    rev = [int(format(i, "0%db" % k)[::-1], 2) if k else 0 for i in range(n)]
    return np.take(x, rev, axis=axis)


def dims(shape):
    return ", ".join(str(d) for d in shape)


def cases(quick):
    rng = np.random.default_rng(11)
    lengths = [1, 2, 4, 8, 16, 32, 64, 1024, 4096, 65536]
    if quick:
        lengths = [1, 2, 8, 16, 1024, 65536]
    for n in lengths:
        for dtype in ("f32", "f64"):
            shape, axis = (3, n), 1
            if n <= 1024:
                shape, axis = ((n, 3), 0) if n % 2 else ((2, n, 5), 1)
            x = rng.standard_normal(shape)
            t = "%s[%s]" % (dtype, dims(shape))
            src = "fn f(x: %s) -> %s {\n  return fwht(x, %d)\n}\n" % (t, t, axis)
            yield "fwht %s n=%d axis=%d" % (t, n, axis), src, x, dtype, fwht_ref(x, axis)
    for n in ([1, 2, 8, 1024] if quick else [1, 2, 4, 8, 32, 1024]):
        shape = (n, 3)
        x = rng.standard_normal(shape)
        t = "f32[%s]" % dims(shape)
        src = "fn f(x: %s) -> %s {\n  return bitreverse(x, 0)\n}\n" % (t, t)
        yield "bitreverse %s" % t, src, x, "f32", bitrev_ref(x, 0)
        # The radix-2 FFT's order: a Hadamard transform of the bit-reversed
        # input, and the transform applied twice (n x).
        src = ("fn f(x: %s) -> %s {\n  y = fwht(bitreverse(x, 0), 0)\n"
               "  return fwht(fwht(y, 0), 0)\n}\n") % (t, t)
        want = n * fwht_ref(bitrev_ref(x, 0), 0)
        yield "fwht(fwht(fwht(bitreverse))) %s" % t, src, x, "f32", want


def main():
    tess_run = sys.argv[1]
    quick = "--quick" in sys.argv
    total = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for label, src, x, dtype, want in cases(quick):
            np_dtype = np.float32 if dtype == "f32" else np.float64
            source, inp, out = (os.path.join(tmp, p) for p in ("f.tess", "x.npy", "y.npy"))
            with open(source, "w") as f:
                f.write(src)
            np.save(inp, x.astype(np_dtype))
            # The reference from the rounded input.
            result = subprocess.run([tess_run, source, "--in", "x=" + inp,
                                     "--out", "0=" + out], capture_output=True, text=True)
            total += 1
            got = np.load(out) if result.returncode == 0 else None
            n = max(x.shape)
            tol = (1e-5 if dtype == "f32" else 1e-12) * np.sqrt(n) * max(1, np.log2(n))
            scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
            if got is not None and got.dtype == np_dtype and got.shape == want.shape and \
                    np.allclose(got, want, rtol=0, atol=tol * scale):
                print("%s: OK" % label)
                continue
            bad += 1
            detail = result.stderr.strip() if got is None else "max_abs_err=%g" % (
                float(np.max(np.abs(got - want))) if got.shape == want.shape else -1)
            print("%s: MISMATCH %s" % (label, detail))
    print("%d cases, %d mismatches" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
