"""What every reader turns a document into before the report is assembled.

A document is a flat sequence of blocks in reading order: paragraphs of text and table rows.
Readers of structured documents (HTML, DOCX, Markdown pipe tables) know each cell exactly and
mark their rows `exact`; rows recovered from extracted text (tabs, runs of spaces) are not exact.
The assembler (`assemble.py`) finds the sections, the tables and their rows in these blocks, so
that every reader shares one understanding of the layouts.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Para:
    text: str
    # heading level when the document marks it (HTML h1-h6, Markdown #, DOCX Heading n); 0 = unknown
    level: int = 0


@dataclass
class Row:
    cells: list[str]
    exact: bool = False
    # rows of the same table in the source document share a number; None when the source does not say
    table: int | None = None
    extras: dict = field(default_factory=dict)


Block = Para | Row


class Unreadable(Exception):
    """The input holds no report text at all (binary junk, a scanned PDF, an empty file), or is data
    that is not in the published format: then `problems` has one line for each problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


class NotAReport(Exception):
    """The input was read and is not an annual report: it has none of a report's markers
    (formats.REPORT_TITLE_MARKERS near its start, or a label of the tables)."""
