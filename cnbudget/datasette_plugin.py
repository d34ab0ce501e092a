"""Datasette plugin for the budget site: Chinese templates, short-query search, Excel-ready CSV, charts.

Registered through the `datasette` entry point in pyproject.toml, so `datasette build/cnbudget.db`
picks it up once the project is installed.
"""

from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.database import QueryInterrupted
from datasette.utils import escape_fts, escape_sqlite, urlsafe_components
from datasette.utils.asgi import Response, asgi_static

from cnbudget.load import VIEW_COLUMNS, VIEWS

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/-/cnbudget-static/"

# Excel and WPS read a CSV as the local code page unless it starts with a UTF-8 byte order mark.
BOM = "\ufeff".encode("utf-8")

# Settings of the public site (`make serve` passes the same as --setting flags): no facet
# suggestions (they scan the table on every page view), a time limit on every query, capped rows,
# 50-row pages (HTML rendering costs per cell; the API takes ?_size= up to max_returned_rows),
# and long HTTP caching because the database is immutable.
SERVE_SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "default_cache_ttl": 3600,
}

# Table searches (`?_search=`) are answered by this plugin instead of Datasette's built-in filter:
# FTS5 trigram matches only terms of 3+ characters, so shorter terms become a substring scan; a
# term found in many rows reads the page in primary-key order instead of sorting every hit; and
# the hit count comes from the full-text index, not from a count(*) over the table.
SEARCH_ARG = "_contains"
TRIGRAM = 3
# Above this many hits, page through the primary key and probe the hit list (stops after one
# page); below it, look the hits up one by one (a scan would read the whole table).
DENSE_HITS = 1000
# A substring count scans the table; on a large one the page goes without it.
SHORT_COUNT_TIME_LIMIT_MS = 100


def search_terms(query):
    """The whitespace-separated terms of a search, quotes removed."""
    return [term for term in (t.strip('"') for t in query.split()) if term]


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


def _is_csv(headers):
    """True for a text/csv response (the ?_dl=1 download), not for the text/plain .csv API view."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.split(b";")[0].strip().lower() == b"text/csv"
    return False


def _with_bom_length(headers):
    """Headers with content-length grown by the BOM, when the response declares one."""
    return [
        (name, str(int(value) + len(BOM)).encode()) if name.lower() == b"content-length" else (name, value)
        for name, value in headers
    ]


def wrap_app(app):
    """ASGI middleware: short searches rewritten on the way in, BOM on CSV downloads on the way out."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        query_string = scope.get("query_string", b"")
        if b"_search" in query_string:
            scope = dict(scope, query_string=rewrite_search(query_string))
        state = {"bom": False}

        async def send_with_bom(message):
            if message["type"] == "http.response.start" and _is_csv(message.get("headers", [])):
                state["bom"] = True
                message = dict(message, headers=_with_bom_length(message["headers"]))
            elif message["type"] == "http.response.body" and state["bom"]:
                state["bom"] = False
                message = dict(message, body=BOM + message.get("body", b""))
            await send(message)

        await app(scope, receive, send_with_bom)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return wrap_app


@hookimpl
def filters_from_request(request, database, table, datasette):
    """`_contains=`: rows holding every term in one of the table's full-text columns."""
    query = request.args.get(SEARCH_ARG)
    if not query or not search_terms(query):
        return None

    async def inner():
        db = datasette.get_database(database)
        fts_table = datasette.table_metadata(database, table).get("fts_table") or await db.fts_table(table)
        if not fts_table:
            return None
        context = {"search": query, "supports_search": True}
        if is_short_search(query):
            # the indexed columns, i.e. the FTS table's columns that the content table has too
            table_columns = set(await db.table_columns(table))
            columns = [c for c in await db.table_columns(fts_table) if c in table_columns]
            # Like Datasette, no count for the bare-array API shapes; pages get one if it is quick.
            count = request.args.get("_shape") not in ("array", "object")
            return await substring_filter(db, table, query, columns, context, count)
        return await trigram_filter(db, fts_table, query, context)

    return inner


