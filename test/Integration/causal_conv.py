#!/usr/bin/env python3
"""Runs causal_conv programs with tess-run and compares them with a direct
O(L^2) NumPy sum, y[..., t] = sum over s <= t of k[..., s] u[..., t - s]
(complex128): the axis first, middle and last, k broadcast over u's leading
dimensions and along extents of 1, k shorter and longer than L, lengths
that are not powers of two (primes), L = 1 and L = 4096, f32, f64, c64,
c128, a real u with a complex k, and symbolic extents (no compile-time
twiddles).

Usage: causal_conv.py TESS_RUN [--quick]
Prints one line per case and `N cases, N mismatches`; exits 1 on a
mismatch. The error is max |got - want| / max |want|; the bound is
2e-6 (1 + log2 2L) for f32 and c64, 5e-15 (1 + log2 2L) for f64 and c128.
"""
import sys
import tempfile

import numpy as np

from tessrun import dims, run_program

SINGLE = ("f32", "c64")


def direct(u, k, axis):
    """The causal convolution by its definition, in complex128."""
    lead, axis = u.ndim - k.ndim, axis % u.ndim
    u = np.moveaxis(u.astype(np.complex128), axis, -1)
    k = np.moveaxis(k.astype(np.complex128), axis - lead, -1)
    length, taps = u.shape[-1], k.shape[-1]
    y = np.zeros(u.shape, np.complex128)
    for t in range(length):
        s = np.arange(min(t + 1, taps))
        y[..., t] = np.sum(k[..., s] * u[..., t - s], axis=-1)
    return np.moveaxis(y, -1, axis)


def values(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if dtype.startswith("c"):
        x = x + 1j * rng.standard_normal(shape)
    return x


def cases(quick):
    """(u shape, u dtype, k shape, k dtype, axis, symbolic)."""
    yield (2, 3, 50), "f32", (3, 50), "f32", 2, False      # S4D's layout
    yield (5, 64), "f32", (64,), "f32", -1, False          # one filter
    yield (4, 3, 97), "f64", (4, 3, 97), "f64", 2, False   # a filter per row
    yield (2, 65, 3), "c64", (65, 3), "c64", 1, False      # the middle axis
    yield (100, 3), "c128", (100, 1), "c128", 0, False     # the first axis
    yield (3, 60), "f32", (3, 60), "c64", 1, False         # real u, complex k
    yield (3, 100), "f32", (3, 4), "f32", 1, False         # 4 taps: summed
    yield (2, 10), "f64", (2, 25), "f64", 1, False         # k longer than L
    yield (3, 1), "f32", (3, 1), "f32", 1, False           # L = 1
    yield (2, 3, 50), "f32", (3, 50), "f32", 2, True       # symbolic
    if not quick:
        yield (2, 2, 4096), "f32", (2, 4096), "f32", 2, False
        yield (1, 1000), "f64", (1000,), "f64", 1, True
        yield (7, 2, 5), "c128", (7, 1, 5), "c128", 0, True


def program(ushape, udt, kshape, kdt, axis, symbolic, out_dt):
    if symbolic:
        names = "PQRS"[:len(ushape)]
        ut = "%s[%s]" % (udt, ", ".join(names))
        lead = len(ushape) - len(kshape)
        kd = [names[lead + j] if kshape[j] == ushape[lead + j] and
              lead + j != axis % len(ushape) else str(kshape[j])
              for j in range(len(kshape))]
        kt = "%s[%s]" % (kdt, ", ".join(kd))
        ot = "%s[%s]" % (out_dt, ", ".join(names))
    else:
        ut = "%s[%s]" % (udt, dims(ushape))
        kt = "%s[%s]" % (kdt, dims(kshape))
        ot = "%s[%s]" % (out_dt, dims(ushape))
    return ("fn f(u: %s, k: %s) -> %s {\n  return causal_conv(u, k, %d)\n}\n"
            % (ut, kt, ot, axis))


def main():
    tess_run = sys.argv[1]
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(9)
    total = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for ushape, udt, kshape, kdt, axis, symbolic in cases(quick):
            total += 1
            out_dt = kdt if kdt.startswith("c") else udt
            u, k = values(rng, ushape, udt), values(rng, kshape, kdt)
            src = program(ushape, udt, kshape, kdt, axis, symbolic, out_dt)
            got, err = run_program(tess_run, tmp, src,
                                   {"u": (u, udt), "k": (k, kdt)}, 1)
            # The oracle sees the values the program sees.
            cast = {"f32": np.float32, "c64": np.complex64,
                    "f64": np.float64, "c128": np.complex128}
            want = direct(u.astype(cast[udt]), k.astype(cast[kdt]), axis)
            if not out_dt.startswith("c"):
                want = want.real
            length = ushape[axis]
            tol = (2e-6 if out_dt in SINGLE else 5e-15) * (1 + np.log2(2 * length))
            label = "causal_conv u %s[%s] k %s[%s] axis %d%s" % (
                udt, dims(ushape), kdt, dims(kshape), axis,
                " symbolic" if symbolic else "")
            e = float("inf")
            if got is not None and got[0].shape == want.shape:
                scale = max(float(np.max(np.abs(want))), 1e-30)
                e = float(np.max(np.abs(got[0] - want))) / scale
            elif got is not None:
                err = "shape %s, expected %s" % (got[0].shape, want.shape)
            if e <= tol:
                print("%s: OK (rel err %.2g)" % (label, e))
                continue
            bad += 1
            print("%s: MISMATCH %s rel err %.3g > %.3g" % (label, err, e, tol))
    print("%d cases, %d mismatches" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
