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
