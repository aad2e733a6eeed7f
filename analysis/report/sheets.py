"""The numbers behind the charts as CSV or XLSX, safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return, which some
spreadsheets skip before parsing) would run as a formula when the file is opened (CSV/formula
injection, OWASP). Such cells get a leading single quote; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = (".csv", ".xlsx")


def neutralise(value: Any) -> Any:
    """Quote-prefix a text cell a spreadsheet would read as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """Plain Python values: numbers as int/float, missing as None, everything else as text."""
    if value is None or (isinstance(value, float | np.floating) and not np.isfinite(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, dict):
        value = "; ".join(f"{k}={v}" for k, v in value.items())
    return neutralise(str(value))


def prepare(frame: pd.DataFrame) -> list[list[Any]]:
    """Header and rows as plain cells (n as an integer, suppressed numbers empty)."""
    frame = frame.copy()
    if "n" in frame:
        frame["n"] = frame["n"].astype("Int64")
    header = [neutralise(str(c)) for c in frame.columns]
    body = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return [header, *[[_cell(v) for v in row] for row in body]]


def to_csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([["" if v is None else v for v in row] for row in prepare(frame)])
    # UTF-8 with BOM: Excel on Windows then reads accents and "−" correctly.
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, *, sheet: str = "numbers") -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    # strings_to_formulas/urls off: text is always written as text, never evaluated.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    header, *rows = prepare(frame)
    ws.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)  # write(): None -> blank, bool/number/text by type
    ws.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def write_table(frame: pd.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"table export must end in {' or '.join(FORMATS)}, not {path.name!r}")
    path.write_bytes(to_csv(frame) if suffix == ".csv" else to_xlsx(frame))
