#!/usr/bin/env python3
"""Runs Fourier-transform programs with tess-run and compares them with
numpy.fft (complex128): fft, ifft, rfft and irfft (default and explicit
lengths, shorter and longer than the input) for lengths 1 to 65536 --
every length to 64, primes, products of 2, 3, 5, 7 and 11, powers of two --
along the first, middle and last axis of batched inputs, c64 and c128,
real inputs to fft; ifft(fft(x)) = x; and the butterfly factorization of
the FFT: butterfly(fft_twiddles(N), bitreverse(x, 0), 0) = fft(x, 0) in
c128 to 1e-11 for N up to 1024.

Usage: fourier.py TESS_RUN [--quick]
Prints one line per case and `N cases, N mismatches`; exits 1 on a mismatch.
Errors are relative to the largest reference element; the bound for each
precision grows with log2(N).
"""
import sys
import tempfile

import numpy as np

from tessrun import dims, run_program


def lengths(quick):
    if quick:
        return [1, 2, 3, 5, 7, 12, 16, 17, 64, 97, 1000, 1024, 4099, 65536]
    return (list(range(1, 65)) + [97, 127, 128, 210, 243, 256, 343, 625, 1000,
                                  1009, 1024, 2310, 4096, 4099, 30030, 65536])


def shape_for(n, variant):
    """A batched shape with the transform's axis first, middle or last."""
    if n > 5000:
        return (2, n), 1
    return [((n, 3), 0), ((2, n, 3), 1), ((3, n), 1)][variant % 3]


def fourier_cases(quick, rng):
    for i, n in enumerate(lengths(quick)):
        for cdt, rdt in (("c64", "f32"), ("c128", "f64")):
            shape, axis = shape_for(n, i + (cdt == "c128"))
            x = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
            r = rng.standard_normal(shape)
            ct, rt = "%s[%s]" % (cdt, dims(shape)), "%s[%s]" % (rdt, dims(shape))
            half = list(shape)
            half[axis] = n // 2 + 1
            ht = "%s[%s]" % (cdt, dims(half))
            m = 2 * n + 1  # an explicit irfft length longer than the input's
            full = list(shape)
            full[axis] = m
            src = ("fn f(x: %s, r: %s) -> (%s, %s, %s, %s, %s, %s) {\n"
                   "  return fft(x, %d), ifft(x, %d), rfft(r, %d), fft(r, %d),"
                   " irfft(x, %d, %d), ifft(fft(x, %d), %d)\n}\n") % (
                       ct, rt, ct, ct, ht, ct, "%s[%s]" % (rdt, dims(full)), ct,
                       axis, axis, axis, axis, axis, m, axis, axis)
            want = [np.fft.fft(x, axis=axis), np.fft.ifft(x, axis=axis),
                    np.fft.rfft(r, axis=axis), np.fft.fft(r, axis=axis),
                    np.fft.irfft(x, m, axis=axis), x]
            yield ("fourier %s n=%d axis=%d" % (ct, n, axis), src,
                   {"x": (x, cdt), "r": (r, rdt)}, want, n)
            if n >= 2:
                # irfft with its default length 2 (M - 1) and a shorter one.
                short = max(1, n - 3)
                outs = list(shape)
                outs[axis] = 2 * (n - 1)
                outt = list(shape)
                outt[axis] = short
                src = ("fn f(x: %s) -> (%s, %s) {\n  return irfft(x, %d),"
                       " irfft(x, %d, %d)\n}\n") % (
                           ct, "%s[%s]" % (rdt, dims(outs)),
                           "%s[%s]" % (rdt, dims(outt)), axis, axis, short)
                want = [np.fft.irfft(x, axis=axis), np.fft.irfft(x, short, axis=axis)]
                yield ("irfft %s n=%d axis=%d" % (ct, n, axis), src,
                       {"x": (x, cdt)}, want, n)


def butterfly_cases(quick, rng):
    for n in ([2, 8, 1024] if quick else [2, 4, 8, 16, 64, 256, 1024]):
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        t = "c128[%d]" % n
        src = ("fn f(x: %s) -> %s {\n  return butterfly(fft_twiddles(%d),"
               " bitreverse(x, 0), 0)\n}\n") % (t, t, n)
        yield "butterfly(fft_twiddles) %s" % t, src, {"x": (x, "c128")}, \
            [np.fft.fft(x)], "claim"


def main():
    tess_run = sys.argv[1]
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(5)
    total = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = list(fourier_cases(quick, rng)) + list(butterfly_cases(quick, rng))
        for label, src, inputs, want, n in cases:
            total += 1
            got, err = run_program(tess_run, tmp, src, inputs, len(want))
            single = any(d in ("c64", "f32") for _, d in inputs.values())
            if n == "claim":
                tol = 1e-11
            else:
                tol = (2e-6 if single else 1e-14) * max(1.0, np.log2(n))
            worst = 0.0
            ok = got is not None
            for g, w in zip(got or [], want):
                if g.shape != w.shape:
                    ok, err = False, "shape %s, expected %s" % (g.shape, w.shape)
                    break
                scale = max(1.0, float(np.max(np.abs(w)))) if w.size else 1.0
                e = float(np.max(np.abs(g - w))) / scale if w.size else 0.0
                worst = max(worst, e)
                ok = ok and e <= tol
            if ok:
                print("%s: OK (rel err %.2g)" % (label, worst))
                continue
            bad += 1
            print("%s: MISMATCH %s rel err %.3g > %.3g" % (label, err, worst, tol))
    print("%d cases, %d mismatches" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
