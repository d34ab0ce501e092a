"""Table-to-text cross-checks on the three dev PDFs, and on copies of 2023 with one figure changed."""

import copy

import pytest

from cnbudget.crosschecks import crosscheck_extraction
from tests.test_pdf import DEV_SOURCES, extraction

pytestmark = pytest.mark.skipif(not DEV_SOURCES.exists(), reason=f"dev PDFs not present at {DEV_SOURCES}")


def summary(findings):
    return [(f["rule"], f["severity"], f["statement"], f["expected_yuan"], f["actual_yuan"], f["source_lines"])
            for f in findings]


def test_the_three_pdfs():
    # 51 narrative figures of 2023 agree with their table cells within 100 元; so do all table totals.
    assert summary(crosscheck_extraction(extraction(2023))) == []
    # 2025 prints 城乡社区管理事务 (21201) as 94,995,790 元 where its 项 rows and its basic + project
    # columns add up to 94,995,789 元: a 1 元 rounding gap, echoed up to 212 and the 合计 in the three
    # tables that print the row: one defect, one finding listing its echoes.
    findings = crosscheck_extraction(extraction(2025))
    assert summary(findings) == [
        ("table_row_parts", "rounding", "income", 94_995_790, 94_995_789, "287"),
    ]
    assert findings[0]["pages"] == "12;17;23"
    assert findings[0]["echoes"].count("；") == 6  # seven other cells whose sums miss by the same 1 元
    assert "部门支出预算总表“城乡社区管理事务”合计列" in findings[0]["echoes"]
    # 2024 prints the 三公 table with amounts under the note '故本表为空表'.
    findings = crosscheck_extraction(extraction(2024))
    assert summary(findings) == [("empty_note_with_values", "error", None, None, None, "824")]
    assert findings[0]["severity_zh"] == "错误" and findings[0]["pages"] == "31"
    assert findings[0]["document_id"] == "2024-shanghai-putuo-wanli-budget"
    assert findings[0]["finding_id"] == 1


def changed(year, **where):
    """A copy of a year's extraction whose line matching `where` gets `new` 元 (amount_yuan and amount_fen)."""
    result = copy.deepcopy(extraction(year))
    new = where.pop("new")
    line = next(b for b in result["budget_lines"] if all(b[k] == v for k, v in where.items()))
    line["amount_yuan"], line["amount_fen"] = new, new * 100
    return result


@pytest.mark.parametrize("where, expected", [
    # 2.63万元 in the text, 26,300 元 in the table: 2.65万元 is two rounding steps away.
    (dict(statement="function_class", item="2010506", table_name=None, new=26_500),
     [("narrative_vs_table", "error", "function_class", 26_300, 26_500, "81;558")]),
    # 机关运行经费 of the table above the 公用经费 total (15,381,432 元); the text now differs too.
    (dict(statement="agency_operating", item="total", table_name="部门“三公”经费和机关运行经费预算表",
          new=20_000_000),
     [("agency_operating_vs_basic", "warning", "agency_operating", 15_381_432, 20_000_000, "804;819"),
      ("narrative_vs_table", "error", "agency_operating", 20_000_000, 7_860_900, "819;830")]),
    # The 三公 table's 公务接待费 no longer adds up.
    (dict(statement="three_public", item="reception", table_name="部门“三公”经费和机关运行经费预算表",
          new=20_000),
     [("narrative_vs_table", "error", "three_public", 20_000, 13_500, "819;828"),
      ("table_three_public_parts", "error", "three_public", 229_100, 235_600, "819")]),
    # 50 元 more in the expenditure table's total: within the narrative's rounding (16497.86万元), but
    # not equal to the overview (财务收支预算总表), to its class rows, nor to basic + project: one wrong
    # cell, one finding (the other two sums are its echoes).
    (dict(statement="expenditure", item="total", table_name="部门支出预算总表", new=164_978_690),
     [("table_vs_overview", "error", "expenditure", 164_978_640, 164_978_690, "229;515")]),
    # One 元 in a table's own sums is a rounding of cents; the 款 above it misses by the same 元: one finding.
    (dict(statement="expenditure", item="2120104", table_name="部门支出预算总表", new=6_905_799),
     [("table_row_columns", "rounding", "expenditure", 6_905_799, 6_905_798, "487")]),
])
def test_a_changed_figure_is_found(where, expected):
    assert summary(crosscheck_extraction(changed(2023, **where))) == expected


def test_a_text_disclosure_has_no_table_findings(seed_extraction):
    assert crosscheck_extraction(seed_extraction) == []
