"""The files of catalog items, checked and cleaned before they are stored (gongkai.catalog.services.attachments).

- **Type by content**, never by the name or the declared type: PDF, Word (.docx), Excel (.xlsx), JPEG and PNG.
  A Word or Excel file must be an Office Open XML package whose main part has the type its kind requires
  (a macro-enabled .docm/.xlsm, a template, or a ZIP holding anything else is refused), with no program or
  macro inside and within bounds when unpacked. A file whose content is one accepted type under the name of
  another (a PDF named .docx) is accepted as what it is, and its download name gets the right extension.
- **Embedded metadata stripped**, the content kept: PDF document information (/Info: author, creator,
  producer, title …), XMP metadata, scripts and embedded files; Word/Excel author fields (docProps/core.xml
  creator and last modified by, app.xml company, manager, template and application), custom properties
  (custom.xml), comment and tracked-change authors, the people list of co-authors and the folder the
  workbook was saved in; JPEG EXIF/XMP/IPTC segments and comments (the EXIF orientation kept, rebuilt
  alone, so a photo still shows the right way up) and PNG text and time chunks. Data after the end of an
  image is dropped. Nothing is re-encoded: pixels and page content are the bytes that came in.
- **Text** for the pre-submission scan (gongkai.catalog.scan), at most TEXT_MAX characters: the PDF's text
  layer (with pypdfium2, which pdfplumber uses for rendering: a hundred times faster than pdfminer on long
  documents), every paragraph, table, header, footer, note and comment of a Word file, the cells of an
  Excel file. Images have no text.

Every problem is a ValidationError with a Chinese message; no broken file leads to a traceback.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from lxml import etree

from gongkai.errors import Code, invalid
from gongkai.text import clean_multiline
from gongkai.web.attachments import size_label

TEXT_MAX = 200_000  # characters of text kept per file for the scan
NAME_MAX = 200
# An Office package is unpacked only within these bounds (a "ZIP bomb" is refused before it costs memory).
PACKAGE_MAX_ENTRIES = 10_000
PACKAGE_MAX_BYTES = 300 * 1024 * 1024
XML_PART_MAX_BYTES = 64 * 1024 * 1024
NEUTRAL_AUTHOR = "作者"  # what Word's own "remove personal information" writes


@dataclass(frozen=True)
class Kind:
    extension: str
    label: str
    content_type: str
    aliases: tuple[str, ...] = ()


KINDS = {
    k.extension: k
    for k in (
        Kind("pdf", "PDF 文件", "application/pdf"),
        Kind(
            "docx",
            "Word 文档",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        Kind("xlsx", "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Kind("jpg", "JPEG 图片", "image/jpeg", ("jpeg", "jpe")),
        Kind("png", "PNG 图片", "image/png"),
    )
}
TYPES_TEXT = "PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG"
ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"

# The main part's content type of each accepted package kind (the macro-enabled and template variants differ)
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_PROGRAM_NAMES = re.compile(
    r"(vbaProject\.bin|vbaData\.xml|activeX\d*\.bin|\.(exe|dll|com|bat|cmd|scr|msi|js|jse|vbs|vbe|ps1|jar|"
    r"hta|lnk|wsf|cpl))$",
    re.IGNORECASE,
)
_PROGRAM_HEADS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")

NS = {
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# core.xml: who wrote, changed and printed the file, and the free-text "comments" field
_CORE_DROPPED = (
    f"{{{NS['dc']}}}creator",
    f"{{{NS['cp']}}}lastModifiedBy",
    f"{{{NS['cp']}}}lastPrinted",
    f"{{{NS['dc']}}}description",
)
_APP_DROPPED = tuple(
    f"{{{NS['ep']}}}{name}"
    for name in ("Company", "Manager", "Template", "HyperlinkBase", "Application", "AppVersion")
)
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False
)


@dataclass(frozen=True)
class CleanedFile:
    """A file that passed `clean_file`: its kind, its content with the metadata stripped, its text."""

    kind: Kind
    content: bytes
    text: str
    name: str  # the download name: sanitised, with the extension of the kind

    @property
    def extension(self) -> str:
        return self.kind.extension

    @property
    def size(self) -> int:
        return len(self.content)


class _Refused(Exception):
    """A file that cannot be accepted; the message is for the user."""


# --- the name -----------------------------------------------------------------------------------------------

_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\\/]')


def clean_file_name(name: str | None, kind: Kind) -> str:
    """The name a file is downloaded under: the last part of what the client sent (no folders), without
    control or reserved characters, at most NAME_MAX characters, ending in the extension of its kind."""
    text = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    text = " ".join(clean_multiline(text).split())
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))
    text = _UNSAFE_NAME_CHARS.sub("_", text).strip(" .")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if ext.lower() not in (kind.extension, *kind.aliases):
        stem = text  # a PDF named .docx keeps its whole name and gets .pdf after it
        ext = kind.extension
    stem = stem.strip(" .") or "附件"
    return f"{stem[: NAME_MAX - len(ext) - 1].rstrip(' .') or '附件'}.{ext.lower()}"


# --- type by content -----------------------------------------------------------------------------------------


def sniff(data: bytes) -> Kind | None:
    """The kind of a file by its content (None: not one of the accepted kinds). A ZIP is only looked into
    here; `clean_file` checks the package fully."""
    if data.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if data.startswith(b"\xff\xd8\xff"):
        return KINDS["jpg"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                return _package_kind(package)
        except (_Refused, zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, etree.XMLSyntaxError):
            return None
    return None


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, _XML_PARSER)


def _package_kind(package: zipfile.ZipFile) -> Kind | None:
    names = set(package.namelist())
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        return None
    main = _main_part(package)
    if main is None:
        return None
    types = _xml(package.read("[Content_Types].xml"))
    for override in types.iterfind("ct:Override", NS):
        if override.get("PartName", "").lstrip("/") == main:
            kind = _MAIN_TYPES.get(override.get("ContentType", ""))
            return KINDS[kind] if kind else None
    return None


def _main_part(package: zipfile.ZipFile) -> str | None:
    rels = _xml(package.read("_rels/.rels"))
    for rel in rels.iterfind("rel:Relationship", NS):
        if rel.get("Type") == _OFFICE_DOCUMENT:
            target = rel.get("Target", "").lstrip("/")
            return target if target in package.namelist() else None
    return None


def _check_package(package: zipfile.ZipFile) -> None:
    """Bounds, and nothing that runs: no macros, ActiveX controls or programs inside."""
    infos = package.infolist()
    if len(infos) > PACKAGE_MAX_ENTRIES or sum(i.file_size for i in infos) > PACKAGE_MAX_BYTES:
        raise _Refused("文件解压后过大，不像正常的 Office 文档")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Refused("文件设置了密码，请取消密码后再上传")
        if _PROGRAM_NAMES.search(info.filename):
            raise _Refused(
                "文件中含有宏或可执行程序，不能作为公开信息的附件。请另存为不含宏的 .docx 或 .xlsx 文件"
            )
        if info.file_size >= 4 and not info.is_dir():
            with package.open(info) as member:
                if member.read(4).startswith(_PROGRAM_HEADS):
                    raise _Refused("文件中嵌入了可执行程序，不能作为公开信息的附件")


# --- metadata: Office packages -------------------------------------------------------------------------------


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _clean_core(data: bytes) -> bytes:
    root = _xml(data)
    for tag in _CORE_DROPPED:
        for element in root.findall(tag):
            root.remove(element)
    return _serialise(root)


def _clean_app(data: bytes) -> bytes:
    root = _xml(data)
    for tag in _APP_DROPPED:
        for element in root.findall(tag):
            root.remove(element)
    return _serialise(root)


def _local(name) -> str:
    return etree.QName(name).localname if isinstance(name, str) else ""


def _clean_word_part(data: bytes) -> bytes:
    """Comment and tracked-change authors (w:author on w:comment, w:ins, w:del, w:rPrChange …, w15:author in
    people.xml) become NEUTRAL_AUTHOR; initials and the co-authors' account details (w15:presenceInfo) go."""
    root = _xml(data)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _local(element.tag) == "presenceInfo":
            element.getparent().remove(element)
            continue
        for attribute in list(element.attrib):
            local = _local(attribute)
            if local == "author":
                element.set(attribute, NEUTRAL_AUTHOR)
            elif local == "initials":
                del element.attrib[attribute]
    return _serialise(root)


