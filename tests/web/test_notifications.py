"""Notifications: who is told about a step, in the application and by e-mail through a real
(local) SMTP server, in the language of the reader's account."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from initiatives.demo import loader
from initiatives.demo.builder import draft_application
from initiatives.lifecycle.operations import fire
from initiatives.notifications import operations as notifications
from initiatives.notifications.models import Notification

REASON = "Бюджет толук эмес: смета жок."


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def rows(db, **where) -> list[Notification]:
    return db.session.scalars(
        select(Notification).filter_by(**where).order_by(Notification.id)
    ).all()


def body(message) -> str:
    return message.get_content()


def open_competition(build):
    """Announced two days ago: the window is open, nobody has applied yet."""
    return build("announced", proposals=0, t0=now() - timedelta(days=2))


# --- the owner ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "locale"), [(0, "ky"), (1, "ru")])
def test_an_owner_submitting_gets_a_confirmation_and_an_email_in_their_locale(
    build, db, login, smtp, who, locale
):
    run = open_competition(build)
    owner = run.cast.applicants[who]
    assert owner.locale == locale
    a = draft_application(run.c, owner, loader.PROPOSALS[who], run.t0)
    db.session.commit()
    client = login(owner.email)
    response = client.post(
        f"/applications/{a.id}/steps/submit", data={"confirm": "1", "version": a.version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert a.state == "submitted" and a.number == 1

    (n,) = rows(db, user_id=owner.id)
    assert (n.kind, n.application_id, n.competition_id) == ("application.submit", a.id, run.c.id)
    assert n.params["number"] == 1 and n.params["title"] == a.title
    assert n.emailed_at is not None and n.email_attempts == 1

    (mail,) = smtp.to(owner.email)
    assert mail["To"] == owner.email
    assert mail["Content-Language"] == locale
    assert mail["Subject"].strip()
    text = body(mail)
    assert "1" in mail["Subject"] and a.title in text
    assert owner.full_name in text
    assert f"https://initiatives.example.kg/applications/{a.id}" in text
    assert "https://initiatives.example.kg/notifications" in text
    assert smtp.recipients == {owner.email}  # nobody else is told about a submission

    page = client.get("/notifications").get_data(as_text=True)
    assert a.title in page and f"/applications/{a.id}" in page


def test_a_rejection_reason_reaches_the_owner_in_the_app_and_by_email(build, db, login, smtp):
    run = build("applications_closed", proposals=2, t0=now() - timedelta(days=30))
    fire(run.c, "start_screening", run.secretary, now=now())
    db.session.commit()
    a = run.c.applications[0]
    owner = a.owner
    client = login(run.secretary.email)
    response = client.post(
        f"/applications/{a.id}/steps/reject", data={"reason": REASON, "version": a.version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert a.state == "rejected"

    (n,) = rows(db, user_id=owner.id, kind="application.reject")
    assert n.note == REASON
    assert n.params == {"number": a.number, "title": a.title, "state": "rejected"}
    assert n.emailed_at is not None
    # The step's own request sent the outbox: this and the earlier rows of the build.
    rejected = [m for m in smtp.to(owner.email) if REASON in body(m)]
    assert len(rejected) == 1
    assert str(a.number) in rejected[0]["Subject"] and a.title in body(rejected[0])
    assert rows(db, kind="application.reject", user_id=run.secretary.id) == []

    client = login(owner.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert REASON in page
    on_application = notifications.for_application(a)
    assert [x.kind for x in on_application][:1] == ["application.reject"]


def test_commission_members_are_told_when_screening_starts_in_their_language(build, db, smtp):
    run = build("applications_closed", proposals=2, t0=now() - timedelta(days=30))
    fire(run.c, "start_screening", run.secretary, now=now())
    db.session.commit()
    told = rows(db, kind="competition.start_screening")
    members = [u for u in run.cast.members if u is not run.secretary]
    assert sorted(n.user_id for n in told) == sorted(u.id for u in members)
    assert all(n.competition_id == run.c.id and n.application_id is None for n in told)

    assert notifications.deliver_pending() >= len(members)
    for user in members:
        (mail,) = [m for m in smtp.to(user.email) if loader.TITLES[user.locale] in body(m)]
        assert mail["Content-Language"] == user.locale
        assert mail["Subject"].strip()
        assert f"/competitions/{run.c.id}" in body(mail)
    assert run.secretary.email not in smtp.recipients  # the actor is not told of their act
    assert "ru" in {u.locale for u in members} and "ky" in {u.locale for u in members}


def test_owners_hear_the_results_only_when_the_winners_are_announced(build, db):
    run = build("winners_announced", proposals=3)
    assert rows(db, kind="application.award") == []
    assert rows(db, kind="application.not_award") == []
    assert rows(db, kind="application.mark_scored") == []  # "Under review" stays the same
    results = {n.application_id: n for n in rows(db, kind="competition.announce_winners")}
    assert set(results) == {a.id for a, _p in run.apps}
    for a, _p in run.apps:
        n = results[a.id]
        assert n.user_id == a.owner_id
        if a.awarded_amount is not None:
            assert n.message == notifications.WINNER
            assert n.params["amount"] == str(a.awarded_amount)
        else:
            assert n.message == notifications.NOT_WINNER
    # Intake closed: every owner of a submitted application heard it.
    closed = rows(db, kind="competition.close_applications")
    assert {n.user_id for n in closed} == {a.owner_id for a, _p in run.apps}


def test_a_paper_application_without_an_account_notifies_nobody(build, db):
    run = build("announced", proposals=2, paper=0)
    paper = run.apps[0][0]
    assert paper.owner_id is None
    assert rows(db, application_id=paper.id) == []
    assert len(rows(db, kind="application.submit")) == 1


def test_a_cancellation_tells_owners_and_members_with_the_reason(build, db):
    run = build("applications_closed", proposals=2, t0=now() - timedelta(days=30))
    fire(run.c, "cancel", run.cast.head, now=now(), reason="Бюджет кыскартылды.")
    told = rows(db, kind="competition.cancel")
    expected = {a.owner_id for a in run.c.applications} | {u.id for u in run.cast.members}
    assert {n.user_id for n in told} == expected
    assert all(n.note == "Бюджет кыскартылды." for n in told)


# --- e-mail configuration and failures -------------------------------------------------------


def test_without_a_mail_server_notifications_stay_in_the_app(build, db, app):
    assert app.config["MAIL_SERVER"] == ""
    build("announced", proposals=2)
    submitted = rows(db, kind="application.submit")
    assert len(submitted) == 2
    assert notifications.deliver_pending() == 0
    db.session.expire_all()
    assert all(n.emailed_at is None and n.email_attempts == 0 for n in submitted)


def test_a_mail_server_that_is_down_raises_nothing_and_attempts_are_counted(
    build, db, login, smtp_down, caplog, monkeypatch
):
    run = build("applications_closed", proposals=2, t0=now() - timedelta(days=30))
    client = login(run.secretary.email)
    # Alembic's logging set-up (the migration tests) disables loggers that existed before it.
    monkeypatch.setattr(notifications.log, "disabled", False)
    with caplog.at_level(logging.WARNING, logger=notifications.log.name):
        response = client.post(
            f"/competitions/{run.c.id}/steps/start_screening", data={"version": run.c.version}
        )
    assert response.status_code == 302  # the step is done: e-mail is not its business
    db.session.expire_all()
    assert run.c.state == "screening"
    assert "failed" in caplog.text
    pending = rows(db, kind="competition.start_screening")
    assert pending and all(n.emailed_at is None and n.email_attempts == 1 for n in pending)

    for _ in range(10):  # retried until given up, never more than MAX_ATTEMPTS times
        assert notifications.deliver_pending() == 0
    db.session.expire_all()
    assert {n.email_attempts for n in rows(db)} == {notifications.MAX_ATTEMPTS}


def test_the_cli_sends_the_outbox(build, db, app, smtp):
    build("announced", proposals=2)
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "2 e-mail(s) sent." in result.output
    assert len(smtp.messages) == 2
    again = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert "0 e-mail(s) sent." in again.output


# --- the page ----------------------------------------------------------------------------


def test_the_page_lists_them_and_mark_all_read_works(build, db, login):
    run = build("applications_closed", proposals=2, t0=now() - timedelta(days=30))
    owner = run.cast.applicants[0]
    mine = rows(db, user_id=owner.id)
    assert len(mine) == 2  # the submission and the end of the intake
    client = login(owner.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'class="badge">2<' in page  # the menu's unread count
    assert page.count('class="card unread"') == 2
    assert loader.TITLES["ky"] in page  # the competition's title in the page's language
    assert 'action="/notifications/read"' in page
    # The application's page shows its owner the same messages, titles in the page's language.
    a = next(a for a in run.c.applications if a.owner_id == owner.id)
    view = client.get(f"/applications/{a.id}").get_data(as_text=True)
    assert loader.TITLES["ky"] in view and "{&#39;ky&#39;" not in view

    response = client.post("/notifications/read")
    assert response.status_code == 302
    db.session.expire_all()
    assert all(n.read_at is not None for n in rows(db, user_id=owner.id))
    assert all(n.read_at is None for n in rows(db, user_id=run.cast.applicants[1].id))
    page = client.get("/notifications").get_data(as_text=True)
    assert 'class="card unread"' not in page and 'class="badge">' not in page
    assert notifications.unread_count(owner) == 0


def test_another_user_cannot_see_them_and_a_visitor_must_log_in(build, db, login, client):
    run = build("announced", proposals=1)
    a = run.apps[0][0]
    client.post("/logout")
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code == 302
    assert all(n.read_at is None for n in rows(db))

    other = login(run.cast.applicants[1].email)
    page = other.get("/notifications").get_data(as_text=True)
    assert a.title not in page
    other.post("/notifications/read")
    db.session.expire_all()
    assert all(n.read_at is None for n in rows(db, user_id=a.owner_id))
    assert notifications.mark_read(run.cast.applicants[1], [n.id for n in rows(db)]) == 0
