"""Datasette hardening: the public site survives careless and hostile clients.

A separate plugin (entry point `cnbudget_guard`), so the site plugin keeps its one job:
- errors are logged in one line (no `rich` traceback with locals, which cost ~0.27 s of event-loop
  CPU per 404 and let ten clients stall the site); a bad `_sort` or `_timelimit` is a 400, not a 500;
- arbitrary SQL (`?sql=`, `?_where=`) runs one query at a time (at most 20 a second) with a short
  time limit, and waits in a short queue (503 when full), so it can never hold the SQL threads or
  the event loop that pages need;
- every connection is read-only at the OS level (`mode=ro`), values are capped in bytes
  (SQLITE_LIMIT_LENGTH and friends), an arbitrary-SQL response is capped in bytes, and
  `fts3_tokenizer` (which hands out raw pointers) is disabled;
- debugging endpoints under `/-/` that show versions, settings, plugins, threads and file paths
  are not public.
`GUARD_SETTINGS` are the `--setting` values `cnbudget serve` passes beside the site's.
"""

import asyncio
import logging
import sqlite3
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from datasette import Response, hookimpl

log = logging.getLogger("cnbudget.guard")

# Datasette settings (merged into `cnbudget serve`): a thread more than the default three, so one
# runs arbitrary SQL while the others serve pages; pages and canned queries keep the 1 s limit.
GUARD_SETTINGS = {
    "num_sql_threads": 4,
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 200,
}

ADHOC_TIME_LIMIT_MS = 250  # arbitrary SQL: a quarter of a page's limit
ADHOC_CONCURRENCY = 1  # arbitrary SQL queries running at once (of num_sql_threads)
ADHOC_QUEUE = 16  # arbitrary SQL requests waiting; more get 503 at once
ADHOC_WAIT_SECONDS = 5
ADHOC_MIN_SECONDS = 0.05  # each holds its place this long at least: at most 20 arbitrary queries/s
ADHOC_MAX_RESPONSE_BYTES = 20_000_000
ADHOC_ARGS = ("sql", "_where")

# Per-connection SQLite limits: no string or blob over 1 MB (the longest text in the package is a
# few KB), short SQL text, shallow expressions, few compound SELECTs and function arguments.
SQLITE_LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: 1_000_000,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 500,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 100,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 32,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,
}

# Debugging endpoints that show internals (versions, settings, plugins, threads, file paths,
# permission checks); the site's own `/-/` routes and static files stay public.
PRIVATE_ROUTES = ("versions", "plugins", "settings", "config", "threads", "databases", "permissions",
                  "allow-debug", "actor", "messages", "patterns", "auth-token", "logout")


# ---------------------------------------------------------------- SQLite connections

DENIED_FUNCTIONS = {"fts3_tokenizer"}  # returns a raw pointer, or registers one


def authorizer(action, arg1, arg2, database, trigger):
    """SQLite's authorizer: refuse the denied functions at prepare time ("not authorized")."""
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    """Cap sizes on every connection and refuse fts3_tokenizer."""
    for limit, value in SQLITE_LIMITS.items():
        conn.setlimit(limit, value)
    conn.set_authorizer(authorizer)


def read_only_connect(database):
    """A `connect` for an immutable file database that opens it read-only at the OS level too."""
    uri = f"file:{quote(str(Path(database.path).resolve()))}?mode=ro&immutable=1"

    def connect(write=False):
        if write:
            raise sqlite3.OperationalError(f"{database.name} is served read-only")
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        database._all_file_connections.append(conn)
        return conn

    connect.read_only = True
    return connect


def open_read_only(datasette):
    """Make every immutable file database open with mode=ro (Datasette opens them read-write)."""
    for database in datasette.databases.values():
        if database.path and not database.is_mutable and not database.is_memory \
                and not getattr(database.connect, "read_only", False):
            database.connect = read_only_connect(database)


# ---------------------------------------------------------------- errors

def where(exception):
    """file:line of the innermost frame of an exception's traceback."""
    frames = traceback.extract_tb(exception.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


def status_of(exception, request=None):
    """The HTTP status Datasette would give, with the client's own mistakes that Datasette 0.65
    answers with a 500 turned into a 400 or 404: a bad `_sort`, a malformed `_through`, a row
    address with too few primary-key values."""
    from datasette.utils.asgi import Base400
    from datasette.views.base import DatasetteError

    message = str(exception)
    if message.startswith(("Cannot sort table by", "Cannot use _sort")):  # a DatasetteError with status 500
        return 400
    if isinstance(exception, (Base400, DatasetteError)):
        return exception.status
    if request is not None and "_through" in request.args and isinstance(exception, (ValueError, KeyError, TypeError)):
        return 400
    if isinstance(exception, sqlite3.ProgrammingError) and "supply a value for binding parameter" in message:
        return 404
    return 500


def log_line(request, exception, status):
    """One line per error: status, method, path, exception type and message (and where, for a 500)."""
    from cnbudget.errors import one_line

    message = one_line(f"{type(exception).__name__}: {exception}")[:300]
    path = one_line(request.full_path if request is not None else "?")[:300]
    suffix = f" at {where(exception)}" if status >= 500 else ""
    print(f"cnbudget.guard {status} {request.method if request else ''} {path} {message}{suffix}",
          file=sys.stderr, flush=True)


def is_default_handler(result):
    return getattr(result, "__module__", "") == "datasette.handle_exception"


@hookimpl(wrapper=True)
def handle_exception(datasette, request, exception):
    """Replace Datasette's default handler (which prints a rich traceback with locals) by one that
    logs one line and renders the same error page; other plugins' responses are kept."""
    results = yield
    others = [result for result in results if not is_default_handler(result)]
    status = status_of(exception, request)
    log_line(request, exception, status)

    async def render():
        message = exception.args[0] if exception.args else str(exception)
        title = getattr(exception, "title", None)
        info = {"ok": False, "error": str(message), "status": status, "title": title}
        if request.path.split("?")[0].endswith(".json"):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        page = await template.render_async(dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
                                                menu_links=lambda: []))
        return Response.html(page, status=status)

    return [*others, render]


