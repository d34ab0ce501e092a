"""Incremental builds: a document's rows come from the cache unless its bytes, sidecar or the extractor
changed; a unit's changes are recomputed only when one of its documents changed; the package is the
same byte for byte as a build from scratch; every failing document is reported."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from cnbudget import cache as build_cache
from cnbudget import function_codes
from cnbudget import package
from tests.conftest import SEED

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_synthetic.py"
spec = importlib.util.spec_from_file_location("make_synthetic", SCRIPT)
make_synthetic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_synthetic)

FILES = [f"{name}.csv" for name in package.RESOURCES] + ["datapackage.json"]


def files_of(folder):
    return {name: (folder / name).read_bytes() for name in FILES}


@pytest.fixture
def extractions(monkeypatch):
    """The documents extracted in this process, in order (builds here run with jobs=1)."""
    seen = []
    original = package.extract_file

    def counting(path, **kwargs):
        seen.append(Path(path).name)
        return original(path, **kwargs)

    monkeypatch.setattr(package, "extract_file", counting)
    return seen


@pytest.fixture
def corpus(tmp_path):
    """Twelve synthetic documents: units 0 and 1 with five years each, unit 2 with two."""
    sources = tmp_path / "sources"
    make_synthetic.write_corpus(12, sources, seed=5)
    return sources


def test_second_build_extracts_nothing_and_is_identical(corpus, tmp_path, extractions):
    first = package.build_package(corpus, tmp_path / "a", jobs=1, cache_dir=tmp_path / "cache")
    assert len(extractions) == 12
    again = package.build_package(corpus, tmp_path / "b", jobs=1, cache_dir=tmp_path / "cache")
    assert len(extractions) == 12
    assert first == again
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_an_added_document_rebuilds_its_unit_only_and_equals_a_full_build(corpus, tmp_path, extractions):
    package.build_package(corpus, tmp_path / "incremental", jobs=1, cache_dir=tmp_path / "cache")
    extractions.clear()
    make_synthetic.write_document(13, corpus, seed=5)  # unit 2's third year
    package.build_package(corpus, tmp_path / "incremental", jobs=1, cache_dir=tmp_path / "cache")
    # unit 2's series is extracted again for its changes; units 0 and 1 come from the cache
    assert sorted(extractions) == ["2021-synthetic-00011-budget.txt", "2022-synthetic-00012-budget.txt",
                                   "2023-synthetic-00013-budget.txt"]
    package.build_package(corpus, tmp_path / "full", jobs=1)
    assert files_of(tmp_path / "incremental") == files_of(tmp_path / "full")


@pytest.mark.parametrize("change", ["bytes", "sidecar", "extractor"])
def test_what_invalidates_a_document(corpus, tmp_path, extractions, monkeypatch, change):
    package.build_package(corpus, tmp_path / "out", jobs=1, cache_dir=tmp_path / "cache")
    extractions.clear()
    source = corpus / "2021" / "2021-synthetic-00001-budget.txt"
    sidecar = source.with_name(source.stem + ".provenance.json")
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    if change == "bytes":
        source.write_bytes(source.read_bytes() + b"\n")
        meta["sha256"] = package.sha256_file(source)
        sidecar.write_text(json.dumps(meta), encoding="utf-8")
    elif change == "sidecar":
        meta["obtained"] = "another way"
        sidecar.write_text(json.dumps(meta), encoding="utf-8")
    else:
        monkeypatch.setattr(build_cache, "extractor_version", lambda: "another version")
        monkeypatch.setattr(package, "extractor_version", lambda: "another version")
    package.build_package(corpus, tmp_path / "out", jobs=1, cache_dir=tmp_path / "cache")
    expected = 12 if change == "extractor" else 5  # the whole corpus, or the document's unit
    assert len(extractions) == expected
    package.build_package(corpus, tmp_path / "full", jobs=1)
    assert files_of(tmp_path / "out") == files_of(tmp_path / "full")


def test_extractor_version_follows_the_code():
    version = build_cache.extractor_version()
    assert version.startswith("0.1.0+" + build_cache.CACHE_FORMAT + ".")
    files = set(build_cache.code_files())
    names = {p.relative_to(build_cache.PACKAGE_DIR.parent).as_posix() for p in files}
    assert {"cnbudget/extract.py", "cnbudget/checks.py", "cnbudget/diff.py", "cnbudget/schema.py"} <= names
    assert Path(function_codes.REFERENCE_CSV).resolve() in files  # reference data, wherever it lives
    assert not {"cnbudget/cli.py", "cnbudget/load.py"} & names


def test_every_failing_document_is_reported_and_the_package_kept(corpus, tmp_path):
    out = tmp_path / "out"
    package.build_package(corpus, out, jobs=1, cache_dir=tmp_path / "cache")
    before = files_of(out)
    for name in ("2021/2021-synthetic-00001-budget.txt", "2023/2023-synthetic-00008-budget.txt"):
        (corpus / name).write_bytes(SEED.read_bytes()[:15000])
        sidecar = corpus / name.replace(".txt", ".provenance.json")
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        sidecar.write_text(json.dumps({**meta, "sha256": None}), encoding="utf-8")
    with pytest.raises(package.PackageError) as raised:
        package.build_package(corpus, out, jobs=1, cache_dir=tmp_path / "cache")
    message = str(raised.value)
    assert "2 of 12 documents failed, the previous package is kept" in message
    assert "2021-synthetic-00001-budget.txt, line 93: the text stops mid-sentence" in message
    assert "2023-synthetic-00008-budget.txt, line 93: the text stops mid-sentence" in message
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "out", "sources"]


def test_a_row_against_its_schema_fails_the_build(corpus, tmp_path, monkeypatch):
    original = package.check_extraction

    def bad_finding(result):
        return original(result) + [{"document_id": result["document"]["document_id"], "finding_id": 1,
                                    "rule": "planted", "severity": "fatal", "message_zh": "x", "message_en": "x"}]

    monkeypatch.setattr(package, "check_extraction", bad_finding)
    with pytest.raises(package.PackageError, match="findings row 1: severity 'fatal' is not one of its enum"):
        package.build_package(corpus, tmp_path / "out", jobs=1)


def test_a_large_package_is_sampled_for_frictionless(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "FULL_VALIDATION_DOCUMENTS", 4)
    monkeypatch.setattr(package, "SAMPLE_DOCUMENTS", 4)
    validated = []
    original = package.validate_package
    monkeypatch.setattr(package, "validate_package",
                        lambda folder, *args: validated.append(Path(folder).name) or original(folder, *args))
    package.build_package(corpus, tmp_path / "sampled", jobs=1)
    assert validated == ["sample"]
    package.build_package(corpus, tmp_path / "whole", jobs=1, cache_dir=None)
    assert files_of(tmp_path / "sampled") == files_of(tmp_path / "whole")
    assert not (tmp_path / "sampled" / "sample").exists()


def test_cli_build_uses_a_cache_and_says_nothing_in_a_pipe(corpus, tmp_path):
    from click.testing import CliRunner

    from cnbudget.cli import cli

    args = ["build", "--sources", str(corpus), "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "cache"),
            "--jobs", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["documents"] == 12
    assert (tmp_path / "cache" / "cache.db").exists()
    result = CliRunner().invoke(cli, args[:-4] + ["--no-cache"])
    assert result.exit_code == 0 and result.output.count("\n") == 1


def test_cache_entries_of_another_version_are_dropped(tmp_path):
    old = build_cache.BuildCache(tmp_path, version="old")
    old.put("k", build_cache.pack({"a": 1}, "行,1\n".encode()))
    old.close()
    header, body = build_cache.unpack(build_cache.BuildCache(tmp_path, version="old").get("k"))
    assert (header, bytes(body).decode()) == ({"a": 1}, "行,1\n")
    assert build_cache.BuildCache(tmp_path, version="new").get("k") is None
    assert build_cache.BuildCache(tmp_path, version="old").get("k") is None


def test_make_synthetic_write_document_is_the_corpus_document(tmp_path):
    make_synthetic.write_corpus(3, tmp_path / "three", seed=5)
    make_synthetic.write_corpus(2, tmp_path / "two", seed=5)
    make_synthetic.write_document(3, tmp_path / "two", seed=5)
    assert sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*")) == \
        sorted(p.relative_to(tmp_path / "three") for p in (tmp_path / "three").rglob("*"))
    for path in (tmp_path / "three").rglob("*.txt"):
        assert path.read_bytes() == (tmp_path / "two" / path.relative_to(tmp_path / "three")).read_bytes()
    shutil.rmtree(tmp_path / "two")
