"""Report photos for slow phones: a web copy at most 1280 px wide, JPEG, without metadata.

The original stays (it is the evidence the office checks); pages link the web copy, which
is usually a tenth of a phone camera's file and carries no EXIF (no GPS position, no device
serial), as a photo of a village event should not.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from initiatives.applications.operations import stored_path

WEB_SIZE = (1280, 1280)
QUALITY = 80


def web_path(stored_as: str) -> Path:
    return stored_path(stored_as).with_name(stored_as + ".web.jpg")


def web_copy(content: bytes) -> bytes:
    """Small first, then upright: a 48 MP camera JPEG decoded whole is 137 MB, and turning
    it copied all of it again (a worker grew by 390 MB). ``draft`` has the JPEG decoder
    scale by 1/2, 1/4 or 1/8 while decoding, to the smallest size still at least the web
    size, so the full picture never exists in memory; PNG has no such mode and relies on
    the upload's pixel limit (``applications.files.MAX_PIXELS``)."""
    with Image.open(io.BytesIO(content)) as image:
        image.draft("RGB", WEB_SIZE)  # JPEG only; a no-op for other formats
        image.thumbnail(WEB_SIZE)
        upright = ImageOps.exif_transpose(image)  # the phone's rotation, on the small copy
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def store_web_copy(stored_as: str, content: bytes) -> Path:
    path = web_path(stored_as)
    path.write_bytes(web_copy(content))
    return path
