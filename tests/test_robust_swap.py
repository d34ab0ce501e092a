"""Builds that clean up and swap safely: scratch paths beside the target, swept after a kill,
and a swap with no moment where no package or database exists."""

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnbudget import swap
from cnbudget.cli import cli
from cnbudget.errors import InputError, path_inside
from tests.conftest import PACKAGE, SOURCES

CNBUDGET = Path(sys.executable).parent / "cnbudget"


def dead_pid():
    """A process id that is not running (a finished child's)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_scratch_paths_are_beside_the_target_and_named_for_it(tmp_path):
    folder = swap.temp_dir(tmp_path / "package")
    file = swap.temp_file(tmp_path / "cnbudget.db")
    assert folder.parent == file.parent == tmp_path
    assert folder.name.startswith(f".package.tmp.{os.getpid()}.")
    assert file.name.startswith(f".cnbudget.db.tmp.{os.getpid()}.") and not file.exists()


def test_sweep_removes_what_dead_builds_left_and_keeps_live_ones(tmp_path):
    target = tmp_path / "package"
    dead = dead_pid()
    left = [f".package.tmp.{dead}.abc", ".package.old", ".package.k3j_x9aa", f".cnbudget.db.{dead}.tmp"]
    for name in left[:3]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "budget_lines.csv").write_text("x")
    (tmp_path / left[3]).write_text("x")
    live = tmp_path / f".package.tmp.{os.getpid()}.mine"
    live.mkdir()
    unrelated = tmp_path / "package.csv"
    unrelated.write_text("keep")
    assert sorted(p.name for p in swap.sweep(target)) == sorted(left[:3])
    assert sorted(p.name for p in swap.sweep(tmp_path / "cnbudget.db")) == [left[3]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "package.csv"])


@pytest.mark.parametrize("can_exchange", [True, False])
def test_swap_dir_puts_the_new_folder_in_and_the_old_one_aside(tmp_path, monkeypatch, can_exchange):
    if not can_exchange:
        monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    target = tmp_path / "package"
    target.mkdir()
    (target / "v").write_text("old")
    new = swap.temp_dir(target)
    (new / "v").write_text("new")
    swap.swap_dir(new, target)
    assert (target / "v").read_text() == "new"
    assert (new / "v").read_text() == "old"  # for the caller to remove


def test_swap_dir_to_a_new_target(tmp_path):
    new = swap.temp_dir(tmp_path / "package")
    (new / "v").write_text("new")
    swap.swap_dir(new, tmp_path / "package")
    assert (tmp_path / "package" / "v").read_text() == "new" and not new.exists()


def test_swap_file_replaces_the_database(tmp_path):
    target = tmp_path / "cnbudget.db"
    target.write_text("old")
    new = swap.temp_file(target)
    new.write_text("new")
    swap.swap_file(new, target)
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["cnbudget.db"]


@pytest.mark.parametrize("relative", [
    "../../../../etc/passwd", "/etc/passwd", "a/../../x.csv", "http://example.com/x.csv", "", None, 5, "a\x00b",
])
def test_resource_paths_outside_the_package_are_refused(tmp_path, relative):
    with pytest.raises(InputError, match="resource path"):
        path_inside(tmp_path, relative, tmp_path / "datapackage.json")


def test_a_symlink_out_of_the_package_is_refused(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "lines.csv").symlink_to("/etc/passwd")
    with pytest.raises(InputError, match="inside the package"):
        path_inside(tmp_path / "pkg", "lines.csv", "datapackage.json")
    (tmp_path / "pkg" / "documents.csv").write_text("x")
    assert path_inside(tmp_path, "pkg/documents.csv", "d") == tmp_path.resolve() / "pkg" / "documents.csv"


def test_load_refuses_a_descriptor_pointing_outside(tmp_path):
    import shutil

    folder = tmp_path / "pkg"
    shutil.copytree(PACKAGE, folder)
    descriptor = folder / "datapackage.json"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace('"path": "documents.csv"',
                                                                       '"path": "../../../../etc/passwd"'))
    result = CliRunner().invoke(cli, ["load", "--package", str(folder), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "a resource path inside the package folder, got '../../../../etc/passwd'" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def digest(folder):
    """sha256 over the names and bytes of a folder's files."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        h.update(path.name.encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def run_and_kill(command, cwd, seconds):
    """Start a command, kill -9 it after `seconds` (if still running); its exit status."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
    return process.wait(timeout=30)


def test_random_kills_never_damage_the_last_output_and_leave_nothing(tmp_path):
    """20 random kill -9 (10 of build, 10 of load): the previous package and database stay whole,
    and the next complete run leaves nothing but them."""
    build = [str(CNBUDGET), "build", "--sources", str(SOURCES), "--out", "pkg"]
    load = [str(CNBUDGET), "load", "--package", "pkg", "--db", "db/cnbudget.db"]
    started = time.monotonic()
    subprocess.run(build, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    build_seconds = time.monotonic() - started
    subprocess.run(load, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    good = digest(tmp_path / "pkg")
    rng = random.Random(11)
    for attempt in range(20):
        command, span = (build, build_seconds) if attempt % 2 == 0 else (load, 0.6)
        run_and_kill(command, tmp_path, rng.uniform(0.05, span))
        assert digest(tmp_path / "pkg") == good
        with sqlite3.connect(f"file:{tmp_path / 'db' / 'cnbudget.db'}?mode=ro", uri=True) as db:
            assert db.execute("select count(*) from budget_lines").fetchone() == (72,)
            assert db.execute("pragma quick_check").fetchone() == ("ok",)
    subprocess.run(build, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    subprocess.run(load, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "db", "pkg"]  # build/: the extraction cache
    assert sorted(p.name for p in (tmp_path / "build" / "cache").iterdir()) == ["cache.db"]
    assert sorted(p.name for p in (tmp_path / "db").iterdir()) == ["cnbudget.db"]
    assert digest(tmp_path / "pkg") == good
