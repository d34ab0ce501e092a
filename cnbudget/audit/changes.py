"""Stated changes (“比2022年预算执行数增加77.70%”) checked against the base the sentence names.

Rules: `stated_change_pct` (the printed percentage does not follow from the printed figures, or is
printed against a base of 0), `stated_change_year` (the comparison year is not the previous one),
`stated_zero_change` (a 0 that changed, or a stated 0 change between different figures),
`stated_direction` (增加 where the figures fall, or a reason saying the opposite), `restated_figure`
(the sentence restates this year's figure with another amount), `stated_change_conflict` (two
sentences give one item different changes against the same base).
"""

import re
from decimal import Decimal

from cnbudget.audit.common import amounts_in, base_of, fen, is_final, money, percent, step_fen

UP_WORDS = ("增加", "增长", "上升", "提高")
DOWN_WORDS = ("减少", "下降", "降低", "压减")


def check_stated_changes(doc):
    """Every rule on each stated change of the document, then conflicts between them."""
    for change in doc.stated_changes:
        line = doc.by_id.get(change.get("line_id"))
        if not linked(change, line):
            continue  # the reader tied the sentence to a figure it does not print: nothing to judge
        key = ("change", change.get("change_id"))
        comparison_year(doc, change, line, key)
        restated_in_sentence(doc, change, line, key)
        if line is None or fen(line) is None:
            continue
        zero_change(doc, change, line, key)
        direction(doc, change, line, key)
        printed_percent(doc, change, line, key)
        reason_direction(doc, change, line, key)
    conflicts(doc)


def linked(change, line):
    """Is `line` a figure of the change's own sentence (same source line, or its amount printed there)?"""
    if line is None:
        return True
    if line.get("source_line") == change.get("source_line") or not change.get("source_text"):
        return True
    return fen(line) in {amount for amount, _ in amounts_in(change["source_text"])}


def base(doc, change):
    """The base a change names; in a 决算, a comparison with its own year is with that year's budget."""
    same_year = is_final(doc.document) and change.get("prior_year") == doc.fiscal_year
    return base_of(change.get("change_text"), same_year=same_year)


def prior_fen(change):
    return None if change.get("prior_yuan") is None else change["prior_yuan"] * 100


def change_fen(change):
    return None if change.get("change_yuan") is None else change["change_yuan"] * 100


def implied_prior(change, line):
    """Last year's figure as the sentence gives it: printed, or this year's minus the stated change."""
    if prior_fen(change) is not None:
        return prior_fen(change)
    if change_fen(change) is not None and line is not None and fen(line) is not None:
        return fen(line) - change_fen(change)
    return None


def comparison_year(doc, change, line, key):
    """A 2026 budget compares with 2025; a 决算 may also compare with its own year's 年初预算."""
    year, prior = doc.fiscal_year, change.get("prior_year")
    if year is None or prior is None or prior == year - 1:
        return
    named, _ = base(doc, change)
    if is_final(doc.document) and prior == year and named in ("budget", "adjusted_budget", "prior_budget"):
        return
    severity = "error" if prior >= year else "warning"
    doc.report("stated_change_year", severity, change["statement"],
               f"{change['label']}：{year}年的文件与{prior}年比较（“{change['change_text']}”），不是上一年度",
               f"{change['label']}: a {year} document compares with {prior} ('{change['change_text']}'), "
               "not with the previous year", None, None, [line], [change], key=key)


def restated_in_sentence(doc, change, line, key):
    """'“…（项）”220.63万元 … 2023年预算安排441.25万元': the sentence's own figure for this year differs."""
    if line is None or fen(line) is None or doc.fiscal_year is None:
        return
    text = change.get("source_text") or ""
    pattern = re.compile(rf"{doc.fiscal_year}\s*年(?:度)?\s*(?:预算安排|预算数为|预算为|预算数|安排|决算数为|决算为)\s*")
    for match in pattern.finditer(text):
        following = amounts_in(text[match.end():match.end() + 30])
        if not following or following[0][1] != 0:
            continue
        stated = following[0][0]
        if abs(stated - fen(line)) > step_fen(line):
            doc.report("restated_figure", "error", change["statement"],
                       f"{change['label']}：标题印{money(fen(line))}，同一句又写{doc.fiscal_year}年为{money(stated)}",
                       f"{change['label']}: the heading prints {money(fen(line))}, the same sentence "
                       f"{money(stated)} for {doc.fiscal_year}", fen(line), stated, [line], [change], key=key)
            return


def zero_change(doc, change, line, key):
    """A figure of 0 that 'increased', or a stated change of 0 between two different printed figures."""
    now, delta, prior = fen(line), change_fen(change), prior_fen(change)
    if now == 0 and change["direction"] == "increase" and delta:
        doc.report("stated_zero_change", "error", change["statement"],
                   f"{change['label']}为0，却称“{change['change_text']}”",
                   f"{change['label']} is 0 yet '{change['change_text']}'", 0, delta, [line], [change], key=key)
    elif (change["direction"] == "flat" or delta == 0) and prior is not None and abs(now - prior) > step_fen(line):
        doc.report("stated_zero_change", "error", change["statement"],
                   f"{change['label']}称“{change['change_text']}”，但上年{money(prior)}、本年{money(now)}",
                   f"{change['label']}: '{change['change_text']}' but last year {money(prior)}, this year {money(now)}",
                   prior, now, [line], [change], key=key)


