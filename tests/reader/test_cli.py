"""`interlieux reader`: where the door's token comes from, and which node it may talk to."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.cli import main
from node.errors import ConfigError
from reader.cli import check_node_url, door_token


def test_the_token_comes_from_a_file_or_the_environment(tmp_path: Path) -> None:
    file = tmp_path / "porte.jeton"
    file.write_text("abc123\n")
    assert door_token(None, file, None) == "abc123"
    assert door_token(None, None, " xyz \n") == "xyz"
    assert door_token(None, file, "ignored") == "abc123"  # the file, when both are given


@pytest.mark.parametrize(
    ("command_line", "file", "variable", "said"),
    [
        ("abc123", None, None, "ne se donne plus en ligne de commande"),
        (None, Path("/nonexistent/porte.jeton"), None, "Impossible de lire le fichier"),
        (None, None, None, "Il manque le jeton"),
        (None, None, "  ", "Il manque le jeton"),
    ],
)
def test_a_token_from_nowhere_safe_is_refused_with_what_to_do(
    command_line: str | None, file: Path | None, variable: str | None, said: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        door_token(command_line, file, variable)
    assert said in caught.value.message("fr")


@pytest.mark.parametrize(
    ("url", "insecure_http", "allowed"),
    [
        ("https://mon-lieu.exemple/", False, True),
        ("http://127.0.0.1:8000", False, True),
        ("http://localhost:8000", False, True),
        ("http://[::1]:8000", False, True),
        ("http://mon-lieu.exemple", False, False),
        ("http://192.168.1.10:8000", False, False),
        ("http://node:8000", True, True),  # a compose network, said explicitly
        ("ftp://mon-lieu.exemple", True, False),
        ("mon-lieu.exemple", False, False),
    ],
)
def test_the_node_is_reached_over_https_or_on_this_machine(
    url: str, insecure_http: bool, allowed: bool
) -> None:
    if allowed:
        assert check_node_url(url, insecure_http) == url.rstrip("/")
    else:
        with pytest.raises(ConfigError, match="refusing"):
            check_node_url(url, insecure_http)


def test_the_command_says_where_the_token_goes_instead_of_starting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["reader", "--node", "https://mon-lieu.exemple", "--token", "abc123"])
    assert code == 2
    assert "--token-file" in capsys.readouterr().err
