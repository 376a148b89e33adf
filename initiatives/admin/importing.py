"""Reading a spreadsheet of municipalities (CSV or XLSX) into rows checked one by one.

The operator brings some 453 municipalities on board from the lists the union keeps in a
spreadsheet. Nothing is written while reading: the page shows every row with what is wrong
with it, and only the rows without errors are imported when the operator confirms. The
web page and ``flask municipalities import`` share this parser, so a file refused on one is
refused on the other for the same reasons.

An existing slug is an error, not an overwrite: an import never changes a municipality
already on board (its office may have corrected its details since), so running one file
twice imports nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from initiatives.core import contacts
from initiatives.extensions import db
from initiatives.municipalities.models import Municipality
from workflows.i18n import N_

REQUIRED = ("slug", "name_ky", "name_ru", "region", "district")
TEXT_COLUMNS = {  # column -> longest value (the model's String lengths)
    "slug": 64,
    "name_ky": 200,
    "name_ru": 200,
    "name_en": 200,
    "region": 100,
    "district": 100,
    "address": 300,
    "address_ru": 300,
    "bank_name": 200,
    "bank_account": 34,
    "bank_bic": 20,
    "inn": 20,
    "regulation_number": 50,
}
# Regulation defaults an operator may set per row: (lowest, highest, kind).
NUMBER_COLUMNS = {
    "min_commission_size": (3, 51, int),
    "min_application_days": (1, 365, int),
    "reminder_days": (0, 90, int),
    "min_own_share": (Decimal("0"), Decimal("100"), Decimal),
    "default_max_grant": (Decimal("0.01"), Decimal("999999999999"), Decimal),
}
LANGUAGES = ("ky+ru", "ky", "ru")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MAX_ROWS = 2000  # a file larger than the country is not a list of municipalities

MISSING = N_("%(column)s is empty")
TOO_LONG = N_("%(column)s is longer than %(max)d characters")
BAD_SLUG = N_("the slug may hold only small Latin letters, digits and hyphens")
BAD_DATE = N_("%(column)s is not a date (write it as 2020-12-28)")
BAD_NUMBER = N_("%(column)s must be a number from %(low)s to %(high)s")
BAD_LANGUAGES = N_("document_languages must be ky+ru, ky or ru")
DUPLICATE_IN_FILE = N_("the slug %(slug)s is also on line %(line)d of this file")
DUPLICATE_IN_DATABASE = N_("a municipality with the slug %(slug)s already exists")
NO_HEADER = N_("the file has no header row with the columns %(columns)s")
NOT_READABLE = N_("the file is neither a CSV text nor an XLSX workbook")
TOO_MANY_ROWS = N_("the file has more than %(max)d rows")
EMPTY_FILE = N_("the file has no rows below its header")


class ImportError_(ValueError):
    """The file as a whole cannot be read: a message id and its parameters."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


@dataclass
class Row:
    line: int  # as the spreadsheet numbers it: the header is line 1
    values: dict
    errors: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def columns() -> list[str]:
    """The columns of the template, in order: only those the model has (a column the lead
    adds to Municipality, such as ``address_ru``, appears once it exists)."""
    names = [*REQUIRED, "name_en", "address", "address_ru", "phone"]
    names += ["bank_name", "bank_account", "bank_bic", "inn"]
    names += ["regulation_number", "regulation_date", *NUMBER_COLUMNS, "document_languages"]
    return [n for n in names if hasattr(Municipality, n)]


