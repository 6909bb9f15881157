"""Response helpers shared by the portal, the workbench and the API."""

from __future__ import annotations

from urllib.parse import quote


def attachment_header(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII fallback and the real (Chinese) name per RFC 6266."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
