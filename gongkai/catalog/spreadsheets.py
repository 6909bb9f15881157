"""The spreadsheets offices keep, read and written: Excel (.xlsx, openpyxl's read-only and write-only modes,
so a big file streams) and CSV (UTF-8, GBK/GB18030 as Excel and WPS save it on a Chinese Windows, UTF-16 as
Excel's "Unicode text"). Used by gongkai.catalog.imports and gongkai.catalog.exports.

- The type is told by the content (an .xls, a PDF, a Word file or a ZIP named .xlsx or .csv is refused with
  a message saying what it is); a broken or truncated file is a clear message, never a traceback.
- The header row is found among the first rows (offices put a title row above it), with tolerant matching:
  spaces, full-width characters, "*" or "（必填）" markers are ignored (`header_key`).
- Row numbers are those the spreadsheet program shows, so "第 12 行" points at the row to fix.
- Dates come as Excel dates, Excel serial numbers or text: 2020-03-02, 2020/3/2, 2020.3.2, 2020年3月2日,
  20200302, with or without a time (`parse_date`).

Pure: no Django.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 10
XLSX_MAX_UNPACKED = 1024 * 1024 * 1024
CELL_MAX = 32_767  # characters an Excel cell holds
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug is before March 1900)
YEARS = range(1949, 2101)

csv.field_size_limit(max(csv.field_size_limit(), 2 * CELL_MAX * 4))


class Unreadable(Exception):
    """The file as a whole cannot be read; the message (Chinese) says why and what to do."""


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


# --- headers and cells ----------------------------------------------------------------------------------------

_MARKERS = re.compile(r"[*＊]|[(（](必填|选填|可选|必填项|选填项|非必填)[)）]")


def header_key(text) -> str:
    """A header as it is compared: full-width folded, without spaces, markers or a trailing colon, lower case."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    folded = _MARKERS.sub("", folded)
    return "".join(folded.split()).rstrip(":：").lower()


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(value) -> dt.date:
    """A date from a cell (ValueError when it is none, or outside 1949–2100)."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 19490101 <= value <= 21001231:
            day = _compact(str(int(value)))
        elif 1 <= value < 2958466:  # an Excel serial day number
            day = EXCEL_EPOCH + dt.timedelta(days=int(value))
        else:
            raise ValueError(value)
    else:
        text = unicodedata.normalize("NFKC", str(value or "")).strip()
        if match := _DATE_TEXT.match(text):
            day = dt.date(*(int(g) for g in match.groups()))
        elif _DATE_COMPACT.match(text):
            day = _compact(text[:8])
        else:
            raise ValueError(value)
    if day.year not in YEARS:
        raise ValueError(value)
    return day


def _compact(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


# --- reading --------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet with its header row found: `rows` yields (row number, cells) after the header, at most
    MAX_ROWS of them (Unreadable beyond, or when the file turns out broken half-way)."""

    kind: str  # "xlsx" | "csv"
    sheet: str
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, tuple]]
    total: int | None  # the data rows the file declares (an estimate, for a progress bar)
    notes: list[str] = field(default_factory=list)
    _close: Callable[[], None] = lambda: None

    def close(self) -> None:
        self._close()


def read_table(
    data: bytes, *, looks_like_header: Callable[[list[str]], bool], expected: str, max_rows: int | None = None
) -> Table:
    """The table in an .xlsx or CSV file's bytes. `looks_like_header(cells)` tells the header row;
    `expected` names the columns looked for, in the message when no header is found; `max_rows` the data
    rows taken (default MAX_ROWS)."""
    limit = min(max_rows or MAX_ROWS, MAX_ROWS)
    if len(data) > MAX_BYTES:
        raise Unreadable(
            f"文件过大（{size_text(len(data))}），不能超过 {size_text(MAX_BYTES)}；请分成几个文件导入"
        )
    if not data.strip():
        raise Unreadable("文件是空的")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, looks_like_header, expected, limit)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            "这是旧版 Excel（.xls）文件或设置了密码的文件，请在 Excel 或 WPS 中另存为 .xlsx（或 CSV）后导入"
        )
    if data.startswith(b"%PDF"):
        raise Unreadable("这是 PDF 文件，不能导入；请导入 Excel（.xlsx）或 CSV 文件")
    return _read_csv(data, looks_like_header, expected, limit)


