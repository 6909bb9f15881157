"""Files of catalog items: type by content, metadata stripped (the file still opens, the author is gone),
text for the scan, names, limits, broken files."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pdfplumber
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from gongkai.catalog import files
from gongkai.catalog.files import KINDS, TEXT_MAX, clean_file, clean_file_name, sniff
from tests.catalog import samples
from tests.catalog.samples import AUTHOR, COMPANY, EDITOR, ID_NUMBER, MOBILE, REVIEWER


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        clean_file(upload(name, content))
    assert error.value.error_dict["file"][0].code in ("invalid_file", "file_too_large")
    return error.value.messages[0]


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {name: package.read(name) for name in package.namelist()}


def no_personal_data(content: bytes) -> None:
    everything = b"".join(parts(content).values())
    for name in (AUTHOR, EDITOR, REVIEWER, COMPANY, "zhangsan", "wangwu@example"):
        assert name.encode() not in everything, name


# --- PDF ---------------------------------------------------------------------------------------------------


def test_a_pdf_loses_its_author_xmp_scripts_and_embedded_files_and_keeps_its_text():
    original = samples.pdf_bytes()
    assert PdfReader(io.BytesIO(original)).metadata["/Author"] == AUTHOR
    cleaned = clean_file(upload("通知.pdf", original))
    assert cleaned.kind is KINDS["pdf"] and cleaned.name == "通知.pdf"
    reader = PdfReader(io.BytesIO(cleaned.content))
    assert reader.metadata is None
    root = reader.trailer["/Root"]
    assert "/Metadata" not in root and "/OpenAction" not in root
    assert "/JavaScript" not in root.get("/Names", {}) and "/EmbeddedFiles" not in root.get("/Names", {})
    for text in (AUTHOR, "WPS", "Microsoft Word", "app.alert"):
        assert text.encode() not in cleaned.content
        assert text.encode("utf-16-be") not in cleaned.content
    with pdfplumber.open(io.BytesIO(cleaned.content)) as pdf:
        assert "关于印发方案的通知" in pdf.pages[0].extract_text()
    assert "关于印发方案的通知" in cleaned.text and MOBILE in cleaned.text


def test_an_encrypted_or_broken_pdf_is_refused_in_chinese():
    assert "密码" in refused("a.pdf", samples.encrypted_pdf())
    assert refused("a.pdf", b"%PDF-1.4\nnot really a pdf") == "PDF 文件已损坏，无法读取"
    truncated = samples.pdf_bytes()[:2000]
    assert "PDF" in refused("a.pdf", truncated)


# --- Word and Excel --------------------------------------------------------------------------------------------


def test_a_word_file_loses_authors_company_custom_properties_and_reviewers_and_still_opens():
    original = samples.docx_bytes()
    assert AUTHOR.encode() in parts(original)["docProps/core.xml"]
    cleaned = clean_file(upload("方案.docx", original))
    assert cleaned.kind is KINDS["docx"]
    no_personal_data(cleaned.content)
    package = parts(cleaned.content)
    assert "docProps/custom.xml" not in package
    assert b"custom" not in package["_rels/.rels"] and b"custom.xml" not in package["[Content_Types].xml"]
    assert b"presenceInfo" not in package["word/people.xml"]
    document = docx.Document(io.BytesIO(cleaned.content))
    props = document.core_properties
    assert (props.author, props.last_modified_by, props.comments) == ("", "", "")
    assert props.title == "科技扶贫工作方案"  # the title is the document's, not a person's
    assert document.paragraphs[0].text.startswith("现将方案印发给你们")
    assert document.tables[0].cell(0, 1).text == MOBILE
    assert [c.author for c in document.comments] == [files.NEUTRAL_AUTHOR]
    assert b'w:author="' + files.NEUTRAL_AUTHOR.encode() + b'"' in package["word/document.xml"]
    # the scan reads the body, the table, the header, the tracked changes and the comments
    for text in (
        "现将方案印发给你们",
        MOBILE,
        ID_NUMBER,
        "沙坡头区科学技术局",
        "（新增）",
        "删去的话",
        "请遮盖此号码",
    ):
        assert text in cleaned.text


def test_an_excel_file_loses_authors_people_and_its_folder_and_still_opens():
    original = samples.xlsx_bytes()
    cleaned = clean_file(upload("名单.xlsx", original))
    assert cleaned.kind is KINDS["xlsx"]
    no_personal_data(cleaned.content)
    package = parts(cleaned.content)
    assert (
        b"absPath" not in package["xl/workbook.xml"] and b"AlternateContent" not in package["xl/workbook.xml"]
    )
    assert b"userId" not in package["xl/persons/person.xml"]
    assert (
        b"creator" not in package["docProps/core.xml"]
        and b"lastModifiedBy" not in package["docProps/core.xml"]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(cleaned.content))
    sheet = workbook["名单"]
    assert sheet["B2"].value == int(MOBILE) and sheet["C2"].value == ID_NUMBER
    assert sheet["A2"].comment.author == files.NEUTRAL_AUTHOR
    assert cleaned.text.splitlines()[:3] == [
        "名单",
        "姓名\t电话\t证件号码",
        f"某某\t{MOBILE}\t{ID_NUMBER}\t\t1\t2.5",
    ]


def test_text_is_capped(monkeypatch):
    monkeypatch.setattr(files, "TEXT_MAX", 30)
    cleaned = clean_file(upload("方案.docx", samples.docx_bytes()))
    assert len(cleaned.text) <= 30 and cleaned.text.startswith("现将方案")
    cleaned = clean_file(upload("名单.xlsx", samples.xlsx_bytes()))
    assert len(cleaned.text) <= 30
    cleaned = clean_file(upload("通知.pdf", samples.pdf_bytes()))
    assert len(cleaned.text) <= 30
    assert TEXT_MAX == 200_000


# --- disguised and dangerous files ---------------------------------------------------------------------------


def test_type_is_by_content_not_by_name():
    assert "按文件内容识别类型" in refused("方案.docx", b"MZ\x90\x00\x03" + b"\x00" * 200)
    assert "压缩包不能作为附件" in refused("方案.docx", samples.plain_zip())
    assert "宏" in refused("方案.docx", samples.as_macro_enabled(samples.docx_bytes()))
    assert ".doc" in refused("方案.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "按文件内容识别类型" in refused("a.pdf", b"<html>%PDF-1.4</html>")


def test_a_package_with_a_program_or_a_macro_inside_is_refused():
    docx_file = samples.docx_bytes()
    hidden = samples.with_part(docx_file, "word/embeddings/oleObject1.bin", b"MZ\x90\x00" + b"\x00" * 64)
    assert "可执行程序" in refused("a.docx", hidden)
    named = samples.with_part(docx_file, "word/media/run.exe", b"\x00" * 16)
    assert "宏或可执行程序" in refused("a.docx", named)
    macro = samples.with_part(samples.xlsx_bytes(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    assert "宏" in refused("a.xlsx", macro)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(files, "PACKAGE_MAX_BYTES", 1000)
    assert "解压后过大" in refused("a.docx", samples.docx_bytes())


def test_a_broken_office_file_is_refused_in_chinese():
    data = samples.docx_bytes()
    broken = samples.with_part(data, "word/document.xml", b"<w:document><unclosed>")
    assert "Word 文档已损坏" in refused("a.docx", broken)
    broken_book = samples.with_part(samples.xlsx_bytes(), "xl/worksheets/sheet1.xml", b"<worksheet")
    assert "Excel 表格已损坏" in refused("a.xlsx", broken_book)
    assert "压缩包" in refused("a.docx", data[:3000]) or "识别" in refused("a.docx", data[:3000])


def test_a_pdf_named_docx_is_accepted_as_a_pdf_with_the_right_extension():
    cleaned = clean_file(upload("关于印发方案的通知.docx", samples.pdf_bytes()))
    assert cleaned.kind is KINDS["pdf"] and cleaned.name == "关于印发方案的通知.docx.pdf"
    assert sniff(samples.pdf_bytes()) is KINDS["pdf"]


def test_size_limit_and_empty_file(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    assert "不能超过 1 KB" in refused("a.pdf", b"%PDF-" + b"0" * 2000)
    with pytest.raises(ValidationError, match="不能超过"):
        clean_file(b"%PDF-" + b"0" * 2000)
    assert refused("a.pdf", b"") == "上传的文件是空的"


# --- images --------------------------------------------------------------------------------------------------


def test_a_jpeg_loses_exif_xmp_comments_and_trailing_data_keeps_pixels_and_orientation():
    original = samples.jpeg_bytes(orientation=6, trailing=b"PK\x03\x04hidden zip")
    before = Image.open(io.BytesIO(original))
    assert before.getexif()[0x013B] == "zhangsan"
    cleaned = clean_file(upload("现场照片.JPEG", original))
    assert cleaned.kind is KINDS["jpg"] and cleaned.name == "现场照片.jpeg" and cleaned.text == ""
    for text in (AUTHOR.encode(), b"zhangsan", b"Canon", b"xmpmeta", b"hidden zip"):
        assert text not in cleaned.content
    after = Image.open(io.BytesIO(cleaned.content))
    assert dict(after.getexif()) == {0x0112: 6}
    assert after.tobytes() == before.tobytes()
    assert cleaned.content.endswith(b"\xff\xd9")
    # upright photos carry no EXIF at all
    upright = clean_file(upload("a.jpg", samples.jpeg_bytes(orientation=1)))
    assert b"Exif" not in upright.content and dict(Image.open(io.BytesIO(upright.content)).getexif()) == {}


def test_a_png_loses_its_text_chunks_and_keeps_its_pixels():
    original = samples.png_bytes()
    assert AUTHOR.encode() in original
    cleaned = clean_file(upload("截图.png", original + b"trailing"))
    assert AUTHOR.encode() not in cleaned.content and b"tEXt" not in cleaned.content
    assert b"trailing" not in cleaned.content
    assert Image.open(io.BytesIO(cleaned.content)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_truncated_images_are_refused():
    jpeg = samples.jpeg_bytes()
    assert "截断" in refused("a.jpg", jpeg[:-40])
    assert refused("a.jpg", b"\xff\xd8\xff\xe0\x00") == "JPEG 图片已损坏"
    png = samples.png_bytes()
    assert "截断" in refused("a.png", png[:60])
    assert refused("a.png", png[:8] + b"\x00\x00\x00\x04IEND1234" + b"\x00" * 8) == "PNG 图片已损坏"


# --- names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kind", "kept"),
    [
        ("C:\\Users\\张三\\Desktop\\通知.pdf", "pdf", "通知.pdf"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("方案\u202e.fdp.docx", "docx", "方案.fdp.docx"),
        ("a<b>:c?.PDF", "pdf", "a_b__c_.pdf"),
        ("", "png", "附件.png"),
        ("...", "png", "附件.png"),
        ("表" * 300 + ".xlsx", "xlsx", "表" * 195 + ".xlsx"),
        ("photo.jpeg", "jpg", "photo.jpeg"),
    ],
)
def test_file_names_keep_no_folders_or_control_characters_and_fit(sent, kind, kept):
    name = clean_file_name(sent, KINDS[kind])
    assert name == kept and len(name) <= 200


# --- packages, PDFs and images at their edges ----------------------------------------------------------------


def _zip(parts: dict[str, bytes], *, encrypted: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    data = bytearray(out.getvalue())
    if encrypted:  # set the "encrypted" flag of the entry in the central directory, as a password tool does
        entry = data.index(b"PK\x01\x02")
        while data[entry + 46 : entry + 46 + len(encrypted)] != encrypted.encode():
            entry = data.index(b"PK\x01\x02", entry + 4)
        data[entry + 8] |= 0x1
    return bytes(data)


def test_packages_that_are_not_office_documents():
    docx_parts = parts(samples.docx_bytes())
    assert sniff(_zip({"[Content_Types].xml": docx_parts["[Content_Types].xml"]})) is None  # no relationships
    no_main = {k: v for k, v in docx_parts.items() if k != "word/document.xml"}
    assert sniff(_zip(no_main)) is None
    untyped = {
        **docx_parts,
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    }
    assert sniff(_zip(untyped)) is None
    no_office = {
        **docx_parts,
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
    }
    assert sniff(_zip(no_office)) is None
    assert sniff(b"PK\x03\x04broken") is None
    assert "密码" in refused("a.docx", _zip(docx_parts, encrypted="word/styles.xml"))


def test_excel_shared_workbook_users_are_neutralised():
    data = samples.with_part(
        samples.xlsx_bytes(), "xl/revisions/userNames.xml",
        b'<users xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><userInfo name="' + AUTHOR.encode()
        + b'" guid="{1}"/></users>',
    )  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        book = package.read("xl/workbook.xml").replace(
            b"<workbookPr", b'<fileSharing userName="' + EDITOR.encode() + b'"/><workbookPr', 1
        )
    cleaned = clean_file(upload("名单.xlsx", samples.with_part(data, "xl/workbook.xml", book)))
    no_personal_data(cleaned.content)
    assert (
        b'name="' + files.NEUTRAL_AUTHOR.encode() + b'"'
        in parts(cleaned.content)["xl/revisions/userNames.xml"]
    )
    assert cleaned.text.splitlines()[2] == f"某某\t{MOBILE}\t{ID_NUMBER}\t\t1\t2.5"


def test_an_oversized_text_part_is_refused(monkeypatch):
    monkeypatch.setattr(files, "XML_PART_MAX_BYTES", 100)
    assert "文字部分过大" in refused("a.docx", samples.docx_bytes())


def test_a_pdf_without_pages_is_refused():
    from pypdf import PdfWriter

    out = io.BytesIO()
    PdfWriter().write(out)
    assert refused("a.pdf", out.getvalue()) == "PDF 文件没有页面"


def test_jpeg_markers_the_parser_meets():
    data = samples.jpeg_bytes(orientation=3)
    once = clean_file(upload("a.jpg", data)).content
    assert (
        clean_file(upload("a.jpg", once)).content == once
    )  # our own big-endian orientation segment reads back
    # fill bytes before a marker, a stray restart marker between segments
    padded = data[:2] + b"\xff\xff\xd0" + data[2:]
    assert dict(Image.open(io.BytesIO(clean_file(upload("a.jpg", padded)).content)).getexif()) == {0x0112: 3}
    first_end = 4 + int.from_bytes(data[4:6], "big")
    assert refused("a.jpg", data[:first_end] + b"\x00\x00" + data[first_end:]) == "JPEG 图片已损坏"
    assert refused("a.jpg", data[:2] + b"\xff\xe1\x00\x01" + data[2:]) == "JPEG 图片已损坏"


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00XX\x00*\x00\x00\x00\x08",  # no byte order
        b"Exif\x00\x00II*\x00\xff\x00\x00\x00\x00\x00",  # IFD beyond the segment
        b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x05\x00",  # entries beyond the segment
        b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x0f\x01\x02\x00\x01\x00\x00\x00AB\x00\x00",  # no orientation
        b"XMP",
    ],
)
def test_odd_exif_segments_give_no_orientation(payload):
    assert files._exif_orientation(payload) is None


def test_png_edges():
    png = samples.png_bytes()
    assert "截断" in refused("a.png", png[:8] + b"\x00\x00")
    iend = b"\x00\x00\x00\x00IEND\xaeB`\x82"
    assert refused("a.png", png[:8] + iend) == "PNG 图片已损坏"
    assert refused("a.png", png[:8] + b"\x00\x00\x00\x01\x00\x01\x02\x03xxxxx") == "PNG 图片已损坏"
