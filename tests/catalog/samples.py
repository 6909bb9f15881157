"""Files with the metadata real offices leave in them, made here so each test knows what is inside."""

from __future__ import annotations

import functools
import io
import zipfile

import docx
import openpyxl
from lxml import etree
from openpyxl.comments import Comment
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

AUTHOR, EDITOR, REVIEWER, COMPANY = "张三", "李四", "王五", "沙坡头区某某公司"
ID_NUMBER = "11010519491231002X"
MOBILE = "13912345678"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@functools.cache
def pdf_bytes() -> bytes:
    """A one-page PDF with Chinese text, /Info (author, creator, producer, title), XMP metadata, a script
    and an embedded file."""
    from weasyprint import HTML

    html = (
        f'<html><head><meta name="author" content="{AUTHOR}"><meta name="generator" content="WPS Office">'
        "<title>Microsoft Word - 张三的草稿.docx</title>"
        "<style>body{font-family:'Noto Sans CJK SC'}</style></head>"
        f"<body><p>关于印发方案的通知</p><p>联系电话 {MOBILE}</p></body></html>"
    )
    plain = HTML(string=html).write_pdf()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{AUTHOR}</dc:creator></x:xmpmeta>".encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    writer.add_attachment("草稿.txt", f"{AUTHOR}的草稿".encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _rewrite_zip(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The package with parts replaced, added (bytes) or removed (None)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in changes:
                continue
            target.writestr(info, source.read(info))
        for name, content in changes.items():
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def _add_to_content_types(data: bytes, part: str, content_type: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    return types.replace("</Types>", override + "</Types>").encode()


CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
    f"<vt:lpwstr>{AUTHOR}-PC</vt:lpwstr></property></Properties>"
).encode()
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Template>C:\\Users\\zhangsan\\Normal.dotm</Template><TotalTime>12</TotalTime>"
    f"<Application>WPS Office</Application><Company>{COMPANY}</Company><Manager>{EDITOR}</Manager>"
    "</Properties>"
).encode()
CUSTOM_REL = (
    '<Relationship Id="rIdCustom" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
    'Target="docProps/custom.xml"/>'
)


def _with_office_extras(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        rels = (
            package.read("_rels/.rels").decode().replace("</Relationships>", CUSTOM_REL + "</Relationships>")
        )
    types = _add_to_content_types(
        data, "docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    )
    return _rewrite_zip(
        data,
        {
            "docProps/custom.xml": CUSTOM_XML,
            "docProps/app.xml": APP_XML,
            "_rels/.rels": rels.encode(),
            "[Content_Types].xml": types,
        },
    )


PEOPLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
    f'<w15:person w15:author="{REVIEWER}"><w15:presenceInfo w15:providerId="AD" '
    'w15:userId="S-1-5-21-wangwu@example.gov.cn"/></w15:person></w15:people>'
).encode()


def docx_bytes() -> bytes:
    """A Word file with authors in core.xml, app.xml (company, manager, template), custom.xml, a comment, a
    tracked insertion and deletion, a co-author list; the text in a paragraph, a table, a header and the
    comment."""
    document = docx.Document()
    props = document.core_properties
    props.author, props.last_modified_by, props.comments = AUTHOR, EDITOR, f"{AUTHOR}的备注"
    props.title = "科技扶贫工作方案"
    document.sections[0].header.paragraphs[0].text = "沙坡头区科学技术局"
    paragraph = document.add_paragraph("现将方案印发给你们，请认真贯彻执行。")
    signed = document.add_paragraph("附件：")
    signed.add_run().add_tab()
    signed.add_run("方案")
    signed.add_run().add_break()
    signed.add_run("2020年3月2日")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "联系电话"
    table.cell(0, 1).text = MOBILE
    commented = document.add_paragraph("身份证号码 ")
    run = commented.add_run(ID_NUMBER)
    document.add_comment(run, text="请遮盖此号码", author=REVIEWER, initials="WW")
    ins = etree.SubElement(paragraph._p, f"{{{W}}}ins", {f"{{{W}}}id": "91", f"{{{W}}}author": EDITOR})
    etree.SubElement(etree.SubElement(ins, f"{{{W}}}r"), f"{{{W}}}t").text = "（新增）"
    deleted = etree.SubElement(paragraph._p, f"{{{W}}}del", {f"{{{W}}}id": "92", f"{{{W}}}author": EDITOR})
    etree.SubElement(etree.SubElement(deleted, f"{{{W}}}r"), f"{{{W}}}delText").text = "删去的话"
    out = io.BytesIO()
    document.save(out)
    data = _with_office_extras(out.getvalue())
    return _rewrite_zip(data, {"word/people.xml": PEOPLE_XML})


PERSON_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    f'<person displayName="{REVIEWER}" id="{{1}}" userId="wangwu@example.gov.cn" providerId="AD"/>'
    "</personList>"
).encode()
ABS_PATH = (
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    '<mc:Choice Requires="x15"><x15ac:absPath '
    'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" '
    'url="C:\\Users\\zhangsan\\Desktop\\"/></mc:Choice></mc:AlternateContent>'
)


def xlsx_bytes() -> bytes:
    """An Excel file with authors in core.xml, app.xml, custom.xml, a cell comment, threaded-comment people,
    the folder it was saved in; cells with a phone number and an ID number."""
    workbook = openpyxl.Workbook()
    workbook.properties.creator, workbook.properties.lastModifiedBy = AUTHOR, EDITOR
    sheet = workbook.active
    sheet.title = "名单"
    sheet.append(["姓名", "电话", "证件号码"])
    sheet.append(["某某", int(MOBILE), ID_NUMBER, None, 1.0, 2.5])
    sheet["A2"].comment = Comment("核对", REVIEWER)
    out = io.BytesIO()
    workbook.save(out)
    data = _with_office_extras(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        book = package.read("xl/workbook.xml").decode()
    book = book.replace("<workbookPr", ABS_PATH + "<workbookPr", 1)
    return _rewrite_zip(data, {"xl/workbook.xml": book.encode(), "xl/persons/person.xml": PERSON_XML})


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    return _rewrite_zip(data, {name: content})


def as_macro_enabled(data: bytes) -> bytes:
    """The Word file declared as .docm (its main part's content type) with a macro project inside."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    return _rewrite_zip(
        data, {"[Content_Types].xml": types.encode(), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}
    )


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "hello")
        package.writestr("setup.exe", b"MZ\x90\x00")
    return out.getvalue()


def _image(mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (64, 48), (200, 30, 30))
    for x in range(0, 64, 4):
        image.putpixel((x, x % 48), (10, 200, 10))
    return image


def jpeg_bytes(*, orientation: int = 6, trailing: bytes = b"") -> bytes:
    """A JPEG with EXIF (artist, camera, GPS, orientation), an XMP segment, a comment and, optionally,
    bytes after its end."""
    exif = Image.Exif()
    exif[0x013B] = "zhangsan"  # Artist (EXIF text is ASCII)
    exif[0x010F] = "Canon"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (36.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    _image().save(out, "JPEG", exif=exif.tobytes(), comment=f"{AUTHOR}拍摄".encode(), quality=90)
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + AUTHOR.encode() + b"</x:xmpmeta>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    return data[:2] + segment + data[2:] + trailing


def png_bytes() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Description", f"{AUTHOR}的截图")
    out = io.BytesIO()
    _image().save(out, "PNG", pnginfo=info)
    return out.getvalue()
