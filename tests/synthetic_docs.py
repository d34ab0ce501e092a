"""Small synthetic disclosures (HTML, printed to PDF) for every table kind, code layout and unit.

Every figure here is made up and every page says so (合成测试数据，非真实预算). They let a fresh
clone, without the real documents of ../shared, test the table reader end to end: the HTML is
printed to PDF by headless Chromium (Debian package `chromium`, fonts-wqy-microhei for the Han
text; `make system-deps`), then read back with `pdftotext -layout` like any published PDF.

    tables = synthetic_tables()            # [SyntheticTable] with their expected cells
    html = document_html(tables)           # one page per table
    write_pdf(html, path)                  # -> path, or None when Chromium is missing

Each SyntheticTable carries `expected`: (statement, item, amount in 分, phase, function_code) per
cell, in the order a reader meets them (row by row, left to right).
"""

import html as html_escape
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

SYNTHETIC = "合成测试数据（synthetic），非真实预算"
UNIT_FACTOR = {"元": Decimal(1), "万元": Decimal(10_000)}
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


@dataclass
class SyntheticTable:
    """A table to print: title, unit, header rows [(text, colspan, rowspan)], body rows, expectations."""

    title: str
    unit: str
    header: list
    rows: list  # [[cell text, …]]: amounts right-aligned, '' for a blank cell
    expected: list = field(default_factory=list)  # [(statement, item, fen, phase, function_code)]
    note: str = ""
    kind: str = ""


def fen(text, unit):
    """'1,200.50' 万元 -> 120050 00 分, exactly."""
    return int(Decimal(text.replace(",", "")) * UNIT_FACTOR[unit] * 100)


# ---------------------------------------------------------------- function-coded tables

# (code, name, indent level, amounts 合计/基本支出/项目支出) — a small but real 类/款/项 tree.
FUNCTION_ROWS = [
    ("201", "一般公共服务支出", 0, ("1,250.50", "850.25", "400.25")),
    ("20101", "人大事务", 1, ("1,250.50", "850.25", "400.25")),
    ("2010101", "行政运行", 2, ("850.25", "850.25", "")),
    ("2010102", "一般行政管理事务", 2, ("400.25", "", "400.25")),
    ("208", "社会保障和就业支出", 0, ("96.10", "96.10", "")),
    ("20805", "行政事业单位养老支出", 1, ("96.10", "96.10", "")),
    ("2080505", "机关事业单位基本养老保险缴费支出", 2, ("96.10", "96.10", "")),
]
TOTAL_ROW = ("1,346.60", "946.35", "400.25")
COLUMN_KEYS = ("", "basic", "project")


def code_cells(layout, code, name, level):
    """The label cells of a coded row, as one layout prints them."""
    if layout == "seven_digit":
        return [code, name]
    if layout == "split":  # 类 / 款 / 项 in columns of their own
        parts = [code[:3], code[3:5], code[5:7]]
        return [p for p in parts] + [name]
    if layout == "dash":
        return [f"{code}-{name}"]
    if layout == "bracket":
        return [f"[{code}]{name}"]
    if layout == "no_code":
        return ["\u3000" * (2 * level) + name]
    raise ValueError(layout)


LAYOUT_HEAD = {
    "seven_digit": [("科目编码", 1, 1), ("科目名称", 1, 1)],
    "split": [("类", 1, 1), ("款", 1, 1), ("项", 1, 1), ("科目名称", 1, 1)],
    "dash": [("功能分类科目", 1, 1)],
    "bracket": [("功能分类科目", 1, 1)],
    "no_code": [("科目名称", 1, 1)],
}


def function_table(title, statement, layout, unit="万元", scale=None, phase="budget"):
    """A 类/款/项 table (合计 基本支出 项目支出) in one code layout; `scale` rewrites the amounts."""
    head = LAYOUT_HEAD[layout] + [("合计", 1, 1), ("基本支出", 1, 1), ("项目支出", 1, 1)]
    rows, expected = [], []
    for code, name, level, amounts in FUNCTION_ROWS:
        amounts = tuple(scale(a) if scale and a else a for a in amounts)
        rows.append(code_cells(layout, code, name, level) + list(amounts))
        for key, amount in zip(COLUMN_KEYS, amounts):
            if amount:
                expected.append((statement, f"{code}:{key}" if key else code, fen(amount, unit), phase, code))
    total = tuple(scale(a) if scale else a for a in TOTAL_ROW)
    rows.append([""] * (len(LAYOUT_HEAD[layout]) - 1) + ["合计"] + list(total))
    for key, amount in zip(COLUMN_KEYS, total):
        expected.append((statement, f"total:{key}" if key else "total", fen(amount, unit), phase, None))
    return SyntheticTable(title, unit, [head], rows, expected, kind=layout)


def six_decimals(amount):
    """'1,250.50' -> '1,250.500012': 万元 printed to six decimals (北京)."""
    return amount + "0012" if amount else amount


