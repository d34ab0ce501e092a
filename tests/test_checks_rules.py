"""Each audit rule on hand-made records (synthetic, never published): budget_lines and stated_changes
in the schema's shape, any table title, any region — one table of cases per rule class."""

import pytest
from click.testing import CliRunner

from cnbudget.checks import check_extraction, summary_line
from cnbudget.cli import cli
from cnbudget.schema import columns
from tests.conftest import SEED

DOC = "2024-synthetic-unit-budget"


def line(line_id, statement, item, label, amount_text, amount_fen, **dims):
    """One budget_lines record; amount_fen exact, amount_yuan its rounding."""
    record = dict.fromkeys(columns("budget_lines"))
    record.update(document_id=DOC, line_id=line_id, fiscal_year=dims.pop("year", 2024), statement=statement,
                  item=item, label=label, amount_text=amount_text, amount_fen=amount_fen,
                  amount_yuan=None if amount_fen is None else (amount_fen + 50) // 100,
                  source_line=dims.pop("source_line", line_id * 10), page=dims.pop("page", 1),
                  source_text=dims.pop("source_text", f"{label}{amount_text}。"))
    record.update(dims)
    return record


def wan(line_id, statement, item, label, text, **dims):
    """A narrative figure printed in 万元 ('45.41')."""
    from decimal import Decimal

    return line(line_id, statement, item, label, f"{text}万元", int(Decimal(text) * 1_000_000), **dims)


def cell(line_id, statement, item, label, text, table="表三 支出表", unit=100, **dims):
    """A table cell printed without unit ('94,995,790' in 元: unit 100 分; a 万元 table: unit 1_000_000)."""
    from decimal import Decimal

    amount = int(Decimal(text.replace(",", "")) * unit)
    code = item.partition(":")[0]
    if code.isdigit():
        dims.setdefault("function_code", code)
        dims.setdefault("function_level", {3: "类", 5: "款", 7: "项"}[len(code)])
    return line(line_id, statement, item, label, text, amount, table_name=table, **dims)


def change(change_id, target, text, direction, change_fen=None, pct=None, prior_fen=None, year=2023, reason=None,
           source_text=None):
    """One stated_changes record about `target` (a budget line)."""
    record = dict.fromkeys(columns("stated_changes"))
    record.update(document_id=DOC, change_id=change_id, fiscal_year=2024, prior_year=year,
                  statement=target["statement"], item=target["item"], function_code=target.get("function_code"),
                  label=target["label"], line_id=target["line_id"], direction=direction,
                  change_yuan=None if change_fen is None else change_fen // 100, change_pct_text=pct,
                  prior_yuan=None if prior_fen is None else prior_fen // 100, change_text=text, reason_text=reason,
                  page=target["page"], source_line=target["source_line"],
                  source_text=source_text or target["source_text"])
    return record


def audit(lines, changes=(), kind="部门预算", warnings=()):
    result = {"document": {"document_id": DOC, "fiscal_year": 2024, "kind": kind}, "budget_lines": lines,
              "stated_changes": list(changes), "sections": [], "warnings": list(warnings)}
    return [(f["rule"], f["severity"]) for f in check_extraction(result)]


ITEM = dict(function_code="2012902", function_level="项")
X = "一般公共服务支出（类）群众团体事务（款）一般行政管理事务（项）"


def item_line(text="45.41", **dims):
    return wan(1, "function_class", "2012902", X, text, **{**ITEM, **dims})


# ------------------------------------------------------------ stated changes, against the named base

@pytest.mark.parametrize("make, expected", [
    pytest.param(lambda l: change(1, l, "比2023年预算执行数增加289.12%", "increase", pct="289.12%", prior_fen=11_670_000),
                 [], id="percentage follows from the printed prior (执行数)"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数增加314.82%", "increase", pct="314.82%", prior_fen=11_670_000),
                 [("stated_change_pct", "error")], id="percentage does not follow (dev 2023 p.6)"),
    pytest.param(lambda l: change(1, l, "比2023年预算增加33.74万元，增长289.1%", "increase", change_fen=33_740_000,
                                  pct="289.1%"), [], id="base = this year minus the stated change"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数增加100.00%", "increase", pct="100.00%", prior_fen=0),
                 [("stated_change_pct", "warning")], id="a rise from 0 printed as 100%: a convention"),
    pytest.param(lambda l: change(1, l, "比年初预算数增加45.41万元，增长0%", "increase", change_fen=45_410_000, pct="0%"),
                 [("stated_change_pct", "error")], id="0% against a base of 0"),
    pytest.param(lambda l: change(1, l, "比2024年预算增加10万元", "increase", change_fen=10_000_000, year=2024),
                 [("stated_change_year", "error")], id="a 2024 budget compared with 2024"),
    pytest.param(lambda l: change(1, l, "比2022年预算增加10万元", "increase", change_fen=10_000_000, year=2022),
                 [("stated_change_year", "warning")], id="compared with two years before"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数持平", "flat", change_fen=0, prior_fen=40_000_000),
                 [("stated_zero_change", "error")], id="持平 between 40.00 and 45.41: one finding, not two"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数增加5%", "increase", pct="5%", prior_fen=50_000_000),
                 [("stated_direction", "error"), ], id="增加 where the figure fell"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数增加13.52%", "increase", pct="13.52%", prior_fen=40_000_000,
                                  reason="宣传经费减少"),
                 [("stated_direction", "warning")], id="the reason says the opposite"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数减少5%", "decrease", pct="5%", prior_fen=47_800_000,
                                  reason="2025年新增1辆公务用车购置，但车辆类型不同"),
                 [], id="a reason that mentions 新增 is not a contradiction"),
    pytest.param(lambda l: change(1, l, "比2023年预算执行数增加60.54%", "increase", pct="60.54%", prior_fen=11_670_000,
                                  source_text=f"“{X}”45.41万元。2023年当年预算执行数为11.67万元，2024年预算安排18.73万元，"
                                              "比2023年预算执行数增加60.54%。"),
                 [("restated_figure", "error")],
                 id="the sentence restates the year's figure: one finding with its wrong percentage"),
])
def test_stated_change_rules(make, expected):
    target = item_line()
    assert audit([target], [make(target)]) == expected


