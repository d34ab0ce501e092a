#!/usr/bin/env python3
"""Benchmark full, incremental, Dask and release builds on synthetic disclosures; the last line is one JSON object.

    python scripts/bench_build.py [--quick] [--keep DIR] [--workers 2]

On N synthetic documents (10,000; --quick: 1,000; scripts/make_synthetic.py, in a temp folder):
1. full build with a cold cache (`cnbudget build --cache`), 2. one document added and rebuilt
from the cache, 3. the N+1 documents from scratch on a local pool (`--no-cache`), 4. the same on a
Dask LocalCluster of `--workers` processes (`--workers 2 --no-cache`), 5. `cnbudget release` and DuckDB
row counts of its Parquet files against the CSVs. Each build runs in a fresh process; wall time, CPU
and peak memory (the sum over the process tree, sampled every 0.1 s) are measured. `incremental_identical`
and `dask_identical` compare the packages of 2 and 4 with 3, byte for byte. Targets (issue 12):
full build <= 60 s and <= 1 GiB for 10,000 documents, one added document <= 5 s.
"""

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_synthetic import write_corpus, write_document  # noqa: E402

TARGET_FULL_S = 60
TARGET_INCREMENTAL_S = 5
TARGET_PEAK_MIB = 1024

# Runs one command, sampling the RSS of its whole process tree, and prints the figures as JSON.
MEASURE_CHILD = """
import json, resource, subprocess, sys, time
import psutil
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
proc, peak = psutil.Process(child.pid), 0
while child.poll() is None:
    try:
        tree = [proc] + proc.children(recursive=True)
        peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
    except psutil.Error:
        pass
    time.sleep(0.1)
out, err = child.communicate()
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": child.returncode, "wall_s": wall, "peak_tree_mib": peak / 2**20,
                  "peak_process_mib": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "stdout": out[-2000:], "stderr": err[-2000:]}))
"""


def measured(*args):
    """Figures of one `cnbudget` run in a fresh process."""
    cnbudget = shutil.which("cnbudget", path=str(Path(sys.executable).parent)) or "cnbudget"
    command = [sys.executable, "-c", MEASURE_CHILD, cnbudget, *map(str, args)]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"cnbudget {' '.join(map(str, args))} failed:\n{result['stderr']}")
    return {"seconds": round(result["wall_s"], 2), "cpu_seconds": round(result["cpu_s"], 2),
            "peak_mib": round(result["peak_tree_mib"], 1), "peak_process_mib": round(result["peak_process_mib"], 1)}


def same_package(a, b):
    """Every file of two package folders equal byte for byte."""
    names = sorted(p.name for p in Path(a).iterdir())
    return names == sorted(p.name for p in Path(b).iterdir()) and all(
        (Path(a) / n).read_bytes() == (Path(b) / n).read_bytes() for n in names)


def csv_counts(package):
    counts = {}
    for path in sorted(Path(package).glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            counts[path.stem] = sum(1 for _ in csv.reader(f)) - 1
    return counts


def parquet_counts(folder, tables):
    import duckdb

    db, counts = duckdb.connect(), {}
    for table in tables:
        files = list((Path(folder) / table).rglob("*.parquet"))
        if files:
            pattern = f"{folder}/{table}/*.parquet" if table == "function_codes" else f"{folder}/{table}/*/*.parquet"
            counts[table] = db.execute(f"SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning=true)").fetchone()[0]
        else:
            counts[table] = 0
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 documents instead of 10,000")
    parser.add_argument("--documents", type=int, help="corpus size (overrides --quick)")
    parser.add_argument("--workers", type=int, default=2, help="Dask LocalCluster workers")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask build (dask_identical is null)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work here and keep the corpora, packages and cache")
    args = parser.parse_args(argv)
    n = args.documents or (1_000 if args.quick else 10_000)
    work = args.keep or Path(tempfile.mkdtemp(prefix="cnbudget-bench-build-"))
    figures = {"documents": n, "quick": args.quick, "python": platform.python_version(), "cpus": os.cpu_count(),
               "load_average_1m": round(os.getloadavg()[0], 2), "workers": args.workers}
    try:
        sources, cache = work / "sources", work / "cache"
        write_corpus(n, sources, args.seed)
        full = measured("build", "--sources", sources, "--out", work / "full", "--cache", cache)
        print(f"full build, {n} documents, cold cache: {full}")
        write_document(n + 1, sources, args.seed)
        incremental = measured("build", "--sources", sources, "--out", work / "incremental", "--cache", cache)
        print(f"one document added, from the cache: {incremental}")
        scratch = measured("build", "--sources", sources, "--out", work / "scratch", "--no-cache")
        print(f"{n + 1} documents from scratch, local pool: {scratch}")
        dask = None
        if not args.no_dask:
            dask = measured("build", "--sources", sources, "--out", work / "dask", "--no-cache", "--workers", args.workers)
            print(f"{n + 1} documents from scratch, Dask LocalCluster of {args.workers}: {dask}")
        release = measured("release", "--package", work / "scratch", "--out", work / "release")
        csvs = csv_counts(work / "scratch")
        parquet = parquet_counts(work / "release" / "parquet", sorted(csvs))
        print(f"cnbudget release: {release}; rows {parquet}")

        figures.update({
            "full_seconds": full["seconds"], "full_cpu_seconds": full["cpu_seconds"], "full_peak_mib": full["peak_mib"],
            "incremental_seconds": incremental["seconds"], "incremental_cpu_seconds": incremental["cpu_seconds"],
            "incremental_peak_mib": incremental["peak_mib"],
            "scratch_seconds": scratch["seconds"], "scratch_cpu_seconds": scratch["cpu_seconds"],
            "scratch_peak_mib": scratch["peak_mib"],
            "cache_mib": round(sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 2**20, 1),
            "release_seconds": release["seconds"], "release_peak_mib": release["peak_mib"],
            "parquet_mib": round(sum(p.stat().st_size for p in (work / "release").rglob("*.parquet")) / 2**20, 1),
            "csv_mib": round(sum(p.stat().st_size for p in (work / "scratch").glob("*.csv")) / 2**20, 1),
            "rows": csvs,
            "incremental_identical": same_package(work / "incremental", work / "scratch"),
            "dask_identical": None if dask is None else same_package(work / "dask", work / "scratch"),
            "parquet_rows_match": parquet == csvs,
        })
        if dask is not None:
            # Per worker from CPU time: on a shared machine wall time includes waiting for a core.
            cpu_per_document = dask["cpu_seconds"] / (n + 1)
            figures.update({
                "dask_seconds": dask["seconds"], "dask_cpu_seconds": dask["cpu_seconds"], "dask_peak_mib": dask["peak_mib"],
                "dask_overhead_ms_per_document": round((dask["seconds"] - scratch["seconds"]) * 1000 / (n + 1), 3),
                "dask_overhead_cpu_ms_per_document": round((dask["cpu_seconds"] - scratch["cpu_seconds"]) * 1000 / (n + 1), 3),
                "dask_documents_per_cpu_second": round(1 / cpu_per_document, 1),
                "million_documents_cpu_hours": round(cpu_per_document * 1_000_000 / 3600, 2),
            })
        figures["met"] = {
            "full_seconds": None if n < 10_000 else figures["full_seconds"] <= TARGET_FULL_S,
            "incremental_seconds": figures["incremental_seconds"] <= TARGET_INCREMENTAL_S,
            "peak_mib": max(full["peak_mib"], incremental["peak_mib"]) <= TARGET_PEAK_MIB,
        }
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
