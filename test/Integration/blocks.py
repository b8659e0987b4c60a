#!/usr/bin/env python3
"""Runs butterfly, permute, blockdiag and monarch programs and Walsh-
Hadamard transforms of 12, 20, 28 and 40 times a power of two with tess-run
and compares them with references built here (NumPy):

- butterfly with random real or complex twiddles, any number of factors,
  against a loop over factors, blocks and pairs written from the language
  design's definition;
- blockdiag and monarch against the dense matrices they stand for (Monarch
  in fly's convention, materialized by applying fly's einsums to the
  identity);
- permute against fancy indexing (out-of-range indices read zero), and two
  permutations composed;
- fwht of complex tensors (the real and imaginary parts transformed alike)
  against kron(H_12 or 1, Sylvester);
- fwht of m 2^k: each H_m read back from the transform of the identity is a
  Hadamard matrix (entries +-1, H H^T = m I), H_12 is the Paley matrix built
  here, and the transform of m 2^k is kron(H_m, H_2^k) (40 before 20: a
  length 40 2^k uses H_40).

Usage: blocks.py TESS_RUN [--quick]
"""
import sys
import tempfile

import numpy as np

from tessrun import dims, run_program

def ty(dtype, shape):
    return "%s[%s]" % (dtype, dims(shape))


