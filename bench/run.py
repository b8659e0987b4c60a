#!/usr/bin/env python3
"""Performance benchmark: Tessera against numpy, PyTorch, torch.compile, JAX, C.

    /usr/bin/python3 bench/run.py                  # everything, 1 and 2 threads
    /usr/bin/python3 bench/run.py --workload matmul1024 --threads 2
    /usr/bin/python3 bench/run.py --quick          # small sizes (smoke test)
    /usr/bin/python3 bench/run.py --quick --peers numpy --no-install --verify-only

It builds tessc (ninja -C build tessc), creates bench/.venv and installs the
peers from PyPI (numpy, torch, jax[cpu], opt_einsum, matplotlib) unless
--no-install, compiles bench/programs/*.tess with tessc (timed) and the C
kernels of the `c` peers (bench/kernels/*.c) with clang-22, then runs each
workload at each thread count in a process of its own (bench/worker.py)
that times Tessera and every peer and checks each result against a float64
NumPy reference. For the workloads with a memory target it also runs
tess-run on the program with .npy inputs and records its peak RSS. It
prints a table, writes bench/results/perf.csv (summary),
bench/results/perf_runs.csv (every implementation), bench/results/perf.png
and bench/results/perf_env.txt (date, commit, machine, load, versions).

Exit status: 0, or 1 when a result did not match the reference or Tessera
failed to compile or run for a workload.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import report  # noqa: E402
import tessera_ctypes  # noqa: E402
import workloads  # noqa: E402

VENV = os.path.join(HERE, ".venv")
PIP_PACKAGES = ["numpy", "torch", "jax[cpu]", "opt_einsum", "matplotlib", "scipy",
                "fht-cpu", "pybind11", "pyfftw", "ducc0"]
# Built from source against the pybind11 installed above (its setup.py
# imports pybind11, so not in an isolated build environment).
SOURCE_PACKAGES = ["ffht-unofficial"]
THREAD_VARIABLES = ("TESSERA_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")
JAX_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
# The compiler and flags of the C kernels (bench/kernels/*.c), as llama.cpp's
# CPU kernels are built: native ISA, OpenMP, no -ffast-math.
CLANG = "clang-22"
CLANG_FALLBACK = "/usr/lib/llvm-22/bin/clang"
C_FLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC"]


def parse_args(argv):
    """Command-line options."""
    names = [w.name for w in workloads.all_workloads()]
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="workloads: " + ", ".join(names))
    p.add_argument("--workload", action="append", choices=names,
                   help="run only this workload (repeatable; default: all)")
    p.add_argument("--threads", action="append",
                   help="thread counts, repeatable or comma-separated (default: 1,2)")
    p.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    p.add_argument("--peers", default=",".join(workloads.LIBRARIES),
                   help="peer libraries, comma-separated (default: %(default)s; "
                        "'none' for Tessera alone)")
    p.add_argument("--no-install", action="store_true",
                   help="do not create the venv or install anything; use bench/.venv "
                        "if it exists, else this Python (peers it lacks are skipped)")
    p.add_argument("--no-build", action="store_true", help="do not run ninja")
    p.add_argument("--verify-only", action="store_true",
                   help="call each implementation once and check it; time nothing")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    p.add_argument("--tessc", help="tessc to use (default: BUILD_DIR/bin/tessc)")
    p.add_argument("--clang", help="C compiler of the c peers (default: %s, else %s)"
                                   % (CLANG, CLANG_FALLBACK))
    p.add_argument("--python", help="Python for the workers (default: the venv's)")
    p.add_argument("--torch-index", default=os.environ.get("TESSERA_BENCH_TORCH_INDEX"),
                   help="pip index for torch, e.g. https://download.pytorch.org/whl/cpu "
                        "(default: PyPI, whose torch wheel pulls in the CUDA libraries)")
    p.add_argument("--out", help="folder for perf.csv, perf_runs.csv, perf.png, perf_env.txt "
                                 "(default: bench/results; with --quick bench/results/quick)")
    p.add_argument("--min-time", type=float, default=0.5,
                   help="seconds of timed calls per implementation (default: 0.5)")
    p.add_argument("--max-reps", type=int, default=50,
                   help="most timed calls per implementation (default: 50)")
    p.add_argument("--rounds", type=int, default=3,
                   help="interleaved timing rounds over the implementations (default: 3)")
    p.add_argument("--timeout", type=int, default=900,
                   help="seconds for one worker process (default: 900)")
    return p.parse_args(argv)


def thread_counts(args):
    """The thread counts asked for (default 1 and 2)."""
    if not args.threads:
        return [1, 2]
    return [int(t) for arg in args.threads for t in arg.split(",") if t]


def log(msg):
    """Progress, on stderr so the table on stdout stays clean."""
    print("bench: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Set-up: tessc, the venv and its peers.
# ---------------------------------------------------------------------------


def build_tessc(args):
    """Run ninja for tessc unless --no-build; returns the tessc path."""
    tessc = args.tessc or os.path.join(args.build_dir, "bin", "tessc")
    if not args.no_build and not args.tessc:
        if not os.path.exists(os.path.join(args.build_dir, "build.ninja")):
            log("no build in %s: ./scripts/setup.sh build" % args.build_dir)
            env = dict(os.environ, TESSERA_BUILD_DIR=args.build_dir)
            subprocess.run([os.path.join(ROOT, "scripts", "setup.sh"), "build"], check=True,
                           stdout=sys.stderr, env=env)
        log("ninja -C %s tessc" % args.build_dir)
        subprocess.run(["ninja", "-C", args.build_dir, "tessc"], check=True,
                       stdout=sys.stderr)
    if not os.access(tessc, os.X_OK):
        sys.exit("bench: %s not found" % tessc)
    return tessc


def venv_python():
    """The venv's interpreter."""
    return os.path.join(VENV, "bin", "python")


