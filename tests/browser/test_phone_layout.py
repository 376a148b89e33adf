"""On a phone (360 px) and on a clerk's screen (1280 px): radio buttons beside their labels,
the figure each table exists for in sight, and a header that leaves room for the page.

Positions are read from the laid-out page (bounding boxes), not from the CSS, so a rule
that another rule overrides, or a column pushed off the edge, shows up as a failure.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.extensions import db
from initiatives.grants.models import Agreement

PASSWORD = "demo-password"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SPECIALIST = "specialist@orozbekov.example"
CHAIR = "chair@orozbekov.example"

# Every radio button of the page: its box and the box of the first visible line of its
# label's text (a label hidden for screen readers only, as in the vote table, has none).
RADIOS = """() => [...document.querySelectorAll('input[type=radio]')].map(r => {
  const b = r.getBoundingClientRect();
  let line = null;
  const label = r.labels && r.labels[0];
  if (label) {
    const walk = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n && !line; n = walk.nextNode()) {
      if (!n.textContent.trim() || n.parentElement.getBoundingClientRect().width <= 1) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      line = [...range.getClientRects()].find(x => x.width > 1 && x.height > 1) || null;
    }
  }
  const l = label ? label.getBoundingClientRect() : null;
  let clipped = false;
  for (let p = r.parentElement; p; p = p.parentElement) {
    if (getComputedStyle(p).overflowX === 'visible') continue;
    const c = p.getBoundingClientRect();
    clipped = clipped || b.left < c.left - 0.5 || b.right > c.right + 0.5;
  }
  return {name: r.name, value: r.value, clipped, left: b.left, right: b.right, top: b.top,
          bottom: b.bottom, width: b.width, height: b.height,
          line: line && {left: line.left, top: line.top, bottom: line.bottom},
          label: l && {height: l.height}};
})"""

# The cells of the columns headed ``names`` in ``table``, each with whether all of it can
# be seen without scrolling sideways: inside the window and inside every box that clips it.
COLUMN_CELLS = """([selector, names]) => {
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    if (r.left < -0.5 || r.right > window.innerWidth + 0.5) return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX === 'visible') continue;
      const c = p.getBoundingClientRect();
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5) return false;
    }
    return true;
  };
  const out = [];
  for (const table of document.querySelectorAll(selector)) {
    const heads = [...table.tHead.rows[0].cells].map(h => h.textContent.trim());
    for (const name of names) {
      const i = heads.indexOf(name);
      if (i < 0) { out.push({column: name, missing: heads}); continue; }
      for (const row of table.tBodies[0].rows) {
        if (row.cells.length !== heads.length) continue;  // a row of colspans
        const cell = row.cells[i];
        out.push({column: name, text: cell.textContent.trim().slice(0, 40), seen: seen(cell)});
      }
      out.push({column: name, header: true, seen: seen(table.tHead.rows[0].cells[i])});
    }
  }
  return out;
}"""


def open_as(browser, base: str, who: str | None, context=PHONE, *, english=True, **options):
    """A page in a new browser context, logged in as ``who``, in English (the column names
    below are the English ones)."""
    ctx = browser.new_context(**context, **options)
    page = ctx.new_page()
    if who:
        page.goto(base + "/login")
        page.fill("input[name=login]", who)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.stack button[type=submit]")
        assert "/login" not in page.url, f"{who} could not log in"
    if english:
        ctx.request.post(base + "/language/en", form={"next": "/"})
    return ctx, page


def goto(page, url: str) -> None:
    response = page.goto(url)
    assert response.status < 400, (url, response.status)


def check_radios(page, where: str) -> list[str]:
    """The problems of the page's radio buttons; at least one is expected on the page."""
    radios = page.evaluate(RADIOS)
    assert radios, f"{where}: no radio button on the page"
    problems = []
    for r in radios:
        name = f"{where} {r['name']}={r['value']}"
        if r["width"] > 32 or r["height"] > 32:
            problems.append(f"{name}: the button is {r['width']:.0f}×{r['height']:.0f} px")
        if r["left"] < 0 or r["right"] > 360 or r["clipped"]:
            problems.append(f"{name}: the button is cut off ({r['left']:.0f} px from the left)")
        line = r["line"]
        if line is None:
            continue  # a label for screen readers only (the vote table's columns say it)
        if r["right"] > line["left"] + 0.5:
            problems.append(f"{name}: the label's text starts left of the button")
        elif line["left"] - r["right"] > 20:
            problems.append(
                f"{name}: the label's text starts {line['left'] - r['right']:.0f} px right of it"
            )
        middle = (r["top"] + r["bottom"]) / 2
        if not line["top"] <= middle <= line["bottom"]:
            problems.append(f"{name}: the button is not on the first line of its label")
        if r["label"]["height"] < 40:
            problems.append(f"{name}: the label is {r['label']['height']:.0f} px high to touch")
    return problems


