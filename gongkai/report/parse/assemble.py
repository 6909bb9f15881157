"""Blocks -> AnnualReport: find the title, the six sections and the three tables.

Every reader produces blocks (see blocks.py); this module is the one place that knows how a report
is laid out, using the labels and keys of formats.py. It never invents a number: a table or row that
cannot be read is left unknown (None cells) and explained by a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from gongkai.report.formats import (
    FORMATS,
    REPORT_TITLE_MARKERS,
    SECTIONS,
    TABLE2_FIRST_HEADER,
    TABLE3_COLUMNS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE_LABELS,
    ZERO_WIDTH,
    Format,
    Row,
    format_for_year,
    heading_view,
    normalize,
)
from gongkai.report.model import DASHES, AnnualReport, Cell, Cells, Finding, Location, Severity, parse_number
from gongkai.report.parse.blocks import Block, NotAReport, Para, Unreadable
from gongkai.report.parse.blocks import Row as BlockRow

_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef\d])[ \t\u3000\u00a0]+(?=[\u3000-\u9fff\uff00-\uffef])"
)
_CJK_GAP_BEFORE_DIGIT = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\u3000\u00a0]+(?=\d)")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年度?")
_TITLE_WORDS = ("年度报告", "年报")
_REPORT_SUBJECT = re.compile(r"(政府信息公开|政务公开|信息公开).*$")
_NUMERALS = "一二三四五六"
# How far into a document (normalized characters) its title must name it an annual report.
_MARKER_REACH = 3000


def tidy(text: str) -> str:
    """Collapse the spaces PDF extraction puts between Chinese characters ("2020 年政府 信息公开")."""
    text = " ".join(text.replace("\u00a0", " ").replace("\u3000", " ").split())
    return _CJK_GAP_BEFORE_DIGIT.sub("", _CJK_GAP.sub("", text))


def is_value(text: str) -> bool:
    if text.isdigit():
        return True
    text = text.strip()
    return parse_number(text) is not None or text in DASHES


def split_row(cells: list[str]) -> tuple[str, list[str]]:
    """A row's label (its text cells joined) and its value cells (all cells after the last text cell)."""
    last_label = -1
    for i, cell in enumerate(cells):
        if cell.strip() and not is_value(cell):
            last_label = i
    label = " ".join(c.strip() for c in cells[: last_label + 1] if c.strip())
    return label, [c.strip() for c in cells[last_label + 1 :]]


@dataclass
class _Candidate:
    label: str  # normalized
    values: list[str]
    exact: bool


