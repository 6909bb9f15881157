"""The report as one self-contained HTML page in the printed layout (GB/T 9704 conventions).

`media="screen"` draws an A4 sheet on a grey desk; `media="print"` is the same document with page rules
(A4, margins, "— N —" page numbers) and is what the PDF writer hands to WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from string import Template

from gongkai.report.model import AnnualReport
from gongkai.report.render.layout import (
    TABLE_SECTIONS,
    Grid,
    GridCell,
    ending,
    heading,
    is_subhead,
    layout_of,
    paragraphs,
    sections_to_print,
    table_grid,
    text_lines,
    title_lines,
    title_of,
)

# 小标宋 / 仿宋 / 黑体 are what an office PC has; Noto CJK is what a Linux server (and WeasyPrint) has.
SERIF = "'Noto Serif CJK SC', 'Source Han Serif SC', 'SimSun', 'Songti SC', serif"
TITLE = "'方正小标宋简体', 'FZXiaoBiaoSong-B05S', 'Noto Serif CJK SC', 'Source Han Serif SC', 'SimSun', serif"
BODY = "'仿宋_GB2312', 'FangSong', 'STFangsong', 'Noto Serif CJK SC', 'Source Han Serif SC', serif"
SANS = "'黑体', 'SimHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
# WeasyPrint must be given the Noto names first: other names may resolve to a Latin font without CJK glyphs.
PRINT_FONTS = {
    "SERIF": "'Noto Serif CJK SC', serif",
    "TITLE": "'Noto Serif CJK SC', serif",
    "BODY": "'Noto Serif CJK SC', serif",
    "SANS": "'Noto Sans CJK SC', sans-serif",
}
SCREEN_FONTS = {"SERIF": SERIF, "TITLE": TITLE, "BODY": BODY, "SANS": SANS}

_COMMON_CSS = """
html { color: #000; background: #fff; }
body { margin: 0; font-family: $BODY; font-size: 16pt; line-height: 28.9pt; }
h1 { font-family: $TITLE; font-size: 22pt; font-weight: 700; line-height: 1.5; text-align: center;
     margin: 0 0 28.9pt; }
h1 .line { display: inline-block; }
h2 { font-family: $SANS; font-size: 16pt; font-weight: 400; line-height: 28.9pt; margin: 0;
     text-indent: 2em; break-after: avoid; page-break-after: avoid; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.subhead { font-weight: 700; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 7pt 0 14pt;
        font-family: $SERIF; font-size: 9pt; line-height: 1.35; }
th, td { border: 0.75pt solid #000; padding: 2.5pt 2pt; vertical-align: middle; overflow-wrap: anywhere; }
th { font-family: $SANS; font-weight: 400; text-align: center; }
th.caption { text-align: left; padding-left: 4pt; }
th.note { font-family: $SERIF; font-size: 8pt; text-align: left; }
td.label { text-align: left; }
td.group { text-align: center; }
td.number { text-align: center; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
tbody.block { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
table.table2 { font-size: 10.5pt; }
"""

_SCREEN_CSS = """
html { background: #e9e9e9; }
body { padding: 24px 0; }
main { box-sizing: border-box; max-width: 210mm; margin: 0 auto; padding: 37mm 26mm 35mm 28mm;
       background: #fff; box-shadow: 0 1px 6px rgba(0, 0, 0, .25); }
@media (max-width: 800px) { main { padding: 8mm 5mm; } body { padding: 0; } table { font-size: 8pt; } }
@media print {
  html, body { background: #fff; padding: 0; }
  main { max-width: none; padding: 0; box-shadow: none; }
}
"""

# On paper, the numbers of a row stand on the first line of its label, even when the label wraps: a PDF's
# text then reads one line per row (label and seven numbers), which is what the readers rely on.
_PRINT_CSS = """
td.label, td.number { vertical-align: top; }
table.table4 { break-inside: avoid; page-break-inside: avoid; }
tr.keep { break-after: avoid; page-break-after: avoid; }
p { orphans: 2; widows: 2; }
p.subhead { break-after: avoid; page-break-after: avoid; }
/* the last lines of the report do not stand alone on a last page (layout.ending) */
.with-previous { break-before: avoid; page-break-before: avoid; break-inside: avoid; page-break-inside: avoid; }
"""

_PAGE_CSS = """
@page {
  size: A4;
  margin: 37mm 26mm 35mm 28mm;
  @bottom-center {
    content: "— " counter(page) " —";
    font-family: $SERIF; font-size: 14pt; vertical-align: top; padding-top: 7mm;
  }
}
"""

_PAGE = Template(
    """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<meta name="author" content="$agency">
<style>$css</style>
</head>
<body>
<main>
$body
</main>
</body>
</html>
"""
)


def render_html(report: AnnualReport, *, media: str = "screen") -> str:
    """The report as a complete HTML page; media "screen" (a sheet on a desk) or "print" (for WeasyPrint)."""
    if media not in ("screen", "print"):
        raise ValueError(f"unknown media {media!r}")
    if media == "print":
        css = Template(_PAGE_CSS + _COMMON_CSS + _PRINT_CSS).substitute(PRINT_FONTS)
    else:
        css = _COMMON_CSS + _SCREEN_CSS + "@media print {" + _PRINT_CSS + "}" + _PAGE_CSS
        css = Template(css).substitute(SCREEN_FONTS)
    return _PAGE.substitute(
        title=escape(title_of(report)),
        agency=escape(report.agency or ""),
        css=css,
        body=_body(report),
    )


@dataclass
class _Block:
    """A heading, paragraph or table of the body, and the lines it takes (None for a table)."""

    kind: str  # "h2" | "p" | "subhead" | "table2" | "table3" | "table4"
    text: str = ""
    grid: Grid | None = None  # of a table
    lines: int | None = 1
    classes: list[str] = field(default_factory=list)
    style: str = ""

    def render(self) -> str:
        if self.grid is not None:
            return _table(self.grid, [self.kind, *self.classes])
        tag = "h2" if self.kind == "h2" else "p"
        classes = (["subhead"] if self.kind == "subhead" else []) + self.classes
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        attrs += f' style="{self.style}"' if self.style else ""
        return f"<{tag}{attrs}>{escape(self.text)}</{tag}>"


def _body(report: AnnualReport) -> str:
    fmt = layout_of(report)
    lines = title_lines(report)
    if len(lines) > 1:  # spans, not <br>: the heading's text stays the title itself
        out = ["<h1>" + "".join(f'<span class="line">{escape(line)}</span>' for line in lines) + "</h1>"]
    else:
        out = [f"<h1>{escape(lines[0])}</h1>"]
    blocks = _paragraphs(report.preamble)
    sections = []  # (section, its first block, the block after its last)
    for section in sections_to_print(report):
        start = len(blocks)
        blocks.append(_Block("h2", heading(section)))
        table = TABLE_SECTIONS.get(section.code)
        if table:
            blocks.append(_Block(table, grid=table_grid(report, fmt, table), lines=None))
        blocks += _paragraphs(report.sections.get(section.code))
        sections.append((section, start, len(blocks)))
    end = ending([b.lines for b in blocks])
    for i in end.with_previous:
        blocks[i].classes.append("with-previous")
    if end.anchor is not None and blocks[end.anchor].kind in ("p", "subhead"):
        blocks[end.anchor].style = f"widows: {end.widows}"
    first = sections[0][1] if sections else len(blocks)
    out += [b.render() for b in blocks[:first]]
    for section, start, stop in sections:
        out.append(f'<section id="s{section.code}">')
        out += [b.render() for b in blocks[start:stop]]
        out.append("</section>")
    return "\n".join(out)


def _paragraphs(text: str | None) -> list[_Block]:
    return [
        _Block("subhead" if is_subhead(p) else "p", p, lines=text_lines(p, indent=0 if is_subhead(p) else 2))
        for p in paragraphs(text)
    ]


def _table(grid: Grid, classes: list[str]) -> str:
    out = [f'<table class="{" ".join(classes)}">', "<colgroup>"]
    out += [f'<col style="width:{w:.2f}%">' for w in grid.widths]
    out.append("</colgroup>")
    if grid.head:
        out.append("<thead>")
        out += [_tr(row, head=True) for row in grid.head]
        out.append("</thead>")
    keep, index = grid.keep_with_next, len(grid.head)
    for body in grid.bodies:
        out.append('<tbody class="block">' if len(grid.bodies) > 1 else "<tbody>")
        for row in body:
            out.append(_tr(row, keep=index in keep))
            index += 1
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def _tr(row: list[GridCell], *, head: bool = False, keep: bool = False) -> str:
    opening = '<tr class="keep">' if keep else "<tr>"
    return opening + "".join(_cell(cell, head) for cell in row) + "</tr>"


def _cell(cell: GridCell, head: bool) -> str:
    tag = "th" if head or cell.kind in ("head", "caption", "note") else "td"
    attrs = f' class="{cell.kind}"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    return f"<{tag}{attrs}>{escape(cell.text)}</{tag}>"
