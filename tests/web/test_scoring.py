"""The commission at work through HTTP, on the Orozbekov example of DOMAIN.md: five members
declare conflicts and score alone, the secretary follows and closes the scoring, the ranking
and the proposal of winners use the 23,000 som exactly, the meeting votes with a quorum, the
head decides, and after that nothing the commission decided can change."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.audit.models import AuditEvent
from initiatives.competitions.models import Competition
from initiatives.core.errors import Refused
from initiatives.demo.builder import at, screening_meeting
from initiatives.documents.models import Document
from initiatives.lifecycle.operations import fire
from initiatives.notifications.models import Notification
from initiatives.scoring.models import ScoreSheet

MEMBERS = [
    "chair@orozbekov.example",
    "specialist@orozbekov.example",  # the secretary
    "member1@orozbekov.example",
    "member2@orozbekov.example",
    "member3@orozbekov.example",
]
# Points each member gives on every criterion of each application (by registration order).
# Member 5 is recused from application 4 (the applicant is a relative).
POINTS = [
    [9, 8, 6, 5],
    [8, 8, 7, 4],
    [10, 7, 6, 5],
    [9, 9, 5, 6],
    [9, 8, 7, None],
]


def text(response) -> str:
    return response.get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def scoring_run(build, db):
    """Four admitted applications of the Orozbekov example, scoring just opened."""
    run = build("screening", proposals=4)
    fire(
        run.c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )
    db.session.commit()
    return run


def step(client, c, trigger, **data):
    return client.post(
        f"/competitions/{c.id}/steps/{trigger}",
        data={"version": "", "confirm": "1", **data},
    )


def score_everything(login, run, apps, *, conflict_seat=4, conflict_app=3):
    c = run.c
    for m, member in enumerate(MEMBERS):
        client = login(member)
        page = client.get(f"/competitions/{c.id}/scoring")
        assert page.status_code == 200
        answers = {}
        for i, a in enumerate(apps):
            if m == conflict_seat and i == conflict_app:
                answers[f"answer_{a.id}"] = "conflict"
                answers[f"nature_{a.id}"] = "The applicant is my cousin."
            else:
                answers[f"answer_{a.id}"] = "none"
        response = client.post(f"/competitions/{c.id}/scoring/conflicts", data=answers)
        assert response.status_code == 302, text(response)
        for i, a in enumerate(apps):
            points = POINTS[m][i]
            url = f"/competitions/{c.id}/scoring/applications/{a.id}"
            if points is None:
                assert "cell recused" in text(client.get(url))
                refused = client.post(url, data={"action": "save", "score_1": "5"})
                assert refused.status_code == 409
                continue
            scores = {f"score_{k.id}": str(points) for k in c.criteria}
            draft = dict(list(scores.items())[:2])
            saved = client.post(url, data={"action": "save", **draft})
            assert saved.status_code == 302, text(saved)
            version = db_sheet(run, m, a).version
            done = client.post(
                url,
                data={"action": "submit", "confirm": "y", "version": str(version), **scores},
            )
            assert done.status_code == 302, text(done)


def declare_no_conflict(client, run):
    """By the fields the page shows: in blind scoring they are not named by the ids."""
    url = f"/competitions/{run.c.id}/scoring/conflicts"
    keys = set(re.findall(r'name="(answer_[^"]+)"', text(client.get(url))))
    assert len(keys) == len(run.apps)
    response = client.post(url, data=dict.fromkeys(keys, "none"))
    assert response.status_code == 302, text(response)
    return response


def db_sheet(run, m, a):
    from initiatives.extensions import db

    seat = run.c.seats[m]
    return db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.seat_id == seat.id, ScoreSheet.application_id == a.id)
    ).one()


def test_orozbekov_from_scoring_to_winners_through_http(scoring_run, login, db):
    run = scoring_run
    c = run.c
    apps = [a for a, _p in run.apps]
    c.settings = {**c.settings, "casting_vote": True}
    db.session.commit()

    score_everything(login, run, apps)

    # The secretary sees everybody done, the recusal, and closes the scoring.
    secretary = login("specialist@orozbekov.example")
    progress = text(secretary.get(f"/competitions/{c.id}/scoring/progress"))
    assert '<progress max="20" value="20"' in progress  # 19 sheets and 1 recusal
    assert progress.count('class="cell recused"') == 1
    assert progress.count('class="cell ok"') == 19
    closed = secretary.post(f"/competitions/{c.id}/scoring/close", data={})
    assert closed.status_code == 302
    db.session.expire_all()
    assert {a.state for a in db.session.scalars(select(Application))} == {"scored"}

    # The chair reads the ranking and records the proposal of winners.
    chair = login("chair@orozbekov.example")
    ranking = text(chair.get(f"/competitions/{c.id}/results"))
    assert ranking.index("Папа, мама и я") < ranking.index("Путешествие в сказку")
    assert chair.post(f"/competitions/{c.id}/results/apply", data={}).status_code == 302
    db.session.expire_all()
    by_title = {a.title: a for a in db.session.scalars(select(Application))}
    first, second = by_title["Папа, мама и я"], by_title["Путешествие в сказку"]
    assert (first.state, first.awarded_amount) == ("awarded", Decimal("12000.00"))
    assert (second.state, second.awarded_amount) == ("awarded", Decimal("11000.00"))
    assert first.awarded_amount + second.awarded_amount == Decimal("23000.00")
    assert [s.amount for s in first.award_shares] == [Decimal("25000.00")]
    assert [s.amount for s in second.award_shares] == [Decimal("25000.00")]
    assert {a.state for t, a in by_title.items() if a not in (first, second)} == {"not_awarded"}

    # Approving before the meeting is refused with the reason.
    chair.post("/language/en")
    early = step(chair, c, "approve_results")
    assert early.status_code == 409
    assert "the results meeting of the commission is not recorded" in text(early)

    # The meeting: everybody present; member 5 recused from application 4 does not vote
    # on it (application 4 is not awarded, so it has no motion); all for.
    seats = [s.id for s in db.session.get(Competition, c.id).seats]
    form = {"held_at": "2026-04-06T10:00", "place": "Ayil okmotu"}
    for s in seats:
        form[f"present_{s}"] = "y"
    for key in (f"award-{first.id}", f"award-{second.id}", "approve"):
        for s in seats:
            form[f"vote_{key}_{s}"] = "for"
    secretary = login("specialist@orozbekov.example")
    recorded = secretary.post(f"/competitions/{c.id}/results/meeting", data=form)
    assert recorded.status_code == 302, text(recorded)

    chair = login("chair@orozbekov.example")
    approved = step(chair, c, "approve_results")
    assert approved.status_code == 302
    db.session.expire_all()
    c = db.session.get(Competition, c.id)
    assert c.state == "results_approved"
    protocol = db.session.scalars(
        select(Document).where(Document.competition_id == c.id, Document.kind == "results_protocol")
    ).one()

    # Every member's totals for every application are in the protocol's text.
    response = chair.get(f"/documents/{protocol.id}.pdf")
    assert response.status_code == 200
    words = pdf_text(response.data)
    for m in range(5):
        for i in range(4):
            points = POINTS[m][i]
            total = f"{points * 5},00" if points is not None else None
            if total is not None:
                assert total in words, (m, i, total)
    for seat in c.seats:
        assert seat.name in words
    assert re.search(r"23\s000,00", words)

    # The head's decision announces the winners and tells every applicant.
    head = login("head@orozbekov.example")
    decided = step(head, c, "announce_winners", decision_number="2026-42")
    assert decided.status_code == 302, text(decided)
    db.session.expire_all()
    assert db.session.get(Competition, c.id).state == "winners_announced"
    kinds = {d.kind.value for d in db.session.scalars(select(Document))}
    assert {"winners_decision", "results_notice", "score_sheet", "conflict_declaration"} <= kinds
    told = {n.application_id for n in db.session.scalars(select(Notification))}
    assert {a.id for a in apps} <= told

    # After approval nothing can change: a 409 page, and the attempt is in the audit trail.
    member = login(MEMBERS[2])
    url = f"/competitions/{c.id}/scoring/applications/{apps[2].id}"
    late = member.post(url, data={"action": "save", "score_1": "1"})
    assert late.status_code == 409
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("refused:%"))
    ).all()
    assert refused and refused[-1].action == "refused:save_sheet"
    again = login("specialist@orozbekov.example").post(
        f"/competitions/{c.id}/results/meeting", data=form
    )
    assert again.status_code == 409


def test_blind_scoring_shows_codes_not_names(scoring_run, login, db):
    run = scoring_run
    c = run.c
    c.settings = {**c.settings, "blind_scoring": True}
    a = run.apps[0][0]
    a.contact_phone = "+996700111222"
    db.session.commit()
    member = login(MEMBERS[2])
    workspace = text(member.get(f"/competitions/{c.id}/scoring"))
    assert a.public_code in workspace
    assert a.applicant_name not in workspace
    declare_no_conflict(member, run)
    sheet = text(member.get(f"/competitions/{c.id}/scoring/applications/{a.id}"))
    assert a.public_code in sheet and a.title in sheet
    assert a.applicant_name not in sheet
    assert a.contact_phone not in sheet
    # The application's own page (with the name) is closed to a member while blind.
    assert member.get(f"/applications/{a.id}").status_code == 404


def test_a_stale_sheet_is_refused_and_keeps_what_was_typed(scoring_run, login, db):
    run = scoring_run
    c, a = run.c, run.apps[0][0]
    member = login(MEMBERS[2])
    declare_no_conflict(member, run)
    url = f"/competitions/{c.id}/scoring/applications/{a.id}"
    k = c.criteria[0].id
    assert member.post(url, data={"action": "save", f"score_{k}": "5"}).status_code == 302
    version = db_sheet(run, 2, a).version
    # Another window saves first...
    other = {"action": "save", "version": str(version), f"score_{k}": "6"}
    assert member.post(url, data=other).status_code == 302
    # ...so this older page is refused, and shows what was typed in it.
    stale = member.post(
        url,
        data={"action": "save", "version": str(version), f"score_{k}": "7", f"comment_{k}": "mine"},
    )
    assert stale.status_code == 409
    assert 'value="7"' in text(stale) and "mine" in text(stale)
    db.session.expire_all()
    assert db_sheet(run, 2, a).scores[0].value == Decimal("6.00")


def test_a_page_opened_before_the_sheet_existed_is_stale_once_another_window_saved(
    scoring_run, login, db
):
    run = scoring_run
    c, a = run.c, run.apps[0][0]
    member = login(MEMBERS[2])
    declare_no_conflict(member, run)
    url = f"/competitions/{c.id}/scoring/applications/{a.id}"
    k = c.criteria[0].id
    # Two windows opened the blank sheet (version ""); the first one saves...
    assert (
        member.post(url, data={"action": "save", "version": "", f"score_{k}": "4"}).status_code
        == 302
    )
    # ...and the second one's save is refused, not written over the first.
    late = member.post(url, data={"action": "save", "version": "", f"score_{k}": "9"})
    assert late.status_code == 409 and 'value="9"' in text(late)
    db.session.expire_all()
    assert db_sheet(run, 2, a).scores[0].value == Decimal("4.00")


def test_scores_outside_the_scale_are_form_errors(scoring_run, login):
    run = scoring_run
    c, a = run.c, run.apps[0][0]
    member = login(MEMBERS[2])
    declare_no_conflict(member, run)
    url = f"/competitions/{c.id}/scoring/applications/{a.id}"
    k = c.criteria[0].id
    for bad in ("11", "-1", "NaN", "ten"):
        response = member.post(url, data={"action": "save", f"score_{k}": bad})
        assert response.status_code == 422, bad
        assert re.search(r'value="' + re.escape(bad), text(response)) or bad == "NaN"
    # Submitting an incomplete sheet is refused; nothing is lost.
    response = member.post(url, data={"action": "submit", "confirm": "y", f"score_{k}": "4"})
    assert response.status_code == 409


def test_who_may_see_the_commission_pages(scoring_run, login):
    c = scoring_run.c
    applicant = login("aigul@orozbekov.example")
    for path in ("scoring", "scoring/progress", "results", "results/meeting"):
        assert applicant.get(f"/competitions/{c.id}/{path}").status_code in (403, 404)
    member = login(MEMBERS[3])
    assert member.get(f"/competitions/{c.id}/scoring").status_code == 200
    assert member.get(f"/competitions/{c.id}/results").status_code == 403
    assert member.post(f"/competitions/{c.id}/results/apply", data={}).status_code == 403
    assert member.post(f"/competitions/{c.id}/scoring/close", data={}).status_code == 403
    head = login("head@orozbekov.example")
    assert head.get(f"/competitions/{c.id}/scoring").status_code == 302  # to progress
    assert head.get(f"/competitions/{c.id}/results").status_code == 200
    oversight = login("oversight@demo.example")
    assert oversight.get(f"/competitions/{c.id}/scoring/progress").status_code == 200


@pytest.fixture
def scored_run(build):
    """Every sheet in and every application's scoring closed (the builder's real steps)."""
    return build("scoring", proposals=4)


def meeting_form(c, votes, present=None):
    seats = [s.id for s in c.seats]
    form = {"held_at": "2026-04-06T10:00", "place": "Ayil okmotu"}
    for s in present if present is not None else seats:
        form[f"present_{s}"] = "y"
    for key, choices in votes.items():
        for s, choice in zip(seats, choices, strict=True):
            if choice:
                form[f"vote_{key}_{s}"] = choice
    return form


def test_a_partial_amount_moves_the_money_down_the_ranking(scored_run, login, db):
    run = scored_run
    c = run.c
    first, second, third, _fourth = (a for a, _p in run.apps)
    chair = login("chair@orozbekov.example")
    url = f"/competitions/{c.id}/results/partial/{first.id}"
    too_much = chair.post(url, data={"amount": "12500"})
    assert too_much.status_code == 422
    assert 'value="12500"' in text(too_much)  # what was typed is kept
    assert chair.post(url, data={"amount": "10000"}).status_code == 302
    chair.post("/language/en")
    page = text(chair.get(f"/competitions/{c.id}/results"))
    assert "(partial)" in page
    assert chair.post(f"/competitions/{c.id}/results/apply", data={}).status_code == 302
    db.session.expire_all()
    amounts = [db.session.get(Application, a.id).awarded_amount for a in (first, second, third)]
    # 10,000 + 11,000 leave 2,000: the third's 9,000 does not fit.
    assert amounts == [Decimal("10000.00"), Decimal("11000.00"), None]
    # Back to the whole request: the decisions are reconsidered and taken again.
    chair = login("chair@orozbekov.example")
    assert chair.post(url, data={"amount": ""}).status_code == 302
    assert chair.post(f"/competitions/{c.id}/results/apply", data={}).status_code == 302
    db.session.expire_all()
    amounts = [db.session.get(Application, a.id).awarded_amount for a in (first, second, third)]
    assert amounts == [Decimal("12000.00"), Decimal("11000.00"), None]
    # Nobody is told before the head announces the winners...
    news = db.session.scalars(select(Notification.kind)).all()
    assert not {"application.award", "application.not_award", "application.reconsider"} & set(news)
    # ...and the applicant reads "under review" meanwhile.
    owner = login("aigul@orozbekov.example")
    mine = text(owner.get("/my/applications"))
    assert "state-scored" in mine and "state-awarded" not in mine


def test_no_quorum_and_tied_votes(scored_run, login, db):
    run = scored_run
    c = run.c
    chair = login("chair@orozbekov.example")
    chair.post("/language/en")
    assert chair.post(f"/competitions/{c.id}/results/apply", data={}).status_code == 302
    db.session.expire_all()
    awarded = [a for a in db.session.scalars(select(Application)) if a.state == "awarded"]
    keys = [f"award-{a.id}" for a in sorted(awarded, key=lambda a: a.number)] + ["approve"]
    seats = [s.id for s in c.seats]

    # Two of five present: no quorum, whatever they vote.
    two = {k: ["for", "for", None, None, None] for k in keys}
    form = meeting_form(c, two, present=seats[:2])
    assert chair.post(f"/competitions/{c.id}/results/meeting", data=form).status_code == 302
    refused = step(chair, c, "approve_results")
    assert refused.status_code == 409
    assert "the results meeting had no quorum" in text(refused)

    # Four present, a tie on the results: the chair (for) decides with a casting vote...
    tie = {k: ["for", "for", None, "for", "for"] for k in keys[:-1]}
    tie["approve"] = ["for", "against", None, "for", "against"]
    four = [seats[0], seats[1], seats[3], seats[4]]
    form = meeting_form(c, tie, present=four)
    assert chair.post(f"/competitions/{c.id}/results/meeting", data=form).status_code == 302
    c_row = db.session.get(Competition, c.id)
    c_row.settings = {**c_row.settings, "casting_vote": False}
    db.session.commit()
    # ...but not when the regulation gives the chair no casting vote.
    assert step(chair, c, "approve_results").status_code == 409
    c_row = db.session.get(Competition, c.id)
    c_row.settings = {**c_row.settings, "casting_vote": True}
    db.session.commit()
    assert step(chair, c, "approve_results").status_code == 302
    db.session.expire_all()
    assert db.session.get(Competition, c.id).state == "results_approved"


def test_an_incomplete_vote_is_refused_and_nothing_is_recorded(scored_run, login, db):
    run = scored_run
    c = run.c
    chair = login("chair@orozbekov.example")
    chair.post(f"/competitions/{c.id}/results/apply", data={})
    votes = {"approve": ["for", "for", "for", "for", None]}  # the fifth present has no vote
    response = chair.post(f"/competitions/{c.id}/results/meeting", data=meeting_form(c, votes))
    assert response.status_code == 422
    db.session.expire_all()
    meetings = db.session.get(Competition, c.id).meetings
    assert [m.purpose.value for m in meetings] == ["screening"]  # no results meeting
    # The unanimous shortcut records everybody's vote.
    form = {**meeting_form(c, {}), "unanimous": "y"}
    assert chair.post(f"/competitions/{c.id}/results/meeting", data=form).status_code == 302
    assert step(chair, c, "approve_results").status_code == 302


def test_a_late_conflict_on_the_last_application_completes_the_member(scoring_run, db):
    """Three sheets submitted, then a conflict declared on the fourth: the member is done,
    and both the amended declaration and the score sheets are registered."""
    from initiatives.scoring import operations

    run = scoring_run
    seat = run.c.seats[2]
    apps = [a for a, _p in run.apps]
    operations.declare_conflicts(seat, seat.user, {a.id: (False, None) for a in apps})
    for a in apps[:3]:
        sheet = operations.save_sheet(seat, a, seat.user, {k.id: (7, "") for k in run.c.criteria})
        assert operations.submit_sheet(sheet, seat.user) == []
    late = operations.declare_conflicts(seat, seat.user, {apps[3].id: (True, "My brother")})
    assert [d.kind.value for d in late] == ["conflict_declaration", "score_sheet"]
    assert operations.member_done(seat)
    # A declared conflict is never withdrawn.
    with pytest.raises(Refused):
        operations.declare_conflicts(seat, seat.user, {apps[3].id: (False, None)})


def _queries(app, client, path) -> int:
    from sqlalchemy import event

    from initiatives.extensions import db as ext

    with app.app_context():
        engine = ext.engine
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_commission_pages_cost_the_same_queries_for_two_or_four_applications(app, build, login):
    small, large = build("scoring", proposals=2), build("scoring", proposals=4)
    chair = login("chair@orozbekov.example")
    for page in ("scoring", "scoring/progress", "results", "results/meeting"):
        few = _queries(app, chair, f"/competitions/{small.c.id}/{page}")
        many = _queries(app, chair, f"/competitions/{large.c.id}/{page}")
        assert few == many, (page, few, many)


def test_the_results_protocol_is_public_once_the_head_has_decided(build, client, db):
    run = build("results_approved", proposals=2)
    protocol = db.session.scalars(select(Document).where(Document.kind == "results_protocol")).one()
    assert client.get(f"/documents/{protocol.id}.pdf").status_code == 404
    page = client.get(f"/announcements/{run.c.id}")
    assert page.status_code == 200
    assert f"/documents/{protocol.id}.pdf" not in text(page)
    run = build("winners_announced", proposals=2)
    protocol = db.session.scalars(
        select(Document).where(
            Document.kind == "results_protocol", Document.competition_id == run.c.id
        )
    ).one()
    assert client.get(f"/documents/{protocol.id}.pdf").status_code == 200


def test_the_ranking_is_shown_a_page_of_places_at_a_time(scored_run, login, monkeypatch):
    """A national competition's thousand rows come a hundred at a time; here two."""
    from initiatives.scoring import views

    monkeypatch.setattr(views, "RANKING_PAGE", 2)
    c = scored_run.c
    chair = login("chair@orozbekov.example")
    chair.post("/language/en")
    rows = lambda page: re.findall(r'<tr id="row-(\d+)"', page)  # noqa: E731
    first = text(chair.get(f"/competitions/{c.id}/results"))
    second = text(chair.get(f"/competitions/{c.id}/results?page=2"))
    assert len(rows(first)) == 2 and len(rows(second)) == 2
    assert not set(rows(first)) & set(rows(second))
    assert "Places:" in first and "3–4" in first and "funding line" in first
    # Out of range or not a number: the nearest page, never an error.
    assert rows(text(chair.get(f"/competitions/{c.id}/results?page=99"))) == rows(second)
    assert rows(text(chair.get(f"/competitions/{c.id}/results?page=x"))) == rows(first)
    # An amount set on the second page comes back on the second page.
    last = int(rows(second)[-1])
    done = chair.post(f"/competitions/{c.id}/results/partial/{last}", data={"amount": "1000"})
    assert done.status_code == 302 and f"row={last}" in done.headers["Location"]
    assert rows(text(chair.get(done.headers["Location"]))) == rows(second)
    # A refused amount too, with what was typed.
    refused = chair.post(f"/competitions/{c.id}/results/partial/{last}", data={"amount": "999999"})
    assert refused.status_code == 422
    assert rows(text(refused)) == rows(second) and 'value="999999"' in text(refused)


