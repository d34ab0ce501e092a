"""Budget vs actual (cnbudget.execution) on a synthetic 预算/决算 pair of one unit and year (hand-made
records, never published: the dev set's university budget (2021) and final accounts (2023) are
different years), through the library and through `diff` (JSON, Markdown, CSV)."""

import csv
import io
import json

import pytest

from cnbudget import diff as budget_diff
from cnbudget.diff import diff_sides, side_from_result
from cnbudget.execution import budget_vs_actual, pairs
from cnbudget.schema import columns

UNIT = "某某大学（合成）"


def document(kind, doc_id, year=2023):
    return {"document_id": doc_id, "unit_name": UNIT, "fiscal_year": year, "kind": kind, "title": doc_id}


def row(doc_id, line_id, statement, item, label, yuan, phase=None, table="支出表", code=None):
    record = dict.fromkeys(columns("budget_lines"))
    record.update(document_id=doc_id, line_id=line_id, fiscal_year=2023, statement=statement, item=item, label=label,
                  amount_yuan=yuan, amount_fen=yuan * 100, amount_text=f"{yuan}", phase=phase, table_name=table,
                  function_code=code, page=line_id, source_line=line_id * 10)
    return record


BUDGET_ID, FINAL_ID = "2023-synthetic-daxue-budget", "2023-synthetic-daxue-final"
BUDGET = [row(BUDGET_ID, 1, "expenditure", "total", "合计", 4_000_000, table="2023年支出预算表"),
          row(BUDGET_ID, 2, "expenditure", "2050205", "高等教育", 3_000_000, table="2023年支出预算表", code="2050205"),
          row(BUDGET_ID, 3, "expenditure", "2210201", "住房公积金", 1_000_000, table="2023年支出预算表", code="2210201"),
          row(BUDGET_ID, 4, "three_public", "total", "“三公”经费", 0, table=None)]
FINAL = [row(FINAL_ID, 1, "expenditure", "total", "合计", 4_200_000, "final", table="高等学校支出决算表"),
         row(FINAL_ID, 2, "expenditure", "2050205", "高等教育", 3_300_000, "final", table="高等学校支出决算表", code="2050205"),
         row(FINAL_ID, 3, "expenditure", "2050205:budget", "高等教育", 3_000_000, "budget", table="高等学校支出决算表",
             code="2050205"),
         row(FINAL_ID, 4, "expenditure", "2210201", "住房公积金", 900_000, "final", table="高等学校支出决算表", code="2210201"),
         row(FINAL_ID, 5, "three_public", "total", "“三公”经费", 1_600, "final", table=None),
         row(FINAL_ID, 6, "expenditure", "2060201", "机构运行", 50_000, "final", table="高等学校支出决算表", code="2060201")]
REASON = dict.fromkeys(columns("stated_changes"))
REASON.update(document_id=FINAL_ID, change_id=1, fiscal_year=2023, prior_year=2023, statement="expenditure",
              item="2050205", label="高等教育", line_id=2, direction="increase", change_yuan=300_000,
              change_text="决算数大于年初预算数", reason_text="追加基本建设经费")


def result(doc, lines, changes=()):
    return {"document": doc, "budget_lines": lines, "stated_changes": list(changes), "sections": [], "warnings": []}


def test_budget_vs_actual_rows():
    rows = budget_vs_actual((document("部门预算", BUDGET_ID), BUDGET, []),
                            (document("部门决算", FINAL_ID), FINAL, [REASON]))
    assert [(r["statement"], r["function_code"], r["budget_yuan"], r["final_yuan"], r["difference_yuan"],
             r["execution_pct"], r["final_doc_budget_yuan"], r["reason_text"]) for r in rows] == [
        ("expenditure", None, 4_000_000, 4_200_000, 200_000, "105.00", None, None),
        ("expenditure", "2050205", 3_000_000, 3_300_000, 300_000, "110.00", 3_000_000, "追加基本建设经费"),
        ("expenditure", "2210201", 1_000_000, 900_000, -100_000, "90.00", None, None),
        ("three_public", None, 0, 1_600, 1_600, None, None, None),  # no rate against a budget of 0
    ]
    assert rows[1]["budget_page"] == 2 and rows[1]["final_page"] == 2 and rows[1]["final_line_id"] == 2


@pytest.mark.parametrize("documents, expected", [
    ([document("部门预算", "a"), document("部门决算", "b")], [("a", "b")]),
    ([document("部门预算", "a"), document("部门决算", "b", year=2024)], []),  # another year
    ([document("部门预算", "a"), document("部门预算", "b")], []),  # two budgets: a year-over-year diff
    ([document("单位预算", "a"), {**document("部门决算", "b"), "unit_name": "另一单位"}], []),
])
def test_pairs_are_one_unit_one_year(documents, expected):
    assert [(b["document_id"], f["document_id"]) for b, f in pairs(documents)] == expected


def sides():
    old = side_from_result("budget", result(document("部门预算", BUDGET_ID), BUDGET), with_findings=False)
    new = side_from_result("final", result(document("部门决算", FINAL_ID), FINAL, [REASON]), with_findings=False)
    return old, new


def test_diff_of_a_budget_and_its_final_accounts():
    out = diff_sides(*sides())
    assert len(out["budget_vs_actual"]) == 4
    # Year over year, a 决算 is never paired with a 预算: no line is changed, added or removed between them.
    assert out["summary"]["counts"]["units_compared"] == 0
    assert not any(out[kind] for kind in ("changed", "renamed", "recoded"))
    text = json.loads(budget_diff.to_json(out))
    assert text["budget_vs_actual"][1]["execution_pct"] == "110.00"
    markdown = budget_diff.render_markdown(out)
    assert "## 预算与决算对比（4 条）" in markdown
    assert "| 某某大学（合成） | 2023 | 支出预算 | 2050205 | 高等教育 | 300.00 | 330.00 | 30.00 | 110.00% | 追加基本建设经费 |" in markdown
    handle = io.StringIO()
    budget_diff.render_csv(out, handle)
    table = list(csv.DictReader(io.StringIO(handle.getvalue())))
    assert list(table[0]) == columns("budget_vs_actual")
    assert (table[2]["function_code"], table[2]["difference_yuan"]) == ("2210201", "-100000")


def test_two_budgets_have_no_budget_vs_actual(seed_extraction):
    side = side_from_result("seed", seed_extraction, with_findings=False)
    assert diff_sides(None, side)["budget_vs_actual"] == []
