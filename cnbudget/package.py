"""Write the extracted records as a Frictionless data package, validate it, then swap it in.

`build_package(sources, out)` extracts every source that has a provenance sidecar, writes one
CSV per resource plus `datapackage.json` into a temporary folder beside `out`, validates it with
frictionless (schemas, primary and foreign keys), and only then replaces `out`. Output is
byte-for-byte reproducible: stable row and column order, LF endings, sorted JSON keys.
"""

import csv
import json
import shutil
import tempfile
from pathlib import Path

from frictionless import Package

from cnbudget import function_codes
from cnbudget.checks import check_extraction
from cnbudget.diff import package_changes
from cnbudget.errors import InputError
from cnbudget.extract import extract_file
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
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        source = sidecar.parent / meta["file"]
        if not source.exists():
            raise InputError(sidecar, f"the sidecar names '{meta['file']}', which is not beside it", line=1)
        found.append((source, meta))
    return found


def extract_sources(sources_dir):
    """Extract every source; the sidecar's sha256 must match the file."""
    sources_dir = Path(sources_dir)
    tables = {name: [] for name in RESOURCES}
    extra_codes = []
    for source, meta in find_sources(sources_dir):
        result = extract_file(source, provenance=meta, source_file=source.relative_to(sources_dir).as_posix())
        if meta.get("sha256") and meta["sha256"] != result["document"]["sha256"]:
            raise InputError(source, f"sha256 {result['document']['sha256']} differs from the sidecar's "
                                     f"{meta['sha256']}; expected the file exactly as published")
        tables["documents"].append(result["document"])
        for name in ("budget_lines", "stated_changes", "sections", "warnings"):
            tables[name].extend(result[name])
        tables["findings"].extend(check_extraction(result))
        extra_codes.extend(dict(row, first_seen_in=result["document"]["document_id"])
                           for row in result.get("function_codes", []))
    tables["function_codes"] = function_code_rows(extra_codes)
    tables["changes"] = package_changes(tables)
    return tables


def function_code_rows(extra_codes):
    """The reference table plus codes first printed in documents, sorted by code."""
    rows = {code: dict(row, first_seen_in="reference") for code, row in function_codes.load_reference().items()}
    for row in extra_codes:
        rows.setdefault(row["code"], {**dict.fromkeys(columns("function_codes")), **row})
    for row in rows.values():  # a parent that nobody printed stays unknown rather than dangling
        if row["parent"] and row["parent"] not in rows:
            row["parent"] = None
    return [rows[code] for code in sorted(rows)]


def write_csv(path, resource, rows):
    """One resource as UTF-8 CSV with LF endings, columns in schema order, None as empty."""
    names = columns(resource)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row.get(n) is None else row[n] for n in names])


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


def write_package(tables, folder):
    """Write every resource and the descriptor into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in RESOURCES:
        write_csv(folder / f"{name}.csv", name, tables[name])
    text = json.dumps(descriptor(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (folder / "datapackage.json").write_text(text, encoding="utf-8")


def validate_package(folder):
    """Frictionless validation of the written package; a list of error lines (empty when valid)."""
    report = Package(str(folder / "datapackage.json")).validate()
    if report.valid:
        return []
    return [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors][:20] + \
           [error.message for error in report.errors][:20]


def build_package(sources_dir, package_dir):
    """Extract, write to a temp folder, validate, then replace `package_dir`; returns a summary."""
    package_dir = Path(package_dir)
    tables = extract_sources(sources_dir)
    package_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{package_dir.name}.", dir=package_dir.parent))
    temp.chmod(0o755)
    try:
        write_package(tables, temp)
        errors = validate_package(temp)
        if errors:
            raise PackageError(temp / "datapackage.json", "the built package is not valid, the previous one "
                               "is kept:\n  " + "\n  ".join(errors))
        swap_in(temp, package_dir)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return {name: len(tables[name]) for name in RESOURCES}


def swap_in(temp, target):
    """Replace `target` by `temp` with renames, so readers never see a half-written package."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    temp.rename(target)
    if old is not None:
        shutil.rmtree(old)
