"""HTML reader: a page saved from a government website (or an HTML export of a report) -> blocks.

Pages arrive in UTF-8 or in the GB family (GB2312/GBK/GB18030), with navigation, scripts and
footers around the article, and with report tables whose label cells span rows and columns.
Every `<tr>` of a data table becomes one exact Row holding its `<td>/<th>` cells in document order:
a spanning cell appears once, in the first row and column it occupies, and an empty cell stays "".
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

import lxml.html
from lxml import etree

from gongkai.report.formats import normalize
from gongkai.report.parse.blocks import Block, Para, Row, Unreadable

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = frozenset(
    {
        *_HEADINGS,
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# never report text: dropped with their content (their tail text is kept)
_JUNK_TAGS = (
    "applet",
    "audio",
    "button",
    "canvas",
    "embed",
    "frame",
    "frameset",
    "iframe",
    "map",
    "math",
    "nav",
    "noframes",
    "noscript",
    "object",
    "option",
    "script",
    "select",
    "style",
    "svg",
    "template",
    "textarea",
    "video",
)
# page chrome, dropped unless it holds a table or the page heading (some pages put the title in <header>)
_CHROME_TAGS = ("aside", "footer", "header")

# a cell with more text than this is an article laid out in a table, not a report figure or label
_LONG_CELL = 500
# an element that holds this share of the page's text (and every data table) is the article
_ARTICLE_SHARE = 0.6
_ARTICLE_PARTS = 3
# text that only the report itself prints: never cut away as chrome
_REPORT_MARKERS = tuple(
    normalize(m)
    for m in (
        "总体情况",
        "主动公开政府信息情况",
        "收到和处理政府信息公开申请",
        "存在的主要问题",
        "其他需要报告的事项",
        "本年新收",
        "结转下年度",
    )
)

_SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_JUNK_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_TAG = re.compile(r"<(?:!doctype|/?[a-zA-Z][a-zA-Z0-9]*[\s/>])", re.IGNORECASE)
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}\s*年")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-—–]+\s)\s*")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# declarations that are often wrong on Chinese pages; the bytes decide instead
_UNRELIABLE_CHARSETS = frozenset({"ascii", "us-ascii", "latin-1", "iso8859-1", "cp1252", "utf-8"})


_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_blocks(data: bytes) -> list[Block]:
    """The paragraphs and table rows of an HTML page, in reading order.

    Raises Unreadable when the bytes are not HTML text or the page holds no text.
    """
    # lxml refuses C0 control characters anywhere it builds text; they carry nothing in a report
    text = _CONTROL_CHARS.sub("", _decode(data))
    if not _TAG.search(text):
        raise Unreadable("不是 HTML 文件：没有 HTML 标签")
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
        document = lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise Unreadable(f"无法解析 HTML：{exc}") from exc
    body = document.find("body")
    if body is None:
        body = document
    _drop_chrome(body)
    page = _Page(body)
    root = page.article()
    blocks = _Walker(page.data_tables).walk(root)
    if not blocks:
        raise Unreadable("HTML 页面中没有文字")
    title = None if _has_title(blocks) else _find_title(document, body, root)
    if title:
        blocks.insert(0, title)
    return blocks


def clean_text(text: str) -> str:
    """Runs of spaces (including &nbsp; and the ideographic space) as one space, stripped."""
    return _SPACES.sub(" ", text).strip()


# --- bytes -> text ---


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    if data.count(b"\x00") > len(data) // 1000:
        raise Unreadable("文件含有二进制内容，不是 HTML")
    data = data.replace(b"\x00", b"")
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data[:4096])
    candidates = [e for e in (declared, "gb18030") if e]
    for encoding in candidates:
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return _checked(data.decode(candidates[0], errors="replace"))


def _declared_encoding(head: bytes) -> str | None:
    """The encoding a page declares (meta charset, XML declaration), GB variants widened to GB18030."""
    match = _DECLARED.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    if name.startswith(("gb", "x-gb", "cp936", "euc-cn", "x-euc-cn")):
        return "gb18030"
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return None if name in _UNRELIABLE_CHARSETS else name


def _checked(text: str) -> str:
    if not text.strip():
        raise Unreadable("HTML 文件是空的")
    junk = len(_JUNK_CHARS.findall(text))
    if junk > 8 and junk > len(text) // 100:
        raise Unreadable("文件含有二进制内容，不是 HTML")
    return text


# --- the page ---


def _drop_chrome(body: lxml.html.HtmlElement) -> None:
    for element in list(body.iter(*_JUNK_TAGS)):
        element.drop_tree()
    for element in list(body.iter(*_CHROME_TAGS)):
        if element.find(".//table") is None and element.find(".//h1") is None:
            element.drop_tree()


class _Page:
    """Text sizes and data tables of a page, measured in one bottom-up pass."""

    def __init__(self, body: lxml.html.HtmlElement):
        self.body = body
        # element -> characters of text (spaces excluded) inside it, its tail excluded
        self.size: dict[lxml.html.HtmlElement, int] = {}
        # element -> number of block elements and line breaks below it
        self.parts: dict[lxml.html.HtmlElement, int] = {}
        # elements with a <table> somewhere below them
        self.holds_table: set[lxml.html.HtmlElement] = set()
        for _event, element in etree.iterwalk(body, events=("end",)):
            size = _chars(element.text)
            parts = 0
            for child in element:
                size += self.size[child] + _chars(child.tail)
                parts += self.parts[child] + (child.tag in _BLOCK_TAGS or child.tag == "br")
                if child.tag == "table" or child in self.holds_table:
                    self.holds_table.add(element)
            self.size[element] = size
            self.parts[element] = parts
        self.data_tables = {t for t in body.iter("table") if self.is_data_table(t)}

    def is_data_table(self, table: lxml.html.HtmlElement) -> bool:
        """A table of figures, not a layout table that wraps the article or other tables."""
        if table in self.holds_table:
            return False
        rows = [_cells(tr) for tr in _rows(table)]
        if all(len(cells) <= 1 for cells in rows):
            return False
        return all(self.size.get(cell, 0) <= _LONG_CELL for cells in rows for cell in cells)

    def article(self) -> lxml.html.HtmlElement:
        """The element that holds the article: most of the page's text in several blocks, and every data table.

        Falls back to the whole body whenever text that only a report prints lies outside it.
        """
        total = self.size.get(self.body, 0)
        holders: set | None = None
        for table in self.data_tables:
            ancestors = {table, *table.iterancestors()}
            holders = ancestors if holders is None else holders & ancestors
        node = self.body
        while True:
            children = [c for c in node if isinstance(c.tag, str)]
            best = max(children, key=lambda c: self.size.get(c, 0), default=None)
            if (
                best is None
                or best in self.data_tables
                or self.size[best] < _ARTICLE_SHARE * total
                or self.parts[best] < _ARTICLE_PARTS
                or (holders is not None and best not in holders)
            ):
                break
            node = best
        if node is self.body or _report_text_outside(self.body, node):
            return self.body
        return node


def _chars(text: str | None) -> int:
    return len(_SPACES.sub("", text)) if text else 0


def _report_text_outside(body: lxml.html.HtmlElement, article: lxml.html.HtmlElement) -> bool:
    parts: list[str] = []
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if element is article:
                walker.skip_subtree()
            else:
                parts.append(element.text or "")
        elif element is not body:
            parts.append(element.tail or "")
    outside = normalize("".join(parts))
    return any(marker in outside for marker in _REPORT_MARKERS)


def _rows(table: lxml.html.HtmlElement) -> Iterable[lxml.html.HtmlElement]:
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child if tr.tag == "tr")


def _cells(tr: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [cell for cell in tr if cell.tag in ("td", "th")]


def _span(cell: lxml.html.HtmlElement, name: str) -> int:
    value = cell.get(name)
    if value is None:
        return 1
    try:
        return max(1, int(value.strip()))
    except ValueError:
        return 1


def cell_text(cell: lxml.html.HtmlElement) -> str:
    # the lines of a cell ("结果<br>维持", "<p>法律服务</p><p>机构</p>") are one label: join them without a space
    return clean_text("".join(cell.itertext()))


class _Walker:
    """Turns an element tree into blocks: a paragraph at every block boundary and <br>, a row per <tr>."""

    def __init__(self, data_tables: set):
        self.data_tables = data_tables
        self.blocks: list[Block] = []
        self.line: list[str] = []
        self.line_level = 0
        self.levels: list[int] = []
        self.tables = 0

    def walk(self, root: lxml.html.HtmlElement) -> list[Block]:
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, element in walker:
            tag = element.tag
            if event == "start":
                if tag == "br":
                    self.flush()
                elif tag == "table" and element in self.data_tables:
                    self.flush()
                    self.table(element)
                    walker.skip_subtree()
                    continue
                elif tag in _BLOCK_TAGS:
                    self.flush()
                    if tag in _HEADINGS:
                        self.levels.append(_HEADINGS[tag])
                self.add(element.text)
            else:
                if tag in _BLOCK_TAGS:
                    self.flush()
                    if tag in _HEADINGS and self.levels:
                        self.levels.pop()
                if element is not root:
                    self.add(element.tail)
        self.flush()
        return self.blocks

    def add(self, text: str | None) -> None:
        if text:
            if not self.line:
                self.line_level = self.levels[-1] if self.levels else 0
            self.line.append(text)

    def flush(self) -> None:
        text = clean_text("".join(self.line))
        self.line.clear()
        if text:
            self.blocks.append(Para(text, self.line_level))

    def table(self, table: lxml.html.HtmlElement) -> None:
        caption = table.find("caption")
        if caption is not None and (text := cell_text(caption)):
            self.blocks.append(Para(text))
        rows = []
        for tr in _rows(table):
            cells = _cells(tr)
            texts = [cell_text(cell) for cell in cells]
            if not any(texts):
                continue
            spans = [(_span(cell, "rowspan"), _span(cell, "colspan")) for cell in cells]
            extras = {"spans": spans} if any(span != (1, 1) for span in spans) else {}
            rows.append(Row(texts, exact=True, table=self.tables, extras=extras))
        if rows:
            self.blocks.extend(rows)
            self.tables += 1


# --- the title ---


def _has_title(blocks: list[Block]) -> bool:
    """Whether the page text has a title: a heading, or one of its first lines, that names the report."""
    paras = (b for b in blocks if isinstance(b, Para))
    return any((p.level or n < 6) and _looks_like_title(p.text) for n, p in enumerate(paras))


def _looks_like_title(text: str) -> bool:
    return 6 <= len(text) <= 100 and ("年度报告" in text or "年报" in text) and bool(_YEAR.search(text))


def _find_title(
    document: lxml.html.HtmlElement, body: lxml.html.HtmlElement, article: lxml.html.HtmlElement
) -> Para | None:
    """The report title when the article text does not start with it.

    Looked for, in order: a heading or a *title* element before the article, the CMS meta
    `ArticleTitle`, and the page <title> (without the site and column names joined to it).
    """
    if article is not body:
        for element in body.iter():
            if element is article:
                break
            if not isinstance(element.tag, str):
                continue
            marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
            if element.tag in ("h1", "h2") or "title" in marks:
                text = clean_text(element.text_content())
                if _looks_like_title(text):
                    return Para(text, _HEADINGS.get(element.tag, 1))
    for meta in document.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in ("articletitle", "og:title"):
            text = clean_text(meta.get("content") or "")
            if _looks_like_title(text):
                return Para(text, 1)
    title = document.find(".//title")
    if title is not None:
        parts = _TITLE_SEPARATORS.split(clean_text(title.text_content()))
        return next((Para(p, 1) for p in parts if _looks_like_title(p)), None)
    return None