def test_a_figure_of_zero_that_increased():
    fund = wan(1, "government_fund", "total", "政府性基金拨款支出预算", "0")
    stated = change(1, fund, "比2023年预算增加1421.25万元", "increase", change_fen=1_421_250_000)
    assert audit([fund], [stated]) == [("stated_zero_change", "error")]


def test_two_sentences_that_imply_different_prior_years():
    # 国家信访局 2026: one 项, one base (上年执行数), a fall of 21,519.26 and a rise of 2,022.94.
    target = wan(1, "function_class", "2014099", "其他信访事务支出", "3623.98", function_code="2014099",
                 function_level="项")
    down = change(1, target, "比2023年执行减少21519.26万元", "decrease", change_fen=-21_519_260_000)
    up = change(2, target, "比2023年执行数增加2022.94万元", "increase", change_fen=2_022_940_000)
    assert audit([target], [down, up]) == [("stated_change_conflict", "error")]


def test_percentages_within_the_rounding_of_the_printed_figures():
    # 1.48 → 2.63 is 77.70%; the amounts are rounded to 0.01万元, so 77.6% … 77.8% all follow.
    target = wan(1, "function_class", "2010506", "统计管理", "2.63", function_code="2010506", function_level="项")
    for pct in ("77.70%", "77.7%", "78%"):
        assert audit([target], [change(1, target, f"比2023年预算执行数增加{pct}", "increase", pct=pct,
                                       prior_fen=1_480_000)]) == []


# ------------------------------------------------------------ shares, on the base the sentence names

def shares_doc(*printed, text=None):
    total = wan(1, "general_budget", "total", "一般公共预算当年拨款", "569.65")
    names = [("201", "一般公共服务支出", "433.35"), ("208", "社会保障和就业支出", "63.79"),
             ("210", "卫生健康支出", "30.23"), ("221", "住房保障支出", "42.28")]
    sentence = text or "；".join(f"{n}{a}万元，占{p}" for (_, n, a), p in zip(names, printed))
    return [total] + [wan(n + 2, "general_budget", code, name, amount, function_code=code, function_level="类",
                          stated_share=p, source_line=50, source_text=sentence)
                      for n, ((code, name, amount), p) in enumerate(zip(names, printed))]


@pytest.mark.parametrize("lines, expected", [
    pytest.param(shares_doc("76.07%", "11.20%", "5.31%", "7.42%"), [], id="every share on its own total"),
    pytest.param(shares_doc("76.07%", "14.72%", "6.98%", "9.76%"),
                 [("stated_share", "warning"), ("share_breakdown_total", "error")],
                 id="three shares on another base: one finding; the four do not add to 100%"),
    pytest.param(shares_doc("76.07%", "11.20%", "5.31%", "7.43%"), [("stated_share", "error")],
                 id="7.43% does not follow, but a breakdown of 100.01% is within its rounding"),
    pytest.param(shares_doc("76.07%", "11.20%", "5.31%", "9.99%"),
                 [("stated_share", "error"), ("share_breakdown_total", "error")],
                 id="a share no printed amount gives"),
])
def test_share_rules(lines, expected):
    assert audit(lines) == expected


def test_a_share_on_the_base_the_sentence_names_is_right():
    # “占一般公共预算财政拨款支出的11.11%”: right on the named base, whatever the line's own statement.
    base = wan(1, "fiscal_appropriation", "total", "财政拨款支出", "900.00")
    part = wan(2, "three_public", "total", "“三公”经费", "100.00", stated_share="11.11%",
               source_text="“三公”经费100.00万元，占一般公共预算财政拨款支出的11.11%。")
    spending = wan(3, "expenditure", "total", "支出预算", "1000.00")
    assert audit([base, part, spending]) == []


def test_a_share_of_another_total_than_the_one_named():
    # 国家信访局: “占部门支出总额的22.00%” is 3,623.98 of 16,474.82 (一般公共预算), not of 50,616.94.
    spending = wan(1, "expenditure", "total", "支出预算总计", "50616.94")
    general = wan(2, "income", "general_budget", "一般公共预算拨款收入", "16474.82")
    item = wan(3, "function_class", "2014099", "其他信访事务支出", "3623.98", function_code="2014099",
               function_level="项", stated_share="22.00%",
               source_text="2026 年预算数为 3,623.98 万元，占部门支出总额的22.00%。")
    assert audit([spending, general, item]) == [("stated_share", "warning")]


# ------------------------------------------------------------ 决算: its own identities, never a budget's

def final_overview(closing="106848.91", kind_phase="final"):
    rows = [("本年收入合计", "430725.03"), ("使用非财政拨款结余（含专用结余）", "45110.97"), ("上年结转和结余", "93660.54"),
            ("本年支出合计", "457676.75"), ("结余分配", "4970.88"), ("年末结转和结余", closing)]
    return [cell(n, "overview", f"r{n}", label, amount, table="表1 收支决算总表", unit=1_000_000, phase=kind_phase)
            for n, (label, amount) in enumerate(rows, 1)]


@pytest.mark.parametrize("lines, kind, expected", [
    pytest.param(final_overview(), "部门决算", [], id="the university's 2023 决算 balances (569,496.54 each side)"),
    pytest.param(final_overview("106848.92"), "部门决算", [("final_identity", "rounding")], id="0.01万元 off: rounding"),
    pytest.param(final_overview("106000.00"), "部门决算", [("final_identity", "error")], id="848.91万元 off"),
    pytest.param(final_overview("106000.00"), "部门预算", [], id="not a 决算: no 决算 identity"),
])
def test_final_identity(lines, kind, expected):
    assert audit(lines, kind=kind) == expected


def test_budget_identities_are_not_applied_to_a_final():
    # A 决算's 收入 and 支出 differ by the carry-overs: not a finding, as it would be in a budget.
    income = wan(1, "income", "total", "本年收入合计", "430725.03", phase="final")
    spending = wan(2, "expenditure", "total", "本年支出合计", "457676.75", phase="final")
    assert audit([income, spending], kind="部门决算") == []
    assert audit([income, spending], kind="部门预算") == [("income_expenditure_total", "error")]


