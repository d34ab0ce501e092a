"""Printed shares (占X%) against the base the sentence names, and breakdowns that should add to 100%.

Rules: `stated_share` — a share that is not amount / named base (error when no printed amount gives
it; a warning naming the base that does, when that is another one); with no base named, the line's
own statement total is the base. `share_breakdown_total` — the shares of one sentence whose amounts
add up to their whole, yet the shares do not add up to 100% (beyond their rounding).
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from cnbudget.audit.common import fen, money, percent, tolerance
from cnbudget.schema import STATEMENTS

# Named base words → statements whose total the base is, most specific first.
NAMED_BASES = [
    ("一般公共预算", ("general_budget", "function_class", "fiscal_appropriation")),
    ("财政拨款", ("fiscal_appropriation", "general_budget")),
    ("收入", ("income", "overview")),
    ("支出", ("expenditure", "overview")),
    ("“三公”", ("three_public",)), ("三公", ("three_public",)),
]


# The 一般公共预算 totals a function class's share is of, when the sentence names no base.
GENERAL_BUDGET_TOTALS = {("general_budget", "total"), ("fiscal_appropriation", "general_budget"),
                         ("income", "general_budget"), ("function_class", "total"), ("fiscal_appropriation", "total")}


SPECIFIC_BASES = ("一般公共预算", "财政拨款", "“三公”", "三公")


# '占部门支出总额的22.00%': the words between 占 and a printed share, and the share (digits as printed).
SHARE_BASE = re.compile(r"占([^，。；,;%\d]{1,20}?)的?(\d[\d.]*+)\s*%")


def named_base(line):
    """The base the sentence names before the share ('占部门支出总额的22.00%' → '部门支出总额'), or None."""
    share = (line.get("stated_share") or "").replace(" ", "")
    text = (line.get("source_text") or "").replace(" ", "")
    number = share.rstrip("%")
    match = next((m for m in SHARE_BASE.finditer(text) if m.group(2) == number), None)
    if not match:
        return None
    name = match.group(1).strip("的")
    return None if name in ("", "比") else name  # '占比0.7%' names no base


def base_candidates(doc, line, name):
    """Totals that the named base can be: same-statement totals for a bare '占X%', else by the name's words."""
    totals = [l for l in doc.all_lines if str(l["item"]).startswith("total") and fen(l)]
    if name is None:
        own = [l for l in doc.lines if l["statement"] == line["statement"] and l["item"] == "total" and fen(l)]
        if not own and line.get("function_code"):  # a 类's share: of the 一般公共预算 (财政拨款) it is part of
            own += [l for l in doc.lines if fen(l) and (l["statement"], l["item"]) in GENERAL_BUDGET_TOTALS]
        return own
    for words, statements in NAMED_BASES:
        if words in name:
            found = [l for s in statements for l in totals if l["statement"] == s and ":" not in str(l["item"])]
            if words in SPECIFIC_BASES:  # '占本年财政拨款的95.96%': also the amount printed under that name
                found += [l for l in doc.lines if words in (l.get("label") or "") and fen(l) and l is not line]
            if found:
                return found
    return [l for l in doc.all_lines if l.get("label") and name in l["label"] and fen(l)]


def share_matches(amount, base, printed):
    """Does amount/base, rounded like the printed share (half up), print as `printed` (e.g. '14.72%')?"""
    parsed = percent(printed)
    if not base or parsed is None:
        return False
    value, quantum = parsed
    return (Decimal(amount) * 100 / Decimal(base)).quantize(quantum, rounding=ROUND_HALF_UP) == value


def share_text(amount, base):
    return f"{(Decimal(amount) * 100 / Decimal(base)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def other_bases(doc, line):
    """Every other printed amount that could be a base, most expected first (totals, then the rest)."""
    order = list(STATEMENTS)
    totals = sorted((l for l in doc.lines if l["item"] == "total"),
                    key=lambda l: (l["statement"] != line["statement"],
                                   order.index(l["statement"]) if l["statement"] in order else 99, l["line_id"]))
    same = [l for l in doc.lines if l["item"] != "total" and l["statement"] == line["statement"]]
    rest = [l for l in doc.lines if l["item"] != "total" and l["statement"] != line["statement"]]
    seen, out = set(), []
    for base in totals + same + rest:
        amount = fen(base)
        if base is line or not amount or amount <= 0 or amount in seen or amount < (fen(line) or 0):
            continue
        seen.add(amount)
        out.append(base)
    return out


