"""What an uploaded file really is, judged by its content, never by its name or by the
browser's claim: a PDF must start like one and end like one; an image must open and verify
in Pillow (which WeasyPrint already depends on), so a renamed script is refused."""

from __future__ import annotations

import io
import re
import warnings

from PIL import Image, UnidentifiedImageError

from workflows.i18n import N_

PDF_HEAD = b"%PDF-"
PDF_TAIL = b"%%EOF"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
# A 1 MB PNG of one colour can declare 30,000 × 30,000 pixels: decoded to make its web copy
# it would take gigabytes. Phone cameras stay under 50 megapixels (200 MP sensors save
# 12.5 MP pictures by default); anything above is refused from its header, before decoding.
MAX_PIXELS = 50_000_000

# Messages shown to the person who uploaded, through the catalogues.
NOT_ALLOWED = N_("Only PDF, JPEG and PNG files are accepted; this file is none of them.")
TOO_LARGE = N_("The file is larger than %(mb)s MB.")
EMPTY = N_("The file is empty.")
TOO_MANY_PIXELS = N_(
    "The picture is too large: %(mp)s megapixels, at most %(limit)s. Save it smaller and "
    "upload it again."
)


class BadFile(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def sniff(content: bytes, max_bytes: int) -> str:
    """The content type of an acceptable file, or ``BadFile`` with the reason."""
    if not content:
        raise BadFile(EMPTY)
    if len(content) > max_bytes:
        raise BadFile(TOO_LARGE, mb=round(max_bytes / 1024 / 1024, 1))
    if content.startswith(PDF_HEAD):
        if PDF_TAIL not in content[-2048:]:
            raise BadFile(NOT_ALLOWED)
        return "application/pdf"
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP on; ours is the lower limit, checked just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
        with image:
            kind = image.format
            pixels = image.width * image.height
            if pixels <= MAX_PIXELS:
                image.verify()
    except Image.DecompressionBombError as bomb:  # Pillow's own alarm, from 179 MP
        found = re.search(r"\((\d+) pixels\)", str(bomb))
        pixels, kind = (int(found.group(1)) if found else MAX_PIXELS + 1), None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadFile(NOT_ALLOWED) from None
    if pixels > MAX_PIXELS:
        raise BadFile(TOO_MANY_PIXELS, mp=_megapixels(pixels), limit=MAX_PIXELS // 1_000_000)
    if kind not in IMAGE_TYPES:
        raise BadFile(NOT_ALLOWED)
    return IMAGE_TYPES[kind]


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.0f}"
