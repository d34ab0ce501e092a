"""The real dev disclosures (../shared/sources/dev): standard tables found per kind, and hand-checked cells.

Each tests/expected/national/<name>.tables.json was written by reading the document itself
(`pdftotext -layout FILE -`): the table kinds it prints, then headline totals, every 类 row of the
expenditure / general-budget tables, a sample of 项 rows and the 三公 parts, each with its page and
the amount as printed. The reader must give each of them to the 分. Skipped without ../shared.
"""

import json
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from cnbudget.reading import read_lines
from cnbudget.table_reader import read_tables
from tests.conftest import DEV_SOURCES

EXPECTED = Path(__file__).resolve().parent / "expected" / "national"
CASES = sorted(EXPECTED.glob("*.tables.json"))
UNIT = {"元": Decimal(1), "万元": Decimal(10_000)}
pytestmark = pytest.mark.skipif(not DEV_SOURCES.exists(), reason=f"dev documents not present at {DEV_SOURCES}")


def expected(case):
    return json.loads(case.read_text(encoding="utf-8"))


class Collector:
    """The extraction collector's interface; the cells are read off the tables the reader returns."""

    def __init__(self, fiscal_year):
        self.fiscal_year = fiscal_year

    def warn(self, *args):
        pass

    def add_line(self, *args, **kwargs):
        pass


@lru_cache(maxsize=None)
def tables_of(document):
    path = DEV_SOURCES / document
    lines, _ = read_lines(path, path.read_bytes())
    return read_tables(Collector(int(path.name[:4])), lines)


@pytest.mark.parametrize("case", CASES, ids=[c.name.split(".")[0] for c in CASES])
def test_kinds_found(case):
    spec = expected(case)
    found = Counter(table.kind.key for table in tables_of(spec["document"]))
    assert dict(found) == spec["kinds"]
    empty = sorted(table.kind.key for table in tables_of(spec["document"]) if table.empty)
    assert empty == sorted(spec.get("empty", []))


CELLS = [(case, cell) for case in CASES for cell in expected(case)["cells"]]


@pytest.mark.parametrize("case, cell", CELLS, ids=[f"{c.name.split('.')[0]}:p{x['page']}:{x['item']}:{x.get('phase', 'budget')}"
                                                   for c, x in CELLS])
def test_hand_checked_cells(case, cell):
    spec = expected(case)
    found = [c for table in tables_of(spec["document"]) if cell["table"] in table.name for c in table.cells
             if c["item"] == cell["item"] and c.get("phase") == cell.get("phase", "budget")
             and c["line"].page == cell["page"] and c["statement"] == cell["statement"]]
    assert len(found) == 1, [(c["item"], c["amount_text"], c["line"].page) for c in found]
    printed = Decimal(cell["printed"].replace(",", "")) * UNIT[cell["unit"]]
    assert found[0]["amount"] == printed
    if "code" in cell:
        assert found[0].get("function_code") == cell["code"]
