"""How many SMS parts a text costs, as the phone network counts them.

A text in the GSM 7-bit alphabet fits 160 characters (153 a part once it is split, the rest
carries the joining header); anything else, Cyrillic included, goes as UCS-2: 70 characters,
67 a part. The characters of the GSM extension table take two places. Aggregators bill per
part, so messages are kept to two.
"""

from __future__ import annotations

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
# The longest text of two UCS-2 parts: what a notification by SMS may cost at most.
TWO_UCS2_PARTS = 2 * UCS2_PART


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def units(text: str) -> int:
    """The places the text takes in its encoding (UCS-2 counts UTF-16 code units)."""
    if is_gsm(text):
        return sum(2 if c in GSM_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """The number of SMS parts ``text`` is sent in (an empty text still costs one)."""
    single, part = (GSM_SINGLE, GSM_PART) if is_gsm(text) else (UCS2_SINGLE, UCS2_PART)
    size = units(text)
    if size <= single:
        return 1
    return -(-size // part)


def fit(text: str, parts: int = 2) -> str:
    """``text`` cut (with an ellipsis) to fit in ``parts`` parts: a last resort, callers
    write messages short enough."""
    if segments(text) <= parts:
        return text
    while text and segments(text + "…") > parts:
        text = text[:-1]
    return text.rstrip() + "…"
