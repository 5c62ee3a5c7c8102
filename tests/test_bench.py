"""The decisions the benchmark makes (bench/): which engines it runs, the throwaway PostgreSQL database it
creates and drops (never another), how a figure's median and load are taken, the side-by-side table. The
bench itself runs by hand or in CI (README, "Benchmark"); nothing here times anything."""

import os
import sqlite3
import uuid

import pytest

from bench import engines, harness
from bench.harness import Row, goal_row
from bench.table import merge_keys, print_side_by_side


def test_the_engine_follows_database_url_unless_asked():
    assert engines.parse_engines(None, None) == ["sqlite"]
    assert engines.parse_engines(None, "postgres://u@h/db") == ["postgresql"]
    assert engines.parse_engines("both", None) == ["sqlite", "postgresql"]
    assert engines.parse_engines("sqlite, postgresql,sqlite", None) == ["sqlite", "postgresql"]
    assert engines.parse_engines("sqlite", "postgres://u@h/db") == ["sqlite"]
    with pytest.raises(ValueError, match="unknown engine 'mysql'"):
        engines.parse_engines("mysql", None)


def test_the_throwaway_database_is_named_for_the_run_on_the_same_server():
    assert engines.throwaway_name(4321) == "khuyenhoc_bench_4321"
    assert engines.throwaway_name() == f"khuyenhoc_bench_{os.getpid()}"
    assert engines.snapshot_name(quick=True) == "khuyenhoc_bench_quick_generated"
    url = "postgres://khuyenhoc:se%2Fcret@127.0.0.1:5433/khuyenhoc?sslmode=disable"
    assert (
        engines.with_database(url, "khuyenhoc_bench_4321")
        == "postgres://khuyenhoc:se%2Fcret@127.0.0.1:5433/khuyenhoc_bench_4321?sslmode=disable"
    )


@pytest.mark.parametrize("name", ["khuyenhoc", "postgres", "khuyenhoc_bench_1; DROP TABLE x", "template1"])
def test_only_the_benchs_own_databases_are_ever_created_or_dropped(name):
    # Refused before any connection is made: the URL points nowhere.
    with pytest.raises(ValueError, match="not a bench database"):
        engines.drop_database("postgres://nobody@127.0.0.1:1/none", name)
    with pytest.raises(ValueError, match="not a bench database"):
        engines.create_database("postgres://nobody@127.0.0.1:1/none", name)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="needs a PostgreSQL server (DATABASE_URL); the PostgreSQL suite runs it",
)
def test_a_throwaway_database_is_created_from_a_template_and_dropped_on_the_real_server():
    server = os.environ["DATABASE_URL"]
    name = engines.throwaway_name(int(uuid.uuid4().int % 10**9))
    copy = name + "_copy"
    try:
        url = engines.create_database(server, name)
        assert url.endswith("/" + name)
        assert engines.database_exists(server, name)
        engines.create_database(server, copy, template=name)
        assert engines.database_exists(server, copy)
    finally:
        engines.drop_database(server, copy)
        engines.drop_database(server, name)
    assert not engines.database_exists(server, name)
    assert not engines.database_exists(server, copy)
    engines.drop_database(server, name)  # dropping what is gone is no error (a run that failed early)


def test_the_kept_sqlite_data_set_is_copied_whole_from_its_wal(tmp_path):
    source = tmp_path / "bench.sqlite3"
    db = sqlite3.connect(source)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (n integer)")
    db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    db.commit()  # still in the WAL: the connection stays open
    target = tmp_path / "generated-quick.sqlite3"
    target.write_bytes(b"an older copy")
    engines.copy_sqlite(source, target)
    db.close()
    assert sqlite3.connect(target).execute("SELECT COUNT(*), SUM(n) FROM t").fetchone() == (1000, 499500)


def fake_clock(monkeypatch, durations):
    """perf_counter answering so that the timed calls last ``durations`` seconds, in order."""
    ticks = []
    now = 0.0
    for duration in durations:
        ticks += [now, now + duration]
        now += duration + 1
    clock = iter(ticks)
    monkeypatch.setattr(harness.time, "perf_counter", lambda: next(clock))


def test_a_figure_is_the_median_of_at_least_three_runs_each_from_the_same_state(monkeypatch):
    calls = []
    fake_clock(monkeypatch, [3.0, 1.0, 2.0])
    seconds = harness.median_seconds(lambda: calls.append("run"), 3, before=lambda: calls.append("reset"))
    assert seconds == 2.0
    assert calls == ["reset", "run"] * 3
    with pytest.raises(ValueError, match="at least 3 runs"):
        harness.median_seconds(lambda: None, 2)


def test_the_load_is_printed_as_the_steps_start_and_end():
    assert harness.load_span(0.44, 1.96) == "0.4-2.0"
    assert isinstance(harness.load_now(), float)


def test_both_engines_figures_side_by_side_with_each_goal_verdict(capsys):
    sqlite_rows = [
        Row("generate", "10.0 s", load="0.5-0.9"),
        goal_row("import / raw read ratio", 2.5, unit="x", at_most=3),
        Row("  floor", "4 ms"),
        Row("  floor", "40 ms"),  # a second row of the same name (another year)
    ]
    postgres_rows = [
        Row("generate", "90.0 s", load="1.0-1.5"),
        Row("postgres only", "1 ms"),
        goal_row("import / raw read ratio", 3.5, unit="x", at_most=3),
        Row("  floor", "5 ms"),
        Row("  floor", "50 ms"),
    ]
    print_side_by_side({"SQLite": sqlite_rows, "PostgreSQL": postgres_rows})
    lines = capsys.readouterr().out.splitlines()
    table = [line for line in lines if not line.startswith("-")]
    assert table[0].split() == ["SQLite", "load", "PostgreSQL", "load", "goal", "note"]
    width = len("import / raw read ratio")  # the longest name: the name column's width
    assert [line[:width].strip() for line in table[1:6]] == [
        "generate",
        "postgres only",
        "import / raw read ratio",
        "floor",
        "floor",
    ]
    ratio = next(line for line in table if line.startswith("import / raw read ratio"))
    assert "2.5 x" in ratio and "3.5 x" in ratio
    assert "<= 3 x: SQLite holds, PostgreSQL MISSED" in ratio
    floors = [line.split() for line in table if line.strip().startswith("floor")]
    assert [(f[1], f[3]) for f in floors] == [("4", "5"), ("40", "50")]
    postgres_only = next(line for line in table if line.startswith("postgres only"))
    assert postgres_only.split()[2] == "-"  # SQLite printed no such row
    assert "goals on SQLite: 1 of 1 held" in lines
    assert "goals on PostgreSQL: 0 of 1 held; missed: import / raw read ratio" in lines


def test_rows_only_one_engine_printed_keep_their_place():
    assert merge_keys([[("a", 1), ("c", 1)], [("a", 1), ("b", 1), ("c", 1), ("d", 1)]]) == [
        ("a", 1),
        ("b", 1),
        ("c", 1),
        ("d", 1),
    ]
