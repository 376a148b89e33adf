"""What an uploaded file really is, judged by its content, never by its name or by the
browser's claim: a PDF must start like one and end like one; an image must open and verify
in Pillow (which WeasyPrint already depends on), so a renamed script is refused."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from workflows.i18n import N_

PDF_HEAD = b"%PDF-"
PDF_TAIL = b"%%EOF"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}

# Messages shown to the person who uploaded, through the catalogues.
NOT_ALLOWED = N_("Only PDF, JPEG and PNG files are accepted; this file is none of them.")
TOO_LARGE = N_("The file is larger than %(mb)s MB.")
EMPTY = N_("The file is empty.")


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
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadFile(NOT_ALLOWED) from None
    if kind not in IMAGE_TYPES:
        raise BadFile(NOT_ALLOWED)
    return IMAGE_TYPES[kind]
