"""Sentences the audit needs read (synthetic disclosures written to a temp folder, never published)."""

import pytest

from cnbudget.extract import extract_file

THREE_PUBLIC = "三、“三公”经费预算情况\n“三公”经费预算15.00万元。\n"


def extract(tmp_path, body, title="某某局2026年部门预算（合成）"):
    path = tmp_path / "synthetic.txt"
    path.write_text(f"{title}\n{body}{THREE_PUBLIC}", encoding="utf-8")
    return extract_file(path)


def test_a_unit_printed_after_为_is_read_with_a_warning(tmp_path):
    # 国家信访局 2026 p.19: “2014099 其他信访事务支出，2026 年预算数 3,623.98 为万元，比 2025 年执行减少 21,519.26 万元”.
    result = extract(tmp_path, "一、一般公共预算支出情况\n"
                               "减少较为明显的项级支出科目为2014099其他信访事务支出，2026年预算数3,623.98为万元，"
                               "比2025年执行减少21,519.26万元，减少85.59%。\n")
    [line] = [l for l in result["budget_lines"] if l["function_code"] == "2014099"]
    assert (line["amount_fen"], line["amount_text"]) == (362_398_000_000 // 100, "3,623.98为万元")
    [change] = result["stated_changes"]
    assert (change["line_id"], change["change_yuan"], change["prior_year"]) == (line["line_id"], -215_192_600, 2025)
    assert [w["rule"] for w in result["warnings"]] == ["misprinted_unit"]


@pytest.mark.parametrize("sentence", ["金额单位为万元。", "2026年预算数为3,623.98万元。"])
def test_a_unit_after_为_is_only_a_misprint_after_a_number(tmp_path, sentence):
    result = extract(tmp_path, f"一、一般公共预算支出情况\n{sentence}\n")
    assert [w for w in result["warnings"] if w["rule"] == "misprinted_unit"] == []
