"""Shared fixtures: where the seed, the committed package and the dev PDFs live."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "datasets" / "sources"
SEED = SOURCES / "2023" / "2023-panzhihua-xiqu-renda-budget.txt"
PACKAGE = ROOT / "datasets" / "package"
DEV_SOURCES = ROOT.parent / "shared" / "sources" / "dev"


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
