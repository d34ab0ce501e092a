"""The site under careless and hostile clients (cnbudget.guard): errors in one line, arbitrary SQL
queued and bounded, the file read-only at the OS level, debugging endpoints hidden."""

import asyncio
import os

import pytest

from cnbudget import guard
from tests.test_serve import db_path, make_datasette  # noqa: F401 (fixture)

RUNAWAY = "with recursive c(x) as (select 1 union all select x + 1 from c) select max(x) from c"


@pytest.fixture
def ds(db_path):  # noqa: F811
    return make_datasette(db_path, **guard.GUARD_SETTINGS)


@pytest.mark.parametrize("path, status", [
    ("/cnbudget/budget_lines?_sort=zzz", 400),
    ("/cnbudget/budget_lines.json?_sort_desc=zzz", 400),
    ("/cnbudget/no_such_table", 404),
    ("/cnbudget/budget_lines.json?_timelimit=abc", 200),  # a non-integer limit is dropped, not a 500
    ("/cnbudget.json?sql=select+1&_timelimit=abc", 200),
    ("/cnbudget.json?sql=selec", 400),
    ("/cnbudget/budget_lines/abc", 404),  # a row address with one of its two key values
    ("/cnbudget/budget_lines?_through=zzz", 400),
    ("/cnbudget/budget_lines?_through=%7B%22table%22%3A1%7D", 400),
])
async def test_bad_requests_get_a_4xx_and_one_log_line(ds, capsys, path, status):
    response = await ds.client.get(path)
    assert response.status_code == status
    err = capsys.readouterr().err
    assert "Traceback" not in err and "locals" not in err
    if status >= 400:
        assert [line for line in err.splitlines() if line.startswith("cnbudget.guard")] == [
            next(line for line in err.splitlines() if line.startswith(f"cnbudget.guard {status} GET "))]


@pytest.mark.parametrize("name", ["versions", "plugins", "settings", "threads", "databases", "actor"])
async def test_debugging_endpoints_are_not_public(ds, name):
    for suffix in ("", ".json"):
        assert (await ds.client.get(f"/-/{name}{suffix}")).status_code == 404


async def test_public_endpoints_stay(ds):
    for path in ("/", "/-/metadata.json", "/cnbudget/budget_lines"):
        assert (await ds.client.get(path)).status_code == 200


@pytest.mark.parametrize("sql, error", [
    ("select fts3_tokenizer('simple')", "not authorized"),
    ("select length(zeroblob(2000000))", "string or blob too big"),
    ("select replace(printf('%.*c', 900000, 'x'), 'x', 'yy')", "string or blob too big"),
])
async def test_sql_values_are_bounded(ds, sql, error):
    response = await ds.client.get("/cnbudget.json", params={"sql": sql})
    assert response.status_code == 400
    assert error in response.json()["error"]


async def test_a_100_mb_value_is_never_built(ds):
    response = await ds.client.get("/cnbudget.json", params={"sql": "select printf('%.*c', 100000000, 'x') as v",
                                                            "_shape": "array"})
    assert len(response.content) < 1000
    assert response.json() == [{"v": None}]  # SQLite's printf gives NULL past SQLITE_LIMIT_LENGTH


async def test_a_large_arbitrary_result_is_refused(ds, monkeypatch):
    monkeypatch.setattr(guard, "ADHOC_MAX_RESPONSE_BYTES", 100_000)
    ds = make_datasette(ds.databases["cnbudget"].path)  # a new app, built with the lower cap
    response = await ds.client.get("/cnbudget.json", params={"sql": "select printf('%.*c', 5000, 'x') from budget_lines"})
    assert response.status_code == 413
    assert "100,000 bytes" in response.json()["error"]


async def test_arbitrary_sql_has_a_shorter_time_limit(ds, capsys):
    response = await ds.client.get("/cnbudget.json", params={"sql": RUNAWAY, "_timelimit": "5000"})
    assert response.status_code == 400 and "took too long" in response.text
    assert f"&_timelimit={guard.ADHOC_TIME_LIMIT_MS} " in capsys.readouterr().err  # the request Datasette ran


def test_time_limit_is_lowered_never_raised():
    assert guard.with_time_limit([("sql", "x"), ("_timelimit", "5000")], 250)[-1] == ("_timelimit", "250")
    assert guard.with_time_limit([("sql", "x"), ("_timelimit", "100")], 250)[-1] == ("_timelimit", "100")
    assert guard.with_time_limit([("sql", "x"), ("_timelimit", "x")], 250)[-1] == ("_timelimit", "250")


async def test_runaway_queries_wait_in_their_own_queue_while_pages_are_served(ds, monkeypatch):
    monkeypatch.setattr(guard, "ADHOC_QUEUE", 3)
    ds = make_datasette(ds.databases["cnbudget"].path, **guard.GUARD_SETTINGS)
    runaways = [asyncio.create_task(ds.client.get("/cnbudget.json", params={"sql": RUNAWAY})) for _ in range(6)]
    await asyncio.sleep(0.05)
    page = await ds.client.get("/cnbudget/budget_lines.json", params={"item": "reception", "_shape": "array"})
    assert page.status_code == 200 and page.json()[0]["amount_yuan"] == 5000
    statuses = sorted(r.status_code for r in await asyncio.gather(*runaways))
    assert statuses == [400, 400, 400, 400, 503, 503]  # one running + three waiting; the rest turned away


async def test_the_database_is_opened_read_only_by_the_system(ds):
    await ds.client.get("/cnbudget/budget_lines.json")
    path = os.path.realpath(ds.databases["cnbudget"].path)
    modes = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == path:
                flags = open(f"/proc/self/fdinfo/{fd}").read().split("flags:")[1].split()[0]
                modes.append(int(flags, 8) & os.O_ACCMODE)
        except OSError:
            continue
    assert modes and set(modes) == {os.O_RDONLY}


async def test_the_sites_csv_download_is_a_diff_input(ds, tmp_path):
    """The BOM CSV the site's download link gives (labels, CRLF) diffs like the package's own CSV."""
    from click.testing import CliRunner

    from cnbudget.cli import cli
    from tests.conftest import PACKAGE

    response = await ds.client.get("/cnbudget/budget_lines.csv", params={"_dl": "1", "_stream": "on", "_labels": "on"})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    download = tmp_path / "budget_lines.csv"
    download.write_bytes(response.content)
    result = CliRunner().invoke(cli, ["diff", str(PACKAGE / "budget_lines.csv"), str(download)])
    assert result.exit_code == 0, result.stderr
    assert '"changed": []' in result.stdout and '"added": []' in result.stdout