async def substring_filter(db, table, query, columns, context, count):
    """Every term occurs in one of the columns (instr: works for 1 and 2 characters, scans rows)."""
    clauses, params = [], {}
    for i, term in enumerate(search_terms(query)):
        params[f"contains_{i}"] = term
        clauses.append("(" + " or ".join(f"instr({escape_sqlite(c)}, :contains_{i}) > 0" for c in columns) + ")")
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
    params = {"contains_match": escape_fts(query)}
    hits = (await db.execute(f"select count(*) from ({match})", params)).single_value()
    # `+rowid` keeps SQLite from driving the query by the hit list, so ORDER BY pk LIMIT stops early.
    clause = f"{'+' if hits > DENSE_HITS else ''}rowid in ({match})"
    return FilterArguments([clause], params, [f"包含 “{query}”（共 {hits:,} 条）"], context)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """Put our templates after --template-dir and before Datasette's defaults."""
    search_path = env.loader.loaders[0].searchpath
    if str(TEMPLATES_DIR) not in search_path:
        search_path.insert(len(search_path) - 1, str(TEMPLATES_DIR))


@hookimpl
def register_routes():
    # Plugin routes come before Datasette's own, so "/" here replaces the default index page.
    return [(r"^/-/cnbudget-static/(?P<path>.*)$", asgi_static(STATIC_DIR)), (r"^/$", home)]


@hookimpl
def extra_css_urls():
    return [STATIC_PREFIX + "cnbudget.css"]


def wan(amount_yuan):
    """An amount in 元 written in 万元 with two decimals, as the disclosures print it."""
    return f"{(Decimal(amount_yuan) / Decimal(10000)).quantize(Decimal('0.01')):,}"


def bars(rows, width=100):
    """Chart rows {label, amount_yuan} with bar length (0..width) and share, computed exactly."""
    rows = [r for r in rows if r["amount_yuan"] is not None]
    top = max((r["amount_yuan"] for r in rows), default=0)
    total = sum(r["amount_yuan"] for r in rows)
    return [
        {
            **r,
            "wan": wan(r["amount_yuan"]),
            "length": int(Decimal(r["amount_yuan"]) * width / top) if top > 0 else 0,
            "share": f"{(Decimal(r['amount_yuan']) * 100 / total).quantize(Decimal('0.1'))}%" if total else "",
        }
        for r in rows
    ]


# Chart data, summed over all documents of a year; `:year` is the latest year in the database.
CHART_SQL = {
    "by_function": """
        select b.function_code as code, coalesce(f.name, min(b.label)) as label,
               sum(b.amount_yuan) as amount_yuan
        from budget_lines b left join function_codes f on f.code = b.function_code
        where b.statement = 'general_budget' and b.function_level = '类' and b.fiscal_year = :year
          and b.function_code is not null
        group by b.function_code order by amount_yuan desc, b.function_code
    """,
    "by_type": """
        select expense_type as label, sum(amount_yuan) as amount_yuan
        from budget_lines
        where rowid in (  -- first figure per document: 项目支出 may be printed twice
            select min(rowid) from budget_lines
            where statement = 'expenditure' and item in ('basic', 'project') and fiscal_year = :year
            group by document_id, item
        ) and expense_type in ('基本支出', '项目支出')
        group by expense_type order by expense_type
    """,
    "by_year": """
        select fiscal_year || '年' as label, sum(amount_yuan) as amount_yuan
        from budget_lines where statement = 'overview' and item = 'total'
        group by fiscal_year order by fiscal_year
    """,
    "summary": """
        select count(*) as documents, count(distinct unit_name) as units,
               min(fiscal_year) as first_year, max(fiscal_year) as last_year
        from documents
    """,
}


# The same charts for one document, on its row page (/cnbudget/documents/<document_id>).
DOCUMENT_CHART_SQL = {
    "by_function": """
        select b.function_code as code, coalesce(f.name, b.label) as label, b.amount_yuan
        from budget_lines b left join function_codes f on f.code = b.function_code
        where b.document_id = :doc and b.statement = 'general_budget' and b.function_level = '类'
        order by b.amount_yuan desc, b.line_id
    """,
    "by_type": """
        select expense_type as label, amount_yuan from budget_lines
        where rowid in (
            select min(rowid) from budget_lines
            where document_id = :doc and statement = 'expenditure' and item in ('basic', 'project')
            group by item
        ) and expense_type in ('基本支出', '项目支出')
        order by item
    """,
}


