"""Telling the story on the terminal: numbered steps, French numbers and paths as typed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

STEPS = "①②③④⑤⑥⑦⑧⑨⑩"


def say(line: str = "") -> None:
    print(line, flush=True)


def step(number: int, title: str) -> None:
    say()
    say(f"{STEPS[number - 1]} {title}")


def seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def shown(path: Path) -> str:
    """A path as the person typed it or, when absolute, relative to here if it is below."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def interlieux_command() -> str:
    """How to type `interlieux` here: the venv's script when the demo runs from a venv."""
    script = Path(sys.executable).parent / "interlieux"
    if not script.exists():
        return "interlieux"
    relative = os.path.relpath(script)
    return relative if not relative.startswith("..") else str(script)
