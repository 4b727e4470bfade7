"""A non-editable install (Docker's `pip install .`) carries every file the pages need."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_template_and_static_file_is_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["node"]
    package = REPO / "node"
    files = [
        p.relative_to(package)
        for folder in ("web/templates", "web/static")
        for p in (package / folder).rglob("*")
        if p.is_file()
    ]
    assert files
    # setuptools matches each pattern as a glob relative to the package folder.
    missing = [str(f) for f in files if not any(f.match(p) and len(f.parts) == len(Path(p).parts)
                                                 for p in patterns)]  # fmt: skip
    assert missing == []
