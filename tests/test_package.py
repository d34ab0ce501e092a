"""The data package: valid, reproducible byte for byte, and never replaced by a failed build."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnbudget import package
from cnbudget.errors import InputError
from tests.conftest import PACKAGE, SEED, SOURCES

FILES = ["datapackage.json", "documents.csv", "budget_lines.csv", "stated_changes.csv", "sections.csv",
         "function_codes.csv", "warnings.csv"]


def read_rows(folder, name):
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_committed_package_is_reproduced_byte_for_byte(built_package):
    for name in sorted(p.name for p in PACKAGE.iterdir()):
        assert (built_package / name).read_bytes() == (PACKAGE / name).read_bytes(), name


def test_two_builds_are_identical(built_package, tmp_path):
    again = tmp_path / "again"
    package.build_package(SOURCES, again)
    for name in FILES:
        assert (again / name).read_bytes() == (built_package / name).read_bytes(), name


def test_frictionless_cli_validates_the_package(built_package):
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run([str(frictionless), "validate", "--json", str(built_package / "datapackage.json")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert json.loads(result.stdout)["valid"] is True


def test_descriptor_declares_tabular_package_with_fiscal_annotations(built_package):
    descriptor = json.loads((built_package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {"documents", "budget_lines", "stated_changes", "sections", "function_codes"} <= set(resources)
    fields = {f["name"]: f for f in resources["budget_lines"]["schema"]["fields"]}
    for name in ["document_id", "fiscal_year", "statement", "function_code", "amount_yuan", "source_line",
                 "source_text"]:
        assert name in fields
    assert fields["amount_yuan"]["type"] == "integer"
    assert fields["amount_yuan"]["columnType"] == "value"
    assert "元" in fields["amount_yuan"]["description"]
    assert fields["fiscal_year"]["columnType"] == "date:fiscal-year"
    assert fields["function_code"]["columnType"] == "functional-classification:generic:code"
    assert resources["budget_lines"]["schema"]["primaryKey"] == ["document_id", "line_id"]
    assert resources["budget_lines"]["title"] == "预算数据"


def test_package_rows_carry_the_seed(built_package):
    documents = read_rows(built_package, "documents")
    assert [(d["document_id"], d["source_file"], d["sha256"][:12]) for d in documents] == [
        ("2023-panzhihua-xiqu-renda-budget", "2023/2023-panzhihua-xiqu-renda-budget.txt", "c55a25d04d21")]
    lines = read_rows(built_package, "budget_lines")
    assert len(lines) == 72
    assert (lines[0]["statement"], lines[0]["amount_yuan"], lines[0]["source_line"]) == ("overview", "6446600", "85")
    codes = {row["code"]: row for row in read_rows(built_package, "function_codes")}
    assert codes["2101199"]["name"] == "其他行政事业单位医疗支出"
    assert "其他行政事业单位医疗补助" in codes["2101199"]["variants"]
    assert codes["20805"]["parent"] == "208"
    assert len(read_rows(built_package, "stated_changes")) == 7


def test_failed_validation_keeps_the_previous_package(built_package, tmp_path, monkeypatch):
    out = tmp_path / "package"
    shutil.copytree(built_package, out)
    before = {name: (out / name).read_bytes() for name in FILES}
    monkeypatch.setattr(package, "validate_package", lambda folder, *args: ["budget_lines: planted error"])
    with pytest.raises(package.PackageError, match="planted error"):
        package.build_package(SOURCES, out)
    assert {name: (out / name).read_bytes() for name in FILES} == before
    assert [p.name for p in tmp_path.iterdir()] == ["package"]  # no temp folder left behind


def test_bad_source_keeps_the_previous_package(built_package, tmp_path):
    out = tmp_path / "package"
    shutil.copytree(built_package, out)
    before = {name: (out / name).read_bytes() for name in FILES}
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "cut.txt").write_bytes(SEED.read_bytes()[:15000])
    (sources / "cut.provenance.json").write_text(json.dumps({"file": "cut.txt"}), encoding="utf-8")
    with pytest.raises(InputError, match="cut.txt, line 93"):
        package.build_package(sources, out)
    assert {name: (out / name).read_bytes() for name in FILES} == before


def test_sidecar_checksum_must_match(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEED, sources / SEED.name)
    meta = json.loads(SEED.with_suffix(".provenance.json").read_text(encoding="utf-8"))
    meta["sha256"] = "0" * 64
    (sources / SEED.with_suffix(".provenance.json").name).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError, match="differs from the sidecar"):
        package.build_package(sources, tmp_path / "out")


def test_only_sources_with_a_sidecar_are_built(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEED, sources / "no-sidecar.txt")
    summary = package.build_package(sources, tmp_path / "out")
    assert summary["documents"] == 0


def test_parallel_build_equals_serial_build(tmp_path, monkeypatch):
    # Two units over three years (synthetic), so the series are shared out over two processes.
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_synthetic", package.Path(__file__).parent.parent / "scripts" / "make_synthetic.py")
    make_synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_synthetic)
    sources = tmp_path / "sources"
    make_synthetic.write_corpus(12, sources, 7)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    monkeypatch.setattr(package, "PARALLEL_SERIES", 2)
    monkeypatch.setattr(package, "PARALLEL_BYTES", 0)
    assert len(package.unit_series(package.find_sources(sources))) >= 2
    assert package.build_package(sources, serial, jobs=1) == package.build_package(sources, parallel, jobs=2)
    for name in FILES + ["findings.csv", "changes.csv"]:
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name


def test_an_error_in_a_worker_is_the_same_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "PARALLEL_SERIES", 2)
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("a", "b", "c"):
        (sources / f"{name}.txt").write_bytes(SEED.read_bytes()[:15000] if name == "b" else SEED.read_bytes())
        (sources / f"{name}.provenance.json").write_text(json.dumps({"file": f"{name}.txt", "unit_name": name}),
                                                          encoding="utf-8")
    with pytest.raises(InputError, match="b.txt, line 93: the text stops mid-sentence"):
        package.build_package(sources, tmp_path / "out", jobs=2)
