"""Benchmark `cnbudget extract` on every dev document (process start included) and hostile runs.

    python scripts/bench_national.py [--runs N]

Prints one line per dev file (median wall seconds of N runs of the whole `cnbudget extract`
process, median user+sys CPU seconds of the process and its children (pdftotext), budget lines),
the medians over the files against the target of issue 12 (<= 0.2 s wall per PDF disclosure,
process start included), then the in-process time of the narrative reader on synthetic hostile
runs of 20,000 characters (linear patterns: a fraction of a second each). Wall time moves with the
machine's load (printed before and after); CPU time is the steadier figure. The last line is one
JSON object.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "sources" / "dev"
CLI = Path(sys.executable).parent / "cnbudget"
TARGET_S = 0.2
HOSTILE = {
    "digits without a unit": "收入预算" + "1" * 20000,
    "amounts without delimiters": "收入1元" * 5000,
    "comparisons without delimiters": "比2025年增加1万元" * 2000,
    "inline codes": "行政运行（2010601）1元" * 2000,
    "open brackets": "一般公共服务" + "（" * 5000 + "类" * 5000,
    "dash paths": ("一般公共服务支出" + "-" * 2) * 3000,
}


def run_once(files):
    """(wall, cpu) seconds of one `cnbudget extract` process, and its budget lines."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # microseconds (os.times counts 10 ms ticks)
    started = time.perf_counter()
    done = subprocess.run([str(CLI), "extract", *map(str, files)], capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = len(json.loads(done.stdout)["budget_lines"]) if done.returncode == 0 else None
    return wall, cpu, lines


def bench_files(runs):
    files = sorted(DEV.glob("*.pdf")) + sorted((DEV / "national").glob("*.pdf")) + sorted((DEV / "national").glob("*.html"))
    results = {}
    for path in files:
        samples = [run_once([path]) for _ in range(runs)]
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        results[path.name] = {"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "budget_lines": samples[0][2]}
        print(f"{wall:6.3f} s  cpu {cpu:6.3f} s  {samples[0][2]!s:>5} lines  {path.name}")
    return results


def bench_hostile(tmp):
    from cnbudget.extract import extract_file

    results = {}
    for name, body in HOSTILE.items():
        path = tmp / "hostile.txt"
        path.write_text(f"某某县文化局2026年部门预算\n一、“三公”经费\n“三公”经费预算数为5.00万元。\n{body}。\n", encoding="utf-8")
        started = time.perf_counter()
        extract_file(path)
        results[name] = round(time.perf_counter() - started, 3)
        print(f"{results[name]:6.3f} s  hostile: {name} ({len(body)} characters)")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import tempfile

    load_before = os.getloadavg()[0]
    files = bench_files(args.runs) if DEV.exists() else {}
    summary = {}
    if files:
        pdfs = [r for name, r in files.items() if name.endswith(".pdf")]
        summary = {"median_seconds": statistics.median(r["seconds"] for r in files.values()),
                   "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in files.values()),
                   "median_pdf_seconds": statistics.median(r["seconds"] for r in pdfs),
                   "median_pdf_cpu_seconds": statistics.median(r["cpu_seconds"] for r in pdfs), "target_seconds": TARGET_S}
        print(f"median over {len(files)} files: {summary['median_seconds']:.3f} s wall, "
              f"{summary['median_cpu_seconds']:.3f} s CPU; over the {len(pdfs)} PDFs: {summary['median_pdf_seconds']:.3f} s "
              f"wall, {summary['median_pdf_cpu_seconds']:.3f} s CPU (target {TARGET_S} s wall; load average "
              f"{load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        hostile = bench_hostile(Path(tmp))
    print(json.dumps({"files": files, **summary, "hostile": hostile, "loadavg_before": load_before,
                      "loadavg": os.getloadavg()[0]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
