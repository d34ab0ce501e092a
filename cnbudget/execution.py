"""Budget vs actual: a unit's 预算 and its 决算 of the same year, line by line.

`budget_vs_actual(budget, final)` takes two documents as (document record, budget_lines records,
stated_changes records) and returns one row per line printed in both (the `budget_vs_actual`
resource, see cnbudget.schema): `budget_yuan` (the 预算's figure), `final_yuan` (the 决算's),
`difference_yuan`, `execution_pct` (决算 / 预算 × 100, two decimals; null when the budget is 0) and
the reason the 决算 states for the difference, if any (“决算数大于年初预算数的主要原因是…”, or the
reason of “比年初预算数增加…”). Everything is computed from the exact amounts in 分 (`amount_fen`):
the 元 columns are their rounding (half up), never a difference or rate of rounded figures. Lines are matched by meaning — table kind
(statement) and function code or item — never by table title, which differs between a 预算 and a
决算. Only the 决算's final figures (phase final, or unmarked) are compared, each line's first
printing; a 决算's own 年初预算 column is shown beside it (`final_doc_budget_yuan`).

`sides_budget_vs_actual(old, new)` finds such pairs among the documents of two diff sides
(cnbudget.diff.Side): same unit, same year, one a 预算 and the other a 决算.
"""

import csv
import io
from pathlib import Path
from decimal import ROUND_HALF_UP, Decimal

from cnbudget.audit.common import base_of
from cnbudget.schema import STATEMENTS, columns

COLUMNS = columns("budget_vs_actual")


def is_final(document):
    return "决算" in (document.get("kind") or "")


def is_budget(document):
    return "预算" in (document.get("kind") or "") and not is_final(document)


# Column keys that only say which figure a cell is (its phase): not part of the line's meaning.
PHASE_COLUMNS = {"budget", "adjusted_budget", "final", "年初预算", "调整预算", "全年预算", "决算", "决算数", "预算数"}


def line_key(line):
    """What makes a 预算 line and a 决算 line the same: table kind and function code (or item), by column."""
    row, _, column = str(line["item"]).partition(":")
    code = line.get("function_code")
    return (line["statement"], code if code else row, "" if column in PHASE_COLUMNS else column)


def first_lines(lines, phases):
    """{key: first line of these phases}: a figure printed again (text and table) is one figure."""
    out = {}
    for line in lines:
        if fen(line) is None or line.get("phase") not in phases:
            continue
        out.setdefault(line_key(line), line)
    return out


