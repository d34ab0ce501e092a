"""Which figure an amount is (budget_lines.phase): from the words just before it, else the document's own."""

import pytest

from cnbudget.narrative import phase_before

FINAL = {"kind": "部门决算"}
BUDGET = {"kind": "部门预算"}


@pytest.mark.parametrize("document, before, phase", [
    (FINAL, "本年度一般公共预算财政拨款支出年初预算为", "budget"),
    (FINAL, "，支出决算为", "final"),
    (FINAL, "“三公”经费完成预算", "budget"),
    (FINAL, "调整预算为", "adjusted_budget"),
    (FINAL, "全年预算数为", "adjusted_budget"),
    (FINAL, "公务接待费支出", None),  # the 决算's own figure: Extraction.add_line says final
    (BUDGET, "2022年预算执行数为", "prior_outturn"),
    (BUDGET, "上年预算为", "prior_budget"),
    (BUDGET, "一般公共预算当年拨款", None),  # this year's budget
])
def test_phase_from_the_words_before_the_amount(document, before, phase):
    assert phase_before(document, before) == phase


def test_every_printed_amount_of_the_seed_is_this_years_budget(seed_extraction):
    phases = {line["phase"] for line in seed_extraction["budget_lines"] if line["amount_fen"] is not None}
    assert phases == {"budget"}
    assert {line["phase"] for line in seed_extraction["budget_lines"] if line["amount_fen"] is None} == {None}  # counts
