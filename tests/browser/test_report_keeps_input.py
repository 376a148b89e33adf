"""On a phone (360 px), after the awards (issue 26): attaching a receipt to the
implementation report keeps the text typed in the report (item 3), and the overdue list
shows how late each thing is without scrolling sideways (item 12)."""

from __future__ import annotations

from datetime import timedelta

from initiatives.applications.models import Application
from initiatives.extensions import db
from initiatives.grants import reminders
from tests.browser.lifecycle_helpers import PASSWORD, pdf_file
from tests.browser.test_without_javascript import winner_of

PHONE = {"width": 360, "height": 740}


def logged_in(browser, base: str, who: str, **context):
    ctx = browser.new_context(viewport=PHONE, **context)
    page = ctx.new_page()
    page.goto(base + "/login")
    page.fill("input[name=login]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/dashboard")
    return ctx, page


def saved_results(app, aid: int) -> str:
    with app.app_context():
        report = db.session.get(Application, aid).current_report
        return report.results_text if report is not None else ""


def test_attaching_a_receipt_keeps_the_report_typed_so_far(app, site, browser):
    base, ids = site
    aid = winner_of(app, ids["implementation"])  # the second winner: still reporting
    ctx, page = logged_in(browser, base, "bakyt@orozbekov.example")
    page.goto(f"{base}/applications/{aid}/report")
    typed = "Five New Year shows in three villages; 290 children came."
    page.fill("textarea[name=results_text]", typed)
    page.fill("input[name=group_2]", "114")
    page.select_option("select[name=doc_type]", "receipt")
    page.set_input_files("input[name=file]", pdf_file("costumes.pdf", "Receipt: costumes"))
    with page.expect_navigation():
        page.click("#files button[type=submit].secondary")  # "Attach the file"
    assert "costumes.pdf" in page.locator("#files").inner_text()
    assert page.input_value("textarea[name=results_text]") == typed
    assert page.input_value("input[name=group_2]") == "114"
    assert saved_results(app, aid) == typed  # kept as a draft, not only on the page
    page.reload()
    assert page.input_value("textarea[name=results_text]") == typed

    # Removing a file keeps what was typed since, too.
    more = typed + " The costumes stay with the school."
    page.fill("textarea[name=results_text]", more)
    with page.expect_navigation():
        page.locator("#files li", has_text="costumes.pdf").locator("button").click()
    assert "costumes.pdf" not in page.locator("#files").inner_text()
    assert page.input_value("textarea[name=results_text]") == more
    ctx.close()


def test_attaching_keeps_the_report_without_javascript(app, site, browser):
    base, ids = site
    aid = winner_of(app, ids["implementation"])
    ctx, page = logged_in(browser, base, "bakyt@orozbekov.example", java_script_enabled=False)
    page.goto(f"{base}/applications/{aid}/report")
    typed = "Typed on a phone with scripts off."
    page.fill("textarea[name=results_text]", typed)
    page.set_input_files("input[name=file]", pdf_file("scenery.pdf", "Receipt: scenery"))
    with page.expect_navigation():
        page.click("#files button[type=submit].secondary")
    assert "scenery.pdf" in page.locator("#files").inner_text()
    assert page.input_value("textarea[name=results_text]") == typed
    ctx.close()


def test_the_overdue_list_shows_how_late_on_a_phone(app, site, browser):
    base, ids = site
    aid = winner_of(app, ids["implementation"])
    with app.app_context():
        a = db.session.get(Application, aid)
        a.agreement.report_due = reminders.local_today() - timedelta(days=5)
        title = a.title
        db.session.commit()
    ctx, page = logged_in(browser, base, "specialist@orozbekov.example")
    page.goto(f"{base}/overdue")
    row = page.locator("tr.overdue", has_text=title).first
    late = row.locator(".badge.overdue")
    assert late.is_visible()
    box = late.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert "5" in late.inner_text()
    # Each value says what it is: the column's name is on the card.
    assert row.locator("td[data-label]").count() == row.locator("td").count()
    ctx.close()