def execution_pct(budget_fen, final_fen):
    """决算 / 预算 × 100 of the exact amounts, two decimals (half up); None against a budget of 0."""
    if not budget_fen:
        return None
    return str((Decimal(final_fen) * 100 / Decimal(budget_fen)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _int(value):
    return None if value in (None, "") else int(value)


def fen(line):
    """A line's exact amount in 分 (amount_fen; amount_yuan × 100 for records without it), or None."""
    if line.get("amount_fen") not in (None, ""):
        return int(line["amount_fen"])
    return None if line.get("amount_yuan") in (None, "") else int(line["amount_yuan"]) * 100


def to_yuan(amount_fen):
    """分 → integer 元, half up (the budget_vs_actual columns), from the exact amount."""
    if amount_fen is None:
        return None
    return int((Decimal(amount_fen) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reasons_by_line(changes, fiscal_year=None):
    """{line_id: reason} of the 决算's stated comparisons with its own year's budget (年初预算 / 调整预算)."""
    out = {}
    for change in changes:
        same_year = fiscal_year is not None and _int(change.get("prior_year")) == fiscal_year
        base, _ = base_of(change.get("change_text"), same_year=same_year)
        if change.get("reason_text") and base in ("budget", "adjusted_budget"):
            out.setdefault(_int(change.get("line_id")), change["reason_text"])
    return out


def budget_vs_actual(budget, final):
    """Rows comparing one 预算 with the 决算 of the same unit and year (see the module docstring)."""
    budget_doc, budget_lines, _ = budget
    final_doc, final_lines, final_changes = final
    planned = first_lines(budget_lines, (None, "budget"))
    actual = first_lines(final_lines, (None, "final"))
    restated = first_lines(final_lines, ("budget",))
    reasons = reasons_by_line(final_changes, _int(final_doc.get("fiscal_year")))
    rows = []
    for key, line in actual.items():
        plan = planned.get(key)
        if plan is None:
            continue
        budget_fen, final_fen = fen(plan), fen(line)
        own_budget = restated.get(key)
        rows.append({
            "unit": final_doc.get("unit_name") or budget_doc.get("unit_name"),
            "fiscal_year": _int(final_doc.get("fiscal_year")),
            "statement": key[0], "statement_title": STATEMENTS.get(key[0], ("",))[0],
            "item": line["item"], "function_code": line.get("function_code") or None, "label": line["label"],
            "budget_yuan": to_yuan(budget_fen), "final_yuan": to_yuan(final_fen),
            "difference_yuan": to_yuan(final_fen - budget_fen), "execution_pct": execution_pct(budget_fen, final_fen),
            "final_doc_budget_yuan": to_yuan(fen(own_budget)) if own_budget else None,
            "reason_text": reasons.get(_int(line.get("line_id"))),
            "budget_document_id": budget_doc["document_id"], "budget_line_id": _int(plan.get("line_id")),
            "budget_page": _int(plan.get("page")), "final_document_id": final_doc["document_id"],
            "final_line_id": _int(line.get("line_id")), "final_page": _int(line.get("page")),
        })
    order = list(STATEMENTS)
    rows.sort(key=lambda r: (order.index(r["statement"]) if r["statement"] in order else 99,
                             r["function_code"] or "", str(r["item"])))
    return rows


def pairs(documents):
    """(budget document, final document) of one unit and one year, from a list of document records."""
    finals = [d for d in documents if is_final(d)]
    out = []
    for budget_doc in (d for d in documents if is_budget(d)):
        for final_doc in finals:
            same_unit = (budget_doc.get("unit_name") or "") == (final_doc.get("unit_name") or "") != ""
            if same_unit and _int(budget_doc.get("fiscal_year")) == _int(final_doc.get("fiscal_year")):
                out.append((budget_doc, final_doc))
    return out


def side_documents(side):
    return [] if side is None else list(side.documents.values())


def side_lines(side, document_id):
    """Every budget line of one document of a diff side, as records with their phase and exact amount."""
    positions, _ = side.sigs()
    records = [side.line(p) for p in positions]
    records = [r for r in records if r["document_id"] == document_id]
    exact = side_exact(side, document_id)
    for record in records:
        record["phase"], record["amount_fen"] = exact.get(str(record.get("line_id") or ""), (None, None))
    return records


def side_exact(side, document_id):
    """{line_id: (phase, amount_fen)} of one document of a side: kept from records, or read from its CSV."""
    kept = {line_id: values for (doc, line_id), values in getattr(side, "exact", {}).items() if doc == document_id}
    path = getattr(side, "lines_path", None)
    if kept or path is None:
        return kept
    import polars as pl

    from cnbudget.diff import read_columns

    header = csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig").split("\n", 1)[0]))
    names = [n for n in ("document_id", "line_id", "phase", "amount_fen") if n in next(header, [])]
    if "line_id" not in names:
        return {}
    frame = read_columns(Path(path).read_bytes(), names).filter(pl.col("document_id") == document_id)
    return {row["line_id"]: (row.get("phase"), row.get("amount_fen")) for row in frame.iter_rows(named=True)}


def sides_budget_vs_actual(old, new):
    """budget_vs_actual rows for every (预算, 决算) pair among the documents of both sides."""
    sides = [s for s in (old, new) if s is not None]
    docs = {d["document_id"]: (d, s) for s in sides for d in side_documents(s)}
    rows = []
    for budget_doc, final_doc in pairs([d for d, _ in docs.values()]):
        budget_side, final_side = docs[budget_doc["document_id"]][1], docs[final_doc["document_id"]][1]
        changes = [c for c in final_side.stated_changes if c["document_id"] == final_doc["document_id"]]
        rows += budget_vs_actual((budget_doc, side_lines(budget_side, budget_doc["document_id"]), []),
                                 (final_doc, side_lines(final_side, final_doc["document_id"]), changes))
    return rows


def wan(yuan):
    if yuan is None:
        return "—"
    return f"{(Decimal(yuan) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def render_markdown(rows):
    """The 预算与决算对比 section of a diff report (empty when there is no pair)."""
    if not rows:
        return []
    out = [f"## 预算与决算对比（{len(rows)} 条）", "",
           "| 单位 | 年度 | 报表 | 科目编码 | 名称 | 预算（万元） | 决算（万元） | 差额（万元） | 执行率 | 原因 |",
           "|---|---:|---|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        rate = "—" if r["execution_pct"] is None else f"{r['execution_pct']}%"
        out.append(f"| {r['unit'] or ''} | {r['fiscal_year'] or ''} | {r['statement_title']} | {r['function_code'] or ''} | "
                   f"{r['label']} | {wan(r['budget_yuan'])} | {wan(r['final_yuan'])} | {wan(r['difference_yuan'])} | "
                   f"{rate} | {r['reason_text'] or ''} |")
    return out + [""]


def render_csv(rows, handle):
    """One CSV row per compared line (amounts in 元), the budget_vs_actual resource's columns."""
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: row.get(name) for name in COLUMNS} for row in rows)
