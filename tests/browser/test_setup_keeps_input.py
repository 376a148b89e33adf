"""Setting a competition up on a phone (360 px) loses nothing typed (issue 26, items 4, 5).

Local-budget money without the council's decision number is a field error on the money
form with everything typed; the criteria page is one form, so an edited weight and an
edited scoring rule are both saved by its one button; the weight stays in view at 360 px.
"""

from __future__ import annotations

PHONE = {"width": 360, "height": 740}
SPECIALIST = "specialist@orozbekov.example"


def phone(browser, base: str, login: str = SPECIALIST):
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "demo-password")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/dashboard")
    return context, page


def within_the_screen(page, selector: str) -> bool:
    """The element is on the screen's width once scrolled to: not cut off to the right."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    return box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_local_money_without_its_decision_number_keeps_the_form(site, browser):
    base, ids = site
    context, page = phone(browser, base)
    page.goto(f"{base}/competitions/{ids['draft']}/budget")
    page.select_option("select[name=kind]", "local_budget")
    page.fill("input[name=name]", "Жергиликтүү бюджет 2027")
    page.fill("input[name=amount]", "31000")
    page.fill("input[name=decision_date]", "2026-12-20")
    page.fill("input[name=budget_line]", "2821")
    page.click("form[action*='/budget#source-form'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1#money-title").count() == 1  # the form's page, not an error page
    error = page.locator("#decision_number-error")
    assert error.count() == 1 and error.is_visible()
    assert page.input_value("input[name=name]") == "Жергиликтүү бюджет 2027"
    assert page.input_value("input[name=amount]") == "31000"
    assert page.input_value("input[name=decision_date]") == "2026-12-20"
    assert page.input_value("input[name=budget_line]") == "2821"
    # Completed, the same form saves.
    page.fill("input[name=decision_number]", "231")
    page.click("form[action*='/budget#source-form'] button[type=submit]")
    page.wait_for_load_state()
    assert "Жергиликтүү бюджет 2027" in page.locator("main table").inner_text()
    context.close()


def test_the_criteria_page_saves_an_edited_weight_and_rule_together(site, browser):
    base, ids = site
    context, page = phone(browser, base)
    url = f"{base}/competitions/{ids['draft']}/criteria"
    page.goto(url)
    assert page.locator("main form").count() == 1
    assert within_the_screen(page, "input[name=criteria-0-weight]")
    page.fill("input[name=criteria-0-weight]", "2.5")
    page.select_option("select[name=tie_break_1]", "smaller_request")
    page.select_option("select[name=tie_break_2]", "registration")
    page.fill("input[name=min_mean_score]", "11")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(url)  # a fresh page: what the database holds
    assert page.input_value("input[name=criteria-0-weight]") == "2.50"
    assert page.input_value("select[name=tie_break_1]") == "smaller_request"
    assert page.input_value("input[name=min_mean_score]") == "11.00"
    context.close()