# ---------------------------------------------------------------- requests

def is_private(path):
    """Whether a `/-/` path is a debugging endpoint (with or without .json)."""
    if not path.startswith("/-/"):
        return False
    name = path[3:].split("/")[0]
    return name.split(".")[0] in PRIVATE_ROUTES


def adhoc_args(query_string):
    """The query arguments of an arbitrary-SQL request with its time limit lowered, or None."""
    args = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if not any(name in ADHOC_ARGS for name, _ in args):
        return None
    return args


def with_time_limit(args, limit_ms):
    """The arguments with `_timelimit` at most `limit_ms` (a non-integer one is dropped)."""
    asked = [value for name, value in args if name == "_timelimit"]
    limit = limit_ms
    if asked and asked[-1].isdigit() and 0 < int(asked[-1]) < limit_ms:
        limit = int(asked[-1])
    return [(name, value) for name, value in args if name != "_timelimit"] + [("_timelimit", str(limit))]


def sanitized(scope):
    """The scope with a non-integer `_timelimit` dropped (Datasette would answer it with a 500)."""
    query = scope.get("query_string", b"")
    if b"_timelimit" not in query:
        return scope
    args = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    kept = [(n, v) for n, v in args if n != "_timelimit" or v.isdigit()]
    return dict(scope, query_string=urlencode(kept).encode("ascii"))


async def send_json(send, status, error, headers=()):
    body = Response.json({"ok": False, "error": error, "status": status}).body
    body = body if isinstance(body, bytes) else body.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class AdhocQueue:
    """At most ADHOC_CONCURRENCY arbitrary-SQL requests at once, at most ADHOC_QUEUE waiting."""

    def __init__(self):
        self.concurrency, self.queue = ADHOC_CONCURRENCY, ADHOC_QUEUE
        self.semaphore = None
        self.waiting = 0

    async def acquire(self):
        """True when this request may run; False when the queue is full or the wait too long."""
        if self.semaphore is None:
            self.semaphore = asyncio.Semaphore(self.concurrency)
        if not self.semaphore.locked():
            return await self.semaphore.acquire()  # a free place: taken without waiting
        if self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(self.semaphore.acquire(), ADHOC_WAIT_SECONDS)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self.waiting -= 1

    def release(self):
        self.semaphore.release()


def capped(send, limit):
    """A `send` that holds the response start until the body is complete or over `limit` bytes,
    and answers 413 instead of a body over the limit."""
    state = {"start": None, "chunks": [], "size": 0, "refused": False}

    async def send_capped(message):
        if state["refused"]:
            return
        if message["type"] == "http.response.start":
            state["start"] = message
            return
        if message["type"] != "http.response.body" or state["start"] is None:
            await send(message)
            return
        state["size"] += len(message.get("body", b""))
        if state["size"] > limit:
            state["refused"] = True
            await send_json(send, 413, f"the result is over {limit:,} bytes; ask for fewer rows or columns")
            return
        state["chunks"].append(message)
        if not message.get("more_body"):
            await send(state["start"])
            for chunk in state["chunks"]:
                await send(chunk)

    return send_capped


def guard_app(app, datasette):
    """The ASGI app with private routes hidden and arbitrary SQL queued, time-limited and capped."""
    queue = AdhocQueue()
    open_read_only(datasette)

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        open_read_only(datasette)  # databases added after start-up too
        if is_private(scope.get("path", "")):
            return await send_json(send, 404, "Not found")
        scope = sanitized(scope)
        args = adhoc_args(scope.get("query_string", b""))
        if args is None:
            return await app(scope, receive, send)
        limited = urlencode(with_time_limit(args, ADHOC_TIME_LIMIT_MS)).encode("ascii")
        started = time.monotonic()
        if not await queue.acquire():
            return await send_json(send, 503, "too many SQL queries at once; retry in a moment",
                                   [(b"retry-after", b"1")])
        running = time.monotonic()
        try:
            scope = dict(scope, query_string=limited)
            await app(scope, receive, capped(send, ADHOC_MAX_RESPONSE_BYTES))
            # A flood of cheap failing queries (invalid SQL) would otherwise take the event loop
            # from the pages: the lane is held a moment, so it serves at most 20 a second.
            await asyncio.sleep(max(0.0, ADHOC_MIN_SECONDS - (time.monotonic() - running)))
        finally:
            queue.release()
            if time.monotonic() - started > 5:
                log.warning("slow arbitrary SQL request: %.1f s", time.monotonic() - started)

    return guarded


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: guard_app(app, datasette)
