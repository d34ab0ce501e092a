#!/usr/bin/env python3
"""Simulate serving a national corpus: one SQLite database per fiscal year vs one for all years; last line JSON.

    python scripts/bench_national_serving.py PACKAGE [--keep DIR]

Splits a built package (a synthetic one: scripts/make_synthetic.py + cnbudget build) into one
package per fiscal year, loads each with `cnbudget.load.load_package` and the whole package too,
then measures per document: database bytes and load seconds; and per query (median of repeated
runs, SQLite as Datasette runs it): a document's lines by index, a year's totals by statement
(a full scan), a trigram full-text search of the sections, and a two-year comparison across
attached per-year databases (what Datasette's --crossdb does). The README extrapolates these to
1,000,000 documents a year.
"""

import argparse
import csv
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnbudget.load import load_package  # noqa: E402

csv.field_size_limit(1 << 30)

QUERIES = {
    "document_lines": "SELECT * FROM budget_lines WHERE document_id = :doc ORDER BY line_id",
    "year_totals": "SELECT statement, sum(amount_fen), count(*) FROM budget_lines GROUP BY statement",
    "search": "SELECT count(*) FROM budget_lines_fts WHERE budget_lines_fts MATCH '机关运行经费'",
    "search_page": ("SELECT b.* FROM budget_lines b JOIN budget_lines_fts f ON f.rowid = b.rowid "
                    "WHERE budget_lines_fts MATCH '机关运行经费' LIMIT 50"),
}
CROSS = ("SELECT n.item, o.amount_fen, n.amount_fen FROM y{new}.budget_lines n JOIN y{old}.budget_lines o "
         "ON o.document_id = :old_doc AND o.statement = n.statement AND o.item = n.item "
         "WHERE n.document_id = :new_doc")


def split_by_year(package, out):
    """One package folder per fiscal year: {year: folder}."""
    with open(package / "documents.csv", encoding="utf-8", newline="") as f:
        year_of = {row["document_id"]: row["fiscal_year"] for row in csv.DictReader(f)}
    years = sorted(set(year_of.values()))
    folders = {year: out / f"package-{year}" for year in years}
    for folder in folders.values():
        folder.mkdir(parents=True)
        shutil.copy(package / "datapackage.json", folder)
        shutil.copy(package / "function_codes.csv", folder)
    for path in package.glob("*.csv"):
        if path.name == "function_codes.csv":
            continue
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            writers, files = {}, []
            for year, folder in folders.items():
                handle = open(folder / path.name, "w", encoding="utf-8", newline="")
                files.append(handle)
                writers[year] = csv.writer(handle, lineterminator="\n")
                writers[year].writerow(header)
            doc_column = header.index("document_id") if "document_id" in header else header.index("new_document_id")
            old_column = header.index("old_document_id") if "old_document_id" in header else None
            for row in reader:
                doc = row[doc_column] or row[old_column]
                writers[year_of[doc]].writerow(row)
            for handle in files:
                handle.close()
    return folders


def timed(db, sql, params, runs=5):
    """Median milliseconds of a query (which must return rows)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = db.execute(sql, params).fetchall()
        assert rows and rows != [(0,)], sql
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="cnbudget-serving-"))
    figures = {}
    try:
        folders = split_by_year(args.package, work)
        with open(args.package / "documents.csv", encoding="utf-8", newline="") as f:
            documents = list(csv.DictReader(f))
        start = time.perf_counter()
        load_package(args.package, work / "all.db")
        all_seconds = time.perf_counter() - start
        years = {}
        for year, folder in folders.items():
            start = time.perf_counter()
            load_package(folder, work / f"{year}.db")
            years[year] = {"load_seconds": round(time.perf_counter() - start, 2),
                           "mib": round((work / f"{year}.db").stat().st_size / 2**20, 1),
                           "documents": sum(d["fiscal_year"] == year for d in documents)}
        first, last = min(years), max(years)
        doc_new = next(d for d in documents if d["fiscal_year"] == last)
        doc_old = next(d for d in documents if d["fiscal_year"] == str(int(last) - 1) and d["unit_name"] == doc_new["unit_name"])
        one = sqlite3.connect(f"file:{work / (last + '.db')}?mode=ro", uri=True)
        whole = sqlite3.connect(f"file:{work / 'all.db'}?mode=ro", uri=True)
        params = {"doc": doc_new["document_id"]}
        figures["query_ms_one_year"] = {name: timed(one, sql, params) for name, sql in QUERIES.items()}
        figures["query_ms_all_years"] = {name: timed(whole, sql, params) for name, sql in QUERIES.items()}
        cross = sqlite3.connect(":memory:")
        for year in years:
            cross.execute(f"ATTACH 'file:{work / (year + '.db')}?mode=ro' AS y{year}")
        figures["query_ms_crossdb_two_years"] = timed(cross, CROSS.format(new=last, old=int(last) - 1),
                                                       {"old_doc": doc_old["document_id"], "new_doc": doc_new["document_id"]})
        total_docs = len(documents)
        all_mib = (work / "all.db").stat().st_size / 2**20
        figures.update({
            "documents": total_docs, "years": years, "all_years_mib": round(all_mib, 1),
            "all_years_load_seconds": round(all_seconds, 2),
            "db_kib_per_document": round(all_mib * 1024 / total_docs, 1),
            "load_ms_per_document": round(all_seconds * 1000 / total_docs, 2),
            "package_mib": round(sum(p.stat().st_size for p in args.package.glob("*.csv")) / 2**20, 1),
        })
        one_year_scan = figures["query_ms_one_year"]["year_totals"] / years[last]["documents"]
        figures["million_documents_year"] = {
            "db_gib": round(figures["db_kib_per_document"] * 1_000_000 / 2**20, 1),
            "load_hours_one_process": round(figures["load_ms_per_document"] * 1_000_000 / 3.6e6, 2),
            "year_totals_scan_seconds": round(one_year_scan * 1_000_000 / 1000, 1),
        }
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
