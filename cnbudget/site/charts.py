"""Chart data, computed exactly: bars of one unit or one document, the 类→款→项 tree, year series over the same units.

Every chart reads the figures of one document (or one unit's documents); nothing here adds
different units together except the home page's yearly total, which keeps the same units each year.
"""

from decimal import Decimal

from cnbudget.numbers import fen_to_yuan, format_money

# Statements whose rows carry function codes of expenditure; each family keeps one fund scope, so a
# drill-down never mixes 一般公共预算 rows with all-funds rows. The family with most codes wins.
FUNCTION_FAMILIES = [("expenditure",), ("function_class", "general_budget"), ("fiscal_appropriation",)]
CURRENT_PHASES = (None, "budget", "final")


def bars(rows, width=100):
    """Chart rows {label, amount_yuan} with bar length (0..width) and share of the rows' total, computed exactly."""
    rows = [r for r in rows if r.get("amount_yuan") is not None]
    top = max((Decimal(r["amount_yuan"]) for r in rows), default=Decimal(0))
    total = sum(Decimal(r["amount_yuan"]) for r in rows)
    return [
        {
            **r,
            "wan": format_money(r["amount_yuan"]),
            "yuan": format_money(r["amount_yuan"], unit="元", places=0),
            "length": int(Decimal(r["amount_yuan"]) * width / top) if top > 0 else 0,
            "share": f"{(Decimal(r['amount_yuan']) * 100 / total).quantize(Decimal('0.1'))}%" if total > 0 else "",
        }
        for r in rows
    ]


def line_rank(line):
    """Sort key choosing the line that is a code's own total: no basic/project split, no fund column, this year's."""
    return (line["expense_type"] is not None, line["phase"] not in CURRENT_PHASES, line["line_id"])


def function_lines(lines):
    """The best family's lines, one per function code (its total column, first printed)."""
    best, best_count = {}, 0
    for family in FUNCTION_FAMILIES:
        chosen = {}
        for line in sorted((l for l in lines if l["statement"] in family and l["amount_fen"] is not None), key=line_rank):
            chosen.setdefault(line["code"], line)
        if len(chosen) > best_count:
            best, best_count = chosen, len(chosen)
    return best


def parent_code(code, present):
    """The nearest printed ancestor of a 5- or 7-digit code (款 of a 项, else its 类), or None."""
    for length in (5, 3):
        if len(code) > length and code[:length] in present:
            return code[:length]
    return None


def function_tree(lines):
    """{code: node} with children lists, and the roots: the 类→款→项 tree as printed (no totals recomputed)."""
    chosen = function_lines(lines)
    nodes = {
        code: {"code": code, "level": line["level"], "label": line["label"], "amount_fen": line["amount_fen"],
               "amount_yuan": fen_to_yuan(line["amount_fen"]), "page": line["page"], "line_id": line["line_id"],
               "statement": line["statement"], "children": []}
        for code, line in chosen.items()
    }
    roots = []
    for code in sorted(nodes):
        parent = parent_code(code, nodes)
        (nodes[parent]["children"] if parent else roots).append(nodes[code])
    return nodes, roots


def year_totals_same_units(rows):
    """Totals per year over the units present in every year; rows: {unit, year, amount_fen}.

    Returns (years rows {label, amount_yuan}, unit count). When no unit spans every year, the
    latest two years that share units are used, so a year never looks larger only for having more units.
    """
    years = sorted({r["year"] for r in rows})
    units_by_year = {y: {r["unit"] for r in rows if r["year"] == y} for y in years}
    while len(years) > 1:
        common = set.intersection(*(units_by_year[y] for y in years))
        if common:
            break
        years = years[1:]
    else:
        common = units_by_year[years[0]] if years else set()
    totals = {y: 0 for y in years}
    for r in rows:
        if r["year"] in totals and r["unit"] in common:
            totals[r["year"]] += r["amount_fen"]
    return [{"label": f"{y}年", "amount_yuan": fen_to_yuan(totals[y])} for y in years], len(common)
