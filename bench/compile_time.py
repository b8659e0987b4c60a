#!/usr/bin/env python3
"""Compile-time benchmark for tessc.

Generates Tessera programs of growing size, times `tessc` on each of them
(--emit=mlir and --emit=obj), prints one table per program family with the
growth ratio per doubling of the size, and writes every measurement to
bench/results/compile_time.csv.

    /usr/bin/python3 bench/compile_time.py                # the full run
    /usr/bin/python3 bench/compile_time.py --quick        # smaller sizes
    /usr/bin/python3 bench/compile_time.py --family elementwise --max-size 1000

A growth ratio of about 2 per doubling is linear; 4 is quadratic. Standard
library only: no packages to install.
"""

import argparse
import csv
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------
# Program generators. Each takes a size n and returns the source text.
# ---------------------------------------------------------------------------


def gen_elementwise(n):
    """One function, a chain of n elementwise statements, each reading the
    previous one and a parameter (whole-tensor and index-notation forms)."""
    lines = ["fn chain(x: f32[N, M], p: f32[N, M], q: f32[M]) -> f32[N, M] {"]
    prev = "x"
    for i in range(n):
        cur = "t%d" % i
        k = i % 4
        if k == 0:
            lines.append("  %s = %s * p + %d.5" % (cur, prev, i % 7))
        elif k == 1:
            lines.append("  %s[i, j] = %s[i, j] - q[j]" % (cur, prev))
        elif k == 2:
            lines.append("  %s = tanh(%s) * 0.5 + p" % (cur, prev))
        else:
            lines.append("  %s[i, j] = max(%s[i, j], p[i, j] * 0.25)" % (cur, prev))
        prev = cur
    lines.append("  return %s" % prev)
    lines.append("}")
    return "\n".join(lines) + "\n"


def gen_reductions(n):
    """One function, a chain of n contractions and reductions: matrix-vector
    products, row sums and softmax-like normalizations."""
    lines = ["fn chain(x: f32[N], w: f32[N, N], b: f32[N]) -> f32[N] {"]
    prev = "x"
    for i in range(n):
        cur = "t%d" % i
        k = i % 3
        if k == 0:
            lines.append("  %s[i] = w[i, j] * %s[j] + b[i]" % (cur, prev))
        elif k == 1:
            lines.append("  %s[i] = %s[i] - max[j](%s[j])" % (cur, prev, prev))
        else:
            lines.append("  %s[i] = %s[i] / (sum[j](%s[j] * %s[j]) + 1.0)"
                         % (cur, prev, prev, prev))
        prev = cur
    lines.append("  return %s" % prev)
    lines.append("}")
    return "\n".join(lines) + "\n"


def gen_functions(n):
    """A wide module: n small independent functions (each an entry)."""
    out = []
    for i in range(n):
        out.append("fn f_%d(x: f32[N], p: f32[N]) -> f32[N] {" % i)
        out.append("  y[i] = x[i] * p[i] + %d.0" % (i % 10))
        out.append("  return y")
        out.append("}")
    return "\n".join(out) + "\n"


def gen_calls(n):
    """A deep call chain: n functions, each calling the previous one. Every
    function is an entry with its own copy of all it calls, so the inlined
    module is quadratic in n: beyond a few hundred functions the compiler
    refuses it (in Sema, before any IR exists), and the time measured is
    how fast it says so."""
    out = ["fn f_0(x: f32[N], p: f32[N]) -> f32[N] {",
           "  y = x * p", "  return y", "}"]
    for i in range(1, n):
        out.append("fn f_%d(x: f32[N], p: f32[N]) -> f32[N] {" % i)
        out.append("  y = f_%d(x, p) + 1.0" % (i - 1))
        out.append("  return y")
        out.append("}")
    return "\n".join(out) + "\n"


def gen_fanout(n):
    """A call tree: n leaf functions and one function that calls every one
    of them (a deep module that inlines to a size linear in n)."""
    out = []
    for i in range(n):
        out.append("fn g_%d(x: f32[N]) -> f32[N] {" % i)
        out.append("  y = x * %d.0 + 1.0" % (i % 10))
        out.append("  return y")
        out.append("}")
    out.append("fn top(x: f32[N]) -> f32[N] {")
    prev = "x"
    for i in range(n):
        out.append("  a%d = g_%d(%s)" % (i, i, prev))
        prev = "a%d" % i
    out.append("  return %s" % prev)
    out.append("}")
    return "\n".join(out) + "\n"


FAMILIES = {
    # name: (generator, sizes, quick sizes, what n counts)
    "elementwise": (gen_elementwise, [250, 500, 1000, 2000, 4000],
                    [250, 500, 1000], "statements"),
    "reductions": (gen_reductions, [250, 500, 1000, 2000, 4000],
                   [250, 500, 1000], "statements"),
    "functions": (gen_functions, [500, 1000, 2000, 4000, 8000],
                  [250, 500, 1000], "functions"),
    # Compiles: the inlined module grows as depth^2 (inherent).
    "calldepth": (gen_calls, [35, 70, 140, 280], [35, 70], "call depth"),
    # Rejected by the inlining limits: how fast.
    "calls": (gen_calls, [500, 1000, 2000, 4000, 8000],
              [500, 1000, 2000], "call depth"),
    "fanout": (gen_fanout, [250, 500, 1000, 2000, 4000],
               [250, 500, 1000], "callees"),
}


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------


