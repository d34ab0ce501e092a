"""The three years of one unit, diffed end to end from the PDFs: golden Markdown reports.

Regenerate after an intended change with `CNBUDGET_UPDATE_GOLDEN=1 pytest tests/test_pdf_diff.py`
and read the diff of tests/test_pdf_golden/ before committing it.
"""

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_pdf import DEV_SOURCES, pdf_path

GOLDEN = Path(__file__).resolve().parent / "test_pdf_golden"
pytestmark = pytest.mark.skipif(not DEV_SOURCES.exists(), reason=f"dev PDFs not present at {DEV_SOURCES}")


def diff_markdown(old, new):
    from cnbudget.cli import cli

    result = CliRunner().invoke(cli, ["diff", str(pdf_path(old)), str(pdf_path(new)), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("old, new", [(2023, 2024), (2024, 2025)])
def test_year_over_year_report(old, new):
    report = diff_markdown(old, new)
    golden = GOLDEN / f"putuo-wanli-{old}-{new}.md"
    if os.environ.get("CNBUDGET_UPDATE_GOLDEN"):
        golden.write_text(report, encoding="utf-8")
    assert report == golden.read_text(encoding="utf-8")


def test_2025_misprinted_function_line_shows_as_removed_and_added():
    # 2025 prints '卫生健康支出（类）卫生健康支出（款）计划生育事务（项）' for 2024's 计划生育服务 (2100717).
    report = diff_markdown(2024, 2025)
    assert "变化 421 条，更名 0 条，科目调整 0 条，新增 2 条，删除 1 条，未变 536 条。" in report
    assert "- 上海市普陀区人民政府万里街道办事处 一般公共预算支出功能分类：卫生健康支出（类）卫生健康支出（款）计划生育事务（项），20.00万元" in report
    assert "| 上海市普陀区人民政府万里街道办事处 | “三公”经费预算数 | 比2024年预算减少10万元 | -10.00 | -10.00 | 47.91 | 37.91 | 一致 | 784 |" in report
