"""A citizen on a phone (360 px) fills in an application: whatever way she leaves a section
(the step list, back, next; with scripts or without), what she typed is there when she comes
back; a row with an error stays with its error; the budget speaks the page's language."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.extensions import db
from initiatives.web import money

PASSWORD = "demo-password"
PHONE = {"width": 360, "height": 740}


def applying(browser, base: str, cid: int, who: str, *, javascript: bool = True, lang="en"):
    """A new context at phone width, logged in, on the first section of a new draft."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=login]", who)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.request.post(f"{base}/language/{lang}")  # the header's switch may be folded away
    page.goto(f"{base}/competitions/{cid}/apply")
    with page.expect_navigation():
        page.click("main form.stack button[type=submit]")
    found = re.search(r"/applications/(\d+)/edit/applicant$", page.url)
    assert found, page.url
    return context, page, int(found.group(1))


def go(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def step_link(page, title: str):
    """A control of the step list, whatever element it is."""
    return page.locator("nav.steps").get_by_text(title, exact=False).first


@pytest.mark.parametrize("javascript", [True, False], ids=["scripts", "no-scripts"])
def test_leaving_a_section_by_the_step_list_or_back_keeps_what_was_typed(
    app, site, browser, javascript
):
    base, ids = site
    context, page, aid = applying(
        browser, base, ids["announced"], "nurlan@orozbekov.example", javascript=javascript
    )
    go(page, "button[name=next]")  # on to the initiative
    page.fill("input[name=title]", "Clean water for the school")
    page.fill("textarea[name=problem]", "The old pipes leak every winter.")
    with page.expect_navigation():
        step_link(page, "Plan").click()
    assert page.url.endswith(f"/applications/{aid}/edit/plan"), page.url
    with page.expect_navigation():
        step_link(page, "Initiative").click()
    assert page.input_value("input[name=title]") == "Clean water for the school"
    assert page.input_value("textarea[name=problem]") == "The old pipes leak every winter."

    page.fill("textarea[name=goal]", "Water in every classroom.")
    go(page, "button[name=next]")
    assert page.url.endswith(f"/applications/{aid}/edit/plan"), page.url
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Back")).click()
    assert page.url.endswith(f"/applications/{aid}/edit/initiative"), page.url
    assert page.input_value("textarea[name=goal]") == "Water in every classroom."
    context.close()


def test_typing_is_saved_in_the_background_with_scripts(app, site, browser):
    base, ids = site
    context, page, aid = applying(browser, base, ids["announced"], "nurlan@orozbekov.example")
    page.goto(f"{base}/applications/{aid}/edit/initiative")
    page.fill("input[name=title]", "Saved while typing")
    status = page.locator("#draft-status")
    status.filter(has_text="Saved").wait_for()
    # She closes the page without pressing anything and opens it again.
    page.goto(f"{base}/my/applications")
    page.goto(f"{base}/applications/{aid}/edit/initiative")
    assert page.input_value("input[name=title]") == "Saved while typing"
    context.close()


def test_a_plan_row_with_a_date_error_stays_and_nothing_claims_it_saved(app, site, browser):
    base, ids = site
    context, page, aid = applying(
        browser, base, ids["announced"], "nurlan@orozbekov.example", javascript=False
    )
    page.goto(f"{base}/applications/{aid}/edit/plan")
    page.fill("input[name='activities-0-description']", "Buy the pipes")
    page.fill("input[name='activities-0-starts_on']", "2027-03-01")
    page.fill("input[name='activities-0-ends_on']", "2027-03-20")
    go(page, "button[name=add]")
    page.fill("input[name='activities-1-description']", "Lay the pipes")
    page.fill("input[name='activities-1-starts_on']", "2027-04-10")
    page.fill("input[name='activities-1-ends_on']", "2027-04-01")
    go(page, "button[name=save]")
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert "Activity 2" in summary.inner_text() and "not saved" in summary.inner_text()
    assert page.locator(".flash.success").count() == 0
    assert page.input_value("input[name='activities-1-ends_on']") == "2027-04-01"
    assert page.locator("#activities-1-ends_on-error").is_visible()
    page.goto(f"{base}/applications/{aid}/edit/plan")  # reloaded: the row is still there
    assert page.input_value("input[name='activities-1-description']") == "Lay the pipes"
    assert page.input_value("input[name='activities-1-starts_on']") == "2027-04-10"
    context.close()


def test_the_two_plan_dates_do_not_overlap_on_a_phone(app, site, browser):
    base, ids = site
    context, page, aid = applying(browser, base, ids["announced"], "nurlan@orozbekov.example")
    page.goto(f"{base}/applications/{aid}/edit/plan")
    row = page.locator("fieldset.card").first.bounding_box()
    start = page.locator("input[name='activities-0-starts_on']").bounding_box()
    end = page.locator("input[name='activities-0-ends_on']").bounding_box()
    apart = (
        start["x"] + start["width"] <= end["x"] + 0.5
        or end["y"] >= start["y"] + start["height"] - 0.5
    )
    assert apart, (start, end)
    for box in (start, end):
        assert box["x"] >= row["x"] and box["x"] + box["width"] <= row["x"] + row["width"] + 0.5
    context.close()


def test_the_live_budget_writes_money_as_the_server_and_warns_above_the_maximum(app, site, browser):
    base, ids = site
    context, page, aid = applying(
        browser, base, ids["announced"], "nurlan@orozbekov.example", lang="ky"
    )
    page.goto(f"{base}/applications/{aid}/edit/budget")
    warning = page.locator("[data-over-max]")
    assert warning.is_hidden()
    page.fill("input[name='lines-0-item']", "Түтүктөр")
    page.fill("input[name='lines-0-quantity']", "1")
    page.fill("input[name='lines-0-unit_price']", "19000")
    page.fill("input[name='lines-0-local_amount']", "18000")
    page.fill("input[name='lines-0-own_amount']", "1000")
    with app.test_request_context(), force_locale("ky"):
        whole, local = money(Decimal("19000")), money(Decimal("18000"))
    assert page.locator("[data-total=all]").inner_text() == whole
    assert page.locator("[data-total=local]").inner_text() == local
    assert warning.is_visible()  # 18 000 is above the 15 000 maximum, said while typing
    page.fill("input[name='lines-0-local_amount']", "14000")
    page.fill("input[name='lines-0-own_amount']", "5000")
    assert warning.is_hidden()
    context.close()
    with app.app_context():
        assert db.session.scalars(select(Application).where(Application.id == aid)).one()


def test_the_editor_and_the_withdrawal_record_pass_axe_on_a_phone(app, site, browser):
    from axe_playwright_python.sync_playwright import Axe

    base, ids = site
    context, page, aid = applying(browser, base, ids["announced"], "nurlan@orozbekov.example")
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    problems = []
    for name in ("applicant", "initiative", "plan", "people", "budget", "documents", "review"):
        page.goto(f"{base}/applications/{aid}/edit/{name}")
        for v in Axe().run(page, options=options).response["violations"]:
            problems.append(f"{name}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}")
    context.close()
    with app.app_context():
        submitted = db.session.scalars(
            select(Application.id).where(
                Application.competition_id == ids["announced"], Application.state == "submitted"
            )
        ).first()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=login]", "specialist@orozbekov.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.goto(f"{base}/applications/{submitted}/withdrawal")
    assert page.locator("textarea[name=reason]").count() == 1
    for v in Axe().run(page, options=options).response["violations"]:
        problems.append(f"withdrawal: {v['id']} {[n['target'] for n in v['nodes'][:3]]}")
    context.close()
    assert not problems, "\n".join(problems)


