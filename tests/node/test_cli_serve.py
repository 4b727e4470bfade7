"""Where `serve` listens: behind a proxy by default, at its own loopback address in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from node import server
from node.cli import main as cli
from node.config import DEFAULT_HOST, DEFAULT_PORT, NodeConfig, listen_address


def config(base_url: str) -> NodeConfig:
    return NodeConfig(data_dir=Path("/nowhere"), base_url=base_url, name="L", handle="lieu")


@pytest.mark.parametrize(
    ("base_url", "host", "port", "expected"),
    [
        # https: the reverse proxy terminates TLS; plain HTTP on :443 would answer no one.
        ("https://lieu.example", None, None, (DEFAULT_HOST, DEFAULT_PORT)),
        ("https://lieu.example:8443", None, None, (DEFAULT_HOST, DEFAULT_PORT)),
        ("https://lieu.example", "0.0.0.0", 9000, ("0.0.0.0", 9000)),
        # loopback http (tests, the demo): the node is its own front, at its base URL.
        ("http://127.0.0.1:8401", None, None, ("127.0.0.1", 8401)),
        ("http://[::1]:8402", None, None, ("::1", 8402)),
        ("http://localhost", None, None, ("localhost", 80)),
        ("http://127.0.0.1:8401", None, 9001, ("127.0.0.1", 9001)),
    ],
)
def test_listen_address(
    base_url: str, host: str | None, port: int | None, expected: tuple[str, int]
) -> None:
    assert listen_address(config(base_url), host, port) == expected


def test_the_default_port_is_the_documented_one() -> None:
    assert DEFAULT_PORT == 8000 and DEFAULT_HOST == "127.0.0.1"


def test_serve_believes_the_forwarded_address_from_the_proxies_it_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "lieu")
    assert cli(["init", "--data", data, "--base-url", "https://lieu.example", "--name", "L",
                "--handle", "lieu"]) == 0  # fmt: skip
    ran: list[dict[str, Any]] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kwargs: ran.append(kwargs))
    assert cli(["serve", "--data", data]) == 0
    assert cli(["serve", "--data", data, "--forwarded-allow-ips", "172.16.0.0/12"]) == 0
    assert [r["forwarded_allow_ips"] for r in ran] == ["127.0.0.1", "172.16.0.0/12"]
    assert all(r["proxy_headers"] for r in ran)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli(["serve", "--help"])
    assert "--forwarded-allow-ips" in capsys.readouterr().out