def missing_libraries(python, libraries):
    """The libraries (import names) that `python` cannot import."""
    missing = []
    for lib in libraries:
        code = "import %s" % lib
        if subprocess.run([python, "-c", code], capture_output=True).returncode != 0:
            missing.append(lib)
    return missing


def create_venv():
    """python -m venv bench/.venv; on Debian, without the python3-venv
    package (ensurepip) that fails: install it with apt-get as
    scripts/setup.sh installs its packages, and try again."""
    log("creating %s" % VENV)
    cmd = [sys.executable, "-m", "venv", VENV]
    if subprocess.run(cmd, stdout=sys.stderr).returncode == 0:
        return
    shutil.rmtree(VENV, ignore_errors=True)
    if not shutil.which("apt-get"):
        sys.exit("bench: cannot create %s with %s" % (VENV, sys.executable))
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log("installing python3-venv with apt-get")
    subprocess.run(sudo + ["apt-get", "update"], check=True, stdout=sys.stderr)
    subprocess.run(sudo + ["apt-get", "install", "-y", "--no-install-recommends",
                           "python3-venv"], check=True, stdout=sys.stderr,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def install_peers(args):
    """Create bench/.venv and pip-install the peers when something is missing."""
    if not os.path.exists(venv_python()):
        create_venv()
    need = missing_libraries(venv_python(), ["numpy", "torch", "jax", "opt_einsum",
                                             "matplotlib", "scipy", "fht_cpu",
                                             "ffht", "pyfftw", "ducc0"])
    if not need:
        return
    pip = [venv_python(), "-m", "pip", "install"]
    if "torch" in need and args.torch_index:
        log("pip install torch --index-url %s" % args.torch_index)
        subprocess.run(pip + ["torch", "--index-url", args.torch_index], check=True,
                       stdout=sys.stderr)
    log("pip install %s (torch from PyPI brings ~4 GB of CUDA libraries)"
        % " ".join(PIP_PACKAGES))
    subprocess.run(pip + PIP_PACKAGES, check=True, stdout=sys.stderr)
    log("pip install --no-build-isolation %s" % " ".join(SOURCE_PACKAGES))
    subprocess.run(pip + ["--no-build-isolation"] + SOURCE_PACKAGES, check=True,
                   stdout=sys.stderr)


def worker_python(args):
    """The interpreter that runs the workers, installing peers if allowed."""
    if args.python:
        return args.python
    if not args.no_install:
        install_peers(args)
        return venv_python()
    return venv_python() if os.path.exists(venv_python()) else sys.executable


def usable_peers(args, python):
    """The --peers libraries that `python` can import (others are dropped)."""
    wanted = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    for p in wanted:
        if p not in workloads.LIBRARIES:
            sys.exit("bench: unknown peer library %r (known: %s)"
                     % (p, ", ".join(workloads.LIBRARIES)))
    missing = missing_libraries(python, [p for p in wanted if p != "c"])
    if missing:
        log("%s cannot import %s: those peers are skipped" % (python, ", ".join(missing)))
    return [p for p in wanted if p not in missing]


# ---------------------------------------------------------------------------
# Compiling the Tessera programs and running the workers.
# ---------------------------------------------------------------------------


def compile_programs(tessc, selected, lib_dir):
    """Compile each needed program once; program -> {library, seconds, error}."""
    done = {}
    for w in selected:
        if w.program in done:
            continue
        source = os.path.join(HERE, "programs", w.program + ".tess")
        library, seconds, error = tessera_ctypes.compile_program(tessc, source, lib_dir)
        done[w.program] = {"library": library, "seconds": seconds, "error": error}
        log("tessc %s.tess: %.2fs%s" % (w.program, seconds, " ERROR: " + error if error else ""))
    return done


def find_clang(args):
    """The C compiler of the c peers, or None when there is none."""
    if args.clang:
        return shutil.which(args.clang)
    return shutil.which(CLANG) or (CLANG_FALLBACK if os.access(CLANG_FALLBACK, os.X_OK)
                                   else None)


def compile_c_kernels(args, selected, peers, lib_dir):
    """Compile the bench/kernels/*.c that the selected workloads' c peers
    call into lib_dir (lib<name>.so), timing each. Returns the peers, less
    `c` when there is no clang-22. A kernel that does not compile is logged;
    its peers then report the error."""
    names = sorted({k for w in selected for k in w.c_kernels})
    if "c" not in peers or not names:
        return peers
    clang = find_clang(args)
    if not clang:
        log("%s not found: the c peers (%s) are skipped"
            % (args.clang or "%s (nor %s)" % (CLANG, CLANG_FALLBACK), ", ".join(names)))
        return [p for p in peers if p != "c"]
    for name in names:
        source = os.path.join(HERE, "kernels", name + ".c")
        cmd = [clang] + C_FLAGS + ["-o", os.path.join(lib_dir, "lib%s.so" % name),
                                   source, "-lm"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        error = " | ".join(proc.stderr.strip().splitlines()[:4]) if proc.returncode else ""
        log("%s %s %s.c: %.2fs%s" % (os.path.basename(clang), " ".join(C_FLAGS), name,
                                     seconds, " ERROR: " + error if error else ""))
    return peers


def thread_env(threads):
    """The environment of a worker at `threads` threads."""
    env = dict(os.environ)
    for var in THREAD_VARIABLES:
        env[var] = str(threads)
    if threads == 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + JAX_ONE_THREAD).strip()
    env["JAX_PLATFORMS"] = "cpu"
    env["PYTHONUNBUFFERED"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def worker_command(python, w, threads, args, peers, library, kernel_dir, skip, out):
    """The command line of one worker process."""
    cmd = [python, os.path.join(HERE, "worker.py"), "--workload", w.name,
           "--threads", str(threads), "--peers", ",".join(peers), "--out", out,
           "--min-time", str(args.min_time), "--max-reps", str(args.max_reps),
           "--rounds", str(args.rounds)]
    if library:
        cmd += ["--library", library]
    if "c" in peers and w.c_kernels:
        cmd += ["--c-kernels", kernel_dir]
    if skip:
        cmd += ["--skip", ",".join(skip)]
    if args.quick:
        cmd.append("--quick")
    if args.verify_only:
        cmd.append("--verify-only")
    return cmd


def run_process(cmd, env, log_path, timeout):
    """Run cmd in its own process group; returns its exit status, or
    'timeout' (the whole group is killed then)."""
    with open(log_path, "a") as logf:
        proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return "timeout"


def read_records(path):
    """(records by impl, the impl started last without a record)."""
    records, running = {}, None
    if not os.path.exists(path):
        return records, running
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if "start" in rec:
                running = rec["start"]
            else:
                records[rec["impl"]] = rec
                running = None
    return records, running


def describe_exit(status):
    """Words for a worker's exit status."""
    if status == "timeout":
        return "timed out"
    if isinstance(status, int) and status < 0:
        return "killed by signal %s" % signal.Signals(-status).name
    return "exit status %s" % status


def run_workload(w, threads, args, python, peers, library, kernel_dir, log_dir):
    """Run one workload at one thread count; returns records by impl.

    When the worker dies (crash, memory, --timeout) the implementation it
    was running is recorded as crashed and the worker is started again
    without it.
    """
    tag = "%s-%dt" % (w.name, threads)
    log_path = os.path.join(log_dir, tag + ".log")
    open(log_path, "w").close()
    out = os.path.join(log_dir, tag + ".jsonl")
    if os.path.exists(out):
        os.remove(out)
    crashed = {}
    while True:  # ends: each new start skips one more implementation
        cmd = worker_command(python, w, threads, args, peers, library, kernel_dir,
                             list(crashed), out)
        status = run_process(cmd, thread_env(threads), log_path, args.timeout)
        records, running = read_records(out)
        if status == 0:
            break
        if running is None or running in crashed:
            crashed["worker"] = {"impl": "worker", "status": "crashed",
                                 "message": describe_exit(status) + ", see " + log_path}
            break
        crashed[running] = {"impl": running, "status": "crashed",
                            "message": describe_exit(status) + ", see " + log_path}
        log("%s: %s %s" % (tag, running, describe_exit(status)))
    records.update(crashed)
    return records


# ---------------------------------------------------------------------------
# Peak memory of Tessera under tess-run.
# ---------------------------------------------------------------------------

# Runs argv[2:] as its only child and writes the child's exit status and
# peak resident set size (ru_maxrss, KiB) to argv[1]. run.py starts it as
# `python -I -S`, a small process: Linux counts in a child's ru_maxrss the
# resident memory of the process it was forked from (and subprocess forks
# with vfork, sharing it), so tess-run started by run.py itself (NumPy,
# the inputs) would be charged for run.py's memory.
RSS_HELPER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%d %d" % (os.waitstatus_to_exitcode(status), usage.ru_maxrss))
"""


def find_tess_run(tessc):
    """tess-run next to tessc, else on the PATH (None: not found)."""
    path = shutil.which(tessc) or tessc
    beside = os.path.join(os.path.dirname(os.path.abspath(path)), "tess-run")
    return beside if os.access(beside, os.X_OK) else shutil.which("tess-run")


def entry_parameters(w):
    """The parameter names of w's entry, read from its program."""
    with open(os.path.join(HERE, "programs", w.program + ".tess")) as f:
        source = f.read()
    match = re.search(r"\bfn\s+%s\s*\(([^)]*)\)" % re.escape(w.entry), source)
    return re.findall(r"(\w+)\s*:", match.group(1)) if match else []


def save_inputs(w, sizes, folder):
    """w's inputs at `sizes` (the workers' seed) as folder/<param>.npy;
    returns (the inputs, the --in options, their bytes + the result's)."""
    os.makedirs(folder, exist_ok=True)
    inputs = w.inputs(np.random.default_rng(12345), sizes)
    names = entry_parameters(w)
    if len(names) != len(inputs):
        raise RuntimeError("cannot read the %d parameters of %s in %s.tess"
                           % (len(inputs), w.entry, w.program))
    options = []
    for name, x in zip(names, inputs):
        path = os.path.join(folder, name + ".npy")
        np.save(path, x)
        options.append("--in=%s=%s" % (name, path))
    out_bytes = int(np.prod(w.out_shape(sizes))) * np.dtype(w.out_dtype).itemsize
    return inputs, options, sum(x.nbytes for x in inputs) + out_bytes


def tess_run_peak(tess_run, w, threads, options, folder, log_path, timeout):
    """Run tess-run on w's program with the --in `options`, the result
    written to folder/result.npy; returns its peak RSS in bytes."""
    result = os.path.join(folder, "result.npy")
    stats = os.path.join(folder, "rss.txt")
    for path in (result, stats):
        if os.path.exists(path):
            os.remove(path)
    cmd = ([tess_run, "-O3", "--entry=" + w.entry, "--num-threads=%d" % threads]
           + options + ["--out=0=" + result,
                        os.path.join(HERE, "programs", w.program + ".tess")])
    with open(log_path, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
    status = run_process([sys.executable, "-I", "-S", "-c", RSS_HELPER, stats] + cmd,
                         thread_env(threads), log_path, timeout)
    if status != 0 or not os.path.exists(stats):
        raise RuntimeError("tess-run: %s, see %s" % (describe_exit(status), log_path))
    with open(stats) as f:
        code, max_rss_kib = (int(v) for v in f.read().split())
    if code != 0:
        raise RuntimeError("tess-run: exit status %d, see %s" % (code, log_path))
    return max_rss_kib * 1024


def measure_memory(w, args, tess_run, work_dir, log_dir):
    """tess-run's peak RSS on w's program with .npy inputs, at each thread
    count: at the run's sizes and, as the baseline (the JIT, LLVM, the
    runtime: not the program's data), at sizes 1. Returns threads -> a dict
    of report.MEMORY_FIELDS' values, with `mem_error` on a failure. With
    --quick there is no target: the inputs are a few bytes, the noise of
    the RSS (tenths of a MiB) is all there is to see."""
    sizes = w.quick if args.quick else w.sizes
    target = None if args.quick else w.mem_target
    results = {}
    try:
        inputs, options, io_bytes = save_inputs(w, sizes, os.path.join(work_dir, "full"))
        _, tiny_options, _ = save_inputs(w, {k: 1 for k in sizes},
                                         os.path.join(work_dir, "tiny"))
        reference = np.asarray(w.reference(*[x.astype(np.float64) for x in inputs]))
    except (RuntimeError, OSError) as e:
        return {t: {"mem_error": str(e), "mem_target": target} for t in thread_counts(args)}
    for threads in thread_counts(args):
        log_path = os.path.join(log_dir, "%s-%dt-tess-run.log" % (w.name, threads))
        open(log_path, "w").close()
        try:
            peak = tess_run_peak(tess_run, w, threads, options,
                                 os.path.join(work_dir, "full"), log_path, args.timeout)
            base = tess_run_peak(tess_run, w, threads, tiny_options,
                                 os.path.join(work_dir, "tiny"), log_path, args.timeout)
            got = np.load(os.path.join(work_dir, "full", "result.npy"))
        except (RuntimeError, OSError, ValueError) as e:
            results[threads] = {"mem_error": str(e), "mem_target": target}
            continue
        err = workloads.normalized_error(got, reference)
        results[threads] = report.memory_fields(io_bytes, peak, base, target, err, w.tol)
        log("%s, %d thread%s: tess-run peak RSS %.1f MiB, %.1f MiB at sizes 1; "
            "inputs + outputs %.1f MiB" % (w.name, threads, "" if threads == 1 else "s",
                                           peak / 2**20, base / 2**20, io_bytes / 2**20))
    return results


# ---------------------------------------------------------------------------
# Main.
# ---------------------------------------------------------------------------


def run_all(args, selected, python, peers, compiled, lib_dir, tessc):
    """Run every selected workload at every thread count; (rows, runs).
    lib_dir: the temporary folder of the compiled programs and C kernels,
    where the .npy files of the memory runs go too."""
    log_dir = os.path.join(args.out, "logs")
    os.makedirs(log_dir, exist_ok=True)
    tess_run = find_tess_run(tessc)
    rows, runs = [], []
    for w in selected:
        info = compiled[w.program]
        memory = {}
        if w.mem_target and not args.verify_only:
            if tess_run and not info["error"]:
                log("%s: tess-run's peak memory" % w.name)
                memory = measure_memory(w, args, tess_run,
                                        os.path.join(lib_dir, "mem-" + w.name), log_dir)
            elif not tess_run:
                log("no tess-run next to %s: the memory of %s is not measured"
                    % (tessc, w.name))
        for threads in thread_counts(args):
            log("%s, %d thread%s" % (w.name, threads, "" if threads == 1 else "s"))
            records = run_workload(w, threads, args, python, peers, info["library"],
                                   lib_dir, log_dir)
            if info["error"]:
                records["tessera"] = {"impl": "tessera", "status": "compile-error",
                                      "message": info["error"]}
            sizes = w.quick if args.quick else w.sizes
            rows.append(report.summarize(w, threads, sizes, records, info,
                                         memory.get(threads)))
            for impl, rec in records.items():
                runs.append(dict(rec, workload=w.name, threads=threads,
                                 compile_s=info["seconds"] if impl == "tessera" else
                                 rec.get("first_call_s")))
    return rows, runs


def print_problems(rows):
    """Every mismatch, error and crash, loudly; returns True if any."""
    bad = [r for r in rows if r["notes"]]
    for r in bad:
        print("!! %s, %d thread(s): %s" % (r["workload"], r["threads"], r["notes"]))
    return bool(bad)


VERSIONS = """
import importlib, platform
out = ["python " + platform.python_version()]
for name in ("numpy", "torch", "jax", "jaxlib", "opt_einsum", "scipy"):
    try:
        out.append("%s %s" % (name, importlib.import_module(name).__version__))
    except Exception:
        pass
print(", ".join(out))
"""


def environment(python, tessc, clang):
    """Lines describing the run: date, commit, machine, load, versions."""
    def first_line(cmd):
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        return (proc.stdout.strip().splitlines() or ["?"])[0]
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return ["date: " + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "tessera: " + first_line(["git", "log", "-1", "--format=%h %s"]),
            "tessc: " + tessc,
            "cpu: %s, %d cores" % (model, os.cpu_count()),
            "load average at the end: %.1f %.1f %.1f" % os.getloadavg(),
            "peers: " + first_line([python, "-c", VERSIONS]),
            "c peers: " + ("%s %s" % (first_line([clang, "--version"]), " ".join(C_FLAGS))
                           if clang else "not compiled")]


def write_outputs(rows, runs, out_dir, python):
    """perf.csv, perf_runs.csv and (with matplotlib) perf.png."""
    os.makedirs(out_dir, exist_ok=True)
    summary = os.path.join(out_dir, "perf.csv")
    report.write_csv(rows, summary)
    report.write_runs_csv(runs, os.path.join(out_dir, "perf_runs.csv"))
    png = os.path.join(out_dir, "perf.png")
    proc = subprocess.run([python, os.path.join(HERE, "report.py"), "--plot", summary, png],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        log("no plot (%s needs matplotlib): %s"
            % (python, (proc.stderr.strip().splitlines() or ["?"])[-1]))
    log("wrote %s" % ", ".join(os.path.join(out_dir, f) for f in
                                ("perf.csv", "perf_runs.csv", "perf.png")
                                if os.path.exists(os.path.join(out_dir, f))))


def main(argv=None):
    """Entry point; returns the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.out:  # quick runs never replace the committed full results
        args.out = os.path.join(HERE, "results", "quick" if args.quick else "")
    wanted = set(args.workload or [])
    selected = [w for w in workloads.all_workloads() if not wanted or w.name in wanted]
    tessc = build_tessc(args)
    python = worker_python(args)
    peers = usable_peers(args, python)
    lib_dir = tempfile.mkdtemp(prefix="tessera-bench-")
    try:
        compiled = compile_programs(tessc, selected, lib_dir)
        peers = compile_c_kernels(args, selected, peers, lib_dir)
        rows, runs = run_all(args, selected, python, peers, compiled, lib_dir, tessc)
    finally:
        shutil.rmtree(lib_dir, ignore_errors=True)
    print("Tessera vs peers (median times; ratio = Tessera / best peer; "
          "%s; every result checked against float64 numpy)"
          % ("sizes: --quick" if args.quick else "full sizes"))
    report.print_table(rows)
    report.print_memory(rows)
    if args.verify_only:
        report.print_checks(rows)
    problems = print_problems(rows)
    write_outputs(rows, runs, args.out, python)
    env_lines = environment(python, tessc, find_clang(args) if "c" in peers else None)
    with open(os.path.join(args.out, "perf_env.txt"), "w") as f:
        f.write("\n".join(env_lines) + "\n")
    for line in env_lines:
        log(line)
    tessera_bad = any(r["tessera_status"] != "ok" or r.get("mem_met") == "FAIL" for r in rows)
    mismatch = any(rec.get("status") == "FAIL" for rec in runs)
    if not problems:
        print("all results match the numpy reference")
    return 1 if (tessera_bad or mismatch) else 0


if __name__ == "__main__":
    sys.exit(main())