def test_a_members_list_opens_on_the_page_of_what_is_left_to_score(
    scoring_run, login, monkeypatch, db
):
    from initiatives.scoring import views

    monkeypatch.setattr(views, "RANKING_PAGE", 2)
    run = scoring_run
    c = run.c
    member = login(MEMBERS[2])
    member.post("/language/en")
    declare_no_conflict(member, run)
    cards = lambda page: re.findall(r"/scoring/applications/(\d+)", page)  # noqa: E731
    apps = sorted((a for a, _p in run.apps), key=lambda a: a.number)
    assert set(cards(text(member.get(f"/competitions/{c.id}/scoring")))) == {
        str(a.id) for a in apps[:2]
    }
    for a in apps[:2]:
        scores = {f"score_{k.id}": "7" for k in c.criteria}
        done = member.post(
            f"/competitions/{c.id}/scoring/applications/{a.id}",
            data={"action": "submit", "confirm": "y", "version": "", **scores},
        )
        assert done.status_code == 302, text(done)
    page = text(member.get(f"/competitions/{c.id}/scoring"))
    assert set(cards(page)) == {str(a.id) for a in apps[2:]}
    assert "2 of 4 done" in page and "Places:" in page
    assert set(cards(text(member.get(f"/competitions/{c.id}/scoring?page=1")))) == {
        str(a.id) for a in apps[:2]
    }
