"""Write the extracted records as a Frictionless data package, validate it, then swap it in.

`build_package(sources, out)` extracts every source that has a provenance sidecar, checks every row
against its schema, writes one CSV per resource plus `datapackage.json` into a temporary folder
beside `out`, has frictionless validate the descriptor and the rows (all of them in a small
package, a fixed sample in a large one), and only then replaces `out`. Output is byte-for-byte
reproducible: stable row and column order, LF endings, sorted JSON keys.

The unit of work is a series: one unit's documents of every year, extracted, checked and diffed
together (`build_series`), run in this process, on a local process pool, or on a Dask cluster
(`cnbudget.cluster`). A unit's 预算 and 决算 of one year are in its series too, compared line by line for
`budget_vs_actual` (`cnbudget.execution`). With a cache folder, each document's rows and each series'
changes and budget-vs-actual rows are kept
by content (`cnbudget.cache`), so a rebuild only extracts what changed. A failing document is
reported with its error and the build goes on, to report every failure before it fails.
"""

import csv
import hashlib
import io
import json
import math
import multiprocessing
import os
import shutil
from pathlib import Path

from cnbudget import execution, function_codes, swap
from cnbudget.cache import BuildCache, document_key, extractor_version, pack, series_key, unpack
from cnbudget.checks import check_extraction
from cnbudget.diff import package_changes
from cnbudget.errors import InputError
from cnbudget.extract import extract_file
from cnbudget.progress import Progress
from cnbudget.provenance import read_sidecar
from cnbudget.schema import SCHEMAS, TITLES, columns
from cnbudget.validate import MAX_ERRORS, KeyIndex, TableCheck, document_cells

RESOURCES = ["documents", "budget_lines", "stated_changes", "sections", "function_codes", "warnings",
             "findings", "changes", "budget_vs_actual"]
DOCUMENT_RESOURCES = ["documents", "budget_lines", "stated_changes", "sections", "warnings", "findings"]

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
    """Sources grouped by unit (from their sidecars), each series by kind, then in year order.

    A unit's consecutive years of one kind are compared for the `changes` table, and its 预算 and 决算
    of one year for `budget_vs_actual`, so a series is the unit of work: it is extracted, checked and
    diffed together, then written and forgotten. (Sorted by kind first, the documents come in the
    order they had when a series was one unit and one kind.)
    """
    series = {}
    for source, meta in sources:
        series.setdefault(meta.get("unit_name") or source.stem, []).append((source, meta))
    return [sorted(series[key], key=lambda s: (s[1].get("kind") or "", s[1].get("fiscal_year") or 0, s[0].name))
            for key in sorted(series)]


def function_code_rows(extra_codes):
    """The reference table plus codes first printed in documents, sorted by code."""
    rows = {code: dict(row, first_seen_in="reference") for code, row in function_codes.load_reference().items()}
    for row in extra_codes:
        rows.setdefault(row["code"], {**dict.fromkeys(columns("function_codes")), **row})
    for row in rows.values():  # a parent that nobody printed stays unknown rather than dangling
        if row["parent"] and row["parent"] not in rows:
            row["parent"] = None
    return [rows[code] for code in sorted(rows)]


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


def extract_source(source, meta, sources_dir):
    """Extract one source; the sidecar's sha256 must match the file."""
    result = extract_file(source, provenance=meta, source_file=source.relative_to(sources_dir).as_posix())
    if meta.get("sha256") and meta["sha256"] != result["document"]["sha256"]:
        raise InputError(source, f"sha256 {result['document']['sha256']} differs from the sidecar's "
                                 f"{meta['sha256']}; expected the file exactly as published")
    return result


# ---------------------------------------------------------------- work on one series (any process)

def csv_text(rows_of_cells):
    """CSV text of rows of cells: UTF-8, LF endings, quoted only where needed."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows_of_cells)
    return out.getvalue()


class LineSink:
    """A file for csv.writer that hands each written row's text to `write` (the C writer writes a row at once)."""

    def __init__(self, write):
        self.write = write


