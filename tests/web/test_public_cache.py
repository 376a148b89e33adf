"""Public pages served from the per-process cache (initiatives/public/cache.py) and the
staff dashboard a page at a time: a cached page is never stale after a step, a browser's
copy is confirmed with 304 only when it is current, and nothing personal is shared."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from initiatives.competitions import dashboard as board
from initiatives.demo.builder import advance
from initiatives.extensions import db as ext
from initiatives.public import cache

SPECIALIST = "specialist@orozbekov.example"
OVERSIGHT = "oversight@demo.example"
TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def text(response) -> str:
    return response.get_data(as_text=True)


def queries(app, client, path: str, **kwargs):
    """The response to one GET and the number of SQL statements it sent."""
    with app.app_context():
        engine = ext.engine
    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, **kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(sent)


@pytest.fixture(autouse=True)
def fresh_cache(app):
    """Rows are deleted between tests and SQLite gives their ids out again."""
    app.extensions["public_pages"].clear()
    yield
    app.extensions["public_pages"].clear()


@pytest.mark.parametrize("path", ["/announcements/{id}", "/", "/oversight"])
def test_a_cached_page_is_what_the_page_renders_and_costs_one_query(
    path, app, build, client, db, monkeypatch
):
    run = build("scoring")
    path = path.format(id=run.c.id)
    client.get(path)
    cached, sent = queries(app, client, path)
    assert cached.status_code == 200 and sent == 1  # the stamp, nothing else
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE", False)
    rendered = client.get(path)
    assert TOKEN.sub("", text(cached)) == TOKEN.sub("", text(rendered))


def test_a_step_taken_changes_the_public_pages(build, client, db):
    run = build("results_approved", proposals=4)
    page = f"/announcements/{run.c.id}"
    before = text(client.get(page))
    assert 'id="results"' not in before
    home_before = text(client.get("/"))
    oversight_before = text(client.get("/oversight"))
    assert text(client.get(page)) == before  # now from the cache

    advance(run, "winners_announced")  # the head announces the winners
    db.session.commit()

    after = text(client.get(page))
    assert 'id="results"' in after and "winner" in after
    assert text(client.get("/")) != home_before  # its state in "Recent competitions"
    assert text(client.get("/oversight")) != oversight_before  # money awarded


def test_national_pages_may_lag_a_step_by_the_stamp_seconds_a_competition_page_never(
    app, build, client, db, monkeypatch
):
    """Citizens' draft saves write events several times a second on a deadline day: the
    national stamp is read at most every PUBLIC_NATIONAL_STAMP_SECONDS."""
    monkeypatch.setitem(app.config, "PUBLIC_NATIONAL_STAMP_SECONDS", 3600)
    app.extensions["public_national_stamp"].update(at=float("-inf"), value=None)
    run = build("results_approved", proposals=4)
    page = f"/announcements/{run.c.id}"

    # The frame's CSRF token is signed anew each second: the content is what is compared.
    def content(path: str) -> str:
        return TOKEN.sub("", text(client.get(path)))

    before, oversight_before = content(page), content("/oversight")

    advance(run, "winners_announced")
    db.session.commit()

    assert 'id="results"' in content(page)  # at once
    assert content("/oversight") == oversight_before  # within the hour: as it was
    app.extensions["public_national_stamp"]["at"] -= 3600  # the hour has passed
    assert content("/oversight") != oversight_before
    assert before != content(page)


def test_the_intake_closes_at_its_deadline_on_a_cached_page(build, client, db):
    """The announcement test competition's deadline is in the past: the first reading
    closes it, and no cached "Apply online" survives."""
    run = build("commission_formed")
    advance(run, "announced")
    db.session.commit()
    page = text(client.get(f"/announcements/{run.c.id}"))
    assert 'class="apply"' not in page
    db.session.refresh(run.c)
    assert run.c.state == "applications_closed"


def test_a_browser_copy_is_confirmed_with_304_while_current(build, client, db):
    run = build("scoring")
    page = f"/announcements/{run.c.id}"
    first = client.get(page)
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"

    same = client.get(page, headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.data == b""
    assert client.get(page, headers={"If-None-Match": '"other"'}).status_code == 200

    client.post("/language/ru")  # another language: another body
    assert client.get(page, headers={"If-None-Match": tag}).status_code == 200
    client.post("/language/ky")
    assert client.get(page, headers={"If-None-Match": tag}).status_code == 304

    advance(run, "results_approved")
    db.session.commit()
    changed = client.get(page, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_another_visitor_never_gets_304_for_a_copy_of_someone_else(app, build, client, db):
    """The body carries the visitor's CSRF token (the language form): a tag seen by one
    session does not confirm another session's copy."""
    run = build("scoring")
    page = f"/announcements/{run.c.id}"
    tag = client.get(page).headers["ETag"]
    stranger = app.test_client()
    assert stranger.get(page, headers={"If-None-Match": tag}).status_code == 200


