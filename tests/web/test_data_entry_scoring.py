"""Issue 26, data entry on the commission's pages: a refused submit keeps what the member
typed and the version the page carries; an empty decision number is a field error on the
head's decision form; the pages say what the competition waits for and who."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from initiatives.demo.builder import at, screening_meeting
from initiatives.lifecycle.operations import fire
from initiatives.scoring.models import ScoreSheet

MEMBER = "member1@orozbekov.example"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def scoring_run(build, db):
    run = build("screening", proposals=3)
    fire(
        run.c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )
    db.session.commit()
    return run


def declare_no_conflict(client, c):
    answers = {f"answer_{a.id}": "none" for a in c.applications if a.state == "admitted"}
    response = client.post(f"/competitions/{c.id}/scoring/conflicts", data=answers)
    assert response.status_code == 302, text(response)


def sheets_of(db, a):
    db.session.expire_all()
    return db.session.scalars(select(ScoreSheet).where(ScoreSheet.application_id == a.id)).all()


def version_on(page: str) -> str:
    found = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert found, "the form carries no version"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_a_submit_without_the_box_keeps_the_scores_and_the_next_submit_goes_through(
    scoring_run, login, db
):
    c = scoring_run.c
    a = next(x for x in c.applications if x.state == "admitted")
    member = login(MEMBER)
    declare_no_conflict(member, c)
    url = f"/competitions/{c.id}/scoring/applications/{a.id}"
    opened = member.get(url)
    assert opened.status_code == 200
    version = version_on(text(opened))
    scores = {f"score_{k.id}": str(5 + i % 4) for i, k in enumerate(c.criteria)}
    refused = member.post(url, data={"action": "submit", "version": version, **scores})
    assert refused.status_code == 422
    page = text(refused)
    for name, value in scores.items():
        assert f'name="{name}"' in page and f'value="{value}"' in page, name
    # Refused means refused: nothing half-stored that would make the next post "stale".
    stored = sheets_of(db, a)
    carried = version_on(page)
    assert not stored or str(stored[0].version) == carried
    done = member.post(url, data={"action": "submit", "confirm": "y", "version": carried, **scores})
    assert done.status_code == 302, text(done)[-2000:]
    (sheet,) = sheets_of(db, a)
    assert sheet.state.value == "submitted"
    assert {s.criterion_id: s.value for s in sheet.scores} == {
        k.id: Decimal(scores[f"score_{k.id}"]) for k in c.criteria
    }


def test_a_draft_then_a_submit_without_the_box_keeps_the_draft_version(scoring_run, login, db):
    c = scoring_run.c
    a = next(x for x in c.applications if x.state == "admitted")
    member = login(MEMBER)
    declare_no_conflict(member, c)
    url = f"/competitions/{c.id}/scoring/applications/{a.id}"
    k = c.criteria[0].id
    assert (
        member.post(url, data={"action": "save", "version": "", f"score_{k}": "3"}).status_code
        == 302
    )
    version = version_on(text(member.get(url)))
    scores = {f"score_{x.id}": "6" for x in c.criteria}
    refused = member.post(url, data={"action": "submit", "version": version, **scores})
    assert refused.status_code == 422
    assert version_on(text(refused)) == version
    (sheet,) = sheets_of(db, a)
    assert [s.value for s in sheet.scores] == [Decimal("3")]  # the draft as it was
    done = member.post(url, data={"action": "submit", "confirm": "y", "version": version, **scores})
    assert done.status_code == 302, text(done)[-2000:]


# --- item 4: the head's decision on financing -------------------------------------------------

HEAD = "head@orozbekov.example"
CHAIR = "chair@orozbekov.example"


def english(client):
    client.post("/language/en")
    return client


def decide(client, c, **data):
    return client.post(f"/competitions/{c.id}/steps/announce_winners", data=data)


@pytest.fixture
def approved(build):
    return build("results_approved", proposals=3)


def test_the_heads_decision_form_shows_the_winners_it_approves(approved, login):
    from initiatives.web import money

    c = approved.c
    head = english(login(HEAD))
    page = head.get(f"/competitions/{c.id}/results")
    assert page.status_code == 200
    html = text(page)
    form = html[html.index('id="decision"') :]
    winners = [a for a in c.applications if a.state == "awarded"]
    assert winners
    for a in winners:
        assert f"№ {a.number} · {a.title}" in form and a.applicant_name in form
    total = sum(a.awarded_amount for a in winners)
    with head.application.test_request_context(headers={"Accept-Language": "en"}):
        assert money(total) in form  # what the decision spends...
        assert money(c.local_budget_amount) in form  # ...against the money there is
        assert money(c.local_budget_amount - total) in form
    assert 'name="decision_number"' in form and 'name="decision_date"' in form
    assert form.index("winners-summary") < form.index('name="decision_number"')


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_decision_number_is_a_field_error_that_keeps_the_date(approved, login, db, typed):
    c = approved.c
    head = english(login(HEAD))
    response = decide(head, c, decision_number=typed, decision_date="2026-04-10", confirm="1")
    assert response.status_code == 422, text(response)[-1500:]
    html = text(response)
    assert "Enter the number of the head's decision." in html
    assert 'id="decision_number-error"' in html
    assert 'value="2026-04-10"' in html
    assert "winners-summary" in html  # still beside the winners, not a page of its own
    db.session.expire_all()
    assert db.session.get(type(c), c.id).state == "results_approved"


def test_a_decision_number_too_long_is_a_field_error_not_a_400(approved, login):
    c = approved.c
    head = english(login(HEAD))
    response = decide(head, c, decision_number="9" * 60, confirm="1")
    assert response.status_code == 422
    assert "9" * 60 in text(response)
    assert 'id="decision_number-error"' in text(response)


def test_the_decision_without_the_box_keeps_the_number(approved, login, db):
    c = approved.c
    head = english(login(HEAD))
    response = decide(head, c, decision_number="2026-17")
    assert response.status_code == 422
    assert 'value="2026-17"' in text(response)
    assert 'id="decision-confirm-error"' in text(response)
    db.session.expire_all()
    assert db.session.get(type(c), c.id).state == "results_approved"


def test_the_decision_is_taken_with_its_number_and_date(approved, login, db):
    c = approved.c
    head = english(login(HEAD))
    response = decide(
        head, c, decision_number="  2026-17 ", decision_date="2026-04-10", confirm="1"
    )
    assert response.status_code == 302, text(response)[-1500:]
    db.session.expire_all()
    decided = db.session.get(type(c), c.id)
    assert decided.state == "winners_announced"
    assert decided.decision_number == "2026-17"
    assert str(decided.decision_date) == "2026-04-10"


def test_the_step_button_of_an_old_page_without_a_number_comes_back_to_the_form(
    approved, login, db
):
    """As the step buttons sent it (version, confirm=1): not a full-page 409 with only a
    link home, but the decision form with the field to correct."""
    c = approved.c
    head = english(login(HEAD))
    response = decide(head, c, version=str(c.version), confirm="1", decision_number="")
    assert response.status_code == 422, text(response)[-1500:]
    assert "Enter the number of the head's decision." in text(response)
    assert 'href="/"' in text(response) and "winners-summary" in text(response)


def test_the_winners_decision_never_reaches_the_generic_conflict_page(approved, login, db):
    c = approved.c
    head = english(login(HEAD))
    for data in (
        {"decision_number": "", "confirm": "1"},
        {"decision_number": " ", "confirm": "1"},
        {"decision_number": "1", "decision_date": "10.04.2026", "confirm": "1"},
        {"decision_number": "x" * 51, "confirm": "1"},
        {"decision_number": "1", "version": "x", "confirm": "1"},
    ):
        response = decide(head, c, **data)
        assert response.status_code == 422, data
        assert "someone else changed this record" not in text(response)
    db.session.expire_all()
    assert db.session.get(type(c), c.id).state == "results_approved"


def test_only_the_head_decides(approved, login, db):
    c = approved.c
    chair = english(login(CHAIR))
    assert 'name="decision_number"' not in text(chair.get(f"/competitions/{c.id}/results"))
    response = decide(chair, c, decision_number="1", confirm="1")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(type(c), c.id).state == "results_approved"


# --- item 15: what the competition waits for, and who -----------------------------------------


def test_after_approving_the_results_the_chair_reads_whom_the_competition_waits_for(
    approved, login
):
    c = approved.c
    chair = english(login(CHAIR))
    html = text(chair.get(f"/competitions/{c.id}"))
    assert "No step is open to you" not in html
    assert "Decide on financing and publish the results" in html
    assert "Head of the ayil okmotu" in html
    meeting = text(chair.get(f"/competitions/{c.id}/results/meeting"))
    assert "Head of the ayil okmotu" in meeting


def test_a_step_blocked_by_the_competition_says_what_is_needed(build, login, db):
    """A signed agreement while the winners' competition has not started implementation:
    not "the competition is not in implementation", but the competition's step, who takes
    it and what it still needs."""
    from initiatives.demo.builder import sign_agreement

    run = build("winners_announced", proposals=3)
    winners = [a for a in run.c.applications if a.state == "awarded"]
    assert len(winners) >= 2
    sign_agreement(run, winners[0], 1)
    db.session.commit()
    specialist = english(login("specialist@orozbekov.example"))
    html = text(specialist.get(f"/competitions/{run.c.id}"))
    assert "the competition is not in implementation" not in html
    assert "Start implementation" in html and "AO specialist" in html
    assert "winners have no signed agreement yet" in html


def test_a_refused_role_says_who_takes_the_step(approved, login):
    c = approved.c
    chair = english(login(CHAIR))
    response = chair.post(
        f"/competitions/{c.id}/steps/announce_winners",
        data={"version": str(c.version), "confirm": "1", "decision_number": "1"},
    )
    assert response.status_code == 403
    assert "Head of the ayil okmotu" in text(response)


def test_a_members_dashboard_counts_the_sheets_left_to_score(scoring_run, login, db):
    c = scoring_run.c
    member = english(login(MEMBER))
    html = text(member.get("/dashboard"))
    left = sum(1 for a in c.applications if a.state == "admitted")
    assert left == 3
    assert "3 applications to score" in html
    assert f'href="/competitions/{c.id}/scoring"' in html
    # One submitted, one recused: one left.
    declare = {f"answer_{a.id}": "none" for a in c.applications if a.state == "admitted"}
    first, second = sorted(
        (a for a in c.applications if a.state == "admitted"), key=lambda a: a.number
    )[:2]
    declare[f"answer_{second.id}"] = "conflict"
    declare[f"nature_{second.id}"] = "My cousin."
    assert member.post(f"/competitions/{c.id}/scoring/conflicts", data=declare).status_code == 302
    scores = {f"score_{k.id}": "5" for k in c.criteria}
    url = f"/competitions/{c.id}/scoring/applications/{first.id}"
    done = member.post(url, data={"action": "submit", "confirm": "y", "version": "", **scores})
    assert done.status_code == 302
    html = text(member.get("/dashboard"))
    assert "1 application to score" in html


def test_a_step_buttons_bad_input_comes_back_as_a_message_not_an_error_page(scoring_run, login, db):
    """Predictable bad input on a step button (an amount that is no number, a reason far
    too long, a reason of spaces): a message above the page it came from, nothing done."""
    c = scoring_run.c
    head = english(login(HEAD))
    url = f"/competitions/{c.id}/steps/cancel"
    back = f"/competitions/{c.id}"
    for data in (
        {"reason": "Flood", "amount": "NaN"},
        {"reason": "x" * 4001},
        {"reason": "   "},
    ):
        response = head.post(url, data={"confirm": "1", "next": back, **data})
        assert response.status_code == 302, (data, response.status_code)
        assert response.headers["Location"].endswith(back)
        page = text(head.get(back))
        assert 'class="flash warning"' in page or "flash warning" in page, data
    db.session.expire_all()
    assert db.session.get(type(c), c.id).state == "scoring"


def test_a_comment_too_long_is_a_field_error_that_keeps_the_scores(scoring_run, login, db):
    c = scoring_run.c
    a = next(x for x in c.applications if x.state == "admitted")
    member = english(login(MEMBER))
    declare_no_conflict(member, c)
    url = f"/competitions/{c.id}/scoring/applications/{a.id}"
    k = c.criteria[0].id
    long = "word " * 500  # 2,500 characters
    response = member.post(
        url, data={"action": "save", "version": "", f"score_{k}": "7", f"comment_{k}": long}
    )
    assert response.status_code == 422
    assert "At most 2000 characters." in text(response)
    assert 'value="7"' in text(response) and long.strip() in text(response)
    assert not sheets_of(db, a)
