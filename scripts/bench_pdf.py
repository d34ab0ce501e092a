#!/usr/bin/env python3
"""Benchmark reading disclosures: per document, the standard tables found, the cells read, and the
wall time of `cnbudget extract` (process start included) — and, with --libraries, the PDF text
libraries against each other.

    python scripts/bench_pdf.py [--quick] [--rounds N] [--dev DIR]   # per document (default)
    python scripts/bench_pdf.py --libraries [--quick] [--pdf-dir DIR]

Documents: the three Shanghai PDFs of ../shared/sources/dev/ and every disclosure of
../shared/sources/dev/national/ (the Beijing 附件1 + 附件2 read together, as one disclosure).
Each is extracted `--rounds` times in a fresh `cnbudget extract` process; the report gives the
median wall seconds (and the best run's: the one least slowed by other work on the machine) and the
median CPU seconds of the process and its children (pdftotext), the
template, the tables found (per kind) and the table cells read. Target of issue 12: <= 0.2 s median
wall per document (issue 8's was 0.3 s). Wall time moves with the machine's load (printed before
and after): CPU time is the steadier figure.

Libraries (issue 5): for each PDF and method, a fresh Python process reads the whole PDF and
reports its wall time and peak memory. Methods: `pdftotext -layout` (the one cnbudget uses),
`cnbudget extract_file`, `pypdfium2`, `pdfplumber` (and, without --quick, `extract_tables()`).
Last line of either mode: one JSON object.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "sources" / "dev"
TARGET_S = 1.0
TARGET_EXTRACT_S = 0.2
CNBUDGET = ROOT / ".venv" / "bin" / "cnbudget"

CHILD = r"""
import json, re, resource, subprocess, sys, time
method, path = sys.argv[1], sys.argv[2]
ROW = re.compile(r"^\s*\d{3}(?:\s+\d{2}){0,2}\s+\S+.*?\d{1,3}(?:,\d{3})+")
start = time.perf_counter()
pages, text = 0, ""
if method == "pdftotext":
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    pages = text.count("\f")
elif method == "cnbudget":
    sys.path.insert(0, sys.argv[3])
    from cnbudget.extract import extract_file
    result = extract_file(path)
    pages = max(line["page"] or 0 for line in result["budget_lines"])
    text = ""
elif method == "pypdfium2":
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(path)
    parts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    pages, text = len(parts), "\n".join(parts)
elif method.startswith("pdfplumber"):
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        parts = []
        for page in pdf.pages:
            parts.append(page.extract_text() or "")
            if method == "pdfplumber+tables":
                page.extract_tables()
        pages, text = len(pdf.pages), "\n".join(parts)