def test_a_logged_in_user_gets_their_own_page_never_the_anonymous_one(
    app, build, client, db, login
):
    run = build("scoring")
    page = f"/announcements/{run.c.id}"
    anonymous = text(client.get(page))
    assert 'action="/logout"' not in anonymous and 'href="/login"' in anonymous

    login(SPECIALIST)
    mine = client.get(page)
    assert "ETag" not in mine.headers
    body = text(mine)
    assert 'href="/login"' not in body and 'action="/logout"' in body
    name = run.cast.specialist.full_name
    assert name in body

    stranger = app.test_client()
    theirs = text(stranger.get(page))
    assert name not in theirs and 'action="/logout"' not in theirs


def test_a_flashed_message_is_shown_once_and_not_tagged(app, build, client, db):
    run = build("scoring")
    page = f"/announcements/{run.c.id}"
    client.get(page)  # the content is cached
    with client.session_transaction() as s:
        s["_flashes"] = [("info", "A message for this visitor")]
    flashed = client.get(page)
    assert "A message for this visitor" in text(flashed) and "ETag" not in flashed.headers
    assert "A message for this visitor" not in text(client.get(page))
    assert "A message for this visitor" not in text(app.test_client().get(page))


def test_the_cache_keeps_a_bounded_number_of_pages():
    pages = cache.PageCache(size=2)
    for key in "abc":
        pages.put(key, key)
    assert len(pages) == 2 and pages.get("a") is None and pages.get("c") == "c"
    stale = cache.PageCache(size=2, max_age=-1)
    stale.put("a", "a")
    assert stale.get("a") is None


def test_the_national_dashboard_is_paged_with_the_counts_of_the_country(
    build, client, db, login, monkeypatch
):
    monkeypatch.setattr(board, "PER_PAGE", 2)
    runs = [build(state) for state in ("draft", "scoring", "scoring", "scoring", "closed")]
    login(OVERSIGHT)
    seen = []
    first = text(client.get("/dashboard"))
    assert "Page 1 of 3" in first and "?page=2" in first and 'rel="prev"' not in first
    # One of the three in scoring is on the first page; the heading counts all three.
    assert first.count('class="card"') == 2 and "<small>(3)</small>" in first
    for number in (1, 2, 3):
        body = text(client.get(f"/dashboard?page={number}"))
        seen += [int(i) for i in re.findall(r'href="/competitions/(\d+)"', body)]
    assert sorted(seen) == sorted(r.c.id for r in runs) and len(seen) == len(set(seen))
    last = text(client.get("/dashboard?page=99"))  # beyond the end: the last page
    assert "Page 3 of 3" in last and 'rel="next"' not in last


def test_the_national_dashboard_costs_the_same_queries_for_one_or_many_competitions(
    app, build, client, db, login, monkeypatch
):
    monkeypatch.setattr(board, "PER_PAGE", 2)
    build("scoring")
    login(OVERSIGHT)
    client.get("/dashboard")
    _response, few = queries(app, client, "/dashboard")
    for state in ("scoring", "closed", "draft"):
        build(state)
    response, many = queries(app, client, "/dashboard")
    assert response.status_code == 200 and few == many