def test_enter_in_a_field_saves_and_stays(app, site, browser):
    base, ids = site
    context, page, aid = applying(
        browser, base, ids["announced"], "nurlan@orozbekov.example", javascript=False
    )
    page.goto(f"{base}/applications/{aid}/edit/initiative")
    page.fill("input[name=title]", "Typed, then Enter")
    with page.expect_navigation():
        page.press("input[name=title]", "Enter")
    assert page.url.endswith(f"/applications/{aid}/edit/initiative"), page.url
    assert page.input_value("input[name=title]") == "Typed, then Enter"
    context.close()


def test_continue_from_the_documents_attaches_the_chosen_file_and_goes_on(app, site, browser):
    from tests.browser.lifecycle_helpers import pdf_file

    base, ids = site
    context, page, aid = applying(browser, base, ids["announced"], "nurlan@orozbekov.example")
    page.goto(f"{base}/applications/{aid}/edit/documents")
    page.select_option("select[name=doc_type]", "budget")
    page.set_input_files("input[name=file]", pdf_file("budget.pdf", "Budget"))
    go(page, "form[action$='/attachments'] button[name=goto][value=review]")  # not "Attach"
    assert page.url.endswith(f"/applications/{aid}/edit/review"), page.url
    with app.app_context():
        a = db.session.get(Application, aid)
        assert [x.filename for x in a.attachments] == ["budget.pdf"]
    context.close()