def checked_csv(resource, rows):
    """(CSV text of the rows, error lines): each row checked against the schema while it is written."""
    check = TableCheck(resource)
    cells = [check.cells(row) for row in rows]
    errors = [] if check.all_valid(cells) else [error for number, row in enumerate(cells, 1)
                                                for error in check.errors(row, number)]
    return csv_text(cells), errors[:MAX_ERRORS]


def document_entry(source, meta, sources_dir):
    """(extraction result, packed cache entry) of one document: its checked CSV bytes, codes and errors."""
    result = extract_source(source, meta, sources_dir)
    document_id = result["document"]["document_id"]
    tables = {name: result[name] for name in ("budget_lines", "stated_changes", "sections", "warnings")}
    tables = {"documents": [result["document"]], **tables, "findings": check_extraction(result)}
    cells, errors = document_cells(tables, document_id)
    fragments = [csv_text(cells[name]).encode() for name in DOCUMENT_RESOURCES]
    codes = [dict(row, first_seen_in=document_id) for row in result.get("function_codes", [])]
    used = sorted({line["function_code"] for line in result["budget_lines"] if line.get("function_code")})
    header = {"document_id": document_id, "sizes": [len(f) for f in fragments],
              "counts": [len(tables[name]) for name in DOCUMENT_RESOURCES],
              "function_codes": codes, "codes_used": used, "errors": [f"{document_id}: {e}" for e in errors]}
    return result, pack(header, b"".join(fragments))


def failure(source, error):
    """One line naming the document and what went wrong (an InputError already names its file and line)."""
    if isinstance(error, InputError):
        return str(error)
    return f"{source}: {type(error).__name__}: {error}"


def budget_vs_actual_rows(documents, tables):
    """`budget_vs_actual` rows of a unit's documents: each 决算 against one 预算 of its year (of its own
    level when there are two, 部门 with 部门), so that a 决算 line is compared once."""
    lines_of, changes_of = {}, {}
    for line in tables["budget_lines"]:
        lines_of.setdefault(line["document_id"], []).append(line)
    for change in tables["stated_changes"]:
        changes_of.setdefault(change["document_id"], []).append(change)
    chosen = {}
    for budget, final in execution.pairs(documents):
        if budget.get("fiscal_year") is None:
            continue
        same_level = (budget.get("kind") or "")[:2] == (final.get("kind") or "")[:2]
        best = chosen.get(final["document_id"])
        if best is None or (same_level and not best[0]):
            chosen[final["document_id"]] = (same_level, budget, final)
    rows = []
    for _, budget, final in sorted(chosen.values(), key=lambda c: c[2]["document_id"]):
        rows += execution.budget_vs_actual((budget, lines_of.get(budget["document_id"], []), []),
                                           (final, lines_of.get(final["document_id"], []),
                                            changes_of.get(final["document_id"], [])))
    return rows


def changes_entry(results):
    """Packed cache entry of a series' `changes` rows (CSV records without change_id, numbered when
    written) followed by its `budget_vs_actual` rows (CSV text)."""
    tables = {"documents": [result["document"] for result in results],
              **{name: [row for result in results for row in result[name]] for name in ("budget_lines", "stated_changes")}}
    rows = package_changes(tables)
    check = TableCheck("changes")
    ids = {document["document_id"] for document in tables["documents"]}
    cells_of = [check.cells(row) for row in rows]
    referenced = {row[name] for row in rows for name in ("old_document_id", "new_document_id") if row.get(name)}
    errors = []
    if not (check.all_valid(cells_of) and referenced <= ids):
        for number, (row, cells) in enumerate(zip(rows, cells_of), 1):
            errors += check.errors(cells, number)
            errors += [f"changes row {number}: {name} {row[name]!r} is not a document of its unit"
                       for name in ("old_document_id", "new_document_id") if row.get(name) and row[name] not in ids]
    lines = []
    csv.writer(LineSink(lines.append), lineterminator="\n").writerows(cells[1:] for cells in cells_of)  # a write() a row
    records = [line.encode() for line in lines]
    compared = budget_vs_actual_rows(tables["documents"], tables)
    compared_text, compared_errors = checked_csv("budget_vs_actual", compared)
    errors += compared_errors
    compared_bytes = compared_text.encode()
    header = {"sizes": [len(r) for r in records], "budget_vs_actual": [len(compared_bytes), len(compared)],
              "errors": errors[:MAX_ERRORS]}
    return pack(header, b"".join(records) + compared_bytes)


