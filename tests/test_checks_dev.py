"""The audit against the hand-made defect lists (tests/expected/defects/): on each real document,
every defect found by reading is reported by one finding, and every finding is one of them.
Real dev documents are read from ../shared (skipped without it); documents the extractor refuses
today are skipped (the reader's issue); the few known not to match yet are xfail (NOT_YET_EXACT, why)."""

import json
from pathlib import Path

import pytest

from cnbudget.checks import check_extraction
from cnbudget.errors import InputError
from cnbudget.extract import extract_file
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parent.parent
DEFECTS = ROOT / "tests" / "expected" / "defects"
DEV = ROOT.parent / "shared" / "sources" / "dev"
# Documents whose findings match their hand-made list exactly; the others are known to miss a defect
# or to report a reader's misread (README, “Audit findings”): xfail until they do.
NOT_YET_EXACT = {
}


def source_of(name):
    if name == SEED.stem:
        return SEED
    for path in [*DEV.glob(f"{name}.*"), *(DEV / "national").glob(f"{name}.*"), *(DEV / "national").glob(f"{name}-1-*")]:
        if path.suffix in (".pdf", ".html", ".txt"):
            return path
    return None


def cases():
    for path in sorted(DEFECTS.glob("*.json")):
        name = path.stem
        marks = [pytest.mark.xfail(reason=NOT_YET_EXACT[name], strict=False)] if name in NOT_YET_EXACT else []
        yield pytest.param(name, marks=marks, id=name)


def matches(finding, defect):
    """A finding reports a defect: the same rule (or the defect among its echoes), on the defect's page
    (PDF) or source line (text)."""
    rules = {finding["rule"]} | ({defect["rule"]} if defect["rule"] in (finding.get("echoes") or "") else set())
    if defect["rule"] not in rules:
        return False
    if defect["page"]:
        return str(defect["page"]) in (finding.get("pages") or "").split(";")
    return not defect["line"] or str(defect["line"]) in finding["source_lines"].split(";") or not finding["source_lines"]


@pytest.mark.parametrize("name", list(cases()))
def test_hand_found_defects_are_reported_once_and_nothing_else(name):
    source = source_of(name)
    if source is None or not source.exists():
        pytest.skip(f"{name}: dev document not present under {DEV}")
    try:
        findings = check_extraction(extract_file(source))
    except InputError as error:
        pytest.skip(f"extract refuses it today: {error}")
    defects = [d for d in json.loads((DEFECTS / f"{name}.json").read_text(encoding="utf-8"))["defects"]
               if d["detectable"]]
    missed = [(d["rule"], d["page"], d["line"]) for d in defects
              if not any(matches(f, d) for f in findings) and not d.get("needs_reader")]
    unlisted = [(f["rule"], f["pages"], f["source_lines"], f["message_zh"]) for f in findings
                if not any(matches(f, d) for d in defects)]
    assert (missed, unlisted) == ([], [])
    reported = [d for d in defects if any(matches(f, d) for f in findings)]
    assert len(findings) == len(reported)  # one finding per defect