_BROKEN_XLSX = "Excel 文件已损坏（不完整或不是有效的 .xlsx 文件），请用 Excel 或 WPS 打开后重新保存再导入"


def _read_xlsx(data: bytes, looks_like_header, expected: str, limit: int) -> Table:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        unpacked = sum(i.file_size for i in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Unreadable(_BROKEN_XLSX) from None
    if "word/document.xml" in names or not any(n.startswith("xl/") for n in names):
        package.close()
        what = "Word 文档" if "word/document.xml" in names else "压缩文件"
        raise Unreadable(f"这是{what}，不是 Excel 表格；请导入 .xlsx 或 CSV 文件")
    if unpacked > XLSX_MAX_UNPACKED:
        package.close()
        raise Unreadable("Excel 文件解压后过大，请分成几个文件导入")
    try:
        book = XlsxBook(package)
        for title, path in book.sheets:
            rows = _guarded(book.rows(path))
            found = _find_header(rows, looks_like_header)
            if found is None:
                continue
            number, headers = found
            others = [name for name, _ in book.sheets if name != title]
            notes = [f"只读取了工作表“{title}”，其他工作表（{'、'.join(others)}）未导入"] if others else []
            declared = book.declared_rows(path)
            total = max(declared - number, 0) if declared else None
            return Table(
                "xlsx", title, number, headers, _limited(rows, limit), total, notes, _close=package.close
            )
    except Unreadable:
        package.close()
        raise
    except Exception:
        package.close()
        raise Unreadable(_BROKEN_XLSX) from None
    package.close()
    raise Unreadable(_no_header(expected))


# The main namespaces of a workbook: transitional (what Excel and WPS save) and strict.
_SHEET_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_DOC_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Built-in number formats that are dates: the international ones, and those of East Asian Excel and WPS
# (27–31, 36, 50–58 are "yyyy年m月d日"-style dates on a Chinese system; the file does not spell them out).
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, *range(50, 59)})
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_INTEGER = re.compile(r"-?\d{1,15}")


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


