"""The national dev documents, narrative side: cover fields and hand-checked figures to the 分.

Expectations (tests/expected/national/<name>.narrative.json) were read by hand from each
document's `pdftotext -layout` text (the web page: its article), with the page they stand on.
A figure the reader does not get yet is listed with `known_gap` (why) and expected to fail.
Skipped without ../shared (the documents are not in the repository).
"""

import json
from functools import lru_cache
from pathlib import Path

import pytest

from cnbudget.numbers import UNIT_YUAN, fen_int, parse_number
from tests.conftest import DEV_SOURCES

NATIONAL = DEV_SOURCES / "national"
EXPECTED = Path(__file__).resolve().parent / "expected" / "national"
DOCUMENTS = {path.name.removesuffix(".narrative.json"): json.loads(path.read_text("utf-8"))
             for path in sorted(EXPECTED.glob("*.narrative.json"))}

pytestmark = pytest.mark.skipif(not NATIONAL.exists(), reason=f"dev documents not present at {NATIONAL}")


@lru_cache(maxsize=None)
def extraction(name):
    from cnbudget.extract import extract_files

    return extract_files([NATIONAL / f for f in DOCUMENTS[name]["files"]])


def fen(printed):
    """'50,616.94万元' -> 506169400000: the printed amount in 分, exactly."""
    unit = next(u for u in ("亿元", "万元", "元") if printed.endswith(u))
    return fen_int(parse_number(printed[: -len(unit)].strip()) * UNIT_YUAN[unit])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_cover(name):
    document = extraction(name)["document"]
    assert {key: document[key] for key in DOCUMENTS[name]["document"]} == DOCUMENTS[name]["document"]


def figure_cases():
    for name, expected in DOCUMENTS.items():
        for figure in expected["figures"]:
            marks = [pytest.mark.xfail(reason=figure["known_gap"], strict=True)] if "known_gap" in figure else []
            yield pytest.param(name, figure, id=f"{name}:{figure['printed'][:24]}", marks=marks)


@pytest.mark.parametrize("name, figure", list(figure_cases()))
def test_hand_checked_figure(name, figure):
    lines = [line for line in extraction(name)["budget_lines"] if not line["table_name"]]
    if "function_code" in figure:
        found = [line for line in lines if line["function_code"] == figure["function_code"]]
    else:
        found = [line for line in lines if (line["statement"], line["item"]) == (figure["statement"], figure["item"])]
    assert (figure["page"], fen(figure["amount"])) in [(line["page"], line["amount_fen"]) for line in found], \
        [(line["page"], line["amount_text"], line["label"]) for line in found]


def test_every_printed_amount_has_an_exact_amount():
    for name in DOCUMENTS:
        for line in extraction(name)["budget_lines"]:
            assert line["quantity"] is not None or line["amount_fen"] is not None, (name, line)


def test_every_dev_document_is_checked_and_diffed_without_a_traceback():
    from cnbudget import diff as budget_diff
    from cnbudget.checks import check_extraction

    sides = []
    for name in DOCUMENTS:
        result = extraction(name)
        assert isinstance(check_extraction(result), list)
        sides.append(budget_diff.side_from_result(name, result, with_findings=False))
    for old, new in zip(sides, sides[1:]):
        assert isinstance(budget_diff.diff_sides(old, new), dict)


def test_hint_modules_name_a_province_and_their_cities():
    from cnbudget.regions import REGIONS

    for region in REGIONS:
        assert isinstance(region.NAME, str) and region.NAME
        assert hasattr(region, "extract") or isinstance(region.PROVINCE, str)


def test_a_region_rewrite_keeps_a_paragraphs_printed_lines():
    """A rewritten paragraph still knows where each printed line starts, so its figures cite their own line."""
    from cnbudget.narrative import rewrite
    from cnbudget.reading import join_lines, make_line

    paragraph = join_lines([make_line(7, "一般公共预算“三公”经费预算中，"), make_line(8, "公务车购置及运行费10.00万元。")])
    rewritten = rewrite(paragraph, [("公务车购置及运行费", "公务用车购置及运行")])
    assert "公务用车购置及运行" in rewritten.text
    assert (rewritten.starts, rewritten.last_no) == (paragraph.starts, 8)


def test_every_phase_word_holds_suan_or_zhixing():
    """place_amount skips phase_of_words for the words before an amount without 算 or 执行: no phase word lacks both."""
    from cnbudget.narrative import PHASE_WORDS, PRIOR_WORDS

    words = [word for pattern, _ in PHASE_WORDS + PRIOR_WORDS for word in pattern.pattern.split("|")]
    assert words and all("算" in word or "执行" in word for word in words)
