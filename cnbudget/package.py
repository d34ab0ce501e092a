"""Write the extracted records as a Frictionless data package, validate it, then swap it in.

`build_package(sources, out)` extracts every source that has a provenance sidecar, writes one
CSV per resource plus `datapackage.json` into a temporary folder beside `out`, validates it with
frictionless (schemas, primary and foreign keys), and only then replaces `out`. Output is
byte-for-byte reproducible: stable row and column order, LF endings, sorted JSON keys.
"""

import csv
import json
import multiprocessing
import os
from pathlib import Path

from frictionless import Package

from cnbudget import function_codes, swap
from cnbudget.checks import check_extraction
from cnbudget.diff import package_changes
from cnbudget.errors import InputError
from cnbudget.extract import extract_file
from cnbudget.provenance import read_sidecar
from cnbudget.schema import SCHEMAS, TITLES, columns

RESOURCES = ["documents", "budget_lines", "stated_changes", "sections", "function_codes", "warnings",
             "findings", "changes"]

PACKAGE_META = {
    "profile": "tabular-data-package",
    "name": "cnbudget",
    "title": "中国部门预算公开数据（cnbudget）",
    "description": (
        "从政府部门预算（决算）公开文件中逐条抽取的数额，每个数额附原文句子和行号。"
        "金额单位：元（整数）；原文以万元（1万元 = 10,000元）印出的数额按原文换算，不做更正。"
        "原文自身的计算错误不在此更正，而在 findings 中另行列出。"
    ),
    "licenses": [{
        "name": "ODC-PDDL-1.0",
        "path": "https://opendatacommons.org/licenses/pddl/1-0/",
        "title": "Open Data Commons Public Domain Dedication and License v1.0 (the compilation); "
                 "source documents are official government information (政府信息公开)",
    }],
    "keywords": ["部门预算", "预算公开", "fiscal", "budget", "China"],
}


class PackageError(InputError):
    """A built package that failed validation: nothing was replaced."""


def find_sources(sources_dir):
    """Source files that have a provenance sidecar, in path order."""
    found = []
    for sidecar in sorted(Path(sources_dir).rglob("*.provenance.json")):
        meta = read_sidecar(sidecar)
        names = meta.get("files") or [meta.get("file")]  # `files`: one disclosure published as several files
        for name in names:
            if not name or not (sidecar.parent / name).exists():
                raise InputError(sidecar, f"the sidecar names '{name}', which is not beside it; expected "
                                          "`file` (or `files`) naming the source files beside it", line=1)
        found.append((sidecar.parent / names[0], meta))
    return found


# Below these sizes a second process costs more to start than it saves.
PARALLEL_SERIES = 8
PARALLEL_BYTES = 20_000_000


def unit_series(sources):
    """Sources grouped by unit and kind (from their sidecars), each series in year order.

    A unit's consecutive years are compared for the `changes` table, so a series is the unit
    of work: it is extracted, checked and diffed together, then written and forgotten.
    """
    series = {}
    for source, meta in sources:
        key = (meta.get("unit_name") or source.stem, meta.get("kind") or "")
        series.setdefault(key, []).append((source, meta))
    return [sorted(series[key], key=lambda s: (s[1].get("fiscal_year") or 0, s[0].name)) for key in sorted(series)]


def extract_source(source, meta, sources_dir):
    """Extract one source; the sidecar's sha256 must match the file."""
    result = extract_file(source, provenance=meta, source_file=source.relative_to(sources_dir).as_posix())
    if meta.get("sha256") and meta["sha256"] != result["document"]["sha256"]:
        raise InputError(source, f"sha256 {result['document']['sha256']} differs from the sidecar's "
                                 f"{meta['sha256']}; expected the file exactly as published")
    return result


def extract_series(series, sources_dir):
    """Rows of every resource for one unit's documents: figures, findings and year-over-year changes."""
    tables = {name: [] for name in RESOURCES}
    for source, meta in series:
        result = extract_source(source, meta, sources_dir)
        tables["documents"].append(result["document"])
        for name in ("budget_lines", "stated_changes", "sections", "warnings"):
            tables[name].extend(result[name])
        tables["findings"].extend(check_extraction(result))
        tables["function_codes"].extend(dict(row, first_seen_in=result["document"]["document_id"])
                                        for row in result.get("function_codes", []))
    tables["changes"] = package_changes(tables)
    return tables


def _extract_series(args):
    return extract_series(*args)


def extracted_series(sources_dir, jobs=1):
    """Yield each series' tables in a stable order; with jobs > 1 the series are extracted in parallel."""
    sources_dir = Path(sources_dir)
    work = [(series, sources_dir) for series in unit_series(find_sources(sources_dir))]
    if jobs <= 1 or len(work) < PARALLEL_SERIES:
        yield from map(_extract_series, work)
        return
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap(_extract_series, work, chunksize=4)


