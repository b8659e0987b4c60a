"""Tables, CSV files and the plot of the performance benchmark.

run.py collects, for each workload and thread count, one record per
implementation (see worker.py) and calls `summarize`, `print_table`,
`write_csv` and `write_runs_csv`, and `print_memory` for the workloads whose
peak memory under tess-run is measured. The plot needs matplotlib, which only the
benchmark's venv has, so run.py runs this file as a script in that venv:

    bench/.venv/bin/python bench/report.py --plot bench/results/perf.csv bench/results/perf.png
    /usr/bin/python3 bench/report.py --markdown bench/results/perf.csv   # for docs/performance.md
"""

import argparse
import csv
import sys

# The peer columns of the table and of perf.csv, in order.
PEER_COLUMNS = ("numpy", "torch", "torch.compile", "torch.sdpa", "torch.fly", "torch.ref", "jax",
                "opt_einsum", "ffht", "fht_cpu", "pyfftw", "ducc0", "c.kernel")

# Tessera's peak memory under tess-run (run.py's measure_memory), MiB:
# inputs + outputs, the peak RSS, the peak RSS of the same program at sizes
# 1 (the JIT and its libraries), their difference, that difference / the
# inputs + outputs, the target of that ratio and whether it is met (no
# target with --quick). Empty for the workloads without a memory target.
MEMORY_FIELDS = ["mem_io_mib", "mem_peak_mib", "mem_base_mib", "mem_net_mib",
                 "mem_ratio", "mem_target", "mem_met"]

SUMMARY_FIELDS = (["workload", "threads", "sizes", "tessera_s", "tessera_min_s",
                   "tessera_status", "tessera_err", "compile_s"]
                  + ["%s_s" % p for p in PEER_COLUMNS]
                  + ["best_peer", "best_peer_s", "ratio", "target", "target_peer",
                     "target_ratio", "target_met", "notes"] + MEMORY_FIELDS)

RUN_FIELDS = ["workload", "threads", "impl", "status", "median_s", "min_s", "reps",
              "first_call_s", "cpu_util", "err", "tol", "compile_s", "message"]


def ok_time(rec):
    """The median time of a verified record, else None."""
    if rec and rec.get("status") == "ok" and rec.get("median_s") is not None:
        return rec["median_s"]
    return None


def target_for(workload, threads):
    """The ratio target of a workload at a thread count (None: no target)."""
    if threads == 2:
        return workload.target
    if threads == 1:
        return workload.target_1t
    return None


def summarize(workload, threads, sizes, records, compile_info, memory=None):
    """One summary row (a dict of SUMMARY_FIELDS) from the records of one
    workload at one thread count; records maps impl -> record, memory is
    None or measure_memory's dict for this thread count."""
    tess = records.get("tessera", {})
    row = {"workload": workload.name, "threads": threads,
           "sizes": " ".join("%s=%d" % kv for kv in sizes.items()),
           "tessera_s": ok_time(tess), "tessera_min_s": tess.get("min_s"),
           "tessera_status": tess.get("status", "missing"),
           "tessera_err": tess.get("err"), "compile_s": compile_info.get("seconds")}
    peers = {p: ok_time(r) for p, r in records.items() if p != "tessera"}
    for p in PEER_COLUMNS:
        row["%s_s" % p] = peers.get(p)
    timed = {p: t for p, t in peers.items() if t is not None}
    best = min(timed, key=timed.get) if timed else None
    row["best_peer"] = best
    row["best_peer_s"] = timed.get(best)
    row["ratio"] = ratio(row["tessera_s"], row["best_peer_s"])
    row["target"] = target_for(workload, threads)
    row["target_peer"] = workload.target_peer or "best"
    ref = timed.get(workload.target_peer) if workload.target_peer else row["best_peer_s"]
    row["target_ratio"] = ratio(row["tessera_s"], ref)
    row["target_met"] = target_met(row["target"], row["target_ratio"], row["tessera_status"])
    row["notes"] = notes(records, compile_info)
    if memory:
        row.update((k, memory.get(k)) for k in MEMORY_FIELDS)
        if memory.get("mem_error"):
            row["mem_met"] = "FAIL"
            row["notes"] = "; ".join(n for n in (row["notes"], "tess-run memory: "
                                                 + memory["mem_error"]) if n)
    row["_records"] = records  # for the table and the checks; not in the CSV
    return row


def memory_fields(io_bytes, peak, base, target, err, tol):
    """The MEMORY_FIELDS of one tess-run measurement (bytes in; MiB out;
    target None: none), and `mem_error` when its result does not match the
    reference."""
    mib = float(2**20)
    ratio_value = (peak - base) / io_bytes if io_bytes else None
    met = ""
    if target is not None and ratio_value is not None:
        met = "pass" if ratio_value < target else "miss"
    fields = {"mem_io_mib": io_bytes / mib, "mem_peak_mib": peak / mib,
              "mem_base_mib": base / mib, "mem_net_mib": (peak - base) / mib,
              "mem_ratio": ratio_value, "mem_target": target, "mem_met": met}
    if not err <= tol:
        fields["mem_error"] = "result MISMATCH err=%.3g > tol=%.3g" % (err, tol)
    return fields