def find_tessc(explicit):
    if explicit:
        return explicit
    for cand in (os.path.join(ROOT, "build", "bin", "tessc"),):
        if os.access(cand, os.X_OK):
            return cand
    sys.exit("tessc not found; build it (ninja -C build tessc) or pass --tessc")


def time_tessc(tessc, src, emit, workdir, timeout):
    """Runs tessc once. Returns a dict: wall and cpu seconds (user + system
    of the child, steadier than wall time on a shared machine), status (ok,
    error: a diagnostic such as the inlining limit, or timeout) and the
    first error line."""
    out = os.path.join(workdir, "out.o" if emit == "obj" else "out.mlir")
    cmd = [tessc, src, "--emit=" + emit, "-o", out]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"wall": timeout, "cpu": timeout, "status": "timeout",
                "message": ""}
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = {"wall": wall, "cpu": cpu, "status": "ok", "message": ""}
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        result["status"] = "error"
        first = next((l for l in lines if "error" in l),
                     lines[0] if lines else "")
        result["message"] = first.replace(workdir + os.sep, "")
    return result


def fmt_time(r):
    if r["status"] == "timeout":
        return ">%.0fs" % r["wall"]
    s = "%.2f/%.2f" % (r["wall"], r["cpu"])
    return s if r["status"] == "ok" else s + "!"


def growth(rows, i, emit):
    """The growth of the CPU time from the previous size, per doubling of n:
    about 2 is linear, 4 quadratic."""
    if i == 0:
        return ""
    prev, cur = rows[i - 1][emit], rows[i][emit]
    if prev["status"] != "ok" or cur["status"] != "ok" or prev["cpu"] <= 0.0:
        return "-"
    doublings = math.log2(rows[i]["n"] / rows[i - 1]["n"])
    return "x%.2f" % ((cur["cpu"] / prev["cpu"]) ** (1.0 / doublings))


def print_table(family, what, rows, emits):
    print("\n== %s (n = %s; seconds wall/cpu, ! = rejected with an error)"
          % (family, what))
    header = ["n", "lines"]
    for e in emits:
        header += ["--emit=" + e, "growth"]
    widths = [8, 8] + [16, 8] * len(emits)
    print("".join(h.rjust(w) for h, w in zip(header, widths)))
    for i, r in enumerate(rows):
        cells = [str(r["n"]), str(r["lines"])]
        for e in emits:
            cells += [fmt_time(r[e]), growth(rows, i, e)]
        print("".join(c.rjust(w) for c, w in zip(cells, widths)))
    shown = set()
    for r in rows:
        for e in emits:
            msg = r[e]["message"]
            if r[e]["status"] == "error" and msg not in shown:
                shown.add(msg)
                print("   n=%d --emit=%s: %s" % (r["n"], e, msg))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tessc", help="the tessc binary (default: build/bin/tessc)")
    ap.add_argument("--family", action="append", choices=sorted(FAMILIES),
                    help="only these families (repeatable)")
    ap.add_argument("--emit", action="append", choices=["mlir", "obj"],
                    help="only these emit kinds (repeatable)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--max-size", type=int, help="skip larger sizes")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds per tessc run (default 300)")
    ap.add_argument("--csv", default=os.path.join(ROOT, "bench", "results",
                                                  "compile_time.csv"),
                    help="where to write the measurements")
    ap.add_argument("--keep", metavar="DIR",
                    help="also write the generated programs to DIR")
    args = ap.parse_args()

    tessc = find_tessc(args.tessc)
    families = args.family or list(FAMILIES)
    emits = args.emit or ["mlir", "obj"]
    records = []
    with tempfile.TemporaryDirectory(prefix="tess-bench-") as work:
        for fam in families:
            gen, sizes, quick, what = FAMILIES[fam]
            sizes = quick if args.quick else sizes
            if args.max_size:
                sizes = [s for s in sizes if s <= args.max_size]
            rows = []
            skip = set()
            for n in sizes:
                text = gen(n)
                src = os.path.join(work, "%s_%d.tess" % (fam, n))
                with open(src, "w") as f:
                    f.write(text)
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    with open(os.path.join(args.keep, os.path.basename(src)),
                              "w") as f:
                        f.write(text)
                row = {"n": n, "lines": text.count("\n")}
                for e in emits:
                    # After a timeout, larger sizes would only time out too.
                    if e in skip:
                        row[e] = {"wall": args.timeout, "cpu": args.timeout,
                                  "status": "timeout", "message": ""}
                    else:
                        row[e] = time_tessc(tessc, src, e, work, args.timeout)
                        if row[e]["status"] == "timeout":
                            skip.add(e)
                    records.append({"family": fam, "n": n,
                                    "lines": row["lines"], "emit": e,
                                    "wall_s": "%.3f" % row[e]["wall"],
                                    "cpu_s": "%.3f" % row[e]["cpu"],
                                    "status": row[e]["status"],
                                    "message": row[e]["message"]})
                rows.append(row)
            print_table(fam, what, rows, emits)

    os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["family", "n", "lines", "emit",
                                          "wall_s", "cpu_s", "status",
                                          "message"])
        w.writeheader()
        w.writerows(records)
    print("\nwrote %s" % args.csv)


if __name__ == "__main__":
    main()
