"""Chinese for everything a citizen sees: column titles from the schema, a label for every enum value, money cells.

HTML only: `render_cell` and the templates use these; the JSON and CSV keep the stored codes and
exact integers.
"""

from markupsafe import Markup, escape

from cnbudget.checks import RULES
from cnbudget.numbers import format_money, fen_to_yuan
from cnbudget.schema import SCHEMAS, STATEMENTS

# One vocabulary per coded column; the keys are the values stored in the tables.
VOCABULARIES = {
    "statement": {key: title for key, (title, _text) in STATEMENTS.items()},
    "direction": {"increase": "增加", "decrease": "减少", "flat": "持平"},
    "phase": {"budget": "预算数", "adjusted_budget": "调整预算数", "final": "决算数",
              "prior_budget": "上年预算数", "prior_outturn": "上年执行数"},
    "doc_level": {"central": "中央", "province": "省级", "city": "市级", "district": "区级", "county": "县级"},
    "severity": {"error": "算术不符", "warning": "口径或列示问题", "rounding": "尾差"},
    "change_kind": {"changed": "数额变化", "renamed": "名称改变", "recoded": "科目改码", "added": "本年新增",
                    "removed": "本年删除"},
    "basis": {"computed": "两年文件计算", "as_stated": "按本年原文所述"},
    "template": {"sichuan": "四川格式", "shanghai": "上海格式"},
    "rule": {
        "unplaced_amount": "无法归类的数额", "unknown_function_name": "无法对应的科目名称",
        "short_code": "科目编码不完整", "empty_table": "空表", "empty_note_with_values": "注明为空表但有数额",
        "restated_amount_differs": "重复列示的数额不一致", "table_row_columns": "表格行列数不符",
        "table_row_parts": "表格行分项之和不符",
        **RULES,
    },
}

# (table, column) -> vocabulary; "*" is any table.
CODED = {
    ("*", "statement"): "statement", ("*", "direction"): "direction", ("*", "phase"): "phase",
    ("documents", "level"): "doc_level", ("*", "severity"): "severity", ("changes", "kind"): "change_kind",
    ("*", "basis"): "basis", ("*", "template"): "template", ("warnings", "rule"): "rule",
    ("findings", "rule"): "rule",
}

# Columns of canned queries and views that are not schema columns.
EXTRA_TITLES = {
    "unit_name": "单位名称", "total_yuan": "收支总数", "income_yuan": "收入", "expenditure_yuan": "支出",
    "basic_yuan": "基本支出", "project_yuan": "项目支出", "three_public_yuan": "“三公”经费",
    "function_name": "科目名称", "documents": "文件数", "units": "单位数", "rowid": "行号",
}

# The columns people look for first (名称, 金额, 年度, 单位); provenance after, in schema order.
KEY_COLUMNS = {
    "budget_lines": ["label", "amount_yuan", "fiscal_year", "document_id", "statement", "amount_text",
                     "function_code", "expense_type", "fund_source"],
    "stated_changes": ["label", "direction", "change_yuan", "reason_text", "fiscal_year", "document_id"],
    "changes": ["unit", "label", "kind", "old_yuan", "new_yuan", "change_yuan", "change_pct"],
    "budget_vs_actual": ["unit", "fiscal_year", "label", "budget_yuan", "final_yuan", "difference_yuan",
                         "execution_pct", "reason_text"],
    "findings": ["document_id", "severity", "message_zh", "expected_yuan", "actual_yuan"],
    "documents": ["title", "unit_name", "fiscal_year", "kind", "region"],
}
for _view in ("disclosure_overview", "disclosure_income", "disclosure_expenditure", "disclosure_fiscal_appropriation",
              "disclosure_general_budget", "disclosure_basic_expenditure", "disclosure_three_public",
              "disclosure_government_fund"):
    KEY_COLUMNS[_view] = ["unit_name", "label", "amount_yuan", "fiscal_year"] + KEY_COLUMNS["budget_lines"][3:]


def _money_columns():
    """Integer money columns of every table: name -> scale (元 or 分)."""
    columns = {}
    for schema in SCHEMAS.values():
        for f in schema["fields"]:
            if f["type"] == "integer" and (f["name"].endswith("_yuan") or f["name"].endswith("_fen")):
                columns[f["name"]] = "fen" if f["name"].endswith("_fen") else "yuan"
    for name in EXTRA_TITLES:
        if name.endswith("_yuan"):
            columns[name] = "yuan"
    return columns


