"""Release outputs: each table as Parquet partitioned by fiscal year, read back by DuckDB with the CSV's rows."""

import csv
import importlib.util
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cnbudget import package
from cnbudget.cli import cli
from cnbudget.parquet import write_release

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_synthetic.py"
spec = importlib.util.spec_from_file_location("make_synthetic", SCRIPT)
make_synthetic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_synthetic)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """A 12-document synthetic package (three units, 2021–2025) and its release folder."""
    work = tmp_path_factory.mktemp("release")
    make_synthetic.write_corpus(12, work / "sources", seed=9)
    package.build_package(work / "sources", work / "package", jobs=1)
    manifest = write_release(work / "package", work / "release")
    return work / "package", work / "release" / "parquet", manifest


def sql(query):
    """Rows of a DuckDB query, on a fresh in-memory connection."""
    return duckdb.connect().execute(query).fetchall()


def csv_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def scan(folder, table):
    if table == "function_codes":
        return f"read_parquet('{folder}/function_codes/*.parquet')"
    return f"read_parquet('{folder}/{table}/*/*.parquet', hive_partitioning=true)"


@pytest.mark.parametrize("table", package.RESOURCES)
def test_duckdb_reads_as_many_rows_as_the_csv(release, table):
    package_dir, folder, manifest = release
    rows = csv_rows(package_dir / f"{table}.csv")
    if not rows:
        pytest.skip(f"{table} is empty in the synthetic package")
    assert sql(f"SELECT count(*) FROM {scan(folder, table)}") == [(len(rows),)]
    assert sum(manifest[table].values()) == len(rows)


def test_partitions_are_fiscal_years_and_amounts_stay_exact(release):
    package_dir, folder, manifest = release
    lines = csv_rows(package_dir / "budget_lines.csv")
    assert sorted(p.name for p in (folder / "budget_lines").iterdir()) == [
        f"fiscal_year={year}" for year in sorted({row["fiscal_year"] for row in lines})]
    by_year = sql(f"SELECT fiscal_year, sum(amount_fen)::VARCHAR, count(amount_fen) "
                  f"FROM {scan(folder, 'budget_lines')} GROUP BY 1 ORDER BY 1")
    expected = {}
    for row in lines:
        total, count = expected.get(int(row["fiscal_year"]), (0, 0))
        expected[int(row["fiscal_year"])] = (total + int(row["amount_fen"] or 0), count + bool(row["amount_fen"]))
    assert by_year == [(year, str(total), count) for year, (total, count) in sorted(expected.items())]
    kinds = {row[0]: row[1] for row in sql(f"DESCRIBE SELECT * FROM {scan(folder, 'budget_lines')}")}
    assert (kinds["amount_fen"], kinds["source_text"], kinds["fiscal_year"]) == ("BIGINT", "VARCHAR", "BIGINT")


def test_a_section_keeps_its_line_breaks(release):
    package_dir, folder, _ = release
    texts = sorted(row["text"] for row in csv_rows(package_dir / "sections.csv"))
    assert any("\n" in text for text in texts)
    assert sorted(t or "" for (t,) in sql(f"SELECT text FROM {scan(folder, 'sections')}")) == texts


def test_cli_release_writes_the_manifest(release, tmp_path):
    package_dir, _, manifest = release
    result = CliRunner().invoke(cli, ["release", "--package", str(package_dir), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == manifest
    assert json.loads((tmp_path / "parquet" / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert [p.name for p in tmp_path.iterdir()] == ["parquet"]
