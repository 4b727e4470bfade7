"""Run a real third-party ActivityPub server (bovine-herd) on loopback for federation tests.

The API is synchronous (subprocesses and blocking HTTP polls) and uses only the standard
library, so it works in the pytest process whatever the project has installed::

    from federation_tests.thirdparty import ThirdPartyServer, ensure_installed

    ensure_installed()                       # creates .venv-thirdparty once (~1 min)
    with ThirdPartyServer(8501, tmp_path / "bovine") as herd:     # ~1.5 s to answer
        alice = herd.create_actor("alice")   # alice.actor_id, alice.handle
        alice.follow("http://127.0.0.1:8401/actors/place")
        alice.wait_for_following("http://127.0.0.1:8401/actors/place")
        alice.post_note("Bonjour")           # delivered to alice's followers
        alice.accept_follows()               # bovine never auto-accepts
        alice.inbox(); alice.followers(); alice.following()

Every ``BovineUser`` action spawns one short client process in the third-party venv
(about 1.5 s: that is the cost of importing bovine). If your own node runs in-process
on an asyncio loop, do NOT call these methods from that loop's thread: the bovine
server will call your node back (signed key fetches, deliveries) while you block. Call
them with ``await asyncio.to_thread(alice.follow, url)`` instead.

Where the venv lives: ``$INTERLIEUX_THIRDPARTY_VENV``, else ``<repo>/.venv-thirdparty``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
REQUIREMENTS = HERE / "requirements-bovine.txt"
LAUNCHER = HERE / "bovine_launcher.py"
CTL = HERE / "bovine_ctl.py"

SERVER_NAME = "bovine-herd"
SERVER_VERSION = "0.5.19"
VENV_ENV_VAR = "INTERLIEUX_THIRDPARTY_VENV"
_MARKER = ".interlieux-requirements.sha256"

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# bovine compacts addresses against the ActivityStreams context, so the public
# collection appears in its documents as "as:Public" (see README).
PUBLIC_FORMS = frozenset({PUBLIC, "as:Public", "Public"})


class ThirdPartyError(RuntimeError):
    """The third-party server or its client failed; the message carries its output."""


# --------------------------------------------------------------------------- install


def venv_dir() -> Path:
    return Path(os.environ.get(VENV_ENV_VAR) or REPO_ROOT / ".venv-thirdparty")


def venv_python(venv: Path | None = None) -> Path:
    return (venv or venv_dir()) / "bin" / "python"


def _requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_installed() -> Path:
    """Create the third-party venv with the pinned bovine-herd if it is not there yet.

    Idempotent and fast (one file read) once installed: a marker file holds the hash of
    ``requirements-bovine.txt``, so editing the pins reinstalls. A lock file serialises
    concurrent callers (e.g. pytest-xdist workers). Returns the venv directory.
    """
    venv = venv_dir()
    marker = venv / _MARKER
    digest = _requirements_digest()
    if marker.is_file() and marker.read_text().strip() == digest and venv_python(venv).exists():
        return venv

    # The lock lives inside the venv's own (git-ignored) folder: `python -m venv` accepts an
    # existing folder, and a lock beside it would litter the repository's root.
    venv.mkdir(parents=True, exist_ok=True)
    lock_path = venv / ".install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == digest:
            return venv
        if not venv_python(venv).exists():
            _run([sys.executable, "-m", "venv", str(venv)], "creating the venv")
        _run(
            [
                str(venv_python(venv)),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
            ],
            "installing bovine-herd",
        )
        marker.write_text(digest + "\n")
    return venv


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ThirdPartyError(f"{what} failed ({result.returncode}):\n{result.stderr}")


# --------------------------------------------------------------------------- HTTP


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Plain (unsigned) GET; returns status and body, never raises on HTTP errors."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def wait_until(
    check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.5, what: str = ""
) -> Any:
    """Poll ``check`` until it returns something truthy; raise TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(interval)


# --------------------------------------------------------------------------- server


