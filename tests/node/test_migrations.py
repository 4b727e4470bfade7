"""The schema version: a new file is stamped, an older one is brought forward step by step, a
newer one is refused untouched."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from node import migrations
from node.cli import main
from node.errors import ConfigError
from node.migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from node.sqlite import Connection, connect
from node.store import SCHEMAS, Store

# A database made by the code before versions existed (see the file's header).
V0_DUMP = Path(__file__).parents[1] / "data" / "schema" / "v0.sql"


def v0_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(V0_DUMP.read_text())
    conn.close()
    return path


def pragma_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def shape(path: Path) -> dict[str, object]:
    """What a table looks like to the code: columns (name, type, not null, default, key),
    indexes and triggers, by name; the SQL text itself may differ in spacing and comments."""
    conn = sqlite3.connect(path)
    try:
        found: dict[str, object] = {}
        for kind, name, table in conn.execute(
            "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ):
            if kind == "table":
                found[name] = conn.execute(f"PRAGMA table_xinfo({name})").fetchall()
            elif kind == "index":
                found[name] = (table, conn.execute(f"PRAGMA index_xinfo({name})").fetchall())
            else:
                found[name] = (kind, table)
        return found
    finally:
        conn.close()


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_a_new_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    store = await Store(tmp_path / "new.sqlite3").open()
    await store.close()
    assert store.upgraded == []  # created as declared: no step to run
    assert pragma_version(tmp_path / "new.sqlite3") == SCHEMA_VERSION
    recorded = rows(tmp_path / "new.sqlite3", "SELECT version FROM schema_migrations")
    assert [v for (v,) in recorded] == [m.version for m in MIGRATIONS]


async def test_a_database_from_before_versions_is_recognised_and_brought_forward(
    tmp_path: Path,
) -> None:
    old = v0_database(tmp_path / "v0.sqlite3")
    assert pragma_version(old) == 0
    books_before = rows(old, "SELECT * FROM ledger_entries ORDER BY id")

    store = await Store(old).open()
    await store.close()

    assert [m.version for m in store.upgraded] == [m.version for m in MIGRATIONS]
    assert pragma_version(old) == SCHEMA_VERSION
    assert rows(old, "SELECT * FROM ledger_entries ORDER BY id") == books_before
    assert rows(old, "SELECT * FROM meta WHERE key = 'schema_version'") == []  # one truth
    recorded = rows(old, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert recorded == [(m.version, m.name) for m in MIGRATIONS]
    # Brought forward, it is what a new file is: a step missing for a changed table shows here.
    fresh = await Store(tmp_path / "fresh.sqlite3").open()
    await fresh.close()
    assert shape(old) == shape(tmp_path / "fresh.sqlite3")

    again = await Store(old).open()  # the next start has nothing to do
    await again.close()
    assert again.upgraded == []


async def test_a_database_newer_than_the_code_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE local_actors (handle TEXT PRIMARY KEY)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = shape(path)

    with pytest.raises(ConfigError) as caught:
        await Store(path).open()

    assert "version plus récente d'Interlieux" in caught.value.message("fr")
    assert "Rien n'a été modifié" in caught.value.message("fr")
    assert "newer Interlieux" in caught.value.message("en")
    assert shape(path) == before and pragma_version(path) == SCHEMA_VERSION + 1


def test_the_cli_and_serve_say_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "lieu"
    main(["init", "--data", str(data), "--base-url", "http://127.0.0.1:8402", "--name", "L",
          "--handle", "lieu"])  # fmt: skip
    conn = sqlite3.connect(data / "interlieux.sqlite3")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    capsys.readouterr()
    for command in (["member", "list", "--data", str(data)], ["serve", "--data", str(data)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.startswith("interlieux: La base de données") and len(err.splitlines()) == 1


async def test_a_file_that_is_not_a_node_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.close()
    with pytest.raises(ConfigError, match="not an Interlieux database"):
        await Store(path).open()


# The two tables step 2 changes, as schema 1 declared them.
V1_TOKENS = """
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL REFERENCES local_actors(handle),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    revoked_at REAL
);
"""
# What step 3 changes, as schemas 1 and 2 declared it.
V2_PUBLIC_GRAPH = """
CREATE TABLE IF NOT EXISTS public_graph (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    local INTEGER NOT NULL,
    document TEXT,
    ntriples TEXT,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS public_graph_seq ON public_graph(seq);
CREATE INDEX IF NOT EXISTS public_graph_type ON public_graph(type);
CREATE INDEX IF NOT EXISTS public_graph_unconverted ON public_graph(seq)
    WHERE ntriples IS NULL AND document IS NOT NULL;
"""
V1_DOOR_POLICY = """
CREATE TABLE IF NOT EXISTS door_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    card_required INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
"""


async def test_a_schema_1_file_with_tokens_and_a_door_policy_gets_scopes(tmp_path: Path) -> None:
    """Step 2 on a file that has both tables (the v0 dump predates door_policy)."""
    old = v0_database(tmp_path / "v1.sqlite3")
    v1 = [
        V1_TOKENS if "CREATE TABLE IF NOT EXISTS tokens" in schema
        else V1_DOOR_POLICY if "CREATE TABLE IF NOT EXISTS door_policy" in schema
        else V2_PUBLIC_GRAPH if "CREATE TABLE IF NOT EXISTS public_graph" in schema
        else schema
        for schema in SCHEMAS
    ]  # fmt: skip
    conn = await connect(old)
    try:
        await migrations.upgrade(conn, v1, old, MIGRATIONS[:1])
        await conn.execute("INSERT INTO door_policy (id, card_required, updated_at) VALUES (1,1,0)")
        await conn.execute(
            "INSERT INTO public_graph (id, type, local, document, ntriples, seq)"
            " VALUES ('https://lieu.example/e/1', 'Event', 1, '{}', '', 1)"
        )
        await conn.execute("PRAGMA foreign_keys=OFF")  # the dump has no actor to hold it
        await conn.execute(
            "INSERT INTO tokens (handle, token_hash, created_at) VALUES ('lieu','h',0)"
        )
    finally:
        await conn.close()
    tokens_before = rows(old, "SELECT id, handle, token_hash FROM tokens ORDER BY id")

    store = await Store(old).open()
    await store.close()

    assert [m.version for m in store.upgraded] == [2, 3, 4, 5]
    fresh = await Store(tmp_path / "fresh.sqlite3").open()
    await fresh.close()
    assert shape(old) == shape(tmp_path / "fresh.sqlite3")
    assert rows(old, "SELECT id, handle, token_hash FROM tokens ORDER BY id") == tokens_before
    assert tokens_before  # a token made before scopes keeps every right it had
    assert {scope for (scope,) in rows(old, "SELECT scope FROM tokens")} == {"all"}
    assert rows(old, "SELECT card_required, stale_own_members FROM door_policy") == [(1, 0)]
    # Step 3: the row keeps its document and is placed in the place's graph (no place in the
    # dump: none to name yet).
    assert rows(old, "SELECT id, document, graph FROM public_graph") == [
        ("https://lieu.example/e/1", "{}", None)
    ]


V3_ERASURES = """
CREATE TABLE erasures (
    actor_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    marker TEXT NOT NULL UNIQUE,
    delete_id TEXT NOT NULL,
    erased_at REAL NOT NULL
);
INSERT INTO erasures VALUES ('https://lieu.example/actors/alice', 'alice',
    'urn:interlieux:erased:0123', 'https://lieu.example/activities/1', 5.0);
"""


# A file as schema 4 left it: step 5's columns are not there yet.
V4_UNDO = """
ALTER TABLE peers DROP COLUMN terms_from;
ALTER TABLE credit_accounts DROP COLUMN overdraft_from;
"""


async def test_a_schema_4_file_keeps_its_peers_and_accounts_as_agreed(tmp_path: Path) -> None:
    """Step 5: the peers and accounts a file holds were all set by the team (bilateral)."""
    old = tmp_path / "v4.sqlite3"
    await (await Store(old).open()).close()
    conn = sqlite3.connect(old)
    conn.executescript(V4_UNDO)
    conn.execute("INSERT INTO peers (actor_id, added_at, visit_rate, currency)"
                 " VALUES ('https://b.example/actors/b', 1.0, '4.00', 'EUR')")  # fmt: skip
    conn.execute("INSERT INTO credit_accounts (name, currency, overdraft_cents, created_at)"
                 " VALUES ('metropole', 'EUR', 500, 1.0)")  # fmt: skip
    conn.execute("DELETE FROM schema_migrations WHERE version = 5")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()

    store = await Store(old).open()
    await store.close()

    assert [m.version for m in store.upgraded] == [5]
    fresh = await Store(tmp_path / "fresh.sqlite3").open()
    await fresh.close()
    assert shape(old) == shape(tmp_path / "fresh.sqlite3")
    assert rows(old, "SELECT actor_id, visit_rate, terms_from FROM peers") == [
        ("https://b.example/actors/b", "4.00", None)
    ]
    assert rows(old, "SELECT name, overdraft_cents, overdraft_from FROM credit_accounts") == [
        ("metropole", 500, None)
    ]


async def test_a_schema_3_file_forgets_the_markers_of_erased_members(tmp_path: Path) -> None:
    """Step 4: the marker beside the handle would name the member in the kept records."""
    old = tmp_path / "v3.sqlite3"
    await (await Store(old).open()).close()
    conn = sqlite3.connect(old)
    conn.execute("DROP TABLE erasures")
    conn.executescript(V3_ERASURES)
    conn.executescript(V4_UNDO)
    conn.execute("DELETE FROM schema_migrations WHERE version >= 4")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()

    store = await Store(old).open()
    await store.close()

    assert [m.version for m in store.upgraded] == [4, 5]
    fresh = await Store(tmp_path / "fresh.sqlite3").open()
    await fresh.close()
    assert shape(old) == shape(tmp_path / "fresh.sqlite3")
    assert rows(old, "SELECT * FROM erasures") == [
        ("https://lieu.example/actors/alice", "alice", "https://lieu.example/activities/1", 5.0)
    ]


# --- the mechanism, with steps of the test's own -------------------------------------------

# The test's steps come after the real ones, whatever their number.
N = SCHEMA_VERSION
REAL = list(range(1, N + 1))

ADD_COLUMN = Migration(
    N + 1, "credit accounts get a note", sql="ALTER TABLE credit_accounts ADD COLUMN note TEXT"
)


async def _fill_notes(conn: Connection) -> None:
    await conn.execute("UPDATE credit_accounts SET note = 'vendu avant la note: ' || name")


FILL = Migration(N + 2, "notes filled in for old accounts", run=_fill_notes)


async def _upgrade(path: Path, steps: tuple[Migration, ...]) -> list[int]:
    conn = await connect(path)
    try:
        applied = await migrations.upgrade(conn, SCHEMAS, path, steps)
    finally:
        await conn.close()
    return [m.version for m in applied]


async def test_steps_run_in_order_each_recorded(tmp_path: Path) -> None:
    old = v0_database(tmp_path / "v0.sqlite3")
    assert await _upgrade(old, (*MIGRATIONS, ADD_COLUMN, FILL)) == [*REAL, N + 1, N + 2]
    assert pragma_version(old) == N + 2
    assert rows(old, "SELECT note FROM credit_accounts") == [("vendu avant la note: metropole",)]
    recorded = [v for (v,) in rows(old, "SELECT version FROM schema_migrations")]
    assert recorded == [*REAL, N + 1, N + 2]
    # A code that knows only the steps before the last now refuses the file.
    with pytest.raises(ConfigError):
        await _upgrade(old, (*MIGRATIONS, ADD_COLUMN))


async def test_a_failing_step_leaves_the_file_at_the_step_before(tmp_path: Path) -> None:
    old = v0_database(tmp_path / "v0.sqlite3")
    broken = Migration(N + 2, "broken", sql="ALTER TABLE no_such_table ADD COLUMN x TEXT")
    with pytest.raises(ConfigError) as caught:
        await _upgrade(old, (*MIGRATIONS, ADD_COLUMN, broken))
    assert f"est restée au schéma {N + 1}" in caught.value.message("fr")
    assert pragma_version(old) == N + 1  # the steps before are kept, each its own transaction
    recorded = [v for (v,) in rows(old, "SELECT version FROM schema_migrations")]
    assert recorded == [*REAL, N + 1]
    assert await _upgrade(old, (*MIGRATIONS, ADD_COLUMN, FILL)) == [N + 2]  # fixed code goes on


async def test_two_processes_starting_at_once_apply_each_step_once(tmp_path: Path) -> None:
    old = v0_database(tmp_path / "v0.sqlite3")
    calls: list[int] = []

    async def counted(conn: Connection) -> None:
        calls.append(1)
        await _fill_notes(conn)

    steps = (*MIGRATIONS, ADD_COLUMN, Migration(N + 2, "counted", run=counted))
    first, second = await asyncio.gather(_upgrade(old, steps), _upgrade(old, steps))
    assert sorted(first + second) == [*REAL, N + 1, N + 2] and calls == [1]
    assert pragma_version(old) == N + 2


def test_scripts_split_with_triggers_whole() -> None:
    script = """
    -- a comment
    CREATE TABLE t (x INTEGER);
    CREATE TRIGGER t_immutable BEFORE UPDATE ON t
    BEGIN SELECT RAISE(ABORT, 'no; never'); END;
    -- trailing comment
    """
    parts = list(migrations.statements(script))
    assert len(parts) == 2 and "RAISE(ABORT, 'no; never'); END;" in parts[1]
