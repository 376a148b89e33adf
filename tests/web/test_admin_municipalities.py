"""The operator's administration of municipalities: pages, import with preview, the CLI."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from initiatives.admin import importing
from initiatives.audit.models import AuditEvent
from initiatives.demo.loader import DOMAIN
from initiatives.municipalities.models import Municipality

ADMIN = "admin@demo.example"
HEADER = ["slug", "name_ky", "name_ru", "name_en", "region", "district", "address", "phone"]


def rows_of_twenty() -> list[list]:
    rows = []
    for n in range(1, 21):
        rows.append(
            [
                f"aimak-{n:02d}",
                f"Аймак-{n} айыл аймагы",
                f"Аймакский-{n} айылный аймак",
                f"Aimak-{n} ayil aimak",
                "Нарын",
                "Ак-Талаа",
                f"Аймак-{n} айылы, Борбордук көч., {n}",
                f"0312 66 {n:02d} {n:02d}",
            ]
        )
    rows[6][1] = ""  # line 8: no Kyrgyz name
    rows[13][7] = "12-34"  # line 15: not a phone number
    return rows


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes, name: str = "aimaks.xlsx"):
    return client.post(
        "/admin/municipalities/import",
        data={"spreadsheet": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def count(db) -> int:
    return db.session.scalar(select(func.count(Municipality.id)))


def key_of(page: str) -> str:
    return re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)


def test_import_of_twenty_rows_shows_two_errors_and_imports_eighteen(world, login, db):
    client = login(ADMIN)
    before = count(db)
    response = upload(client, xlsx(rows_of_twenty()))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert page.count('class="invalid"') == 2
    assert page.count('class="valid"') == 18
    assert "name_ky is empty" in page
    assert "does not look like a phone number" in page
    assert "Import 18 valid rows" in page
    assert count(db) == before  # nothing is written by the preview

    response = client.post("/admin/municipalities/import/confirm", data={"key": key_of(page)})
    assert response.status_code == 302
    assert count(db) == before + 18
    made = db.session.scalar(select(Municipality).where(Municipality.slug == "aimak-01"))
    assert made.name_ky == "Аймак-1 айыл аймагы"
    assert made.phone == "+996312660101"
    assert made.min_commission_size == 5  # the model regulation's default
    assert db.session.scalar(select(Municipality).where(Municipality.slug == "aimak-07")) is None
    summary = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "import_municipalities")
    )
    assert len(summary.data["imported"]) == 18 and summary.data["filename"] == "aimaks.xlsx"
    created = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "create_municipality")
    )
    assert created == 18

    # the same preview cannot be imported twice
    again = client.post("/admin/municipalities/import/confirm", data={"key": key_of(page)})
    assert again.status_code == 302 and count(db) == before + 18


def test_duplicate_slugs_in_the_file_and_in_the_database_are_errors(world, login, db):
    client = login(ADMIN)
    rows = rows_of_twenty()[:3]
    rows[0][1] = rows[0][1] or "x"
    rows.append(list(rows[1]))  # aimak-02 twice
    rows.append(["orozbekov", "Орозбеков", "Орозбеков", "", "Баткен", "Кадамжай", "", ""])
    page = upload(client, xlsx(rows)).get_data(as_text=True)
    assert "the slug aimak-02 is also on line 3 of this file" in page
    assert "a municipality with the slug orozbekov already exists" in page
    assert "Import 3 valid rows" in page
    before = count(db)
    client.post("/admin/municipalities/import/confirm", data={"key": key_of(page)})
    assert count(db) == before + 3
    # idempotent by slug: the same file again imports nothing
    page = upload(client, xlsx(rows)).get_data(as_text=True)
    assert "No row can be imported" in page
    assert count(db) == before + 3


def test_csv_with_semicolons_and_a_bom_reads_like_excel_writes_it(world, login, db):
    client = login(ADMIN)
    text = ";".join(HEADER) + "\n" + "ak-jar;Ак-Жар;Ак-Жар;;Чүй;Сокулук;;0555 123 456\n"
    page = upload(client, ("\ufeff" + text).encode(), "list.csv").get_data(as_text=True)
    assert "Import 1 valid row" in page
    client.post("/admin/municipalities/import/confirm", data={"key": key_of(page)})
    m = db.session.scalar(select(Municipality).where(Municipality.slug == "ak-jar"))
    assert m.phone == "+996555123456" and m.name_en == "Ак-Жар"


def test_an_unreadable_file_is_a_form_error(world, login):
    client = login(ADMIN)
    response = upload(client, b"\x00\x01garbage", "x.csv")
    assert response.status_code == 422
    assert "neither a CSV text nor an XLSX workbook" in response.get_data(as_text=True)
    response = upload(client, xlsx([["a"]], header=["name"]))
    assert response.status_code == 422
    assert "no header row" in response.get_data(as_text=True)


def test_the_template_has_the_header_row(world, login):
    client = login(ADMIN)
    response = client.get("/admin/municipalities/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert header == importing.columns()
    assert "address_ru" in header  # the lead's new column, once the model has it
    csv = client.get("/admin/municipalities/template.csv").get_data(as_text=True)
    assert csv.lstrip("\ufeff").startswith("slug,name_ky,name_ru")
    # the example row of the template is itself importable
    rows = importing.parse("t.xlsx", response.data)
    assert [r.errors for r in rows] == [[(importing.DUPLICATE_IN_DATABASE, {"slug": "orozbekov"})]]


def test_create_edit_and_search(world, login, db):
    client = login(ADMIN)
    form = {
        "slug": "Chaek",
        "name_ky": "Чаек айыл аймагы",
        "name_ru": "Чаекский айылный аймак",
        "name_en": "",
        "region": "Нарын",
        "district": "Жумгал",
        "phone": "0555 12 34 56",
        "min_commission_size": "5",
        "min_application_days": "14",
        "min_own_share": "10",
        "document_languages": "ky+ru",
        "reminder_days": "7",
        "standard_groups": ["women", "men"],
    }
    bad = client.post("/admin/municipalities/new", data={**form, "slug": "Чаек!"})
    assert bad.status_code == 422
    assert "Чаекский айылный аймак" in bad.get_data(as_text=True)  # input kept
    response = client.post("/admin/municipalities/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    m = db.session.scalar(select(Municipality).where(Municipality.slug == "chaek"))
    assert m.phone == "+996555123456" and m.name_en == m.name_ru
    taken = client.post("/admin/municipalities/new", data=form)
    assert taken.status_code == 422
    assert "already exists" in taken.get_data(as_text=True)

    edit = {**form, "slug": "chaek", "district": "Жумгал району", "bank_name": "РСК Банк"}
    edit["default_max_grant"] = "47000"
    response = client.post(f"/admin/municipalities/{m.id}", data=edit)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(m)
    assert m.district == "Жумгал району" and m.bank_name == "РСК Банк"
    assert str(m.default_max_grant) == "47000.00"
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.municipality_id == m.id))
    )
    assert {"create_municipality", "update_municipality", "update_regulation"} <= actions

    found = client.get("/admin/?q=жумгал").get_data(as_text=True)
    assert ">chaek</td>" in found and ">orozbekov</td>" not in found
    assert ">orozbekov</td>" in client.get("/admin/?q=OROZBEKOV").get_data(as_text=True)


@pytest.mark.parametrize(
    "login_as", [f"specialist@{DOMAIN}", f"head@{DOMAIN}", "oversight@demo.example"]
)
def test_every_admin_page_is_404_to_anyone_but_the_operator(world, login, db, login_as):
    m, _cast = world
    client = login(login_as)
    for url in (
        "/admin/",
        "/admin/municipalities/new",
        f"/admin/municipalities/{m.id}",
        "/admin/municipalities/import",
        "/admin/municipalities/template.csv",
        f"/admin/municipalities/{m.id}/staff",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/admin/municipalities/new", "/admin/municipalities/import/confirm"):
        assert client.post(url, data={"slug": "x"}).status_code == 404, url


def test_cli_imports_with_progress_and_skips_bad_rows(app, world, db, tmp_path):
    path = tmp_path / "aimaks.xlsx"
    path.write_bytes(
        xlsx(
            rows_of_twenty()
            + [[f"extra-{n}", "Э", "Э", "", "Ош", "Ноокат", "", ""] for n in range(5)]
        )
    )
    before = count(db)
    result = app.test_cli_runner().invoke(args=["municipalities", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "25 row(s) read, 23 valid, 2 with errors" in result.output
    assert "20 of 23 rows done" in result.output and "23 of 23 rows done" in result.output
    assert "line 8: name_ky is empty" in result.output
    db.session.expire_all()
    assert count(db) == before + 23
    again = app.test_cli_runner().invoke(args=["municipalities", "import", str(path)])
    assert "0 valid" in again.output
    assert count(db) == before + 23
