"""What tests/web/test_bad_input.py needs to find every form and API operation by itself: the URL patterns
of the URLconf, the forms of a page (parsed from its HTML), a known-good fill of a form, the probe's bad
values by kind of field, and the database's state (row counts, text with control characters, the media
folder) to compare before and after a request."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

# --- the probe's bad values, by kind of field ------------------------------------------------------------

TEXT_VALUES = {
    "empty": "",
    "one character": "甲",
    "100k characters": "长" * 100_000,
    # long enough for a field with a minimum length (a description: 5)
    "control characters": "申请人张\x0b三\x85补充的说明材料",  # C0 and C1
    "NUL": "申请人李\x00四补充的说明材料",
    # what a text field takes and must store and show as it is: a formula at the start (CSV), markup, SQL,
    # zero-width characters, emoji (four bytes in UTF-8) and a CJK extension B character
    "formula, markup, SQL, zero-width, emoji": (
        "=cmd|' /C calc'!A0 <script>alert(1)</script> ' OR 1=1 -- 赵\u200b六\u200d\ufeff 😀🀄𠀀"
    ),
}
MARKUP = "<script>alert(1)</script>"
# a choice, a checkbox, a hidden id: a few of the above and numbers that are not ids
CHOICE_VALUES = {
    "empty": "",
    "NUL": "a\x00b",
    "markup": MARKUP,
    "huge number": "99999999999999999999",
    "negative": "-1",
}
NUMBER_VALUES = {
    "empty": "",
    "-1": "-1",
    "1e309": "1e309",
    "2^32": "4294967296",
    "20 digits": "99999999999999999999",
    "NaN": "NaN",
    "full-width": "１２",
}
DATE_VALUES = {
    "empty": "",
    "Feb 30": "2026-02-30",
    "year 99999": "99999-01-01",
    "-1": "-1",
    "year 1": "0001-01-01",
}
DATETIME_VALUES = {
    "empty": "",
    "Feb 30": "2026-02-30T09:00",
    "hour 25": "2026-12-01T25:00",
    "year 99999": "99999-01-01T09:00",
    "year 1": "0001-01-01T00:00",
    "date only": "2026-12-01",
}


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in names.items():
            package.writestr(name, data)
    return out.getvalue()


class Rewound(SimpleUploadedFile):
    """A good upload sent with every request of a form: read from its start each time."""

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


def upload_values() -> dict[str, SimpleUploadedFile]:
    """Disguised uploads: new objects each time (a file is read once)."""
    return {
        "executable named .pdf": SimpleUploadedFile(
            "身份证明.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "application/pdf"
        ),
        "HTML named .pdf": SimpleUploadedFile(
            "材料.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
        ),
        "zip named .docx": SimpleUploadedFile(
            "补正.docx",
            _zip({"readme.txt": b"not a document"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "empty file": SimpleUploadedFile("空.pdf", b"", "application/pdf"),
    }


HUGE_JSON = '{"items": [' + ",".join('{"k": "' + "长" * 100 + '"}' for _ in range(20_000)) + "]}"


# --- the URLconf ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name (with namespaces), readable route, the parameters it takes, its view."""

    name: str | None
    route: str
    params: frozenset[str]
    callback: object

    @property
    def label(self) -> str:
        return self.name or self.route


