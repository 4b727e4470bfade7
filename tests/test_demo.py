"""`make demo`: it runs end to end, and Ctrl-C stops every node it started.

The demo runs as a person runs it, `python -m examples.demo` from the repository root, in a
temporary data folder so that a person's own ./demo-data is left alone.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from examples import demo
from examples.demo import door as demo_door

REPO = Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"adresse\s*: http://127\.0\.0\.1:(\d+)")
TIMEOUT = 240  # three real nodes on a 2-core machine, CI included


def _command(data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "examples.demo", "--data", str(data), *extra]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "INTERLIEUX_DEMO_ONCE"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _processes_using(data: Path) -> list[int]:
    """Pids whose command line names the demo's data folder (an `interlieux serve` left over)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(data).encode() in cmdline and b"examples.demo" not in cmdline:
            found.append(int(entry.name))
    return found


def _assert_all_stopped(output: str, data: Path) -> None:
    ports = [int(p) for p in ADDRESS.findall(output)]
    assert len(ports) == 3, output
    assert [p for p in ports if _answers(p)] == []
    assert _processes_using(data) == []


def test_demo_once_shows_the_network_at_work_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    result = subprocess.run(
        _command(data, "--once"),
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    # The event, addressed to Public only, reaches both places and camille, who follows.
    event = out.split("publie un événement", 1)[1].split("publie un besoin", 1)[0]
    for who in ("PopCafé (@popcafe@", "La Coroutine (@coroutine@", "Camille Lefebvre (PopCafé)"):
        assert f"✓ reçu par {who}" in event, out
    assert "en file d'envoi vers 2 boîtes de réception" in event
    assert "@fablab-lilas@127.0.0.1:" in out
    # One node answers for the network: residents of the three places, from its own graph.
    network = out.split("Une question au réseau", 1)[1].split("requêtes d'exemple", 1)[0]
    for place in ("PopCafé", "La Coroutine", "Fablab des Lilas"):
        assert f" — {place}\n" in network, out
    # camille's badge at the Fablab's door: through the real door where pcscd runs.
    door = "lecteur de cartes PC/SC" if demo_door.virtual_reader() else "interlieux checkin"
    assert re.search(rf"à la porte \(.*{door}.*\) : ACCEPTÉ", out), out
    for who in ("PopCafé", "Camille Lefebvre (PopCafé)"):
        assert f"✓ boîte de réception de {who} : passage à Fablab des Lilas" in out, out
    # The claim, and both ledgers agreeing.
    assert "1 passage(s), 5.00 EUR" in out
    assert re.search(r"/actors/popcafe\s+5\.00 EUR\s+vous doit", out), out
    assert re.search(r"/actors/fablab-lilas\s+-5\.00 EUR\s+vous lui devez", out), out
    # The Fablab's door team signs in through its link: the dashboard shows camille's visit.
    assert re.search(r"✓ \d\d:\d\d  Camille Lefebvre \(PopCafé\), .* : acceptée", out), out
    assert re.search(r"tableau de bord de l'équipe\s+: http://127\.0\.0\.1:\d+/invitation/", out)
    assert out.count("Aucun envoi en attente ni en échec.") == 3, out
    assert "Le réseau tourne" not in out
    assert "Tout est arrêté." in out
    assert result.stderr == ""
    _assert_all_stopped(out, data)


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)  # end of output


def test_ctrl_c_stops_every_node_and_exits_zero(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    seen: list[str] = []
    lines: queue.Queue[str | None] = queue.Queue()
    with subprocess.Popen(
        _command(data),
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + TIMEOUT
            while not any(demo.RUNNING in line for line in seen):
                remaining = deadline - time.monotonic()
                assert remaining > 0, "".join(seen)
                try:
                    line = lines.get(timeout=remaining)
                except queue.Empty:
                    continue
                assert line is not None, f"the demo ended early:\n{''.join(seen)}"
                seen.append(line)
            ports = [int(p) for p in ADDRESS.findall("".join(seen))]
            assert ports and all(_answers(p) for p in ports)  # the network is really up

            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 0, "".join(seen)
        finally:
            if proc.poll() is None:  # a failed test must not leave the demo and its nodes
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            reader.join(timeout=10)
    while not lines.empty() and (line := lines.get_nowait()) is not None:
        seen.append(line)
    out = "".join(seen)
    assert "Ctrl-C reçu." in out
    assert "Tout est arrêté." in out
    _assert_all_stopped(out, data)


def test_a_folder_the_demo_did_not_make_is_never_wiped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "notes.txt"
    precious.write_text("compta du PopCafé\n")
    assert demo.main(["--once", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "n'a pas été créé par la démo : rien n'a été effacé" in err
    assert len(err.strip().splitlines()) == 1
    assert precious.read_text() == "compta du PopCafé\n"
