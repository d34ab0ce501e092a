"""Table-to-text cross-checks of a PDF disclosure: does the narrative say what the nine tables print?

`crosscheck_extraction(result) -> list of findings`, in the shape of `cnbudget.checks` findings
(document_id, finding_id, rule, severity, statement, message_zh, message_en, expected_yuan,
actual_yuan, source_lines, line_ids; the last two as "12;45"). `expected_yuan` is the table cell
(or the printed whole), `actual_yuan` the narrative figure (or the sum of the parts).
A document without tables (a text disclosure) gives no findings here.

Rules:
- `narrative_vs_table`: a narrative 万元 figure against its table cell in 元; the narrative rounds
  to 0.01万元, so a gap of up to 100 元 is rounding, not a finding.
- `agency_operating_vs_basic`: 机关运行经费 is part of the 公用经费 of the basic-expenditure table.
- `table_three_public_parts`: the 三公 table's total is the sum of its parts, 公务用车 of purchase + operation.
- `table_vs_overview`: each table's total against 财务收支预算总表 (the overview).
- `table_total_vs_rows`: a table's 合计 row against the sum of its 类 rows, per column.
- `table_row_columns`: in each row, the 合计 column against the sum of the other columns.
- `table_row_parts`: a 类 row against the sum of its 款 rows, a 款 row against its 项 rows.
- `missing_table`, `empty_note_with_values`: a table not found, or marked empty but printing amounts.
"""

from collections import defaultdict

ROUNDING_YUAN = 100  # one 0.01万元 step
TABLE_ROUNDING_YUAN = 1  # tables print whole 元: a 1 元 gap in a sum is a rounding of cents


def arithmetic_severity(expected, actual):
    """'rounding' for a gap of at most 1 元 in a table's own sums, else 'error'."""
    return "rounding" if abs(expected - actual) <= TABLE_ROUNDING_YUAN else "error"

# (narrative statement, item) -> (table title fragment, table statement, table item)
NARRATIVE_TO_TABLE = [
    (("income", "total"), ("收入预算总表", "income", "total")),
    (("income", "fiscal"), ("收入预算总表", "income", "total:fiscal")),
    (("income", "business_income"), ("收入预算总表", "income", "total:business_income")),
    (("income", "operating_income"), ("收入预算总表", "income", "total:operating_income")),
    (("income", "other_income"), ("收入预算总表", "income", "total:other_income")),
    (("expenditure", "total"), ("支出预算总表", "expenditure", "total")),
    (("government_fund", "total"), ("政府性基金预算支出功能分类预算表", "government_fund", "total")),
    (("state_capital", "total"), ("国有资本经营预算支出功能分类预算表", "state_capital", "total")),
    (("agency_operating", "total"), ("“三公”经费和机关运行经费预算表", "agency_operating", "total")),
] + [
    (("three_public", item), ("“三公”经费和机关运行经费预算表", "three_public", item))
    for item in ("total", "overseas_travel", "reception", "vehicles", "vehicle_purchase", "vehicle_operation")
]

# (table title fragment, statement, item) -> (overview item): table totals the overview restates.
TABLE_TO_OVERVIEW = [
    (("收入预算总表", "income", "total"), "income:total"),
    (("支出预算总表", "expenditure", "total"), "total"),
    (("财政拨款收支预算总表", "fiscal_appropriation", "income:total"), "income:fiscal"),
    (("财政拨款收支预算总表", "fiscal_appropriation", "total"), "income:fiscal"),
    (("一般公共预算支出功能分类预算表", "function_class", "total"), "income:general_budget"),
    (("政府性基金预算支出功能分类预算表", "government_fund", "total"), "income:government_fund"),
    (("国有资本经营预算支出功能分类预算表", "state_capital", "total"), "income:state_capital"),
]
COLUMN_ZH = {"": "合计", "fiscal": "财政拨款", "basic": "基本支出", "project": "项目支出", "personnel": "人员经费",
             "public_use": "公用经费", "business_income": "事业收入", "operating_income": "事业单位经营收入",
             "other_income": "其他收入", "general_budget": "一般公共预算", "government_fund": "政府性基金预算",
             "state_capital": "国有资本经营预算"}
