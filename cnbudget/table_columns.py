"""Naming a table's amount columns from the heading words printed above them (cnbudget.table_reader).

`column_mapping(kind, rows, header, previous)` -> {(side, right edge): Mapped(key, dims, phase,
heading)}: the words of the header lines are placed over the amount columns (headings drift left
on pdftotext's grid; a heading over an empty column names none), read from the lowest line up
through the kind's column vocabulary (`cnbudget.tables`), and checked against what tables print:
groups repeated under 预算数 | 决算数 or 上年 | 当年 | 增减, 三公 parts per fund, 小计 columns of a
part, columns of counts. A page without its header takes the columns of the page before.
"""

import re

from cnbudget.numbers import normalize
from cnbudget.pdf import clean_raw, column_ends, header_cells, nearest, row_cells_of
from cnbudget.tables import COMMON_COLUMNS, THREE_PUBLIC_LABELS, Column, column_for, phase_of

HEADING_SLACK = 1  # characters a heading may stand right of the amounts under it
LABEL_HEADING = re.compile(r"(?:科目|名称|编码|代码|编号)$|^(?:项目|[类款项]{1,6}|收入|支出)$")
FUND_ORDER = ("general_budget", "government_fund", "state_capital")
GROUP_PHASES = {"上年": "prior_budget", "上年度": "prior_budget", "当年": "budget", "本年": "budget",
                "增减变化情况": "change", "增减变化": "change", "增减": "change", "比上年增减": "change"}
GROUP_WORD = re.compile(r"本年收入|本年支出|上年结转|结转结余|年初结转")
GROUP = re.compile(r"上年结转|结转结余|年初结转")
COLUMN_REACH = 6  # a column's amounts may end this many characters left of its edge (pdf.column_ends)
LEFT_REACH = 10  # characters a heading may stand left of its amounts on pdftotext's grid
YEARS_AND_SPACES = re.compile(r"\d{4}年度?|\s+")


class Mapped:
    """What one amount column holds: item key ('' = the row's total), dimensions, phase, heading."""

    __slots__ = ("key", "dims", "phase", "heading")  # a plain class: `dataclasses` is slow to import

    def __init__(self, key, dims, phase, heading):
        self.key = key
        self.dims = dims
        self.phase = phase
        self.heading = heading

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.key, self.dims, self.phase, self.heading) == (other.key, other.dims, other.phase, other.heading)

    __hash__ = None

    def __repr__(self):
        return f"Mapped(key={self.key!r}, dims={self.dims!r}, phase={self.phase!r}, heading={self.heading!r})"


def column_mapping(kind, rows, header, previous, fiscal_year=None):
    """{(side, number column end) -> Mapped} for both sides of a two-sided table ('' alone otherwise)."""
    mapping = {}
    for side in ("", "income"):
        of_side = [row for row in rows if (row.side == "income") == (side == "income")]
        side_rows = [row.numbers for row in of_side]
        label_end = max((row.label_end for row in of_side), default=0)
        before = {end: mapped for (s, end), mapped in (previous or {}).items() if s == side}
        defaults = ("",) if side == "income" else (kind.default_columns or ("",))
        for end, mapped in side_mapping(kind, side_rows, header, before, fiscal_year, defaults, label_end).items():
            mapping[(side, end)] = mapped
    return mapping