def test_a_final_line_is_never_summed_with_a_budget_line():
    total = wan(1, "expenditure", "total", "支出决算", "100.00", phase="final")
    basic = wan(2, "expenditure", "basic", "基本支出", "60.00", phase="final")
    project_budget = wan(3, "expenditure", "project", "项目支出年初预算", "55.00", phase="budget")
    project = wan(4, "expenditure", "project", "项目支出", "40.00", phase="final")
    assert audit([total, basic, project_budget, project], kind="部门决算") == []


@pytest.mark.parametrize("text, expected", [
    ("“三公”经费财政拨款支出决算为 0.16 万元，完成预算 0 万元的 0%。其中：公务接待费支出决算为 0.16 万元，完成预算 0 万元的 0%。",
     [("completion_rate", "error")]),
    ("年初预算为200.00万元，支出决算为150.00万元，完成年初预算的75.00%。", []),
    ("年初预算为200.00万元，支出决算为150.00万元，完成年初预算的80.00%。", [("completion_rate", "error")]),
])
def test_completion_rates(text, expected):
    target = wan(1, "three_public", "total", "“三公”经费", "0.16", source_text=text, phase="final")
    assert audit([target], kind="部门决算") == expected


# ------------------------------------------------------------ names and codes

@pytest.mark.parametrize("label, code, year, expected", [
    ("卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）", "2101101", 2024, []),
    ("医疗卫生与计划生育支出（类）行政事业单位医疗（款）行政单位医疗（项）", "2101101", 2024, [("function_name", "warning")]),
    ("医疗卫生与计划生育支出（类）行政事业单位医疗（款）行政单位医疗（项）", "2101101", 2018, []),
    ("医疗卫生支出", "210", 2024, [("function_name", "warning")]),
    ("一般公共服务", "201", 2024, []),
    ("其他公路水路运", "2140199", 2024, []),  # a cell cut short by its column: not a finding
    ("卫生健康支出（类）卫生健康支出（款）计划生育事务（项）", None, 2024, [("function_levels_swapped", "warning")]),
    ("城乡社区支出（类）城乡社区环境卫生（款）城乡社区环境卫生（项）", "2120501", 2024, []),
    ("其他支出", "229", 2024, []),
    ("某某支出", "299", 2024, [("function_code_unknown", "error")]),
])
def test_name_rules(label, code, year, expected):
    target = wan(1, "function_class", code or label, label, "20.00", function_code=code, year=year,
                 function_level="项" if code and len(code) == 7 else "类")
    result = {"document": {"document_id": DOC, "fiscal_year": year, "kind": "部门预算"}, "budget_lines": [target],
              "stated_changes": [], "sections": [], "warnings": []}
    assert [(f["rule"], f["severity"]) for f in check_extraction(result)] == expected


# ------------------------------------------------------------ the document repeating itself

def test_a_table_printed_twice_is_reported_once_and_counted_once():
    rows = [("201", "一般公共服务支出", "300"), ("20101", "人大事务", "300"), ("2010101", "行政运行", "300")]
    first = [cell(n, "expenditure", code, name, amount, table="支出总表", page=3) for n, (code, name, amount) in
             enumerate(rows, 1)] + [cell(4, "expenditure", "total", "合计", "300", table="支出总表", page=3)]
    again = [{**c, "line_id": c["line_id"] + 10, "page": 4, "source_line": c["source_line"] + 100} for c in first]
    assert audit(first + again) == [("repeated_lines", "warning")]


@pytest.mark.parametrize("reason, source_text, expected", [
    ("事业单位离退休经费增加", None, [("copied_note", "warning")]),
    ("机关事业单位职业年金缴费支出经费增加", None, []),
    ("项目调整", None, []),
    (None, "“…职业年金缴费支出（项）”220.63万元，比2023年预算执行数增加66.40%。主要原因是。", [("empty_reason", "warning")]),
])
def test_reasons(reason, source_text, expected):
    pension = wan(1, "function_class", "2080506", "社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）",
                  "220.63", function_code="2080506", function_level="项")
    retired = wan(2, "function_class", "2080502", "社会保障和就业支出（类）行政事业单位养老支出（款）事业单位离退休（项）",
                  "5.21", function_code="2080502", function_level="项")
    changes = [change(1, pension, "比2023年预算执行数增加66.40%", "increase", pct="66.40%", prior_fen=132_590_000,
                      reason=reason, source_text=source_text),
               change(2, retired, "比2023年预算执行数增加191.06%", "increase", pct="191.06%", prior_fen=1_790_000,
                      reason="事业单位离退休经费增加")]
    assert audit([pension, retired], changes) == expected


def test_a_table_marked_empty_that_prints_amounts():
    warning = {"document_id": DOC, "warning_id": 1, "rule": "empty_note_with_values", "page": 31, "source_line": 824,
               "message": "附表注明为空表，但印有数额", "source_text": "故本表为空表"}
    table = [cell(1, "three_public", "total", "合计", "479,100", table="任意标题的三公表")]
    assert audit(table, warnings=[warning]) == [("empty_note_with_values", "error")]


# ------------------------------------------------------------ tables by kind, whatever their titles

def coded_table(title, kind, rows, unit=100):
    return [cell(n, kind, item, label, amount, table=title, unit=unit) for n, (item, label, amount) in enumerate(rows, 1)]


@pytest.mark.parametrize("rows, unit, expected", [
    pytest.param([("212", "城乡社区支出", "154,369,326"), ("21201", "城乡社区管理事务", "94,995,790"),
                  ("2120101", "行政运行", "50,000,000"), ("2120104", "城管执法", "44,995,789"),
                  ("21205", "城乡社区环境卫生", "59,373,537"), ("2120501", "城乡社区环境卫生", "59,373,537"),
                  ("total", "合计", "154,369,326")], 100,
                 [("table_row_parts", "rounding")], id="1 元 in a 项 echoed up its 类: one rounding finding"),
    pytest.param([("212", "城乡社区支出", "154,369,326"), ("21201", "城乡社区管理事务", "94,995,790"),
                  ("2120101", "行政运行", "50,000,000"), ("2120104", "城管执法", "40,995,790"),
                  ("21205", "城乡社区环境卫生", "59,373,536"), ("2120501", "城乡社区环境卫生", "59,373,536"),
                  ("total", "合计", "154,369,326")], 100,
                 [("table_row_parts", "error")], id="4,000,000 元 missing under a 款"),
    pytest.param([("201", "一般公共服务支出", "6,960.90"), ("20108", "审计事务", "6,960.90"),
                  ("2010801", "行政运行", "5,466.52"), ("2010802", "一般行政管理事务", "919.44"),
                  ("2010804", "审计业务", "490.15"), ("2010805", "审计管理", "64.80"), ("2010806", "信息化建设", "20.00"),
                  ("total", "合计", "6,960.90")], 1_000_000,
                 [("table_row_parts", "rounding")], id="a 万元 table: 0.01万元 over five 项 is rounding (Shenzhen)"),
])
def test_table_rules_by_kind(rows, unit, expected):
    assert audit(coded_table("附表 任何地区的标题", "function_class", rows, unit)) == expected