COLUMN_TABLES = ["收入预算总表", "支出预算总表", "一般公共预算支出功能分类预算表", "经济分类预算表"]


class Tables:
    """Table cells of one extraction, found by (title fragment, statement, item)."""

    def __init__(self, budget_lines):
        self.lines = [b for b in budget_lines if b["table_name"]]
        self.titles = {b["table_name"] for b in self.lines}

    def has(self, title):
        return any(title in name for name in self.titles)

    def get(self, title, statement, item):
        return next((b for b in self.lines if title in b["table_name"] and b["statement"] == statement
                     and b["item"] == item), None)

    def of(self, title):
        return [b for b in self.lines if title in b["table_name"]]


def crosscheck_extraction(result):
    """Every table-to-text finding of one extraction (empty list when it has no tables)."""
    tables = Tables(result["budget_lines"])
    if not tables.lines:
        return []
    findings = []
    add = Findings(result["document"]["document_id"], findings)
    narrative_vs_table(result, tables, add)
    agency_operating_vs_basic(result, tables, add)
    three_public_parts(tables, add)
    table_vs_overview(tables, add)
    table_total_vs_rows(tables, add)
    table_row_columns(tables, add)
    table_row_parts(tables, add)
    table_warnings(result, add)
    return findings


class Findings:
    """Appends findings with running ids."""

    def __init__(self, document_id, out):
        self.document_id, self.out = document_id, out

    def __call__(self, rule, severity, statement, message_zh, message_en, expected, actual, lines):
        self.out.append({
            "document_id": self.document_id, "finding_id": len(self.out) + 1, "rule": rule,
            "severity": severity, "statement": statement, "message_zh": message_zh, "message_en": message_en,
            "expected_yuan": expected, "actual_yuan": actual,
            "source_lines": ";".join(str(n) for n in sorted({l["source_line"] for l in lines if l and l["source_line"]})),
            "line_ids": ";".join(str(n) for n in sorted({l["line_id"] for l in lines if l and l.get("line_id")})),
        })


def wan(yuan):
    return f"{yuan / 10000:.2f}万元" if yuan is not None else "无"


def narrative_vs_table(result, tables, add):
    """Each narrative figure (万元) against its table cell (元), within one 0.01万元 step."""
    narrative = [b for b in result["budget_lines"] if not b["table_name"] and b["amount_yuan"] is not None]
    pairs = []
    for line in narrative:
        if line["statement"] == "function_class" and line["function_code"]:
            target = ("一般公共预算支出功能分类预算表", "function_class", line["function_code"])
        else:
            target = dict(NARRATIVE_TO_TABLE).get((line["statement"], line["item"]))
        if target and tables.has(target[0]):
            pairs.append((line, target))
    seen = set()
    for line, (title, statement, item) in pairs:
        cell = tables.get(title, statement, item)
        table_yuan = cell["amount_yuan"] if cell else 0  # a cell left blank (or an empty table) prints nothing
        key = (line["statement"], line["item"], line["amount_yuan"])
        if key in seen:
            continue  # 支出预算 / 财政拨款支出预算: one total stated twice is one check
        seen.add(key)
        if abs(line["amount_yuan"] - table_yuan) > ROUNDING_YUAN:
            add("narrative_vs_table", "error", line["statement"],
                f"说明中“{line['label']}”为{line['amount_text']}，附表“{title}”为{table_yuan:,}元",
                f"the narrative states {line['amount_text']} for '{line['label']}'; table '{title}' prints "
                f"{table_yuan:,} yuan", table_yuan, line["amount_yuan"], [line, cell])


