"""Bodies of catalog items: HTML as an editor or an import gives it, sanitised (nh3, the ammonia
sanitiser) to the tags a government document uses. No script, no event handler, no style attribute that
could hide text, no link that runs code; images only from the site itself or https."""

from __future__ import annotations

import html as html_lib
import re

import nh3

from gongkai.text import clean_multiline

TAGS = {
    "p", "br", "div", "span", "h2", "h3", "h4", "h5", "strong", "b", "em", "i", "u", "sub", "sup",
    "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "a", "img", "blockquote", "hr",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "p": {"align"},
    "div": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_BLOCK_END = re.compile(r"</(p|div|h[2-5]|li|tr|table|blockquote)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def sanitise(body: str) -> str:
    """The body with everything but the allowed tags and attributes removed (their text kept), and no
    control character (gongkai.text: kept neither typed nor as a character reference)."""
    cleaned = nh3.clean(
        body or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return clean_multiline(cleaned).strip()  # after: nh3 turns "&#11;" into the character itself


def plain_text(body: str) -> str:
    """The text of a (sanitised) body, one line per block, for the scan and the search index."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", body or ""))
    lines = (_SPACES.sub(" ", clean_multiline(html_lib.unescape(line))).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def from_plain_text(text: str) -> str:
    """A body from plain text (an Excel cell, a form without an editor): one paragraph per line."""
    return "".join(
        f"<p>{html_lib.escape(line.strip())}</p>" for line in (text or "").splitlines() if line.strip()
    )


_SIMPLE_BODY = re.compile(r"(?:<p>[^<>]*</p>\s*)*")


def editable_text(body: str) -> str | None:
    """The plain text a body was made of by `from_plain_text` (one line per paragraph), to edit it as
    text again; None when the body holds other markup (then it is edited as HTML)."""
    if not _SIMPLE_BODY.fullmatch(body or ""):
        return None
    return "\n".join(html_lib.unescape(p) for p in re.findall(r"<p>([^<>]*)</p>", body or ""))
