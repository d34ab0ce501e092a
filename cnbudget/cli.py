"""The `cnbudget` command line: thin click commands over the library functions."""

import json
import sys
from pathlib import Path

import click

from cnbudget.console import errors_as_one_line, extract_disclosure, fail, print_json  # noqa: F401 (fail: for commands)
from cnbudget.errors import InputError


class CnbudgetGroup(click.Group):
    """Turn InputError and OSError into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx):
        with errors_as_one_line():
            return super().invoke(ctx)


@click.group(cls=CnbudgetGroup)
@click.version_option()
def cli():
    """Extract, package, serve and diff Chinese department budget disclosures."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def extract(paths):
    """Extract every figure of one disclosure (text, PDF or web page) and print it as JSON.

    Several files are one disclosure published in parts (情况说明 + 报表), read in the order given.
    """
    print_json(extract_disclosure(paths))


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
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/cnbudget.db"), show_default=True, help="SQLite file written by `cnbudget load`.")
@click.option("--metadata", type=click.Path(dir_okay=False, path_type=Path), default=Path("metadata.yml"),
              show_default=True, help="Datasette metadata: Chinese titles, column descriptions, canned queries.")
@click.option("--inspect-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Row counts precomputed by `datasette inspect` (the site starts without counting).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--cors/--no-cors", default=True, show_default=True, help="Let other sites' scripts read the JSON API.")
@click.option("--print-command", is_flag=True, help="Print the datasette command line instead of running it.")
def serve(db_path, metadata, inspect_file, host, port, cors, print_command):
    """Serve the database read-only with the Chinese site (settings: cnbudget/site/settings.py)."""
    import shlex

    from cnbudget.site.settings import serve_args

    if not db_path.is_file():
        raise InputError(db_path, "a database written by `cnbudget load`; file not found")
    args = serve_args(db_path, metadata, inspect_file if inspect_file and inspect_file.is_file() else None,
                      host, port, cors)
    if print_command:
        click.echo(shlex.join(["datasette", *args]))
        return
    from datasette.cli import cli as datasette_cli

    datasette_cli.main(args=args, prog_name="datasette")


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when the file differs from what the schema generates.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=Path("metadata.yml"))
def metadata(path, check):
    """Write the column descriptions of metadata.yml from cnbudget/schema.py (the one source of truth)."""
    from cnbudget.site.metadata import regenerate

    current = path.read_text(encoding="utf-8")
    generated = regenerate(current)
    if check:
        if generated != current:
            raise InputError(path, "column descriptions generated from cnbudget/schema.py; run `cnbudget metadata`")
        return
    path.write_text(generated, encoding="utf-8")


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
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one finding a line and a summary line; json: the list of findings.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]),
              help="Exit with status 2 when a finding is at least this severe (error: 错误; warning: 错误 or 提示).")
def check(paths, format_, fail_on):
    """Audit a disclosure against itself (sums, parts, shares, stated changes, names, tables) and list the findings.

    Several PATHS are one disclosure published as several files (a narrative and its tables).
    """
    result = extract_disclosure(paths)  # a refused document never loads the audit
    from cnbudget.checks import check_extraction, format_finding, summary_line

    findings = check_extraction(result)
    if format_ == "json":
        print_json(findings)
    else:
        for finding in findings:
            click.echo(format_finding(finding))
        click.echo(summary_line(findings))
    failing = {"error": {"error"}, "warning": {"error", "warning"}}.get(fail_on, set())
    if any(f["severity"] in failing for f in findings):
        sys.exit(2)


if __name__ == "__main__":
    cli()