def agency_operating_vs_basic(result, tables, add):
    """机关运行经费 is paid from 公用经费: it cannot exceed the basic table's 公用经费 total."""
    public_use = tables.get("经济分类预算表", "economic_class", "total:public_use")
    for line in result["budget_lines"]:
        if (line["statement"], line["item"]) != ("agency_operating", "total") or line["amount_yuan"] is None:
            continue
        if public_use is None:
            continue
        if line["amount_yuan"] > public_use["amount_yuan"] + ROUNDING_YUAN:
            source = "附表" if line["table_name"] else "说明"
            add("agency_operating_vs_basic", "warning", "agency_operating",
                f"{source}中机关运行经费{wan(line['amount_yuan'])}超过基本支出公用经费合计{public_use['amount_yuan']:,}元",
                f"agency operating cost {wan(line['amount_yuan'])} ({source}) exceeds the basic-expenditure "
                f"public-use total {public_use['amount_yuan']:,} yuan",
                public_use["amount_yuan"], line["amount_yuan"], [line, public_use])


def three_public_parts(tables, add):
    """三公 table: total = 出国 + 接待 + 车辆; 车辆 = 购置 + 运行."""
    title = "“三公”经费和机关运行经费预算表"
    cell = {item: tables.get(title, "three_public", item)
            for item in ("total", "overseas_travel", "reception", "vehicles", "vehicle_purchase", "vehicle_operation")}
    if cell["total"] is None:
        return
    for whole, parts in (("total", ("overseas_travel", "reception", "vehicles")),
                         ("vehicles", ("vehicle_purchase", "vehicle_operation"))):
        if cell[whole] is None:
            continue
        total = sum(cell[p]["amount_yuan"] or 0 for p in parts if cell[p])
        if abs(total - cell[whole]["amount_yuan"]) > ROUNDING_YUAN:
            add("table_three_public_parts", "error", "three_public",
                f"“三公”表中{cell[whole]['label']}{cell[whole]['amount_text']}不等于各项之和{wan(total)}",
                f"three-public table: {whole} {cell[whole]['amount_text']} differs from the sum of its parts {wan(total)}",
                cell[whole]["amount_yuan"], total, [cell[whole]] + [cell[p] for p in parts])


def table_vs_overview(tables, add):
    """Each table's total against the overview (财务收支预算总表), plus the overview's 类 rows."""
    if not tables.has("财务收支预算总表"):
        return
    for (title, statement, item), overview_item in TABLE_TO_OVERVIEW:
        if not tables.has(title):
            continue
        cell = tables.get(title, statement, item)
        overview = tables.get("财务收支预算总表", "overview", overview_item)
        table_yuan = cell["amount_yuan"] if cell else 0
        overview_yuan = overview["amount_yuan"] if overview else 0
        if table_yuan != overview_yuan:
            add("table_vs_overview", "error", statement,
                f"附表“{title}”合计{table_yuan:,}元，财务收支预算总表为{overview_yuan:,}元",
                f"table '{title}' totals {table_yuan:,} yuan; the overview table prints {overview_yuan:,} yuan",
                overview_yuan, table_yuan, [cell, overview])
    for overview in tables.of("财务收支预算总表"):
        if overview["function_level"] != "类":
            continue
        cell = tables.get("支出预算总表", "expenditure", overview["function_code"])
        if cell is None or cell["amount_yuan"] != overview["amount_yuan"]:
            actual = cell["amount_yuan"] if cell else None
            add("table_vs_overview", "error", "expenditure",
                f"财务收支预算总表“{overview['label']}”{overview['amount_yuan']:,}元，支出预算总表为"
                f"{'无' if actual is None else f'{actual:,}元'}",
                f"overview class '{overview['label']}' {overview['amount_yuan']:,} yuan; the expenditure table "
                f"prints {actual}", overview["amount_yuan"], actual, [overview, cell])