def test_row_columns_only_sum_one_phase():
    # A 决算 table: 合计 (决算) = 基本 + 项目 (决算); the 年初预算 column is not a part.
    row = [cell(1, "expenditure", "2050205", "高等教育", "186,663.39", unit=1_000_000, phase="final"),
           cell(2, "expenditure", "2050205:basic", "高等教育", "152,569.36", unit=1_000_000, phase="final"),
           cell(3, "expenditure", "2050205:project", "高等教育", "34,094.03", unit=1_000_000, phase="final"),
           cell(4, "expenditure", "2050205:budget", "高等教育", "180,000.00", unit=1_000_000, phase="budget")]
    assert audit(row, kind="部门决算") == []


def test_cents_are_exact():
    # 昆明: 804,395.02 元 printed for 0 + 580,000.00 + 224,395.20: 0.18 元 in 元 with 分 is an error.
    table = [cell(1, "three_public", "total", "“三公”经费", "804,395.02", table="三公表", unit=100),
             cell(2, "three_public", "overseas_travel", "因公出国（境）费", "0.00", table="三公表", unit=100),
             cell(3, "three_public", "reception", "公务接待费", "580,000.00", table="三公表", unit=100),
             cell(4, "three_public", "vehicles", "公务用车购置及运行维护费", "224,395.20", table="三公表", unit=100)]
    assert audit(table) == [("table_three_public_parts", "error")]


def test_narrative_against_its_table_by_kind():
    narrative = wan(1, "expenditure", "total", "支出预算", "16497.86")
    table = cell(2, "expenditure", "total", "合计", "164,978,640", table="2023年部门支出预算总表（任意标题）")
    assert audit([narrative, table]) == []
    assert audit([{**narrative, "amount_fen": 16_597_860_000, "amount_text": "16597.86万元"}, table]) == [
        ("narrative_vs_table", "error")]


def test_agency_operating_above_basic_spending():
    # 珠海: 机关运行经费 10,884.55 above the whole 基本支出 7,519.44.
    lines = [wan(1, "agency_operating", "total", "机关运行经费", "10884.55"),
             wan(2, "expenditure", "basic", "基本支出", "7519.44")]
    assert audit(lines) == [("agency_operating_vs_basic", "warning")]


# ------------------------------------------------------------ the command

@pytest.mark.parametrize("args, status", [([], 0), (["--fail-on", "error"], 2), (["--fail-on", "warning"], 2)])
def test_check_fail_on(args, status):
    result = CliRunner().invoke(cli, ["check", str(SEED), *args])
    assert result.exit_code == status
    assert result.output.splitlines()[-1] == "共 9 条：错误 2，提示 6，尾差 1"


def test_summary_line_when_nothing_is_found():
    assert summary_line([]) == "未发现问题"


def test_several_files_need_a_reader_of_several(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(SEED), str(SEED)])
    assert result.exit_code in (0, 2) or "one PATH" in result.output


# ------------------------------------------------------------ what the reader missed is not the document's defect

@pytest.mark.parametrize("label, code", [
    ("行政运行（2010501）", "2010501"),
    ("[2011301]行政运行", "2011301"),
    ("2010601-行政运行", "2010601"),
    (">2080505社会保障和就业支出-行政事业单位养老支出-机关事业单位基本养老保险缴费", "2080505"),
])
def test_printed_codes_and_name_paths_are_not_names(label, code):
    assert audit([wan(1, "function_class", code, label, "20.00", function_code=code, function_level="项")]) == []


def test_a_part_printed_in_the_sentence_but_not_read_is_no_finding():
    # 西安: “共1,871.27万元，其中…货物类预算1,577.47万元、…服务类预算293.80万元、…工程类预算0.00万元”, 服务 not read.
    text = "政府采购预算共1,871.27万元，其中政府采购货物类预算1,577.47万元、政府采购服务类预算293.80万元、政府采购工程类预算0.00万元。"
    lines = [wan(1, "procurement", "total", "政府采购预算", "1871.27", source_text=text),
             wan(2, "procurement", "goods", "政府采购货物类预算", "1577.47", source_text=text),
             wan(3, "procurement", "works", "政府采购工程类预算", "0.00", source_text=text)]
    assert audit(lines) == []
    assert audit([{**l, "source_text": "政府采购预算共1,871.27万元。"} for l in lines]) == [("procurement_parts", "error")]


def test_a_change_tied_to_a_figure_its_sentence_does_not_print_is_not_judged():
    total = wan(1, "general_budget", "total", "一般公共预算拨款支出", "6210.93")
    meeting = change(1, total, "较上年减少7.21万元，下降55.46%", "decrease", change_fen=-7_210_000, pct="55.46%",
                     source_text="本部门当年一般公共预算会议费预算支出5.79万元，较上年减少7.21万元，下降55.46%。")
    meeting["source_line"] = 448
    assert audit([total], [meeting]) == []


def test_severity_in_chinese_follows_severity(seed_extraction):
    from cnbudget.audit.common import SEVERITY_ZH

    findings = check_extraction(seed_extraction)
    assert all(f["severity_zh"] == SEVERITY_ZH[f["severity"]] for f in findings)
    assert findings[1]["severity_zh"] == "提示"  # downgraded after the fact (the omitted 政府性基金 spending)


