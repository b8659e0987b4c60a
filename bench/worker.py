"""Run one workload at one thread count: Tessera and its peers.

Started by bench/run.py as its own process (one per workload and thread
count), with the thread variables already in its environment
(TESSERA_NUM_THREADS, OMP/MKL/OPENBLAS_NUM_THREADS, XLA_FLAGS). For each
implementation it appends JSON lines to --out: {"start": impl} before it
begins, then the result, so that the driver knows which implementation was
running if this process dies.

Each implementation is first called once (warm-up; JIT peers compile here
and that call is reported as their compile time) and checked against the
float64 NumPy reference. Then, unless --verify-only, the implementations
that passed are timed in --rounds interleaved rounds (Tessera, numpy,
torch, ..., Tessera, numpy, ...), so that a burst of load on a shared
machine hits all of them alike: in each round an implementation is called
until min-time / rounds seconds and at least 3 calls (1 when a call takes
longer than that), at most max-reps / rounds calls. The median and minimum
over all calls are reported.
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
    p.add_argument("--c-kernels", help="the folder of the compiled bench/kernels/*.c")
    p.add_argument("--skip", default="", help="implementations not to run")
    p.add_argument("--verify-only", action="store_true")
    p.add_argument("--min-time", type=float, default=0.5)
    p.add_argument("--max-reps", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
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
        out = tessera_ctypes.output_array(workload.out_shape(sizes),
                                          workload.out_dtype)
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
    """Seconds of each timed call of run(): at least `min_time` seconds in
    all and 3 calls (1 when the first call took longer than min_time), at
    most max_reps calls."""
    min_reps = 1 if first_call > min_time else 3
    times = []
    while len(times) < max_reps and (sum(times) < min_time or len(times) < min_reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def check(name, build, inputs, reference, workload):
    """Build one implementation, call it once and check its result.

    Returns (record, run): run is the callable to time, ready (JIT peers
    have compiled and been called a second time).
    """
    rec = {"impl": name, "tol": workload.tol}
    run = build(inputs)
    start = time.perf_counter()
    result = to_numpy(run())
    rec["first_call_s"] = time.perf_counter() - start
    rec["err"] = workloads.normalized_error(result, reference)
    rec["status"] = "ok" if rec["err"] <= workload.tol else "FAIL"
    if name in ("jax", "torch.compile"):
        run()  # a second warm-up call after the compiling one
    return rec, run


def error_record(name, e):
    """The record of an implementation that raised `e`."""
    traceback.print_exc()
    return {"impl": name, "status": "error",
            "message": ("%s: %s" % (type(e).__name__, e)).splitlines()[0][:300]}


def check_all(workload, sizes, inputs, reference, args):
    """Check every implementation; returns (records, runs of the ok ones).

    Records of implementations that failed are written at once."""
    records, runs = {}, {}
    for name, build in implementations(workload, sizes, args):
        emit(args.out, {"start": name})
        if name == "tessera" and not args.library:
            emit(args.out, {"impl": name, "status": "error", "message": "not compiled"})
            continue
        try:
            rec, run = check(name, build, inputs, reference, workload)
        except Exception as e:  # a peer or entry that fails is reported, not fatal
            rec, run = error_record(name, e), None
        records[name] = rec
        if rec["status"] == "ok" and not args.verify_only:
            runs[name] = run
        else:
            emit(args.out, rec)
        time.sleep(0.2)  # let the last library's worker threads go idle
    return records, runs


def time_all(records, runs, args):
    """Time the checked implementations in --rounds interleaved rounds
    (each round gives each implementation min_time / rounds seconds), then
    write their records with the median and minimum over all calls."""
    times = {name: [] for name in runs}
    cpu = {name: 0.0 for name in runs}
    rounds = max(1, args.rounds)
    for _ in range(rounds):
        for name, run in runs.items():
            if name not in times:
                continue
            emit(args.out, {"start": name})
            before = os.times()
            try:
                block = time_calls(run, records[name]["first_call_s"],
                                   args.min_time / rounds, max(1, args.max_reps // rounds))
            except Exception as e:  # fails only on a later call: reported
                emit(args.out, error_record(name, e))
                del times[name]
                continue
            cpu[name] += sum(os.times()[:2]) - sum(before[:2])
            times[name] += block
            time.sleep(0.2)
    for name, ts in times.items():
        rec = records[name]
        rec.update(median_s=statistics.median(ts), min_s=min(ts), reps=len(ts),
                   cpu_util=cpu[name] / sum(ts))  # about the number of busy threads
        emit(args.out, rec)


def run_worker(args):
    """Run every implementation of the workload; records go to args.out."""
    workload = workloads.by_name()[args.workload]
    sizes = workload.quick if args.quick else workload.sizes
    workloads.C_KERNEL_DIR = args.c_kernels
    set_library_threads(args.threads, args.peers.split(","))
    rng = np.random.default_rng(12345)
    inputs = workload.inputs(rng, sizes)
    reference = np.asarray(workload.reference(*[
        x.astype(np.complex128 if np.iscomplexobj(x) else np.float64) for x in inputs]))
    records, runs = check_all(workload, sizes, inputs, reference, args)
    time_all(records, runs, args)


def pin_to_threads(threads):
    """Restrict this process to `threads` processors, before any library
    starts its thread pool: some peers (XLA's CPU client) size their pools
    from the processors they may use, whatever their thread settings say."""
    allowed = sorted(os.sched_getaffinity(0))
    if threads < len(allowed):
        os.sched_setaffinity(0, allowed[:threads])


def main(argv=None):
    """Entry point."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    pin_to_threads(args.threads)
    run_worker(args)


if __name__ == "__main__":
    main()