def build_series(job):
    """Extract, check and diff one series: {"version", "documents": [{"blob"} or {"error"}], "changes"}.

    Runs wherever the job is sent (this process, a pool worker, a Dask worker); never raises for a
    bad document, so the build can report all of them.
    """
    series, sources_dir = job
    sources_dir = Path(sources_dir)
    results, documents = [], []
    for source, meta in series:
        source = Path(source)
        try:
            result, blob = document_entry(source, meta, sources_dir)
        except Exception as error:  # reported with its document; the build fails after the last one
            documents.append({"error": failure(source, error)})
            continue
        results.append(result)
        documents.append({"blob": blob})
    changes = None
    if len(results) == len(series):
        try:
            changes = changes_entry(results)
        except Exception as error:
            documents.append({"error": failure(series[0][0], error)})
    return {"version": extractor_version(), "documents": documents, "changes": changes}


def build_many(jobs):
    """`build_series` of several jobs: one task of a cluster carries a few series."""
    return [build_series(job) for job in jobs]


# ---------------------------------------------------------------- the plan and the runners

def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def source_digests(source, meta):
    """sha256 of every file of a document: the source, or each file a sidecar's `files` lists beside it."""
    return [sha256_file(source.parent / name) for name in (meta.get("files") or [source.name])]


def plan_series(sources_dir, version, all_series=None):
    """Each series (found under `sources_dir` unless given) with its documents' cache keys and its
    changes key, in package order."""
    sources_dir = Path(sources_dir)
    plan = []
    for series in unit_series(find_sources(sources_dir)) if all_series is None else all_series:
        keys = [document_key(version, source_digests(source, meta), meta, source.relative_to(sources_dir).as_posix())
                for source, meta in series]
        plan.append({"series": series, "keys": keys, "changes_key": series_key(version, keys)})
    return plan


def warm_worker():
    """A pool worker's start: import extraction (unpickling this function does) and compute the version."""
    extractor_version()


def start_pool(processes):
    """A spawn pool whose workers import cnbudget as they start, before the first series reaches them."""
    return multiprocessing.get_context("spawn").Pool(processes, initializer=warm_worker)


def run_local(jobs, processes, pool=None):
    """Results of `build_series` in job order: on `pool`, here, or on a new pool when it is worth it."""
    if pool is not None:
        yield from pool.imap(build_series, jobs, chunksize=4)
        return
    if processes <= 1 or len(jobs) < PARALLEL_SERIES:
        yield from map(build_series, jobs)
        return
    with start_pool(processes) as pool:
        yield from pool.imap(build_series, jobs, chunksize=4)


class Tables:
    """The package's CSV files, open for appending bytes, with counts; function codes gathered for the end."""

    def __init__(self, folder):
        self.files = {name: open(folder / f"{name}.csv", "wb") for name in RESOURCES if name != "function_codes"}
        for name, file in self.files.items():
            file.write(csv_text([columns(name)]).encode())
        self.counts = dict.fromkeys(self.files, 0)
        self.extra_codes = []
        self.change_id = 0

    def add_document(self, header, body):
        start = 0
        for name, size, count in zip(DOCUMENT_RESOURCES, header["sizes"], header["counts"]):
            self.files[name].write(body[start:start + size])
            self.counts[name] += count
            start += size
        self.extra_codes.extend(header["function_codes"])

    def add_changes(self, header, body):
        parts, start = [], 0
        for size in header["sizes"]:
            self.change_id += 1
            parts += [b"%d," % self.change_id, body[start:start + size]]
            start += size
        self.files["changes"].write(b"".join(parts))
        self.counts["changes"] += len(header["sizes"])
        size, count = header["budget_vs_actual"]
        self.files["budget_vs_actual"].write(body[start:start + size])
        self.counts["budget_vs_actual"] += count

    def close(self):
        for file in self.files.values():
            file.close()


