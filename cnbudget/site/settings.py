"""How the public site runs: every `datasette serve` setting in one dict, and the command line built from it.

`cnbudget serve` (and so `make serve`) is the only caller; other plugins that need a setting
(the hardening plugin's thread count, time limits) are merged into SERVE_SETTINGS here.
"""

from cnbudget.guard import GUARD_SETTINGS

# Settings of the public site: no facet suggestions (they scan the table on every page view), a
# time limit on every query, capped rows, 50-row pages (HTML rendering costs per cell; the API
# takes ?_size= up to max_returned_rows), long HTTP caching because the database is immutable,
# and CSV streaming on (the visible CSV link downloads every row).
SITE_SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "default_cache_ttl": 3600,
    "allow_csv_stream": True,
    "max_csv_mb": 0,
}
# ... and the hardening plugin's (cnbudget/guard.py): more SQL threads, a short facet time limit.
SERVE_SETTINGS = {**SITE_SETTINGS, **GUARD_SETTINGS}


def setting_flags(settings=None):
    """SERVE_SETTINGS as `--setting name value` flags (booleans as on/off)."""
    flags = []
    for name, value in (SERVE_SETTINGS if settings is None else settings).items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        flags += ["--setting", name, text]
    return flags


def serve_args(db, metadata="metadata.yml", inspect_file=None, host="127.0.0.1", port=8001, cors=True):
    """The `datasette serve` arguments of the public site: read-only (-i), our metadata and settings."""
    args = ["serve", "-i", str(db), "--metadata", str(metadata), "--host", host, "--port", str(port)]
    if inspect_file:
        args += ["--inspect-file", str(inspect_file)]
    if cors:
        args.append("--cors")
    return args + setting_flags()