def test_a_column_that_is_part_of_another_is_not_summed():
    # 西南大学 收入预算表: 合计 = 财政拨款 + 事业收入 + 其他收入; “其中：教育收费” is part of 事业收入.
    cells = [cell(1, "income", "2050205", "高等教育", "352,132.88", unit=1_000_000, table="收入预算表"),
             cell(2, "income", "2050205:fiscal", "高等教育", "185,762.25", unit=1_000_000, table="收入预算表"),
             cell(3, "income", "2050205:business_income", "高等教育", "122,820.47", unit=1_000_000, table="收入预算表"),
             cell(4, "income", "2050205:tuition", "高等教育", "73,820.47", unit=1_000_000, table="收入预算表"),
             cell(5, "income", "2050205:other_income", "高等教育", "43,550.16", unit=1_000_000, table="收入预算表")]
    assert audit(cells) == []
    cells[4] = {**cells[4], "amount_fen": cells[4]["amount_fen"] + 1_000_000, "amount_text": "43,551.16"}
    assert audit(cells) == [("table_row_columns", "error")]


def test_change_and_rate_columns_are_not_parts():
    # 国家信访局: 2026 预算 beside 2025 执行数 and 增减 / 增减% columns.
    cells = [cell(1, "function_class", "20140", "信访事务", "33,586.67", unit=1_000_000, phase="budget"),
             cell(2, "function_class", "20140:basic", "信访事务", "10,044.47", unit=1_000_000, phase="budget"),
             cell(3, "function_class", "20140:project", "信访事务", "23,542.20", unit=1_000_000, phase="budget"),
             cell(4, "function_class", "20140:prior", "信访事务", "13,144.37", unit=1_000_000, phase="prior_outturn"),
             cell(5, "function_class", "20140:change", "信访事务", "-20,442.30", unit=1_000_000, phase="budget"),
             line(6, "function_class", "20140:change_pct", "信访事务", "-60.86%", None, table_name="表三", phase="budget")]
    assert audit(cells) == []


def test_a_line_without_phase_is_the_documents_own_figure():
    # The narrative (phase unset) against a table whose cells say phase=budget: compared.
    narrative = wan(1, "expenditure", "total", "支出预算", "16597.86")
    table = cell(2, "expenditure", "total", "合计", "164,978,640", table="支出预算总表", phase="budget")
    assert audit([narrative, table]) == [("narrative_vs_table", "error")]


def test_a_narrative_total_restated_by_its_table_with_another_amount():
    # 国家信访局: “财政拨款收支总预算 18,728.91 万元”; the 财政拨款收支总表 (万元) prints 18,728.94.
    narrative = wan(1, "fiscal_appropriation", "total", "财政拨款收支总预算", "18728.91")
    table = cell(2, "fiscal_appropriation", "total", "支出总计", "18,728.94", table="财政拨款收支总表", unit=1_000_000)
    assert audit([narrative, table]) == [("narrative_vs_table", "error")]
    assert audit([{**narrative, "amount_fen": 18_728_940_000, "amount_text": "18728.94万元"}, table]) == []


@pytest.mark.parametrize("odd", [
    dict(stated_share="约12%"), dict(stated_share="%"), dict(amount_text=None), dict(label=None),
    dict(amount_fen=None, amount_yuan=None), dict(function_code="2"), dict(function_code="abc"),
    dict(page=None, source_line=None, source_text=None), dict(phase="prior_outturn"),
])
def test_odd_records_never_raise(odd):
    lines = shares_doc("76.07%", "14.72%", "5.31%", "7.42%")
    lines[2] = {**lines[2], **odd}
    target = item_line()
    changes = [change(1, target, "比上年增加%", "increase", pct="%"), change(2, target, "", "flat", prior_fen=0),
               {**change(3, target, "比2023年增加", "increase", change_fen=5), "prior_year": None, "line_id": 99}]
    assert isinstance(audit(lines + [target], changes), list)


@pytest.mark.parametrize("table, note, expected", [
    ("政府性基金预算支出功能分类预算表", "注：本部门2024年无政府性基金预算财政拨款安排的预算，故本表为空表。", []),
    ("政府性基金预算支出功能分类预算表", "注：本部门2024年无国有资本经营预算财政拨款安排的预算，故本表为空表。",
     [("copied_note", "warning")]),
    ("国有资本经营预算支出功能分类预算表", "注：本部门2023年无国有资本经营预算财政拨款安排的预算，故本表为空表。",
     [("copied_note", "warning")]),  # a 2024 document: the note of last year's
])
def test_a_table_note_copied_from_another_table_or_year(table, note, expected):
    warning = {"document_id": DOC, "warning_id": 1, "rule": "empty_table", "page": 24, "source_line": 600,
               "message": f"附表“{table}”为空表（{note}）", "source_text": note}
    assert audit([cell(1, "function_class", "total", "合计", "0", table=table)], warnings=[warning]) == expected


def test_a_former_name_in_its_own_year():
    # 佛山 2019 决算: 20805 was 行政事业单位离退休 until the 2020 classification (行政事业单位养老支出).
    for year, expected in ((2019, []), (2021, [("function_name", "warning")])):
        line = wan(1, "function_class", "20805", "行政事业单位离退休", "76.23", function_code="20805",
                   function_level="款", year=year)
        result = {"document": {"document_id": DOC, "fiscal_year": year, "kind": "部门决算"}, "budget_lines": [line],
                  "stated_changes": [], "sections": [], "warnings": []}
        assert [(f["rule"], f["severity"]) for f in check_extraction(result)] == expected


# ------------------------------------------------------------ what the reader cannot tell is not a finding

@pytest.mark.parametrize("label, code", [
    ("出行政事业单位离退", "20805"),  # the tail of the row above, then the start of its own (former) name
    ("险缴费支出机关事业单位职业年金缴", "2080505"),  # the next row's name, wrapped onto this one
    ("养老保险缴费支出机关事业单位职业年金缴费支出", "2080506"),
    ("出", "2080505"),
])
def test_names_rejoined_from_wrapped_cells_are_not_judged(label, code):
    target = cell(1, "function_class", code, label, "20.00", unit=1_000_000)
    assert audit([target]) == []


def test_an_item_named_in_a_sentence_before_its_budget_word():
    # '教育支出预算数207,796.18万元': the narrative's label, not another name for 教育支出.
    target = wan(1, "function_class", "205", "教育支出预算数", "207796.18", function_code="205", function_level="类")
    assert audit([target]) == []


