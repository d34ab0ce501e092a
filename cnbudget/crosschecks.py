"""Appendix tables against the narrative and against each other, keyed on table kind, never on a title.

A table is the cells of one `table_name` and one `statement` (its kind: income, expenditure,
function_class, economic_class, fiscal_appropriation, overview, three_public …). A cell's item is
"row:column": the row a function code (or `total`), the column a key such as `basic`, `fiscal` or
"" for 合计. Only cells of one `phase` are ever summed together (a 决算's 年初预算 column is not a
part of its 决算 column).

`crosscheck_extraction(result)` returns findings in the shape of `cnbudget.checks` (document_id,
finding_id, rule, severity, statement, message_zh, message_en, expected_yuan, actual_yuan,
source_lines, line_ids, pages). `crosscheck(doc)` reports into a `cnbudget.checks.Document`, which
merges one defect's echoes into one finding. Rules:

- `narrative_vs_table`: a narrative figure against the same kind's table cell (row total or column of
  the total row), within the rounding of both.
- `agency_operating_vs_basic`: 机关运行经费 is part of the basic spending's 公用经费 (a warning).
- `table_three_public_parts`: a 三公 table's total = 出国 + 接待 + 车辆, 车辆 = 购置 + 运行.
- `table_vs_overview`: each kind's total against the overview table (收支总表).
- `table_total_vs_rows`: a table's total row against the sum of its 类 rows, per column.
- `table_row_columns`: in each row, the 合计 column against the sum of the other columns.
- `table_row_parts`: a 类 row against its 款 rows, a 款 row against its 项 rows, per column.
"""

import re
from collections import defaultdict

from cnbudget.audit import repeats
from cnbudget.audit.common import fen, gap_severity, money, printed_like, tolerance

COLUMN_ZH = {"": "合计", "fiscal": "财政拨款", "basic": "基本支出", "project": "项目支出", "personnel": "人员经费",
             "public_use": "公用经费", "business_income": "事业收入", "operating_income": "事业单位经营收入",
             "other_income": "其他收入", "general_budget": "一般公共预算", "government_fund": "政府性基金预算",
             "state_capital": "国有资本经营预算"}
# Kinds whose rows are 类/款/项 (or economic 类/款) and whose columns add up to the 合计 column.
ROW_TABLE_KINDS = ("income", "expenditure", "function_class", "economic_class", "basic_expenditure",
                   "fiscal_appropriation", "government_fund", "state_capital")
# Column keys that are a part of another column ("其中：…"), never summed into 合计; columns of changes.
NOT_PARTS = ("of:", "其中")
CHANGE_COLUMNS = ("change", "增减", "比上年", "pct", "rate", "完成率")
# The columns that are parts of a row's 合计 (the standard's fund sources and spending types); a
# column under any other heading (政府采购项目, 其中：中小企业 …) is not summed into it.
PART_COLUMNS = {"fiscal", "general_budget", "government_fund", "state_capital", "special_account",
                "operating_income", "business_income", "higher_subsidy", "affiliate_income", "non_fiscal_balance",
                "unit_funds", "other_income", "carryover", "personnel", "public_use", "basic", "project",
                "paid_to_higher", "operating_expenditure", "affiliate_subsidy"}

# (narrative statement, item) -> (table kind, cell item) where the narrative's own key differs.
NARRATIVE_TO_CELL = {
    ("income", "fiscal"): ("income", "total:fiscal"),
    ("income", "business_income"): ("income", "total:business_income"),
    ("income", "operating_income"): ("income", "total:operating_income"),
    ("income", "other_income"): ("income", "total:other_income"),
}
# The overview's totals of each side: 本年收入/支出合计 and 收入/支出总计.
OVERVIEW_TOTALS = {"income": ("income:current_total", "income:total"), "expenditure": ("current_total", "total")}
# A narrative label about a part of the income or spending (财政拨款, 一般公共预算): never the whole table's total.
NARROWER_SUBJECT = re.compile(r"财政拨款|一般公共预算|政府性基金|国有资本")
NARRATIVE_KINDS = {"income", "expenditure", "fiscal_appropriation", "government_fund", "state_capital", "agency_operating",
                   "three_public", "procurement"}

# (table kind, cell item) -> overview item: the totals the overview restates.
TABLE_TO_OVERVIEW = [
    (("income", "total"), "income:total"),
    (("expenditure", "total"), "total"),
    (("fiscal_appropriation", "income:total"), "income:fiscal"),
    (("fiscal_appropriation", "total"), "income:fiscal"),
    (("function_class", "total"), "income:general_budget"),
    (("government_fund", "total"), "income:government_fund"),
    (("state_capital", "total"), "income:state_capital"),
]


def split(cell):
    row, _, column = str(cell["item"]).partition(":")
    return row, column