class _Assembler:
    def __init__(self, blocks: list[Block], source: str | None):
        self.blocks = blocks
        self.report = AnnualReport(source=source)
        self.findings: list[Finding] = []
        self._splits: dict[int, tuple[str, list[str]]] = {}

    @cached_property
    def text(self) -> str:
        """All the document's text, normalized; computed once (finding the sections only splits blocks)."""
        return normalize(" ".join(_block_text(b) for b in self.blocks))

    def has_report_markers(self) -> bool:
        """Whether the document names itself an annual report near its start, or holds a table label."""
        start = self.text[:_MARKER_REACH]
        return all(m in start for m in REPORT_TITLE_MARKERS) or any(k in self.text for k in TABLE_LABELS)

    def finding(
        self, rule: str, severity: Severity, location: Location, message: str, expected=None, actual=None
    ):
        self.findings.append(Finding(rule, severity, location, message, expected, actual))

    # --- document structure ---

    def run(self) -> AnnualReport:
        report = self.report
        title_index = self.find_title()
        headings = self.find_sections(title_index)
        self.fill_text(title_index, headings)
        report.format = self.detect_format()
        fmt = report.layout
        regions = self.regions(headings)
        if fmt is None:
            self.finding(
                "R7",
                Severity.ERROR,
                Location("format"),
                "无法判断报告采用的格式（2019年版或2021年版），表格未读取",
            )
        else:
            self.read_table2(fmt, regions.get("2", []))
            self.read_table3(fmt, regions.get("3", []))
        self.read_table4(regions.get("4", []))
        report.findings = self.findings
        return report

    def find_title(self) -> int | None:
        """Index of the block that holds the title; sets title, year, agency."""
        paras = [(i, b) for i, b in enumerate(self.blocks[:60]) if isinstance(b, Para)]
        for n, (i, para) in enumerate(paras):
            text = _title_text(para.text)
            if _is_title(text):
                # a title broken before the year: "某某局" / "2021年政府信息公开工作年度报告"
                previous = _title_text(paras[n - 1][1].text) if n else ""
                if (
                    _agency_missing(text)
                    and previous
                    and len(previous) <= 30
                    and not _SENTENCE_MARKS.search(previous)
                ):
                    text = previous + text
                self.set_title(text)
                return i
            # a title broken over two lines: "2025 年上海市人民政府办公厅政府信息公开" + "工作年度报告"
            if n + 1 < len(paras) and not _is_title(_title_text(paras[n + 1][1].text)):
                joined = text + _title_text(paras[n + 1][1].text)
                if _is_title(joined):
                    self.set_title(joined)
                    return paras[n + 1][0]
        return None

    def set_title(self, title: str) -> None:
        report = self.report
        report.title = title
        match = _TITLE_YEAR.search(title)
        if not match:
            return
        report.year = int(match.group(1))
        before = title[: match.start()].strip(" 《（(")
        after = _REPORT_SUBJECT.sub("", title[match.end() :]).strip()
        agency = before or after
        agency = re.sub(r"^关于", "", agency).strip("的 ")
        report.agency = agency or None

    def find_sections(self, title_index: int | None) -> dict[str, tuple[int, str]]:
        """Section code -> (block index, text after the heading on the same block).

        Headings are "二、主动公开政府信息情况" lines; crawler text runs them into one long line, so a
        heading is also looked for inside a paragraph, and the paragraph is split there.
        """
        start = 0 if title_index is None else title_index + 1
        found: dict[str, tuple[int, str]] = {}
        i = start
        expected = 0
        while i < len(self.blocks) and expected < len(SECTIONS):
            block = self.blocks[i]
            if isinstance(block, Para):
                hit = self.heading_in(block.text, expected)
                if hit:
                    k, before, heading, after = hit
                    # crawler text runs headings into one long line: split it around the heading
                    parts = [Para(before)] if before.strip() else []
                    parts.append(Para(heading, block.level))
                    if after.strip():
                        parts.append(Para(after.strip()))
                    self.blocks[i : i + 1] = parts
                    i += len(parts) - 1 - (1 if after.strip() else 0)
                    found[SECTIONS[k].code] = (i, "")
                    expected = k + 1
            i += 1
        return found

    @staticmethod
    def heading_in(text: str, first: int) -> tuple[int, str, str, str] | None:
        """The first section heading (index ≥ first) in text: (index, text before, heading, text after).

        Zero-width characters and compatibility forms in the heading do not hide it (heading_view); the
        three parts are cut from the text as printed.
        """
        view, positions = heading_view(text)
        hit = _heading_in_view(view, first)
        if hit is None:
            return None
        k, at, end = hit
        if end is None:
            return k, "", text, ""
        if positions is not None:
            # invisible characters just before the heading belong to it, those after it to what follows
            at, end = (positions[at - 1] + 1 if at else 0), positions[end]
        return k, text[:at], text[at:end], text[end:]

    def fill_text(self, title_index: int | None, headings: dict[str, tuple[int, str]]) -> None:
        report = self.report
        order = sorted((index, code, after) for code, (index, after) in headings.items())
        first = order[0][0] if order else len(self.blocks)
        start = 0 if title_index is None else title_index + 1
        report.preamble = self.paragraphs(start, first)
        for n, (index, code, after) in enumerate(order):
            end = order[n + 1][0] if n + 1 < len(order) else len(self.blocks)
            skip = self.table_span(index + 1, end) if code in _TABLE_SECTIONS else range(0)
            text = self.paragraphs(index + 1, end, skip)
            report.sections[code] = "\n".join(t for t in (after.strip(), text) if t)

    def split(self, block: BlockRow) -> tuple[str, list[str]]:
        """split_row, once per row: the section text and each table look at the same rows."""
        key = id(block)
        if key not in self._splits:
            self._splits[key] = split_row(block.cells)
        label, values = self._splits[key]
        return label, list(values)

    def table_span(self, start: int, end: int) -> range:
        """Where a section's table stands among its blocks: from the header lines before its first row
        of values to its last row of values. Paragraphs in there are table text (captions, headers,
        labels wrapped by the extraction), not the section's own text."""
        blocks = self.blocks
        rows = [
            i for i in range(start, end) if isinstance(blocks[i], BlockRow) and any(self.split(blocks[i])[1])
        ]
        if not rows:
            return range(0)
        first = rows[0]
        while first > start and _header_like(blocks[first - 1]):
            first -= 1
        return range(first, rows[-1] + 1)

    def paragraphs(self, start: int, end: int, skip: range = range(0)) -> str:
        return "\n".join(
            b.text.strip()
            for i, b in enumerate(self.blocks[start:end], start)
            if isinstance(b, Para) and b.text.strip() and i not in skip
        )

    def regions(self, headings: dict[str, tuple[int, str]]) -> dict[str, list[Block]]:
        """The blocks of each section, headings excluded."""
        order = sorted((index, code) for code, (index, _after) in headings.items())
        regions = {}
        for n, (index, code) in enumerate(order):
            end = order[n + 1][0] if n + 1 < len(order) else len(self.blocks)
            regions[code] = self.blocks[index + 1 : end]
        return regions

    def detect_format(self) -> str | None:
        text = self.text
        scores = {code: sum(normalize(m) in text for m in fmt.markers) for code, fmt in FORMATS.items()}
        best = max(scores.values())
        winners = [code for code, score in scores.items() if score == best]
        if best and len(winners) == 1:
            return winners[0]
        if self.report.year:
            return format_for_year(self.report.year).code
        return None

    # --- tables ---

    def fit(self, values: list[str], n: int, location: Location, what: str) -> Cells:
        """Exactly n cells from a row's value cells, or n unknown cells and a finding."""
        # empty cells around the values are layout (spanned label columns, trailing pipes), not blanks
        while len(values) > n and not values[-1]:
            values = values[:-1]
        while len(values) > n and not values[0]:
            values = values[1:]
        if len(values) > n:
            extra = values[n:]
            if len(set(values)) == 1:
                self.finding(
                    "R11",
                    Severity.WARNING,
                    location,
                    f"{what}有{len(values)}个单元格，应为{n}个；多出的单元格（{'、'.join(extra)}）与其余单元格相同，已按前{n}个读取",
                    n,
                    len(values),
                )
                return [Cell(v) for v in values[:n]]
            self.finding(
                "R11",
                Severity.ERROR,
                location,
                f"{what}有{len(values)}个单元格，应为{n}个，无法确定各数字所属的栏目，未读取",
                n,
                len(values),
            )
            return [None] * n
        if len(values) < n:
            self.finding(
                "R11",
                Severity.ERROR,
                location,
                f"{what}只有{len(values)}个单元格，应为{n}个（表格缺栏或被截断），未读取",
                n,
                len(values),
            )
            return [None] * n
        return [Cell(v) for v in values]

    def candidates(self, region: list[Block], min_values: int, cells: int) -> list[_Candidate]:
        """Rows that carry values: at least min_values filled cells (of `cells` expected)."""
        out = []
        for block in region:
            if not isinstance(block, BlockRow):
                continue
            label, values = self.split(block)
            if not block.exact:
                while values and not values[0]:
                    values = values[1:]
            filled = sum(1 for v in values if v)
            # a structured row may state a blank row: label plus the right number of empty cells
            blank_row = block.exact and label and filled == 0 and cells <= len(values) <= cells + 2
            if filled >= min_values or blank_row:
                out.append(_Candidate(normalize(label), values, block.exact))
        return out

    def read_table2(self, fmt: Format, region: list[Block]) -> None:
        report = self.report
        blocks_by_caption = {normalize(b.caption): b for b in fmt.table2}
        current = None
        for block in region:
            text = normalize(_block_text(block))
            caption = next((b for key, b in blocks_by_caption.items() if key in text), None)
            if caption is not None:
                current = caption
            if not isinstance(block, BlockRow) or caption is not None:
                continue
            label, values = self.split(block)
            key = normalize(label)
            if not key or not values or (not block.exact and not any(values)):
                continue
            pool = [current] if current else fmt.table2
            match = _match_table2_row(key, pool) or _match_table2_row(key, fmt.table2)
            if match is None:
                if current is not None and any(values) and not key.startswith(_TABLE2_HEADER):
                    self.extra_table2_row(label, values)
                continue
            t2block, row = match
            if not block.exact:
                while values and not values[0]:
                    values = values[1:]
            cells = self.fit(values, len(t2block.columns), Location.table2(row.code), f"表二“{row.label}”行")
            report.table2[row.code] = {c.code: cell for c, cell in zip(t2block.columns, cells, strict=True)}
        known = [row for t2block in fmt.table2 for row in t2block.rows]
        missing = [row for row in known if row.code not in report.table2]
        if len(missing) == len(known):
            self.finding(
                "R11",
                Severity.ERROR,
                Location.table2(),
                "未能读出表二（主动公开政府信息情况）的数据，表二各项未知",
            )
        else:
            for row in missing:
                self.finding(
                    "R11",
                    Severity.ERROR,
                    Location.table2(row.code),
                    f"表二未找到“{row.label}”行，该行各项未知",
                )
        for t2block in fmt.table2:
            for row in t2block.rows:
                report.table2.setdefault(row.code, {c.code: None for c in t2block.columns})

    def extra_table2_row(self, label: str, values: list[str]) -> None:
        """Provinces add rows (e.g. 其他主动公开文件): keep them under an extra code, don't fail."""
        code = "extra." + tidy(label)
        self.report.table2[code] = {
            str(i + 1): Cell(v) for i, v in enumerate(values) if v or i < len(values) - 1
        }

    def read_table3(self, fmt: Format, region: list[Block]) -> None:
        report = self.report
        rows = fmt.table3_rows
        found = self.candidates(region, min_values=4, cells=len(TABLE3_COLUMNS))
        if not found and self.read_table3_runs(fmt, region):
            return
        if not found:
            if region or self.report.sections:
                self.finding(
                    "R11",
                    Severity.ERROR,
                    Location.table3(),
                    "未能读出表三（收到和处理政府信息公开申请情况）的数据，表三各项未知",
                )
            report.table3 = {row.code: [None] * len(TABLE3_COLUMNS) for row in rows}
            return
        pairs = _align(found, rows)
        matched = {j: i for i, j in pairs}
        for j, row in enumerate(rows):
            if j in matched:
                candidate = found[matched[j]]
                report.table3[row.code] = self.fit(
                    candidate.values, len(TABLE3_COLUMNS), Location.table3(row.code), f"表三“{row.label}”行"
                )
            else:
                report.table3[row.code] = [None] * len(TABLE3_COLUMNS)
                self.finding(
                    "R11",
                    Severity.ERROR,
                    Location.table3(row.code),
                    f"表三未找到“{row.label}”行，该行各项未知",
                )
        for i, candidate in enumerate(found):
            if i not in {i for i, _ in pairs}:
                self.finding(
                    "R11",
                    Severity.WARNING,
                    Location.table3(),
                    f"表三有一行无法对应到格式中的任何一行，已忽略：{candidate.label or '（无标签）'} {' '.join(candidate.values)}",
                )

    def read_table4(self, region: list[Block]) -> None:
        report = self.report
        n = len(TABLE4_COLUMNS)
        total = n * len(TABLE4_GROUPS)
        found = self.candidates(region, min_values=n - 1, cells=n)
        labelled = {
            g.code: c for c in found for g in TABLE4_GROUPS if c.label and any(k in c.label for k in g.keys)
        }
        if len(labelled) == len(TABLE4_GROUPS):
            for g in TABLE4_GROUPS:
                report.table4[g.code] = self.fit(
                    labelled[g.code].values, n, Location.table4(g.code), f"表四“{g.label}”行"
                )
            return
        values: list[str] = []
        for candidate in found:
            if candidate.label and values:
                break
            values.extend(candidate.values)
            if len(values) >= total:
                break
        if not values and self.read_table4_run(region):
            return
        if not values:
            if region:
                self.finding(
                    "R11",
                    Severity.ERROR,
                    Location.table4(),
                    "未能读出表四（行政复议、行政诉讼情况）的数据，表四各项未知",
                )
            report.table4 = {g.code: [None] * n for g in TABLE4_GROUPS}
            return
        cells = self.fit(values, total, Location.table4(), "表四数据行")
        report.table4 = {g.code: cells[k * n : (k + 1) * n] for k, g in enumerate(TABLE4_GROUPS)}

    # --- crawler text: a row's cells run together into one digit string ("230 000023") ---

    def read_table3_runs(self, fmt: Format, region: list[Block]) -> bool:
        """Split each row's digit run into seven numbers where the row total makes the split unique."""
        text = "".join(b.text for b in region if isinstance(b, Para))
        compact = re.sub(r"\s+", " ", text)
        runs = _runs_after_labels(compact, [row.label for row in fmt.table3_rows])
        if runs is None:
            return False
        n = len(TABLE3_COLUMNS)
        cells: dict[str, Cells] = {}
        undecided = []
        for row, run in zip(fmt.table3_rows, runs, strict=True):
            split = _unique_split(run, groups=1, size=n)
            if split is None:
                undecided.append(row.label)
                cells[row.code] = [None] * n
            else:
                cells[row.code] = [Cell(v) for v in split]
        self.report.table3 = cells
        self.finding(
            "R11",
            Severity.INFO,
            Location.table3(),
            "表三各行的数字连在一起（单元格边界已丢失），已按“总计=各栏之和”拆分，只采用唯一可能的拆分",
        )
        for label in undecided:
            self.finding(
                "R11",
                Severity.ERROR,
                Location.table3(),
                f"表三“{label}”行的数字连在一起，无法唯一拆分，该行各项未知",
            )
        return True

    def read_table4_run(self, region: list[Block]) -> bool:
        text = "".join(b.text for b in region if isinstance(b, Para))
        match = re.search(r"尚未审结\s*总计\s*([\d ]+)", text.replace("\u3000", " "))
        if not match:
            return False
        n = len(TABLE4_COLUMNS)
        split = _unique_split(match.group(1).replace(" ", ""), groups=len(TABLE4_GROUPS), size=n)
        if split is None:
            self.finding(
                "R11", Severity.ERROR, Location.table4(), "表四的数字连在一起，无法唯一拆分，表四各项未知"
            )
            self.report.table4 = {g.code: [None] * n for g in TABLE4_GROUPS}
        else:
            self.report.table4 = {
                g.code: [Cell(v) for v in split[k * n : (k + 1) * n]] for k, g in enumerate(TABLE4_GROUPS)
            }
        return True


