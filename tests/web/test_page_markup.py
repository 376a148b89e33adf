"""Markup a screen reader, a browser's autofill and a reader of figures rely on: scrolling
tables named each by its own heading, a score sheet's outline without gaps, autofill tokens
that fit their fields, shares printed as percentages, and no link that leads an anonymous
visitor to a 404."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from initiatives.demo.builder import at, screening_meeting
from initiatives.lifecycle.operations import fire
from tests.web.test_applications import APPLICANT, INITIATIVE, PLAN, budget, save, start
from tests.web.test_scoring import MEMBERS, declare_no_conflict

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SPECIALIST = "specialist@orozbekov.example"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


class Outline(HTMLParser):
    """Scrolling regions with what names them, the headings in order, the text of every
    element with an id, and the form controls with their autocomplete tokens."""

    def __init__(self):
        super().__init__()
        self.regions: list[dict] = []
        self.headings: list[int] = []
        self.controls: list[tuple[str, dict]] = []
        self.by_id: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []  # (tag, id) of elements with an id

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("role") == "region":
            self.regions.append(a)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("input", "textarea", "select"):
            self.controls.append((tag, a))
        if a.get("id"):
            self.by_id[a["id"]] = ""
            self._open.append((tag, a["id"]))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _tag, id_ in self._open:
            self.by_id[id_] += data


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def region_names(html: str) -> list[str]:
    page = outline(html)
    names = []
    for region in page.regions:
        if "aria-labelledby" in region:
            names.append(" ".join(page.by_id[i].strip() for i in region["aria-labelledby"].split()))
        else:
            names.append(region.get("aria-label", ""))
    return names


# --- scrolling tables ----------------------------------------------------------------------


def test_each_scrolling_table_is_named_by_its_own_heading(build, client, login, db):
    run = build("closed", proposals=4)
    c, a = run.c, next(a for a, _p in run.winners())
    pages = [f"/announcements/{c.id}", f"/competitions/{c.id}/final-report"]
    for url in pages:
        names = region_names(text(client.get(url)))
        assert len(names) >= 3, url
        assert all(names) and len(set(names)) == len(names), (url, names)
    login(SPECIALIST)
    for url in (
        f"/applications/{a.id}",
        f"/applications/{a.id}/grant",
        f"/applications/{a.id}/report",
    ):
        names = region_names(text(client.get(url)))
        assert len(names) >= 2, url
        assert all(names) and len(set(names)) == len(names), (url, names)


def test_no_template_names_a_table_only_by_its_scrolling():
    """The words "Table, scrolls sideways" said nothing of which table, and said it of every
    table on the page alike."""
    generic = "aria-label=\"{{ _('Table, scrolls sideways') }}\""
    offenders = [
        str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if generic in p.read_text()
    ]
    assert offenders == []


# --- the score sheet's outline ---------------------------------------------------------------


def test_the_score_sheet_outline_goes_down_one_level_at_a_time(build, login, db):
    run = build("screening", proposals=4)
    fire(
        run.c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )
    db.session.commit()
    member = login(MEMBERS[2])
    declare_no_conflict(member, run)
    a = run.apps[0][0]
    levels = outline(text(member.get(f"/competitions/{run.c.id}/scoring/applications/{a.id}")))
    levels = levels.headings
    assert levels[0] == 1 and levels.count(1) == 1
    gaps = [(x, y) for x, y in itertools.pairwise(levels) if y > x + 1]
    assert gaps == [], levels


# --- autofill ----------------------------------------------------------------------------------

# The HTML standard's autofill field names that fill a one-line text field, and the one that
# needs a multi-line control (textarea): "street-address" is the whole address, lines and all.
ONE_LINE = {
    "name", "honorific-prefix", "given-name", "additional-name", "family-name",
    "honorific-suffix", "nickname", "username", "new-password", "current-password",
    "one-time-code", "organization-title", "organization", "address-line1", "address-line2",
    "address-line3", "address-level4", "address-level3", "address-level2", "address-level1",
    "country", "country-name", "postal-code", "email", "tel", "url", "off", "on",
}  # fmt: skip
MULTI_LINE = {"street-address"}


def test_autofill_tokens_fit_their_fields(client, world):
    controls = [
        c for url in ("/login", "/register") for c in outline(text(client.get(url))).controls
    ]
    _check_tokens(controls)


def _check_tokens(controls) -> None:
    for tag, attrs in controls:
        token = attrs.get("autocomplete")
        if token is None:
            continue
        last = token.split()[-1]
        allowed = MULTI_LINE | ONE_LINE if tag == "textarea" else ONE_LINE
        assert last in allowed, (tag, attrs.get("name"), token)


@pytest.fixture
def open_run(build):
    return build("announced", proposals=0, t0=datetime.now(UTC) - timedelta(days=2))


def citizen(client, locale: str):
    client.post("/logout")
    client.post(f"/language/{locale}")
    response = client.post(
        "/register",
        data={
            "full_name": "Айгүл Токтосунова",
            "login": "+996700123456",
            "password": "a-good-password",
            "password_again": "a-good-password",
            "locale": locale,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    from tests.web.test_applications import confirm_phone

    confirm_phone(client, "+996700123456")  # a phone is proved before submitting
    return client


def test_the_applicant_address_is_one_line_and_autofilled_as_one(open_run, client):
    citizen(client, "en")
    aid = start(client, open_run.c.id)
    page = outline(text(client.get(f"/applications/{aid}/edit/applicant")))
    _check_tokens(page.controls)
    address = next(a for tag, a in page.controls if a.get("name") == "address")
    assert address.get("autocomplete") == "address-line1"


# --- shares ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "fact", "reason"),
    [
        ("ky", "(2,5%)", "өздүк салым бюджеттин 2,5% түзөт; кеминде 5% талап кылынат"),
        ("ru", "(2,5\xa0%)", "собственный вклад составляет 2,5% бюджета; требуется не менее 5%"),
        ("en", "(2.5%)", "the own contribution is 2.5% of the budget; at least 5% is required"),
    ],
)
def test_the_review_page_prints_the_own_share_as_a_percentage(
    open_run, client, locale, fact, reason
):
    citizen(client, locale)
    aid = start(client, open_run.c.id)
    save(client, aid, "applicant", APPLICANT)
    save(client, aid, "initiative", INITIATIVE)
    save(client, aid, "plan", PLAN)
    save(client, aid, "budget", budget(local="9750", own="250"))  # 2.5 % of 10 000
    page = text(client.get(f"/applications/{aid}/edit/review"))
    assert "сом%" not in page and "som%" not in page
    assert fact in page
    assert reason in page


# --- the final report before it is public ------------------------------------------------------


def test_an_anonymous_visitor_is_shown_no_link_to_a_staff_only_final_report(build, client, login):
    run = build("implementation", proposals=4)
    c = run.c
    final = f"/competitions/{c.id}/final-report"
    public = text(client.get(f"/announcements/{c.id}"))
    assert final not in public  # not public until the competition is closed
    # A staff member's bookmark asks for a login, then shows the page.
    response = client.get(final)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=") and "final-report" in response.location
    login(SPECIALIST)
    assert final in text(client.get(f"/announcements/{c.id}"))  # the staff see the link
    assert client.get(final).status_code == 200


def test_the_final_report_of_a_closed_competition_is_linked_for_everyone(build, client):
    run = build("closed", proposals=4)
    final = f"/competitions/{run.c.id}/final-report"
    assert final in text(client.get(f"/announcements/{run.c.id}"))
    assert client.get(final).status_code == 200
