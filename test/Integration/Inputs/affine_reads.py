#!/usr/bin/env python3
"""Affine-subscript reads (peeled loops) against NumPy, over many sizes.

Usage: affine_reads.py TESS_RUN SCRATCH_DIR

Each case is a Tessera function whose reads go through compound subscripts
(convolutions, shifts, reversals, strides, several subscripts at once, two
peeled dimensions, subscripts on reduction dimensions only) and a NumPy
oracle written with explicit padding or slicing, independent of the
compiler's peeling arithmetic. Every case runs for sizes that make the
interior empty (1, K > N), small (7), large and odd (1000, 1023) and empty
(0). Prints one line per run and `OK` at the end; exits 1 on the first
mismatch.
"""
import os
import subprocess
import sys

import numpy as np


def causal_conv(x, w):
    """y[..., t] = sum_k w[..., k] x[..., t - k], zero before the start."""
    T, K = x.shape[-1], w.shape[-1]
    y = np.zeros(x.shape, np.float64)
    for k in range(min(K, T)):
        y[..., k:] += w[..., k:k + 1].astype(np.float64) * x[..., :T - k]
    return y.astype(np.float32)


def shifted(x, offset, n):
    """z[i] = x[i + offset] for i in 0..n, zero outside x."""
    z = np.zeros(n, np.float32)
    for i in range(n):
        if 0 <= i + offset < len(x):
            z[i] = x[i + offset]
    return z


def conv2d(x, w):
    """y[i, j] = sum_{a, b} w[a, b] x[i - a, j - b] (zero-padded)."""
    M, N = x.shape
    A, B = w.shape
    pad = np.zeros((M + A - 1, N + B - 1), np.float64)
    pad[A - 1:, B - 1:] = x
    y = np.zeros((M, N), np.float64)
    for a in range(A):
        for b in range(B):
            y += w[a, b] * pad[A - 1 - a:A - 1 - a + M, B - 1 - b:B - 1 - b + N]
    return y.astype(np.float32)


