"""Applying online and on paper, through HTTP: every rule in Kyrgyz and Russian, the
receipt, withdrawal, attachments and who may see them."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.applications.models import Application, Attachment
from initiatives.applications.operations import stored_path
from initiatives.competitions.models import Competition
from initiatives.documents.models import Document
from initiatives.documents.rendering import ensure_pdf
from initiatives.lifecycle.operations import fire

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def text(response) -> str:
    return response.get_data(as_text=True)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def open_run(build):
    """A competition announced two days ago: the window is open for 19 more days."""
    return build("announced", proposals=0, t0=now() - timedelta(days=2))


@pytest.fixture
def citizen(client):
    """A citizen registers from the announcement and is logged in."""

    def make(locale="ky", login="+996700123456", name="Айгүл Токтосунова"):
        client.post("/logout")
        client.post(f"/language/{locale}")
        response = client.post(
            "/register?next=/my/applications",
            data={
                "full_name": name,
                "login": login,
                "password": "a-good-password",
                "password_again": "a-good-password",
                "locale": locale,
            },
        )
        assert response.status_code == 302, text(response)
        if "@" not in login:  # a phone is proved by the SMS code before submitting
            confirm_phone(client, login)
        return client

    return make


def confirm_phone(client, phone: str) -> None:
    from tests.web.account_helpers import code_in, last_sms

    code = code_in(last_sms(client.application, phone))
    assert client.post("/register/confirm", data={"code": code}).status_code == 303


APPLICANT = {
    "applicant_kind": "group",
    "applicant_name": "Айгүл Токтосунова",
    "organisation_name": "Таза суу демилге тобу",
    "group_members": "Бакыт Асанов — казыначы\nНурлан Исаев",
    "contact_phone": "+996700123456",
    "village": "Кара-Бак",
    "address": "Ленин к., 12",
}
INITIATIVE = {
    "title": "Айылга таза суу",
    "initiative_kind": "co_financing",
    "priority_topic": "youth",
    "problem": "Суу түтүгү эскирген.",
    "goal": "200 үй таза суу алат.",
    "target_groups": "Кара-Бак айылынын тургундары",
    "sustainability": "Суу колдонуучулар ассоциациясы тейлейт.",
}
PLAN = {
    "activities-0-description": "Түтүк сатып алуу",
    "activities-0-starts_on": "2027-01-10",
    "activities-0-ends_on": "2027-01-20",
    "activities-0-responsible": "Бакыт Асанов",
}


def budget(local="9000", own="1000", price="10000", **more) -> dict:
    return {
        "lines-0-item": "Түтүктөр",
        "lines-0-unit": "м",
        "lines-0-quantity": "1",
        "lines-0-unit_price": price,
        "lines-0-local_amount": local,
        "lines-0-own_amount": own,
        **more,
    }


def start(client, cid: int) -> int:
    response = client.post(f"/competitions/{cid}/apply", data={})
    assert response.status_code == 302, text(response)
    return int(re.search(r"/applications/(\d+)/edit/applicant", response.location).group(1))


def save(client, aid: int, section: str, data: dict, expect: int = 302):
    response = client.post(f"/applications/{aid}/edit/{section}", data=data)
    assert response.status_code == expect, text(response)
    return response


def upload(client, aid: int, doc_type: str, content: bytes, name: str, expect: int = 302):
    response = client.post(
        f"/applications/{aid}/attachments",
        data={"doc_type": doc_type, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == expect, text(response)
    return response


def fill(client, aid: int, **budget_args) -> None:
    save(client, aid, "applicant", APPLICANT)
    save(client, aid, "initiative", INITIATIVE)
    save(client, aid, "plan", PLAN)
    save(client, aid, "people", {"group_women": "120", "group_men": "95", "group_disabled": "4"})
    save(client, aid, "budget", budget(**budget_args))
    upload(client, aid, "application_letter", PDF, "arыз.pdf")
    upload(client, aid, "budget", png(), "budget-photo.png")


def submit(client, aid: int, expect: int = 302):
    response = client.post(f"/applications/{aid}/submit", data={"confirm": "y"})
    assert response.status_code == expect, text(response)
    return response


# --- the whole way ----------------------------------------------------------------------------


def test_a_citizen_registers_applies_and_gets_a_receipt(open_run, citizen, db, app):
    client = citizen("ky")
    cid = open_run.c.id
    public = client.get(f"/announcements/{cid}")
    assert f"/competitions/{cid}/apply" in text(public)
    aid = start(client, cid)
    fill(client, aid)
    review = client.get(f"/applications/{aid}/edit/review")
    assert "Бардык талап кылынган нерселер бар." in text(review)  # everything required
    response = submit(client, aid)
    a = db.session.get(Application, aid)
    assert (a.state, a.number, a.channel) == ("submitted", 1, "online")
    assert a.requested_amount == Decimal("9000.00") and a.own_share == Decimal("10.00")
    assert a.group_members == [
        {"name": "Бакыт Асанов", "role": "казыначы"},
        {"name": "Нурлан Исаев", "role": ""},
    ]
    assert a.expected_participants == {"women": 120, "men": 95, "disabled": 4}

    page = text(client.get(response.location))
    assert "№ 1" in page
    receipt = db.session.scalars(
        select(Document).where(Document.application_id == aid, Document.kind == "receipt")
    ).one()
    pdf = client.get(f"/documents/{receipt.id}.pdf")
    assert pdf.status_code == 200
    extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Айылга таза суу" in extracted and "budget-photo.png" in extracted

    mine = text(client.get("/my/applications"))
    assert "Айылга таза суу" in mine and "Кабыл алынды" in mine  # public title: Received

    # Submit pressed again (the first answer lost on the way): the number, not an error.
    again = submit(client, aid, expect=303)
    assert "№ 1 менен катталып коюлган" in text(client.get(again.location))
    assert db.session.get(Application, aid).number == 1


def test_the_draft_is_kept_between_visits_and_totals_are_recomputed(open_run, citizen, db):
    client = citizen("ru", login="draft@example.org")
    aid = start(client, open_run.c.id)
    save(client, aid, "initiative", {**INITIATIVE, "title": "Черновик"})
    # The client cannot set totals: they follow from quantity × price and the parts.
    save(
        client,
        aid,
        "budget",
        {**budget(local="300", own="60", price="120"), "lines-0-quantity": "3", "total": "999"},
    )
    client.post("/logout")
    client.post("/login", data={"login": "draft@example.org", "password": "a-good-password"})
    page = text(client.get(f"/applications/{aid}/edit/initiative"))
    assert 'value="Черновик"' in page
    a = db.session.get(Application, aid)
    assert a.total_budget == Decimal("360.00") and a.requested_amount == Decimal("300.00")


# --- the rules, in Kyrgyz and Russian ----------------------------------------------------------

RULES = {
    "above_max": (
        {"local": "16000", "own": "1000", "price": "17000"},
        {
            "ky": "гранттын эң жогорку өлчөмүнөн",
            "ru": "превышает максимальный размер гранта",
        },
    ),
    "own_share": (
        {"local": "9900", "own": "100", "price": "10000"},
        {"ky": "өздүк салым бюджеттин", "ru": "собственный вклад составляет"},
    ),
    "row_sums": (
        {"local": "5000", "own": "1000", "price": "10000"},
        {"ky": "булактар боюнча сумма", "ru": "сумма по источникам"},
    ),
}


@pytest.mark.parametrize("locale", ["ky", "ru"])
@pytest.mark.parametrize("rule", sorted(RULES))
def test_money_rules_refuse_the_submission_and_keep_the_draft(open_run, citizen, db, locale, rule):
    client = citizen(locale)
    aid = start(client, open_run.c.id)
    money, expected = RULES[rule]
    fill(client, aid, **money)
    response = submit(client, aid, expect=409)
    assert expected[locale] in text(response)
    a = db.session.get(Application, aid)
    assert a.state == "draft" and a.number is None and a.title == INITIATIVE["title"]


MISSING = {
    "ky": ("милдеттүү талаалар толтурулган эмес: айыл, максат", "Бюджет"),
    "ru": ("не заполнены обязательные поля: село, цель", "Бюджет"),
}


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_required_fields_and_documents_are_named_in_the_language(open_run, citizen, locale):
    client = citizen(locale)
    aid = start(client, open_run.c.id)
    save(client, aid, "initiative", {**INITIATIVE, "goal": ""})
    save(client, aid, "plan", PLAN)
    save(client, aid, "budget", budget())
    upload(client, aid, "application_letter", PDF, "letter.pdf")
    page = text(submit(client, aid, expect=409))
    fields, document = MISSING[locale]
    assert fields.lower() in page.lower()
    assert document in page  # the missing "budget" document, by its translated title


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ky", "Туура эмес тандоо"), ("ru", "Недопустимый вариант")],
)
def test_a_topic_outside_the_priorities_is_refused(open_run, citizen, db, locale, expected):
    client = citizen(locale)
    aid = start(client, open_run.c.id)
    response = save(client, aid, "initiative", {**INITIATIVE, "priority_topic": "casino"}, 422)
    assert expected in text(response)
    assert 'value="Айылга таза суу"' in text(response)  # what was typed comes back


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ky", "билдирмелерди тапшыруу мөөнөтү бүттү"), ("ru", "срок подачи заявок истёк")],
)
def test_after_the_deadline_submission_is_refused_and_the_draft_stays(
    open_run, citizen, db, locale, expected
):
    client = citizen(locale)
    aid = start(client, open_run.c.id)
    fill(client, aid)
    c = db.session.get(Competition, open_run.c.id)
    c.submission_deadline = now() - timedelta(minutes=1)
    db.session.commit()
    page = text(submit(client, aid, expect=409))
    assert expected.lower() in page.lower()
    db.session.expire_all()
    a = db.session.get(Application, aid)
    assert a.state == "draft" and a.budget_lines and len(a.attachments) == 2
    assert a.competition.state == "applications_closed"  # closed when it was read


def test_withdrawal_before_the_deadline(open_run, citizen, db):
    client = citizen("ru", login="w@example.org")
    aid = start(client, open_run.c.id)
    fill(client, aid)
    submit(client, aid)
    response = client.post(f"/applications/{aid}/withdraw", data={})
    assert response.status_code == 302
    assert db.session.get(Application, aid).state == "submitted"  # not confirmed: nothing
    client.post(f"/applications/{aid}/withdraw", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Application, aid).state == "withdrawn"


# --- attachments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "locale", "expected"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "photo.png", "ru", "Принимаются только файлы PDF, JPEG и PNG"),
        (b"GIF89a" + b"\0" * 40, "scan.pdf", "ky", "PDF, JPEG жана PNG файлдары гана"),
        (b"%PDF-1.4 not really", "x.pdf", "ru", "Принимаются только файлы PDF, JPEG и PNG"),
    ],
)
def test_files_are_judged_by_their_content(open_run, citizen, db, content, name, locale, expected):
    client = citizen(locale)
    aid = start(client, open_run.c.id)
    response = upload(client, aid, "budget", content, name, expect=422)
    assert expected in text(response)
    assert db.session.scalars(select(Attachment)).all() == []


def test_a_file_above_the_limit_is_refused(open_run, citizen, app, db):
    app.config["MAX_ATTACHMENT_BYTES"] = 2000
    try:
        client = citizen("ru")
        aid = start(client, open_run.c.id)
        noise = Image.frombytes("RGB", (100, 100), os.urandom(30000))
        out = io.BytesIO()
        noise.save(out, "PNG")
        response = upload(client, aid, "photo", out.getvalue(), "big.png", expect=422)
        assert "больше" in text(response)
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = 10 * 1024 * 1024


def png_declaring(width: int, height: int) -> bytes:
    """A small file that declares a huge picture: one colour compresses to almost nothing."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.pdf", "Файл бош."),
        (png_declaring(9_000, 9_000), "flood.png", "81 мегапиксел, эң көп 50"),
        (png_declaring(20_000, 20_000), "bomb.png", "400 мегапиксел, эң көп 50"),
    ],
)
def test_empty_files_and_decompression_bombs_are_refused(
    open_run, citizen, db, content, name, expected
):
    client = citizen("ky")
    aid = start(client, open_run.c.id)
    assert len(content) < 200_000  # small on the wire: the danger is in decoding
    response = upload(client, aid, "photo", content, name, expect=422)
    assert expected in text(response)
    assert db.session.scalars(select(Attachment)).all() == []