MONEY_COLUMNS = _money_columns()


def column_titles(table=None):
    """Column name -> Chinese title: the table's own schema first, then any schema, then the extras."""
    titles = dict(EXTRA_TITLES)
    for schema in SCHEMAS.values():
        for f in schema["fields"]:
            titles.setdefault(f["name"], f["title"])
    titles.update({f["name"]: f["title"] for f in SCHEMAS.get(table, {"fields": []})["fields"]})
    if table in SCHEMAS or table is None:
        return titles
    # views: budget_lines' titles
    titles.update({f["name"]: f["title"] for f in SCHEMAS["budget_lines"]["fields"]})
    return titles


def label_for(table, column, value):
    """The Chinese label of a coded value, or None when the column is not coded or the value unknown."""
    vocabulary = CODED.get((table, column)) or CODED.get(("*", column))
    if vocabulary is None or not isinstance(value, str):
        return None
    return VOCABULARIES[vocabulary].get(value)


def money_html(amount_yuan, exact_title=None):
    """An amount as people read it: '644.66 万元', exact 元 on hover, right-aligned by the stylesheet."""
    title = exact_title or f"{format_money(amount_yuan, unit='元', places=2 if amount_yuan % 1 else 0)}元"
    return Markup(f'<span class="cnb-money" title="{escape(title)}">{format_money(amount_yuan)}'
                  f'<small> 万元</small></span>')


def render_money(column, value):
    """HTML of an integer money cell (元 or 分 by its column), or None when it is not one."""
    scale = MONEY_COLUMNS.get(column)
    if scale is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    return money_html(fen_to_yuan(value) if scale == "fen" else value)


def render_value(table, column, value):
    """HTML for a cell this site renders (a money amount or a coded value), else None (Datasette's default)."""
    money = render_money(column, value)
    if money is not None:
        return money
    label = label_for(table, column, value)
    if label is not None:
        return Markup(f'<span title="{escape(value)}">{escape(label)}</span>')
    return None


def ordered(items, table, key):
    """Columns (or a row's cells) with the table's key columns first, the rest in stored order."""
    first = KEY_COLUMNS.get(table)
    if not first:
        return list(items)
    rank = {name: i for i, name in enumerate(first)}
    return sorted(items, key=lambda item: rank.get(item[key], len(rank)))


# Datasette's filter operators and their phrases in a page's filter description.
OPERATORS = {
    "=": "等于", "!=": "不等于", "contains": "包含", "ends with": "结尾是", "starts with": "开头是",
    ">": "大于", "\u2265": "不小于", "<": "小于", "\u2264": "不大于", "like": "匹配", "not like": "不匹配",
    "glob": "通配匹配", "in": "属于", "not in": "不属于", "array contains": "数组包含",
    "array does not contain": "数组不包含", "date": "日期为", "is null": "为空", "is not null": "不为空",
    "is blank": "为空白", "is not blank": "不为空白",
}
PHRASES = [
    (" does not contain ", " 不包含 "), (" contains ", " 包含 "), (" starts with ", " 开头是 "),
    (" ends with ", " 结尾是 "), (" is not null", " 不为空"), (" is null", " 为空"), (" is not blank", " 不为空白"),
    (" is blank", " 为空白"), (" is on date ", " 日期为 "), (" not like ", " 不匹配 "), (" like ", " 匹配 "),
    (" not in ", " 不属于 "), (" in ", " 属于 "), ("search matches ", "全文匹配 "),
]


def operator_label(display):
    """Chinese for a filter operator of the filter form."""
    return OPERATORS.get(display, display)


def filter_text(text, titles):
    """A table page's filter description ('where statement = "income" sorted by line_id') in Chinese."""
    import re

    text = str(text)
    sort = ""
    match = re.search(r" sorted by (\w+)( descending)?$", text)
    if match:
        text = text[: match.start()]
        sort = f"，按{titles.get(match[1], match[1])}{'降序' if match[2] else '排序'}"
    if text.startswith("where "):
        text = "条件：" + text[len("where "):]
    for english, chinese in PHRASES:
        text = text.replace(english, chinese)
    text = re.sub(r"(^条件：|, | and )(\w+)(?= )", lambda m: m[1] + titles.get(m[2], m[2]), text)
    text = text.replace(" and ", "，且 ").replace(", ", "，")
    return text + sort
