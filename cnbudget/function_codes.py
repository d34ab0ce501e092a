"""The 政府收支分类科目 reference table: map printed 类/款/项 names (and their variants) to codes."""

import csv
from functools import lru_cache
from pathlib import Path

# Package data (cnbudget/reference/, installed beside this module by the wheel as in a checkout);
# a plain path: importlib.resources costs ~10 ms of every command's start.
REFERENCE = Path(__file__).resolve().parent / "reference"
REFERENCE_CSV = REFERENCE / "function_codes.csv"
CROSSWALK_CSV = REFERENCE / "function_code_crosswalk.csv"


def name_key(name):
    """Compare names without brackets' width, spaces or a trailing 支出 (一般公共服务 = 一般公共服务支出)."""
    name = name.replace("（", "(").replace("）", ")").replace(" ", "").strip("“”\"")
    return name[:-2] if name.endswith("支出") and len(name) > 3 else name


@lru_cache(maxsize=4)
def load_reference(path=REFERENCE_CSV):
    """Rows of the reference table, keyed by code."""
    with path.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


@lru_cache(maxsize=4)
def _names_by_parent(path=REFERENCE_CSV):
    """{parent code or '': {name key: code}} over official names and variants."""
    index = {}
    for code, row in load_reference(path).items():
        names = [row["name"]] + [v for v in row["variants"].split(";") if v]
        for name in names:
            index.setdefault(row["parent"], {}).setdefault(name_key(name), code)
    return index


def class_code(name):
    """Code of a 类 by its printed name, or None."""
    return _names_by_parent().get("", {}).get(name_key(name))


def child_code(parent, name):
    """Code of the 款 or 项 called `name` under `parent`, or None."""
    if parent is None:
        return None
    return _names_by_parent().get(parent, {}).get(name_key(name))


def resolve(class_name, section_name=None, item_name=None):
    """(code, level) of the deepest printed level, or (None, level) when a name is unknown."""
    level, code = "类", class_code(class_name)
    if section_name is not None:
        level, code = "款", child_code(code, section_name)
    if item_name is not None:
        level, code = "项", child_code(code, item_name)
    return code, level


def official_name(code):
    """The official name of a code, or None."""
    row = load_reference().get(code)
    return row["name"] if row else None