@pytest.mark.parametrize("columns, expected", [
    pytest.param({"": "2,776.75", "basic": "2,772.25", "personnel": "2,536.91", "public_use": "235.33",
                  "project": "4.50"}, [], id="人员/公用经费 beside 基本支出 are its parts, not the 合计's"),
    pytest.param({"": "76.23", "general_budget": "76.23", "fiscal": "0.00"}, [],
                 id="funds that do not add up to the 财政拨款 column beside them"),
    pytest.param({"": "10,737.69", "basic": "9,206.23", "project": "1,531.46", "政府采购项目": "775.86"}, [],
                 id="a column under another heading (政府采购) is not a part"),
    pytest.param({"": "97.80", "project": "58,788.54", "project#2": "58,786.90"}, [],
                 id="two columns under one heading: the parts are unknown"),
    pytest.param({"": "2,776.75", "basic": "2,772.25", "project": "3.50"}, [("table_row_columns", "error")],
                 id="parts that do not add up"),
])
def test_row_columns_sum_the_parts_of_the_total(columns, expected):
    row = [cell(n, "expenditure", f"201:{key}".rstrip(":"), "一般公共服务支出", text, unit=1_000_000)
           for n, (key, text) in enumerate(columns.items(), 1)]
    assert audit(row) == expected


@pytest.mark.parametrize("label, expected", [
    ("本部门当年一般公共预算会议费预算支出", ("expenditure", "meeting")),
    ("本部门当年一般公共预算培训费预算支出", ("expenditure", "training")),
    ("国家信访局2026年委托业务费财政拨款预算", ("expenditure", "commissioned_services")),
    ("支出预算", ("expenditure", "total")),
])
def test_a_meeting_fee_is_not_the_spending_total(label, expected):
    from cnbudget.narrative import classify

    assert classify(label, "expenditure")[:2] == expected


def test_a_share_of_the_total_its_own_sentence_states():
    # 西南大学 2023: “财政拨款支出总计为237,100.00万元，其中基本支出199,015.13万元，占总支出的83.94%”.
    text = "财政拨款支出总计为237,100.00万元，其中基本支出199,015.13万元，占总支出的83.94%。"
    spending = wan(1, "expenditure", "total", "总支出", "457676.75", source_line=5)
    fiscal = wan(2, "fiscal_appropriation", "total", "财政拨款支出总计", "237100.00", source_line=9, source_text=text)
    basic = wan(3, "expenditure", "basic", "基本支出", "199015.13", source_line=9, source_text=text,
                stated_share="83.94%")
    assert audit([spending, fiscal, basic]) == []


def test_a_class_share_with_no_base_named_is_of_the_general_budget():
    # 国家信访局: “按照支出功能分类，一般公共服务（类）支出13,144.37万元，占79.78%” (一般公共预算当年拨款).
    general = wan(1, "income", "general_budget", "一般公共预算拨款收入", "16474.82")
    cls = wan(2, "function_class", "201", "一般公共服务（类）", "13144.37", function_code="201", function_level="类",
              stated_share="79.78%", source_text="一般公共服务（类）支出13,144.37万元，占79.78%。")
    assert audit([general, cls]) == []


def test_one_misprinted_total_is_one_finding_whatever_the_rules_that_see_it():
    # 国家信访局: 财政拨款收支总预算 18,728.91 against its parts (18,728.94), its classes and its table.
    total = wan(1, "fiscal_appropriation", "total", "财政拨款收支总预算", "18728.91")
    parts = [wan(2, "fiscal_appropriation", "general_budget", "一般公共预算当年拨款收入", "16474.82"),
             wan(3, "fiscal_appropriation", "carryover", "上年结转", "2254.12")]
    table = cell(4, "fiscal_appropriation", "total", "总计", "18,728.94", table="财政拨款收支总表", unit=1_000_000)
    assert audit([total, *parts]) == [("income_sources_total", "error")]
    assert audit([total, *parts, table]) == [("narrative_vs_table", "error")]  # the sum is its echo


def test_a_table_total_of_this_year_against_the_overview_that_adds_carry_overs():
    # 西南大学 2021: 收入预算表 合计 = 本年收入合计 390,140.45; the overview's 收入总计 490,808.40 adds 上年结转.
    overview = [cell(1, "overview", "income:current_total", "本年收入合计", "390,140.45", table="收支预算总表", unit=1_000_000),
                cell(2, "overview", "income:total", "收入总计", "490,808.40", table="收支预算总表", unit=1_000_000)]
    income = cell(3, "income", "total", "合计", "390,140.45", table="收入预算表", unit=1_000_000)
    stated = wan(4, "income", "total", "收入预算", "490808.40")
    assert audit([*overview, income, stated]) == []


def test_a_narrower_total_is_not_the_expenditure_tables_total():
    # 西南大学 2023: “财政拨款支出总计为237,100.00万元” is not the 支出决算表's 457,676.75.
    stated = wan(1, "expenditure", "total", "财政拨款支出总计", "237100.00")
    table = cell(2, "expenditure", "total", "合计", "457,676.75", table="支出决算表", unit=1_000_000)
    assert audit([stated, table]) == []


def test_a_continued_table_reprinting_its_total_row_is_not_printed_twice():
    first = [cell(n, "income", item, label, "1668.14", table="收入决算表", page=8)
             for n, (item, label) in enumerate([("total", "合计"), ("total:fiscal", "合计"), ("208", "社保")], 1)]
    again = [{**c, "line_id": c["line_id"] + 10, "page": 9, "source_line": c["source_line"] + 100} for c in first[:2]]
    assert audit(first + again) == []


@pytest.mark.parametrize("label, expected", [
    ("经营收入", ("income", "operating_income")),
    ("上缴上级支出", ("expenditure", "paid_to_higher")),
    ("对附属单位补助支出", ("expenditure", "affiliate_subsidy")),
])
def test_a_final_accounts_part_is_not_its_total(label, expected):
    from cnbudget.narrative import classify

    assert classify(label, "income")[:2] == expected


def test_no_projects_of_one_type_is_not_a_performance_total():
    # 烟台: “无财政拨款业务类和投资发展类项目，不涉及绩效目标设置。” beside 项目支出781.50万元.
    none = line(1, "performance", "total", "业务类和投资发展类项目", "无", 0,
                source_text="2026年烟台市审计局部门无财政拨款业务类和投资发展类项目，不涉及绩效目标设置。")
    project = wan(2, "expenditure", "project", "项目支出", "781.50")
    assert audit([none, project]) == []


