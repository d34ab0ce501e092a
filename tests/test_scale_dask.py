"""Extraction on Dask: a 2-worker LocalCluster builds the same package, byte for byte, as this process."""

import importlib.util
from pathlib import Path

import pytest

from cnbudget import package
from cnbudget.cluster import batches

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_synthetic.py"
spec = importlib.util.spec_from_file_location("make_synthetic", SCRIPT)
make_synthetic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_synthetic)


@pytest.mark.parametrize("jobs, workers, sizes", [
    (3, 2, [1, 1, 1]),
    (20, 2, [2] * 10),
    (100, 2, [8] * 12 + [4]),
])
def test_series_are_batched_so_every_worker_gets_work(jobs, workers, sizes):
    assert [len(batch) for batch in batches(list(range(jobs)), workers)] == sizes


def test_two_worker_local_cluster_builds_the_same_package(tmp_path):
    from cnbudget.cluster import dask_runner

    sources = tmp_path / "sources"
    make_synthetic.write_corpus(15, sources, seed=3)
    package.build_package(sources, tmp_path / "local", jobs=1)
    with dask_runner(workers=2) as runner:
        summary = package.build_package(sources, tmp_path / "dask", runner=runner, cache_dir=tmp_path / "cache")
    assert summary["documents"] == 15
    for name in [f"{name}.csv" for name in package.RESOURCES] + ["datapackage.json"]:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_an_unreachable_scheduler_is_one_error_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cnbudget import cluster
    from cnbudget.cli import cli

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    result = CliRunner().invoke(cli, ["build", "--sources", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: tcp://127.0.0.1:1: cannot start or reach the Dask cluster")
    assert result.output.count("\n") == 1
