"""The `cnbudget` command line: thin click commands over the library functions."""

import json
import sys
from pathlib import Path

import click

from cnbudget.errors import InputError


def print_json(data):
    """Print one JSON object, keys sorted, Chinese unescaped."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


class CnbudgetGroup(click.Group):
    """Turn InputError into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)


@click.group(cls=CnbudgetGroup)
@click.version_option()
def cli():
    """Extract, package, serve and diff Chinese department budget disclosures."""


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def extract(path):
    """Extract every figure of one disclosure (text or PDF) and print it as JSON."""
    from cnbudget.extract import extract_file

    print_json(extract_file(path))


@cli.command()
@click.option("--sources", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("datasets/sources"), show_default=True,
              help="Folder of source documents, each with a *.provenance.json sidecar.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("datasets/package"), show_default=True,
              help="Data package folder to write (replaced only after validation passes).")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/cache"), show_default=True,
              help="Cache of extracted documents by content and extractor version: a rebuild extracts only what changed.")
@click.option("--no-cache", is_flag=True, help="Extract every document again and keep nothing.")
@click.option("--jobs", type=click.IntRange(min=1), help="Local worker processes (default: one per core, at most 2).")
@click.option("--workers", type=click.IntRange(min=1), help="Extract on a Dask LocalCluster of N worker processes.")
@click.option("--scheduler", metavar="ADDRESS", help="Extract on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).")
def build(sources, out, cache_dir, no_cache, jobs, workers, scheduler):
    """Extract all sources into a validated Frictionless data package."""
    from contextlib import nullcontext

    from cnbudget.package import build_package

    if workers or scheduler:
        from cnbudget.cluster import dask_runner

        cluster = dask_runner(scheduler=scheduler, workers=workers)
    else:
        cluster = nullcontext()
    with cluster as runner:
        summary = build_package(sources, out, jobs=jobs, cache_dir=None if no_cache else cache_dir, runner=runner)
    click.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))


@cli.command()
@click.option("--package", "package_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("datasets/package"), show_default=True,
              help="Data package folder written by `cnbudget build`.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/cnbudget.db"), show_default=True,
              help="SQLite file to write (replaced only when the load completes).")
def load(package_dir, db_path):
    """Load the data package into SQLite for Datasette: keys, indexes, views, Chinese full-text search."""
    from cnbudget.load import load_package

    summary = load_package(package_dir, db_path)
    click.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))


@cli.command()
@click.option("--package", "package_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("datasets/package"), show_default=True,
              help="Data package folder written by `cnbudget build`.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/release"),
              show_default=True, help="Release folder; Parquet files go to OUT/parquet/ (replaced when complete).")
def release(package_dir, out):
    """Write each table of the package as Parquet partitioned by fiscal year, for DuckDB, pandas or polars."""
    from cnbudget.parquet import write_release

    click.echo(json.dumps(write_release(package_dir, out), ensure_ascii=False, sort_keys=True))


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="[OLD] NEW")
@click.option("--unit", help="Compare only this unit (its name, or its document id without the year).")
@click.option("--format", "format_", type=click.Choice(["json", "markdown", "csv"]), default="json",
              show_default=True, help="json: the documented result; markdown: a report; csv: one row per change.")
@click.option("--package", "package_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("datasets/package"), show_default=True,
              help="Built package that document ids and fiscal years refer to.")
def diff(sources, unit, format_, package_dir):
    """Compare two years line by line: OLD and NEW are files, package folders, budget_lines CSVs, document ids or years."""
    from cnbudget import diff as budget_diff

    if len(sources) > 2:
        raise click.UsageError("give OLD and NEW, or NEW alone (then prior-year figures are as NEW states them)")
    old, new = (None, *sources) if len(sources) == 1 else sources
    result = budget_diff.diff(old, new, unit=unit, package_dir=package_dir)
    if format_ == "json":
        click.echo(budget_diff.to_json(result))
    elif format_ == "csv":
        budget_diff.render_csv(result, sys.stdout)
    else:
        click.echo(budget_diff.render_markdown(result, result.get("findings")))


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one finding a line; json: the list of findings.")
def check(path, format_):
    """Reconcile a disclosure's own arithmetic (sums, parts, shares, stated changes) and list the findings."""
    from cnbudget.checks import check_extraction, format_finding
    from cnbudget.extract import extract_file

    findings = check_extraction(extract_file(path))
    if format_ == "json":
        print_json(findings)
    else:
        for finding in findings:
            click.echo(format_finding(finding))


if __name__ == "__main__":
    cli()
