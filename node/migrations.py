"""The database's schema version, and the ordered steps that bring an older database up to it.

Tables are declared by their owners (`store.py` for the core, each domain's `schema` module) with
`CREATE … IF NOT EXISTS`, run at every start: a new table or index needs nothing more. What that
cannot do — a column added to a table that exists, a constraint, data rewritten — is a step
here, numbered in order; the owner's `CREATE TABLE` says the new shape in the same change, since a
database created from scratch gets the tables as declared and skips the steps. The owners'
schemas run after the steps: a step that fills a table new in the same release creates it itself.

The version is SQLite's `PRAGMA user_version`: it sits in the file's header, so it is read
before any table is touched, and it is written in the same transaction as its step. The table
`schema_migrations` records when each step ran, for the operator. A database newer than the code
is refused untouched: the code would misread it.

    0   no version: made before versions existed (it has `local_actors`), or an empty file
    1   the baseline: the tables of the first versioned release; the old `meta` row goes
    2   tokens get a scope and a door's enrolment; door_policy gets `stale_own_members`
    3   public_graph rows get their place's named graph; their triples move to the Oxigraph store
    4   erasures keep no marker beside the handle
    5   peers and credit accounts say where their terms come from: a bilateral agreement or
        the team, else a network's rules (`peers.terms_from`, `credit_accounts.overdraft_from`)
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .sqlite import Connection
from .tables import erasures, public_graph

RECORD_SCHEMA = """
-- One row per migration step applied to this file (or present since it was created).
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Migration:
    """One step from `version - 1` to `version`: SQL statements, a function, or both."""

    version: int
    name: str
    sql: str = ""
    run: Callable[[Connection], Awaitable[None]] | None = None


# In order, from 1, never edited once released: a database in the field may have run any of them.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "point de départ : la version du schéma passe de la table meta à PRAGMA user_version",
        # The code before versions wrote ('schema_version', '1') there and never read it: one
        # place for the version, so that no one trusts the stale one.
        sql="DELETE FROM meta WHERE key = 'schema_version'",
    ),
    Migration(
        2,
        "jetons à portée (tous les droits, ou porte seule), clé de chaque porte, et la règle "
        "des badges du lieu quand le lecteur n'a plus de paquet de confiance récent",
        # Existing tokens keep every right they had ('all'); no door is enrolled yet, so the
        # readers enrol (and make their key) at their next start.
        sql="""
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'all';
ALTER TABLE tokens ADD COLUMN door TEXT;
ALTER TABLE tokens ADD COLUMN door_key TEXT;
ALTER TABLE tokens ADD COLUMN enrolled_at REAL;
""",
        run=lambda conn: _add_column_if_table(
            conn, "door_policy", "stale_own_members INTEGER NOT NULL DEFAULT 0"
        ),
    ),
    Migration(
        3,
        "le graphe public passe dans un magasin Oxigraph : chaque objet dit de quel lieu il "
        "vient (son graphe nommé)",
        # The store is built from the rows by the engine at the node's next start.
        sql=public_graph.MIGRATION,
    ),
    Migration(
        4,
        "les effacements de comptes ne gardent plus, à côté de l'identifiant, le marqueur "
        "anonyme qui les remplace dans les registres",
        run=lambda conn: _drop_erasure_markers(conn),
    ),
    Migration(
        5,
        "les pairs et les comptes de crédit disent d'où viennent leurs conditions : un accord "
        "bilatéral ou l'équipe, sinon les règles d'un réseau dont le lieu est membre",
        # Every existing peer was added by `peer add` and every account's overdraft set by the
        # team: NULL, their own. The network's peers are added at the node's next start.
        run=lambda conn: _network_terms_columns(conn),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


async def _add_column_if_table(conn: Connection, table: str, column: str) -> None:
    """A column for a table that a file made before it may not have: the owner's schema,
    which runs after the steps, creates the table with the column already."""
    if table in await _tables(conn):
        await conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


async def _drop_erasure_markers(conn: Connection) -> None:
    """Step 4, for a file whose `erasures` table exists (the owner's schema makes it anew)."""
    if "erasures" in await _tables(conn):
        await _script(conn, erasures.MIGRATION)


async def _network_terms_columns(conn: Connection) -> None:
    """Step 5."""
    await _add_column_if_table(conn, "peers", "terms_from TEXT")
    await _add_column_if_table(conn, "credit_accounts", "overdraft_from TEXT")


async def version(conn: Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def upgrade(
    conn: Connection,
    schemas: Sequence[str],
    path: Path,
    steps: Sequence[Migration] = MIGRATIONS,
) -> list[Migration]:
    """Bring the database on `conn` (autocommit mode) to the last of `steps`, then create what
    the owners' schemas declare and is missing. Returns the steps applied now.

    Safe when several processes start at once (the server, a CLI command): each step runs in a
    `BEGIN IMMEDIATE` transaction that reads the version again, so a step runs once."""
    _check_order(steps)
    latest = steps[-1].version if steps else 0
    await conn.execute("BEGIN IMMEDIATE")
    try:
        found = await version(conn)
        if found > latest:
            raise _too_new(path, found, latest)
        if found == 0:
            tables = await _tables(conn)
            if not tables:
                # A new file: the tables as declared are already the latest shape.
                await _script(conn, *schemas, RECORD_SCHEMA)
                now = time.time()
                for step in steps:
                    await _record(conn, step, now)
                await conn.execute(f"PRAGMA user_version = {latest:d}")
                await conn.commit()
                return []
            if "local_actors" not in tables:
                raise _not_ours(path)
    except BaseException:
        await conn.rollback()
        raise
    await conn.commit()

    applied = []
    for step in steps[found:]:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            if await version(conn) >= step.version:  # another process did it meanwhile
                await conn.rollback()
                continue
            await _script(conn, RECORD_SCHEMA, step.sql)
            if step.run is not None:
                await step.run(conn)
            await _record(conn, step, time.time())
            await conn.execute(f"PRAGMA user_version = {step.version:d}")
        except sqlite3.Error as exc:
            await conn.rollback()
            raise _step_failed(path, step, exc) from exc
        except BaseException:
            await conn.rollback()
            raise
        await conn.commit()
        applied.append(step)

    # Tables and indexes added since by their owners (CREATE … IF NOT EXISTS).
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await _script(conn, *schemas, RECORD_SCHEMA)
    except BaseException:
        await conn.rollback()
        raise
    await conn.commit()
    return applied


def statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, triggers' bodies kept whole.

    `executescript` would commit the open transaction first: a step must stay inside its own."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending
            pending = ""
    if pending.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in pending.splitlines()
    ):
        yield pending


async def _script(conn: Connection, *scripts: str) -> None:
    for script in scripts:
        for statement in statements(script):
            await conn.execute(statement)


async def _tables(conn: Connection) -> set[str]:
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ) as cur:
        return {row[0] for row in await cur.fetchall()}