def check_shares(doc):
    """Each printed share on the base its sentence names; the breakdowns of one sentence add to 100%."""
    for line in doc.lines:
        printed = line.get("stated_share")
        if not printed or fen(line) is None or percent(printed) is None:
            continue
        name = named_base(line)
        expected = base_candidates(doc, line, name)
        if any(share_matches(fen(line), fen(b), printed) for b in expected):
            continue
        own = expected[0] if expected else None
        found = next((b for b in other_bases(doc, line) if share_matches(fen(line), fen(b), printed)), None)
        if (found and found["item"] == "total" and found["source_line"] == line["source_line"]
                and found["line_id"] < line["line_id"]):
            continue  # '支出总计为237,100万元，其中基本支出…占总支出的83.94%': the sentence's own total
        label = line["label"]
        named = f"“{name}”" if name else (own["label"] if own else "本表总数")
        on_own = (f"按{named}{money(fen(own))}应为{share_text(fen(line), fen(own))}" if own else "文中无该基数")
        on_own_en = (f"on {money(fen(own))} ({own['statement']} total) it is {share_text(fen(line), fen(own))}"
                     if own else "the named base is not printed")
        if found:
            doc.report("stated_share", "warning", line["statement"],
                       f"{short(label)}{money(fen(line))}印为占{printed}，是以{found['label']}{money(fen(found))}为基数计算的；{on_own}",
                       f"{label} {money(fen(line))}: the printed {printed} is computed on {money(fen(found))} "
                       f"({found['statement']}/{found['item']}), not on {name or 'its own total'}; {on_own_en}",
                       fen(own) if own else None, fen(found), [line, found, own],
                       key=("share", line["source_line"], fen(found)))
        elif own is not None or name is not None:
            doc.report("stated_share", "error", line["statement"],
                       f"{short(label)}{money(fen(line))}印为占{printed}，文中没有任何数额能作为基数得出该占比；{on_own}",
                       f"{label} {money(fen(line))}: no amount in the document reproduces the printed share "
                       f"{printed}; {on_own_en}", fen(own) if own else None, None, [line, own],
                       key=("share", line["line_id"]))
    breakdowns(doc)


def short(label):
    from cnbudget.checks import short_label

    return short_label({"label": label})


def breakdowns(doc):
    """Shares printed together whose amounts make up their whole must add up to 100% (within rounding)."""
    groups = {}
    for line in doc.lines:
        if line.get("stated_share") and fen(line) is not None:
            groups.setdefault((line["source_line"], line["statement"], named_base(line)), []).append(line)
    for (_, statement, name), parts in groups.items():
        if len(parts) < 2:
            continue
        wholes = base_candidates(doc, parts[0], name)
        amount = sum(fen(p) for p in parts)
        whole = next((w for w in wholes if abs(fen(w) - amount) <= tolerance(parts + [w])), None)
        if whole is None:
            continue
        printed = [percent(p["stated_share"]) for p in parts]
        if None in printed:
            continue
        total = sum(v for v, _ in printed)
        slack = sum(q for _, q in printed) / 2 + max(q for _, q in printed) / 2
        if abs(total - 100) > slack:
            doc.report("share_breakdown_total", "error", statement,
                       f"{STATEMENTS.get(statement, (statement,))[0]}：{len(parts)}项占比之和为{total}%（各项金额之和即"
                       f"{whole['label']}{money(fen(whole))}），不是100%",
                       f"{statement}: {len(parts)} shares of one breakdown add up to {total}%, not 100%, though their "
                       f"amounts make up {money(fen(whole))}", None, None, parts + [whole],
                       key=("breakdown", parts[0]["source_line"]))
