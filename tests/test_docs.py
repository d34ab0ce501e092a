"""Docs that cannot drift: every command has help and a README row; the vocabulary matches the schema."""

import pytest
from click.testing import CliRunner

from cnbudget.cli import cli
from cnbudget.schema import STATEMENTS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert cli.commands[command].help
    assert f"`cnbudget {command}" in README


@pytest.mark.parametrize("statement", sorted(STATEMENTS))
def test_statement_vocabulary_is_documented(statement):
    title, meaning = STATEMENTS[statement]
    assert f"| `{statement}` | {title} | {meaning} |" in README


def test_quick_start_is_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.split("```")[1].strip().splitlines()]
    assert commands == ["make serve", "make test"]