def test_a_request_above_the_server_limit_gets_a_clear_page_and_keeps_the_draft(
    open_run, citizen, app, db
):
    client = citizen("ru")
    aid = start(client, open_run.c.id)
    save(client, aid, "initiative", INITIATIVE)
    # A smaller limit keeps the test client's request body in memory (a large one goes
    # to a temporary file that the client, not the app, leaves open).
    limit, app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"], 100_000
    try:
        body = b"%PDF-" + b"0" * 100_000 + b"%%EOF"
        response = upload(client, aid, "photo", body, "huge.pdf", expect=413)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert "слишком большой" in text(response)
    db.session.expire_all()
    a = db.session.get(Application, aid)
    assert a.title == INITIATIVE["title"] and a.state == "draft"


def test_files_are_stored_under_random_names_and_served_as_downloads(
    open_run, citizen, db, login, world
):
    client = citizen("ky")
    aid = start(client, open_run.c.id)
    upload(client, aid, "photo", jpeg(), "../../etc/passwd.jpg")
    x = db.session.scalars(select(Attachment)).one()
    assert x.filename == "passwd.jpg" and x.content_type == "image/jpeg"
    assert x.stored_as != x.sha256 and stored_path(x.stored_as).exists()
    response = client.get(f"/attachments/{x.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == jpeg()
    response.close()
    # Another citizen, and the public, do not even learn it exists.
    other = login("bakyt@orozbekov.example")
    assert other.get(f"/attachments/{x.id}").status_code == 404
    assert other.get(f"/applications/{aid}").status_code == 404
    other.post("/logout")
    assert other.get(f"/attachments/{x.id}").status_code == 302  # to the login page


def test_personal_documents_are_hidden_from_the_commission(build, db, login):
    run = build("screening", proposals=1, t0=now() - timedelta(days=30))
    a = run.c.applications[0]
    passport = Attachment(
        doc_type="passport_copy",
        filename="passport.jpg",
        content_type="image/jpeg",
        size_bytes=10,
        sha256="0" * 64,
        stored_as="ab" * 32,
    )
    a.attachments.append(passport)
    a.contact_phone = "+996555123987"
    db.session.commit()
    member = login("member1@orozbekov.example")
    page = text(member.get(f"/applications/{a.id}"))
    assert a.title in page and a.contact_phone not in page
    assert member.get(f"/attachments/{passport.id}").status_code == 404


# --- paper intake ----------------------------------------------------------------------------


def local(moment: datetime) -> str:
    return (moment + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")


def test_the_specialist_enters_a_paper_application(open_run, login, db):
    client = login("specialist@orozbekov.example")
    cid = open_run.c.id
    received = (now() - timedelta(hours=3)).replace(second=0)
    response = client.post(
        f"/competitions/{cid}/paper",
        data={
            "received_at": local(received),
            "applicant_kind": "individual",
            "applicant_name": "Турсунбай Мамытов",
            "village": "Орозбеков",
            "title": "Көчө жарыгы",
        },
    )
    assert response.status_code == 302, text(response)
    aid = int(re.search(r"/applications/(\d+)/", response.location).group(1))
    save(client, aid, "initiative", {**INITIATIVE, "title": "Көчө жарыгы"})
    save(client, aid, "plan", PLAN)
    save(client, aid, "budget", budget())
    upload(client, aid, "application_letter", PDF, "arыз-скан.pdf")
    upload(client, aid, "budget", jpeg(), "budget.jpg")
    upload(client, aid, "scan", PDF, "original.pdf")
    submit(client, aid)
    a = db.session.get(Application, aid)
    assert (a.channel, a.state, a.number) == ("paper", "submitted", 1)
    assert a.received_at == received and a.owner_id is None
    assert a.entered_by.login == "specialist@orozbekov.example"
    receipt = db.session.scalars(
        select(Document).where(Document.application_id == aid, Document.kind == "receipt")
    ).one()
    assert client.get(f"/documents/{receipt.id}.pdf").status_code == 200


def test_paper_intake_refuses_a_time_in_the_future_and_strangers(open_run, login, db):
    client = login("specialist@orozbekov.example")
    response = client.post(
        f"/competitions/{open_run.c.id}/paper",
        data={
            "received_at": local(now() + timedelta(days=1)),
            "applicant_kind": "individual",
            "applicant_name": "Турсунбай Мамытов",
            "village": "Орозбеков",
            "title": "Көчө жарыгы",
        },
    )
    assert response.status_code == 422 and 'value="Турсунбай Мамытов"' in text(response)
    applicant = login("aigul@orozbekov.example")
    assert applicant.get(f"/competitions/{open_run.c.id}/paper").status_code == 404


# --- closing the window, screening ---------------------------------------------------------


def test_the_tick_command_closes_due_competitions(build, app, db):
    run = build("announced", proposals=2, t0=now() - timedelta(days=30))
    result = app.test_cli_runner().invoke(args=["competitions", "tick"])
    assert result.exit_code == 0, result.output
    assert "1 competition(s) closed" in result.output
    db.session.expire_all()
    c = db.session.get(Competition, run.c.id)
    assert c.state == "applications_closed"
    register = db.session.scalars(
        select(Document).where(
            Document.competition_id == c.id, Document.kind == "applications_register"
        )
    ).one()
    assert register.created_by_id is None  # the system closed it
    assert ensure_pdf(register)
    again = app.test_cli_runner().invoke(args=["competitions", "tick"])
    assert "0 competition(s) closed" in again.output


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_the_secretary_screens_with_a_checklist(build, login, db, locale):
    run = build("applications_closed", proposals=3, t0=now() - timedelta(days=30))
    fire(run.c, "start_screening", run.secretary, now=now())
    db.session.commit()
    first, second = run.c.applications[0], run.c.applications[1]
    client = login("specialist@orozbekov.example")  # the secretary of the demo commission
    client.post(f"/language/{locale}")
    overview = text(client.get(f"/competitions/{run.c.id}/screening"))
    assert first.title in overview

    form = text(client.get(f"/applications/{first.id}/screening"))
    assert 'name="check_on_time"' in form and "checked" in form
    checks = {f"check_{k}": "y" for k in ("on_time", "complete", "eligible_applicant", "topic")}
    refused = client.post(
        f"/applications/{first.id}/screening", data={**checks, "decision": "admit"}
    )
    assert refused.status_code == 422, text(refused)  # two checks unticked: cannot admit
    no_reason = client.post(
        f"/applications/{first.id}/screening", data={**checks, "decision": "reject"}
    )
    assert no_reason.status_code == 422
    done = client.post(
        f"/applications/{first.id}/screening",
        data={**checks, "decision": "reject", "reason": "Бюджет толук эмес."},
    )
    assert done.status_code == 302
    all_checks = {**checks, "check_within_max": "y", "check_own_contribution": "y"}
    client.post(f"/applications/{second.id}/screening", data={**all_checks, "decision": "admit"})
    db.session.expire_all()
    rejected = db.session.get(Application, first.id)
    assert rejected.state == "rejected" and rejected.decision_reason == "Бюджет толук эмес."
    assert rejected.screening.checklist["within_max"] is False
    assert db.session.get(Application, second.id).screening.checklist["own_contribution"]


def test_only_screeners_screen(build, login, db):
    run = build("applications_closed", proposals=1, t0=now() - timedelta(days=30))
    fire(run.c, "start_screening", run.secretary, now=now())
    db.session.commit()
    a = run.c.applications[0]
    member = login("member1@orozbekov.example")
    assert member.get(f"/applications/{a.id}/screening").status_code == 403
    owner = login(a.owner.login)
    assert owner.get(f"/applications/{a.id}/screening").status_code == 403
