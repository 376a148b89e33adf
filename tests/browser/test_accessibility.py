"""WCAG 2.1 AA: axe-core (the copy bundled with axe-playwright-python) finds no violation
on the public pages and on the main pages of staff, commission members and applicants, in
a phone-sized and a desktop-sized window."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.documents.models import Document
from initiatives.extensions import db
from initiatives.municipalities.models import Municipality

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE = Axe()


def pages_of(app, ids) -> dict[str, list[str]]:
    """Who sees what: anonymous, the specialist, a member, an applicant."""
    with app.app_context():
        token = db.session.scalars(select(Document.token).order_by(Document.id)).first()
        winner = db.session.scalars(
            select(Application.id)
            .where(
                Application.competition_id == ids["implementation"],
                Application.awarded_amount.is_not(None),
            )
            .order_by(Application.number)
        ).first()
        draft = db.session.scalars(
            select(Application.id).where(Application.state == "submitted").order_by(Application.id)
        ).first()
        to_score = db.session.scalars(
            select(Application.id)
            .where(Application.competition_id == ids["scoring"], Application.state == "admitted")
            .order_by(Application.number)
        ).first()
        municipality = db.session.scalar(select(Municipality.id))
        to_screen = db.session.scalars(
            select(Application.id)
            .where(Application.competition_id == ids["screening"])
            .order_by(Application.number)
        ).first()
    return {
        "": [
            "/",
            "/m/orozbekov",
            f"/announcements/{ids['announced']}",
            f"/announcements/{ids['closed']}",
            f"/competitions/{ids['closed']}/final-report",
            "/oversight",
            "/open-data",
            f"/verify/{token}",
            "/login",
            "/register",
        ],
        "specialist@orozbekov.example": [
            "/dashboard",
            f"/competitions/{ids['draft']}",
            f"/competitions/{ids['draft']}/budget",
            f"/competitions/{ids['draft']}/commission",
            f"/competitions/{ids['draft']}/terms",
            f"/competitions/{ids['draft']}/criteria",
            f"/competitions/{ids['announced']}/paper",
            f"/applications/{to_screen}/screening",
            f"/competitions/{ids['scoring']}/results/meeting",
            "/notifications",
            f"/municipalities/{municipality}/regulation",
            f"/competitions/{ids['screening']}/screening",
            f"/competitions/{ids['scoring']}/results",
            f"/competitions/{ids['scoring']}/scoring/progress",
            f"/competitions/{ids['implementation']}/grants",
            f"/applications/{winner}/grant",
            "/overdue",
        ],
        "member3@orozbekov.example": [
            f"/competitions/{ids['scoring']}/scoring",
            f"/competitions/{ids['scoring']}/scoring/conflicts",
            f"/competitions/{ids['scoring']}/scoring/applications/{to_score}",
        ],
        "aigul@orozbekov.example": [
            "/my/applications",
            f"/competitions/{ids['announced']}/apply",
            f"/applications/{draft}",
            f"/applications/{winner}/report",
        ],
    }


def login(page, base: str, who: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=login]", who)
    page.fill("input[name=password]", "demo-password")
    page.click("form.stack button[type=submit]")


@pytest.mark.parametrize("width", [360, 1280])
def test_no_axe_violations(app, site, browser, width):
    base, ids = site
    checked, problems = 0, []
    for who, paths in pages_of(app, ids).items():
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        if who:
            login(page, base, who)
        for path in paths:
            response = page.goto(base + path)
            assert response.status < 400, (who, path, response.status)
            results = AXE.run(page, options=WCAG)
            checked += 1
            for v in results.response["violations"]:
                targets = [n["target"] for n in v["nodes"][:3]]
                problems.append(f"{who or 'anonymous'} {path}: {v['id']} ({v['impact']}) {targets}")
        context.close()
    print(f"\naxe-core: {checked} pages at {width} px, {len(problems)} violations")
    assert not problems, "\n".join(problems)