def is_code(row):
    return row.isdigit() and len(row) in (3, 5, 7)


class Tables:
    """Table cells of one document, by kind and table."""

    def __init__(self, lines):
        self.lines = [l for l in lines if l.get("table_name")]
        self.tables = defaultdict(list)
        for line in self.lines:
            self.tables[(line["statement"], line["table_name"])].append(line)

    def of_kind(self, kind):
        return [cells for (statement, _), cells in self.tables.items() if statement == kind]

    def cell(self, kind, item, phase=None):
        """The first cell of this kind and item (of this phase, when given) in any table of the kind."""
        return next((l for cells in self.of_kind(kind) for l in cells
                     if l["item"] == item and (phase is None or l.get("phase") == phase)), None)


def crosscheck_extraction(result):
    """Every table finding of one extraction, merged (empty list when it has no tables)."""
    from cnbudget.checks import Document

    doc = Document(result)
    crosscheck(doc)
    return doc.finish()


def crosscheck(doc):
    """Report every table rule into `doc` (a cnbudget.checks.Document)."""
    tables = Tables(doc.all_lines)
    agency_operating_vs_basic(doc, tables)
    if not tables.lines:
        return
    repeats.check_empty_tables(doc)
    narrative_vs_table(doc, tables)
    three_public_parts(doc, tables)
    table_vs_overview(doc, tables)
    for (kind, name), cells in tables.tables.items():
        if kind in ROW_TABLE_KINDS:
            rows = row_cells(cells)
            table_total_vs_rows(doc, rows)
            table_row_columns(doc, rows, kind)
            table_row_parts(doc, rows)


def narrative_vs_table(doc, tables):
    """Each narrative figure against its cell, once per figure (a total stated twice is one check)."""
    seen = set()
    for line in doc.lines:
        amount = fen(line)
        if amount is None:
            continue
        if line["statement"] == "function_class" and line.get("function_code"):
            target = ("function_class", line["function_code"])
        elif (line["statement"], line["item"]) in NARRATIVE_TO_CELL:
            target = NARRATIVE_TO_CELL[(line["statement"], line["item"])]
        elif line["statement"] in NARRATIVE_KINDS:
            target = (line["statement"], line["item"])
        else:
            continue
        if target[0] in ("income", "expenditure") and NARROWER_SUBJECT.search(line["label"] or ""):
            continue  # '财政拨款支出总计': a part of the spending, not the expenditure table's total
        cell = tables.cell(*target, phase=line.get("phase"))
        key = (line["statement"], line["item"], amount)
        if cell is None or fen(cell) is None or key in seen:
            continue
        if str(target[1]).startswith("total") and amount in overview_totals(tables, target[0], line.get("phase")):
            continue  # the narrative states the overview's 收入总计 (with carry-overs), the table 本年收入合计
        seen.add(key)
        if abs(amount - fen(cell)) > tolerance([line, cell]):
            doc.report("narrative_vs_table", "error", line["statement"],
                       f"说明中“{line['label']}”为{line['amount_text']}，附表“{cell['table_name']}”为{printed_like(cell)}",
                       f"the narrative states {line['amount_text']} for '{line['label']}'; table "
                       f"'{cell['table_name']}' prints {printed_like(cell)}", fen(cell), amount, [line, cell],
                       key=("figure", line["statement"], line.get("function_code") or line["item"]))


def overview_totals(tables, kind, phase):
    """The overview's totals of one side, in 分: 本年收入合计 and 收入总计 (with carry-overs and balances)."""
    items = OVERVIEW_TOTALS["income" if kind == "income" else "expenditure"]
    return {fen(c) for c in (tables.cell("overview", item, phase=phase) for item in items) if c and fen(c) is not None}


def fiscal_totals(tables):
    """The totals printed by the 财政拨款收支总表 (本年支出合计, 支出总计)."""
    return [c for cells in tables.of_kind("fiscal_appropriation") for c in cells
            if split(c)[0] in ("total", "current_total") and fen(c) is not None]


def agency_operating_vs_basic(doc, tables):
    """机关运行经费 is paid from 公用经费 (or at least from 基本支出): it cannot exceed them."""
    ceiling = (tables.cell("economic_class", "total:public_use") or doc.first("basic_expenditure", "public_use")
               or tables.cell("expenditure", "total:basic") or doc.first("expenditure", "basic"))
    if ceiling is None or fen(ceiling) is None:
        return
    for line in doc.all_lines:
        if (line["statement"], line["item"]) != ("agency_operating", "total") or fen(line) is None:
            continue
        if fen(line) > fen(ceiling) + tolerance([line, ceiling]):
            source = "附表" if line.get("table_name") else "说明"
            doc.report("agency_operating_vs_basic", "warning", "agency_operating",
                       f"{source}中机关运行经费{money(fen(line))}超过{ceiling['label']}{money(fen(ceiling))}",
                       f"agency operating cost {money(fen(line))} ({source}) exceeds '{ceiling['label']}' "
                       f"{money(fen(ceiling))}", fen(ceiling), fen(line), [line, ceiling],
                       key=("agency_operating",))


