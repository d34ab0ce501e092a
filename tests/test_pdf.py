"""The three real Shanghai PDFs: every figure of their hand-checked *.expected.json, narrative and tables.

The PDFs stay outside the repository (../shared/sources/dev/); without that folder these tests skip.
Amounts in the keys are printed 万元 (or 元 under `tables_yuan`); the extraction holds integer 元.
"""

import json
from functools import lru_cache
from decimal import Decimal

import pytest

from tests.conftest import DEV_SOURCES

YEARS = [2023, 2024, 2025]
pytestmark = pytest.mark.skipif(not DEV_SOURCES.exists(), reason=f"dev PDFs not present at {DEV_SOURCES}")


def pdf_path(year):
    return DEV_SOURCES / f"{year}-shanghai-putuo-wanli-budget.pdf"


@lru_cache(maxsize=None)
def extraction(year):
    """One extraction per year for the whole module (tests only read it)."""
    from cnbudget.extract import extract_file

    return extract_file(pdf_path(year))


@pytest.fixture(scope="module", params=YEARS)
def case(request):
    """(expected figures, extraction) of one year."""
    year = request.param
    expected = json.loads((DEV_SOURCES / f"{year}-shanghai-putuo-wanli-budget.expected.json").read_text("utf-8"))
    return expected, extraction(year)


def wan(text):
    """'18,976.76' (万元) -> 189767600 (元), exactly."""
    return int(Decimal(str(text).replace(",", "")) * 10000)


def yuan(text):
    return int(Decimal(str(text).replace(",", "")))


def narrative(result, statement, item):
    """Amounts (元) of the narrative lines with this statement and item, in order."""
    return [b["amount_yuan"] for b in result["budget_lines"]
            if b["statement"] == statement and b["item"] == item and not b["table_name"]]


def table_value(result, title, item, statement=None):
    """The one amount of a table cell (table title fragment, item key)."""
    found = [b["amount_yuan"] for b in result["budget_lines"]
             if b["table_name"] and title in b["table_name"] and b["item"] == item
             and statement in (None, b["statement"])]
    assert len(found) == 1, (title, item, found)
    return found[0]


def test_document(case):
    expected, result = case
    document = result["document"]
    assert (document["unit_name"], document["fiscal_year"], document["kind"], document["template"]) == \
        (expected["unit"], expected["year"], "部门预算", "shanghai")
    assert document["region"] == "上海市普陀区"


def test_income_and_expenditure(case):
    expected, result = case
    income = expected["income"]
    assert narrative(result, "income", "total") == [wan(expected["total_wan"])]
    assert narrative(result, "income", "total") == [wan(income["total"])]
    assert narrative(result, "income", "fiscal") == [wan(income["fiscal_appropriation"])]
    for key in ("business_income", "operating_income", "other_income"):
        assert narrative(result, "income", key) == [wan(income[key])]
    # 支出预算, 财政拨款支出预算, 一般公共预算拨款支出预算: the same total, stated three times.
    assert narrative(result, "expenditure", "total") == [wan(expected["expenditure"]["total"])] * 2 + \
        [wan(income["general_public_budget"])]
    assert narrative(result, "government_fund", "total") == [wan(income["government_fund"])]
    assert narrative(result, "state_capital", "total") == [wan(income["state_capital"])]
    assert narrative(result, "government_fund", "total") == [wan(expected["gov_fund_total"])]
    assert narrative(result, "state_capital", "total") == [wan(expected["state_capital"])]
    change = next(c for c in result["stated_changes"] if (c["statement"], c["item"]) == ("income", "fiscal"))
    assert change["change_yuan"] == wan(expected["prior_year_total_change_wan"])


def test_function_lines(case):
    expected, result = case
    if "function_lines" not in expected:
        pytest.skip("this key has no function_lines")
    lines = [b for b in result["budget_lines"] if b["statement"] == "function_class" and not b["table_name"]]
    printed = [(b["label"], b["amount_yuan"]) for b in lines]
    wanted = [(f"{f['class']}（类）{f['section']}（款）{f['item']}（项）", wan(f["amount_wan"]))
              for f in expected["function_lines"]]
    assert printed == wanted


def test_function_lines_carry_the_codes_the_tables_print(case):
    _, result = case
    lines = [b for b in result["budget_lines"] if b["statement"] == "function_class" and not b["table_name"]]
    table = {b["function_code"]: b["amount_yuan"] for b in result["budget_lines"]
             if b["table_name"] and "一般公共预算支出功能分类" in b["table_name"] and b["expense_type"] is None}
    coded = [b for b in lines if b["function_code"]]
    # 2025 line 21 prints '卫生健康支出（类）卫生健康支出（款）计划生育事务（项）': no such code, kept as printed.
    assert len(lines) - len(coded) == (1 if result["document"]["fiscal_year"] == 2025 else 0)
    for line in coded:
        assert abs(table[line["function_code"]] - line["amount_yuan"]) <= 50, line["label"]


