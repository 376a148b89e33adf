"""The order forming the commission, the screening protocol and the announcement carry what
a head of ayil okmotu signs and an archive keeps: positions, the control clause and the
members' acquaintance; the screening meeting with its attendance, quorum and vote; the
legal basis and where paper applications are taken. Read back from the PDF in ky and ru."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from initiatives.documents.models import Document
from tests.reports.test_documents import rendered


def documents_of(db, c) -> dict[str, Document]:
    return {
        d.kind.value: d
        for d in db.session.scalars(select(Document).where(Document.competition_id == c.id))
    }


@pytest.fixture
def announced(build, db):
    run = build("announced", proposals=0)
    return run, documents_of(db, run.c)


# --- the order forming the commission -----------------------------------------------------

TITLE = {"ky": "Тескеме №", "ru": "Распоряжение №"}
WRONG_PAIR = {"ky": re.compile(r"[Бб]уйру[кг]"), "ru": re.compile(r"[Пп]риказ")}
CONTROL = {
    "ky": "Ушул тескеменин аткарылышын көзөмөлдөө комиссиянын катчысына",
    "ru": "Контроль за исполнением настоящего распоряжения возложить на секретаря комиссии",
}
ACQUAINTED = {"ky": "Тааныштым", "ru": "Ознакомлен(а)"}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_order_names_positions_control_and_acquaintance(announced, lang):
    run, docs = announced
    seats = run.c.seats
    text = rendered(docs["commission_order"], lang)
    assert f"{TITLE[lang]} {run.c.order_number}" in text
    assert not WRONG_PAIR[lang].search(text), "буйрук↔приказ, тескеме↔распоряжение: one pair"
    for seat in seats:
        assert seat.position, "the demo seats every member with a position"
        # Each copy in its own language: the Russian one with the Russian position.
        assert (seat.position_ru if lang == "ru" else seat.position) in text
        if lang == "ru" and seat.position_ru != seat.position:
            assert seat.position not in text
    secretary = next(s for s in seats if s.seat_role.value == "secretary")
    position = secretary.position_ru if lang == "ru" else secretary.position
    assert f"{CONTROL[lang]} ({secretary.name}, {position})" in text
    assert text.count(ACQUAINTED[lang]) == len(seats)  # one line per member
    lines = text[text.index(ACQUAINTED[lang]) - 200 :]
    for seat in seats:
        assert seat.name in lines


def test_bilingual_order_has_one_acquaintance_line_per_member(announced):
    run, docs = announced
    text = rendered(docs["commission_order"], "ky+ru")
    both = f"{ACQUAINTED['ky']} / {ACQUAINTED['ru']}"
    assert text.count(both) == len(run.c.seats)


# --- the screening protocol ---------------------------------------------------------------

MEETING_WORDS = {
    "ky": {
        "date": "2026-жылдын 27-мартында",  # t0 + 25 days, in the locative: "on"
        "quorum": "Кворум бар",
        "vote": "макул — 5, каршы — 0, калыс калды — 0",
        "adopted": "Чечим кабыл алынды",
    },
    "ru": {
        "date": "27 марта 2026 г.",
        "quorum": "Кворум имеется",
        "vote": "за — 5, против — 0, воздержались — 0",
        "adopted": "Решение принято",
    },
}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_screening_protocol_states_the_meeting(build, db, lang):
    run = build("scoring", proposals=2)
    protocol = documents_of(db, run.c)["screening_protocol"]
    text = rendered(protocol, lang)
    words = MEETING_WORDS[lang]
    assert words["date"] in text
    assert "Айыл өкмөтү, жыйналыштар залы" in text  # the place, as the builder recorded it
    assert words["quorum"] in text
    assert words["vote"] in text
    assert words["adopted"] in text
    present = text[text.index(words["date"]) :]
    for seat in run.c.seats:
        assert seat.name in present  # attendance: each member present is named


def screening_form(c, *, present=None, votes="for", **fields) -> dict:
    seats = [s.id for s in c.seats]
    form = {"held_at": "2026-11-20T10:00", "place": "Айыл өкмөтү, 2-кабинет", **fields}
    for s in present if present is not None else seats:
        form[f"present_{s}"] = "y"
        if votes:
            form[f"vote_approve_{s}"] = votes
    return form


def test_the_step_records_the_meeting_the_protocol_prints(build, login, db):
    run = build("screening", proposals=2)
    c = run.c
    web = login("specialist@orozbekov.example")
    page = web.get(f"/competitions/{c.id}/screening").get_data(as_text=True)
    assert 'name="held_at"' in page and 'name="vote_approve_' in page  # the step asks for it
    seats = [s.id for s in c.seats]
    form = screening_form(c, present=seats[:4])
    form[f"vote_approve_{seats[3]}"] = "against"
    response = web.post(f"/competitions/{c.id}/steps/finish_screening", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert c.state == "scoring"
    meeting = next(m for m in c.meetings if m.purpose == "screening")
    assert meeting.place == "Айыл өкмөтү, 2-кабинет"
    assert [a.present for a in meeting.attendance] == [True, True, True, True, False]
    text = rendered(documents_of(db, c)["screening_protocol"], "ru")
    assert "20 ноября 2026 г." in text
    assert "Айыл өкмөтү, 2-кабинет" in text
    assert "за — 3, против — 1, воздержались — 0" in text
    absent = next(s for s in c.seats if s.id == seats[4])
    assert f"Отсутствовали: {absent.name}" in text


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"place": ""}, "Enter the place of the meeting."),
        ({"present": "two"}, "the screening meeting had no quorum"),
        ({"votes": "against"}, "the commission has not voted to approve the screening"),
        ({"votes": None}, "record the vote of every member present"),
        ({"held_at": "2099-01-01T10:00"}, "the screening meeting cannot be dated in the future"),
    ],
)
def test_a_meeting_that_did_not_approve_is_refused_and_kept(build, login, db, change, said):
    run = build("screening", proposals=2)
    c = run.c
    web = login("specialist@orozbekov.example")
    web.post("/language/en")
    seats = [s.id for s in c.seats]
    fields = {k: v for k, v in change.items() if k in ("place", "held_at")}
    form = screening_form(
        c,
        present=seats[:2] if change.get("present") == "two" else None,
        votes=change.get("votes", "for"),
        **fields,
    )
    response = web.post(f"/competitions/{c.id}/steps/finish_screening", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in page
    assert f'value="{form["held_at"]}"' in page  # what was typed is kept
    db.session.expire_all()
    assert c.state == "screening"
    assert not c.meetings


# --- the announcement ---------------------------------------------------------------------

BASIS = {
    "ky": [
        "айылдык кеңештин 2020-жылдын 28-декабрындагы № 226 токтому менен бекитилген",
        "тескемеси менен түзүлгөн",
    ],
    "ru": [
        "постановлением айылного кенеша от 28 декабря 2020 г. № 226",
        "образована распоряжением главы айыл окмоту от",
    ],
}
PAPER = {"ky": "Кагаз түрүндө", "ru": "На бумаге"}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_announcement_states_its_basis_and_where_paper_is_taken(announced, lang):
    run, docs = announced
    text = rendered(docs["announcement"], lang)
    for words in BASIS[lang]:
        assert words in text
    basis = text[text.index(BASIS[lang][1]) - 120 :]
    assert f"№ {run.c.order_number}" in basis  # the order forming the commission
    paper = text[text.index(PAPER[lang]) :]
    m = run.c.municipality
    assert m.address in paper
    assert m.phone in paper
    assert run.cast.members[1].full_name in paper  # the secretary receives them
    assert {"ky": "комиссиянын катчысы", "ru": "секретарь комиссии"}[lang] in paper