def table_total_vs_rows(tables, add):
    """A table's 合计 row against the sum of its 类 rows (or economic 类 rows), column by column."""
    for title in COLUMN_TABLES:
        sums, totals = defaultdict(int), {}
        for cell in tables.of(title):
            row, _, column = cell["item"].partition(":")
            if row == "total":
                totals[column] = cell
            elif len(row) == 3 and row.isdigit():
                sums[column] += cell["amount_yuan"] or 0
        for column, total in totals.items():
            if sums[column] != total["amount_yuan"]:
                add("table_total_vs_rows", arithmetic_severity(sums[column], total["amount_yuan"]), total["statement"],
                    f"附表“{total['table_name']}”合计行{COLUMN_ZH.get(column, column)}列{total['amount_yuan']:,}元，"
                    f"各类之和为{sums[column]:,}元",
                    f"table '{total['table_name']}': total row {total['amount_yuan']:,} yuan, sum of class rows "
                    f"{sums[column]:,} yuan", total["amount_yuan"], sums[column], [total])


def row_cells(tables, title):
    """{row key: {column key ('' = 合计): cell}} of one table, in printed order."""
    rows = {}
    for cell in tables.of(title):
        row, _, column = cell["item"].partition(":")
        rows.setdefault(row, {})[column] = cell
    return rows


def table_row_columns(tables, add):
    """Each row's 合计 column against the sum of its other columns (basic + project, …)."""
    for title in COLUMN_TABLES + ["财政拨款收支预算总表"]:
        for row, cells in row_cells(tables, title).items():
            if "" not in cells or len(cells) < 2 or row.startswith("income"):
                continue
            parts = sum(c["amount_yuan"] or 0 for column, c in cells.items() if column)
            total = cells[""]
            if parts != total["amount_yuan"]:
                add("table_row_columns", arithmetic_severity(parts, total["amount_yuan"]), total["statement"],
                    f"附表“{total['table_name']}”“{total['label']}”合计{total['amount_yuan']:,}元，各列之和为{parts:,}元",
                    f"table '{total['table_name']}', row '{total['label']}': total {total['amount_yuan']:,} yuan, "
                    f"sum of the other columns {parts:,} yuan", total["amount_yuan"], parts, [total])


def table_row_parts(tables, add):
    """A 类 (款) row against the sum of the 款 (项) rows printed under it, per column."""
    for title in COLUMN_TABLES:
        rows = row_cells(tables, title)
        for row, cells in rows.items():
            if not row.isdigit() or len(row) not in (3, 5):
                continue
            children = [r for r in rows if r.isdigit() and len(r) == len(row) + 2 and r.startswith(row)]
            if not children:
                continue
            for column, cell in cells.items():
                parts = sum((rows[child].get(column) or {}).get("amount_yuan") or 0 for child in children)
                if parts != cell["amount_yuan"]:
                    add("table_row_parts", arithmetic_severity(parts, cell["amount_yuan"]), cell["statement"],
                        f"附表“{cell['table_name']}”“{cell['label']}”{COLUMN_ZH.get(column, column)}列{cell['amount_yuan']:,}元，"
                        f"下级科目之和为{parts:,}元",
                        f"table '{cell['table_name']}', row {row} '{cell['label']}', column '{column or 'total'}': "
                        f"{cell['amount_yuan']:,} yuan, "
                        f"its sub-rows sum to {parts:,} yuan", cell["amount_yuan"], parts, [cell])


def table_warnings(result, add):
    """Tables the extraction could not find, or that say they are empty but print amounts."""
    for warning in result["warnings"]:
        if warning["rule"] in ("missing_table", "empty_note_with_values"):
            add(warning["rule"], "warning", None, warning["message"],
                "a budget table is missing" if warning["rule"] == "missing_table"
                else "a table is marked empty (本表为空表) but prints amounts", None, None, [warning])