def routes() -> list[Route]:
    """Every URL pattern of the project, found by walking the resolver."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespaces: tuple[str, ...], params: frozenset[str]):
        for pattern in patterns:
            groups = frozenset(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                space = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space, params | groups)
            elif isinstance(pattern, URLPattern):
                name = ":".join((*namespaces, pattern.name)) if pattern.name else None
                found.append(Route(name, prefix + str(pattern.pattern), params | groups, pattern.callback))

    walk(get_resolver().url_patterns, "", (), frozenset())
    return found


# --- forms on a page ------------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, datetime, file, choice, csrf
    initial: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    checkbox: bool = False
    required: bool = False


@dataclass
class Form:
    page: str  # the URL of the page it was found on
    method: str
    action: str  # path and query it posts to
    fields: dict[str, Field]
    button: tuple[str, str] | None  # the first named submit button: what a browser sends on Enter
    multipart: bool

    @property
    def key(self) -> tuple:
        """The same form wherever it is shown: the view it posts to (its non-id parameters: a step's name),
        its fields with the row numbers of a formset taken out."""
        try:
            match = resolve(urlsplit(self.action).path)
            target = (
                match.view_name,
                tuple(sorted((k, v) for k, v in match.kwargs.items() if not _is_id(v))),
            )
        except Resolver404:
            target = (self.action, ())
        return (self.method, target, tuple(sorted({same_field(name) for name in self.fields})))

    @property
    def csrf(self) -> str | None:
        token = self.fields.get("csrfmiddlewaretoken")
        return token.initial[0] if token and token.initial else None


def _is_id(value) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def same_field(name: str) -> str:
    """A field's name without its formset row number: memberships-3-role -> memberships-0-role."""
    return re.sub(r"-\d+-", "-0-", name)


_TEXT_TYPES = {"text", "search", "email", "tel", "url", "password", "hidden", ""}
_BUTTONS = {"submit", "button", "image", "reset"}


def forms_of(page_url: str, html: str) -> list[Form]:
    """The forms of a page, each with its fields, their initial values and options."""
    if not html.strip():
        return []
    document = lxml.html.fromstring(html)
    found = []
    for element in document.forms:
        fields: dict[str, Field] = {}
        button = None
        for control in element.xpath(".//input|.//textarea|.//select|.//button"):
            name = control.get("name")
            if not name or control.get("disabled") is not None:
                continue
            tag = control.tag
            kind_attr = (control.get("type") or "").lower()
            if tag == "button" or (tag == "input" and kind_attr in _BUTTONS):
                if tag == "button" and kind_attr not in ("", "submit"):
                    continue
                button = button or (name, control.get("value") or "")
                continue
            if name == "csrfmiddlewaretoken":
                fields[name] = Field(name, "csrf", [control.get("value") or ""])
                continue
            required = control.get("required") is not None
            if tag == "textarea":
                # Django writes a line break after <textarea> (HTML drops it)
                text = (control.text or "").removeprefix("\r\n").removeprefix("\n")
                fields[name] = Field(name, "text", [text], required=required)
            elif tag == "select":
                options = [o.get("value", o.text or "") for o in control.xpath(".//option")]
                selected = [o.get("value", o.text or "") for o in control.xpath(".//option[@selected]")]
                fields[name] = Field(name, "choice", selected, options, required=required)
            elif kind_attr in ("radio", "checkbox"):
                entry = fields.setdefault(name, Field(name, "choice", checkbox=kind_attr == "checkbox"))
                value = control.get("value", "on")
                entry.options.append(value)
                if control.get("checked") is not None:
                    entry.initial.append(value)
            elif kind_attr == "file":
                fields[name] = Field(name, "file")
            elif kind_attr == "number":
                fields[name] = Field(name, "number", [control.get("value") or ""], required=required)
            elif kind_attr == "date":
                fields[name] = Field(name, "date", [control.get("value") or ""], required=required)
            elif kind_attr == "datetime-local":
                fields[name] = Field(name, "datetime", [control.get("value") or ""], required=required)
            elif kind_attr in _TEXT_TYPES:
                fields[name] = Field(name, "text", [control.get("value") or ""], required=required)
            else:
                raise AssertionError(f"{page_url}: a field of a kind the walk does not know: {kind_attr}")
        method = (element.get("method") or "get").lower()
        action = urljoin(page_url, element.get("action") or page_url)
        parts = urlsplit(action)
        found.append(
            Form(
                page=page_url,
                method=method,
                action=parts.path + (f"?{parts.query}" if parts.query else ""),
                fields=fields,
                button=button,
                multipart=(element.get("enctype") or "") == "multipart/form-data",
            )
        )
    return found


def good_fill(form: Form, good: dict[str, str], today: dt.date) -> dict[str, object]:
    """Valid values for every field: the page's own values, else a known-good value for the field's name
    (without its form prefix), else, for a required field, one that fits its kind; an optional field
    without a value stays empty. Files are left out (all are optional)."""
    data: dict[str, object] = {}
    for name, f in form.fields.items():
        base = name.rsplit("-", 1)[-1]
        initial = f.initial[0] if f.initial and f.initial[0].strip() else None
        if f.kind == "csrf":
            data[name] = f.initial[0]
        elif f.kind == "file":
            continue
        elif f.kind == "choice":
            if f.checkbox:
                data[name] = f.options if len(f.options) > 1 else f.options[0]
            elif initial is not None:
                data[name] = initial
            elif base in good and (not f.options or str(good[base]) in f.options):
                data[name] = str(good[base])
            else:
                data[name] = next((o for o in f.options if o != ""), "")
        elif initial is not None:
            data[name] = initial
        elif base in good:
            data[name] = good[base]
        elif not f.required:
            data[name] = ""
        elif f.kind == "date":
            data[name] = today.isoformat()
        elif f.kind == "datetime":
            data[name] = f"{(today + dt.timedelta(days=1)).isoformat()}T10:00"
        elif f.kind == "number":
            data[name] = "1"
        else:
            data[name] = "测试内容"
    if form.button:
        data[form.button[0]] = form.button[1]
    return data


def bad_values(f: Field) -> dict[str, object]:
    if f.kind == "number":
        return NUMBER_VALUES
    if f.kind == "date":
        return DATE_VALUES
    if f.kind == "datetime":
        return DATETIME_VALUES
    if f.kind == "file":
        return upload_values()
    if f.kind == "choice":
        return CHOICE_VALUES
    return TEXT_VALUES


# --- the state of the database and the media folder -------------------------------------------------------------

_STORED_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def row_counts(exclude: frozenset[str]) -> dict[str, int]:
    """The number of rows of every table of every model (many-to-many tables included), in one query."""
    tables = {
        m._meta.label: m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.label not in exclude
    }
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables.values()))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def stored_control_characters() -> list[str]:
    """Every stored text (of any model, JSON included) that holds a control character other than a line
    break or a tab, as "model.field #pk: text"."""
    found = []
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not names:
            continue
        for pk, *values in model._default_manager.values_list("pk", *names).iterator():
            for name, value in zip(names, values, strict=True):
                for text in _strings(value):
                    if _STORED_CONTROL.search(text):
                        found.append(f"{model._meta.label}.{name} #{pk}: {text[:40]!r}")
    return found


def media_files(root: Path) -> dict[str, int]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def restore_media(root: Path, before: dict[str, int]) -> None:
    for name in set(media_files(root)) - set(before):
        (root / name).unlink()


_CJK = re.compile("[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


# Django's own English error wording: none of it may reach a page or an API answer
ENGLISH_ERRORS = (
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Select a valid choice",
    "Null characters are not allowed",
    "The submitted file is empty",
    "Bad Request",
    "Server Error",
    "CSRF verification failed",
    "Not Found</h1>",
    "Forbidden",
    "field required",
    "Input should be",
)


_ERROR_PLACES = re.compile(
    r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>|<p class="errornote">(.*?)</p>'
    r'|class="notice error"[^>]*>(.*?)</div>|<li class="error">(.*?)</li>',
    re.S,
)
_ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+(?:[ ,.'’-]+[A-Za-z]+){3,}")


def english_in_errors(html: str) -> list[str]:
    """English sentences (four words or more) in a page's error messages."""
    found = []
    for match in _ERROR_PLACES.finditer(html):
        text = re.sub(r"<[^>]+>", " ", next(g for g in match.groups() if g is not None))
        found += _ENGLISH_SENTENCE.findall(text)
    return found
