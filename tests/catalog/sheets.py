"""Spreadsheets as offices send them, made in the tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import openpyxl


def xlsx(
    rows: Sequence[Sequence], *, above: Sequence[Sequence] = (), formats: dict[str, str] | None = None
) -> bytes:
    """An .xlsx with `above` rows (a title) before the header and data `rows`; `formats` sets number formats
    of cells by coordinate (a date typed as a number shown as a date)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "目录"
    for row in (*above, *rows):
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, as an office types it with a leading apostrophe
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def read_xlsx(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