def write_series(plan, results, tables, cache, keys, sample=None, progress=None):
    """Append every series' rows in plan order (from the cache or from `results`); failures and errors."""
    failures, errors = [], []
    version = cache.version
    for step in plan:
        changes = cache.get(step["changes_key"])
        blobs = [cache.get(key) for key in step["keys"]] if changes is not None else [None]
        cached = all(blob is not None for blob in blobs)
        if not cached:
            built = next(results)
            if built["version"] != version:
                raise PackageError(step["series"][0][0], f"a worker runs extractor {built['version']}, this "
                                   f"build {version}: install the same cnbudget on every worker")
            blobs = [document.get("blob") for document in built["documents"]]
            failures += [document["error"] for document in built["documents"] if "error" in document]
            changes = built["changes"]
            for key, blob in zip(step["keys"], blobs):
                if blob is not None:
                    cache.put(key, blob)
            if changes is not None:
                cache.put(step["changes_key"], changes)
        entries = [unpack(blob) for blob in blobs if blob is not None]
        for header, body in entries:
            keys.add_document(header["document_id"], header["codes_used"])
            errors += header["errors"]
            tables.add_document(header, body)
            if sample is not None and step.get("sampled"):
                sample.add_document(header, body)
        if changes is not None:
            header, body = unpack(changes)
            errors += header["errors"]
            tables.add_changes(header, body)
            if sample is not None and step.get("sampled"):
                sample.add_changes(header, body)
        if progress:
            progress.advance(len(step["keys"]), failed=len(step["keys"]) - len(entries),
                             skipped=len(step["keys"]) if cached else 0)
    return failures, errors


def write_function_codes(folder, extra_codes, keys):
    """function_codes.csv (reference + printed codes); error lines of its rows and of code references."""
    codes = function_code_rows(extra_codes)
    text, errors = checked_csv("function_codes", codes)
    with open(folder / "function_codes.csv", "w", encoding="utf-8", newline="") as f:
        f.write(csv_text([columns("function_codes")]) + text)
    return len(codes), errors + keys.check_function_codes(codes)


# ---------------------------------------------------------------- frictionless: what it must validate

# Up to this many documents frictionless validates every row; above, the rows of a fixed sample of
# series (every k-th, about SAMPLE_DOCUMENTS documents) written as a package of their own.
FULL_VALIDATION_DOCUMENTS = 100
SAMPLE_DOCUMENTS = 30


def mark_sample(plan):
    """Mark every k-th series for the frictionless sample; True when the package is sampled at all."""
    documents = sum(len(step["keys"]) for step in plan)
    if documents <= FULL_VALIDATION_DOCUMENTS:
        return False
    stride = max(1, math.ceil(documents / SAMPLE_DOCUMENTS))
    for index, step in enumerate(plan):
        step["sampled"] = index % stride == 0
    return True


def _validate_resources(args):
    """Frictionless validation of some resources of a written package; error lines.

    Imported here: the build's workers never validate, and frictionless takes ~0.5 s to import.
    All resources are validated by one `Package.validate()`: each call validates the whole
    descriptor again (~0.13 s), so one call per resource cost nine times that.
    """
    from frictionless import FrictionlessException, Package

    path, names = args
    try:
        package = Package(path)  # validates the descriptor itself
    except FrictionlessException as error:
        return [f"datapackage.json: {error}"]
    reports = [package.validate()] if list(names) == RESOURCES else [package.validate(name=name) for name in names]
    errors = []
    for report in reports:
        for task in report.tasks:
            errors += [f"{task.name}: {error.message}" for error in task.errors][:20]
        errors += [error.message for error in report.errors][:20]
    return errors