def _runs_after_labels(text: str, labels: list[str]) -> list[str] | None:
    """The digits between each label and the next, labels found in order; None unless every run is digits."""
    flat = re.sub(r"\s+", "", text)
    spans = []
    position = 0
    for label in labels:
        target = re.sub(r"\s+", "", label)
        at = flat.find(target, position)
        if at == -1:
            return None
        spans.append((at, at + len(target)))
        position = at + len(target)
    runs = []
    for n, (_, end) in enumerate(spans):
        stop = spans[n + 1][0] if n + 1 < len(spans) else end + re.match(r"\d*", flat[end:]).end()
        run = flat[end:stop]
        # a group label ("三、本年度办理结果（四）无法提供") may stand between two rows
        run = re.match(r"\d*", run).group(0)
        if not run:
            return None
        runs.append(run)
    return runs


def _unique_split(digits: str, *, groups: int, size: int) -> list[str] | None:
    """Split a digit string into groups of `size` numbers, the last of each group the sum of the others.

    Numbers have no leading zeros. Returns the split when exactly one exists, else None.
    """
    solutions: list[list[str]] = []

    def numbers(start: int) -> Iterator[tuple[str, int]]:
        if start >= len(digits):
            return
        if digits[start] == "0":
            yield "0", start + 1
            return
        for end in range(start + 1, min(len(digits), start + 7) + 1):
            yield digits[start:end], end

    def walk(start: int, group: list[str], done: list[str]) -> None:
        if len(solutions) > 1:
            return
        if len(group) == size - 1:
            total = str(sum(int(v) for v in group))
            if digits.startswith(total, start):
                row = [*done, *group, total]
                if len(row) == groups * size:
                    if start + len(total) == len(digits):
                        solutions.append(row)
                else:
                    walk(start + len(total), [], row)
            return
        for value, end in numbers(start):
            walk(end, [*group, value], done)

    if len(digits) > groups * size * 7:
        return None
    walk(0, [], [])
    return solutions[0] if len(solutions) == 1 else None


