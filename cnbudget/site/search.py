"""Search as a citizen types: one box over figures and narrative text, folded like the index, highlighted.

Two ways in: `/search?q=` (figures and sections together, highlighted snippets, a hint when nothing
matches) and a table's own `?_search=` (answered by `filters_from_request` instead of Datasette's
filter). FTS5 trigram matches only terms of 3+ characters, so shorter terms become a substring scan;
a term found in many rows reads the page in primary-key order instead of sorting every hit; and
the hit count comes from the full-text index, not from a count(*) over the table.
"""

from urllib.parse import parse_qsl, urlencode

from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments
from datasette.utils import escape_fts, escape_sqlite
from markupsafe import Markup, escape

from cnbudget.load import search_fold, search_fold_map
from cnbudget.numbers import fen_to_yuan, format_money

SEARCH_ARG = "_contains"
TRIGRAM = 3
# Above this many hits, page through the primary key and probe the hit list (stops after one
# page); below it, look the hits up one by one (a scan would read the whole table).
DENSE_HITS = 1000
# A substring count scans the table; on a large one the page goes without it.
SHORT_COUNT_TIME_LIMIT_MS = 100
# Hits shown per kind on /search.
PAGE_HITS = 20
SNIPPET_CHARS = 36


def search_terms(query):
    """The whitespace-separated terms of a search, each folded like the index (quotes, full-width)."""
    return [term for term in (search_fold(t) for t in (query or "").split()) if term]


def is_short_search(query):
    """True when a search has a term too short for the trigram index (人, 接待, `公务 接待费`)."""
    return any(len(term) < TRIGRAM for term in search_terms(query))


def rewrite_search(query_string):
    """Hand `_search=` to this plugin as `_contains=` and skip Datasette's count; raw FTS syntax passes unchanged."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    if any(key == "_searchmode" and value == "raw" for key, value in pairs):
        return query_string
    if not any(key == "_search" and value.strip() for key, value in pairs):
        return query_string
    pairs = [(SEARCH_ARG if key == "_search" else key, value) for key, value in pairs]
    if not any(key == "_nocount" for key, _ in pairs):
        pairs.append(("_nocount", "1"))
    return urlencode(pairs, encoding="utf-8").encode("latin-1")


def match_clauses(query, columns, fts_table, alias=""):
    """SQL clauses and params: long terms through the trigram index, short ones as substrings of the columns.

    `alias` ("b.") qualifies the table's columns when the query joins other tables.
    """
    terms = search_terms(query)
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    clauses, params = [], {}
    if long_terms:
        fts = escape_sqlite(fts_table)
        clauses.append(f"{alias}rowid in (select rowid from {fts} where {fts} match :contains_match)")
        params["contains_match"] = escape_fts(" ".join(long_terms))
    for i, term in enumerate(t for t in terms if len(t) < TRIGRAM):
        params[f"contains_{i}"] = term
        clauses.append("(" + " or ".join(f"instr({alias}{escape_sqlite(c)}, :contains_{i}) > 0" for c in columns) + ")")
    return clauses, params


async def table_filter(datasette, request, database, table):
    """`_contains=`: rows holding every term in one of the table's full-text columns."""
    query = request.args.get(SEARCH_ARG)
    if not query or not search_terms(query):
        return None
    db = datasette.get_database(database)
    fts_table = datasette.table_metadata(database, table).get("fts_table") or await db.fts_table(table)
    if not fts_table:
        return None
    context = {"search": query, "supports_search": True}
    if is_short_search(query):
        table_columns = set(await db.table_columns(table))
        columns = [c for c in await db.table_columns(fts_table) if c in table_columns]
        count = request.args.get("_shape") not in ("array", "object")
        return await substring_filter(db, table, query, columns, fts_table, context, count)
    return await trigram_filter(db, fts_table, query, context)


async def substring_filter(db, table, query, columns, fts_table, context, count):
    """Short terms as substrings (instr: works for 1 and 2 characters, scans rows), long ones by the index."""
    clauses, params = match_clauses(query, columns, fts_table)
    description = f"包含 “{query}”"
    if count:
        try:
            sql = f"select count(*) from {escape_sqlite(table)} where {' and '.join(clauses)}"
            hits = (await db.execute(sql, params, custom_time_limit=SHORT_COUNT_TIME_LIMIT_MS)).single_value()
            description += f"（共 {hits:,} 条）"
        except QueryInterrupted:
            pass  # a large table: the page shows its rows without a total
    return FilterArguments(clauses, params, [description], context)


