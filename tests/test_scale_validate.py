"""The cheap row checks (cnbudget.validate) agree with frictionless on what is valid, cell by cell."""

import copy

import pytest
from frictionless import Resource, Schema

from cnbudget.schema import SCHEMAS
from cnbudget.validate import FieldCheck, KeyIndex, TableCheck, UnsupportedSchema, document_cells


def frictionless_errors(resource, rows_of_cells):
    """Error types frictionless reports for these CSV cells against the resource's schema (keys within the rows)."""
    schema = copy.deepcopy(SCHEMAS[resource])
    schema.pop("foreignKeys", None)
    names = [f["name"] for f in schema["fields"]]
    report = Resource(data=[names, *rows_of_cells], schema=Schema.from_descriptor(schema)).validate()
    return [error.type for task in report.tasks for error in task.errors]


@pytest.fixture(scope="module")
def valid_rows(seed_extraction):
    return {"budget_lines": seed_extraction["budget_lines"][0], "documents": seed_extraction["document"],
            "function_codes": {"code": "2010101", "level": "项", "name": "行政运行", "parent": "20101"}}


@pytest.mark.parametrize("resource, field, text, valid", [
    ("budget_lines", "amount_yuan", "6446600", True),
    ("budget_lines", "amount_yuan", "-5", True),
    ("budget_lines", "amount_yuan", "", True),  # a quantity line has no amount
    ("budget_lines", "amount_yuan", "12.5", False),
    ("budget_lines", "amount_yuan", "644.66万元", False),
    ("budget_lines", "statement", "three_public", True),
    ("budget_lines", "statement", "nonsense", False),
    ("budget_lines", "function_level", "类", True),
    ("budget_lines", "function_level", "目", False),
    ("budget_lines", "label", "", False),  # required
    ("budget_lines", "line_id", "", False),  # primary key
    ("budget_lines", "fiscal_year", "二〇二三", False),
    ("documents", "sha256", "0" * 64, True),
    ("documents", "sha256", "XYZ", False),
    ("documents", "kind", "部门决算", True),
    ("documents", "kind", "预算", False),
    ("function_codes", "code", "20101", True),
    ("function_codes", "code", "2010", False),
    ("function_codes", "code", "201010101", False),
])
def test_a_cell_is_valid_here_exactly_when_frictionless_says_so(valid_rows, resource, field, text, valid):
    check = TableCheck(resource)
    cells = check.cells(valid_rows[resource])
    cells[check.names.index(field)] = text
    ours = check.errors(cells, 1)
    theirs = frictionless_errors(resource, [cells])
    assert (not ours, not theirs) == (valid, valid), (ours, theirs)
    assert TableCheck(resource).all_valid([cells]) == valid  # column by column, as row by row
    if not valid:
        assert ours[0].startswith(f"{resource} row 1: {field} ")


def test_a_repeated_primary_key_is_an_error_for_both(valid_rows):
    check = TableCheck("budget_lines")
    cells = check.cells(valid_rows["budget_lines"])
    assert check.errors(cells, 1) == []
    assert check.errors(cells, 2) == ["budget_lines row 2: primary key ['document_id', 'line_id']="
                                      f"['{cells[0]}', '{cells[1]}'] is not unique"]
    assert frictionless_errors("budget_lines", [cells, cells]) == ["primary-key"]
    assert not TableCheck("budget_lines").all_valid([cells, cells])


def test_a_blank_row_is_not_valid_column_by_column(valid_rows):
    check = TableCheck("budget_lines")
    cells = check.cells(valid_rows["budget_lines"])
    assert check.all_valid([cells]) and check.all_valid([])
    assert not check.all_valid([cells, [""] * len(cells)])


def test_the_seed_is_valid_and_its_rows_point_at_it(seed_extraction):
    tables = {"documents": [seed_extraction["document"]], "budget_lines": seed_extraction["budget_lines"]}
    cells, errors = document_cells(tables, seed_extraction["document"]["document_id"])
    assert errors == []
    assert len(cells["budget_lines"]) == 72
    cells, errors = document_cells(tables, "another-document")
    assert errors[0] == ("budget_lines row 1: document_id '2023-panzhihua-xiqu-renda-budget' is not this "
                         "document's 'another-document'")


def test_keys_across_documents():
    keys = KeyIndex()
    keys.add_document("a", ["201", "20101"])
    keys.add_document("a", ["205"])
    errors = keys.check_function_codes([{"code": "201", "parent": None}, {"code": "20101", "parent": "201"},
                                        {"code": "2010101", "parent": "20199"}])
    assert errors == ["documents: document_id 'a' is not unique",
                      "budget_lines: function_code '205' of a is not in function_codes",
                      "function_codes: parent '20199' of 2010101 is not a code"]


def test_every_schema_of_the_package_is_understood():
    for resource in SCHEMAS:
        TableCheck(resource)  # raises UnsupportedSchema for a type or constraint not checked here


def test_an_unknown_constraint_is_refused_rather_than_skipped():
    with pytest.raises(UnsupportedSchema, match="maxLength"):
        FieldCheck({"name": "x", "type": "string", "constraints": {"maxLength": 3}}, False)