_TABLE_SECTIONS = ("2", "3", "4")
_TABLE2_HEADER = normalize(TABLE2_FIRST_HEADER)


def _header_like(block: Block) -> bool:
    if isinstance(block, BlockRow):
        return True
    text = block.text.strip()
    return len(text) <= 60 and not text.endswith(("。", "：", ":", "；")) and "。" not in text


def _title_text(text: str) -> str:
    text = tidy(_ZERO_WIDTH.sub("", text))
    return text[3:].strip() if text.startswith(("标题:", "标题：")) else text


_ZERO_WIDTH = re.compile(f"[{ZERO_WIDTH}]")
_SENTENCE_MARKS = re.compile(r"[。，；：:！？]")


def _agency_missing(title: str) -> bool:
    match = _TITLE_YEAR.search(title)
    return (
        bool(match)
        and not title[: match.start()].strip()
        and not _REPORT_SUBJECT.sub("", title[match.end() :]).strip()
    )


def _is_title(text: str) -> bool:
    return any(w in text for w in _TITLE_WORDS) and len(text) <= 60 and bool(_TITLE_YEAR.search(text))


def _heading_in_view(text: str, first: int) -> tuple[int, int, int | None] | None:
    """heading_in on the view: (index, start, end) of the heading, end None when it is the whole line."""
    for k in range(first, len(SECTIONS)):
        section = SECTIONS[k]
        for match in re.finditer(section.numeral + r"\s*[、.．]", text):
            at = match.start()
            if at and not re.match(r"[\s。；;:：\d元）)|*#]", text[at - 1]):
                continue
            rest = text[match.end() :]
            window = tidy(rest[:40])
            key = next((key for key in section.keys if window.startswith(key) or key in window[:16]), None)
            if key is None:
                continue
            # a short line is a heading; inside a long line, the heading ends after its key (and 情况/事项)
            if len(tidy(text)) <= 40 and at == 0:
                return k, 0, None
            return k, at, match.end() + _heading_end(rest, key)
    return None