wall = time.perf_counter() - start
rows = None if method == "cnbudget" else sum(1 for line in text.replace("\r", "\n").split("\n") if ROW.match(line))
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall_s": wall, "pages": pages, "peak_mib": max(own, kids) / 1024, "table_rows": rows}))
"""


def run_one(method, pdf):
    """One measurement in a fresh process: (wall seconds, pages, peak MiB, whole table rows)."""
    done = subprocess.run([sys.executable, "-c", CHILD, method, str(pdf), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def available(method):
    """Whether a candidate library is installed (`pip install -e '.[bench]'`)."""
    module = {"pypdfium2": "pypdfium2", "pdfplumber": "pdfplumber", "pdfplumber+tables": "pdfplumber"}.get(method)
    if module is None:
        return True
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


def libraries(args):
    """Issue 5's comparison of PDF text libraries on the Shanghai PDFs."""
    pdfs = sorted(args.pdf_dir.glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs in {args.pdf_dir}")
    rounds = 1 if args.quick else 3
    methods = ["pdftotext", "cnbudget", "pypdfium2", "pdfplumber"] + ([] if args.quick else ["pdfplumber+tables"])
    methods = [m for m in methods if available(m)]
    print(f"{len(pdfs)} PDFs from {args.pdf_dir}, {rounds} round(s); {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print(f"{'method':<18} {'median s/PDF':>12} {'pages/s':>9} {'peak MiB':>9} {'whole table rows':>17}")
    summary = {}
    for method in methods:
        times, pages, peaks, rows = [], 0, [], []
        for pdf in pdfs:
            runs = [run_one(method, pdf) for _ in range(rounds)]
            if any("error" in r for r in runs):
                summary[method] = {"error": next(r["error"] for r in runs if "error" in r)}
                break
            best = min(runs, key=lambda r: r["wall_s"])
            times.append(statistics.median(r["wall_s"] for r in runs))
            pages += best["pages"]
            peaks.append(max(r["peak_mib"] for r in runs))
            rows.append(best["table_rows"])
        else:
            median = statistics.median(times)
            summary[method] = {
                "median_s_per_pdf": round(median, 4), "pages_per_s": round(pages / sum(times), 1),
                "peak_mib": round(max(peaks), 1), "table_rows_whole": rows, "pages": pages,
            }
            print(f"{method:<18} {median:>12.3f} {pages / sum(times):>9.1f} {max(peaks):>9.1f} "
                  f"{' '.join(map(str, rows)) if method != 'cnbudget' else '-':>17}")
            continue
        print(f"{method:<18} error: {summary[method]['error']}")
    chosen = summary.get("pdftotext", {})
    whole = summary.get("cnbudget", {})
    summary_line = {
        "bench": "pdf", "quick": args.quick, "pdfs": len(pdfs), "rounds": rounds, "methods": summary,
        "chosen": "pdftotext", "target_s_per_pdf": TARGET_S,
        "meets_target": bool(whole) and whole.get("median_s_per_pdf", 99) <= TARGET_S,
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work on the machine inflates every time
    }
    print(json.dumps(summary_line, ensure_ascii=False, sort_keys=True))
    return 0 if chosen else 1


def dev_documents(dev):
    """[(name, [files])]: the Shanghai PDFs, then every national disclosure (multi-file ones together)."""
    out = [(p.name, [p]) for p in sorted(dev.glob("*.pdf"))]
    national = sorted(p for p in (dev / "national").glob("*") if p.suffix in (".pdf", ".html", ".txt"))
    parts = {}
    for path in national:
        stem = path.stem.split("-1-")[0].split("-2-")[0] if ("-1-" in path.stem or "-2-" in path.stem) else path.stem
        parts.setdefault(stem, []).append(path)
    out += [(files[0].name if len(files) == 1 else f"{stem} ({len(files)} files)", files) for stem, files in parts.items()]
    return out


def run_extract(files):
    """(wall seconds, CPU seconds of the process and its children, parsed output or None)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(CNBUDGET), "extract", *map(str, files)], capture_output=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(done.stdout) if done.returncode == 0 else None


def tables_found(files):
    """Counter of table kinds found by the reader in these files, read in process."""
    sys.path.insert(0, str(ROOT))
    from cnbudget.reading import read_lines
    from cnbudget.table_reader import read_tables

    class Collector:
        fiscal_year = None

        def warn(self, *args):
            pass

        def add_line(self, *args, **kwargs):
            pass

    kinds = Counter()
    for path in files:
        lines, _ = read_lines(path, path.read_bytes())
        Collector.fiscal_year = int(path.name[:4]) if path.name[:4].isdigit() else None
        kinds.update(table.kind.key for table in read_tables(Collector(), lines))
    return kinds


def documents(args):
    """Per document: template, tables found per kind, cells read, median wall and CPU seconds."""
    docs = dev_documents(args.dev)
    load_before = os.getloadavg()[0]
    if not docs:
        sys.exit(f"no documents in {args.dev}")
    print(f"{len(docs)} documents from {args.dev}, {args.rounds} runs each; {platform.python_version()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print(f"{'document':<48} {'template':<10} {'tables':>6} {'cells':>6} {'wall s':>7} {'best s':>6} {'cpu s':>6}  kinds")
    rows = []
    for name, files in docs:
        runs = [run_extract(files) for _ in range(args.rounds)]
        result = next((r[2] for r in runs if r[2] is not None), None)
        lines = result["budget_lines"] if result else []
        cells = sum(1 for line in lines if line["table_name"])
        kinds = tables_found(files)
        row = {"document": name, "template": result["document"]["template"] if result else "error",
               "tables": sum(kinds.values()), "kinds": dict(sorted(kinds.items())), "cells": cells,
               "wall_s": round(statistics.median(r[0] for r in runs), 3), "wall_min_s": round(min(r[0] for r in runs), 3),
               "cpu_s": round(statistics.median(r[1] for r in runs), 3)}
        rows.append(row)
        print(f"{name[:48]:<48} {row['template']:<10} {row['tables']:>6} {cells:>6} {row['wall_s']:>7.3f} "
              f"{row['wall_min_s']:>6.3f} {row['cpu_s']:>6.3f}  {' '.join(f'{k}:{v}' for k, v in row['kinds'].items())}")
    median_wall = statistics.median(r["wall_s"] for r in rows)
    median_cpu = statistics.median(r["cpu_s"] for r in rows)
    median_best = statistics.median(r["wall_min_s"] for r in rows)  # the run least slowed by other work
    print(f"median per document: {median_wall:.3f} s wall (best run {median_best:.3f} s), {median_cpu:.3f} s CPU (target {TARGET_EXTRACT_S} s; "
          f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    print(json.dumps({"bench": "pdf-documents", "documents": rows, "median_wall_s": median_wall,
                      "median_cpu_s": median_cpu, "median_best_wall_s": median_best, "target_s": TARGET_EXTRACT_S,
                      "meets_target_wall": median_wall <= TARGET_EXTRACT_S,
                      "load_average_1m_before": round(load_before, 2),
                      "load_average_1m": round(os.getloadavg()[0], 2)}, ensure_ascii=False, sort_keys=True))
    return 0 if all(r["template"] != "error" for r in rows) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--libraries", action="store_true", help="compare PDF text libraries (issue 5)")
    parser.add_argument("--quick", action="store_true", help="libraries: one round, no pdfplumber table pass")
    parser.add_argument("--pdf-dir", type=Path, default=DEV, help="libraries: the PDFs to read")
    parser.add_argument("--dev", type=Path, default=DEV, help="documents: the dev folder (with national/)")
    parser.add_argument("--rounds", type=int, default=5, help="documents: extract runs per document")
    args = parser.parse_args()
    if args.quick:
        args.rounds = min(args.rounds, 3)
    return libraries(args) if args.libraries else documents(args)


if __name__ == "__main__":
    sys.exit(main())
