"""Release outputs for bulk analysis: each table of a built package as Parquet, partitioned by fiscal year.

`write_release(package_dir, out)` writes `out/parquet/<table>/fiscal_year=<year>/<table>.parquet`
(Hive-style folders that DuckDB, pandas, polars and Spark read as a `fiscal_year` column) and
`out/parquet/function_codes/function_codes.parquet`, plus `manifest.json` with row counts. Column
types come from the Table Schemas: integer → int64, string → string, number → decimal(18, 2), so
amounts stay exact integers. A table without `fiscal_year` takes its document's year; `changes`
the year of its newer document (of the older one for a removed line). Streams batch by batch, so
memory stays flat; written to a temp folder and renamed into place when complete.
"""

import json
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cnbudget.package import RESOURCES
from cnbudget.schema import SCHEMAS

ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.decimal128(18, 2)}
UNPARTITIONED = {"function_codes"}
PARSE = pacsv.ParseOptions(newlines_in_values=True)  # section texts keep their line breaks


def arrow_types(resource):
    """Column name → Arrow type, from the resource's Table Schema."""
    return {f["name"]: ARROW_TYPES[f["type"]] for f in SCHEMAS[resource]["fields"]}


def read_batches(path, resource):
    """Record batches of one package CSV, typed by its schema (empty cells are null)."""
    options = pacsv.ConvertOptions(column_types=arrow_types(resource), strings_can_be_null=True,
                                   quoted_strings_can_be_null=False)
    return pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=16 << 20), parse_options=PARSE,
                          convert_options=options)


def document_years(package_dir):
    """(document ids, their fiscal years) as Arrow arrays, for tables that have no year of their own."""
    table = pacsv.read_csv(Path(package_dir) / "documents.csv", convert_options=pacsv.ConvertOptions(
        column_types=arrow_types("documents"), include_columns=["document_id", "fiscal_year"]))
    return table["document_id"], table["fiscal_year"]


def years_of(batch, resource, documents):
    """The fiscal year of every row of a batch."""
    if "fiscal_year" in batch.schema.names:
        return batch["fiscal_year"]
    ids, years = documents
    column = "document_id" if resource != "changes" else None
    if column:
        return pc.take(years, pc.index_in(batch[column], value_set=ids))
    newer = pc.take(years, pc.index_in(batch["new_document_id"], value_set=ids))
    older = pc.take(years, pc.index_in(batch["old_document_id"], value_set=ids))
    return pc.coalesce(newer, older)


def write_table(package_dir, resource, folder, documents):
    """One table's Parquet files; {year: rows}."""
    source = Path(package_dir) / f"{resource}.csv"
    if resource in UNPARTITIONED:
        (folder / resource).mkdir(parents=True)
        table = pacsv.read_csv(source, parse_options=PARSE, convert_options=pacsv.ConvertOptions(
            column_types=arrow_types(resource), strings_can_be_null=True, quoted_strings_can_be_null=False))
        pq.write_table(table, folder / resource / f"{resource}.parquet")
        return {"all": table.num_rows}
    writers, counts = {}, {}
    try:
        for batch in read_batches(source, resource):
            years = years_of(batch, resource, documents)
            if years.null_count:
                raise ValueError(f"{resource}: {years.null_count} rows without a fiscal year")
            data = batch.drop_columns(["fiscal_year"]) if "fiscal_year" in batch.schema.names else batch
            for year in sorted(pc.unique(years).to_pylist()):
                part = data.filter(pc.equal(years, year))
                if year not in writers:
                    path = folder / resource / f"fiscal_year={year}" / f"{resource}.parquet"
                    path.parent.mkdir(parents=True)
                    writers[year] = pq.ParquetWriter(path, data.schema)
                writers[year].write_batch(part)
                counts[year] = counts.get(year, 0) + part.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return {str(year): counts[year] for year in sorted(counts)}


def replace_folder(temp, target):
    """Put the complete `temp` in place of `target` with renames (readers never see a half-written release)."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    temp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_release(package_dir, out):
    """Write `out/parquet/` from a built package (replaced only when complete); {table: {year: rows}}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".parquet.", dir=out))
    try:
        documents = document_years(package_dir)
        manifest = {resource: write_table(package_dir, resource, temp, documents) for resource in RESOURCES}
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        temp.chmod(0o755)
        replace_folder(temp, out / "parquet")
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return manifest