def three_public_parts(doc, tables):
    """三公 tables: total = 出国 + 接待 + 车辆; 车辆 = 购置 + 运行 (per table, per phase)."""
    for cells in tables.of_kind("three_public"):
        by_phase = defaultdict(dict)
        for cell in cells:
            by_phase[cell.get("phase")].setdefault(cell["item"], cell)
        for cell in by_phase.values():
            for whole, parts in (("total", ("overseas_travel", "reception", "vehicles")),
                                 ("vehicles", ("vehicle_purchase", "vehicle_operation"))):
                printed = [cell[p] for p in parts if p in cell and fen(cell[p]) is not None]
                if whole not in cell or fen(cell[whole]) is None or not printed:
                    continue
                total = sum(fen(p) for p in printed)
                if abs(total - fen(cell[whole])) > tolerance(printed + [cell[whole]]):
                    doc.report("table_three_public_parts", "error", "three_public",
                               f"“三公”表中{cell[whole]['label']}{printed_like(cell[whole])}不等于各项之和{printed_like(cell[whole], total)}",
                               f"three-public table: {whole} {printed_like(cell[whole])} differs from the sum of its "
                               f"parts {money(total)}", fen(cell[whole]), total, [cell[whole], *printed],
                               key=("three_public", whole))


def table_vs_overview(doc, tables):
    """Each kind's total against the overview; the overview's 类 rows against the expenditure table."""
    if not tables.of_kind("overview"):
        return
    for (kind, item), overview_item in TABLE_TO_OVERVIEW:
        cell = tables.cell(kind, item)
        overview = tables.cell("overview", overview_item, phase=cell.get("phase")) if cell else None
        if not tables.of_kind(kind) or cell is None or overview is None or fen(cell) == fen(overview):
            continue
        if overview_item in ("income:total", "total") and \
                fen(cell) in overview_totals(tables, "income" if overview_item == "income:total" else "expenditure",
                                             cell.get("phase")):
            continue  # the table's 本年收入合计 is the overview's too (its 总计 adds carry-overs)
        if kind == "function_class" and fen(cell) in {fen(c) for c in fiscal_totals(tables)}:
            continue  # 一般公共预算 spending = this year's 拨款 + 上年结转: the 财政拨款收支总表's total says so
        doc.report("table_vs_overview", "error", kind,
                   f"附表“{cell['table_name']}”合计{printed_like(cell)}，“{overview['table_name']}”为{printed_like(overview)}",
                   f"table '{cell['table_name']}' totals {printed_like(cell)}; the overview prints {printed_like(overview)}",
                   fen(overview), fen(cell), [cell, overview], gap=fen(cell) - fen(overview), codes=("",),
                   where=f"{cell['table_name']}合计")
    for overview in (l for cells in tables.of_kind("overview") for l in cells):
        if overview.get("function_level") != "类" or not overview.get("function_code"):
            continue
        cell = tables.cell("expenditure", overview["function_code"], phase=overview.get("phase"))
        if cell is None or fen(cell) == fen(overview):
            continue
        doc.report("table_vs_overview", "error", "expenditure",
                   f"“{overview['table_name']}”“{overview['label']}”{printed_like(overview)}，"
                   f"“{cell['table_name']}”为{printed_like(cell)}",
                   f"overview class '{overview['label']}' {printed_like(overview)}; the expenditure table prints "
                   f"{printed_like(cell)}", fen(overview), fen(cell), [overview, cell],
                   gap=fen(cell) - fen(overview), codes=(overview["function_code"],),
                   where=f"{overview['table_name']}{overview['function_code']}")


def row_cells(cells):
    """{row: {column: cell}} of one table, first printing of each cell, in printed order."""
    rows, again = {}, set()
    for cell in cells:
        row, column = split(cell)
        where = (row, cell.get("source_line"))
        if where in again:
            continue
        first = rows.get(row, {}).get(column)
        if first is not None and first.get("source_line") != cell.get("source_line"):
            again.add(where)  # the code printed again (another unit's rows): its first row only, never mixed
            continue
        rows.setdefault(row, {}).setdefault(column, cell)
    return rows


def where(cell, column):
    return f"{cell['table_name']}“{cell['label']}”{COLUMN_ZH.get(column, column)}列"


