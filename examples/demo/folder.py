"""The demo's data folder: wiped at each start, but only if the demo made it and no other demo
is using it; and how a failure is told (one French line, details in demo.log)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .telling import shown

MARKER_FILE = ".interlieux-demo"  # only a folder holding this one is ever wiped
PID_FILE = "demo.pid"  # so that a second demo does not wipe a running one's folder
DETAIL_LOG = "demo.log"  # the technical details behind a one-line error


class DemoError(Exception):
    """A failure, told as one French line that says what to do next."""


def _running_demo(pid_file: Path) -> int | None:
    """The pid of another demo still using this folder, if there is one."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"examples.demo" not in cmdline.read_bytes():
        return None  # the pid was reused by something else
    return pid


def prepare_folder(data: Path) -> None:
    if data.exists():
        if not data.is_dir():
            raise DemoError(
                f"{shown(data)} est un fichier, pas un dossier : choisissez un autre dossier "
                "avec --data."
            )
        other = _running_demo(data / PID_FILE)
        if other is not None:
            raise DemoError(
                f"Une autre démo tourne déjà dans {shown(data)} (processus {other}) : arrêtez-la "
                "avec Ctrl-C dans son terminal, ou lancez celle-ci avec --data AUTRE_DOSSIER."
            )
        if any(data.iterdir()) and not (data / MARKER_FILE).exists():
            raise DemoError(
                f"{shown(data)} n'est pas vide et n'a pas été créé par la démo : rien n'a été "
                "effacé. Choisissez un dossier vide ou nouveau avec --data."
            )
        shutil.rmtree(data)
    data.mkdir(parents=True)
    (data / MARKER_FILE).write_text(
        "Dossier de `make demo` : il est effacé et recréé à chaque lancement.\n"
    )
    (data / PID_FILE).write_text(f"{os.getpid()}\n")


FAILURES = (
    AssertionError, RuntimeError, OSError, httpx.HTTPError, subprocess.SubprocessError,
    KeyError, ValueError, StopIteration,
)  # fmt: skip


def failed(data: Path, message: str, exc: BaseException) -> DemoError:
    """`message` as a DemoError, with the technical details written to the folder's demo.log."""
    try:
        with (data / DETAIL_LOG).open("a", encoding="utf-8") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    return DemoError(message)


@contextmanager
def failing_as(data: Path, message: str) -> Iterator[None]:
    """Turn a technical failure inside the block into `message`."""
    try:
        yield
    except FAILURES as exc:
        raise failed(data, message, exc) from exc
