"""Setting a competition up in the browser's way (HTTP forms), from nothing to announced,
with each form's errors in Kyrgyz and Russian and the lock after the announcement."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from initiatives.competitions.models import Competition
from initiatives.documents.models import Document

SPECIALIST = "specialist@orozbekov.example"
HEAD = "head@orozbekov.example"
BISHKEK = ZoneInfo("Asia/Bishkek")


def text(response) -> str:
    return response.get_data(as_text=True)


def local(moment: datetime) -> str:
    return moment.astimezone(BISHKEK).strftime("%Y-%m-%dT%H:%M")


def terms(days: int = 20, **overrides) -> dict:
    opens = datetime.now(UTC) + timedelta(days=1)
    data = {
        "title_ky": "Жаштар үчүн демилгелер сынагы",
        "title_ru": "Конкурс инициатив для молодёжи",
        "title_en": "Youth initiatives competition",
        "text_ky": "Өз айылыңызды өзгөрткүңүз келеби?",
        "text_ru": "Хотите изменить своё село?",
        "priorities": ["youth", "sport"],
        "eligible_applicants": ["individual", "group"],
        "required_documents": ["application_letter", "budget"],
        "max_grant": "12000",
        "min_own_share": "10",
        "opens_at": local(opens),
        "submission_deadline": local(opens + timedelta(days=days)),
        "implementation_deadline": local(opens + timedelta(days=days + 60)),
        "report_deadline": local(opens + timedelta(days=days + 90)),
        "paper_intake_ky": "Айыл өкмөтүнүн 5-бөлмөсү, дүйшөмбү–жума",
        "paper_intake_ru": "Кабинет № 5 айыл окмоту, пн–пт",
    }
    data.update(overrides)
    return data


def create(client) -> int:
    municipality_id = re.search(
        r'name="municipality_id"[^>]*value="(\d+)"|<option[^>]*value="(\d+)"',
        text(client.get("/competitions/new")),
    )
    response = client.post(
        "/competitions/new",
        data={
            "municipality_id": next(g for g in municipality_id.groups() if g),
            "year": "2026",
            "title_ky": "Жаштар үчүн демилгелер сынагы",
            "title_ru": "Конкурс инициатив для молодёжи",
        },
    )
    assert response.status_code == 302, text(response)
    return int(re.search(r"/competitions/(\d+)/budget", response.location).group(1))


@pytest.fixture
def specialist(world, login):
    return login(SPECIALIST)


LOCAL = {
    "kind": "local_budget",
    "name": "Жергиликтүү бюджет 2026",
    "amount": "23000",
    "decision_number": "226",
    "decision_date": "2025-12-28",
    "budget_line": "2821",
}
DONOR = {
    "kind": "donor",
    "name": "Donor project pool",
    "amount": "50000",
    "per_winner_cap": "25000",
    "conditions_ky": "спорт жана маданият шаймандары",
    "conditions_ru": "спортивный и культурный инвентарь",
}


def seat_everyone(client, cid: int, world, login) -> None:
    """Invite four registered people and one outside person; each registered one accepts
    the seat in their own account (nobody is seated without consent)."""
    _, cast = world
    r = client.post(  # staff are listed
        f"/competitions/{cid}/commission",
        data={
            "seat-user_id": cast.specialist.id,
            "seat-seat_role": "secretary",
            "seat-category": "ao_staff",
        },
    )
    assert r.status_code == 302, text(r)
    others = [m for m in cast.members if m.id != cast.specialist.id]
    for person, role in zip(others[:3], ["chair", "member", "member"], strict=True):
        r = client.post(  # other registered people are found by their login
            f"/competitions/{cid}/commission",
            data={"seat-login": person.email, "seat-seat_role": role, "seat-category": "deputy"},
        )
        assert r.status_code == 302, text(r)
    r = client.post(
        f"/competitions/{cid}/commission",
        data={
            "seat-outside_name": "Бүбүсара Ногойбаева",
            "seat-category": "community",
            "seat-position": "мугалим",
            "seat-seat_role": "member",
        },
    )
    assert r.status_code == 302, text(r)
    for person in [cast.specialist, *others[:3]]:
        invited = login(person.email)
        seat_id = re.search(r"/invitations/(\d+)/accept", text(invited.get("/invitations")))
        assert seat_id, person.email
        accepted = invited.post(f"/invitations/{seat_id.group(1)}/accept")
        assert accepted.status_code == 302, text(accepted)
    login(SPECIALIST)


def step(client, cid: int, trigger: str, **data):
    c = client.application.extensions["sqlalchemy"].session.get(Competition, cid)
    return client.post(f"/competitions/{cid}/steps/{trigger}", data={"version": c.version, **data})


def test_a_specialist_takes_a_new_competition_to_announced(specialist, world, db, login):
    client = specialist
    cid = create(client)
    assert client.post(f"/competitions/{cid}/budget", data=LOCAL).status_code == 302
    assert client.post(f"/competitions/{cid}/budget", data=DONOR).status_code == 302
    page = text(client.get(f"/competitions/{cid}/budget"))
    assert "73" in page and "23" in page  # totals shown
    assert step(client, cid, "allocate_budget").status_code == 302

    seat_everyone(client, cid, world, login)
    r = client.post(
        f"/competitions/{cid}/commission/order",
        data={"order-order_number": "14-к", "order-order_date": "2026-01-10"},
    )
    assert r.status_code == 302
    assert step(client, cid, "form_commission").status_code == 302

    assert client.post(f"/competitions/{cid}/terms", data=terms()).status_code == 302
    r = step(client, cid, "announce", confirm="1")
    assert r.status_code == 302
    c = db.session.get(Competition, cid)
    db.session.refresh(c)
    assert c.state == "announced"
    kinds = db.session.scalars(
        select(Document.kind).where(Document.competition_id == cid).order_by(Document.number)
    ).all()
    assert [k.value for k in kinds] == [
        "budget_allocation",
        "commission_order",
        "announcement",
        "application_form",
    ]
    docs = db.session.scalars(select(Document).where(Document.competition_id == cid)).all()
    for d in docs:
        db.session.refresh(d)
        assert d.sha256 and d.pdf_path  # rendered right after its step
        pdf = client.get(f"/documents/{d.id}.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    public = client.get(f"/announcements/{cid}")
    assert public.status_code == 200
    assert "Жаштар үчүн демилгелер сынагы" in text(public)  # the specialist's language: ky


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ky", "Бул талаа толтурулушу керек."), ("ru", "Это поле обязательно.")],
)
def test_budget_form_errors_are_translated_and_keep_the_input(specialist, locale, expected):
    client = specialist
    cid = create(client)
    client.post(f"/language/{locale}")
    bad = {**LOCAL, "amount": "", "decision_number": "", "name": "Менин жазганым ө ү ң"}
    r = client.post(f"/competitions/{cid}/budget", data=bad)
    assert r.status_code == 422
    page = text(r)
    assert expected in page
    assert "Менин жазганым ө ү ң" in page  # nothing typed is lost
    r = client.post(f"/competitions/{cid}/budget", data={**LOCAL, "amount": "-5"})
    assert r.status_code == 422


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_terms_validation_speaks_the_regulation(specialist, locale, db):
    client = specialist
    cid = create(client)
    client.post(f"/competitions/{cid}/budget", data=LOCAL)
    client.post(f"/language/{locale}")
    short = client.post(f"/competitions/{cid}/terms", data=terms(days=10))
    assert short.status_code == 422
    page = text(short)
    window = {"ky": "14", "ru": "14"}[locale]
    assert window in page and "10" in page
    too_much = client.post(f"/competitions/{cid}/terms", data=terms(max_grant="50000"))
    assert too_much.status_code == 422
    assert "50" in text(too_much)
    opens = datetime.now(UTC) + timedelta(days=5)
    backwards = terms(opens_at=local(opens), submission_deadline=local(opens - timedelta(days=1)))
    r = client.post(f"/competitions/{cid}/terms", data=backwards)
    assert r.status_code == 422
    assert "Конкурс инициатив для молодёжи" in text(r)  # the rest of the form is kept
    c = db.session.get(Competition, cid)
    db.session.refresh(c)
    assert c.max_grant != 50000 and c.text_ru == ""  # nothing was stored


def test_commission_form_errors(specialist, world):
    client = specialist
    cid = create(client)
    client.post("/language/ru")
    r = client.post(
        f"/competitions/{cid}/commission",
        data={"seat-seat_role": "member", "seat-category": "community"},
    )
    assert r.status_code == 422
    r = client.post(
        f"/competitions/{cid}/commission",
        data={
            "seat-login": "nobody@x.example",
            "seat-category": "community",
            "seat-seat_role": "member",
        },
    )
    # An unknown address is invited like a known one: the page never says who is registered.
    assert r.status_code == 302
    _, cast = world
    chair = {"seat-category": "deputy", "seat-seat_role": "chair"}
    client.post(
        f"/competitions/{cid}/commission", data={"seat-login": cast.members[0].email, **chair}
    )
    second = client.post(
        f"/competitions/{cid}/commission", data={"seat-outside_name": "Second chair", **chair}
    )
    assert second.status_code == 422  # a field error (tests/web/test_data_entry_setup.py)
    r = client.post(
        f"/competitions/{cid}/commission/order",
        data={"order-order_number": "", "order-order_date": "not a date"},
    )
    assert r.status_code == 422


def test_the_budget_is_locked_after_the_announcement(build, login, db):
    run = build("announced", proposals=0)
    client = login(SPECIALIST)
    cid = run.c.id
    before = [s.amount for s in run.c.funding_sources]
    r = client.post(f"/competitions/{cid}/budget", data={**LOCAL, "amount": "999999"})
    assert r.status_code == 409
    source = run.c.funding_sources[0]
    r = client.post(f"/competitions/{cid}/budget/{source.id}/delete")
    assert r.status_code == 409
    db.session.expire_all()
    c = db.session.get(Competition, cid)
    assert [s.amount for s in c.funding_sources] == before
    page = text(client.get(f"/competitions/{cid}/budget"))
    assert 'id="source-form"' not in page  # read-only


def test_setup_pages_are_for_the_municipality_staff_only(build, login):
    run = build("draft")
    cid = run.c.id
    member = run.cast.members[0]
    client = login(member.email)
    assert client.get(f"/competitions/{cid}/budget").status_code in (403, 404)
    client = login(run.cast.applicants[0].email or run.cast.applicants[0].phone)
    assert client.get(f"/competitions/{cid}/terms").status_code == 404
    assert client.post(f"/competitions/{cid}/budget", data=LOCAL).status_code == 404


def test_the_head_chooses_the_language_of_documents(world, login, db):
    m, _ = world
    head = login(HEAD)
    page = head.get(f"/municipalities/{m.id}/regulation")
    assert page.status_code == 200
    data = {
        "min_commission_size": "7",
        "odd_commission": "y",
        "min_application_days": "21",
        "min_own_share": "10",
        "document_languages": "ru",
        "reminder_days": "7",
        "standard_groups": ["women", "men", "girls", "boys", "disabled"],
    }
    assert head.post(f"/municipalities/{m.id}/regulation", data=data).status_code == 302
    db.session.refresh(m)
    assert (m.document_languages, m.min_commission_size) == ("ru", 7)
    bad = head.post(f"/municipalities/{m.id}/regulation", data={**data, "min_commission_size": "1"})
    assert bad.status_code == 422
    specialist = login(SPECIALIST)
    assert specialist.post(f"/municipalities/{m.id}/regulation", data=data).status_code == 403
