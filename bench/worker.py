"""Run one workload at one thread count: Tessera and its peers.

Started by bench/run.py as its own process (one per workload and thread
count), with the thread variables already in its environment
(TESSERA_NUM_THREADS, OMP/MKL/OPENBLAS_NUM_THREADS, XLA_FLAGS). For each
implementation it appends JSON lines to --out: {"start": impl} before it
begins, then the result, so that the driver knows which implementation was
running if this process dies.

Each implementation is called once (warm-up; JIT peers compile here and
that call is reported as their compile time), checked against the float64
NumPy reference, then, unless --verify-only, timed: repeated until
--min-time seconds and at least 3 calls (1 when a call takes longer than
--min-time), at most --max-reps calls; the median and minimum are reported.
"""

import argparse
import json
import os
import statistics
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tessera_ctypes  # noqa: E402
import workloads  # noqa: E402


def parse_args(argv):
    """Command-line options (set by run.py)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--peers", default=",".join(workloads.LIBRARIES))
    p.add_argument("--library", help="the compiled Tessera library (lib*.so)")
    p.add_argument("--skip", default="", help="implementations not to run")
    p.add_argument("--verify-only", action="store_true")
    p.add_argument("--min-time", type=float, default=0.5)
    p.add_argument("--max-reps", type=int, default=50)
    p.add_argument("--out", required=True, help="JSON lines file to append to")
    return p.parse_args(argv)


def set_library_threads(threads, libraries):
    """Thread counts that need a call (the environment does the rest)."""
    if "torch" in libraries:
        try:
            import torch
            torch.set_num_threads(threads)
        except ImportError:
            pass


def emit(out, record):
    """Append one JSON record to the output file (flushed at once)."""
    with open(out, "a") as f:
        f.write(json.dumps(record) + "\n")


def tessera_builder(workload, sizes, library):
    """A builder (inputs -> callable) for the compiled Tessera entry."""
    def build(xs):
        out = tessera_ctypes.output_array(workload.out_shape(sizes))
        call = tessera_ctypes.make_caller(library, workload.entry, [out])
        return lambda: call(*xs)
    return build


def implementations(workload, sizes, args):
    """(name, builder) for Tessera and every selected peer, Tessera first."""
    libraries = set(args.peers.split(",")) if args.peers else set()
    skip = set(args.skip.split(",")) if args.skip else set()
    impls = [("tessera", tessera_builder(workload, sizes, args.library))]
    impls += [(name, build) for name, build in workload.peers.items()
              if workloads.peer_library(name) in libraries]
    return [(n, b) for n, b in impls if n not in skip]


def to_numpy(result):
    """A peer's result as a NumPy array (torch tensors, JAX arrays)."""
    if hasattr(result, "detach"):
        result = result.detach().numpy()
    return np.asarray(result)


def time_calls(run, first_call, min_time, max_reps):
    """Seconds of each timed call of run()."""
    min_reps = 1 if first_call > min_time else 3
    times = []
    while len(times) < max_reps and (sum(times) < min_time or len(times) < min_reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def measure(name, build, inputs, reference, workload, args):
    """Build, check and time one implementation; returns its record."""
    rec = {"impl": name, "tol": workload.tol}
    run = build(inputs)
    start = time.perf_counter()
    result = to_numpy(run())
    rec["first_call_s"] = time.perf_counter() - start
    rec["err"] = workloads.normalized_error(result, reference)
    rec["status"] = "ok" if rec["err"] <= workload.tol else "FAIL"
    if args.verify_only:
        return rec
    if name in ("jax", "torch.compile"):
        run()  # a second warm-up call after the compiling one
    cpu = os.times()
    times = time_calls(run, rec["first_call_s"], args.min_time, args.max_reps)
    cpu_s = sum(os.times()[:2]) - sum(cpu[:2])
    rec.update(median_s=statistics.median(times), min_s=min(times), reps=len(times),
               cpu_util=cpu_s / sum(times))  # about the number of busy threads
    return rec


def run_worker(args):
    """Run every implementation of the workload; records go to args.out."""
    workload = workloads.by_name()[args.workload]
    sizes = workload.quick if args.quick else workload.sizes
    set_library_threads(args.threads, args.peers.split(","))
    rng = np.random.default_rng(12345)
    inputs = workload.inputs(rng, sizes)
    reference = np.asarray(workload.reference(*[x.astype(np.float64) for x in inputs]))
    for name, build in implementations(workload, sizes, args):
        emit(args.out, {"start": name})
        if name == "tessera" and not args.library:
            emit(args.out, {"impl": name, "status": "error",
                            "message": "not compiled"})
            continue
        try:
            rec = measure(name, build, inputs, reference, workload, args)
        except Exception as e:  # a peer or entry that fails is reported, not fatal
            traceback.print_exc()
            rec = {"impl": name, "status": "error",
                   "message": ("%s: %s" % (type(e).__name__, e)).splitlines()[0][:300]}
        emit(args.out, rec)
        time.sleep(0.2)  # let the last library's worker threads go idle


def main(argv=None):
    """Entry point."""
    run_worker(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