def table_total_vs_rows(doc, rows):
    """The total row against the sum of the 类 rows, column by column (same phase only)."""
    if "total" not in rows:
        return
    classes = [cells for row, cells in rows.items() if len(row) == 3 and row.isdigit()]
    for column, total in rows["total"].items():
        parts = [cells[column] for cells in classes if column in cells and cells[column].get("phase") == total.get("phase")]
        if not parts or fen(total) is None or any(column not in cells for cells in classes):
            continue  # a class row without this column: its columns were read otherwise (another page's header)
        summed = sum(fen(p) or 0 for p in parts)
        gap = summed - fen(total)
        if gap:
            severity = gap_severity(gap, parts + [total])
            doc.report("table_total_vs_rows", severity, total["statement"],
                       f"附表“{total['table_name']}”合计行{COLUMN_ZH.get(column, column)}列{printed_like(total)}，"
                       f"各类之和为{printed_like(total, summed)}",
                       f"table '{total['table_name']}': total row {printed_like(total)}, sum of class rows {money(summed)}",
                       fen(total), summed, [total], gap=gap, codes=("",), where=where(total, column))


def table_row_columns(doc, rows, kind):
    """Each row's 合计 column against the sum of its other columns of the same phase."""
    for row, cells in rows.items():
        total = cells.get("")
        if total is None or len(cells) < 2 or row.startswith("income") or fen(total) is None:
            continue
        if any("#" in column or column.startswith("column_") for column in cells):
            continue  # two columns read under one heading, or a column without one: the parts are unknown
        columns = set(cells) - nested_columns(cells)
        parts = [c for column, c in cells.items() if column in columns and column in PART_COLUMNS
                 and "%" not in (c.get("amount_text") or "") and c.get("phase") == total.get("phase")
                 and fen(c) is not None]
        if not parts:
            continue
        summed = sum(fen(c) for c in parts)
        gap = summed - fen(total)
        if gap and not is_subtotal_column(parts, gap):
            severity = gap_severity(gap, parts + [total])
            doc.report("table_row_columns", severity, total["statement"],
                       f"附表“{total['table_name']}”“{total['label']}”合计{printed_like(total)}，各列之和为{printed_like(total, summed)}",
                       f"table '{total['table_name']}', row '{total['label']}': total {printed_like(total)}, "
                       f"sum of the other columns {money(summed)}", fen(total), summed, [total, *parts],
                       gap=gap, codes=(row if is_code(row) else "",), where=where(total, ""))


def nested_columns(cells):
    """Columns printed beside the column they add up to: 人员/公用经费 beside 基本支出, the funds beside
    财政拨款 (only when they do add up to it: else they are not its parts)."""
    nested = set()
    for whole, parts in (("basic", ("personnel", "public_use")),
                         ("fiscal", ("general_budget", "government_fund", "state_capital"))):
        printed = [cells[p] for p in parts if p in cells and fen(cells[p]) is not None]
        if whole in cells and printed and fen(cells[whole]) is not None and \
                abs(sum(fen(p) for p in printed) - fen(cells[whole])) <= tolerance(printed + [cells[whole]]):
            nested |= set(parts)
    return nested


def is_subtotal_column(parts, gap):
    """The columns add up to more than the 合计 by exactly one column that another column holds (a
    “其中：教育收费” beside 事业收入): that column is a part of another, not a defect."""
    if gap <= 0:
        return False
    return any(abs(fen(c) - gap) <= tolerance(parts) and any(fen(o) >= fen(c) for o in parts if o is not c)
               for c in parts)


def table_row_parts(doc, rows):
    """A 类 (款) row against the 款 (项) rows printed under it, per column."""
    children_of = defaultdict(list)
    for row in rows:
        if row.isdigit() and len(row) in (5, 7):
            children_of[row[:-2]].append(row)
    for row, cells in rows.items():
        children = children_of.get(row) if row.isdigit() and len(row) in (3, 5) else None
        if not children or any(column.startswith("column_") for child in children for column in rows[child]):
            continue  # a sub-row with an amount under no heading: its columns were not read
        for column, cell in cells.items():
            parts = [rows[child][column] for child in children if column in rows[child]
                     and rows[child][column].get("phase") == cell.get("phase")]
            if fen(cell) is None or not parts:
                continue
            summed = sum(fen(p) or 0 for p in parts)
            gap = summed - fen(cell)
            if gap:
                severity = gap_severity(gap, parts + [cell])
                doc.report("table_row_parts", severity, cell["statement"],
                           f"附表“{cell['table_name']}”“{cell['label']}”{COLUMN_ZH.get(column, column)}列{printed_like(cell)}，"
                           f"下级科目之和为{printed_like(cell, summed)}",
                           f"table '{cell['table_name']}', row {row} '{cell['label']}', column '{column or 'total'}': "
                           f"{printed_like(cell)}, its sub-rows sum to {money(summed)}", fen(cell), summed,
                           [cell], gap=gap, codes=(row,), where=where(cell, column))
