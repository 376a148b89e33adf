"""The QR code printed on every document, pointing at its public verification page."""

from __future__ import annotations

import segno


def qr_svg(url: str) -> str:
    """Inline SVG, so the QR needs no file and no fetch; error level M survives a
    photocopied or creased page."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=2, border=0)
