"""The public portal, the open-data API and its OpenAPI document, the oversight dashboard,
and document verification: all without login, none with personal data."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.core.enums import DocumentKind
from initiatives.documents.models import Document

SPECIALIST = "specialist@orozbekov.example"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def closed(build, db):
    """The Orozbekov competition carried to closing; its first applicant is a private
    person with contacts and a passport number that must never be public."""
    run = build("closed", proposals=4)
    a = run.apps[0][0]
    return run, a


def secrets_of(db, competition_id: int) -> list[str]:
    """Personal data of every application: none of it may appear anywhere public."""
    found = []
    for a in db.session.scalars(
        select(Application).where(Application.competition_id == competition_id)
    ):
        found += [
            v for v in (a.contact_phone, a.contact_email, a.id_document_number, a.address) if v
        ]
        if a.applicant_kind.value == "individual" or not a.organisation_name:
            found.append(a.applicant_name)  # a person's name
    return [s for s in found if s and len(s) > 4]


def test_a_visitor_follows_a_competition_from_announcement_to_spending(closed, client, db):
    run, _a = closed
    c = run.c
    index = text(client.get("/"))
    assert c.municipality.name_ky in index
    municipality = text(client.get(f"/m/{c.municipality.slug}"))
    assert f"/announcements/{c.id}" in municipality
    page = text(client.get(f"/announcements/{c.id}"))
    for part in ('id="timeline"', 'id="results"', 'id="money"', 'id="documents"'):
        assert part in page
    assert "Папа, мама и я" in page and "23 000" in page.replace("\u00a0", " ")
    assert f"/competitions/{c.id}/final-report" in page
    assert client.get(f"/competitions/{c.id}/final-report").status_code == 200


def test_results_are_not_public_before_the_head_decides(build, client, db):
    run = build("results_approved", proposals=4)
    page = text(client.get(f"/announcements/{run.c.id}"))
    assert 'id="results"' not in page
    assert client.get(f"/api/v1/competitions/{run.c.id}/results").status_code == 404
    awards = client.get(f"/api/v1/awards?competition={run.c.id}").get_json()
    assert awards["items"] == [] and awards["total"] == 0


def test_no_personal_data_on_any_public_page_or_api_response(closed, client, db):
    run, _a = closed
    db.session.execute(
        Application.__table__.update()
        .where(Application.id == run.apps[0][0].id)
        .values(
            applicant_kind="individual",
            contact_phone="+996 700 123 456",
            id_document_number="ID1234567",
            address="Ленин көчөсү 15",
        )
    )
    db.session.commit()
    secrets = secrets_of(db, run.c.id)
    assert "ID1234567" in secrets
    urls = [
        "/",
        f"/m/{run.c.municipality.slug}",
        f"/announcements/{run.c.id}",
        f"/competitions/{run.c.id}/final-report",
        "/oversight",
        "/api/v1/municipalities",
        "/api/v1/competitions",
        f"/api/v1/competitions/{run.c.id}",
        "/api/v1/applications",
        "/api/v1/applications.csv",
        "/api/v1/awards",
        "/api/v1/awards.csv",
        "/api/v1/reports",
        "/api/v1/reports.csv",
        f"/api/v1/competitions/{run.c.id}/results",
        f"/api/v1/competitions/{run.c.id}/results.csv",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, (url, secret)


# --- the API and its OpenAPI document ------------------------------------------------------


def validator(spec: dict, schema: dict) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for one schema of the document, its
    ``#/components/...`` references resolved against the document's components."""
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_no_person_is_named_in_any_public_document(closed, client, db):
    """The PDFs anyone may download say what the pages say: titles, numbers, organisations,
    never a person's name or contacts (those stay in the receipt and the agreement)."""
    run, _a = closed
    people = []
    for a in db.session.scalars(select(Application).where(Application.competition_id == run.c.id)):
        people += [a.applicant_name, a.contact_phone, a.contact_email, a.id_document_number]
    people = [p for p in people if p and len(p) > 4]
    documents = db.session.scalars(select(Document).where(Document.competition_id == run.c.id))
    public = 0
    for doc in documents:
        response = client.get(f"/documents/{doc.id}.pdf")
        if response.status_code != 200:
            response.close()
            continue
        public += 1
        extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        flat = " ".join(extracted.split())
        for person in people:
            assert person not in flat, (doc.kind.value, person)
    assert public >= 8, public
    print(f"\nprivacy: {public} public documents read, no applicant named in any")


