"""A node's whole data folder in one file, and back: `interlieux backup` and `restore`.

A node is its `node.json` (base URL, name, handle) and its SQLite database, which holds the
rest: actors and their private keys, tokens, followers, the books. Any other file of the folder
is carried as is, so that what a later version keeps there is not forgotten.

The backup is a tar.gz:

    manifest.json             what it is, when, which place, its schema version, and every
                              file's size and SHA-256
    data/node.json
    data/interlieux.sqlite3   a consistent copy made with SQLite's online backup API: the server
                              may be running and writing meanwhile
    data/…                    any other file of the folder

`restore` checks every file against the manifest before it writes anything, refuses a backup
whose schema is newer than the code, and writes into an empty folder; with `force`, what was
there is first moved aside into the folder's `.avant-restauration-<date>/`, never deleted. Files
are staged inside the target folder itself, so that the final moves are renames on one file
system and a Docker volume's mount point (whose parent a container may not write) works.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from .config import CONFIG_FILE, DATABASE_FILE, NodeConfig, graph_dir
from .errors import ConfigError
from .migrations import SCHEMA_VERSION
from .timestamps import now_to_wire

FORMAT = "interlieux-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"
# Left by restore in the data folder: never carried into a later backup.
ASIDE_PREFIX = ".avant-restauration-"
STAGING_PREFIX = ".restauration-"
# backup's own work files, beside the output (which may be inside the data folder)
WORK_PREFIX = ".interlieux-sauvegarde-"
PARTIAL_SUFFIX = ".partiel"
# SQLite's companions of the database: the copy made with the backup API already holds them.
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    base_url: str
    place: str
    schema_version: int
    created_at: str
    files: dict[str, dict[str, Any]]  # path in the data folder -> {"size", "sha256"}

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "interlieux": _code_version(),
            "base_url": self.base_url,
            "place": self.place,
            "schema_version": self.schema_version,
            "files": self.files,
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def backup(data: Path, out: Path | BinaryIO) -> Manifest:
    """Write the node in `data` to the file `out` (created 0600: it holds private keys), or to
    a stream (`--out -`: a container's standard output, so that no file changes owner)."""
    config = NodeConfig.load(data)
    database = data / DATABASE_FILE
    if not database.is_file():
        raise ConfigError(
            f"no database in {data}",
            fr=f"Aucune base de données dans {data} ({DATABASE_FILE}) : rien à sauvegarder.",
            en=f"No database in {data} ({DATABASE_FILE}): nothing to back up.",
        )
    out_path = out.resolve() if isinstance(out, Path) else None
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    work_dir = out_path.parent if out_path is not None else None
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=work_dir) as tmp:
        copy = Path(tmp) / DATABASE_FILE
        schema_version = _copy_database(database, copy)
        sources = {CONFIG_FILE: data / CONFIG_FILE, DATABASE_FILE: copy}
        for path in sorted(data.rglob("*")):
            rel = path.relative_to(data).as_posix()
            if rel in sources or _skipped(path, rel, database, out_path):
                continue
            sources[rel] = path
        manifest = Manifest(
            base_url=config.base_url,
            place=config.place_id,
            schema_version=schema_version,
            created_at=now_to_wire(),
            files={rel: _digest(path) for rel, path in sources.items()},
        )
        if out_path is None:
            assert not isinstance(out, Path)
            _write_archive(out, manifest, sources)
            out.flush()
            return manifest
        partial = out_path.with_name(out_path.name + PARTIAL_SUFFIX)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                _write_archive(raw, manifest, sources)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, out_path)  # a backup file is whole or absent, never half-written
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


def _write_archive(raw: BinaryIO, manifest: Manifest, sources: dict[str, Path]) -> None:
    # "w|gz": a stream, never sought back into, so that a pipe will do as well as a file.
    with tarfile.open(fileobj=raw, mode="w|gz") as tar:
        document = manifest.to_json()
        _add(tar, MANIFEST, io.BytesIO(document), len(document))  # first: restore reads it first
        for rel, path in sources.items():
            with path.open("rb") as f:
                _add(tar, DATA_PREFIX + rel, f, manifest.files[rel]["size"])