def ratio(a, b):
    """a / b, or None when either is missing."""
    return a / b if a is not None and b else None


def target_met(target, value, tessera_status):
    """'pass', 'miss', 'FAIL' (Tessera wrong or not run) or '' (no target
    or nothing timed)."""
    if target is None:
        return ""
    if tessera_status == "ok" and value is None:
        return ""
    if tessera_status != "ok" or value is None:
        return "FAIL"
    return "pass" if value <= target else "miss"


def notes(records, compile_info):
    """Short words on everything that did not run or did not verify."""
    out = []
    if compile_info.get("error"):
        out.append("tessc: " + compile_info["error"])
    for impl, rec in records.items():
        status = rec.get("status")
        if status == "FAIL":
            out.append("%s MISMATCH err=%.3g > tol=%.3g" % (impl, rec["err"], rec["tol"]))
        elif status not in ("ok", "compile-error", None):
            out.append("%s %s: %s" % (impl, status, rec.get("message", "")))
    return "; ".join(out)


def fmt_time(seconds):
    """Seconds in a short human unit."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return "%.1fus" % (seconds * 1e6)
    if seconds < 1:
        return "%.2fms" % (seconds * 1e3)
    return "%.2fs" % seconds


def fmt_ratio(value):
    """A ratio with 2 significant digits, '-' when missing."""
    if value is None:
        return "-"
    return "%.0f" % value if value >= 1000 else "%.3g" % value


def impl_cell(row, impl):
    """An implementation's time, else its status (ok when only verified;
    FAIL, ERROR, CRASHED, COMPILE-ERROR), '-' when it did not run."""
    rec = row["_records"].get(impl)
    if not rec:
        return "-"
    if rec.get("status") == "ok":
        return fmt_time(rec["median_s"]) if rec.get("median_s") is not None else "ok"
    return rec.get("status", "?").upper()


def print_checks(rows, out=sys.stdout):
    """One line per implementation run: its error against the reference."""
    for r in rows:
        for impl, rec in r["_records"].items():
            err = rec.get("err")
            words = ("err %.2g, tol %.2g" % (err, rec["tol"]) if err is not None
                     else rec.get("message", ""))
            print("check %s %dt %s: %s (%s)" % (r["workload"], r["threads"], impl,
                                               rec.get("status"), words), file=out)


def print_table(rows, out=sys.stdout):
    """The table of times and ratios."""
    present = [p for p in PEER_COLUMNS if any(p in r["_records"] for r in rows)]
    header = (["workload", "thr", "tessera", "compile"] + present
              + ["best peer", "ratio", "target", "vs", "met"])
    table = [header]
    for r in rows:
        target = "<=%g" % r["target"] if r["target"] else ""
        table.append([r["workload"], str(r["threads"]), impl_cell(r, "tessera"),
                      fmt_time(r["compile_s"])]
                     + [impl_cell(r, p) for p in present]
                     + [r["best_peer"] or "-", fmt_ratio(r["ratio"]), target,
                        fmt_ratio(r["target_ratio"]) if target else "", r["target_met"]])
    print_columns(table, out)


def print_columns(table, out):
    """Rows of cells (the first one the header) in aligned columns."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for i, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)


def print_memory(rows, out=sys.stdout):
    """The table of tess-run's peak memory, for the rows that have one."""
    measured = [r for r in rows if r.get("mem_met") or r.get("mem_peak_mib") is not None]
    if not measured:
        return
    print("\nTessera's peak memory under tess-run (MiB; base: the same program at sizes 1, "
          "ratio = (peak - base) / (inputs + outputs))", file=out)
    header = ["workload", "thr", "in+out", "peak", "base", "peak-base", "ratio",
              "peak/in+out", "target", "met"]
    table = [header]
    for r in measured:
        mib = lambda k: "%.1f" % r[k] if r.get(k) is not None else "-"  # noqa: E731
        raw = (fmt_ratio(r["mem_peak_mib"] / r["mem_io_mib"])
               if r.get("mem_peak_mib") is not None and r.get("mem_io_mib") else "-")
        table.append([r["workload"], str(r["threads"]), mib("mem_io_mib"), mib("mem_peak_mib"),
                      mib("mem_base_mib"), mib("mem_net_mib"), fmt_ratio(r.get("mem_ratio")),
                      raw, "<%g" % r["mem_target"] if r.get("mem_target") else "",
                      r.get("mem_met") or ""])
    print_columns(table, out)


def write_csv(rows, path):
    """perf.csv: one summary row per workload and thread count."""
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SUMMARY_FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: fmt_csv(r.get(k)) for k in SUMMARY_FIELDS})