def test_every_response_matches_the_openapi_document(closed, client, db):
    run, _a = closed
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)  # the document itself is valid OpenAPI 3.1
    cid = run.c.id
    checked = 0
    for path, item in spec["paths"].items():
        if path.endswith(".csv"):
            continue
        url = path.replace("{competition_id}", str(cid))
        for query in ("", "?per_page=1", f"?competition={cid}&page=2&per_page=1"):
            if "{" in path or (query and "competition_id" in path):
                continue
            response = client.get(url + query)
            assert response.status_code == 200, url + query
            schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            errors = list(validator(spec, schema).iter_errors(response.get_json()))
            assert not errors, (url + query, [e.message for e in errors[:3]])
            checked += 1
    bad = client.get("/api/v1/competitions?page=0")
    assert bad.status_code == 400
    error_schema = spec["paths"]["/api/v1/competitions"]["get"]["responses"]["400"]["content"]
    assert not list(
        validator(spec, error_schema["application/json"]["schema"]).iter_errors(bad.get_json())
    )
    print(f"\nOpenAPI: {checked} real responses validated")
    assert checked >= 15


def test_pages_link_to_the_next(closed, client, db):
    first = client.get("/api/v1/applications?per_page=3").get_json()
    assert first["total"] == 4 and len(first["items"]) == 3 and first["next"]
    second = client.get(first["next"].replace("http://localhost", "")).get_json()
    assert len(second["items"]) == 1 and second["next"] is None
    numbers = [x["number"] for x in first["items"] + second["items"]]
    assert numbers == [1, 2, 3, 4]
    assert client.get("/api/v1/applications?year=abc").status_code == 400
    assert client.get("/api/v1/competitions?state=draft").status_code == 400


def test_csv_has_the_same_rows(closed, client, db):
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/reports.csv").data.decode("utf-8-sig")))
    )
    assert [r["number"] for r in rows] == ["1", "2"]
    assert {r["participants_total"] for r in rows} == {"94", "290"}


# --- verification and oversight -----------------------------------------------------------------


def test_every_kind_of_document_can_be_verified(closed, build, client, db):
    """The QR target answers for each kind: the register facts always, the PDF only for
    public documents."""
    build("scoring", proposals=2, t0=closed[0].t0.replace(year=2025))
    seen = set()
    for d in db.session.scalars(select(Document).order_by(Document.id)):
        if d.kind in seen:
            continue
        seen.add(d.kind)
        page = client.get(f"/verify/{d.token}")
        assert page.status_code == 200, d.kind
        assert d.register_number in text(page), d.kind
    print(f"\nverified: {len(seen)} kinds of document")
    assert len(seen) >= 15
    assert DocumentKind.FINAL_REPORT in seen and DocumentKind.GRANT_AGREEMENT in seen


def test_oversight_dashboard_filters(closed, client, db):
    run, _a = closed
    everything = text(client.get("/oversight"))
    assert "<svg" in everything and "384" in everything  # participants of the two reports
    unknown = client.get("/oversight?region=Чүй&year=abc")
    assert unknown.status_code == 200 and "384" in text(unknown)  # ignored, not an error
    by_year = text(client.get(f"/oversight?year={run.c.year}&region={run.c.municipality.region}"))
    assert "384" in by_year


def test_oversight_counts_states_by_their_public_name(build, client, db):
    """Screening and scoring are both "Under review" to the public: one bar with both."""
    build("screening")
    build("scoring")
    client.post("/language/en")
    chart = text(client.get("/oversight")).split("<desc>")[1].split("</desc>")[0]
    assert chart.count("Under review") == 1
    assert "Under review: Competitions 2" in chart


def test_any_public_document_reads_in_english_as_a_marked_translation(closed, client, db):
    run, _a = closed
    final = db.session.scalars(
        select(Document).where(
            Document.competition_id == run.c.id, Document.kind == DocumentKind.FINAL_REPORT
        )
    ).one()
    original = client.get(f"/documents/{final.id}.pdf")
    english = client.get(f"/documents/{final.id}.pdf?lang=en")
    assert english.status_code == 200 and english.data != original.data
    words = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(english.data)).pages).split()
    )
    assert "Translation for information" in words and final.register_number in words
    assert "Final report of the competition" in words and "Total participants" in words
    db.session.refresh(final)
    assert final.sha256 == hashlib.sha256(original.data).hexdigest()  # the original stays
    assert client.get(f"/documents/{final.id}.pdf?lang=de").status_code == 404
    agreement = db.session.scalars(
        select(Document).where(Document.kind == DocumentKind.GRANT_AGREEMENT)
    ).first()
    assert client.get(f"/documents/{agreement.id}.pdf?lang=en").status_code == 404  # private


def test_a_translation_is_rendered_once_then_served_as_kept(closed, client, db, monkeypatch):
    """Anonymous visitors asking for a translation cost one render, not one each."""
    from initiatives.documents import rendering

    run, _a = closed
    notice = db.session.scalars(
        select(Document).where(
            Document.competition_id == run.c.id, Document.kind == DocumentKind.RESULTS_NOTICE
        )
    ).one()
    first = client.get(f"/documents/{notice.id}.pdf?lang=en")
    assert first.status_code == 200
    renders = []
    real = rendering.renderer

    def counting():
        renders.append(1)
        return real()

    monkeypatch.setattr(rendering, "renderer", counting)
    for _ in range(3):
        assert client.get(f"/documents/{notice.id}.pdf?lang=en").data == first.data
    assert renders == []