def restore(
    source: Path | BinaryIO, data: Path, force: bool = False
) -> tuple[Manifest, Path | None]:
    """Bring the backup `source` (a file, or a stream: `--from -`) back into `data`. Returns
    its manifest and, with `force` on a folder that was not empty, where its previous content
    went."""
    if not isinstance(source, Path):
        with tempfile.TemporaryFile() as spool:  # checked in full before anything is written
            shutil.copyfileobj(source, spool, CHUNK)
            spool.seek(0)
            return _restore(spool, Path("<stdin>"), data, force)
    try:
        raw = source.open("rb")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no backup file {source}",
            fr=f"Le fichier de sauvegarde {source} n'existe pas : vérifiez le chemin.",
            en=f"The backup file {source} does not exist: check the path.",
        ) from exc
    with raw:
        return _restore(raw, source, data, force)


def _restore(raw: IO[bytes], source: Path, data: Path, force: bool) -> tuple[Manifest, Path | None]:
    try:
        tar = tarfile.open(fileobj=raw, mode="r:gz")  # noqa: SIM115 (closed by `with tar` below)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(source, str(exc)) from exc
    with tar:
        manifest = _read_manifest(tar, source)
        if data.exists() and not data.is_dir():
            raise ConfigError(
                f"{data} is not a folder",
                fr=f"{data} n'est pas un dossier : donnez à --data le dossier du nœud.",
                en=f"{data} is not a folder: give --data the node's folder.",
            )
        previous = [p for p in data.iterdir()] if data.exists() else []
        if previous and not force:
            raise ConfigError(
                f"{data} is not empty",
                fr=f"{data} n'est pas vide : rien n'a été changé. Restaurez dans un dossier "
                "vide, ou ajoutez --force pour mettre ce qu'il contient de côté (dans "
                f"{data}/{ASIDE_PREFIX}…) et le remplacer par la sauvegarde.",
                en=f"{data} is not empty: nothing was changed. Restore into an empty folder, or "
                f"add --force to move its content aside (into {data}/{ASIDE_PREFIX}…) and "
                "replace it with the backup.",
            )
        created = not data.exists()
        data.mkdir(parents=True, exist_ok=True)
        data.chmod(0o700)  # private keys live in the database
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data))
        try:
            _extract_checked(tar, manifest, staging, source)
            _check_database(staging / DATABASE_FILE, manifest, source)
            try:
                NodeConfig.load(staging)  # a node.json that loads
            except (TypeError, ValueError) as exc:
                raise _damaged(source, f"{CONFIG_FILE}: {exc}") from exc
            aside = None
            if previous:
                aside = data / (ASIDE_PREFIX + time.strftime("%Y%m%d-%H%M%S"))
                aside.mkdir()
                for entry in previous:
                    if not entry.name.startswith(ASIDE_PREFIX):  # earlier ones stay beside it
                        entry.rename(aside / entry.name)
            for entry in staging.iterdir():
                entry.rename(data / entry.name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if created:
                data.rmdir()  # refused: as if restore had never run
            raise
        shutil.rmtree(staging, ignore_errors=True)
    return manifest, aside


# --------------------------------------------------------------------------- backup's parts


def _copy_database(database: Path, copy: Path) -> int:
    """A consistent copy with SQLite's backup API; returns its schema version.

    The source is opened read-write but nothing is written: a read-only open of a WAL file
    fails when the server is not running and no `-shm` file exists."""
    source = sqlite3.connect(database, timeout=10)
    try:
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # one step: the copy is one snapshot, writers go on meanwhile
            # The copy stands alone: no -wal beside it in the archive or after restore.
            target.execute("PRAGMA journal_mode=DELETE")
            (version,) = target.execute("PRAGMA user_version").fetchone()
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise ConfigError(
            f"backup of {database} failed: {exc}",
            fr=f"La copie de la base {database} a échoué : {exc}. Aucune sauvegarde n'a été "
            "écrite.",
            en=f"Copying the database {database} failed: {exc}. No backup was written.",
        ) from exc
    finally:
        source.close()
    return int(version)


def _skipped(path: Path, rel: str, database: Path, out: Path | None) -> bool:
    if path.is_symlink() or not path.is_file():
        return True  # folders come with their files; links and sockets are not the node's data
    top = rel.split("/", 1)[0]  # restore's leftovers, and this backup's own work files
    if top.startswith((ASIDE_PREFIX, STAGING_PREFIX, WORK_PREFIX)) or path.resolve() == out:
        return True
    if path.name.endswith(PARTIAL_SUFFIX):
        return True
    if top == graph_dir(database).name:
        return True  # the knowledge graph: rebuilt from the database at the next start
    return any(path == database.with_name(database.name + s) for s in SQLITE_SIDECARS)


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": sha.hexdigest()}


def _add(tar: tarfile.TarFile, name: str, fileobj: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, fileobj)


# --------------------------------------------------------------------------- restore's parts


def _read_manifest(tar: tarfile.TarFile, source: Path) -> Manifest:
    try:
        member = tar.getmember(MANIFEST)
        raw = tar.extractfile(member)
        if raw is None:
            raise KeyError(MANIFEST)
        document = json.loads(raw.read())
    except (KeyError, ValueError, tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(source, f"no readable {MANIFEST}: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _damaged(source, "not an Interlieux backup")
    if document.get("format_version") != FORMAT_VERSION:
        raise _too_new(source, f"format {document.get('format_version')}")
    try:
        manifest = Manifest(
            base_url=str(document["base_url"]),
            place=str(document["place"]),
            schema_version=int(document["schema_version"]),
            created_at=str(document["created_at"]),
            files={str(k): dict(v) for k, v in document["files"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _damaged(source, f"incomplete {MANIFEST}: {exc}") from exc
    if manifest.schema_version > SCHEMA_VERSION:
        raise _too_new(source, f"schéma {manifest.schema_version} > {SCHEMA_VERSION}")
    for rel in manifest.files:
        _safe_relative(rel, source)
    if CONFIG_FILE not in manifest.files or DATABASE_FILE not in manifest.files:
        raise _damaged(source, f"{CONFIG_FILE} or {DATABASE_FILE} missing from the manifest")
    return manifest


def _safe_relative(rel: str, source: Path) -> PurePosixPath:
    """A path the archive may write: relative, inside the folder, not one of restore's own."""
    path = PurePosixPath(rel)
    if (
        path.is_absolute()
        or not path.parts
        or any(part in ("", ".", "..") for part in path.parts)
        or "\\" in rel
        or rel.startswith((ASIDE_PREFIX, STAGING_PREFIX))
    ):
        raise _damaged(source, f"unsafe path {rel!r}")
    return path


def _extract_checked(tar: tarfile.TarFile, manifest: Manifest, staging: Path, source: Path) -> None:
    """Write each file the manifest lists into `staging`, checking its size and SHA-256; any
    other entry, a duplicate or a missing file refuses the whole backup."""
    seen: set[str] = set()
    try:
        for member in tar:
            if member.name == MANIFEST:
                continue
            rel = member.name.removeprefix(DATA_PREFIX)
            if not member.name.startswith(DATA_PREFIX) or rel not in manifest.files:
                raise _damaged(source, f"unexpected entry {member.name!r}")
            if not member.isreg() or rel in seen:
                raise _damaged(source, f"entry {member.name!r} is not one regular file")
            seen.add(rel)
            expected = manifest.files[rel]
            target = staging / _safe_relative(rel, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            raw = tar.extractfile(member)
            assert raw is not None  # a regular file
            sha = hashlib.sha256()
            size = 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                while chunk := raw.read(CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            if size != expected.get("size") or sha.hexdigest() != expected.get("sha256"):
                raise _damaged(source, f"{rel} does not match its checksum")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(source, str(exc)) from exc
    missing = set(manifest.files) - seen
    if missing:
        raise _damaged(source, f"missing files: {', '.join(sorted(missing))}")


def _check_database(path: Path, manifest: Manifest, source: Path) -> None:
    try:
        conn = sqlite3.connect(path)
        try:
            (check,) = conn.execute("PRAGMA quick_check").fetchone()
            (version,) = conn.execute("PRAGMA user_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _damaged(source, f"database unreadable: {exc}") from exc
    if check != "ok" or version != manifest.schema_version:
        raise _damaged(source, f"database check: {check}, schema {version}")


def _damaged(source: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{source} is not a usable Interlieux backup: {why}",
        fr=f"{source} n'est pas une sauvegarde Interlieux utilisable ({why}) : rien n'a été "
        "restauré. Vérifiez le fichier, ou prenez une autre sauvegarde.",
        en=f"{source} is not a usable Interlieux backup ({why}): nothing was restored. Check "
        "the file, or take another backup.",
    )


def _too_new(source: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{source} was made by a newer Interlieux ({why})",
        fr=f"{source} a été faite par une version plus récente d'Interlieux ({why}) : rien n'a "
        "été restauré. Installez cette version (ou une plus récente), puis restaurez.",
        en=f"{source} was made by a newer Interlieux ({why}): nothing was restored. Install "
        "that version (or a newer one), then restore.",
    )


def _code_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("interlieux")
    except PackageNotFoundError:
        return "unknown"