async def trigram_filter(db, fts_table, query, context):
    """FTS5 trigram match; the hit count decides between index lookups and a primary-key-order scan."""
    fts = escape_sqlite(fts_table)
    match = f"select rowid from {fts} where {fts} match :contains_match"
    params = {"contains_match": escape_fts(" ".join(search_terms(query)))}
    hits = (await db.execute(f"select count(*) from ({match})", params)).single_value()
    # `+rowid` keeps SQLite from driving the query by the hit list, so ORDER BY pk LIMIT stops early.
    clause = f"{'+' if hits > DENSE_HITS else ''}rowid in ({match})"
    return FilterArguments([clause], params, [f"包含 “{query}”（共 {hits:,} 条）"], context)


def highlight(text, terms, width=SNIPPET_CHARS):
    """A snippet of `text` around its first hit, every hit of every (folded) term wrapped in <mark>."""
    if not text:
        return Markup("")
    folded, origin = search_fold_map(text)
    spans = []
    for term in terms:
        start = folded.find(term)
        while start != -1 and term:
            spans.append((origin[start], origin[start + len(term) - 1] + 1))
            start = folded.find(term, start + len(term))
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(0, first - width)
    end = min(len(text), first + width * 2)
    out, pos = [], begin
    for start, stop in spans:
        if start < pos or stop > end:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start:stop]) + Markup("</mark>"))
        pos = stop
    out.append(escape(text[pos:end]))
    return Markup(("…" if begin else "") + "".join(str(o) for o in out) + ("…" if end < len(text) else ""))


# Hit counts of an immutable database never change: the latest COUNT_CACHE_SIZE are kept per process.
COUNT_CACHE_SIZE = 2000
_counts = {}


async def count_hits(db, fts_table, query):
    """Hits of a query whose terms all use the trigram index, counted in the index; None with a short term
    (counting substrings scans the table: the page shows its first hits and links the table search)."""
    terms = search_terms(query)
    if not terms or any(len(t) < TRIGRAM for t in terms):
        return None
    key = (db.hash, fts_table, tuple(terms))
    if db.hash and key in _counts:
        return _counts[key]
    fts = escape_sqlite(fts_table)
    try:
        hits = (await db.execute(f"select count(*) from {fts} where {fts} match :m", {"m": escape_fts(" ".join(terms))},
                                 custom_time_limit=SHORT_COUNT_TIME_LIMIT_MS * 5)).single_value()
    except QueryInterrupted:
        return None
    if db.hash:
        if len(_counts) >= COUNT_CACHE_SIZE:
            _counts.pop(next(iter(_counts)))
        _counts[key] = hits
    return hits


def first_hits_clause(query, columns, fts_table, alias):
    """WHERE clause and params for the first PAGE_HITS hits in load order.

    When every term is long, the index hands over its first rowids and stops (FTS5 returns rowid
    order); a short term needs a row-by-row check, which also stops after PAGE_HITS rows.
    """
    clauses, params = match_clauses(query, columns, fts_table, alias)
    if not is_short_search(query):
        fts = escape_sqlite(fts_table)
        clauses = [f"{alias}rowid in (select rowid from {fts} where {fts} match :contains_match "
                   f"order by rowid limit {PAGE_HITS})"]
    return " and ".join(clauses), params


async def search_site(db, query):
    """Figures and sections matching every term of `query`: (lines, sections, counts).

    Hits come in load order (document, then line), so a page stops after PAGE_HITS rows instead of
    sorting every hit of a common word.
    """
    terms = search_terms(query)
    where, params = first_hits_clause(query, ["label", "source_text"], "budget_lines_fts", "b.")
    lines = [dict(r) for r in await db.execute(
        "select b.document_id, b.line_id, b.label, b.amount_fen, b.amount_text, b.statement, b.source_text, b.page, "
        "b.table_name, "
        f"d.title, d.unit_name, d.fiscal_year from budget_lines b join documents d on d.document_id = b.document_id "
        f"where {where} order by b.rowid limit {PAGE_HITS}", params)]
    s_where, s_params = first_hits_clause(query, ["heading", "text"], "sections_fts", "s.")
    sections = [dict(r) for r in await db.execute(
        "select s.document_id, s.section_id, s.heading, s.text, d.title, d.unit_name, d.fiscal_year "
        f"from sections s join documents d on d.document_id = s.document_id where {s_where} "
        f"order by s.rowid limit {PAGE_HITS}", s_params)]
    counts = {"lines": await count_hits(db, "budget_lines_fts", query),
              "sections": await count_hits(db, "sections_fts", query)}
    for line in lines:
        line["snippet"] = highlight(line["source_text"], terms)
        line["label_html"] = highlight(line["label"], terms, width=100)
        if line["amount_fen"] is not None:
            line["wan"] = format_money(fen_to_yuan(line["amount_fen"]))
            line["yuan"] = format_money(fen_to_yuan(line["amount_fen"]), unit="元", places=0)
    for section in sections:
        section["snippet"] = highlight(section["text"] or section["heading"], terms)
        section["heading_html"] = highlight(section["heading"], terms, width=100)
    return lines, sections, counts