def butterfly_ref(tw, x, axis):
    y = np.moveaxis(np.array(x, dtype=np.complex128), axis, -1).copy()
    n = y.shape[-1]
    for f in range(tw.shape[0]):
        s = 1 << f
        z = y.copy()
        for j in range(n // (2 * s)):
            for k in range(s):
                t = tw[f, s * j + k]
                a, b = y[..., 2 * s * j + k], y[..., 2 * s * j + s + k]
                z[..., 2 * s * j + k] = t[0, 0] * a + t[0, 1] * b
                z[..., 2 * s * j + s + k] = t[1, 0] * a + t[1, 1] * b
        y = z
    return np.moveaxis(y, -1, axis)


def blockdiag_dense(w):
    nb, bo, bi = w.shape
    d = np.zeros((nb * bo, nb * bi), dtype=np.complex128)
    for b in range(nb):
        d[b * bo:(b + 1) * bo, b * bi:(b + 1) * bi] = w[b]
    return d


def monarch_dense(w1, w2):
    """fly's blockdiag_butterfly_multiply applied to the identity."""
    k, q, p = w1.shape
    l, s, r = w2.shape
    n = k * p
    x = np.eye(n).reshape(n, k, p)
    out1 = np.einsum("kqp,bkp->bkq", w1, x).reshape(n, k * q)
    out1 = out1.reshape(n, r, l).transpose(0, 2, 1)
    out2 = np.einsum("lsr,blr->bsl", w2, out1).reshape(n, s * l)
    return out2.T  # y = M x


def apply_along(m, x, axis):
    return np.moveaxis(np.tensordot(m, np.moveaxis(x, axis, 0), 1), 0, axis)


def paley12():
    q = 5
    chi = [0] + [1 if any((j * j) % q == i for j in range(1, q)) else -1
                 for i in range(1, q)]
    c = np.zeros((q + 1, q + 1))
    c[0, 1:] = c[1:, 0] = 1
    for i in range(q):
        for j in range(q):
            c[1 + i, 1 + j] = chi[(j - i) % q]
    zero = np.array([[1, -1], [-1, -1]])
    one = np.array([[1, 1], [1, -1]])
    return np.block([[zero if v == 0 else v * one for v in row] for row in c])


def sylvester(n):
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def cases(quick, rng):
    def cplx(*s):
        return rng.standard_normal(s) + 1j * rng.standard_normal(s)
    for dt, n, factors, shape, axis in [
            ("c64", 16, 4, (16, 3), 0), ("c128", 8, 2, (2, 8, 3), 1),
            ("f32", 32, 5, (3, 32), 1), ("f64", 64, 3, (64,), 0),
            ("c128", 256, 8, (2, 256), 1)][: 3 if quick else 5]:
        real = dt.startswith("f")
        tw = rng.standard_normal((factors, n // 2, 2, 2)) if real else \
            cplx(factors, n // 2, 2, 2)
        x = rng.standard_normal(shape) if real else cplx(*shape)
        src = "fn f(tw: %s, x: %s) -> %s {\n  return butterfly(tw, x, %d)\n}\n" % (
            ty(dt, tw.shape), ty(dt, shape), ty(dt, shape), axis)
        yield ("butterfly %s F=%d axis=%d" % (ty(dt, shape), factors, axis), src,
               {"tw": (tw, dt), "x": (x, dt)}, [butterfly_ref(tw, x, axis)], dt)
    for dt, w_shape, shape, axis in [
            ("f32", (4, 3, 5), (7, 20), 1), ("f64", (8, 8, 8), (64, 3), 0),
            ("c64", (2, 6, 4), (3, 8, 2), 1), ("f32", (32, 16, 32), (5, 1024), 1)]:
        real = dt.startswith("f")
        w = rng.standard_normal(w_shape) if real else cplx(*w_shape)
        x = rng.standard_normal(shape) if real else cplx(*shape)
        out = list(shape)
        out[axis] = w_shape[0] * w_shape[1]
        src = "fn f(w: %s, x: %s) -> %s {\n  return blockdiag(w, x, %d)\n}\n" % (
            ty(dt, w_shape), ty(dt, shape), ty(dt, out), axis)
        want = apply_along(blockdiag_dense(w), x, axis)
        yield ("blockdiag %s by %s axis=%d" % (ty(dt, shape), w_shape, axis), src,
               {"w": (w, dt), "x": (x, dt)}, [want], dt)
    for dt, s1, s2, shape, axis in [
            ("f64", (4, 6, 8), (3, 5, 8), (32, 2), 0),
            ("f32", (32, 32, 32), (32, 32, 32), (9, 1024), 1),
            ("c128", (4, 4, 4), (4, 4, 4), (2, 16, 3), 1),
            ("f32", (8, 4, 16), (4, 8, 8), (3, 128), 1)]:
        real = dt.startswith("f")
        w1 = rng.standard_normal(s1) if real else cplx(*s1)
        w2 = rng.standard_normal(s2) if real else cplx(*s2)
        x = rng.standard_normal(shape) if real else cplx(*shape)
        out = list(shape)
        out[axis] = s2[0] * s2[1]
        src = ("fn f(w1: %s, w2: %s, x: %s) -> %s {\n  return monarch(w1, w2, x, %d)\n}\n"
               % (ty(dt, s1), ty(dt, s2), ty(dt, shape), ty(dt, out), axis))
        want = apply_along(monarch_dense(w1, w2), x, axis)
        yield ("monarch %s by %s, %s axis=%d" % (ty(dt, shape), s1, s2, axis), src,
               {"w1": (w1, dt), "w2": (w2, dt), "x": (x, dt)}, [want], dt)
    for dt, shape, axis in [("c64", (3, 16), 1), ("c128", (24, 2, 3), 0)]:
        x = cplx(*shape)
        n = shape[axis]
        m = 12 if n % 12 == 0 else 1
        h = np.kron(paley12() if m == 12 else np.ones((1, 1)), sylvester(n // m))
        src = "fn f(x: %s) -> %s {\n  return fwht(x, %d)\n}\n" % (
            ty(dt, shape), ty(dt, shape), axis)
        yield ("fwht %s axis=%d" % (ty(dt, shape), axis), src, {"x": (x, dt)},
               [apply_along(h, x, axis)], dt)
    x = rng.standard_normal((6, 3))
    p = np.array([5, 0, 3, 9, 1, -2])
    q = np.array([2, 7, 0, -1, 5, 4])
    pp = np.where((p >= 0) & (p < 6), p, 0)
    once = np.where(((p >= 0) & (p < 6))[:, None], x[pp], 0)
    qq = np.where((q >= 0) & (q < 6), q, 0)
    twice = np.where(((q >= 0) & (q < 6))[:, None], once[qq], 0)
    src = ("fn f(x: f64[6, 3], p: i64[6], q: i32[6]) -> (f64[6, 3], f64[6, 3]) {\n"
           "  y = permute(x, p, 0)\n  return y, permute(y, q, 0)\n}\n")
    yield "permute f64[6, 3] twice", src, {"x": (x, "f64"), "p": (p, "i64"),
                                           "q": (q, "i32")}, [once, twice], "f64"
    for m in (12, 20, 28, 40):
        # 20 2^k for k >= 1 is 40 2^(k - 1): the kernel uses H_40 there.
        for k in [0] if m == 20 else ([0, 3] if quick else [0, 1, 3, 6]):
            n = m << k
            x = rng.standard_normal((n, 2))
            eye = np.eye(m)
            src = ("fn f(x: f64[%d, 2], e: f64[%d, %d]) -> (f64[%d, 2], f64[%d, %d]) {\n"
                   "  return fwht(x, 0), fwht(e, 0)\n}\n") % (n, m, m, n, m, m)
            yield ("fwht f64[%d, 2] (%d x 2^%d)" % (n, m, k), src,
                   {"x": (x, "f64"), "e": (eye, "f64")}, ["hadamard", m, k], "f64")


def check_hadamard(got, x, m, k):
    """The H_m the program computed, then the transform against kron."""
    h = got[1]
    if not np.array_equal(np.abs(h), np.ones((m, m))) or \
            not np.allclose(h @ h.T, m * np.eye(m)):
        return False, "H_%d is not a Hadamard matrix" % m
    if m == 12 and not np.array_equal(h, paley12()):
        return False, "H_12 is not the Paley matrix"
    want = np.kron(h, sylvester(1 << k)) @ x
    err = float(np.max(np.abs(got[0] - want)))
    return err <= 1e-12 * max(1.0, float(np.max(np.abs(want)))), "err %g" % err


def main():
    tess_run = sys.argv[1]
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(3)
    total = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for label, src, inputs, want, dt in cases(quick, rng):
            total += 1
            if isinstance(want[0], str):
                got, err = run_program(tess_run, tmp, src, inputs, 2)
                ok, err = (False, err) if got is None else \
                    check_hadamard(got, inputs["x"][0], want[1], want[2])
            else:
                got, err = run_program(tess_run, tmp, src, inputs, len(want))
                # Inputs are rounded to their dtype before the reference.
                tol = 1e-5 if dt in ("f32", "c64") else 1e-12
                ok = got is not None
                for g, w in zip(got or [], want):
                    scale = max(1.0, float(np.max(np.abs(w))))
                    ok = ok and g.shape == w.shape and \
                        float(np.max(np.abs(g - w))) <= tol * scale * 10
                    err = err or "max_abs_err=%g" % float(np.max(np.abs(g - w)))
            print("%s: %s %s" % (label, "OK" if ok else "MISMATCH", "" if ok else err))
            bad += not ok
    print("%d cases, %d mismatches" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
