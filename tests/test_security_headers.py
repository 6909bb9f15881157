"""The Content-Security-Policy on every response, error responses of the middlewares included; the API
docs served from this site (no CDN)."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("path", "host", "status"),
    [("/", "localhost", 200), ("/no-such-page/", "localhost", 404), ("/", "evil.example", 400),
     ("/api/docs", "localhost", 200)],
)  # fmt: skip
def test_every_response_carries_the_policy(db, path, host, status):
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == status
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_api_docs_load_nothing_from_elsewhere(db):
    page = Client(HTTP_HOST="localhost").get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn." not in page and "https://" not in page
