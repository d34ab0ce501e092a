"""Final accounts (决算): their own identities, never a budget's.

Rules: `final_identity` — 本年收入 + 年初结转和结余 (+ 使用非财政拨款结余 / 用事业基金弥补收支差额)
= 本年支出 + 结余分配 + 年末结转和结余, read from the lines' labels in any table kind; `completion_rate`
— a printed rate “完成年初预算的Z%” (or “完成预算X万元的Z%”) that is not 决算 / 年初预算, or that is
printed against a 年初预算 of 0.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from cnbudget.audit.common import amounts_in, fen, gap_severity, is_final, money

SIDES = {
    "income": (r"本年收入(合计|小计)?$", +1), "opening": (r"(年初|上年)结转(和|及)?结余$", +1),
    "reserve": (r"使用非财政拨款结余|用事业基金弥补收支差额|使用专用结余", +1),
    "spending": (r"本年支出(合计|小计)?$", -1), "closing": (r"年末结转(和|及)?结余$", -1),
    "distribution": (r"结余分配$", -1),
}


def label_key(line):
    return re.sub(r"[\s（）()“”]|[一二三四五六七八九十]+、|其中：", "", line.get("label") or "")


def identity_lines(doc):
    """{side: first line} of the final-accounts overview: the table that prints 本年收入 and 年末结转和结余."""
    found = {}
    for line in doc.all_lines:
        if fen(line) is None or line.get("phase") not in (None, "final"):
            continue
        name = label_key(line)
        for side, (pattern, _) in SIDES.items():
            if side not in found and re.search(pattern, name):
                found[side] = line
    return found


def check_final_identity(doc):
    """本年收入 + 年初结转和结余 (+ 使用结余) = 本年支出 + 结余分配 + 年末结转和结余, once per document."""
    if not is_final(doc.document):
        return
    sides = identity_lines(doc)
    if not {"income", "spending"} <= set(sides) or not ({"opening", "closing"} & set(sides)):
        return
    incoming = sum(fen(sides[s]) for s in sides if SIDES[s][1] > 0)
    outgoing = sum(fen(sides[s]) for s in sides if SIDES[s][1] < 0)
    gap = outgoing - incoming
    if gap == 0:
        return
    lines = list(sides.values())
    severity = gap_severity(gap, lines)
    names = lambda sign: " + ".join(sides[s]["label"] for s in sides if SIDES[s][1] == sign)
    doc.report("final_identity", severity, lines[0]["statement"],
               f"决算收支：{names(1)} = {money(incoming)}，{names(-1)} = {money(outgoing)}，相差{money(gap)}",
               f"final accounts: income side {money(incoming)} vs spending side {money(outgoing)}, gap {money(gap)}",
               incoming, outgoing, lines, key=("final_identity",))


RATE_RE = re.compile(r"完成(?:年初)?预算(?:数)?\s*(?P<budget>[\d,.]+\s*(?:万元|元|亿元))?\s*的\s*(?P<rate>\d+(?:\.\d+)?)\s*%")


def check_completion_rates(doc):
    """Each printed completion rate against 决算 / 年初预算 of its sentence; never against a budget of 0."""
    if not is_final(doc.document):
        return
    seen = set()
    for line in doc.lines:
        text = line.get("source_text") or ""
        if line["source_line"] in seen or "完成" not in text:
            continue
        seen.add(line["source_line"])
        for clause in re.split(r"[；;。]", text):
            rate = RATE_RE.search(clause)
            if not rate:
                continue
            before = clause[:rate.start()]
            amounts = amounts_in(before)
            budget = amounts_in(rate.group("budget"))[0][0] if rate.group("budget") else None
            if budget is None:
                budget_amounts = [a for a, at in amounts if re.search(r"预算[^决]{0,4}$", before[:at])]
                budget = budget_amounts[-1] if budget_amounts else None
            finals = [a for a, at in amounts if re.search(r"决算[^预]{0,6}$", before[:at])]
            final = finals[-1] if finals else None
            if final is None or budget is None:
                continue
            printed = Decimal(rate.group("rate"))
            if budget == 0:
                if final:
                    doc.report("completion_rate", "error", line["statement"],
                               f"决算{money(final)}，年初预算为0，完成率无从计算，原文印为{printed}%",
                               f"final {money(final)} against a budget of 0: no completion rate follows; the "
                               f"document prints {printed}%", 0, final, [line],
                               key=("rate", line["statement"], "zero budget", final))  # the total and its part again
                    break  # one sentence, one finding: its parts repeat the same budget of 0
                continue
            places = -printed.as_tuple().exponent if printed.as_tuple().exponent < 0 else 0
            exact = (Decimal(final) * 100 / Decimal(budget)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if abs(exact - printed) > Decimal(1).scaleb(-places):
                doc.report("completion_rate", "error", line["statement"],
                           f"决算{money(final)}，年初预算{money(budget)}，完成率应为{exact}%，原文印为{printed}%",
                           f"final {money(final)} of budget {money(budget)} is {exact}%, the document prints {printed}%",
                           budget, final, [line], key=("rate", line["source_line"], clause[:20]))
