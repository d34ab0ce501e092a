"""The document repeating itself, or saying nothing where it claims to explain.

Rules: `repeated_lines` — a table printed twice (the same cells on another page: counted once);
`empty_note_with_values` — a table whose note says it is empty (空表) but that prints amounts (from
the reader's warnings); `copied_note` — a stated reason that names another item of the same list
and not its own; `empty_reason` — “主要原因是。”: a reason announced and not given.
"""

import re

from cnbudget.audit.common import fen

EMPTY_REASON_RE = re.compile(r"(?:主要)?原因(?:是|为|在于|主要是)?\s*[：:，,]?\s*[。；;]")


def unique_table_lines(lines):
    """Table cells without a repeated printing of the same table: (kept, repeats by (table, page) pair)."""
    first, kept, repeats = {}, [], {}
    for line in lines:
        if not line.get("table_name"):
            kept.append(line)
            continue
        key = (line["table_name"], line["statement"], line["item"])
        earlier = first.get(key)
        if earlier is not None and fen(earlier) == fen(line) and earlier.get("page") != line.get("page"):
            repeats.setdefault((line["table_name"], earlier.get("page"), line.get("page")), []).append(line)
            continue
        first.setdefault(key, line)
        kept.append(line)
    return kept, repeats


def check_repeats(doc):
    """A table printed twice is reported once, its repeat left out of every sum."""
    for (table, page, again), lines in doc.repeats.items():
        rows = [l for l in lines if not is_total_row(l)]  # a continued table reprints its 合计 row under its header
        if len(rows) < 3 or lines[0]["statement"] == "performance":
            continue  # 绩效目标表: each project repeats the same indicators (≥ 95 %, 12 月), not a reprint
        doc.report("repeated_lines", "warning", lines[0]["statement"],
                   f"附表“{table}”在第{again}页重复印出（与第{page}页相同的{len(lines)}个数额只计一次）",
                   f"table '{table}' is printed again on page {again} ({len(lines)} cells equal to page {page}; "
                   "counted once)", None, None, lines[:1], key=("repeat", table))


def is_total_row(line):
    row = str(line["item"]).partition(":")[0] if not str(line["item"]).startswith("income:") else \
        str(line["item"]).split(":")[1]
    return row in ("total", "current_total")


SUBJECTS = ("政府性基金", "国有资本经营", "三公", "机关运行经费", "政府采购", "政府购买服务", "一般公共预算")


def check_empty_tables(doc):
    """A table marked empty that prints amounts; a table's note about another table or another year."""
    for warning in doc.warnings:
        if warning.get("rule") == "empty_note_with_values":
            doc.report("empty_note_with_values", "error", None, warning["message"],
                       "a table is marked empty (本表为空表) but prints amounts", None, None, [warning],
                       key=("empty", warning.get("source_line")))
        if warning.get("rule") in ("empty_table", "empty_note_with_values"):
            copied_table_note(doc, warning)


def copied_table_note(doc, warning):
    """'附表“政府性基金…表”…（注：本部门2023年无国有资本经营预算…）': the note names another table's subject,
    or another year than the document's: copied from elsewhere."""
    table = re.search(r"“(.+?)”(?:为空表|注明)", warning.get("message") or "")
    note = warning.get("source_text") or ""
    if not table or not note:
        return
    name = table.group(1)
    own = [s for s in SUBJECTS if s in name]
    named = [s for s in SUBJECTS if s in note and s not in ("一般公共预算",)]
    other = [s for s in named if s not in name]
    years = {int(y) for y in re.findall(r"(20\d\d)年", note)}
    wrong_year = doc.fiscal_year is not None and years and doc.fiscal_year not in years
    if (own and other and not any(s in note for s in own)) or wrong_year:
        what = f"说的是“{other[0]}”" if other and not wrong_year else f"说的是{'、'.join(map(str, sorted(years)))}年"
        doc.report("copied_note", "warning", None,
                   f"附表“{name}”的注{what}：“{note}”",
                   f"the note of table '{name}' is about another table or year: '{note}'", None, None, [warning],
                   key=("note", warning.get("source_line")))


def item_name(label):
    parts = re.findall(r"([^（）“”]+?)（[类款项]）", label or "")
    return parts[-1] if parts else (label or "")


def check_reasons(doc):
    """Empty reasons, and reasons that name another item of the list but not their own."""
    seen = set()
    for record in [*doc.stated_changes, *doc.lines]:
        text = record.get("source_text") or ""
        if record.get("source_line") in seen or not EMPTY_REASON_RE.search(text):
            continue
        seen.add(record.get("source_line"))
        doc.report("empty_reason", "warning", record.get("statement"),
                   f"原文称“主要原因是”却未写原因：“{EMPTY_REASON_RE.search(text).group()}”",
                   "a reason is announced but not given", None, None, [record],
                   key=("reason", record.get("source_line")))
    names = {item_name(c["label"]) for c in doc.stated_changes if c.get("function_code")}
    for change in doc.stated_changes:
        # The reason ends at its clause: '…；科学技术支出比上年增加…' is the next item's change, not this reason.
        reason, own = re.split(r"[；;]", change.get("reason_text") or "")[0], item_name(change["label"])
        if not change.get("function_code") or not reason or own in reason:
            continue
        others = sorted((n for n in names if len(n) >= 4 and n != own and n in reason and n not in own),
                        key=len, reverse=True)
        if others:
            line = doc.by_id.get(change.get("line_id"))
            doc.report("copied_note", "warning", change["statement"],
                       f"“{own}”的原因写的是另一科目“{others[0]}”：“{reason}”",
                       f"the reason given for '{own}' names another item, '{others[0]}': '{reason}'",
                       None, None, [line], [change], key=("change", change.get("change_id")))