def _clean_excel_part(name: str, data: bytes) -> bytes:
    """Comment authors (<author> in comments*.xml), the people of threaded comments (persons/*.xml), the
    users of a shared workbook (revisions/userNames.xml) and the folder the workbook was saved in
    (x15ac:absPath in workbook.xml)."""
    root = _xml(data)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        local = _local(element.tag)
        if local == "author" and element.text:
            element.text = NEUTRAL_AUTHOR
        elif local == "person":
            if element.get("displayName") is not None:
                element.set("displayName", NEUTRAL_AUTHOR)
            for attribute in ("userId", "providerId"):
                element.attrib.pop(attribute, None)
        elif local == "userInfo" and element.get("name") is not None:
            element.set("name", NEUTRAL_AUTHOR)
        elif local == "fileSharing":
            element.attrib.pop("userName", None)
        elif local == "absPath":
            parent = element.getparent()
            parent.remove(element)
            # <mc:AlternateContent><mc:Choice>absPath</mc:Choice></mc:AlternateContent> goes whole
            if _local(parent.tag) == "Choice" and len(parent) == 0:
                holder = parent.getparent()
                if holder is not None and _local(holder.tag) == "AlternateContent" and len(holder) == 1:
                    holder.getparent().remove(holder)
    return _serialise(root)


