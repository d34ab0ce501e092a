"""One defect, one finding: findings that report the same defect are merged, the others listed as echoes.

Two findings are one defect when a rule gave them the same key (e.g. a stated change whose
percentage, restated figure and copied reason are all wrong), or when they are sums that miss by
the same amount along one code path (a row error echoed up its 类, into the 合计 and across tables),
or when they are roundings of the income side that miss by the same signed amount (one small income
figure, 其他收入 0.01万元, that the rounded totals drop: in the narrative's income sources, the 决算's
identity and the income table's rows).
"""

INCOME_SIDE = {"income", "overview"}
INCOME_WHOLES = {"income_sources_total", "final_identity"}  # the sums a small income figure is dropped from

SEVERITY_ORDER = {"error": 0, "warning": 1, "rounding": 2}


def related(a, b):
    """Codes on one path (212 / 21201 / 2120101), or one of them the table total."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


def merge(findings):
    """Findings in their order, those of one defect folded into the first (most severe kept)."""
    groups, by_key = [], {}
    for finding in findings:
        key = finding.get("_key")
        if key is not None and key in by_key:
            by_key[key].append(finding)
            continue
        group = next((g for g in groups if (finding.get("_gap") and echo_of(g[0], finding))
                      or same_figure(g[0], finding) or income_rounding(g[0], finding)), None)
        if group is not None:
            group.append(finding)
            continue
        groups.append([finding])
        if key is not None:
            by_key[key] = groups[-1]
    return [fold(group) for group in groups]


def echo_of(first, finding):
    """The same gap along one code path, in sums of tables: one row error seen again."""
    if not first.get("_gap") or abs(first["_gap"]) != abs(finding["_gap"]):
        return False
    return all(related(a, b) for a in first.get("_codes", ()) for b in finding.get("_codes", ()))


def signed_gap(finding):
    if finding.get("expected_yuan") is None or finding.get("actual_yuan") is None:
        return None
    return finding["actual_yuan"] - finding["expected_yuan"]


def income_rounding(first, finding):
    """Two roundings of the income side (income sources, the 决算 identity, income table rows) that miss by
    the same signed amount: one small income figure dropped by the rounded totals, seen again."""
    if "rounding" != first["severity"] or "rounding" != finding["severity"]:
        return False
    if first.get("statement") not in INCOME_SIDE or finding.get("statement") not in INCOME_SIDE:
        return False
    if not {first["rule"], finding["rule"]} & INCOME_WHOLES:
        return False  # two table rows off by the same amount are two defects unless a whole ties them
    gap = signed_gap(first)
    return gap is not None and gap != 0 and gap == signed_gap(finding)


def same_figure(first, finding):
    """One printed figure that misses by the same amount in several rules (the narrative's total against
    its table, against its own parts, against the function classes): one defect."""
    gaps = [abs(f["expected_yuan"] - f["actual_yuan"]) for f in (first, finding)
            if f.get("expected_yuan") is not None and f.get("actual_yuan") is not None]
    shared = (first.get("_totals") or set()) & (finding.get("_totals") or set())  # the same printed total
    return len(gaps) == 2 and gaps[0] == gaps[1] != 0 and bool(shared)


def fold(group):
    """The deepest-coded, most severe finding of a group, with the others as its echoes."""
    lead = min(group, key=lambda f: (SEVERITY_ORDER[f["severity"]], f["rule"] != "final_identity",  # 决算收支 first
                                      -max((len(c or "") for c in f.get("_codes", ())), default=0),
                                      f["rule"] != "narrative_vs_table"))  # a restated figure: say where it differs
    others = [f for f in group if f is not lead]
    out = {k: v for k, v in lead.items() if not k.startswith("_")}
    if others:
        out["echoes"] = "；".join(dict.fromkeys(f.get("_where") or f["message_zh"] for f in others))
        out["severity"] = min((f["severity"] for f in group), key=SEVERITY_ORDER.get)
        # The lead's own lines stay its lines (finding_lines joins them); the pages say where it echoes.
        pages = {int(v) for f in group for v in (f.get("pages") or "").split(";") if v}
        out["pages"] = ";".join(str(v) for v in sorted(pages))
    return out