def read_table(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    """(header, [(line, cells)]) of the first sheet of an XLSX or of a CSV (UTF-8, with or
    without BOM, comma or semicolon: what Excel writes in either locale)."""
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    return _read_csv(content)


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportError_(NOT_READABLE) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > MAX_ROWS + 1:
                raise ImportError_(TOO_MANY_ROWS, max=MAX_ROWS)
            rows.append((line, list(cells)))
    finally:
        book.close()
    if not rows:
        raise ImportError_(NO_HEADER, columns=", ".join(REQUIRED))
    return [_text(c) for c in rows[0][1]], rows[1:]


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(NOT_READABLE) from None
    if "\x00" in text:
        raise ImportError_(NOT_READABLE)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for line, cells in enumerate(reader, start=1):
        if line > MAX_ROWS + 1:
            raise ImportError_(TOO_MANY_ROWS, max=MAX_ROWS)
        rows.append((line, cells))
    if not rows:
        raise ImportError_(NO_HEADER, columns=", ".join(REQUIRED))
    return [_text(c) for c in rows[0][1]], rows[1:]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or an account typed as a number in Excel
    return str(value).strip()


def parse(filename: str, content: bytes) -> list[Row]:
    """Every data row of the file, checked; ``ImportError_`` when the file is unreadable."""
    header, body = read_table(filename, content)
    names = [h.strip().lower() for h in header]
    if not set(REQUIRED) <= set(names):
        raise ImportError_(NO_HEADER, columns=", ".join(REQUIRED))
    known = set(columns())
    rows = []
    for line, cells in body:
        raw = {
            name: cells[i] if i < len(cells) else None
            for i, name in enumerate(names)
            if name in known
        }
        if all(_text(v) == "" for v in raw.values()):
            continue  # a blank line between blocks of the list
        rows.append(check_row(line, raw))
    if not rows:
        raise ImportError_(EMPTY_FILE)
    mark_duplicates(rows)
    return rows


def check_row(line: int, raw: dict) -> Row:
    row = Row(line, {})
    for name, value in raw.items():
        if name == "regulation_date":
            row.values[name] = _day(value, row)
        elif name in NUMBER_COLUMNS:
            row.values[name] = _number(name, value, row)
        else:
            row.values[name] = _text(value) or None
    for name in REQUIRED:
        if not row.values.get(name):
            row.errors.append((MISSING, {"column": name}))
    for name, size in TEXT_COLUMNS.items():
        value = row.values.get(name)
        if value and len(value) > size:
            row.errors.append((TOO_LONG, {"column": name, "max": size}))
    slug = row.values.get("slug")
    if slug:
        row.values["slug"] = slug = slug.lower()
        if not SLUG.match(slug):
            row.errors.append((BAD_SLUG, {}))
    if row.values.get("phone"):
        try:
            row.values["phone"] = contacts.normalise_phone(row.values["phone"])
        except contacts.ContactError as refused:
            row.errors.append((str(refused), {}))
    languages = row.values.get("document_languages")
    if languages and languages not in LANGUAGES:
        row.errors.append((BAD_LANGUAGES, {}))
    if not row.values.get("name_en") and row.values.get("name_ru"):
        row.values["name_en"] = row.values["name_ru"]
    return row


def _day(value, row: Row) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    row.errors.append((BAD_DATE, {"column": "regulation_date"}))
    return None


def _number(name: str, value, row: Row):
    low, high, kind = NUMBER_COLUMNS[name]
    text = _text(value).replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
        if not number.is_finite() or (kind is int and number != number.to_integral_value()):
            raise InvalidOperation
        number = kind(number)
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not low <= number <= high:
        row.errors.append((BAD_NUMBER, {"column": name, "low": str(low), "high": str(high)}))
        return None
    return number if kind is int else str(number)


def mark_duplicates(rows: list[Row]) -> None:
    """A slug used twice in the file (the later rows are the errors) or already taken."""
    first_line = {}
    for row in rows:
        slug = row.values.get("slug")
        if not slug:
            continue
        if slug in first_line:
            row.errors.append((DUPLICATE_IN_FILE, {"slug": slug, "line": first_line[slug]}))
        else:
            first_line[slug] = row.line
    taken = set()
    slugs = list(first_line)
    for start in range(0, len(slugs), 500):
        taken |= set(
            db.session.scalars(
                select(Municipality.slug).where(Municipality.slug.in_(slugs[start : start + 500]))
            )
        )
    for row in rows:
        slug = row.values.get("slug")
        if slug in taken:
            row.errors.append((DUPLICATE_IN_DATABASE, {"slug": slug}))


def template_csv() -> bytes:
    """The header row (and one example row) for operators to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns())
    writer.writerow([EXAMPLE.get(c, "") for c in columns()])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "municipalities"
    sheet.append(columns())
    sheet.append([EXAMPLE.get(c, "") for c in columns()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXAMPLE = {
    "slug": "orozbekov",
    "name_ky": "Орозбеков айыл аймагы",
    "name_ru": "Орозбековский айылный аймак",
    "name_en": "Orozbekov ayil aimak",
    "region": "Баткен",
    "district": "Кадамжай",
    "address": "Орозбеков айылы, Ленин көч., 1",
    "address_ru": "село Орозбеков, ул. Ленина, 1",
    "phone": "+996 3655 5 12 34",
    "regulation_number": "226",
    "regulation_date": "2020-12-28",
    "min_commission_size": "5",
    "document_languages": "ky+ru",
}