def direction(doc, change, line, key):
    """增加 where this year's figure is below the printed prior one (or 减少 above it)."""
    prior, now = prior_fen(change), fen(line)
    if prior is None:
        return
    wrong = ((change["direction"] == "increase" and now < prior - step_fen(line))
             or (change["direction"] == "decrease" and now > prior + step_fen(line)))
    if wrong:
        doc.report("stated_direction", "error", change["statement"],
                   f"{change['label']}：上年{money(prior)}，本年{money(now)}，原文却称“{change['change_text']}”",
                   f"{change['label']}: {money(prior)} last year, {money(now)} this year, but '{change['change_text']}'",
                   prior, now, [line], [change], key=key)


def reason_direction(doc, change, line, key):
    """A decrease explained by '…经费增加' (or the reverse): the reason contradicts the figures."""
    reason = change.get("reason_text") or ""
    opposite, same = (UP_WORDS, DOWN_WORDS) if change["direction"] == "decrease" else (DOWN_WORDS, UP_WORDS)
    if change["direction"] == "flat" or not reason:
        return
    ending = reason.rstrip("。；; ")[-4:]  # '…经费增加': the reason's own verdict is its last words
    if any(w in ending for w in opposite) and not any(w in reason for w in same):
        doc.report("stated_direction", "warning", change["statement"],
                   f"{change['label']}“{change['change_text']}”，所述原因却是“{reason}”",
                   f"{change['label']}: '{change['change_text']}' explained by '{reason}' (the opposite direction)",
                   None, None, [line], [change], key=key)


def percent_range(now, prior, half_now, half_prior):
    """Smallest and largest |now - prior| / prior × 100 over the rounding of both printed figures."""
    values = []
    for n in (now - half_now, now + half_now):
        for p in (prior - half_prior, prior + half_prior):
            if p > 0:
                values.append(abs(Decimal(n - p)) * 100 / Decimal(p))
    return (min(values), max(values)) if values else None


def printed_percent(doc, change, line, key):
    """The printed percentage against the base the sentence names (printed, or now − stated change)."""
    printed = percent(change.get("change_pct_text"))
    prior = implied_prior(change, line)
    if printed is None or prior is None:
        return
    value, quantum = printed
    _, base_name = base(doc, change)
    now = fen(line)
    if prior == 0:
        if now == 0:
            return
        severity = "warning" if value == 100 and change["direction"] == "increase" else "error"
        doc.report("stated_change_pct", severity, change["statement"],
                   f"{change['label']}：{base_name}为0，增减幅度无从计算，原文印为{change['change_pct_text']}",
                   f"{change['label']}: the base ({base_name}) is 0, so no percentage follows; the document prints "
                   f"{change['change_pct_text']}", prior, now, [line], [change], key=key)
        return
    step = step_fen(line)
    bounds = percent_range(now, prior, Decimal(step) / 2, Decimal(step) / 2)
    if bounds is None:
        return
    low, high = bounds
    if low - quantum / 2 <= value <= high + quantum / 2:
        return
    exact = (abs(Decimal(now - prior)) * 100 / Decimal(prior)).quantize(quantum)
    doc.report("stated_change_pct", "error", change["statement"],
               f"{change['label']}：{base_name}{money(prior)}，本年{money(now)}，应为{exact}%，原文印为{change['change_pct_text']}",
               f"{change['label']}: {money(prior)} ({base_name}) to {money(now)} is {exact}%, the document prints "
               f"{change['change_pct_text']}", prior, now, [line], [change], key=key)


def conflicts(doc):
    """One item, one base, one year: two sentences that imply different prior-year figures."""
    groups, codes_by_name = {}, None
    for change in doc.stated_changes:
        line = doc.by_id.get(change.get("line_id"))
        prior = implied_prior(change, line)
        if prior is None or not linked(change, line):
            continue
        item = change.get("function_code")
        if not item:
            codes_by_name = table_item_codes(doc) if codes_by_name is None else codes_by_name
            item = code_in_tables(codes_by_name, change) or change["item"]
        group = (change["statement"], item, base(doc, change)[0], change.get("prior_year"))
        groups.setdefault(group, []).append((change, line, prior))
    for entries in groups.values():
        first_change, first_line, first_prior = entries[0]
        for change, line, prior in entries[1:]:
            step = max(step_fen(l) for l in (first_line, line) if l) if (first_line or line) else 10_000
            same_figure = first_line is None or line is None or abs(fen(first_line) - fen(line)) <= step
            if same_figure and abs(prior - first_prior) > 2 * step:
                doc.report("stated_change_conflict", "error", change["statement"],
                           f"{change['label']}：“{first_change['change_text']}”与“{change['change_text']}”"
                           f"推出的上年数不同（{money(first_prior)}、{money(prior)}）",
                           f"{change['label']}: '{first_change['change_text']}' and '{change['change_text']}' imply "
                           f"different prior-year figures ({money(first_prior)}, {money(prior)})",
                           first_prior, prior, [first_line, line], [first_change, change],
                           key=("change", change.get("change_id")))
                break


def table_item_codes(doc):
    """{name as the tables print it: the 7-digit codes printed beside it} ('2014099 其他信访事务支出')."""
    codes = {}
    for line in doc.all_lines:
        code = line.get("function_code") or ""
        if line.get("table_name") and len(code) == 7:
            codes.setdefault(re.sub(r"^[\d\s\[\]-]+", "", (line.get("label") or "").strip()), set()).add(code)
    return codes


def code_in_tables(codes_by_name, change):
    """The code the document's own tables print beside the 项 a change names without one ('…其他信访事务支出（项）'
    and the table's '2014099 其他信访事务支出'), when exactly one 项 code has that name; else None."""
    names = re.findall(r"([^()（）]+)[(（]项[)）]", change.get("label") or "")
    if not names:
        return None
    found = codes_by_name.get(names[-1].strip(), set())
    return next(iter(found)) if len(found) == 1 else None
