"""Text people typed, made safe for a spreadsheet.

Excel, LibreOffice and Google Sheets read a CSV cell that starts with ``= + - @``, a tab or a
carriage return as a formula: an application titled ``=HYPERLINK(...)`` would send the
reader's data away, ``=cmd|...`` would start a program (OWASP, "CSV Injection"). A CSV cell
has no type, so such a cell gets a leading apostrophe, which the spreadsheet shows as text
and hides. The staff exports and the open-data files share this one rule.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What this application itself writes for amounts and counts: a negative amount is a number
# to the reader, not a formula, and stays one.
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def risky(value: str) -> bool:
    """Whether a spreadsheet would read this text as a formula."""
    return value.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(value)


def neutralise(value):
    """The value for a CSV cell: text that would start a formula, quoted by an apostrophe;
    anything else as it is."""
    if isinstance(value, str) and risky(value):
        return "'" + value
    return value
