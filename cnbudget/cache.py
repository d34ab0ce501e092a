"""The build cache: each document's extracted rows (and each unit's year-over-year rows) kept by content.

A document's entry is found by the sha256 of its bytes, its sidecar, its path under the sources
folder and the extractor's version; a unit's `changes` entry (its year-over-year rows, then its
budget-vs-actual rows) by the keys of its documents. Entries
are what the package writer needs and nothing more: the CSV bytes of every resource (already
checked against the schemas) after a small JSON header (row counts, the function codes the
document printed, its check errors), in one SQLite file (`build/cache/cache.db`), written by the
build's main process only. Entries of another extractor version are dropped when the cache is opened.

The extractor's version (`extractor_version()`) is `cnbudget.__version__`, `CACHE_FORMAT`, and the
sha256 of every file of the package that extraction, checks and diffs read (all of `cnbudget/`
except the serving layers listed in `NOT_EXTRACTION`, plus `datasets/reference/`). Editing any of
them invalidates the cache by itself; bump `CACHE_FORMAT` when the entries' layout changes, or
when extraction starts to depend on something outside these files (a tool's version).
"""

import hashlib
import json
import sqlite3
from functools import lru_cache
from pathlib import Path

import orjson

import cnbudget

CACHE_FORMAT = "4"
PACKAGE_DIR = Path(cnbudget.__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR.parent / "datasets" / "reference"
# Serving and command-line layers: editing them changes no extracted row.
NOT_EXTRACTION = ("cli.py", "load.py", "datasette_plugin.py", "guard.py", "swap.py", "progress.py",
                  "cluster.py", "parquet.py", "site/", "templates/", "static/")
CODE_SUFFIXES = (".py", ".csv", ".json", ".yml", ".yaml", ".txt")


def code_files():
    """Files whose content decides extracted rows, in a stable order."""
    files = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
             and "__pycache__" not in p.parts
             and not p.relative_to(PACKAGE_DIR).as_posix().startswith(NOT_EXTRACTION)]
    if REFERENCE_DIR.is_dir():
        files += [p for p in REFERENCE_DIR.rglob("*") if p.is_file()]
    return sorted(files)


@lru_cache(maxsize=1)
def extractor_version():
    """`__version__`+format+sha256 of the extraction code: equal only where extraction gives equal rows."""
    digest = hashlib.sha256()
    for path in code_files():
        name = path.relative_to(PACKAGE_DIR.parent).as_posix()
        digest.update(f"{name}\0{len(path.read_bytes())}\0".encode())
        digest.update(path.read_bytes())
    return f"{cnbudget.__version__}+{CACHE_FORMAT}.{digest.hexdigest()[:16]}"


def key_of(*parts):
    """sha256 of JSON parts: the key of a cache entry."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def document_key(version, digests, sidecar, source_file):
    """A document's entry: its files' bytes (sha256 of each), its sidecar, where it sits and the extractor."""
    return key_of("document", version, list(digests), sidecar, source_file)


def series_key(version, document_keys):
    """A unit's `changes` (and `budget_vs_actual`) entry: the documents compared, in series order."""
    return key_of("series", version, list(document_keys))


def pack(header, body=b""):
    """An entry's bytes: the length of its JSON header, the header, then the body (CSV bytes, uncompressed).

    Not compressed: a warm build reads every entry, and zlib's decompression of ~55 KB per document
    cost more than the rest of a warm build together; the cache is ~55 KB a document on disk.
    """
    head = orjson.dumps(header)
    return len(head).to_bytes(4, "big") + head + body


def unpack(blob):
    """(header, body) of an entry's bytes; the body is a memoryview, sliced without copying."""
    size = int.from_bytes(blob[:4], "big")
    view = memoryview(blob)
    return orjson.loads(view[4:4 + size]), view[4 + size:]


class BuildCache:
    """Entries by key in one SQLite file; `None` as the folder gives a cache that keeps nothing."""

    def __init__(self, folder, version=None):
        self.version = version or extractor_version()
        self.db = None
        self.hits = self.misses = 0
        if folder is None:
            return
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / "cache.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-32768")  # 32 MiB: the key index stays in memory
        self.db.execute("DROP TABLE IF EXISTS entries")  # the layout of CACHE_FORMAT 1 and 2
        # A rowid table: its key index is small and dense, the large blobs live apart from it.
        self.db.execute("CREATE TABLE IF NOT EXISTS cache_entries (key TEXT PRIMARY KEY, version TEXT NOT NULL, "
                        "blob BLOB NOT NULL)")
        self.db.execute("DELETE FROM cache_entries WHERE version != ?", (self.version,))
        self.pending = []
        self.keys = None

    def get(self, key):
        """The packed entry under `key`, or None."""
        if self.db is None:
            self.misses += 1
            return None
        row = self.db.execute("SELECT blob FROM cache_entries WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return row[0]

    def has(self, key):
        """Whether an entry is kept under `key` (the keys are read once, from the index alone)."""
        return self.db is not None and key in self.kept_keys()

    def kept_keys(self):
        """Every key kept, read once from the index alone."""
        if self.keys is None:
            self.keys = {k for (k,) in self.db.execute("SELECT key FROM cache_entries")}
        return self.keys

    def is_empty(self):
        """Whether no entry is kept (or the cache keeps nothing): then every series is built."""
        return self.db is None or not self.kept_keys()

    def put(self, key, blob):
        """Keep a packed entry; written in batches, and at `close`."""
        if self.db is None:
            return
        self.pending.append((key, self.version, blob))
        if self.keys is not None:
            self.keys.add(key)
        if len(self.pending) >= 500:
            self.flush()

    def flush(self):
        if self.db is not None and self.pending:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO cache_entries VALUES (?, ?, ?)", self.pending)
            self.pending = []

    def close(self):
        if self.db is not None:
            self.flush()
            self.db.close()
            self.db = None