def test_a_reason_ends_at_its_clause():
    # 西南大学 2021: “…主要原因是重点实验室拨款增加；住房保障支出比上年增加7.68万元”: the next item, not the reason.
    science = wan(1, "function_class", "206", "科学技术支出预算数", "1512.90", function_code="206", function_level="类")
    housing = wan(2, "function_class", "221", "住房保障支出", "7243.45", function_code="221", function_level="类")
    changes = [change(1, science, "比上年增加166.77万元", "increase", change_fen=16_677_000,
                      reason="重点实验室拨款增加；住房保障支出比上年增加 7.68 万元"),
               change(2, housing, "比上年增加7.68万元", "increase", change_fen=768_000)]
    assert [r for r in audit([science, housing], changes) if r[0] == "copied_note"] == []


def test_a_code_printed_again_under_another_unit_is_not_mixed_into_the_first_row():
    # 北京: the 一般公共预算支出表 lists each unit's rows; 2080502 under unit A has no 公用经费, under unit B it has.
    first = [cell(1, "function_class", "2080502", "事业单位离退休", "1.902000", unit=1_000_000, source_line=206),
             cell(2, "function_class", "2080502:personnel", "事业单位离退休", "1.902000", unit=1_000_000, source_line=206)]
    second = [cell(3, "function_class", "2080502", "事业单位离退休", "22.758200", unit=1_000_000, source_line=221),
              cell(4, "function_class", "2080502:personnel", "事业单位离退休", "20.190200", unit=1_000_000, source_line=221),
              cell(5, "function_class", "2080502:public_use", "事业单位离退休", "2.568000", unit=1_000_000, source_line=221)]
    assert audit(first + second) == []


def test_performance_indicators_repeated_per_project_are_not_a_reprint():
    rows = [("时效指标", "12"), ("质量指标", "100"), ("满意度指标", "95")]
    first = [cell(n, "performance", f"{name}:value", name, v, table="项目支出绩效目标表", page=16)
             for n, (name, v) in enumerate(rows, 1)]
    again = [{**c, "line_id": c["line_id"] + 10, "page": 17, "source_line": c["source_line"] + 100} for c in first]
    assert audit(first + again) == []


@pytest.mark.parametrize("label, code", [("医疗卫生与计划生育支出", "210"), ("医疗卫生支出", "210")])
def test_an_old_or_variant_name_in_a_table_row_is_still_a_finding(label, code):
    assert audit([cell(1, "function_class", code, label, "20.00", unit=1_000_000)]) == [("function_name", "warning")]


# ------------------------------------------------------------ 决算 against its own year's budget

@pytest.mark.parametrize("text, same_year, base", [
    ("决算数大于年初预算数", False, ("budget", "年初预算数")),
    ("决算大于 预算数", False, ("budget", "年初预算数")),
    ("决算数小于调整预算数", False, ("adjusted_budget", "调整预算数")),
    ("比预算数增加97.19万元，增长0%", True, ("budget", "年初预算数")),  # a 决算's own year: 年初预算
    ("比2023年预算增加10万元", False, ("prior_budget", "上年预算数")),
    ("比上年决算数增加5.00万元", False, ("prior_final", "上年决算数")),
])
def test_the_base_a_comparison_names(text, same_year, base):
    from cnbudget.audit.common import base_of

    assert base_of(text, same_year=same_year) == base


def test_a_final_compared_with_its_own_budget():
    # 佛山 2019 决算 p.27: “机关运行经费支出 97.19 万元，比预算数增加 97.19 万元，增长 0%” — a base of 0.
    spent = wan(1, "agency_operating", "total", "本部门机关运行经费支出", "97.19", year=2024, phase="final")
    stated = change(1, spent, "比预算数增加 97.19 万元，增长 0%", "increase", change_fen=97_190_000, pct="0%", year=2024)
    result = {"document": {"document_id": DOC, "fiscal_year": 2024, "kind": "部门决算"}, "budget_lines": [spent],
              "stated_changes": [stated], "sections": [], "warnings": []}
    [finding] = check_extraction(result)
    assert (finding["rule"], finding["severity"]) == ("stated_change_pct", "error")
    assert finding["message_zh"] == "本部门机关运行经费支出：年初预算数为0，增减幅度无从计算，原文印为0%"
    # A stated reason with no amount (“决算数大于年初预算数的主要原因是…”) is not a comparison with another year.
    reason = change(1, spent, "决算数大于年初预算数", "increase", year=2024, reason="新增机构")
    assert audit([spent], [reason], kind="部门决算") == []


def test_an_item_printed_with_its_budget_and_its_final_is_summed_once():
    # '1.行政运行（2010101）。年初预算为800.00万元，支出决算为780.00万元': two lines of one item, one of each phase.
    total = wan(1, "general_budget", "total", "一般公共预算财政拨款支出决算", "1150.00", phase="final")
    planned = wan(2, "function_class", "2010101", "行政运行", "800.00", phase="budget", function_code="2010101",
                  function_level="项")
    spent = wan(3, "function_class", "2010101", "行政运行", "780.00", phase="final", function_code="2010101",
                function_level="项")
    other = wan(4, "function_class", "2010102", "一般行政管理事务", "370.00", phase="final", function_code="2010102",
                function_level="项")
    assert audit([total, planned, spent, other], kind="部门决算") == []