def _heading_end(rest: str, key: str) -> int:
    """Where a heading found inside running text ends: after its key, through 情况/事项 when close."""
    compact_positions = [i for i, ch in enumerate(rest) if not ch.isspace()]
    compact = "".join(rest[i] for i in compact_positions)
    at = compact.find(key)
    end = at + len(key)
    for word in ("情况", "事项"):
        hit = compact.find(word, at)
        if hit != -1 and hit - end <= 14:
            end = max(end, hit + len(word))
            break
    return compact_positions[end - 1] + 1 if end else 0


def _block_text(block: Block) -> str:
    return block.text if isinstance(block, Para) else " ".join(block.cells)


def _match_table2_row(key: str, blocks) -> tuple | None:
    # longest key first: "行政规范性文件" must not be taken for "规章"
    options = [(k, b, r) for b in blocks for r in b.rows for k in r.keys]
    for k, block, row in sorted(options, key=lambda o: -len(o[0])):
        if k in key:
            return block, row
    return None


def _row_scores(label: str, keys: list[tuple[str, int]], n: int) -> list[float | None]:
    """How well a found row's label fits each of n expected rows (keys: (key, row index) pairs):
    2 = its key, 0 = no label, None = another row's key."""
    if not label:
        return [0.0] * n
    hits = {index for key, index in keys if key in label}
    if not hits:
        return [-0.5] * n
    return [2.0 if index in hits else None for index in range(n)]


