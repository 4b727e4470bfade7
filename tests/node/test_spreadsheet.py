"""The node's CSV files: semicolons, a byte order mark, no cell run as a formula."""

from __future__ import annotations

import csv
import io

from node import spreadsheet


def test_a_cell_that_would_be_a_formula_is_made_inert() -> None:
    for text in ("=1+1", "+33 6", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet.cell(text) == "'" + text
    # Plain words, and numbers (a negative amount stays a number), are kept as they are.
    for text in ("La Fabrik", "", "-10,50", "-3", "12.5", "a=b"):
        assert spreadsheet.cell(text) == text


def test_the_text_is_semicolons_after_a_byte_order_mark() -> None:
    text = spreadsheet.csv_text(
        ["nom", "montant"], [['=HYPERLINK("x")', "10,50"], ["Zoé; et al", 3]]
    )
    assert text.startswith(spreadsheet.BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(spreadsheet.BOM)), delimiter=";"))
    assert rows == [["nom", "montant"], ['\'=HYPERLINK("x")', "10,50"], ["Zoé; et al", "3"]]
    assert not spreadsheet.csv_text(["a"], [], bom=False).startswith(spreadsheet.BOM)
