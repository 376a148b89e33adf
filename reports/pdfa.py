"""Writing a laid-out document as PDF/A-2b, the archival PDF.

Archives take PDF/A-2b (ISO 19005-2, level B: the look is kept, every font embedded, the
colours defined by an sRGB output intent, the metadata in XMP); PDF/A-3 adds only arbitrary
attachments, which our documents do not carry. Tags (the structure tree that screen readers
and reflowing viewers use) are added too, to documents laid out at once; level A is not
claimed, as it asks for more than the tags WeasyPrint writes.

WeasyPrint opens its bundled sRGB profile for the output intent and never closes it (a
ResourceWarning per document); the profile is read here once and handed over instead.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files

VARIANT = "pdf/a-2b"
_INTENT = "srgb-bundled"  # any name but WeasyPrint's own "srgb", which it would open again


@cache
def _profile_bytes() -> bytes:
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def write(document, *, identifier: bytes | None = None, tags: bool = True) -> bytes:
    """The PDF/A-2b bytes of a WeasyPrint ``Document`` (the same bytes for the same
    document and identifier: WeasyPrint's PDF/A metadata carries no random id)."""
    from weasyprint.css import ColorProfile

    profile = ColorProfile(
        io.BytesIO(_profile_bytes()),
        "sRGB2014.icc",
        "relative-colorimetric",
        (["r"], ["g"], ["b"]),
    )
    document.color_profiles[_INTENT] = profile
    document.output_intent = _INTENT
    return document.write_pdf(
        pdf_identifier=identifier, pdf_variant=VARIANT, pdf_tags=tags, output_intent=_INTENT
    )
