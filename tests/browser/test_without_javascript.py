"""Without JavaScript and with the keyboard only: the pages are plain forms, so a phone
with scripts off, or a person who cannot use a mouse, gets everything done."""

from __future__ import annotations

from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.extensions import db


def winner_of(app, competition_id: int, n: int = 2) -> int:
    with app.app_context():
        return db.session.scalars(
            select(Application.id)
            .where(Application.competition_id == competition_id)
            .where(Application.awarded_amount.is_not(None))
            .order_by(Application.number)
        ).all()[n - 1]


def test_the_report_is_saved_without_javascript(app, site, browser):
    base, ids = site
    aid = winner_of(app, ids["implementation"])  # the second winner: still reporting
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=login]", "bakyt@orozbekov.example")
    page.fill("input[name=password]", "demo-password")
    page.click("form.stack button[type=submit]")
    page.goto(f"{base}/applications/{aid}/report")
    page.fill("textarea[name=results_text]", "Five shows in three villages.")
    page.fill("input[name=group_2]", "114")
    page.click("button[value=save]")
    assert page.url.endswith(f"/applications/{aid}/report")
    assert page.input_value("textarea[name=results_text]") == "Five shows in three villages."
    assert page.input_value("input[name=group_2]") == "114"
    context.close()


def test_logging_in_and_recording_a_payment_with_the_keyboard_only(app, site, browser):
    base, ids = site
    # The second winner: its report has spent nothing yet, so a refund is within the unspent
    # money (the first one's report spent all it was paid, and a refund is capped at that).
    aid = winner_of(app, ids["implementation"], 2)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.focus("input[name=login]")
    page.keyboard.type("specialist@orozbekov.example")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")
    page.goto(f"{base}/applications/{aid}/grant")
    with app.app_context():
        a = db.session.get(Application, aid)
        before = len(a.agreement.payments)
    # Refunds are folded away (a <details>): open it and fill it with the keyboard.
    page.focus("main details summary")  # the header's menu is a <details> too
    page.keyboard.press("Enter")
    page.focus("#refund-amount")
    page.keyboard.type("100")
    page.keyboard.press("Tab")
    page.keyboard.type("R-KEY-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "R-KEY-1" in page.content()
    with app.app_context():
        a = db.session.get(Application, aid)
        assert (
            len(a.agreement.payments) == before
            and a.agreement.refunds[-1].order_number == "R-KEY-1"
        )
    context.close()
