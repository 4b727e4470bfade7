"""`interlieux backup` and `restore`: one file holds the node, and only a whole, intact one
comes back. (The same node served again after a restore: federation_tests/test_backup.py.)"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from node import backup
from node.cli import main
from node.errors import ConfigError
from node.migrations import SCHEMA_VERSION


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def node_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "lieu"
    for args in (
        ("init", "--data", str(data), "--base-url", "http://127.0.0.1:8403", "--name", "L",
         "--handle", "lieu"),
        ("member", "add", "--data", str(data), "--handle", "alice", "--name", "Alice"),
        ("credit", "sell", "--data", str(data), "--account", "metropole", "--member", "alice",
         "--amount", "80.00"),
    ):  # fmt: skip
        code, _, err = run(capsys, *args)
        assert code == 0, err
    return data


def dump(database: Path) -> list[str]:
    conn = sqlite3.connect(database)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_backup_then_restore_gives_the_same_node(
    node_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sauvegardes" / "lieu.tar.gz"
    code, said, err = run(capsys, "backup", "--data", str(node_dir), "--out", str(out))
    assert code == 0, err
    assert "clés privées" in said and out.stat().st_mode & 0o077 == 0  # it holds private keys
    with tarfile.open(out) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[0] == "manifest.json"
    assert set(names) == {"manifest.json", "data/node.json", "data/interlieux.sqlite3"}
    assert manifest["place"] == "http://127.0.0.1:8403/actors/lieu"
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert set(manifest["files"]) == {"node.json", "interlieux.sqlite3"}

    restored = tmp_path / "ailleurs" / "lieu"
    code, said, err = run(capsys, "restore", "--data", str(restored), "--from", str(out))
    assert code == 0, err
    assert "restauré" in said and "interlieux serve --data" in said
    assert sorted(p.name for p in restored.iterdir()) == ["interlieux.sqlite3", "node.json"]
    assert restored.stat().st_mode & 0o077 == 0
    assert (restored / "node.json").read_text() == (node_dir / "node.json").read_text()
    assert dump(restored / "interlieux.sqlite3") == dump(node_dir / "interlieux.sqlite3")
    code, said, _ = run(capsys, "credit", "statement", "--data", str(restored), "--account",
                        "metropole", "--json")  # fmt: skip
    assert code == 0 and json.loads(said)["uses"][0]["remaining"] == "80.00"


def test_the_copy_is_one_snapshot_while_another_writer_is_busy(
    node_dir: Path, tmp_path: Path
) -> None:
    writer = sqlite3.connect(node_dir / "interlieux.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as the running server would, mid-transaction
    writer.execute("INSERT INTO meta (key, value) VALUES ('pas-encore', 'validé')")
    try:
        backup.backup(node_dir, tmp_path / "b.tar.gz")
    finally:
        writer.execute("COMMIT")
        writer.close()
    backup.restore(tmp_path / "b.tar.gz", tmp_path / "r")
    copied = sqlite3.connect(tmp_path / "r" / "interlieux.sqlite3")
    assert copied.execute("SELECT * FROM meta WHERE key = 'pas-encore'").fetchall() == []
    assert copied.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # no -wal needed
    copied.close()


def test_other_files_come_along_but_not_sqlite_sidecars_or_the_backup_itself(
    node_dir: Path,
) -> None:
    (node_dir / "notes").mkdir()
    (node_dir / "notes" / "lisez-moi.txt").write_text("à garder")
    # The knowledge graph is rebuilt from the database: not in the backup.
    (node_dir / "interlieux.sqlite3.graph").mkdir()
    (node_dir / "interlieux.sqlite3.graph" / "state.sqlite").write_text("x")
    manifest = backup.backup(node_dir, node_dir / "dans-le-dossier.tar.gz")
    assert sorted(manifest.files) == ["interlieux.sqlite3", "node.json", "notes/lisez-moi.txt"]


def test_restore_refuses_a_folder_that_is_not_empty_unless_forced(
    node_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "b.tar.gz"
    backup.backup(node_dir, archive)
    (node_dir / "node.json").write_text('{"base_url": "https://changed.example"}')
    code, _, err = run(capsys, "restore", "--data", str(node_dir), "--from", str(archive))
    assert code == 2 and "n'est pas vide : rien n'a été changé" in err and "--force" in err
    assert "changed.example" in (node_dir / "node.json").read_text()

    code, said, err = run(capsys, "restore", "--data", str(node_dir), "--from", str(archive),
                          "--force")  # fmt: skip
    assert code == 0, err
    (aside,) = node_dir.glob(".avant-restauration-*")
    assert f"est dans {aside}" in said
    assert "changed.example" in (aside / "node.json").read_text()  # moved aside, not deleted
    assert "127.0.0.1:8403" in (node_dir / "node.json").read_text()
    # A later backup does not carry what restore put aside.
    assert ".avant" not in " ".join(backup.backup(node_dir, tmp_path / "c.tar.gz").files)


def _rewrite(archive: Path, out: Path, change: dict[str, bytes | None]) -> None:
    """Copy a backup, replacing (bytes) or dropping (None) some entries, or adding new ones."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name in change:
                new = change[member.name]
                if new is None:
                    continue
                data = new
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
        for name, data in change.items():
            if data is not None and name not in src.getnames():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                dst.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"data/node.json": b'{"base_url": "https://evil.example"}'}, "checksum"),
        ({"data/interlieux.sqlite3": None}, "missing files"),
        ({"data/../../escape.txt": b"x"}, "unexpected entry"),
        ({"manifest.json": b"not json"}, "manifest.json"),
    ],
)
def test_restore_checks_every_file_before_writing(
    node_dir: Path, tmp_path: Path, change: dict[str, bytes | None], why: str
) -> None:
    good = tmp_path / "good.tar.gz"
    backup.backup(node_dir, good)
    bad = tmp_path / "bad.tar.gz"
    _rewrite(good, bad, change)
    target = tmp_path / "cible"
    with pytest.raises(ConfigError, match=why) as caught:
        backup.restore(bad, target)
    assert "rien n'a été restauré" in caught.value.message("fr")
    assert not target.exists()  # nothing half-restored, no staging left behind
    assert not (tmp_path / "escape.txt").exists()