class XlsxBook:
    """A streaming reader of an .xlsx workbook with lxml (openpyxl's read-only mode builds an object per
    cell and reads about ten times slower): sheet names and parts, shared strings, which cell styles are
    dates, and each sheet's rows as (row number, values) with numbers, text, booleans and dates."""

    def __init__(self, package: zipfile.ZipFile):
        from lxml import etree

        self._etree = etree
        self.package = package
        self._parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        workbook_path = self._main_part()
        root = self._xml(workbook_path)
        namespace = etree.QName(root).namespace
        if namespace not in _SHEET_NS:
            raise Unreadable(_BROKEN_XLSX)
        self.ns = f"{{{namespace}}}"
        rel_ns = _DOC_REL_NS[_SHEET_NS.index(namespace)]
        folder = workbook_path.rpartition("/")[0]
        rels = self._relationships(workbook_path)
        properties = root.find(f"{self.ns}workbookPr")
        self.epoch = EXCEL_EPOCH
        if properties is not None and properties.get("date1904") in ("1", "true"):
            self.epoch = dt.date(1904, 1, 1)
        self.sheets: list[tuple[str, str]] = []
        for sheet in root.iter(f"{self.ns}sheet"):
            target = rels.get(sheet.get(f"{{{rel_ns}}}id") or "", ("", ""))
            if target[0].endswith("/worksheet"):
                self.sheets.append((sheet.get("name") or "", self._join(folder, target[1])))
        by_type = {kind.rsplit("/", 1)[-1]: self._join(folder, path) for kind, path in rels.values()}
        self.shared = self._shared_strings(by_type.get("sharedStrings"))
        self.dates = self._date_styles(by_type.get("styles"))

    # -- package parts --

    def _xml(self, path: str):
        with self.package.open(path) as part:
            return self._etree.parse(part, self._parser).getroot()

    @staticmethod
    def _join(folder: str, target: str) -> str:
        if target.startswith("/"):
            folder = ""
        parts = [p for p in f"{folder}/{target}".split("/") if p and p != "."]
        path: list[str] = []
        for part in parts:
            if part == "..":
                if path:
                    path.pop()
            else:
                path.append(part)
        return "/".join(path)

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target)."""
        folder, _, name = part.rpartition("/")
        return self._read_rels(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")

    def _read_rels(self, rels_path: str) -> dict[str, tuple[str, str]]:
        if rels_path not in self.package.namelist():
            return {}
        root = self._xml(rels_path)
        return {r.get("Id"): (r.get("Type", ""), r.get("Target", "")) for r in root.iter(_PACKAGE_REL)}

    def _main_part(self) -> str:
        for kind, target in self._read_rels("_rels/.rels").values():
            if kind.endswith("/officeDocument"):
                return self._join("", target)
        raise Unreadable(_BROKEN_XLSX)

    def _text(self, element) -> str:
        """The text of a plain or rich string (<si>, <is>), without its phonetic runs (<rPh>)."""
        ns = self.ns
        parts = []
        for child in element:
            if child.tag == f"{ns}t":
                parts.append(child.text or "")
            elif child.tag == f"{ns}r":
                parts.append(child.findtext(f"{ns}t") or "")
        return "".join(parts)

    def _shared_strings(self, path: str | None) -> list[str]:
        if not path or path not in self.package.namelist():
            return []
        strings: list[str] = []
        with self.package.open(path) as part:
            for _, element in self._etree.iterparse(
                part,
                events=("end",),
                tag=f"{self.ns}si",
                resolve_entities=False,
                no_network=True,
                huge_tree=True,
            ):
                strings.append(self._text(element))
                element.clear()
        return strings

    def _date_styles(self, path: str | None) -> list[bool]:
        if not path or path not in self.package.namelist():
            return []
        from openpyxl.styles.numbers import is_date_format

        root = self._xml(path)
        ns = self.ns
        custom = {}
        formats = root.find(f"{ns}numFmts")
        if formats is not None:
            custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in formats}
        cell_formats = root.find(f"{ns}cellXfs")
        dates = []
        for xf in cell_formats if cell_formats is not None else ():
            number = int(xf.get("numFmtId", 0))
            dates.append(is_date_format(custom[number]) if number in custom else number in _DATE_FORMAT_IDS)
        return dates

    def declared_rows(self, path: str) -> int | None:
        """The last row the sheet's <dimension> declares (read from its first bytes; None when absent)."""
        with self.package.open(path) as part:
            head = part.read(4096).decode("utf-8", "replace")
        match = re.search(r'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', head)
        return int(match.group(1)) if match and match.group(1) else None

    # -- rows --

    def rows(self, path: str) -> Iterator[tuple[int, tuple]]:
        ns = self.ns
        row_tag, cell_tag, value_tag, inline_tag = f"{ns}row", f"{ns}c", f"{ns}v", f"{ns}is"
        shared, dates, epoch = self.shared, self.dates, self.epoch
        last = 0
        with self.package.open(path) as part:
            for _, row in self._etree.iterparse(
                part, events=("end",), tag=row_tag, resolve_entities=False, no_network=True, huge_tree=True
            ):
                number = int(row.get("r") or last + 1)
                last = number
                values: list = []
                for cell in row.iterchildren(cell_tag):
                    ref = cell.get("r")
                    index = _column_index(_CELL_REF.match(ref).group(1)) if ref else len(values)
                    if index >= MAX_COLUMNS:
                        continue
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        holder = cell.find(inline_tag)
                        value = self._text(holder) if holder is not None else None
                    else:
                        raw = cell.findtext(value_tag)
                        if raw is None:
                            value = None
                        elif kind == "s":
                            value = shared[int(raw)]
                        elif kind == "b":
                            value = raw.strip() in ("1", "true")
                        elif kind in ("str", "e"):
                            value = raw
                        elif kind == "d":
                            value = dt.datetime.fromisoformat(raw.strip().rstrip("Z"))
                        else:
                            number_value = int(raw) if _INTEGER.fullmatch(raw) else float(raw)
                            style = int(cell.get("s") or 0)
                            if style < len(dates) and dates[style] and 0 <= number_value < 2958466:
                                value = dt.datetime.combine(epoch, dt.time()) + dt.timedelta(
                                    days=number_value
                                )
                            else:
                                value = number_value
                    if index >= len(values):
                        values.extend([None] * (index - len(values) + 1))
                    values[index] = value
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                yield number, tuple(values)