def test_three_public_and_agency_operating(case):
    expected, result = case
    three = expected["three_public"]
    for key in ("total", "overseas_travel", "reception", "vehicles", "vehicle_purchase", "vehicle_operation"):
        assert narrative(result, "three_public", key) == [wan(three[key])], key
        assert table_value(result, "三公", key, "three_public") == wan(three[key]), key
    assert narrative(result, "agency_operating", "total") == [wan(expected["agency_operating_cost"])]
    assert table_value(result, "三公", "total", "agency_operating") == wan(expected["agency_operating_cost"])
    change = next(c for c in result["stated_changes"] if (c["statement"], c["item"]) == ("three_public", "total"))
    stated = three["prior_year_change"]
    assert (change["direction"], change["change_yuan"]) == \
        (("flat", 0) if stated == "持平" else ("increase" if stated.startswith("+") else "decrease", wan(stated)))


def test_procurement_and_performance(case):
    expected, result = case
    assert narrative(result, "procurement", "total") == [wan(expected["procurement_total"])]
    for key, value in expected["procurement_breakdown"].items():
        assert narrative(result, "procurement", key) == [wan(value)], key
    summary = expected["performance_summary"]
    quantities = {b["item"]: b["quantity"] for b in result["budget_lines"] if b["statement"] == "performance"}
    assert (quantities["units"], quantities["project_count"]) == (summary["units"], summary["project_count"])
    assert narrative(result, "performance", "total") == [wan(summary["amount_wan"])]
    for project in expected["performance_projects"]:
        quarters = [b["amount_yuan"] for b in result["budget_lines"] if b["item"].endswith((":q1", ":q2", ":q3", ":q4"))]
        assert quarters == [wan(q) for q in project["quarterly_plan_wan"]]
        if "total_yuan" in project:
            # The key's name is the form's 项目名称; the narrative calls it 万里街道社区公共服务中心新建工程.
            form = [b for b in result["budget_lines"] if b["project_name"] == project["name"] and b["table_name"]]
            assert [b["amount_yuan"] for b in form] == [yuan(project["total_yuan"])]


def test_vehicles_and_assets(case):
    expected, result = case
    owned = [b["quantity"] for b in result["budget_lines"] if b["statement"] == "assets" and b["item"] == "vehicles_owned"]
    assert owned[0] == expected["vehicles_owned"]
    for key, value in expected.get("assets", {}).items():
        assert narrative(result, "assets", key.removesuffix("_wan")) == [wan(value)], key


def test_table_totals(case):
    expected, result = case
    tables = expected["tables_yuan"]
    assert table_value(result, "财务收支预算总表", "income:total") == yuan(tables["total"])
    assert table_value(result, "收入预算总表", "total") == yuan(tables["total"])
    assert table_value(result, "支出预算总表", "total") == yuan(tables["total"])
    assert table_value(result, "支出预算总表", "total:basic") == yuan(tables["basic"])
    assert table_value(result, "支出预算总表", "total:project") == yuan(tables["project"])
    assert table_value(result, "一般公共预算支出功能分类预算表", "total:basic") == yuan(tables["basic"])
    assert table_value(result, "经济分类预算表", "total") == yuan(tables["basic"])
    assert table_value(result, "经济分类预算表", "total:personnel") == yuan(tables["personnel"])
    assert table_value(result, "经济分类预算表", "total:public_use") == yuan(tables["public_use"])


@pytest.mark.parametrize("year, title, item, amount", [
    # A code printed '201 05 07' is the 项 2010507; a label wrapped over two lines is rejoined.
    (2023, "收入预算总表", "2010507", 601_300),
    (2023, "收入预算总表", "2010507:fiscal", 601_300),
    (2023, "支出预算总表", "2089999:basic", 11_434_477),
    (2023, "支出预算总表", "2120104:project", 0),
    (2023, "一般公共预算支出功能分类预算表", "2080505", 4_412_547),
    (2023, "经济分类预算表", "30201:public_use", 5_811_753),
    (2023, "经济分类预算表", "30302:personnel", 177_480),  # continued on the next page
    (2023, "财政拨款收支预算总表", "207:general_budget", 200_000),  # label wrapped around the amounts
    (2023, "财务收支预算总表", "income:general_budget", 164_978_640),
    (2023, "财务收支预算总表", "212", 121_319_878),
    (2023, "“三公”经费和机关运行经费预算表", "reception", 13_500),
    (2024, "收入预算总表", "total:other_income", 0),
    (2024, "经济分类预算表", "30102:personnel", 16_623_810),  # printed '301   2'
    (2025, "支出预算总表", "total:project", 88_425_805),
])
def test_table_cells(year, title, item, amount):
    assert table_value(extraction(year), title, item) == amount