CASES = [
    ("conv1d", """
fn f(x: f32[N], w: f32[K]) -> f32[N] {
  y[t] = w[k] * x[t - k] where t in 0..N
  return y
}""", lambda s: [("x", (s["N"],)), ("w", (s["K"],))],
     lambda a, s: causal_conv(a["x"], a["w"]),
     [dict(N=n, K=k) for n in (0, 1, 7, 1000, 1023) for k in (0, 1, 4, 9)]),
    ("dwconv", """
fn f(x: f32[B, C, T], w: f32[C, K]) -> f32[B, C, T] {
  y[b, c, t] = w[c, k] * x[b, c, t - k] where t in 0..T
  return y
}""", lambda s: [("x", (2, 3, s["T"])), ("w", (3, s["K"]))],
     lambda a, s: causal_conv(a["x"], a["w"][None]),
     [dict(T=t, K=k) for t in (0, 1, 7, 1023) for k in (0, 4, 8)]),
    ("correlate", """
fn f(x: f32[N], w: f32[K]) -> f32[N] {
  y[t] = w[k] * x[t + k] where t in 0..N
  return y
}""", lambda s: [("x", (s["N"],)), ("w", (s["K"],))],
     lambda a, s: sum((a["w"][k] * shifted(a["x"], k, s["N"])
                       for k in range(s["K"])),
                      np.zeros(s["N"], np.float32)),
     [dict(N=n, K=k) for n in (0, 1, 7, 1000) for k in (1, 3, 12)]),
    ("reverse", """
fn f(x: f32[N]) -> f32[N] {
  y[i] = x[N - 1 - i]
  return y
}""", lambda s: [("x", (s["N"],))],
     lambda a, s: a["x"][::-1].copy(),
     [dict(N=n) for n in (0, 1, 7, 1023)]),
    ("shift_symbol", """
fn f(x: f32[N]) -> f32[N] {
  y[i] = x[i + N - 3] where i in 0..N
  return y
}""", lambda s: [("x", (s["N"],))],
     lambda a, s: shifted(a["x"], s["N"] - 3, s["N"]),
     [dict(N=n) for n in (0, 1, 2, 3, 7, 1000)]),
    ("strided", """
fn f(x: f32[N], w: f32[K], H: index) -> f32[H] {
  y[i] = w[k] * x[2 * i + k] where i in 0..H
  return y
}""", lambda s: [("x", (s["N"],)), ("w", (s["K"],))],
     lambda a, s: sum((a["w"][k] * np.array(
         [a["x"][2 * i + k] if 2 * i + k < s["N"] else 0.0
          for i in range(s["H"])], np.float32) for k in range(s["K"])),
         np.zeros(s["H"], np.float32)),
     [dict(N=n, K=k, H=h) for (n, h) in ((0, 3), (1, 1), (7, 4), (1023, 512),
                                         (1000, 505)) for k in (1, 3)]),
    ("stencil", """
fn f(x: f32[N]) -> f32[N] {
  y[t] = x[t - 1] - 2.0 * x[t] + x[t + 1] where t in 0..N
  return y
}""", lambda s: [("x", (s["N"],))],
     lambda a, s: (shifted(a["x"], -1, s["N"]) - 2 * a["x"] +
                   shifted(a["x"], 1, s["N"])),
     [dict(N=n) for n in (0, 1, 2, 7, 1023)]),
    ("conv2d", """
fn f(x: f32[M, N], w: f32[A, B]) -> f32[M, N] {
  y[i, j] = w[a, b] * x[i - a, j - b] where i in 0..M, j in 0..N
  return y
}""", lambda s: [("x", (s["M"], s["N"])), ("w", (s["A"], s["B"]))],
     lambda a, s: conv2d(a["x"], a["w"]),
     [dict(M=m, N=n, A=p, B=q) for (m, n) in ((0, 5), (1, 1), (7, 9),
                                             (33, 40)) for (p, q) in ((1, 3),
                                                                      (3, 3),
                                                                      (9, 2))]),
    ("window_max", """
fn f(x: f32[N], W: index) -> f32[N] {
  y[t] = max[k in 0..W](x[t - k]) where t in 0..N
  return y
}""", lambda s: [("x", (s["N"],))],
     lambda a, s: np.array(
         [max([a["x"][t - k] if t - k >= 0 else 0.0 for k in range(s["W"])],
              default=-np.inf) for t in range(s["N"])], np.float32),
     [dict(N=n, W=w) for (n, w) in ((0, 2), (1, 0), (7, 0), (7, 3), (1000, 5),
                                    (5, 9))]),
    ("window_sum", """
fn f(x: f32[R, N], W: index) -> f32[R] {
  y[r] = sum[k in 0..W](x[r, k + 1])
  return y
}""", lambda s: [("x", (s["R"], s["N"]))],
     lambda a, s: a["x"][:, 1:s["W"] + 1].sum(axis=1, dtype=np.float64)
     .astype(np.float32),
     [dict(R=r, N=n, W=w) for (r, n, w) in ((0, 4, 2), (3, 1, 2), (5, 7, 3),
                                            (4, 1023, 1000), (2, 5, 9))]),
]


def run_case(tess_run, scratch, name, source, shapes, oracle, sizes, rng):
    path = os.path.join(scratch, name + ".tess")
    with open(path, "w") as f:
        f.write(source.lstrip() + "\n")
    arrays = {}
    cmd = [tess_run, path]
    for arg, shape in shapes(sizes):
        arrays[arg] = rng.standard_normal(shape).astype(np.float32)
        p = os.path.join(scratch, "%s_%s.npy" % (name, arg))
        np.save(p, arrays[arg])
        cmd += ["--in", "%s=%s" % (arg, p)]
    for sym in ("H", "W"):
        if sym in sizes and sym in source.split("->")[0]:
            cmd += ["--size", "%s=%d" % (sym, sizes[sym])]
    out = os.path.join(scratch, name + "_out.npy")
    cmd += ["--out", "0=" + out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("%s %s: tess-run failed:\n%s%s" % (name, sizes, r.stdout,
                                                 r.stderr))
        return False
    got = np.load(out)
    want = np.asarray(oracle(arrays, sizes), np.float32)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5,
                                                  atol=1e-5):
        print("%s %s: MISMATCH\ngot  %s\nwant %s" % (name, sizes, got, want))
        return False
    print("%s %s: ok" % (name, sizes))
    return True


def main():
    tess_run, scratch = sys.argv[1], sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    rng = np.random.default_rng(7)
    for name, source, shapes, oracle, size_list in CASES:
        for sizes in size_list:
            if not run_case(tess_run, scratch, name, source, shapes, oracle,
                            sizes, rng):
                return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