def function_code_rows(extra_codes):
    """The reference table plus codes first printed in documents, sorted by code."""
    rows = {code: dict(row, first_seen_in="reference") for code, row in function_codes.load_reference().items()}
    for row in extra_codes:
        rows.setdefault(row["code"], {**dict.fromkeys(columns("function_codes")), **row})
    for row in rows.values():  # a parent that nobody printed stays unknown rather than dangling
        if row["parent"] and row["parent"] not in rows:
            row["parent"] = None
    return [rows[code] for code in sorted(rows)]


class CsvWriter:
    """One resource as UTF-8 CSV with LF endings, columns in schema order, None as empty."""

    def __init__(self, path, resource):
        self.names = columns(resource)
        self.file = open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow(self.names)
        self.count = 0

    def write(self, rows):
        names = self.names
        self.writer.writerows(["" if row.get(n) is None else row[n] for n in names] for row in rows)
        self.count += len(rows)

    def close(self):
        self.file.close()


def write_csv(path, resource, rows):
    """Write one whole resource."""
    writer = CsvWriter(path, resource)
    writer.write(rows)
    writer.close()


def descriptor():
    """datapackage.json: package metadata and one resource per table."""
    resources = []
    for name in RESOURCES:
        title, description = TITLES[name]
        resources.append({
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
            "title": title, "description": description, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "schema": SCHEMAS[name],
        })
    return {**PACKAGE_META, "resources": resources}


def write_descriptor(folder):
    text = json.dumps(descriptor(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (folder / "datapackage.json").write_text(text, encoding="utf-8")


def stream_package(sources_dir, folder, jobs=1):
    """Extract series by series and append their rows to the CSVs; returns row counts."""
    writers = {name: CsvWriter(folder / f"{name}.csv", name) for name in RESOURCES if name != "function_codes"}
    extra_codes, change_id = [], 0
    try:
        for part in extracted_series(sources_dir, jobs):
            for row in part["changes"]:
                change_id += 1
                row["change_id"] = change_id
            for name, writer in writers.items():
                writer.write(part[name])
            extra_codes.extend(part["function_codes"])
    finally:
        for writer in writers.values():
            writer.close()
    codes = function_code_rows(extra_codes)
    write_csv(folder / "function_codes.csv", "function_codes", codes)
    write_descriptor(folder)
    return {**{name: writer.count for name, writer in writers.items()}, "function_codes": len(codes)}


def _validate_resources(args):
    """Frictionless validation of some resources of a written package; error lines."""
    path, names = args
    package = Package(path)
    errors = []
    for name in names:
        report = package.validate(name=name)
        errors += [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors][:20]
        errors += [error.message for error in report.errors][:20]
    return errors


def validate_package(folder, jobs=1):
    """Frictionless validation of the written package (schemas, primary and foreign keys); error lines.

    With jobs > 1 the resources are shared out over processes, the largest table alone in one.
    """
    path = str(folder / "datapackage.json")
    size = sum((folder / f"{name}.csv").stat().st_size for name in RESOURCES)
    if jobs <= 1 or size < PARALLEL_BYTES:
        return _validate_resources((path, RESOURCES))
    largest = max(RESOURCES, key=lambda name: (folder / f"{name}.csv").stat().st_size)
    groups = [(path, [largest]), (path, [name for name in RESOURCES if name != largest])]
    with multiprocessing.get_context("spawn").Pool(min(jobs, 2)) as pool:
        return [error for errors in pool.map(_validate_resources, groups) for error in errors]


def default_jobs():
    """Worker processes for a build: one per core, at most two (the machine this runs on has two)."""
    return max(1, min(2, os.cpu_count() or 1))


def build_package(sources_dir, package_dir, jobs=None):
    """Extract, write to a temp folder, validate, then replace `package_dir`; returns row counts."""
    package_dir = Path(package_dir)
    jobs = default_jobs() if jobs is None else jobs
    temp = swap.temp_dir(package_dir)  # beside the target; leftovers of killed builds removed first
    try:
        counts = stream_package(sources_dir, temp, jobs)
        errors = validate_package(temp, jobs)
        if errors:
            raise PackageError(temp / "datapackage.json", "the built package is not valid, the previous one "
                               "is kept:\n  " + "\n  ".join(errors))
        swap.swap_dir(temp, package_dir)  # fsynced, then exchanged: never a moment without a package
    finally:
        swap.remove(temp)  # the failed build, or the previous package after the exchange
    return {name: counts[name] for name in RESOURCES}