def _align(found: list[_Candidate], rows: tuple[Row, ...]) -> list[tuple[int, int]]:
    """Order-preserving alignment of found rows to expected rows (labels agree where given)."""
    m, n = len(found), len(rows)
    keys = [(key, index) for index, row in enumerate(rows) for key in row.keys]
    scores = [_row_scores(candidate.label, keys, n) for candidate in found]
    if m == n and all(scores[i][i] is not None and scores[i][i] >= 0 for i in range(m)):
        return [(i, i) for i in range(m)]  # the common case: every row there, in order
    skip = -1.0
    neg = float("-inf")
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    move = [[None] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for i in range(m + 1):
        for j in range(n + 1):
            here = best[i][j]
            if here == neg:
                continue
            if i < m and here + skip > best[i + 1][j]:
                best[i + 1][j], move[i + 1][j] = here + skip, "found"
            if j < n and here + skip > best[i][j + 1]:
                best[i][j + 1], move[i][j + 1] = here + skip, "row"
            if i < m and j < n:
                score = scores[i][j]
                if score is not None and here + score > best[i + 1][j + 1]:
                    best[i + 1][j + 1], move[i + 1][j + 1] = here + score, "pair"
    pairs = []
    i, j = m, n
    while i or j:
        step = move[i][j]
        if step == "pair":
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif step == "found":
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def assemble(blocks: list[Block], *, source: str | None = None, reports_only: bool = False) -> AnnualReport:
    """The report in the blocks. With `reports_only`, a document without any of a report's markers raises
    NotAReport before it is looked at further; one with them that holds no report raises Unreadable."""
    assembler = _Assembler(list(blocks), source)
    if reports_only and not assembler.has_report_markers():
        raise NotAReport(
            f"开头 {_MARKER_REACH} 字内没有“{'”“'.join(REPORT_TITLE_MARKERS)}”字样，"
            "全文也没有年度报告表格的栏目名称"
        )
    report = assembler.run()
    if report.title is None and not report.sections and not _any_number(report):
        raise Unreadable("未找到年度报告的标题、章节或表格：这不像是一份政府信息公开工作年度报告")
    return report


def _any_number(report: AnnualReport) -> bool:
    cells = [c for cells in (*report.table3.values(), *report.table4.values()) for c in cells]
    cells += [c for cols in report.table2.values() for c in cols.values()]
    return any(c is not None for c in cells)
