#!/usr/bin/env python3
"""Runs a Tessera function with tess-run and compares it with NumPy.

A test file carries its oracle in comment lines that start with `# PY:`. The
Python code they form must define:

  inputs    dict: parameter name -> numpy array (written to .npy, passed --in)
  expected  one array or a list of arrays: the results, computed with NumPy
and may define:
  entry     the function to run (default: tess-run's default, the last fn)
  sizes     dict: size symbol / index parameter -> int (passed as --size)
  rtol, atol  tolerances for np.allclose (defaults 1e-5 / 1e-6, scaled by dtype)
  opt       optimization level string such as "-O0"

Usage: npcheck.py FILE.tess [--oracle ORACLE] [extra tess-run args...]
With --oracle, the `# PY:` lines are read from ORACLE instead (used to test
the shipped examples without putting test code into them).
Prints one line per result and exits 1 on the first mismatch.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np


def load_oracle(path):
    """Runs the `# PY:` lines of `path`; returns the names they define."""
    code = []
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s.startswith("# PY:"):
                body = s[len("# PY:"):]
                code.append(body[1:] if body.startswith(" ") else body)
    env = {"np": np, "rng": np.random.default_rng(1234)}
    exec("\n".join(code), env)
    return env


def compare(got, want, env):
    """(same, max abs error) of a result against its expected value: integers
    and booleans exact, f64 and c128 within 1e-12, others within 1e-5 (or the
    oracle's rtol and atol). Shapes and dtypes must agree first."""
    if want.dtype.kind in "biu":
        same = np.array_equal(got, want)
        err = 0 if same else int(np.max(np.abs(got.astype(np.int64) - want.astype(np.int64))))
        return same, err
    tight = want.dtype in (np.float64, np.complex128)
    rtol = env.get("rtol", 1e-12 if tight else 1e-5)
    atol = env.get("atol", 1e-12 if tight else 1e-5)
    same = np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    err = float(np.max(np.abs(got - want))) if want.size else 0.0
    return same, err


def main():
    path = sys.argv[1]
    extra = sys.argv[2:]
    oracle = path
    if extra[:1] == ["--oracle"]:
        oracle = extra[1]
        extra = extra[2:]
    env = load_oracle(oracle)
    inputs = env["inputs"]
    expected = env["expected"]
    if not isinstance(expected, (list, tuple)):
        expected = [expected]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["tess-run", path]
        if "entry" in env:
            cmd += ["--entry", env["entry"]]
        if "opt" in env:
            cmd.append(env["opt"])
        for name, value in inputs.items():
            p = os.path.join(tmp, name + ".npy")
            np.save(p, np.asarray(value))
            cmd += ["--in", "%s=%s" % (name, p)]
        for name, value in env.get("sizes", {}).items():
            cmd += ["--size", "%s=%d" % (name, value)]
        outs = []
        for i in range(len(expected)):
            p = os.path.join(tmp, "out%d.npy" % i)
            cmd += ["--out", "%d=%s" % (i, p)]
            outs.append(p)
        cmd += extra
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout + r.stderr)
            sys.stderr.write("npcheck: tess-run failed: %s\n" % " ".join(cmd))
            return 1
        ok = True
        for i, (p, want) in enumerate(zip(outs, expected)):
            got = np.load(p)
            want = np.asarray(want)
            if got.shape != want.shape:
                print("result %d: shape %s, expected %s" % (i, got.shape, want.shape))
                ok = False
                continue
            if got.dtype != want.dtype:
                print("result %d: dtype %s, expected %s" % (i, got.dtype, want.dtype))
                ok = False
                continue
            same, err = compare(got, want, env)
            print("result %d: %s %s max_abs_err=%g %s" % (
                i, got.dtype, list(got.shape), err, "OK" if same else "MISMATCH"))
            if not same:
                print("got:\n%s\nexpected:\n%s" % (got, want))
                ok = False
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