async def _record(conn: Connection, step: Migration, when: float) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        (step.version, step.name, when),
    )


def _check_order(steps: Sequence[Migration]) -> None:
    numbers = [step.version for step in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise AssertionError(f"migration steps must be numbered 1, 2, 3… in order: {numbers}")


def _too_new(path: Path, found: int, latest: int) -> ConfigError:
    return ConfigError(
        f"database {path} has schema version {found}, newer than this code's {latest}",
        fr=f"La base de données {path} a été mise à jour par une version plus récente "
        f"d'Interlieux (schéma {found} ; cette version-ci ne connaît que le schéma {latest}). "
        "Rien n'a été modifié. Installez la version d'Interlieux qui l'a mise à jour (ou une "
        "plus récente), ou restaurez une sauvegarde faite avant cette mise à jour avec "
        "« interlieux restore ».",
        en=f"The database {path} was upgraded by a newer Interlieux (schema {found}; this "
        f"version only knows schema {latest}). Nothing was changed. Install the Interlieux "
        "version that upgraded it (or a newer one), or restore a backup made before that "
        "upgrade with 'interlieux restore'.",
    )


def _not_ours(path: Path) -> ConfigError:
    return ConfigError(
        f"{path} is an SQLite file but not an Interlieux database",
        fr=f"{path} n'est pas une base de données Interlieux : rien n'a été modifié. Vérifiez "
        "le chemin donné à --data.",
        en=f"{path} is not an Interlieux database: nothing was changed. Check the --data path.",
    )


def _step_failed(path: Path, step: Migration, exc: sqlite3.Error) -> ConfigError:
    before = step.version - 1
    return ConfigError(
        f"migration {step.version} ({step.name}) of {path} failed: {exc}",
        fr=f"La mise à jour de la base {path} vers le schéma {step.version} (« {step.name} ») "
        f"a échoué : {exc}. La base est restée au schéma {before}, rien n'est perdu. Le nœud "
        "ne démarre pas avec une base à moitié à jour : signalez l'erreur, ou réinstallez la "
        "version précédente d'Interlieux.",
        en=f"Upgrading the database {path} to schema {step.version} ('{step.name}') failed: "
        f"{exc}. The database stayed at schema {before}; nothing is lost. The node does not "
        "start on a half-upgraded database: report the error, or reinstall the previous "
        "Interlieux version.",
    )