@dataclass
class ThirdPartyServer:
    """One bovine-herd process on ``127.0.0.1:port`` with its state in ``workdir``."""

    port: int
    workdir: Path
    start_timeout: float = 30.0
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    name = SERVER_NAME
    version = SERVER_VERSION

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> ThirdPartyServer:
        if self.process is not None:
            return self
        python = venv_python(ensure_installed())
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # The child keeps its own copy of the log descriptor; ours closes here.
            self.process = subprocess.Popen(
                [
                    str(python),
                    str(LAUNCHER),
                    "--port",
                    str(self.port),
                    "--workdir",
                    str(self.workdir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
            )
        try:
            wait_until(self._answers, timeout=self.start_timeout, interval=0.2, what="start")
        except BaseException:
            self.stop()
            raise
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise ThirdPartyError(
                f"{self.name} exited with {self.process.returncode}:\n{self.log_text()}"
            )
        try:
            status, _ = http_get(f"{self.base_url}/.well-known/nodeinfo")
        except OSError:
            return False
        return status == 200

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> ThirdPartyServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- actors

    def ctl(self, *args: str) -> Any:
        """Run ``bovine_ctl.py`` in the third-party venv; return its JSON output."""
        env = {
            **os.environ,
            "BOVINE_DB_URL": f"sqlite://{self.workdir / 'bovine.sqlite3'}",
        }
        result = subprocess.run(
            [str(venv_python()), str(CTL), *args],
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=env,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            shown = ["***" if i and args[i - 1] == "--secret" else a for i, a in enumerate(args)]
            raise ThirdPartyError(
                f"bovine_ctl {' '.join(shown)} failed ({result.returncode}):\n{result.stderr}"
            )
        return json.loads(result.stdout)

    def create_actor(self, username: str) -> BovineUser:
        """Register a user with the admin tool and give it a Moo-Auth-1 client key."""
        data = self.ctl("register", "--domain", self.base_url, "--name", username)
        return BovineUser(
            server=self,
            username=username,
            actor_id=data["actor_id"],
            handle=data["handle"],
            secret=data["secret"],
            bovine_name=data["bovine_name"],
        )


# --------------------------------------------------------------------------- users


@dataclass
class BovineUser:
    """A bovine-herd user, driven through its client-to-server API."""

    server: ThirdPartyServer
    username: str
    actor_id: str
    handle: str  # "alice@127.0.0.1:8501", resolvable by WebFinger
    secret: str = field(repr=False)
    bovine_name: str = ""

    def _client(self, command: str, *args: str) -> Any:
        return self.server.ctl(
            "--domain", self.server.base_url, "--secret", self.secret, command, *args
        )

    # Actions: each is one POST to the user's outbox; returns the new activity's id.
    def follow(self, target_actor_id: str) -> str:
        return str(self._client("follow", target_actor_id)["location"])

    def undo_follow(self, target_actor_id: str) -> str:
        return str(self._client("undo-follow", target_actor_id)["location"])

    def post_note(self, content: str) -> str:
        """Create a public Note (to: Public, cc: followers); returns the Create's id."""
        return str(self._client("note", content)["location"])

    def accept_follows(self) -> list[dict[str, Any]]:
        """Accept every Follow of this user found in its inbox and not accepted yet."""
        return list(self._client("accept"))

    # Reads: as the owner sees them through the client API.
    def actor_document(self) -> dict[str, Any]:
        return dict(self._client("actor"))

    def inbox(self) -> list[dict[str, Any]]:
        """Received activities, newest first, compacted against bovine's own context
        (``"@context": "about:bovine"``); ``actor``/``object`` are embedded objects
        when bovine knows them, so compare ids with ``object_id``."""
        return list(self._client("inbox"))

    def outbox(self) -> list[dict[str, Any]]:
        return list(self._client("outbox"))

    def followers(self) -> list[str]:
        return list(self._client("followers"))

    def following(self) -> list[str]:
        return list(self._client("following"))

    # Waiting helpers for asynchronous delivery.
    def wait_for_inbox(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0
    ) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((a for a in self.inbox() if predicate(a)), None)

        return dict(wait_until(found, timeout, what=f"{self.username}'s inbox"))

    def wait_for_follow_request(self, from_actor: str, timeout: float = 20.0) -> dict[str, Any]:
        return self.wait_for_inbox(
            lambda a: a.get("type") == "Follow" and object_id(a.get("actor")) == from_actor,
            timeout,
        )

    def wait_for_following(self, target: str, timeout: float = 20.0) -> list[str]:
        return list(
            wait_until(
                lambda: target in self.following() and self.following(),
                timeout,
                what=f"{self.username} following {target}",
            )
        )

    def wait_for_follower(self, follower: str, timeout: float = 20.0) -> list[str]:
        return list(
            wait_until(
                lambda: follower in self.followers() and self.followers(),
                timeout,
                what=f"{follower} in {self.username}'s followers",
            )
        )


def object_id(value: Any) -> Any:
    """The id of an embedded object, or the value itself when it is already an id."""
    return value.get("id") if isinstance(value, dict) else value


def is_public(activity: dict[str, Any]) -> bool:
    addressed = activity.get("to", []) + activity.get("cc", [])
    return any(object_id(x) in PUBLIC_FORMS for x in addressed)


# --------------------------------------------------------------------------- by hand


def main(argv: list[str] | None = None) -> None:
    """``python3 -m federation_tests.thirdparty --port 8501 --user alice``"""
    import argparse
    import tempfile

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # so that SIGTERM also stops the server below

    signal.signal(signal.SIGTERM, interrupt)

    parser = argparse.ArgumentParser(description="Run bovine-herd on loopback by hand.")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--user", action="append", default=[])
    args = parser.parse_args(argv)

    started = time.monotonic()
    venv = ensure_installed()
    print(f"venv ready: {venv} ({time.monotonic() - started:.1f}s)", flush=True)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bovine-"))
    with ThirdPartyServer(args.port, workdir) as server:
        print(f"{server.name} {server.version} on {server.base_url}, state in {workdir}")
        for name in args.user:
            user = server.create_actor(name)
            print(
                json.dumps(
                    {"actor_id": user.actor_id, "handle": user.handle, "secret": user.secret}
                )
            )
        print("Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
