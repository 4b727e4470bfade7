"""CSV files a spreadsheet opened in France reads as meant (pure).

Semicolons between cells (a French spreadsheet reads commas as decimal points), a byte order
mark first (without it, UTF-8 is read as Latin-1: "rÃ©clamation"), and no cell a spreadsheet
would run as a formula: names, memos and texts come from people and from peers (CSV
injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+([.,][0-9]+)?")  # a negative amount stays a number


def cell(text: str) -> str:
    """A text cell made inert: one starting like a formula starts with `'` instead."""
    if text[:1] in FORMULA_STARTS and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]], bom: bool = True) -> str:
    """The header and rows, semicolon-separated, one line each. Text cells go through `cell`
    here, so no caller forgets; numbers are written as they are."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) if isinstance(v, str) else v for v in row])
    return (BOM if bom else "") + out.getvalue()
