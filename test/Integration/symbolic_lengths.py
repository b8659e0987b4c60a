#!/usr/bin/env python3
"""Checks fwht, bitreverse, butterfly and fft_twiddles along axes of
symbolic length against NumPy, from one shared library compiled once
(`tessc --emit=lib` of Inputs/symbolic_lengths.tess) and called through
ctypes at many lengths.

Oracles, in NumPy float64 and built here from the definitions of
docs/language.md (not from the kernels):
  fwht, n = 2^k        the Sylvester matrix (-1)^popcount(i & j)
  fwht, n = 12 2^k     kron(H_12, H_2^k), H_12 by Paley's construction II
                       for q = 5 (built here from its definition)
  fwht, n = m 2^k, m = 20, 28, 40
                       the transform of the identity is a +-1 matrix M with
                       M M^T = n I and M = kron(A, H_2^k) (A = its rows and
                       columns at multiples of 2^k, then a Hadamard matrix
                       of order m); random data gets M applied
  bitreverse           np.take at the indices with their log2(n) bits reversed
  butterfly            the factors applied one at a time (torch_butterfly's
                       convention), random twiddles, F from 0 to log2(n)
  butterfly(fft_twiddles(n), bitreverse(x))   numpy.fft.fft
  fft_twiddles(n)      [[1, w^k], [1, -w^k]], w = exp(-i pi / s)
A length that breaks its rule (fwht 3, 6, 36, 100; bitreverse and the FFT
12; 2^F > n): the entry returns the number of the failing check and leaves
the output untouched. Also the rule of a callee in the caller's extents
(doubled: fwht along 2 * M).

Usage: symbolic_lengths.py TESSC SOURCE WORKDIR
Prints one line per case and `N cases, N mismatches`; exits 1 on a mismatch.
"""
import ctypes
import os
import subprocess
import sys

import numpy as np

# The dense Sylvester-Hadamard matrix, as hadamard.py (beside this file) builds it.
from hadamard import hadamard as sylvester

SENTINEL = 7.0
MEMREFS = {}


def memref_type(rank):
    if rank not in MEMREFS:
        fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                  ("offset", ctypes.c_int64)]
        if rank:
            fields += [("sizes", ctypes.c_int64 * rank),
                       ("strides", ctypes.c_int64 * rank)]
        MEMREFS[rank] = type("Memref%d" % rank, (ctypes.Structure,),
                             {"_fields_": fields})
    return MEMREFS[rank]


def memref(a):
    """A descriptor of the dense row-major array `a`."""
    m = memref_type(a.ndim)()
    m.allocated = m.aligned = a.ctypes.data
    m.offset = 0
    stride = 1
    for d in reversed(range(a.ndim)):
        m.sizes[d] = a.shape[d]
        m.strides[d] = stride
        stride *= a.shape[d]
    return m


def call(lib, name, args, out):
    """Calls entry `name` with the arrays (or ints, for index parameters)
    `args` and the output buffer `out`; returns the status."""
    entry = getattr(lib, "_mlir_ciface_" + name)
    entry.restype = ctypes.c_int32
    keep = [memref(a) if isinstance(a, np.ndarray) else a for a in args]
    keep.append(memref(out))
    return entry(*[ctypes.byref(d) if isinstance(d, ctypes.Structure)
                   else ctypes.c_int64(d) for d in keep])


def paley12():
    """Paley's construction II for q = 5: the conference matrix C =
    [[0, 1...1], [1...1, Q]], Q[i][j] = chi(j - i), with each 0 replaced by
    [[1, -1], [-1, -1]] and each +-1 by +-[[1, 1], [1, -1]]."""
    squares = {(a * a) % 5 for a in range(1, 5)}
    chi = [0] + [1 if a in squares else -1 for a in range(1, 5)]
    c = np.ones((6, 6), dtype=int)
    c[0, 0] = 0
    for i in range(5):
        for j in range(5):
            c[i + 1, j + 1] = chi[(j - i) % 5]
    zero = np.array([[1, -1], [-1, -1]])
    one = np.array([[1, 1], [1, -1]])
    return np.block([[zero if v == 0 else v * one for v in row] for row in c])


def split(n):
    """n = m p with p a power of two and m odd times a power of 4 or 1."""
    p = n & -n
    m = n // p
    if m > 1:
        m, p = m * 4, p // 4
        if m == 20 and p % 2 == 0:
            m, p = 40, p // 2
    return m, p