def view_column_descriptions(datasette, database, view):
    """Descriptions of a disclosure view's columns: budget_lines' own, plus documents.unit_name."""
    lines = datasette.table_metadata(database, "budget_lines").get("columns") or {}
    documents = datasette.table_metadata(database, "documents").get("columns") or {}
    names = [c.strip().split(".")[-1] for c in VIEW_COLUMNS.split(",")]
    described = {**lines, "unit_name": documents.get("unit_name", "")}
    return {name: described[name] for name in names if described.get(name)}


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    """Disclosure views: their column descriptions. A document's row page: its charts."""
    if view_name == "table" and table in VIEWS:
        return {"view_columns": view_column_descriptions(datasette, database, table)}
    if view_name != "row" or table != "documents" or request is None:
        return {}

    async def inner():
        db = datasette.get_database(database)
        if not await db.table_exists("budget_lines"):
            return {}
        doc = urlsafe_components(request.url_vars["pks"])[0]
        charts = {
            name: bars([dict(r) for r in await db.execute(sql, {"doc": doc})])
            for name, sql in DOCUMENT_CHART_SQL.items()
        }
        return {"document_charts": charts if any(charts.values()) else None}

    return inner


# The home page's grouped queries read every document once: on a large database they need more
# than a visitor's sql_time_limit_ms, and they run once per immutable database (at startup).
SUMMARY_TIME_LIMIT_MS = 60_000


async def site_summary(db):
    """Counts and chart data of one budget database (a few grouped queries over indexed columns)."""
    summary = dict((await db.execute(CHART_SQL["summary"], custom_time_limit=SUMMARY_TIME_LIMIT_MS)).first())
    year = summary["last_year"]
    params = {"year": year}
    charts = {}
    for name in ("by_function", "by_type", "by_year"):
        rows = await db.execute(CHART_SQL[name], params, custom_time_limit=SUMMARY_TIME_LIMIT_MS)
        charts[name] = bars([dict(r) for r in rows])
    return {"summary": summary, "year": year, "charts": charts}


async def site_links(datasette, db):
    """Home-page links with Chinese titles: tables, disclosure-table views, canned queries."""
    tables_metadata = datasette.metadata("tables", database=db.name) or {}
    views = await db.view_names()
    hidden = set(await db.hidden_table_names())
    present = [t for t in await db.table_names() if t not in hidden] + views
    # metadata.yml's order first, then anything it does not describe
    names = [t for t in tables_metadata if t in present] + [t for t in present if t not in tables_metadata]
    links = {"tables": [], "views": []}
    for name in names:
        meta = tables_metadata.get(name, {})
        if meta.get("hidden"):
            continue
        kind = "views" if name in views else "tables"
        links[kind].append({
            "url": datasette.urls.table(db.name, name), "title": meta.get("title", name),
            "description": meta.get("description", ""),
        })
    queries = await datasette.get_canned_queries(db.name, None)
    links["queries"] = [
        {"url": datasette.urls.query(db.name, name), "title": q.get("title", name),
         "description": q.get("description", "")}
        for name, q in queries.items()
    ]
    return links


async def budget_database(datasette):
    """The first attached database that holds budget_lines and documents, or None."""
    for db in datasette.databases.values():
        if db.name.startswith("_"):
            continue
        if await db.table_exists("budget_lines") and await db.table_exists("documents"):
            return db
    return None


async def budget_context(datasette):
    """Counts, chart data and links of the budget database; computed once per immutable database."""
    db = await budget_database(datasette)
    if db is None:
        return None
    cache = datasette.__dict__.setdefault("_cnbudget_cache", {})
    key = (db.name, db.hash)
    if db.hash and key in cache:
        return cache[key]
    budget = {"database": db.name, **await site_summary(db), **await site_links(datasette, db)}
    if db.hash:
        cache[key] = budget
    return budget


@hookimpl
def startup(datasette):
    """Compute the home page's summary and charts before the first visitor asks for them."""

    async def inner():
        await budget_context(datasette)

    return inner


async def home(datasette, request):
    """The Chinese home page. Replaces Datasette's index, which re-reads every table's details per view."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    context = {
        "budget": await budget_context(datasette),
        "metadata": datasette.metadata(),
        "databases": [{"name": name} for name in datasette.databases if not name.startswith("_")],
    }
    html = await datasette.render_template("index.html", context, request=request, view_name="index")
    ttl = datasette.setting("default_cache_ttl")
    return Response.html(html, headers={"cache-control": f"max-age={ttl}"} if ttl else {})
