"""Response helpers shared by the portal, the workbench and the API."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import StreamingHttpResponse

from gongkai.text import spreadsheet_safe


def attachment_header(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII fallback and the real (Chinese) name per RFC 6266."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class _Echo:
    def write(self, value):
        return value


def csv_response(head: Sequence[str], rows: Iterable[Sequence], *, filename: str) -> StreamingHttpResponse:
    """A CSV download (UTF-8 with BOM, which Excel needs to read Chinese), streamed row by row. Every CSV
    the system writes goes through here: each cell passes `spreadsheet_safe`, so a value typed by the public
    ("=cmd|' /C calc'!A0") is shown as text in a spreadsheet, never run as a formula."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([spreadsheet_safe(cell) for cell in head])
        for row in rows:
            yield writer.writerow([spreadsheet_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