def test_table_lines_keep_page_and_table_name():
    result = extraction(2023)
    line = next(b for b in result["budget_lines"] if b["item"] == "2080505" and b["table_name"])
    assert (line["page"], line["table_name"], line["function_code"], line["function_level"], line["label"]) == \
        (12, "部门收入预算总表", "2080505", "项", "机关事业单位基本养老保险缴费支出")
    assert line["source_text"].startswith("208   05   05   机关事业单位基本养老保险缴费支")


def test_empty_tables_are_recorded_as_empty():
    result = extraction(2023)
    empty = [(w["rule"], w["page"]) for w in result["warnings"] if w["rule"].startswith("empty")]
    assert empty == [("empty_table", 24), ("empty_table", 25)]
    assert not [b for b in result["budget_lines"] if b["table_name"] and "政府性基金预算支出" in b["table_name"]]


def test_prior_year_outturn_is_a_stated_change_not_a_budget_line():
    result = extraction(2023)
    change = next(c for c in result["stated_changes"] if c["function_code"] == "2010506")
    assert (change["prior_year"], change["prior_yuan"], change["change_pct_text"], change["direction"],
            change["reason_text"]) == (2022, 14_800, "77.70%", "increase", "统计管理经费增加")
    assert 14_800 not in [b["amount_yuan"] for b in result["budget_lines"] if b["statement"] == "function_class"]


def test_source_quirks_are_warned_not_corrected():
    rules = {year: [(w["rule"], w["page"]) for w in extraction(year)["warnings"]] for year in YEARS}
    assert rules == {
        2023: [("restated_amount_differs", 7), ("empty_table", 24), ("empty_table", 25)],
        # 2024's economic table prints '301   2' and '301   7' for 30102 and 30107.
        2024: [("restated_amount_differs", 9), ("empty_table", 27), ("empty_table", 28),
               ("short_code", 29), ("short_code", 29), ("empty_note_with_values", 31)],
        2025: [("unknown_function_name", 7), ("empty_table", 25), ("empty_table", 26)],
    }


def test_function_codes_printed_in_tables_feed_the_reference():
    from cnbudget.function_codes import official_name

    result = extraction(2023)
    printed = {b["function_code"]: b["label"] for b in result["budget_lines"]
               if b["table_name"] and b["function_code"] and "收入预算总表" in b["table_name"]}
    assert len(printed) == 66 and printed["2010507"] == "专项普查活动"
    # Codes the reference table lacks are handed on (package.py adds them with first_seen_in).
    assert [row["code"] for row in result["function_codes"]] == sorted(c for c in printed if official_name(c) is None)
    assert all(len(code) in (3, 5, 7) for code in printed)  # economic codes (301…) are another scheme


def test_the_three_pdfs_build_a_valid_package(tmp_path):
    """The dev PDFs (linked into a temp sources folder, never copied into the repo) pass frictionless."""
    from cnbudget.package import build_package

    sources = tmp_path / "sources"
    sources.mkdir()
    for year in YEARS:
        (sources / pdf_path(year).name).symlink_to(pdf_path(year))
        (sources / f"{year}-shanghai-putuo-wanli-budget.provenance.json").write_text(
            json.dumps({"file": pdf_path(year).name, "fiscal_year": year}), encoding="utf-8")
    counts = build_package(sources, tmp_path / "package")
    assert counts["documents"] == 3
    assert counts["budget_lines"] == sum(len(extraction(year)["budget_lines"]) for year in YEARS)
    codes = (tmp_path / "package" / "function_codes.csv").read_text(encoding="utf-8")
    # Every code a table prints is in function_codes (the foreign key of budget_lines validates it).
    table_codes = {b["function_code"] for year in YEARS for b in extraction(year)["budget_lines"] if b["function_code"]}
    assert all(f"\n{code}," in codes for code in table_codes)


def test_source_copy_errors_are_kept_as_printed():
    # 2023: '政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元' (copied from the line before).
    change = next(c for c in extraction(2023)["stated_changes"] if c["statement"] == "government_fund")
    assert (change["label"], change["direction"], change["change_yuan"]) == \
        ("政府性基金拨款支出预算", "increase", 14_212_500)
    # 2023 line 16 and 2024 line 31: the heading's figure is the line; the sentence's restatement is a warning.
    line = next(b for b in extraction(2024)["budget_lines"] if b["function_code"] == "2210201" and not b["table_name"])
    assert (line["amount_yuan"], line["amount_text"]) == (3_503_500, "350.35万元")


def test_a_real_pdf_cut_off_in_transfer(tmp_path):
    from cnbudget.errors import InputError
    from cnbudget.extract import extract_file

    data = pdf_path(2023).read_bytes()
    cut = tmp_path / "2023-cut.pdf"
    cut.write_bytes(data[: len(data) * 9 // 10])
    with pytest.raises(InputError) as raised:
        extract_file(cut)
    assert (raised.value.page, raised.value.expected) == (
        1, "the PDF is truncated (no %%EOF marker at the end of the file; no page can be read); "
           "expected a complete PDF as published")
