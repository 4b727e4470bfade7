"""The operator's command line: what it creates, what it refuses, and how it says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_then_refuse_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "lieu")
    args = ("init", "--data", data, "--base-url", "http://127.0.0.1:8401", "--name", "PopCafé",
            "--handle", "popcafe")  # fmt: skip
    code, out, _ = run(capsys, *args)
    assert code == 0 and "http://127.0.0.1:8401/actors/popcafe" in out
    assert (tmp_path / "lieu").stat().st_mode & 0o077 == 0  # keys are not world-readable
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "contient déjà un nœud" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "url",
    ["http://tiers-lieu.example", "ftp://127.0.0.1", "https://x.example/chemin", "https://"],
)
def test_init_refuses_bad_base_urls(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", "--data", str(tmp_path / "x"), "--base-url", url,
                       "--name", "X", "--handle", "x")  # fmt: skip
    assert code == 2
    assert err.startswith("interlieux: L'adresse")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("url", ["https://lieu.example", "http://localhost:8000", "http://[::1]:9"])
def test_init_accepts_https_and_loopback_http(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", "--data", str(tmp_path / "x"), "--base-url", url,
                       "--name", "X", "--handle", "x")  # fmt: skip
    assert code == 0, err


def test_errors_in_english_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--lang", "en", "member", "add", "--data", str(tmp_path),
                       "--handle", "a", "--name", "A")  # fmt: skip
    assert code == 2
    assert "No node in" in err and "interlieux init" in err


def test_members_tokens_and_deliveries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "lieu")
    run(capsys, "init", "--data", data, "--base-url", "http://127.0.0.1:8401", "--name", "L",
        "--handle", "lieu")  # fmt: skip
    code, out, _ = run(capsys, "member", "add", "--data", data, "--handle", "alice",
                       "--name", "Alice")  # fmt: skip
    assert code == 0 and "@alice@127.0.0.1:8401" in out
    code, _, err = run(capsys, "member", "add", "--data", data, "--handle", "alice",
                       "--name", "Alice")  # fmt: skip
    assert code == 2 and "existe déjà" in err
    code, _, err = run(capsys, "member", "add", "--data", data, "--handle", "Alice!",
                       "--name", "A")  # fmt: skip
    assert code == 2 and "n'est pas valable" in err
    code, out, _ = run(capsys, "token", "--data", data, "--actor", "alice")
    token = out.strip().splitlines()[-1]
    assert code == 0 and token.startswith("il_")
    code, _, err = run(capsys, "token", "--data", data, "--actor", "bob")
    assert code == 2 and "Aucun compte « bob »" in err
    code, out, _ = run(capsys, "token", "--data", data, "--list")
    assert "alice\tactif" in out and token not in out  # only hashes are stored
    code, out, _ = run(capsys, "token", "--data", data, "--revoke", "1")
    assert code == 0
    code, out, _ = run(capsys, "token", "--data", data, "--list")
    assert "alice\trévoqué" in out
    code, _, err = run(capsys, "token", "--data", data, "--revoke", "1")
    assert code == 2 and "Aucun jeton actif" in err
    code, out, _ = run(capsys, "deliveries", "--data", data)
    assert code == 0 and "Aucun envoi" in out