def _guarded(rows: Iterable) -> Iterator:
    """openpyxl reads a sheet as it goes: a file broken half-way fails half-way, as Unreadable."""
    try:
        yield from rows
    except Unreadable:
        raise
    except Exception:
        raise Unreadable(_BROKEN_XLSX) from None


def _no_header(expected: str) -> str:
    return f"没有找到表头：前 {HEADER_SEARCH_ROWS} 行中没有一行是列名（应有{expected}等列）"


def _find_header(rows: Iterator[tuple[int, tuple]], looks_like_header) -> tuple[int, list[str]] | None:
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            return None
        texts = [cell_text(c) for c in cells]
        if any(texts) and looks_like_header(texts):
            while texts and not texts[-1]:
                texts.pop()
            return number, texts
    return None


def _limited(rows: Iterator[tuple[int, tuple]], limit: int) -> Iterator[tuple[int, tuple]]:
    count = 0
    for number, cells in rows:
        if not any(c is not None and cell_text(c) != "" for c in cells):
            continue
        count += 1
        if count > limit:
            raise Unreadable(f"文件超过 {limit} 行数据，请分成几个文件导入")
        yield number, cells


def decode_text(data: bytes) -> str:
    """A text file's bytes as text: UTF-16 with its byte-order mark, UTF-8 (with or without one), else
    GB18030 (which includes GBK); Unreadable when it is none of them or holds what no text file has."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:100_000]):
            break
        return text
    raise Unreadable("不是 Excel（.xlsx）或 CSV 文件：CSV 文件应为 UTF-8 或 GBK 编码的文本")


def _read_csv(data: bytes, looks_like_header, expected: str, limit: int) -> Table:
    text = decode_text(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[tuple[int, tuple]]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):  # noqa: B007 - read after the loop on errors
                yield number, tuple(record[:MAX_COLUMNS])
        except csv.Error:
            raise Unreadable(f"第 {number + 1} 行：CSV 格式有误（引号不配对，或单元格过长）") from None

    rows = records()
    found = _find_header(rows, looks_like_header)
    if found is None:
        raise Unreadable(_no_header(expected))
    number, headers = found
    total = max(text.count("\n") - number, 0)
    return Table("csv", "", number, headers, _limited(rows, limit), total)


# --- writing --------------------------------------------------------------------------------------------------

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(
    out,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int] = (),
    advance: Callable[[int], None] = lambda n: None,
) -> int:
    """Write one sheet in openpyxl's write-only mode (rows stream to the file): text as text (a value
    starting with "=" is never a formula), dates as Excel dates shown YYYY-MM-DD, the header row frozen.
    Returns the rows written."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    head = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value, WriteOnlyCell) for value in row])
        count += 1
        advance(1)
    workbook.save(out)
    return count


def _cell(sheet, value, cell_class):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, bool | int | float):
        return value
    text = _ILLEGAL.sub("", str(value))[:CELL_MAX]
    cell = cell_class(sheet, value=text)
    cell.data_type = "s"  # never a formula
    return cell
