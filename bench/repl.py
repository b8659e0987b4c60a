#!/usr/bin/env python3
"""Round trip and start-up of the REPL, tess-repl.

    /usr/bin/python3 bench/repl.py [--tess-repl build/bin/tess-repl] [--runs 30]

Measures, on one tess-repl session fed through a pipe:
  * round trip, fresh: an expression the session has not seen (a new
    constant each time, so it compiles), from writing the line to reading
    its printed value;
  * round trip, cached: the same expression again (its code is cached);
and the start-up: a whole `tess-repl` process that reads `:quit`.
For scale, the same round trips of NumPy in a Python REPL (`python3 -i`,
the interpreter that has NumPy) are measured beside them. Prints medians
and spreads, checks every printed value against the number it should be,
and writes bench/results/repl.csv. Standard library only.

Target (issue 10): the fresh round trip of a small expression has a median
under 100 ms; start-up under 0.5 s.
"""

import argparse
import csv
import os
import select
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Repl:
    """A REPL process fed line by line; each input prints one line."""

    def __init__(self, argv, setup):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.buffer = b""
        for line in setup:
            self.proc.stdin.write(line.encode() + b"\n")

    def ask(self, line, timeout=60.0):
        """Sends `line`; returns (seconds until its output line, the line)."""
        start = time.perf_counter()
        self.proc.stdin.write(line.encode() + b"\n")
        deadline = start + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.perf_counter()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not ready:
                sys.exit("no answer to %r; stderr: %s" %
                         (line, self.proc.stderr.read1(4096)))
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                sys.exit("the REPL ended; stderr: %s" % self.proc.stderr.read())
            self.buffer += chunk
        out, self.buffer = self.buffer.split(b"\n", 1)
        return time.perf_counter() - start, out.decode().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def check(got, want, what):
    value = float(got.rstrip("."))
    if abs(value - want) > 1e-4 * max(1.0, abs(want)):
        sys.exit("%s printed %s, expected %s" % (what, got, want))


def measure(name, argv, setup, expression, runs):
    """Fresh and cached round trips of `expression(k)` (its value: k + 16)."""
    repl = Repl(argv, setup)
    # A first input warms the process (the JIT, the interpreter).
    repl.ask(expression(0.0))
    fresh = []
    for k in range(1, runs + 1):
        seconds, out = repl.ask(expression(float(k)))
        check(out, k + 16.0, name)
        fresh.append(seconds)
    cached = []
    for _ in range(runs):
        seconds, out = repl.ask(expression(1.0))
        check(out, 17.0, name)
        cached.append(seconds)
    repl.close()
    return fresh, cached


def startup(argv, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, input=b":quit\n", stdout=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - start)
    return times


def summary(times):
    return (statistics.median(times), min(times), max(times))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tess-repl", default=os.path.join(ROOT, "build", "bin",
                                                       "tess-repl"))
    p.add_argument("--python", default="/usr/bin/python3",
                   help="the Python with NumPy, for the reference rows")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--csv", default=os.path.join(ROOT, "bench", "results",
                                                 "repl.csv"))
    args = p.parse_args()
    if not os.path.exists(args.tess_repl):
        sys.exit("no %s: build it first (ninja -C build tess-repl)" %
                 args.tess_repl)

    rows = []
    fresh, cached = measure(
        "tess-repl", [args.tess_repl], ["x = ones(f32[16])"],
        lambda k: "x[0] * %r + sum[i](x[i])" % k, args.runs)
    rows.append(("tess-repl", "round trip, fresh expression") + summary(fresh))
    rows.append(("tess-repl", "round trip, cached expression") +
                summary(cached))
    rows.append(("tess-repl", "start-up") +
                summary(startup([args.tess_repl], max(args.runs // 3, 3))))
    np_fresh, np_cached = measure(
        "numpy", [args.python, "-i", "-q", "-u"],
        ["import sys, numpy as np", "sys.ps1 = sys.ps2 = ''",
         "x = np.ones(16, np.float32)"],
        lambda k: "print(float(x[0] * %r + x.sum()))" % k, args.runs)
    rows.append(("numpy (python3 -i)", "round trip, fresh expression") +
                summary(np_fresh))
    rows.append(("numpy (python3 -i)", "round trip, cached expression") +
                summary(np_cached))

    print("%-20s %-32s %10s %10s %10s" % ("REPL", "measurement", "median ms",
                                         "min ms", "max ms"))
    for name, what, med, lo, hi in rows:
        print("%-20s %-32s %10.2f %10.2f %10.2f" % (name, what, med * 1e3,
                                                    lo * 1e3, hi * 1e3))
    fresh_median = rows[0][2]
    start_median = rows[2][2]
    print("fresh round trip: %.1f ms, %.2f of the 100 ms target; start-up "
          "%.0f ms, %.2f of the 0.5 s target" %
          (fresh_median * 1e3, fresh_median / 0.1, start_median * 1e3,
           start_median / 0.5))
    os.makedirs(os.path.dirname(args.csv), exist_ok=True)
    with open(args.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["repl", "measurement", "median_s", "min_s", "max_s",
                    "runs"])
        for row in rows:
            w.writerow(list(row) + [args.runs])
    print("wrote", os.path.relpath(args.csv, ROOT))


if __name__ == "__main__":
    main()