def fwht_matrix(n):
    """The matrix of fwht of length n where an oracle defines it."""
    m, p = split(n)
    if m == 1:
        return sylvester(n)
    if m == 12:
        return np.kron(paley12(), sylvester(p))
    return None


def check_hadamard_structure(lib, n):
    """For n = m 2^k, m in {20, 28, 40}: the transform of the identity."""
    m, p = split(n)
    eye = np.eye(n, dtype=np.float64)
    out = np.full((n, n), SENTINEL)
    if call(lib, "hadamard64", [eye], out) != 0:
        return "status"
    big = out.T  # column b is M e_b
    a = big[::p, ::p]
    ok = (np.all(np.abs(big) == 1) and
          np.array_equal(big @ big.T, n * np.eye(n)) and
          np.array_equal(a @ a.T, m * np.eye(m)) and
          np.array_equal(big, np.kron(a, sylvester(p))))
    return "" if ok else "not kron(H_%d, H_%d)" % (m, p)


def relative_error(got, want):
    return float(np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))
                 if want.size else 0.0)


class Cases:
    def __init__(self):
        self.count = 0
        self.bad = 0

    def report(self, what, error, tol=None):
        self.count += 1
        ok = error == "" if isinstance(error, str) else error <= tol
        if not ok:
            self.bad += 1
        detail = error if isinstance(error, str) else "err=%.3g" % error
        print("%s: %s %s" % (what, detail, "OK" if ok else "MISMATCH"))

    def refused(self, what, status, want, out):
        """A call that must fail check `want` and leave `out` alone."""
        self.count += 1
        untouched = np.all(out == SENTINEL)
        ok = status == want and untouched
        if not ok:
            self.bad += 1
        print("%s: status %d%s %s" % (what, status,
                                      "" if untouched else ", output written",
                                      "OK" if ok else "MISMATCH"))


def fwht_cases(lib, rng, cases):
    for n in [1, 2, 4, 8, 64, 1024, 12, 24, 48, 96, 20, 28, 40, 56, 80]:
        x = rng.standard_normal((3, n)).astype(np.float32)
        out = np.full((3, n), SENTINEL, np.float32)
        status = call(lib, "hadamard", [x], out)
        matrix = fwht_matrix(n)
        if status != 0:
            cases.report("fwht f32 n=%d" % n, "status %d" % status)
        elif matrix is not None:
            want = x.astype(np.float64) @ matrix.T
            tol = 1e-5 * np.sqrt(n) * max(1, np.log2(n))
            cases.report("fwht f32 n=%d" % n, relative_error(out, want), tol)
        else:
            cases.report("fwht f64 n=%d structure" % n,
                         check_hadamard_structure(lib, n))
        if matrix is not None:
            y = rng.standard_normal((n, 2))
            out = np.full((n, 2), SENTINEL)
            call(lib, "hadamard64", [y], out)
            cases.report("fwht f64 axis 0 n=%d" % n,
                         relative_error(out, matrix @ y), 1e-12 * n)
    for n in [3, 6, 36, 100, 0]:
        x = np.ones((2, n), np.float32)
        out = np.full((2, n), SENTINEL, np.float32)
        cases.refused("fwht n=%d" % n, call(lib, "hadamard", [x], out), 1, out)
    # The callee's rule along 2 * M.
    for m, want in [(6, 0), (16, 0), (18, 2)]:
        x = rng.standard_normal((2, 2 * m)).astype(np.float32)
        out = np.full((2, 2 * m), SENTINEL, np.float32)
        status = call(lib, "doubled", [x, np.zeros(m, np.float32)], out)
        if want:
            cases.refused("doubled M=%d" % m, status, want, out)
        else:
            cases.report("doubled M=%d" % m,
                         relative_error(out, x @ fwht_matrix(2 * m).T), 1e-4)


def bitrev(n):
    k = max(n.bit_length() - 1, 0)
    return [int(format(i, "0%db" % k)[::-1], 2) if k else 0 for i in range(n)]


