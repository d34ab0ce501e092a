"""Compiled regular expressions kept between runs, like bytecode: `re` compiles every pattern anew at start.

`re` compiles in pure Python; cnbudget's ~180 patterns (classes of Han characters above all) cost
~300 M instructions, more than half of what `cnbudget extract` spends importing (cachegrind).
`write()` (run by `make install`, `python -m cnbudget.regex_cache`) stores what the compiler made
of every pattern the extractor compiles at import; `load()` (the `cnbudget` command, before its
imports) puts them back into `re`'s own cache, so each `re.compile` of such a pattern is a lookup.
The file sits in `cnbudget/__pycache__/`, named by the interpreter (`cpython-311`) and the regex
engine's magic number, and holds the exact Python version it was made by. A pattern not in the
file (changed since), another interpreter, a `re` without this cache, an unreadable file: `re`
compiles as always. What is loaded is what `re` would compile (tested: equal Pattern objects).
"""

import marshal
import os
import sys

FORMAT = 1


def cache_path():
    """cnbudget/__pycache__/regex.<interpreter>.<engine magic>.marshal"""
    import _sre

    name = f"regex.{sys.implementation.cache_tag}.{_sre.MAGIC}.marshal"
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__", name)


def header():
    return (FORMAT, sys.version, sys.implementation.cache_tag)


def load(path=None):
    """Put the stored compiled patterns into `re`'s cache; the number loaded (0 when none can be)."""
    try:
        import _sre
        import re

        if not isinstance(getattr(re, "_cache", None), dict):
            return 0  # another `re` (3.12 keeps two caches): compile as always
        with open(path or cache_path(), "rb") as f:
            stored_header, entries = marshal.loads(f.read())  # one read: marshal.load reads item by item
        if stored_header != header():
            return 0
        loaded = 0
        for pattern, flags, compiled_flags, code, groups, groupindex, indexgroup in entries:
            key = (type(pattern), pattern, flags)
            if key not in re._cache and len(re._cache) < re._MAXCACHE:
                re._cache[key] = _sre.compile(pattern, compiled_flags, code, groups, groupindex, indexgroup)
                loaded += 1
        return loaded
    except Exception:  # noqa: BLE001 (a cache: anything wrong with it means compiling as always)
        return 0


def compiled_entries(patterns):
    """[(pattern, flags, compiled flags, code, groups, groupindex, indexgroup)]: `re`'s compiler's own output."""
    import re
    from re import _compiler

    made = []

    class Recorder:
        """Stands in for `_sre` while `re` compiles: records the arguments of `_sre.compile`."""

        def __getattr__(self, name):
            return getattr(real_sre, name)

        def compile(self, *args):
            made.append(args)
            return real_sre.compile(*args)

    real_sre = _compiler._sre
    entries = []
    _compiler._sre = Recorder()
    try:
        for pattern, flags in patterns:
            made.clear()
            _compiler.compile(pattern, flags)
            source, compiled_flags, code, groups, groupindex, indexgroup = made[-1]
            entries.append((pattern, int(flags), int(compiled_flags), [int(op) for op in code], int(groups),
                            dict(groupindex), tuple(indexgroup)))  # plain ints: marshal refuses RegexFlag
    finally:
        _compiler._sre = real_sre
    assert re._compiler._sre is real_sre
    return entries


def extractor_patterns():
    """(pattern, flags) of every pattern compiled while the extractor's modules are imported."""
    import re

    before = set(re._cache)
    import cnbudget.console  # noqa: F401
    import cnbudget.extract  # noqa: F401
    import cnbudget.html  # noqa: F401 (imported when a web page is read; html.parser's patterns too)
    import cnbudget.pdf  # noqa: F401

    return [(pattern, flags) for kind, pattern, flags in re._cache if (kind, pattern, flags) not in before
            and isinstance(pattern, str)]


def write(path=None):
    """Store the compiled form of the extractor's patterns; the number stored."""
    path = path or cache_path()
    entries = compiled_entries(extractor_patterns())
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as f:
            marshal.dump((header(), entries), f)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return len(entries)


if __name__ == "__main__":
    try:
        print(f"{write()} compiled patterns stored in {cache_path()}")
    except OSError as error:  # a read-only install: commands compile as always
        print(f"compiled patterns not stored ({error}); commands compile them at start", file=sys.stderr)