def local_minute(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Bishkek")).strftime("%Y-%m-%dT%H:%M")


# --- item 11: radio buttons ----------------------------------------------------------------


def test_every_radio_button_sits_beside_its_label_at_360_px(app, site, browser):
    base, ids = site
    with app.app_context():
        to_screen = db.session.scalars(
            select(Application.id)
            .where(Application.competition_id == ids["screening"])
            .order_by(Application.number)
        ).first()
    problems = []

    ctx, page = open_as(browser, base, None)
    goto(page, base + "/register")
    problems += check_radios(page, "/register")
    ctx.close()

    ctx, page = open_as(browser, base, SPECIALIST)
    goto(page, f"{base}/competitions/{ids['announced']}/paper")
    problems += check_radios(page, "paper intake")
    # Start a paper application: its sections have the kinds of applicant and initiative.
    page.fill("input[name=received_at]", local_minute(datetime.now(UTC) - timedelta(hours=1)))
    page.check("input[name=applicant_kind][value=individual]")
    page.fill("input[name=applicant_name]", "Токтогул Асанов")
    page.fill("input[name=village]", "Orozbekov")
    page.fill("input[name=title]", "Repair of the village bath-house roof")
    with page.expect_navigation():
        page.click("main form.stack button[type=submit]")
    found = re.search(r"/applications/(\d+)/edit/", page.url)
    assert found, page.url
    for section in ("applicant", "initiative"):
        goto(page, f"{base}/applications/{found.group(1)}/edit/{section}")
        problems += check_radios(page, f"section {section}")
    goto(page, f"{base}/applications/{to_screen}/screening")
    problems += check_radios(page, "screening")
    goto(page, f"{base}/competitions/{ids['scoring']}/results/meeting")
    problems += check_radios(page, "results meeting")
    ctx.close()

    ctx, page = open_as(browser, base, "member3@orozbekov.example")
    goto(page, f"{base}/competitions/{ids['scoring']}/scoring/conflicts")
    problems += check_radios(page, "conflicts")
    ctx.close()
    assert not problems, "\n".join(problems)


# --- item 15: the header on a phone --------------------------------------------------------


def header_controls(page):
    return page.locator("header.top a[href], header.top button")


def test_the_logged_in_header_is_compact_on_a_phone_and_works_without_javascript(site, browser):
    base, _ids = site
    ctx, page = open_as(browser, base, SPECIALIST, java_script_enabled=False)
    goto(page, base + "/dashboard")
    height = page.locator("header.top").bounding_box()["height"]
    assert height <= 100, f"the header takes {height:.0f} of 740 px"

    # Every link and button of the header is reached through the menu (a <details>).
    menu = page.locator("header.top details > summary")
    assert menu.count() == 1 and menu.is_visible()
    names = []
    controls = header_controls(page)
    assert controls.count() >= 7  # brand, 3 links, log out, 3 languages
    menu.click()
    for i in range(controls.count()):
        control = controls.nth(i)
        names.append(control.inner_text().strip())
        assert control.is_visible(), f"{names[-1]!r} is not reachable from the menu"
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, names[-1]
    for wanted in ("Dashboard", "Notifications", "My applications", "Log out", "Русский"):
        assert any(n.startswith(wanted) for n in names), (wanted, names)
    with page.expect_navigation():
        page.click("header.top a[href='/notifications']")
    assert page.url.endswith("/notifications")
    ctx.close()


def test_on_a_wide_screen_the_header_shows_every_link_at_once(site, browser):
    base, _ids = site
    ctx, page = open_as(browser, base, SPECIALIST, DESKTOP)
    goto(page, base + "/dashboard")
    controls = header_controls(page)
    for i in range(controls.count()):
        assert controls.nth(i).is_visible(), controls.nth(i).inner_text()
    assert page.locator("header.top").bounding_box()["height"] <= 110
    ctx.close()


# --- item 12: the figure each table exists for ---------------------------------------------


def unseen(page, selector: str, columns: list[str]) -> list[str]:
    cells = page.evaluate(COLUMN_CELLS, [selector, columns])
    assert cells, f"no table {selector}"
    missing = [c for c in cells if "missing" in c]
    assert not missing, missing
    body = [c for c in cells if not c.get("header")]
    assert body, f"{selector}: no rows in {columns}"
    return [f"{c['column']}: {c['text']!r}" for c in body if not c["seen"]]


def test_public_results_show_the_mean_and_the_amounts_on_a_phone(site, browser):
    base, ids = site
    ctx, page = open_as(browser, base, None)
    goto(page, f"{base}/announcements/{ids['closed']}")
    hidden = unseen(page, "[aria-labelledby=results] table", ["Mean score", "Local budget"])
    hidden += unseen(page, "[aria-labelledby=money] table", ["Awarded", "Paid"])
    hidden += unseen(page, "[aria-labelledby=criteria] table", ["Weight"])
    assert not hidden, "cut off at 360 px:\n" + "\n".join(hidden)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ctx.close()


def test_the_final_report_shows_the_money_by_source_on_a_phone(site, browser):
    base, ids = site
    ctx, page = open_as(browser, base, None)
    goto(page, f"{base}/competitions/{ids['closed']}/final-report")
    hidden = unseen(page, "[aria-labelledby=sources-title] table", ["Paid", "Spent", "Returned"])
    assert not hidden, "cut off at 360 px:\n" + "\n".join(hidden)
    ctx.close()


def test_the_ranking_shows_decision_donor_and_money_left_at_1280_px(site, browser):
    base, ids = site
    ctx, page = open_as(browser, base, CHAIR, DESKTOP)
    goto(page, f"{base}/competitions/{ids['scoring']}/results")
    pools = page.evaluate(
        """() => [...document.querySelectorAll('table.ranking thead th')]
              .map(h => h.textContent.trim())"""
    )
    donor = [h for h in pools if "Донор" in h or "onor" in h]  # "Донордук долбоор"
    assert donor, pools  # the demo's donor pool has a column of its own
    hidden = unseen(page, "table.ranking", ["Decision", "Local budget left", *donor, "Mean"])
    assert not hidden, "cut off at 1280 px:\n" + "\n".join(hidden)
    wrap = page.evaluate(
        "(() => { const w = document.querySelector('table.ranking').parentElement;"
        " return [w.scrollWidth, w.clientWidth]; })()"
    )
    assert wrap[0] <= wrap[1], f"the ranking scrolls sideways: {wrap}"
    ctx.close()


def test_a_table_that_must_scroll_says_so(app, site, browser):
    """A table that does not fit says so above it; one that fits says nothing."""
    base, ids = site
    ctx, page = open_as(browser, base, SPECIALIST)
    goto(page, f"{base}/competitions/{ids['scoring']}/scoring/progress")
    wrap = page.locator("main .table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # the matrix is wide
    hint = page.locator("main .scroll-hint").first
    assert hint.is_visible() and "Scroll sideways to see more" in hint.inner_text()
    goto(page, f"{base}/announcements/{ids['closed']}")
    assert page.locator("main .scroll-hint:visible").count() == 0
    ctx.close()


def test_the_overdue_list_shows_how_late_on_a_phone(app, site, browser):
    base, ids = site
    with app.app_context():
        agreements = db.session.scalars(
            select(Agreement)
            .join(Application, Application.id == Agreement.application_id)
            .where(Application.competition_id == ids["implementation"])
        ).all()
        for agreement in agreements:  # test data: the reports fell due five days ago
            agreement.report_due = date.today() - timedelta(days=5)
        db.session.commit()
    ctx, page = open_as(browser, base, SPECIALIST)
    goto(page, base + "/overdue")
    hidden = unseen(page, "main table", ["When"])
    assert not hidden, "cut off at 360 px:\n" + "\n".join(hidden)
    assert "overdue by 5 days" in page.inner_text("main table")
    ctx.close()
