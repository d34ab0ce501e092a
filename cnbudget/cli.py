"""The `cnbudget` command line: thin click commands over the library functions."""

import json
import sys
from pathlib import Path

import click

from cnbudget.errors import InputError, describe_os_error, one_line


def print_json(data):
    """Print one JSON object, keys sorted, Chinese unescaped."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


class CnbudgetGroup(click.Group):
    """Turn InputError and OSError into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            fail(one_line(error))
        except OSError as error:  # a folder given for a file, a 5,000-character name, no permission
            fail(describe_os_error(error))


def fail(message):
    """Print `Error: message` on one line (control characters already escaped) and exit 1."""
    click.echo(f"Error: {message}", err=True)
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
def build(sources, out):
    """Extract all sources into a validated Frictionless data package."""
    from cnbudget.package import build_package

    summary = build_package(sources, out)
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