def butterfly_ref(tw, x):
    """Factors f = 0 .. F - 1 along the last axis of x."""
    y = x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)
    n = y.shape[-1]
    for f in range(tw.shape[0]):
        s = 2 ** f
        t = tw[f].reshape(n // (2 * s), s, 2, 2)
        v = y.reshape(y.shape[0], n // (2 * s), 2, s)
        y = np.einsum("jkab,zjbk->zjak", t, v).reshape(y.shape)
    return y


def twiddles_ref(n):
    """fft_twiddles(n): tw[f, m] = [[1, w^k], [1, -w^k]], s = 2^f,
    k = m mod s, w = exp(-i pi / s)."""
    factors = n.bit_length() - 1
    tw = np.zeros((factors, n // 2, 2, 2), np.complex128)
    for f in range(factors):
        s = 2 ** f
        wk = np.exp(-1j * np.pi * (np.arange(n // 2) % s) / s)
        tw[f, :, 0, 0] = tw[f, :, 1, 0] = 1
        tw[f, :, 0, 1], tw[f, :, 1, 1] = wk, -wk
    return tw


def permutation_cases(lib, rng, cases):
    for n in [1, 2, 8, 256]:
        x = rng.standard_normal((3, n))
        out = np.full((3, n), SENTINEL)
        status = call(lib, "reverse", [x], out)
        ok = status == 0 and np.array_equal(out, np.take(x, bitrev(n), 1))
        cases.report("bitreverse n=%d" % n, "" if ok else "differs")
    x = np.ones((1, 12))
    out = np.full((1, 12), SENTINEL)
    cases.refused("bitreverse n=12", call(lib, "reverse", [x], out), 1, out)


def butterfly_cases(lib, rng, cases):
    for n in [1, 2, 8, 64]:
        k = n.bit_length() - 1
        for f in sorted({0, k // 2, k}):
            tw = rng.standard_normal((f, n // 2, 2, 2))
            x = rng.standard_normal((3, n))
            out = np.full((3, n), SENTINEL)
            status = call(lib, "layer", [tw, x], out)
            err = ("status %d" % status if status
                   else relative_error(out, butterfly_ref(tw, x)))
            cases.report("butterfly n=%d F=%d" % (n, f), err, 1e-12 * n)
    # 2^F > n, then a length that is no power of two.
    for f, n, want in [(4, 8, 5), (1, 6, 4)]:
        tw = np.zeros((f, n // 2, 2, 2))
        out = np.full((1, n), SENTINEL)
        status = call(lib, "layer", [tw, np.ones((1, n))], out)
        cases.refused("butterfly n=%d F=%d" % (n, f), status, want, out)
    for n in [1, 2, 4, 16, 256, 1024]:
        x = rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))
        out = np.full((2, n), SENTINEL, np.complex128)
        status = call(lib, "spectrum", [x], out)
        err = ("status %d" % status if status
               else relative_error(out, np.fft.fft(x, axis=1)))
        cases.report("butterfly FFT n=%d" % n, err,
                     1e-15 * 4 * max(1, np.log2(n)))
    x = np.ones((1, 12), np.complex128)
    out = np.full((1, 12), SENTINEL, np.complex128)
    cases.refused("butterfly FFT n=12", call(lib, "spectrum", [x], out), 1,
                  out)
    for n in [1, 2, 8, 64]:
        factors = n.bit_length() - 1
        out = np.full((factors, n // 2, 2, 2), SENTINEL, np.complex128)
        status = call(lib, "twiddles", [n], out)
        err = ("status %d" % status if status
               else relative_error(out, twiddles_ref(n)))
        cases.report("fft_twiddles n=%d" % n, err, 1e-15)
    out = np.full((3, 6, 2, 2), SENTINEL, np.complex128)
    cases.refused("fft_twiddles n=12", call(lib, "twiddles", [12], out), 2,
                  out)


def main():
    tessc, source, workdir = sys.argv[1:4]
    library = os.path.join(workdir, "libsymbolic_lengths.so")
    subprocess.run([tessc, source, "--emit=lib", "-o", library], check=True)
    lib = ctypes.CDLL(library)
    rng = np.random.default_rng(2024)
    cases = Cases()
    fwht_cases(lib, rng, cases)
    permutation_cases(lib, rng, cases)
    butterfly_cases(lib, rng, cases)
    print("%d cases, %d mismatches" % (cases.count, cases.bad))
    return 1 if cases.bad else 0


if __name__ == "__main__":
    sys.exit(main())
