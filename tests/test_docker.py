"""docker/: no Docker engine runs here, so the files are checked against each other and against
the Compose Specification's JSON schema (as check-jsonschema ships it, Apache-2.0): the volume
`init` fills is the one `serve` reads, and Caddy proxies to the port `serve` listens on."""

from __future__ import annotations

import json
import re
import shlex
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import DEFAULT_PORT, NodeConfig

ROOT = Path(__file__).parents[1]
DOCKER = ROOT / "docker"
DOCS = ROOT / "docs" / "self-hosting.md"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DOCKER / "compose.yaml").read_text()))


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def dockerfile_stage(name: str) -> str:
    """The lines of one `FROM … AS name` stage of docker/Dockerfile."""
    text = (DOCKER / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)
    (stage,) = [s for s in stages if re.match(rf"\S+ AS {name}\b", s)]
    return stage


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema_file = files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_volume_init_fills_is_the_one_serve_reads(compose: dict[str, Any]) -> None:
    node = compose["services"]["node"]
    command = node["command"]
    assert command[:2] == ["interlieux", "serve"]
    data = option(command, "--data")
    (mount,) = [v for v in node["volumes"] if v.split(":")[1] == data]
    volume = mount.split(":")[0]
    # A named volume, declared with its name fixed, so that no project prefix changes it.
    assert compose["volumes"][volume]["name"] == volume
    # The image serves the same folder when run without compose, and owns it.
    stage = dockerfile_stage("node")
    cmd = json.loads(re.search(r"^CMD (.+)$", stage, flags=re.M).group(1))  # type: ignore[union-attr]
    # Compose adds only its trust in Caddy's X-Forwarded-For (the image alone may face anyone).
    assert command == [*cmd, "--forwarded-allow-ips", "*"]
    assert f"VOLUME {data}" in stage
    assert f"mkdir {data} && chown interlieux:interlieux {data}" in dockerfile_stage("base")
    # `init`, as the docs and the compose file's header say to run it: through the same
    # service (hence the same volume), into the same folder.
    inits = [
        line
        for text in (DOCS.read_text(), (DOCKER / "compose.yaml").read_text())
        for line in _joined_lines(text)
        if "compose" in line and "interlieux init" in line
    ]
    assert inits
    for line in inits:
        words = shlex.split(line.lstrip("# "))
        assert words[words.index("run") : words.index("interlieux")] == ["run", "--rm", "node"]
        assert option(words, "--data") == data


def test_caddy_proxies_to_the_port_serve_listens_on(compose: dict[str, Any]) -> None:
    node = compose["services"]["node"]
    port = int(option(node["command"], "--port"))
    assert port == DEFAULT_PORT  # the documented default, the same with or without Docker
    assert option(node["command"], "--host") == "0.0.0.0"  # reachable from Caddy's container
    caddyfile = (DOCKER / "Caddyfile").read_text()
    assert re.findall(r"^\s*reverse_proxy\s+(\S+)\s*$", caddyfile, flags=re.M) == [f"node:{port}"]
    caddy = compose["services"]["caddy"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    # The site address comes from the environment compose passes on.
    assert re.search(r"^\{\$INTERLIEUX_DOMAIN\} \{", caddyfile, flags=re.M)
    assert "INTERLIEUX_DOMAIN" in caddy["environment"]
    assert caddy["depends_on"]["node"]["condition"] == "service_healthy"
    assert f"EXPOSE {port}" in dockerfile_stage("node")
    # The door reaches the node the same way, inside the project's network.
    reader_url = urlsplit(option(compose["services"]["reader"]["command"], "--node"))
    assert (reader_url.hostname, reader_url.port) == ("node", port)


def test_the_healthcheck_asks_what_the_node_answers(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    test = compose["services"]["node"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]  # the slim image has no curl
    code = test[3]
    compile(code, "healthcheck", "exec")
    url = urlsplit(re.search(r"urlopen\('([^']+)'", code).group(1))  # type: ignore[union-attr]
    port = int(option(compose["services"]["node"]["command"], "--port"))
    assert (url.hostname, url.port) == ("127.0.0.1", port)
    # A node whose public address is https answers it on its listening address (another Host).
    data = tmp_path / "lieu"
    assert cli(["init", "--data", str(data), "--base-url", "https://lieu.example",
                "--name", "L", "--handle", "lieu"]) == 0  # fmt: skip
    app = create_app(NodeConfig.load(data))
    with TestClient(app, base_url=f"http://127.0.0.1:{port}") as client:
        assert client.get(url.path).status_code == 200


def test_the_reader_image_has_the_door_extra(compose: dict[str, Any]) -> None:
    for service in ("node", "reader"):
        target = compose["services"][service]["build"]["target"]
        assert dockerfile_stage(target)
    assert 'pip install ".[reader]"' in dockerfile_stage("reader")
    assert compose["services"]["reader"]["profiles"] == ["porte"]
    assert "/run/pcscd:/run/pcscd" in compose["services"]["reader"]["volumes"]


def test_every_variable_compose_reads_is_in_the_example_env(compose: dict[str, Any]) -> None:
    used = set(re.findall(r"\$\{(\w+)", (DOCKER / "compose.yaml").read_text()))
    example = (DOCKER / "env.exemple").read_text()
    defined = set(re.findall(r"^(\w+)=", example, flags=re.M))
    assert used and used <= defined


def _joined_lines(text: str) -> list[str]:
    """Lines of shell, with backslash continuations (and a comment's `#` on the next line)
    joined."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if pending:
            line = line.lstrip("#").strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    return out


def test_the_build_context_sends_what_the_image_copies() -> None:
    """The context is the repository's root; Dockerfile.dockerignore lets through only what the
    Dockerfile copies (not .venv, not the tests' data)."""
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    assert "*" in ignore
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = {
        source.rstrip("/")
        for line in (DOCKER / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    }
    assert copied == allowed
