"""The same load sent to bovine-herd 0.5.19: a real third-party server, for comparison.

bovine-herd runs as in the federation tests (`federation_tests/thirdparty`: its own venv,
`.venv-thirdparty`, installed on first use), with one user, `bench`. Its inbox answers 202 before
doing anything (`bovine_herd/server/endpoints.py:endpoints_post` starts a background task), and
the task (`bovine_process.incoming.default_inbox_process`) compacts the activity against
bovine's JSON-LD context, stores it, then adds it to the user's inbox collection as its last
step. So an activity is *applied* when its row is in bovine's `collectionitem` table: that is
what the bench counts, reading bovine's SQLite file (WAL, like ours) read-only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from federation_tests.network import free_port
from federation_tests.thirdparty import ThirdPartyServer, ensure_installed

USER = "bench"


@dataclass
class Herd:
    server: ThirdPartyServer
    actor: str  # the bovine user's actor id
    inbox: str  # its inbox (bovine has no shared inbox)

    @property
    def pid(self) -> int:
        return self.server.process.pid if self.server.process else 0


def start(folder: Path) -> Herd:
    """Install (first time only: about a minute), start bovine-herd and create its user."""
    ensure_installed()
    server = ThirdPartyServer(free_port(), folder / "bovine").start()
    try:
        user = server.create_actor(USER)
        document = user.actor_document()
        inbox = document["inbox"]
        if not isinstance(inbox, str):
            raise RuntimeError(f"bovine's actor document has no inbox: {document}")
    except BaseException:
        server.stop()
        raise
    return Herd(server, user.actor_id, inbox)


class Progress:
    """How many of one load's activities bovine has added to the user's inbox collection."""

    def __init__(self, herd: Herd, prefix: str, expected: int) -> None:
        path = herd.server.workdir / "bovine.sqlite3"
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        self.inbox = herd.inbox
        self.prefix = prefix
        self.expected = expected

    def _count(self) -> int:
        # (part_of, object_id) is bovine's unique index: a range on it is cheap.
        row = self.db.execute(
            "SELECT count(*) FROM collectionitem WHERE part_of = ? AND object_id >= ?"
            " AND object_id < ?",
            (self.inbox, self.prefix, self.prefix + "\uffff"),
        ).fetchone()
        return int(row[0])

    def remaining(self) -> int:
        return self.expected - self._count()

    def applied(self) -> tuple[int, int]:
        # bovine records no failure: one that fails is retried once, later, then dropped.
        return self._count(), 0

    def close(self) -> None:
        self.db.close()
