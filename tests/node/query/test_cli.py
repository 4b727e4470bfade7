"""`interlieux graph rebuild|status`: run in the graph engine's own process, node stopped; a
running node's store is refused with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from tests.node.agenda.test_events import event, post
from tests.node.conftest import BASE_URL, InProcessNode, new_place


def test_rebuild_then_status_of_a_stopped_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = new_place(tmp_path)
    data = config.data_dir
    with TestClient(create_app(config), base_url=BASE_URL) as client:
        place = InProcessNode(config, client)
        for name in ("Atelier soudure", "Repair café"):
            assert post(place, event(name=name)).status_code == 201
        capsys.readouterr()
        # The running node's engine holds the store.
        assert cli(["graph", "status", "--data", str(data)]) != 0
        assert "arrêtez le nœud" in capsys.readouterr().err
    assert cli(["graph", "rebuild", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Graphe refait : 2 objets" in out and "Objets dans le graphe : 2" in out
    assert cli(["graph", "status", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Objets dans le graphe : 2" in out and "Lieux (graphes nommés) : 1" in out