def test_one_small_income_figure_dropped_by_the_rounded_totals_is_one_finding():
    # 佛山 2019 决算: 其他收入 0.01万元 is printed, the totals (1668.14) leave it out: the narrative's income
    # sources, the 决算 identity and the income table's row each miss by +0.01 — one defect, one finding.
    narrative = [wan(1, "income", "total", "总收入", "1668.14", phase="final"),
                 wan(2, "income", "general_budget", "一般公共预算财政拨款收入", "1668.14", phase="final"),
                 wan(3, "income", "other_income", "其他收入", "0.01", phase="final")]
    table = "收入支出决算总表"
    overview = [cell(10, "overview", "r1", "本年收入合计", "1668.14", table=table, unit=1_000_000, phase="final"),
                cell(11, "overview", "r2", "年初结转和结余", "0.00", table=table, unit=1_000_000, phase="final"),
                cell(12, "overview", "r3", "本年支出合计", "1668.14", table=table, unit=1_000_000, phase="final"),
                cell(13, "overview", "r4", "年末结转和结余", "0.01", table=table, unit=1_000_000, phase="final")]
    result = {"document": {"document_id": DOC, "fiscal_year": 2024, "kind": "部门决算"},
              "budget_lines": narrative + overview, "stated_changes": [], "sections": [], "warnings": []}
    [finding] = check_extraction(result)
    assert (finding["rule"], finding["severity"], finding["expected_yuan"], finding["actual_yuan"]) == (
        "final_identity", "rounding", 16_681_400, 16_681_500)
    assert "其他收入之和为1668.15万元" in finding["echoes"]
    # An expenditure rounding of the same size is another defect: not folded in.
    basic = [wan(20, "basic_expenditure", "total", "基本支出", "100.00", phase="final"),
             wan(21, "basic_expenditure", "personnel", "人员经费", "60.00", phase="final"),
             wan(22, "basic_expenditure", "public_use", "公用经费", "40.01", phase="final")]
    result["budget_lines"] += basic
    assert sorted(f["rule"] for f in check_extraction(result)) == ["final_identity", "personnel_public_basic"]


def test_two_changes_of_one_item_named_in_the_text_and_coded_in_the_table():
    # 国家信访局 2026: p.19 “2014099 其他信访事务支出…比 2025 年执行减少 21,519.26 万元”, p.21 “…其他信访事务支出（项）
    # 2026 年预算数为 3,623.98 万元，比 2025 年执行数增加 2,022.94 万元”: the second has no code of its own, its
    # table prints “2014099 其他信访事务支出” — one item, one base, two different prior years.
    coded = wan(1, "function_class", "2014099", "2014099 其他信访事务支出", "3623.98", function_code="2014099",
                function_level="项")
    named = wan(2, "function_class", "一般公共服务支出(类)信访事务(款)其他信访事务支出(项)",
                "一般公共服务支出（类）信访事务（款）其他信访事务支出（项）", "3623.98", function_level="项")
    table = cell(3, "general_budget", "2014099", "其他信访事务支出", "3,623.98", table="一般公共预算支出表",
                 unit=1_000_000)
    down = change(1, coded, "比 2025 年执行减少 21,519.26万元，减少 85.59%", "decrease", change_fen=-21_519_260_000)
    up = change(2, named, "比 2025 年执行数增加 2,022.94 万元，增幅 126.35%", "increase", change_fen=2_022_940_000)
    assert audit([coded, named, table], [down, up]) == [("stated_change_conflict", "error")]
    # Two 项 of that name under different codes in the tables: which one is meant cannot be told.
    other = cell(4, "general_budget", "2019999", "其他信访事务支出", "1.00", table="一般公共预算支出表", unit=1_000_000)
    assert "stated_change_conflict" not in {rule for rule, _ in audit([coded, named, table, other], [down, up])}


def test_the_narratives_economic_classes_add_up_to_the_figure_they_follow():
    # 西安 2026 p.17-19: 支出6,210.93万元，其中：工资福利支出（301）3,249.39 … (6,210.92), and the 政府预算 list
    # (501 …) the same: a 0.01 rounding, one defect.
    def listing(first_id, codes):
        names = {"301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助", "310": "资本性支出",
                 "501": "机关工资福利支出", "502": "机关商品和服务支出", "503": "机关资本性支出", "509": "对个人和家庭的补助"}
        amounts = {"301": "3249.39", "302": "2282.14", "303": "75.39", "310": "604.00",
                   "501": "3249.39", "502": "2282.14", "503": "604.00", "509": "75.39"}
        total = wan(first_id, "general_budget", "total", "本部门当年一般公共预算支出", "6210.93")
        return [total] + [wan(first_id + n, "economic_class", code, f"{names[code]}（{code}）", amounts[code],
                              economic_class=names[code]) for n, code in enumerate(codes, 1)]
    lines = listing(1, ["301", "302", "303", "310"]) + listing(10, ["501", "502", "503", "509"])
    assert audit(lines) == [("economic_classes_total", "rounding")]
    exact = listing(1, ["301", "302", "303"]) + [wan(5, "economic_class", "310", "资本性支出（310）", "604.01")]
    assert audit(exact) == []


@pytest.mark.parametrize("explanation, expected", [
    ("8.重点实验室及相关设施（2060204）：反映国家（重点）实验室、国家重大科技基础设施等的支出。",
     [("function_name", "warning")]),
    ("8.实验室及相关设施（2060204）：反映国家（重点）实验室的支出。", []),  # named alike
    ("重点实验室及相关设施（2060204）主要用于…", []),  # not an explanation (no 反映)
])
def test_a_code_named_otherwise_than_the_documents_own_explanation(explanation, expected):
    # 西南大学 2023 决算 p.18 “8.实验室及相关设施（2060204）” and p.19 “8.重点实验室及相关设施（2060204）：反映…”;
    # 2060204 is not in the reference table, the document's explanation is the name to hold it to.
    item = wan(1, "function_class", "2060204", "实验室及相关设施（2060204）", "1707.93", function_code="2060204",
               function_level="项")
    result = {"document": {"document_id": DOC, "fiscal_year": 2023, "kind": "部门决算"}, "budget_lines": [item],
              "stated_changes": [], "warnings": [],
              "sections": [{"text": "名词解释"}, {"text": explanation}]}
    assert [(f["rule"], f["severity"]) for f in check_extraction(result)] == expected


@pytest.mark.parametrize("first, second, one_defect", [
    (("final_identity", "overview", 100), ("income_sources_total", "income", 100), True),
    (("income_sources_total", "income", 100), ("table_row_parts", "income", 100), True),
    (("income_sources_total", "income", 100), ("table_row_parts", "income", -100), False),  # the other way
    (("table_row_parts", "income", 100), ("table_row_parts", "overview", 100), False),  # no whole ties them
    (("income_sources_total", "income", 100), ("table_row_parts", "basic_expenditure", 100), False),
])
def test_which_income_roundings_are_one_defect(first, second, one_defect):
    from cnbudget.audit.grouping import income_rounding

    def finding(rule, statement, gap):
        return {"rule": rule, "statement": statement, "severity": "rounding", "expected_yuan": 16_681_400,
                "actual_yuan": 16_681_400 + gap}
    assert income_rounding(finding(*first), finding(*second)) is one_defect
