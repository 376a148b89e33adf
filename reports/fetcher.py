"""The only way a document may load anything: bundled assets under ``asset:`` URLs.

Documents show text typed by users. Even though it is escaped, the renderer is the last
line of defence: a ``file:`` or network URL must never pull a server file or a remote
resource into an official PDF, so everything but the bundled fonts and styles is refused.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS = Path(__file__).resolve().parent
SCHEME = "asset:"


class RefusedURL(ValueError):
    """WeasyPrint logs this and goes on without the resource."""


class BundledOnlyFetcher(URLFetcher):
    def __init__(self, root: Path = ASSETS):
        super().__init__(allowed_protocols=())
        self.root = root.resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if not url.startswith(SCHEME):
            raise RefusedURL(f"documents may load bundled assets only, not {url[:60]!r}")
        path = (self.root / url.removeprefix(SCHEME).lstrip("/")).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"no bundled asset {url[:60]!r}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
