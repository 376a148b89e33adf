"""Small helpers for views."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_redirect_target(target: str | None) -> str | None:
    """Only local paths: an open redirect would let a phishing link borrow our site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
