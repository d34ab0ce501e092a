"""Start-up of `cnbudget extract`: compiled regular expressions stored by `make install` and loaded back.

What is loaded must be exactly what `re` compiles (Pattern objects compare their pattern, flags
and compiled code); a missing, damaged or foreign file changes nothing but speed.
"""

import marshal
import re
import subprocess
import sys

import pytest

from cnbudget import regex_cache

PATTERNS = [(r"(?P<year>(?:19|20)\d{2})年度?(?P<unit>[\u4e00-\u9fff()]{2,40}?)(?P<kind>部门预算|部门决算)", 0),
            (r"^\s*第\s{0,2}\d{1,4}\s{0,2}页", re.M), (r"password|encrypt", re.I), (r"[。!?]|$", 0)]


@pytest.fixture
def stored(tmp_path):
    path = tmp_path / "regex.marshal"
    path.write_bytes(marshal.dumps((regex_cache.header(), regex_cache.compiled_entries(PATTERNS))))
    return path


@pytest.fixture
def clean_re_cache():
    re.purge()
    yield
    re.purge()


def test_loaded_patterns_are_what_re_compiles(stored, clean_re_cache):
    assert regex_cache.load(stored) == len(PATTERNS)
    for pattern, flags in PATTERNS:
        loaded = re.compile(pattern, flags)
        assert loaded == re._compiler.compile(pattern, int(flags))  # same pattern, flags and code
    match = re.compile(*PATTERNS[0]).search("2026年深圳市审计局部门预算")
    assert match.group("year", "unit", "kind") == ("2026", "深圳市审计局", "部门预算")


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b"not marshal data"),
    lambda path: path.write_bytes(marshal.dumps(((0, "another Python", "cpython-0"), []))),
    lambda path: path.write_bytes(marshal.dumps((regex_cache.header(), [("x", 0, 0, [1, 2, 3], 0, {}, ())]))),
    lambda path: path.unlink(),
])
def test_a_missing_damaged_or_foreign_file_loads_nothing_and_re_compiles_as_always(stored, clean_re_cache, damage):
    damage(stored)
    assert regex_cache.load(stored) == 0
    assert re.compile("x").match("x")


def test_install_stores_the_extractors_patterns(tmp_path, clean_re_cache):
    path = tmp_path / "regex.marshal"
    script = "import sys; from cnbudget import regex_cache; print(regex_cache.write(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert int(done.stdout) >= 100 and path.is_file()
    header, entries = marshal.loads(path.read_bytes())
    assert header == regex_cache.header()
    assert any("部门预算" in pattern for pattern, *_ in entries)
    assert regex_cache.load(path) == len(entries)
    assert all(re.compile(pattern, flags) == re._compiler.compile(pattern, flags) for pattern, flags, *_ in entries)