def side_mapping(kind, table_rows, header, previous, fiscal_year, defaults, label_end=0):
    """{end -> Mapped}: by the headings above the columns, else by count, else as on the page before."""
    ends = column_ends(table_rows)
    if not ends:
        return previous
    mapping = {}
    words = column_headings(header, table_rows, ends, label_end)
    named, headings = {}, {}
    for end, parts in words.items():
        named[end], headings[end] = name_column(kind, parts)
    whole = {end: "".join(parts) for end, parts in words.items()}
    phases = phase_words(header, fiscal_year)
    if sum(1 for end in ends if named.get(end) is not None) >= max(1, (len(ends) + 1) // 2):
        if kind.statement == "three_public":
            named = three_public_subtotals(kind, ends, named)
            parts = three_public_fund_parts(kind, ends, named, header, table_rows)
        group_phase = column_group_phases(ends, named, words, fiscal_year)
        for end in ends:
            heading = headings.get(end) or f"column_{ends.index(end) + 1}"
            whole.setdefault(end, "")
            column = named.get(end)
            phase = (group_phase.get(end) or phase_of(whole[end], fiscal_year)
                     or nearest_phase(phases, middle(table_rows, end)) or default_phase(kind))
            if kind.statement == "three_public" and end in parts:
                part, fund = parts[end]
                mapping[end] = Mapped(f"{part}|{fund}", fund_dims(fund), phase, heading)
            elif group_phase.get(end) == "change":
                mapping[end] = Mapped(None, {}, None, heading)  # a group of 增减 columns: comparisons
            elif column is None and end == ends[0] and not whole[end]:
                mapping[end] = Mapped("", {}, phase, "合计")  # the first amount column, unnamed: the row's total
            elif column is None:
                mapping[end] = Mapped(generic_key(heading), {}, phase, heading)
            else:
                mapping[end] = Mapped(column.key, dict(column.dims), phase, heading)
        mapping = counts_apart(mapping, table_rows)
        return fiscal_subtotals(dedupe(basic_subtotals(mapping), header, table_rows), header)
    defaults = list(defaults)
    before = sorted(previous)
    if before and len(ends) == len(before):  # a page without its header: the columns of the page before
        return dict(zip(ends, (previous[k] for k in before)))
    if before and len(ends) != len(defaults):
        return {end: previous[before[nearest(end, before)]] for end in ends}
    if len(ends) > len(defaults):
        defaults += [f"column_{i + 1}" for i in range(len(defaults), len(ends))]
    for index, end in enumerate(ends):
        key = defaults[index]
        column = column_for(kind, key) if key else None
        mapping[end] = Mapped(key, dict(column.dims) if column and column.key == key else fund_dims(key),
                              default_phase(kind), "")
    return mapping


def three_public_subtotals(kind, ends, named):
    """'合计 | 小计 因公出国 接待费 公务用车…': a 小计 before the parts is the 三公 subtotal, 合计 the grand total."""
    named = dict(named)
    keys = [named[end].key if named.get(end) is not None else None for end in ends]
    for i, key in enumerate(keys):
        following = next((k for k in keys[i + 1:] if k in THREE_PUBLIC_LABELS), None)
        if key == "vehicles" and following in ("overseas_travel", "reception"):
            named[ends[i]] = next(c for c in kind.columns if c.key == "total")
            if i and keys[i - 1] == "total":
                named[ends[i - 1]] = Column("", "grand_total")
    return named


def three_public_fund_parts(kind, ends, named, header, table_rows):
    """{end: part} when each 三公 part spans one column per fund (深圳: 总计 | 因公出国(境)费 | … over
    一般公共预算 政府性基金预算 国有资本经营预算): a group starts at each 一般公共预算 column and takes the
    part heading standing over it (the lowest such heading: 小计 under 公务用车购置及运行维护费)."""
    keys = [named[end].key if named.get(end) is not None else None for end in ends]
    if keys.count("general_budget") < 2:
        return {}
    groups, current = [], []
    for end, key in zip(ends, keys):
        if key == "general_budget" and current:
            groups.append(current)
            current = []
        current.append(end)
    groups.append(current)
    words = []  # (line index, centre, part key)
    for index, line in enumerate(header):
        for cell in header_cells(clean_raw(line)):
            text = normalize(cell.text).replace(" ", "")
            column = next((c for c in kind.columns if c.key in THREE_PUBLIC_LABELS and c.regex.search(text)), None)
            if column is not None:
                words.append((index, (cell.start + cell.end) / 2, "total" if text in ("总计", "合计") else column.key))
    out = {}
    for group in groups:
        left = min((c.start for c in column_cells(table_rows, group[0])), default=group[0]) - LEFT_REACH
        right = group[-1] + HEADING_SLACK
        inside = [w for w in words if left <= w[1] <= right]
        if inside:
            middle_of = (left + right) / 2
            part = max(inside, key=lambda w: (w[0], -abs(w[1] - middle_of)))[2]
            funds = [named[end].key if named.get(end) is not None else None for end in group]
            if len(group) == len(FUND_ORDER):  # a fund heading read badly ('预算'): its place names it
                funds = list(FUND_ORDER)
            out.update({end: (part, fund) for end, fund in zip(group, funds)})
    return out


def column_group_phases(ends, named, words, fiscal_year):
    """{end: phase} when the columns repeat in groups ('预算数' 合计 … 接待费 | '决算数' 合计 … 接待费):
    a group starts where a column name comes round again; its phase is the one a heading in it states
    ('上年' / '当年' over a group are prior_budget / budget; a group of 增减变化 is 'change')."""
    whole = {end: "".join(parts) for end, parts in words.items()}
    groups, current, seen = [], [], set()
    for end in ends:
        key = named[end].key if named.get(end) is not None else None
        if key is not None and key in seen:
            groups.append(current)
            current, seen = [], set()
        current.append(end)
        seen.add(key)
    groups.append(current)
    if len(groups) < 2:
        return {}
    out = {}
    for group in groups:
        tokens = {word for end in group for word in words.get(end, [])}
        phase = next((GROUP_PHASES[t] for t in tokens if t in GROUP_PHASES), None) or next(
            (p for p in (phase_of(whole.get(end, ""), fiscal_year) for end in group) if p), None)
        out.update({end: phase for end in group if phase})
    return out


def fund_dims(key):
    """Dimensions of a common column by its key ('general_budget' -> 一般公共预算)."""
    found = next((c for c in COMMON_COLUMNS if c.key == key), None)
    return dict(found.dims) if found else {}


def default_phase(kind):
    return "final" if kind.final else "budget"


def generic_key(heading):
    """A column no vocabulary names is keyed by its heading, years dropped (comparable across years)."""
    return YEARS_AND_SPACES.sub("", normalize(heading)) or "value"


def column_cells(table_rows, end):
    """The amounts of the column whose right edge is `end` (edges a few characters left included)."""
    return [c for row in table_rows for c in row if c.is_number and end - COLUMN_REACH <= c.end <= end]


def middle(table_rows, end):
    spans = column_cells(table_rows, end)
    return (min(c.start for c in spans) + end) / 2 if spans else end


def column_headings(header, table_rows, ends, label_end=0):
    """{column end: [heading words, top to bottom]} of the amount columns.

    Amounts are right-aligned under their heading, and on pdftotext's grid a Han heading drifts
    left of its amounts (a glyph takes one grid column though printed wider). So a word belongs to
    the first column whose amounts end at or right of it, if it stands no more than LEFT_REACH
    characters left of that column's amounts (a heading over a column printed empty names none);
    of two words reaching one column on a line, the one standing over its amounts keeps it (of two,
    the one nearer their middle); a right-hand loser moves on to the next column.
    """
    lefts = [min((c.start for c in column_cells(table_rows, end)), default=end) for end in ends]
    words = {end: [] for end in ends}
    for line in header:
        claimed = {}  # column index -> the word standing over it on this line
        for cell in header_cells(clean_raw(line)):
            centre = (cell.start + cell.end) / 2
            if centre <= label_end or LABEL_HEADING.search(normalize(cell.text).replace(" ", "")):
                continue
            index = next((i for i, end in enumerate(ends) if centre <= end + HEADING_SLACK), None)
            if index is not None and index in claimed:
                # two words over one column: the one above its amounts keeps it (of two, the one
                # nearer their middle); the left one then has no column, the right one moves on
                if wins(cell, claimed[index], lefts[index], ends[index]):
                    claimed[index] = cell
                    continue
                index = index + 1 if index + 1 < len(ends) and index + 1 not in claimed else None
            if index is None or centre < lefts[index] - LEFT_REACH:
                continue
            claimed[index] = cell
        for index in sorted(claimed):
            words[ends[index]].append(claimed[index].text)
    return {end: [normalize(part).replace(" ", "") for part in parts] for end, parts in words.items() if parts}


def overlaps(cell, left, end):
    return cell.start < end and cell.end > left


def wins(cell, other, left, end):
    """Whether `cell` rather than `other` names the amounts between left and end."""
    mine, theirs = overlaps(cell, left, end), overlaps(other, left, end)
    if mine != theirs:
        return mine
    middle_of = (left + end) / 2
    return abs((cell.start + cell.end) / 2 - middle_of) < abs((other.start + other.end) / 2 - middle_of)


def name_column(kind, words):
    """(Column, the words naming it) from a column's heading words, read from the lowest line up
    ('财政拨款支出' / '合计' is 合计), or (None, all the words). A fund stacked over '财政拨款'
    ('政府性基金预算' / '财政拨款') is that fund's appropriation, not all 财政拨款."""
    for start in range(len(words) - 1, -1, -1):
        column = column_for(kind, "".join(words[start:]))
        if column is not None and column.key == "fiscal" and start:
            above = column_for(kind, "".join(words[start - 1:]))
            if above is not None and above.key in FUND_ORDER:
                return above, "".join(words[start - 1:])
        if column is not None:
            if column.key == "" and words[-1] in ("小计", "金额"):  # '财政拨款收入 / 小计': that part's subtotal
                # the part is named by the group heading above (top line first), one word at a time
                parent = next(((c, word) for c, word in ((column_for(kind, w), w) for w in words[:start])
                               if c is not None and c.key), None)
                if parent is not None:
                    return parent[0], parent[1] + words[-1]
            return column, "".join(words[start:])
    return None, "".join(words)


def phase_words(header, fiscal_year):
    """[(centre, phase)] of header words that state a phase (2025年执行数, 年初预算数, 决算数)."""
    out = []
    for line in header:
        for cell in row_cells_of(clean_raw(line)):
            phase = phase_of(normalize(cell.text), fiscal_year)
            if phase:
                out.append(((cell.start + cell.end) / 2, phase))
    return out


def nearest_phase(phases, centre):
    if not phases:
        return None
    return min(phases, key=lambda p: abs(p[0] - centre))[1]


def basic_subtotals(mapping):
    """A second total right before 人员经费 | 公用经费 is the 基本支出 subtotal they split."""
    ends = sorted(mapping)
    for left, right in zip(ends, ends[1:]):
        if mapping[left].key in ("subtotal", "") and left != ends[0] and mapping[right].key == "personnel":
            mapping[left].key, mapping[left].dims = "basic", {"expense_type": "基本支出"}
    return mapping


def counts_apart(mapping, table_rows):
    """An unnamed column of whole numbers among columns of amounts with decimals (人数 80, 59 …) holds
    counts, not amounts: it is not recorded."""
    values_of = {end: [c.text for c in column_cells(table_rows, end)] for end in mapping}
    decimals = {end for end in mapping if any("." in value for value in values_of[end])}
    for end, mapped in mapping.items():
        values = values_of[end]
        if mapped.key and mapped.key.startswith("column_") and decimals - {end} and values \
                and all(v.isdigit() for v in values) and any(v != "0" for v in values):
            mapped.key = None
    return mapping


def fiscal_subtotals(mapping, header):
    """A 小计 before 一般公共预算 | 政府性基金 | 国有资本经营 under a 财政拨款 heading: the 财政拨款 subtotal."""
    if not any("财政拨款" in line.text for line in header):
        return mapping
    ends = sorted(mapping)
    for left, right in zip(ends, ends[1:]):
        if mapping[left].key == "subtotal" and mapping[right].key == "general_budget":
            mapping[left].key, mapping[left].dims = "fiscal", {"fund_source": "财政拨款"}
    return mapping


def dedupe(mapping, header, table_rows):
    """Columns under a 上年结转 group heading are carryover parts; other repeated keys are numbered."""
    groups = [((cell.start + cell.end) / 2, GROUP.search(cell.text) is not None)
              for line in header for cell in header_cells(clean_raw(line)) if GROUP_WORD.search(cell.text)]
    seen = {}
    for end in sorted(mapping):
        mapped = mapping[end]
        if mapped.key is None:
            continue
        centre = middle(table_rows, end) if len(groups) >= 2 else None  # once, not once a group
        if len(groups) >= 2 and min(groups, key=lambda g: abs(g[0] - centre))[1]:
            mapped.key = f"carryover:{mapped.key}" if mapped.key else "carryover"
            mapped.dims.setdefault("fund_source", "上年结转")
        key = (mapped.key, mapped.phase)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            mapped.key = f"{mapped.key or 'subtotal'}#{seen[key]}" if mapped.key or seen[key] > 2 else "subtotal"
    return mapping
