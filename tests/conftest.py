"""Shared fixtures: where the seed, the committed package and the dev PDFs live."""

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "datasets" / "sources"
SEED = SOURCES / "2023" / "2023-panzhihua-xiqu-renda-budget.txt"
PACKAGE = ROOT / "datasets" / "package"
DEV_SOURCES = ROOT.parent / "shared" / "sources" / "dev"


def stale_compiled_modules():
    """Compiled modules (setup.py) older than their .py (or its .pxd), or left without one: tests would run old code."""
    stale = []
    for so in sorted((ROOT / "cnbudget").rglob("*.so")):
        source = so.with_name(so.name.split(".")[0] + ".py")
        newer = [f for f in (source, source.with_suffix(".pxd")) if f.exists() and f.stat().st_mtime > so.stat().st_mtime]
        if not source.exists() or newer:
            stale.append(so)
    return stale


def pytest_sessionstart(session):
    stale = stale_compiled_modules()
    if stale:
        pytest.exit(f"{stale[0].relative_to(ROOT)} is older than its .py (or .pxd) or has none (compiled before an "
                    "edit): run `make compile` (or `make test`; `make clean` removes every compiled module)",
                    returncode=2)


@pytest.fixture(scope="session")
def seed_extraction():
    """The seed, extracted once per test session."""
    from cnbudget.extract import extract_file

    return extract_file(SEED)


@pytest.fixture(scope="session")
def built_package(tmp_path_factory):
    """A package built from datasets/sources into a temp folder (the committed one is not touched)."""
    from cnbudget.package import build_package

    out = tmp_path_factory.mktemp("package") / "package"
    build_package(SOURCES, out)
    return out


def copy_package(package_dir, folder):
    """A copy of a built package in `folder` (a temp folder), for a test to edit."""
    folder.mkdir()
    for item in package_dir.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    return folder


def append_rows(package_dir, name, make_rows):
    """Append to NAME.csv the rows `make_rows(rows)` derives from its present rows (synthetic copies)."""
    path = package_dir / f"{name}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, list(rows[0]), lineterminator="\n").writerows(make_rows(rows))
