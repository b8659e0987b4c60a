#!/usr/bin/env python3
"""examples/hadamard_rotation.tess against NumPy on outlier-heavy rows: each
round trip matches a NumPy implementation (a dense Hadamard matrix for the
rotation), and the rotated round trip's error is far below the plain one's.

Usage: hadamard_rotation.py TESS_RUN EXAMPLE
"""
import os
import subprocess
import sys
import tempfile

import numpy as np


def hadamard(n):
    h = np.array([[1.0]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def roundtrip(x):
    """Per-row symmetric int8 quantization and back, in float32 as the
    program computes it (round half away from zero)."""
    s = np.max(np.abs(x), axis=1, keepdims=True) / np.float32(127.0)
    q = x / s
    r = np.where(q >= 0, np.trunc(q + np.float32(0.5)), np.trunc(q - np.float32(0.5)))
    return (r * s).astype(np.float32)


def run(tess_run, example, entry, x, outputs, tmp):
    inp = os.path.join(tmp, "x.npy")
    np.save(inp, x)
    cmd = [tess_run, example, "--entry", entry, "--in", "x=" + inp]
    paths = [os.path.join(tmp, "out%d.npy" % i) for i in range(outputs)]
    for i, path in enumerate(paths):
        cmd += ["--out", "%d=%s" % (i, path)]
    subprocess.run(cmd, check=True, capture_output=True)
    return [np.load(p) for p in paths]


def main():
    tess_run, example = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 1024)).astype(np.float32)
    x[np.arange(16), rng.integers(0, 1024, 16)] *= 100  # one outlier per row
    h = hadamard(1024)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        (plain,) = run(tess_run, example, "int8_roundtrip", x, 1, tmp)
        want = roundtrip(x)
        # The quantized levels agree but for values on a rounding boundary.
        agree = np.mean(np.isclose(plain, want, rtol=1e-5, atol=1e-6))
        print("int8_roundtrip: %.4f of the values match NumPy" % agree)
        failures += agree < 0.999
        (rotated,) = run(tess_run, example, "rotated_roundtrip", x, 1, tmp)
        y = (x.astype(np.float64) @ h.T).astype(np.float32)
        want = (roundtrip(y).astype(np.float64) @ h.T) / 1024.0
        err = np.max(np.abs(rotated - want)) / np.max(np.abs(want))
        print("rotated_roundtrip: max relative error vs NumPy %.2e" % err)
        failures += not err < 1e-2
        ep, er = (float(v) for v in run(tess_run, example, "errors", x, 2, tmp))
        print("plain mse %.4g, rotated mse %.4g" % (ep, er))
        mse_plain = float(np.mean((plain.astype(np.float64) - x) ** 2))
        failures += not np.isclose(ep, mse_plain, rtol=1e-3)
        failures += not er < ep / 50
    print("FAILED" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
