"""Bad input ends in one `Error:` line; numbers are parsed in linear time and within 64-bit 分."""

import re
import time
from decimal import Decimal

import pytest

from cnbudget.errors import InputError, describe_os_error, one_line
from cnbudget.numbers import AMOUNT_RE, COUNT_RE, MAX_FEN, SHARE_RE, parse_count, parse_number, to_yuan


@pytest.mark.parametrize("text, found", [
    ("收入预算644.66万元", [("644.66", "万元")]),
    ("经费,100万元,1,234.50万元", [("100", "万元"), ("1,234.50", "万元")]),
    ("合计 47,020,229.82 元", [("47,020,229.82", "元")]),
    ("1.5万元", [("1.5", "万元")]),
    ("编号12345678901234567890", []),
])
def test_amount_re_finds_printed_amounts(text, found):
    assert [(m.group("number"), m.group("unit")) for m in AMOUNT_RE.finditer(text)] == found


@pytest.mark.parametrize("text, found", [
    ("公务用车3辆", [("3", "辆")]),
    ("车辆,2辆,设备12台(套)", [("2", "辆"), ("12", "台(套)")]),
    ("1.5辆", []),  # never the '5' inside a decimal
])
def test_count_re_starts_at_a_digit_run(text, found):
    assert [(m.group("number"), m.group("unit")) for m in COUNT_RE.finditer(text)] == found


@pytest.mark.parametrize("text", [
    "1" * 200_000, "1," * 100_000, "1." * 100_000, "占" + "1" * 200_000, "1" * 100_000 + " " * 100_000 + "万",
])
def test_number_patterns_try_each_digit_run_once(text):
    """A digit run with no unit after it: each pattern touches it a bounded number of times (was quadratic)."""
    start = time.process_time()
    for pattern in (AMOUNT_RE, COUNT_RE, SHARE_RE):
        assert list(pattern.finditer(text)) == []
    assert time.process_time() - start < 5  # quadratic took minutes; linear takes milliseconds


@pytest.mark.parametrize("text, unit, yuan", [
    ("644.66", "万元", Decimal("6446600")),
    ("999,999,999,999,999.99", "元", Decimal("999999999999999.99")),
    ("0.000001", "万元", Decimal("0.01")),
])
def test_to_yuan_is_exact(text, unit, yuan):
    assert to_yuan(text, unit) == yuan


@pytest.mark.parametrize("text, unit, message", [
    ("1" * 16, "元", "at most 15 integer"),
    ("1" * 5000, "元", "(5,000 characters)"),
    ("1." + "1" * 11, "元", "10 decimal digits"),
    ("999999999999999", "亿元", "signed 64-bit integer of 分"),
    ("99999999999999999.99", "万元", "at most 15 integer"),
])
def test_out_of_range_amounts_are_input_errors(text, unit, message):
    with pytest.raises(InputError, match=re.escape(message)) as raised:
        to_yuan(text, unit, path="a.txt", line=7)
    assert str(raised.value).startswith("a.txt, line 7: ")
    assert "\n" not in str(raised.value)


def test_the_largest_amount_fits_64_bit_fen():
    assert int(to_yuan("922,337,203.68547758", "亿元") * 100) == MAX_FEN - 7
    with pytest.raises(InputError, match="64-bit"):
        to_yuan("922,337,203.68547759", "亿元")


@pytest.mark.parametrize("text, expected", [("12", 12), ("0" * 15, 0)])
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_parse_count_refuses_what_sqlite_cannot_hold():
    with pytest.raises(InputError, match="at most 15 integer"):
        parse_count("0" + "9" * 19, path="b.txt", line=2)
    assert parse_number("000000000000000000001") == 1  # leading zeros are not digits of size


@pytest.mark.parametrize("raw, printed", [
    ("a\nb", "a\\nb"),
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("行\u2028分", "行\\u2028分"),
    ("中文 plain", "中文 plain"),
])
def test_one_line_escapes_control_characters(raw, printed):
    assert one_line(raw) == printed


def test_input_error_names_file_and_line_on_one_line():
    error = InputError("evil\nname.csv", "an integer, got '\x1b[2J'", line=3)
    assert str(error) == "evil\\nname.csv, line 3: an integer, got '\\x1b[2J'"


def test_os_error_is_one_short_line():
    with pytest.raises(OSError) as raised:
        open("x" * 5000)
    message = describe_os_error(raised.value)
    assert message.endswith("(5,000 characters): File name too long")
    assert len(message) < 300


# ---- provenance sidecars (cnbudget.provenance) and descriptors (cnbudget.inputs) ------------------------------------------------

from cnbudget.provenance import read_sidecar  # noqa: E402


@pytest.mark.parametrize("text, parts", [
    ('{"file": "a.txt", "fiscal_year": 20', ["line 1", "invalid JSON"]),
    ('[{"file": "a.txt"}]', ["the sidecar is a JSON list; expected a JSON object of provenance fields"]),
    ('{\n"file": "a.txt",\n"fiscal_year": "abc"\n}', ["line 3", "`fiscal_year` is \"abc\""]),
    ('{"file": "a.txt", "fiscal_year": true}', ["`fiscal_year` is true"]),
    ('{"file": "a.txt", "unit_name": 123}', ["`unit_name` is 123"]),
    ('{"file": "../../../../etc/passwd"}', ["`file` is"]),
    ('[' * 100_000, ["nested too deeply"]),
])
def test_broken_sidecars_are_one_error_line(tmp_path, text, parts):
    path = tmp_path / "a.provenance.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_sidecar(path)
    assert "\n" not in str(raised.value)
    for part in parts:
        assert part in str(raised.value)


def test_a_good_sidecar_with_a_bom_and_unknown_fields():
    from tests.conftest import SEED

    sidecar = SEED.with_name(SEED.stem + ".provenance.json")
    meta = read_sidecar(sidecar)
    assert meta["fiscal_year"] == 2023 and meta["file"] == SEED.name


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["resources"][0].update(name=5), "a resource name, got 5"),
    (lambda d: d["resources"][0].update(schema="x"), "a schema with a list of fields in resource documents"),
    (lambda d: d["resources"][0]["schema"]["fields"].append({"name": 5}), "fields with a name and a Table Schema type"),
    (lambda d: d["resources"][0]["schema"]["fields"][0].update(type="geojson"), "a Table Schema type"),
    (lambda d: d["resources"][1]["schema"].update(primaryKey=[1]), "a primaryKey of field names"),
    (lambda d: d["resources"][1]["schema"].update(foreignKeys=[[]]), "foreignKeys with fields and a reference"),
    (lambda d: d.update(resources=[1]), "resources that are objects, got 1"),
    (lambda d: d.update(resources="x"), "a `resources` list"),
])
def test_a_descriptor_load_cannot_read_is_one_error(edit, message):
    import json

    from cnbudget.inputs import check_descriptor
    from tests.conftest import PACKAGE

    descriptor = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    assert check_descriptor(descriptor, "datapackage.json") is descriptor
    edit(descriptor)
    with pytest.raises(InputError, match=re.escape(message)):
        check_descriptor(descriptor, "datapackage.json")