def test_restore_refuses_a_backup_from_a_newer_schema(node_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.tar.gz"
    backup.backup(node_dir, good)
    with tarfile.open(good) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    manifest["schema_version"] = SCHEMA_VERSION + 1
    newer = tmp_path / "newer.tar.gz"
    _rewrite(good, newer, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(ConfigError, match="newer Interlieux") as caught:
        backup.restore(newer, tmp_path / "cible")
    assert "version plus récente" in caught.value.message("fr")


def test_restore_of_something_else_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff not a backup")
    code, _, err = run(capsys, "restore", "--data", str(tmp_path / "x"), "--from", str(junk))
    assert code == 2 and "n'est pas une sauvegarde Interlieux utilisable" in err
    code, _, err = run(capsys, "--lang", "en", "restore", "--data", str(tmp_path / "x"),
                       "--from", str(tmp_path / "absent.tar.gz"))  # fmt: skip
    assert code == 2 and "does not exist" in err


def test_through_pipes_as_docker_compose_exec_uses_it(node_dir: Path, tmp_path: Path) -> None:
    """`backup --out -` writes the archive alone on standard output (messages go to standard
    error); `restore --from -` reads it from standard input."""
    command = [sys.executable, "-m", "node.cli"]
    made = subprocess.run(
        [*command, "backup", "--data", str(node_dir), "--out", "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert made.stdout[:2] == b"\x1f\x8b" and "Sauvegarde de" in made.stderr.decode()
    target = tmp_path / "par-le-tuyau"
    back = subprocess.run(
        [*command, "restore", "--data", str(target), "--from", "-"],
        input=made.stdout,
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert "restauré" in back.stdout.decode()
    assert dump(target / "interlieux.sqlite3") == dump(node_dir / "interlieux.sqlite3")


def test_a_place_that_cannot_be_written_is_one_line(
    node_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "un-fichier").write_text("pas un dossier")
    out = tmp_path / "un-fichier" / "b.tar.gz"
    code, _, err = run(capsys, "backup", "--data", str(node_dir), "--out", str(out))
    assert code == 2 and err.startswith("interlieux: Échec") and len(err.splitlines()) == 1