def write_runs_csv(runs, path):
    """perf_runs.csv: every implementation's record."""
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=RUN_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in runs:
            w.writerow({k: fmt_csv(r.get(k)) for k in RUN_FIELDS})


def fmt_csv(value):
    """CSV cell text: floats with 6 significant digits, None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "%.6g" % value
    return value


# ---------------------------------------------------------------------------
# The plot (matplotlib; run in the venv).
# ---------------------------------------------------------------------------


def read_summary(path):
    """Rows of perf.csv as dicts."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def plot(csv_path, png_path):
    """Bars of Tessera / best peer per workload and thread count (log
    scale), with each workload's target as a short horizontal line."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = read_summary(csv_path)
    names = list(dict.fromkeys(r["workload"] for r in rows))
    threads = sorted({int(r["threads"]) for r in rows})
    width = 0.8 / max(len(threads), 1)
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(names) + 2), 5))
    for j, t in enumerate(threads):
        xs, ys, missing = [], [], []
        for i, name in enumerate(names):
            row = next((r for r in rows if r["workload"] == name and int(r["threads"]) == t), None)
            x = i + (j - (len(threads) - 1) / 2) * width
            value = row and (row["target_ratio"] or row["ratio"])
            if value:
                xs.append(x)
                ys.append(float(value))
            else:
                missing.append(x)
            if row and row["target"]:
                ax.hlines(float(row["target"]), x - width / 2, x + width / 2,
                          colors="red", linewidth=2)
        bars = ax.bar(xs, ys, width, label="%d thread%s" % (t, "" if t == 1 else "s"))
        ax.bar_label(bars, labels=["%.0f" % y if y >= 100 else "%.3g" % y for y in ys],
                     fontsize=7)
        for x in missing:
            ax.text(x, 1, "n/a", ha="center", va="bottom", fontsize=8, rotation=90)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel("Tessera time / best peer time (lower is better)")
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_title("Tessera vs its peers (red: target, against the best peer or the one "
                 "it names)", fontsize=10)
    ax.plot([], [], color="red", linewidth=2, label="target")
    ax.legend()
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def markdown(csv_path, out=sys.stdout):
    """perf.csv as the Markdown table of docs/performance.md."""
    rows = read_summary(csv_path)
    peers = [p for p in PEER_COLUMNS if any(r.get("%s_s" % p) for r in rows)]
    print("| workload | threads | Tessera | tessc | %s | best peer | ratio | target |"
          % " | ".join(peers), file=out)
    print("|" + " --- |" * (7 + len(peers)), file=out)
    for r in rows:
        cell = lambda v: fmt_time(float(v)) if v else "-"  # noqa: E731
        tess = cell(r["tessera_s"]) if r["tessera_status"] == "ok" else r["tessera_status"].upper()
        target = ""
        if r["target"]:
            vs = "" if r["target_peer"] == "best" else " vs %s" % r["target_peer"]
            tr = fmt_ratio(float(r["target_ratio"])) if r["target_ratio"] else "-"
            target = "<= %s%s: %s (%s)" % (r["target"], vs, r["target_met"], tr)
        ratio_cell = fmt_ratio(float(r["ratio"])) if r["ratio"] else "-"
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["workload"], r["threads"], tess, cell(r["compile_s"]),
            " | ".join(cell(r["%s_s" % p]) for p in peers), r["best_peer"] or "-",
            ratio_cell, target), file=out)
    measured = [r for r in rows if r.get("mem_met") or r.get("mem_peak_mib")]
    if measured:
        print("\n| workload | threads | inputs + outputs | tess-run peak RSS | at sizes 1 "
              "| peak - that | ratio | target |", file=out)
        print("|" + " --- |" * 8, file=out)
    for r in measured:
        mib = lambda v: "%.1f MiB" % float(v) if v else "-"  # noqa: E731
        ratio_cell = fmt_ratio(float(r["mem_ratio"])) if r["mem_ratio"] else "-"
        target = "< %s: %s" % (r["mem_target"], r["mem_met"]) if r["mem_target"] else ""
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["workload"], r["threads"], mib(r["mem_io_mib"]), mib(r["mem_peak_mib"]),
            mib(r["mem_base_mib"]), mib(r["mem_net_mib"]), ratio_cell, target), file=out)


def main(argv=None):
    """Command line: --plot CSV PNG, or --markdown CSV."""
    p = argparse.ArgumentParser(description="Plot or tabulate bench/results/perf.csv")
    p.add_argument("--plot", nargs=2, metavar=("CSV", "PNG"))
    p.add_argument("--markdown", metavar="CSV", help="print the table in Markdown")
    args = p.parse_args(argv)
    if args.plot:
        plot(*args.plot)
    if args.markdown:
        markdown(args.markdown)


if __name__ == "__main__":
    main()