def _without_custom_properties(name: str, data: bytes) -> bytes:
    root = _xml(data)
    if name == "[Content_Types].xml":
        for override in root.findall("ct:Override", NS):
            if override.get("PartName", "").lstrip("/") == "docProps/custom.xml":
                root.remove(override)
    else:
        for rel in root.findall("rel:Relationship", NS):
            if rel.get("Type") == _CUSTOM_PROPERTIES:
                root.remove(rel)
    return _serialise(root)


def _needs_cleaning(name: str, kind: str) -> bool:
    if name in ("docProps/core.xml", "docProps/app.xml", "[Content_Types].xml", "_rels/.rels"):
        return True
    if not name.endswith(".xml"):
        return False
    if kind == "docx":
        return name.startswith("word/") and "/" not in name[5:]
    return name == "xl/workbook.xml" or name.startswith(
        ("xl/comments", "xl/persons/", "xl/revisions/userNames")
    )


def _clean_part(name: str, kind: str, data: bytes) -> bytes:
    if name == "docProps/core.xml":
        return _clean_core(data)
    if name == "docProps/app.xml":
        return _clean_app(data)
    if name in ("[Content_Types].xml", "_rels/.rels"):
        return _without_custom_properties(name, data)
    if kind == "docx":
        return _clean_word_part(data) if (b"author" in data or b"initials" in data) else data
    return _clean_excel_part(name, data)


def _strip_package(data: bytes, kind: Kind) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            name = info.filename
            if name == "docProps/custom.xml" or info.is_dir():
                continue
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # no edit times either
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            if _needs_cleaning(name, kind.extension):
                if info.file_size > XML_PART_MAX_BYTES:
                    raise _Refused("文件中的文字部分过大，无法处理")
                target.writestr(entry, _clean_part(name, kind.extension, source.read(info)))
            else:
                with source.open(info) as member, target.open(entry, "w") as copy:
                    shutil.copyfileobj(member, copy, 1024 * 1024)
    return out.getvalue()


# --- metadata: PDF -------------------------------------------------------------------------------------------