def import_frictionless():
    import frictionless  # noqa: F401


def start_validator():
    """A process that imports frictionless (~0.5 s) while the build writes, then validates the sample."""
    return multiprocessing.get_context("spawn").Pool(1, initializer=import_frictionless)


def validate_package(folder, jobs=1, validator=None):
    """Frictionless validation of a written package (descriptor, schemas, primary and foreign keys); error lines.

    On `validator` (`start_validator()`) when given; else with jobs > 1 the resources are shared out
    over processes, the largest table alone in one.
    """
    path = str(folder / "datapackage.json")
    if validator is not None:
        return validator.apply(_validate_resources, ((path, RESOURCES),))
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


# ---------------------------------------------------------------- the build

def build_package(sources_dir, package_dir, jobs=None, cache_dir=None, runner=None, progress=None):
    """Extract, check, write to a temp folder, validate, then replace `package_dir`; returns row counts.

    `cache_dir` keeps each document's rows between builds; `runner(jobs)` yields `build_series`
    results in job order (default: this process or a local pool of `jobs` processes; see
    `cnbudget.cluster` for Dask). Every failing document is reported before the build fails.
    """
    package_dir = Path(package_dir)
    jobs = default_jobs() if jobs is None else jobs
    cache = BuildCache(cache_dir)
    temp = swap.temp_dir(package_dir)  # beside the target; leftovers of killed builds removed first
    pool = validator = None
    try:
        all_series = unit_series(find_sources(sources_dir))
        if runner is None and jobs > 1 and len(all_series) >= PARALLEL_SERIES and cache.is_empty():
            pool = start_pool(jobs)  # every series is built: the workers start while the sources are hashed
        plan = plan_series(sources_dir, cache.version, all_series)
        sampled = mark_sample(plan)
        if sampled:
            validator = start_validator()
        work = [(step["series"], Path(sources_dir)) for step in plan
                if not (cache.has(step["changes_key"]) and all(map(cache.has, step["keys"])))]
        results = iter((runner or (lambda jobs_: run_local(jobs_, jobs, pool)))(work))
        progress = progress or Progress(sum(len(step["keys"]) for step in plan), "build")
        keys, tables, sample = KeyIndex(), Tables(temp), None
        if sampled:
            (temp / "sample").mkdir()
            sample = Tables(temp / "sample")
        try:
            failures, errors = write_series(plan, results, tables, cache, keys, sample, progress)
        finally:
            if pool is not None:
                pool.terminate()  # every result is in: the workers' memory is freed before validation
            tables.close()
            if sample:
                sample.close()
            progress.close()
            cache.close()  # what was extracted is kept, even when the build fails below
        if failures:
            raise PackageError(sources_dir, f"{len(failures)} of {progress.total} documents failed, "
                               "the previous package is kept: " + "; ".join(failures))
        counts = dict(tables.counts)
        flushing = swap.fsync_in_background([temp / f"{name}.csv" for name in tables.files])
        counts["function_codes"], code_errors = write_function_codes(temp, tables.extra_codes, keys)
        errors += code_errors
        write_descriptor(temp)
        if sample:
            shutil.copy(temp / "function_codes.csv", temp / "sample")
            write_descriptor(temp / "sample")
        if not errors:
            errors = validate_package(temp / "sample" if sample else temp, jobs, validator)
        if errors:
            raise PackageError(temp / "datapackage.json", "the built package is not valid, the previous one "
                               "is kept: " + "; ".join(errors[:50]))
        if sample:
            shutil.rmtree(temp / "sample")
        flushing.join()
        swap.swap_dir(temp, package_dir)  # fsynced, then exchanged: never a moment without a package
    finally:
        for process_pool in (pool, validator):
            if process_pool is not None:
                process_pool.terminate()
        cache.close()
        swap.remove(temp)  # the failed build, or the previous package after the exchange
    return {name: counts[name] for name in RESOURCES}