def in_yuan(amount):
    """'1,250.50' 万元 -> '12,505,000.37' 元 with 分 (西安)."""
    if not amount:
        return amount
    yuan = Decimal(amount.replace(",", "")) * 10_000 + Decimal("0.37")
    return f"{yuan:,.2f}"


# ---------------------------------------------------------------- the other kinds

def overview_table():
    """部门收支总表: 收入 items beside 支出 items (two-sided), 万元."""
    header = [[("收入", 2, 1), ("支出", 2, 1)], [("项目", 1, 1), ("预算数", 1, 1), ("项目", 1, 1), ("预算数", 1, 1)]]
    rows = [
        ["一、一般公共预算拨款收入", "1,300.60", "一、一般公共服务支出", "1,250.50"],
        ["二、事业收入", "40.00", "二、社会保障和就业支出", "96.10"],
        ["三、其他收入", "6.00", "", ""],
        ["本年收入合计", "1,346.60", "本年支出合计", "1,346.60"],
        ["收入总计", "1,346.60", "支出总计", "1,346.60"],
    ]
    s, u = "overview", "万元"
    expected = [
        (s, "income:general_budget", fen("1,300.60", u), "budget", None), (s, "201", fen("1,250.50", u), "budget", "201"),
        (s, "income:business_income", fen("40.00", u), "budget", None), (s, "208", fen("96.10", u), "budget", "208"),
        (s, "income:other_income", fen("6.00", u), "budget", None),
        (s, "income:current_total", fen("1,346.60", u), "budget", None),
        (s, "current_total", fen("1,346.60", u), "budget", None),
        (s, "income:total", fen("1,346.60", u), "budget", None), (s, "total", fen("1,346.60", u), "budget", None),
    ]
    return SyntheticTable("部门收支总表", u, header, rows, expected, kind="overview")


def income_table():
    """部门收入总表: one total row, columns by fund source."""
    header = [[("合计", 1, 1), ("上年结转", 1, 1), ("一般公共预算拨款收入", 1, 1), ("事业收入", 1, 1), ("其他收入", 1, 1)]]
    amounts = ["1,346.60", "0.00", "1,300.60", "40.00", "6.00"]
    keys = ["total", "total:carryover", "total:general_budget", "total:business_income", "total:other_income"]
    expected = [("income", k, fen(a, "万元"), "budget", None) for k, a in zip(keys, amounts)]
    return SyntheticTable("部门收入总表", "万元", header, [amounts], expected, kind="income")


def basic_table():
    """一般公共预算基本支出表: 部门预算支出经济分类 301/30101 …, 人员经费 and 公用经费."""
    header = [[("科目编码", 1, 1), ("科目名称", 1, 1), ("合计", 1, 1), ("人员经费", 1, 1), ("公用经费", 1, 1)]]
    rows = [
        ["301", "工资福利支出", "800.25", "800.25", ""],
        ["30101", "基本工资", "500.25", "500.25", ""],
        ["30102", "津贴补贴", "300.00", "300.00", ""],
        ["302", "商品和服务支出", "146.10", "", "146.10"],
        ["30201", "办公费", "146.10", "", "146.10"],
        ["", "合计", "946.35", "800.25", "146.10"],
    ]
    expected = []
    for code, _, *amounts in rows:
        for key, amount in zip(("", "personnel", "public_use"), amounts):
            if amount:
                row = code or "total"
                expected.append(("economic_class", f"{row}:{key}" if key else row, fen(amount, "万元"), "budget", None))
    return SyntheticTable("一般公共预算基本支出表", "万元", header, rows, expected, kind="basic_expenditure")


def three_public_table():
    """“三公”经费支出表: 合计, 因公出国（境）费, 公务用车购置及运行费 (小计, 购置费, 运行费), 公务接待费."""
    header = [
        [("合计", 1, 2), ("因公出国（境）费", 1, 2), ("公务用车购置及运行费", 3, 1), ("公务接待费", 1, 2)],
        [("小计", 1, 1), ("公务用车购置费", 1, 1), ("公务用车运行费", 1, 1)],
    ]
    amounts = ["112.61", "68.50", "38.60", "0.00", "38.60", "5.51"]
    keys = ["total", "overseas_travel", "vehicles", "vehicle_purchase", "vehicle_operation", "reception"]
    expected = [("three_public", k, fen(a, "万元"), "budget", None) for k, a in zip(keys, amounts)]
    return SyntheticTable("财政拨款“三公”经费支出表", "万元", header, [amounts], expected, kind="three_public")


def empty_fund_table():
    """政府性基金预算支出表 printed empty, with its note."""
    header = [[("科目编码", 1, 1), ("科目名称", 1, 1), ("合计", 1, 1), ("基本支出", 1, 1), ("项目支出", 1, 1)]]
    return SyntheticTable("政府性基金预算支出表", "万元", header, [["", "合计", "", "", ""]], [],
                          note="注：本部门没有政府性基金预算拨款安排的支出，本表为空表。", kind="government_fund")