def _strip_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise _Refused("PDF 文件设置了密码或权限保护，无法清除其中的作者等信息。请另存为未加密的 PDF 后上传")
    if len(reader.pages) == 0:
        raise _Refused("PDF 文件没有页面")
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None  # /Info: author, creator, producer, title, subject, keywords, dates
    root = writer._root_object
    for key in ("/Metadata", "/OpenAction", "/AA", "/PieceInfo"):
        root.pop(NameObject(key), None)
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        for key in ("/JavaScript", "/EmbeddedFiles"):
            names.pop(NameObject(key), None)
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo", "/AA"):
            page.pop(NameObject(key), None)
    _drop_unreachable(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _drop_unreachable(writer) -> None:
    """Objects no longer reachable from the catalog (the old /Info, the XMP stream, scripts, embedded
    files, earlier revisions) are not written: a PDF writer keeps every object it cloned."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reachable = {writer._root_object.indirect_reference.idnum}
    stack: list = list(writer._root_object.values())
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            if value.pdf is writer and value.idnum not in reachable:
                reachable.add(value.idnum)
                stack.append(value.get_object())
        elif isinstance(value, DictionaryObject):
            stack.extend(value.values())
        elif isinstance(value, ArrayObject):
            stack.extend(value)
    for index in range(len(writer._objects)):
        if index + 1 not in reachable:
            writer._objects[index] = None


# --- metadata: images ----------------------------------------------------------------------------------------

# kept: APP0 (JFIF), APP2 only for an ICC profile, APP14 (Adobe colour transform); every marker that is not an
# application segment or a comment (tables, frames, scans) is image data and kept
_JPEG_KEPT_APP = {0xE0, 0xEE}


def _exif_orientation(segment: bytes) -> int | None:
    """The orientation tag (0x0112) of IFD0 in an APP1 Exif segment's payload, or None."""
    if not segment.startswith(b"Exif\0\0") or len(segment) < 14:
        return None
    tiff = segment[6:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    if offset + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    for index in range(count):
        start = offset + 2 + 12 * index
        if start + 12 > len(tiff):
            return None
        tag, kind, number = struct.unpack(order + "HHI", tiff[start : start + 8])
        if tag == 0x0112 and kind == 3 and number == 1:
            (value,) = struct.unpack(order + "H", tiff[start + 8 : start + 10])
            return value if 1 <= value <= 8 else None
    return None


def _exif_with_orientation(value: int) -> bytes:
    """An APP1 segment holding only the orientation (big-endian TIFF, one IFD entry)."""
    tiff = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, value, 0) + struct.pack(">I", 0)
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _strip_jpeg(data: bytes) -> bytes:
    out = [b"\xff\xd8"]
    orientation = None
    position, end = 2, len(data)
    while True:
        if position + 2 > end or data[position] != 0xFF:
            raise _Refused("JPEG 图片已损坏")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image: whatever follows is not part of the picture
            out.append(b"\xff\xd9")
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[position : position + 2])
            position += 2
            continue
        if position + 4 > end:
            raise _Refused("JPEG 图片已损坏")
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment_end = position + 2 + length
        if length < 2 or segment_end > end:
            raise _Refused("JPEG 图片已损坏")
        payload = data[position + 4 : segment_end]
        if marker == 0xE1 and orientation is None:
            orientation = _exif_orientation(payload)
        application = 0xE0 <= marker <= 0xEF or marker == 0xFE
        if (
            not application
            or marker in _JPEG_KEPT_APP
            or (marker == 0xE2 and payload.startswith(b"ICC_PROFILE\0"))
        ):
            out.append(data[position:segment_end])
        position = segment_end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            scan = position
            while True:
                found = data.find(b"\xff", scan)
                if found < 0 or found + 1 >= end:
                    raise _Refused("JPEG 图片不完整（文件被截断）")
                following = data[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan = found + (2 if following != 0xFF else 1)
                    continue
                out.append(data[position:found])
                position = found
                break
    if orientation and orientation != 1:
        after_jfif = len(out) > 1 and out[1][1] == 0xE0  # JFIF's APP0 must stay first
        out.insert(2 if after_jfif else 1, _exif_with_orientation(orientation))
    return b"".join(out)


# PNG chunks kept: the critical ones and those that change how the image looks; text (tEXt, zTXt, iTXt),
# EXIF (eXIf), the modification time (tIME) and unknown ancillary chunks go.
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs",
    b"bKGD", b"hIST", b"sPLT", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def _strip_png(data: bytes) -> bytes:
    out = [data[:8]]
    position, end = 8, len(data)
    while True:
        if position + 12 > end:
            raise _Refused("PNG 图片不完整（文件被截断）")
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk_end = position + 12 + length
        if not kind.isalpha():
            raise _Refused("PNG 图片已损坏")
        if chunk_end > end:
            raise _Refused("PNG 图片不完整（文件被截断）")
        critical = kind[:1].isupper()
        if kind in _PNG_KEPT or critical:
            out.append(data[position:chunk_end])
        position = chunk_end
        if kind == b"IEND":
            break
    if len(out) < 3 or out[1][4:8] != b"IHDR":
        raise _Refused("PNG 图片已损坏")
    return b"".join(out)


# --- text ----------------------------------------------------------------------------------------------------


class _Text:
    """Collects text up to TEXT_MAX characters."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= TEXT_MAX

    def add(self, text: str) -> None:
        if text and not self.full:
            self.parts.append(text[: TEXT_MAX - self.size])
            self.size += len(self.parts[-1])

    def value(self) -> str:
        return clean_multiline("".join(self.parts)).strip()


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    text = _Text()
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            if text.full:
                break
            page = document[index]
            textpage = page.get_textpage()
            text.add(textpage.get_text_range().replace("\r\n", "\n"))
            text.add("\n")
            textpage.close()
            page.close()
    finally:
        document.close()
    return text.value()


def _word_parts(names: list[str]) -> list[str]:
    """The parts of a Word file with text, in reading order: body, headers, footers, notes, comments."""
    order = (
        "word/document",
        "word/header",
        "word/footer",
        "word/footnotes",
        "word/endnotes",
        "word/comments.",
    )
    parts = []
    for prefix in order:
        parts += sorted(n for n in names if n.startswith(prefix) and n.endswith(".xml") and "/" not in n[5:])
    return parts


def _docx_text(data: bytes) -> str:
    text = _Text()
    w = f"{{{NS['w']}}}"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in _word_parts(package.namelist()):
            with package.open(name) as part:
                for _event, element in etree.iterparse(
                    part, events=("end",), resolve_entities=False, no_network=True
                ):
                    tag = element.tag
                    if tag == w + "t" or tag == w + "delText":
                        text.add(element.text or "")
                    elif tag == w + "tab":
                        text.add("\t")
                    elif tag in (w + "br", w + "cr"):
                        text.add("\n")
                    elif tag == w + "p":
                        text.add("\n")
                        element.clear()
                    if text.full:
                        return text.value()
    return text.value()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    text = _Text()
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            text.add(f"{sheet.title}\n")
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in row]
                if any(cells):
                    text.add("\t".join(cells).rstrip("\t") + "\n")
                if text.full:
                    return text.value()
    finally:
        workbook.close()
    return text.value()


# --- the whole check -----------------------------------------------------------------------------------------

_BROKEN = {
    "pdf": "PDF 文件已损坏，无法读取",
    "docx": "Word 文档已损坏，无法读取。请用 Word 或 WPS 打开后另存为 .docx 再上传",
    "xlsx": "Excel 表格已损坏，无法读取。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传",
    "jpg": "JPEG 图片已损坏",
    "png": "PNG 图片已损坏",
}


def max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def read_upload(upload, *, field: str = "file") -> bytes:
    """The bytes of an uploaded file (a Django UploadedFile, a file object or bytes) within the size limit."""
    limit = max_bytes()
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise invalid(
                field, Code.FILE_TOO_LARGE, f"文件过大（{size_label(size)}），不能超过 {size_label(limit)}"
            )
        upload.seek(0)
        data = upload.read(limit + 1)
        upload.seek(0)
    if len(data) > limit:
        raise invalid(field, Code.FILE_TOO_LARGE, f"文件过大，不能超过 {size_label(limit)}")
    if not data:
        raise invalid(field, Code.INVALID_FILE, "上传的文件是空的")
    return data


def clean_file(upload, *, name: str | None = None, field: str = "file") -> CleanedFile:
    """Check an uploaded file and strip its metadata; ValidationError with a Chinese message otherwise."""
    data = read_upload(upload, field=field)
    kind = sniff(data)
    if kind is None:
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            message = "不支持旧版 Word/Excel 文件（.doc、.xls）和设置了密码的文件，请取消密码、另存为 .docx 或 .xlsx 后上传"
        elif data.startswith(b"PK\x03\x04"):
            message = f"压缩包不能作为附件；附件只能是 {TYPES_TEXT} 文件（Word、Excel 须为 .docx、.xlsx 格式，不含宏）"
        else:
            message = f"附件只能是 {TYPES_TEXT} 文件，系统按文件内容识别类型"
        raise invalid(field, Code.INVALID_FILE, message)
    try:
        if kind.extension in ("docx", "xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                _check_package(package)
            content = _strip_package(data, kind)
            text = _docx_text(content) if kind.extension == "docx" else _xlsx_text(content)
        elif kind.extension == "pdf":
            content = _strip_pdf(data)
            text = _pdf_text(content)
        elif kind.extension == "jpg":
            content, text = _strip_jpeg(data), ""
        else:
            content, text = _strip_png(data), ""
    except _Refused as refused:
        raise invalid(field, Code.INVALID_FILE, str(refused)) from None
    except Exception:  # a broken file of any kind, whatever the library raises
        raise invalid(field, Code.INVALID_FILE, _BROKEN[kind.extension]) from None
    return CleanedFile(
        kind=kind, content=content, text=text, name=clean_file_name(name or _name_of(upload), kind)
    )


def _name_of(upload) -> str:
    return str(getattr(upload, "name", "") or "")
