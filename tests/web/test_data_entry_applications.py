"""What a person types into an application is never lost and never said to be saved when it
is not: sections save on every way out, valid fields are kept beside the invalid ones, the
participants add up; and a citizen's online application is withdrawn by her alone, the
office only recording a withdrawal she asked for in writing."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from initiatives.applications.models import Application, Attachment
from initiatives.audit.models import AuditEvent
from initiatives.notifications import operations as notifications
from initiatives.notifications.models import Notification
from tests.web import test_applications as applying
from tests.web.test_applications import APPLICANT, PDF, PLAN, budget, now, save, start, text

# The fixtures of the application tests: an open competition, a citizen who registers.
open_run = applying.open_run
citizen = applying.citizen

SPECIALIST = "specialist@orozbekov.example"


def draft(db, aid: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, aid)


# --- every way out of a section saves it ------------------------------------------------------


@pytest.mark.parametrize("goto", ["plan", "applicant", "review"])
def test_the_step_list_and_back_save_the_section_and_go_where_they_point(
    open_run, citizen, db, goto
):
    client = citizen("en", login="steps@example.org")
    aid = start(client, open_run.c.id)
    data = {"title": "Clean water", "problem": "The pipes are old.", "goto": goto}
    data["initiative_kind"] = "co_financing"
    response = save(client, aid, "initiative", data)
    assert response.location.endswith(f"/applications/{aid}/edit/{goto}")
    a = draft(db, aid)
    assert (a.title, a.problem) == ("Clean water", "The pipes are old.")


def test_a_background_save_answers_without_a_page_or_a_message(open_run, citizen, db):
    client = citizen("en", login="auto@example.org")
    aid = start(client, open_run.c.id)
    typed = {"title": "Typed", "initiative_kind": "co_financing", "autosave": "1"}
    response = save(client, aid, "initiative", typed, expect=204)
    assert response.get_data() == b""
    assert draft(db, aid).title == "Typed"
    page = text(client.get(f"/applications/{aid}/edit/initiative"))
    assert "Saved." not in page  # no message left waiting for the next page


def test_valid_fields_are_saved_and_an_invalid_one_keeps_what_was_typed(open_run, citizen, db):
    client = citizen("en", login="partial@example.org")
    aid = start(client, open_run.c.id)
    before = draft(db, aid).contact_email
    response = save(
        client, aid, "applicant", {**APPLICANT, "contact_email": "asel@", "goto": "plan"}, 422
    )
    page = text(response)
    assert 'value="asel@"' in page  # what was typed comes back, with its error
    assert "This does not look like an e-mail address." in page
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "E-mail" in summary and "not saved" in summary
    a = draft(db, aid)
    assert (a.village, a.address, a.contact_email) == ("Кара-Бак", "Ленин к., 12", before)
    # The way on is offered, knowing the marked field stays as it was.
    assert f'href="/applications/{aid}/edit/plan"' in summary


def test_a_plan_row_with_a_date_error_stays_and_its_valid_part_is_saved(open_run, citizen, db):
    client = citizen("en", login="plan@example.org")
    aid = start(client, open_run.c.id)
    rows = {
        **PLAN,
        "activities-1-description": "Paint the tank",
        "activities-1-starts_on": "2027-02-10",
        "activities-1-ends_on": "2027-02-01",
        "activities-1-responsible": "Nurlan",
    }
    page = text(save(client, aid, "plan", rows, 422))
    assert "The end is before the start." in page
    assert 'value="Paint the tank"' in page and 'value="2027-02-01"' in page
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Activity 2" in summary and "not saved" in summary
    assert "Saved." not in page
    a = draft(db, aid)
    assert [(x.description, x.starts_on, x.ends_on, x.responsible) for x in a.activities] == [
        ("Түтүк сатып алуу", date(2027, 1, 10), date(2027, 1, 20), "Бакыт Асанов"),
        ("Paint the tank", date(2027, 2, 10), None, "Nurlan"),
    ]


def test_an_invalid_amount_keeps_the_saved_one_and_the_rest_of_the_row_is_saved(
    open_run, citizen, db
):
    client = citizen("en", login="money@example.org")
    aid = start(client, open_run.c.id)
    save(client, aid, "budget", budget())
    page = text(
        save(
            client,
            aid,
            "budget",
            {**budget(), "lines-0-item": "Pipes", "lines-0-unit_price": "-5"},
            422,
        )
    )
    assert 'value="-5"' in page
    line = draft(db, aid).budget_lines[0]
    assert (line.item, line.unit_price) == ("Pipes", Decimal("10000.00"))


def test_amounts_typed_the_local_way_are_understood(open_run, citizen, db):
    client = citizen("ru", login="comma@example.org")
    aid = start(client, open_run.c.id)
    save(client, aid, "budget", budget(local="9\u00a0000,50", own="999,50", price="10 000"))
    line = draft(db, aid).budget_lines[0]
    assert (line.unit_price, line.local_amount, line.own_amount) == (
        Decimal("10000.00"),
        Decimal("9000.50"),
        Decimal("999.50"),
    )


# --- participants add up -----------------------------------------------------------------------


def test_a_sub_group_larger_than_all_the_participants_is_refused_on_its_field(
    open_run, citizen, db
):
    client = citizen("en", login="people@example.org")
    aid = start(client, open_run.c.id)
    data = {"group_women": "1", "group_men": "1", "group_disabled": "500"}
    page = text(save(client, aid, "people", data, 422))
    assert 'value="500"' in page
    error = re.search(r'<p class="field-error" id="group_disabled-error">([^<]+)</p>', page)
    assert error and "2" in error.group(1), page
    assert draft(db, aid).expected_participants == {"women": 1, "men": 1}
    save(client, aid, "people", {**data, "group_disabled": "2"})
    assert draft(db, aid).expected_participants == {"women": 1, "men": 1, "disabled": 2}


# --- figures in the page's language ---------------------------------------------------------


def test_file_sizes_are_written_one_way_in_the_page_language(open_run, citizen, db):
    client = citizen("ru", login="sizes@example.org")
    aid = start(client, open_run.c.id)
    content = b"%PDF-1.4\n" + b"0" * 48_000 + b"\n%%EOF\n"
    response = client.post(
        f"/applications/{aid}/attachments",
        data={"doc_type": "budget", "file": (io.BytesIO(content), "budget.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    page = text(client.get(f"/applications/{aid}/edit/documents"))
    assert "(46,9 КБ)" in page and "KB" not in page  # the receipt's format, in Russian
    assert "10 МБ" in page and "10.0" not in page
    assert "(46,9 КБ)" in text(client.get(f"/applications/{aid}"))


def test_the_budget_step_warns_of_a_request_above_the_maximum(open_run, citizen, db):
    client = citizen("ky", login="max@example.org")
    aid = start(client, open_run.c.id)
    page = text(client.get(f"/applications/{aid}/edit/budget"))
    warning = re.search(r"<p[^>]*data-over-max[^>]*>", page)
    assert warning and "hidden" in warning.group(0)  # nothing requested yet
    save(client, aid, "budget", budget(local="16000", own="1000", price="17000"))
    page = text(client.get(f"/applications/{aid}/edit/budget"))
    warning = re.search(r"<p[^>]*data-over-max[^>]*>(.*?)</p>", page, re.S)
    assert warning and "hidden" not in warning.group(0).split(">", 1)[0]
    assert "15\u00a0000,00 сом" in warning.group(1)
    # The live totals write money as the server does: its symbols come with the page.
    form = re.search(r"<form[^>]*data-budget[^>]*>", page).group(0)
    assert 'data-group="\u00a0"' in form and 'data-decimal=","' in form
    assert 'data-unit="сом"' in form and 'data-max="15000.00"' in form


# --- withdrawal: the applicant's own act; the office records a written request --------------------


@pytest.fixture
def submitted(build, db):
    run = build("announced", proposals=2, t0=now() - timedelta(days=2))
    a = run.apps[0][0]
    assert a.state == "submitted" and a.owner is not None and a.channel == "online"
    return run, a.id


def test_the_office_cannot_withdraw_a_citizens_online_application_in_one_click(
    submitted, login, db
):
    run, aid = submitted
    client = login(SPECIALIST)
    page = text(client.get(f"/applications/{aid}"))
    assert f'action="/applications/{aid}/withdraw"' not in page
    assert client.post(f"/applications/{aid}/withdraw", data={"confirm": "y"}).status_code == 403
    step = client.post(f"/applications/{aid}/steps/withdraw", data={"confirm": "1"})
    assert step.status_code == 403
    competition = text(client.get(f"/competitions/{run.c.id}"))
    assert f"/applications/{aid}/steps/withdraw" not in competition
    assert f"/applications/{aid}/steps/record_withdrawal" not in competition
    assert f'href="/applications/{aid}/withdrawal"' in competition
    assert draft(db, aid).state == "submitted"


def test_recording_a_withdrawal_needs_a_reason_the_written_request_and_a_confirmation(
    submitted, login, db
):
    run, aid = submitted
    client = login(SPECIALIST)
    client.post("/language/en")
    assert client.get(f"/applications/{aid}/withdrawal").status_code == 200

    empty = client.post(f"/applications/{aid}/withdrawal", data={"confirm": "y"})
    assert empty.status_code == 422
    assert text(empty).count('class="field-error"') >= 2  # the reason and the file

    reason = "She asked in writing on 3 March: the group broke up."
    scan = b"%PDF-1.4\n" + b"1" * 3000 + b"\n%%EOF\n"
    unconfirmed = client.post(
        f"/applications/{aid}/withdrawal",
        data={"reason": reason, "file": (io.BytesIO(scan), "request.pdf")},
        content_type="multipart/form-data",
    )
    assert unconfirmed.status_code == 422
    page = text(unconfirmed)
    assert reason in page and "request.pdf" in page  # both kept: nothing to type again
    kept = re.search(r'name="kept_file" type="hidden" value="([^"]+)"', page)
    assert kept, page
    assert draft(db, aid).state == "submitted"

    done = client.post(
        f"/applications/{aid}/withdrawal",
        data={"reason": reason, "confirm": "y", "kept_file": kept.group(1)},
    )
    assert done.status_code == 302, text(done)
    a = draft(db, aid)
    assert a.state == "withdrawn"
    stored = db.session.scalars(
        select(Attachment).where(
            Attachment.application_id == aid, Attachment.doc_type == "withdrawal_request"
        )
    ).one()
    assert stored.size_bytes == len(scan) and stored.uploaded_by_id == run.cast.specialist.id
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "application",
            AuditEvent.subject_id == aid,
            AuditEvent.to_state == "withdrawn",
        )
    ).one()
    assert event.action == "record_withdrawal"
    assert event.actor_id == run.cast.specialist.id
    assert event.data["reason"] == reason and event.data["written_request"] == stored.sha256


def test_the_citizen_reads_who_recorded_her_withdrawal_and_is_told(submitted, login, db, app):
    run, aid = submitted
    client = login(SPECIALIST)
    reason = "Written request No. 17 of 3 March."
    response = client.post(
        f"/applications/{aid}/withdrawal",
        data={"reason": reason, "confirm": "y", "file": (io.BytesIO(PDF), "request.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    owner = draft(db, aid).owner
    staff = run.cast.specialist.full_name

    citizen_client = login(owner.email)
    citizen_client.post("/language/en")
    page = html.unescape(text(citizen_client.get(f"/applications/{aid}")))
    assert f"Withdrawal recorded by {staff} at the applicant's written request" in page
    assert reason in page
    assert "request.pdf" in page  # her request, in her files

    told = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == owner.id, Notification.application_id == aid)
        .order_by(Notification.id)
    ).all()
    assert [n.kind for n in told] == ["application.submit", "application.record_withdrawal"]
    assert told[-1].note == reason
    with app.test_request_context(), force_locale("en"):
        message = notifications.text(told[-1])
    assert staff in message and "written request" in message


def test_only_the_office_records_a_withdrawal(submitted, login, db):
    _run, aid = submitted
    owner = draft(db, aid).owner
    for who in (owner.email, "head@orozbekov.example", "member1@orozbekov.example"):
        client = login(who)
        assert client.get(f"/applications/{aid}/withdrawal").status_code == 403, who
        refused = client.post(
            f"/applications/{aid}/withdrawal",
            data={"reason": "x", "confirm": "y", "file": (io.BytesIO(PDF), "r.pdf")},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 403, who
    assert draft(db, aid).state == "submitted"


def test_the_applicant_still_withdraws_online_herself(submitted, login, db):
    _run, aid = submitted
    client = login(draft(db, aid).owner.email)
    assert client.post(f"/applications/{aid}/withdraw", data={"confirm": "y"}).status_code == 302
    assert draft(db, aid).state == "withdrawn"
