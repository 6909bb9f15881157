"""The site icon: /favicon.ico answers (browsers ask for it on every site), and every page links the icons."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ICO_MAGIC = b"\x00\x00\x01\x00"


def test_favicon_ico_is_served():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    assert data.startswith(ICO_MAGIC) and int.from_bytes(data[4:6], "little") == 3  # 16, 32 and 48 px
    assert Client().head("/favicon.ico").status_code == 200
    assert Client().post("/favicon.ico").status_code == 405


def test_svg_icon_is_a_drawing_not_text():
    path = finders.find("gongkai/favicon.svg")
    assert path
    svg = Path(path).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<path" in svg and "<text" not in svg  # no font needed to show it


@pytest.mark.parametrize("url", [reverse("portal:home"), reverse("workbench:login")])
def test_pages_link_the_icons_and_the_links_answer(url):
    page = Client().get(url)
    assert page.status_code == 200
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page.content.decode())
    assert sorted(link.rsplit("/", 1)[-1] for link in links) == ["favicon.ico", "favicon.svg"]
    for link in links:
        response = Client().get(link)
        assert response.status_code == 200, link
        assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon", "image/svg+xml")
