#!/usr/bin/env python3
"""Benchmark PDF text extraction: the chosen library against the candidates, same PDFs, same run.

    python scripts/bench_pdf.py [--quick] [--pdf-dir DIR]

For each PDF of ../shared/sources/dev/ (the three real Shanghai disclosures) and each method, a
fresh Python process reads the whole PDF and reports its wall time and peak memory (max RSS of the
process and its children, so `pdftotext` counts). Methods:

- `pdftotext -layout` (poppler-utils, called with subprocess) — the one cnbudget uses;
- `cnbudget extract_file` — the whole extraction (pdftotext + narrative + nine tables);
- `pypdfium2` `get_text_range()` per page;
- `pdfplumber` `extract_text()` per page (and, without --quick, `extract_tables()`).

Quality proxy, same for every text method: table rows kept whole (a line holding a function
code *and* an amount, e.g. '201   05   07   专项普查活动   601,300   601,300').
Target of issue 5: <= 1 s median per 35-page PDF for the chosen method. Last line: one JSON object.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "sources" / "dev"
TARGET_S = 1.0

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, no pdfplumber table pass")
    parser.add_argument("--pdf-dir", type=Path, default=DEV)
    args = parser.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