def final_table():
    """一般公共预算财政拨款支出决算表: 年初预算数 | 决算数 (phases budget and final)."""
    header = [[("科目编码", 1, 2), ("科目名称", 1, 2), ("年初预算数", 1, 2), ("决算数", 3, 1)],
              [("合计", 1, 1), ("基本支出", 1, 1), ("项目支出", 1, 1)]]
    rows = [
        ["201", "一般公共服务支出", "1,200.00", "1,250.50", "850.25", "400.25"],
        ["2010101", "行政运行", "800.00", "850.25", "850.25", ""],
        ["", "合计", "1,200.00", "1,250.50", "850.25", "400.25"],
    ]
    s, u = "function_class", "万元"
    expected = []
    for code, _, budget, *finals in rows:
        row = code or "total"
        expected.append((s, row, fen(budget, u), "budget", code or None))
        for key, amount in zip(COLUMN_KEYS, finals):
            if amount:
                expected.append((s, f"{row}:{key}" if key else row, fen(amount, u), "final", code or None))
    return SyntheticTable("一般公共预算财政拨款支出决算表", u, header, rows, expected, kind="final")


def purchase_table():
    """政府购买服务预算表: a regional extra, read as a generic table under its own title."""
    header = [[("项目名称", 1, 1), ("预算金额", 1, 1)]]
    rows = [["统计调查服务", "120.00"], ["信息系统运维服务", "80.50"], ["合计", "200.50"]]
    expected = [("procurement", "统计调查服务", fen("120.00", "万元"), "budget", None),
                ("procurement", "信息系统运维服务", fen("80.50", "万元"), "budget", None),
                ("procurement", "total", fen("200.50", "万元"), "budget", None)]
    return SyntheticTable("政府购买服务预算表", "万元", header, rows, expected, kind="generic")


def synthetic_tables():
    """Every synthetic table: the standard kinds, five code layouts, three units."""
    tables = [overview_table(), income_table()]
    tables += [function_table(f"一般公共预算支出表（{name}）", "function_class", layout)
               for layout, name in (("seven_digit", "七位编码"), ("split", "类款项分列"), ("dash", "编码-名称"),
                                    ("bracket", "方括号编码"), ("no_code", "无编码"))]
    tables.append(function_table("部门支出总表", "expenditure", "seven_digit", unit="万元", scale=six_decimals))
    tables.append(function_table("财政拨款支出表（元）", "function_class", "seven_digit", unit="元", scale=in_yuan))
    tables += [basic_table(), three_public_table(), empty_fund_table(), final_table(), purchase_table()]
    return tables


# ---------------------------------------------------------------- rendering

STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "WenQuanYi Micro Hei", sans-serif; font-size: 11pt; }
h2 { text-align: center; font-size: 15pt; margin: 4mm 0; }
.unit { text-align: right; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 1mm 2mm; }
th { text-align: center; font-weight: normal; }
td.amount { text-align: right; }
.page { page-break-after: always; }
"""


def is_amount(text):
    """An amount cell (right-aligned, as printed); codes such as 2010101 stay left-aligned."""
    return "." in text and text.replace(",", "").replace(".", "").isdigit()


def table_html(table):
    """One table on its own page: title, unit note, header rows, body, note."""
    out = [f'<div class="page"><p>{SYNTHETIC}</p><h2>{html_escape.escape(table.title)}</h2>',
           f'<p class="unit">单位：{table.unit}</p><table>']
    for row in table.header:
        cells = "".join(f'<th colspan="{c}" rowspan="{r}">{html_escape.escape(t)}</th>' for t, c, r in row)
        out.append(f"<tr>{cells}</tr>")
    for row in table.rows:
        cells = "".join(f'<td class="amount">{t}</td>' if is_amount(t) else f"<td>{html_escape.escape(t)}</td>"
                        for t in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    if table.note:
        out.append(f"<p>{html_escape.escape(table.note)}</p>")
    out.append("</div>")
    return "\n".join(out)


def document_html(tables, title="2030年某某局部门预算"):
    """A whole synthetic disclosure: a cover naming it synthetic, then one page per table."""
    body = "\n".join(table_html(table) for table in tables)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}（{SYNTHETIC}）</title>'
            f"<style>{STYLE}</style></head><body><div class=\"page\"><h1>{title}</h1><p>{SYNTHETIC}</p>"
            f"<p>预算主管部门：某某局</p></div>\n{body}\n</body></html>")


def chromium():
    return next((path for path in map(shutil.which, CHROMIUM) if path), None)


def write_pdf(html, path, timeout=120):
    """Print the HTML to `path` with headless Chromium; None when Chromium is not installed."""
    browser = chromium()
    if browser is None:
        return None
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "synthetic.html"
        source.write_text(html, encoding="utf-8")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={path}", source.as_uri()],
                       capture_output=True, timeout=timeout, check=False)
    return path if path.exists() and path.stat().st_size else None
