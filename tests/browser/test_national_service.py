"""Running the national service in the browser, as new users would (issue 22, "Done when"):
the operator imports 20 municipalities from a spreadsheet and invites a new one's head by
e-mail and a specialist by SMS; both register, accept and the specialist starts a
competition; a citizen with a phone confirmed by SMS code forgets the password and resets
it by SMS; another is given a printed code at the office.

Everything goes through the pages. The database and the SMTP capture are only read: an
SMS's code from its ``SmsMessage`` row (the outbox backend), an invitation's link from the
e-mail the live server sent to a local aiosmtpd server. Every test has its own browser
contexts and logins made unique with a uuid, so the tests do not depend on one another's
order or leftovers; the municipalities the operator imports are made once per module.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import uuid

import phonenumbers
import pytest
from aiosmtpd.controller import Controller
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from initiatives.competitions.models import Competition
from initiatives.extensions import db
from initiatives.municipalities.models import Municipality
from initiatives.sms.models import SmsMessage
from tests.browser.conftest import free_port
from tests.browser.lifecycle_helpers import Tally, Walker

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}
PHONE = {
    "viewport": {"width": 360, "height": 780},
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-US",
}
OPERATOR = "admin@demo.example"
DEMO_SPECIALIST = "specialist@orozbekov.example"
DEMO_PASSWORD = "demo-password"
COUNT = 20


# --- reading what the server sent (never changing anything) ----------------------------------


def q(app, fn):
    with app.app_context():
        try:
            return fn(db.session)
        finally:
            db.session.remove()


def last_sms(app, phone: str, purpose: str) -> str:
    """The text of the newest SMS of this purpose to this phone (the outbox backend)."""
    text = q(
        app,
        lambda s: s.scalars(
            select(SmsMessage.text)
            .where(SmsMessage.phone == phone, SmsMessage.purpose == purpose)
            .order_by(SmsMessage.id.desc())
            .limit(1)
        ).first(),
    )
    assert text, f"no {purpose} SMS to {phone}"
    return text


def sms_code(app, phone: str, purpose: str) -> str:
    text = last_sms(app, phone, purpose)
    found = re.search(r"\b(\d{6})\b", text)
    assert found, f"no code in the SMS {text!r}"
    return found.group(1)


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture(scope="module")
def mailbox(app, site):
    """The live server sends mail to a local SMTP server, with links to itself."""
    base, _ids = site
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    keys = ("MAIL_SERVER", "MAIL_PORT", "PUBLIC_BASE_URL")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_BASE_URL=base)
    yield box
    app.config.update(saved)
    controller.stop()


# --- people ------------------------------------------------------------------------------------


def unique_phone() -> str:
    """A dialable Kyrgyz mobile number no other test uses."""
    while True:
        number = f"+996700{uuid.uuid4().int % 1_000_000:06d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "KG")):
            return number


def password() -> str:
    return f"river-{uuid.uuid4().hex[:8]}-lantern"


class Person(Walker):
    """One user in a fresh browser context, logging in with their own password."""

    def __init__(self, browser, base: str, tally: Tally, who: str, **context):
        super().__init__(browser, base, tally, None, **(context or DESKTOP))
        self.who = who

    def log_in(self, login: str, secret: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", secret)
        self.submit("form.stack button[type=submit]")
        assert "/login" not in self.page.url, f"{login} could not log in"

    def refused(self, login: str, secret: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", secret)
        self.submit("form.stack button[type=submit]", ok=False)
        assert "/login" in self.page.url
        expect(self.page.locator("main")).to_contain_text("The login or the password is wrong")

    def menu(self, name: str) -> None:
        """Follow a link of the logged-in menu (a <details> on narrow screens)."""
        summary = self.page.locator("details.menu > summary")
        if summary.is_visible():
            summary.click()
        link = self.page.locator("details.menu nav").get_by_role("link", name=name, exact=True)
        with self.page.expect_navigation():
            link.click()
        self.tally.pages += 1

    def log_out(self) -> None:
        summary = self.page.locator("details.menu > summary")
        if summary.is_visible():
            summary.click()
        self.submit("form[action='/logout'] button[type=submit]")
        expect(self.page.locator("main")).to_contain_text("You have logged out")

    def register(self, login: str, name: str, secret: str) -> None:
        """The register page, from the login page's link; English as the language."""
        p = self.page
        p.fill("input[name=full_name]", name)
        p.fill("input[name=login]", login)
        p.fill("input[name=password]", secret)
        p.fill("input[name=password_again]", secret)
        p.check("input[name=locale][value=en]")
        self.submit("main form.stack button[type=submit]")
        expect(p.locator("main")).to_contain_text("Your account is created")

    def confirm_phone(self, app, phone: str) -> None:
        p = self.page
        assert "/register/confirm" in p.url, p.url
        expect(p.locator("main h1")).to_have_text("Confirm your phone number")
        p.fill("input[name=code]", sms_code(app, phone, "phone_proof"))
        self.submit("main form.stack button[type=submit]")
        expect(p.locator("main")).to_contain_text("Your phone number is confirmed")


@pytest.fixture
def people(browser, site):
    base, _ids = site
    tally = Tally()
    made: list[Person] = []

    def person(who: str, **context) -> Person:
        made.append(Person(browser, base, tally, who, **context))
        return made[-1]

    yield person
    for p in made:
        p.close()


# --- 1. the operator imports municipalities ------------------------------------------------------


def spreadsheet(tag: str) -> bytes:
    """20 good rows and one without a district, as an operator would fill the template."""
    book = Workbook()
    sheet = book.active
    sheet.append(["slug", "name_ky", "name_ru", "name_en", "region", "district", "phone"])
    for i in range(1, COUNT + 1):
        sheet.append(
            [
                f"{tag}-{i:02d}",
                f"Сынак {tag} {i:02d} айыл аймагы",
                f"Тестовый {tag} {i:02d} айылный аймак",
                f"Test {tag} {i:02d} ayil aimak",
                "Чүй облусу",
                "Аламүдүн району",
                f"0312 54{i:02d} 00",
            ]
        )
    sheet.append([f"{tag}-bad", "Жаман сап", "Плохая строка", "", "Чүй облусу", "", "12ab"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def imported(app, browser, site) -> dict:
    """The operator's import, once for the module: {"tag", "slugs", "ids"}."""
    base, _ids = site
    tag = f"t{uuid.uuid4().hex[:6]}"
    w = Person(browser, base, Tally(), OPERATOR)
    try:
        p = w.page
        w.log_in(OPERATOR, DEMO_PASSWORD)
        w.menu("Administration")
        expect(p.locator("main h1")).to_have_text("Municipalities")
        w.submit("main a[href='/admin/municipalities/import']")
        expect(p.locator("main h1")).to_have_text("Import municipalities")
        p.set_input_files(
            "input[name=spreadsheet]",
            {
                "name": "municipalities.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": spreadsheet(tag),
            },
        )
        w.submit("main form.stack button[type=submit]")

        # The preview: every row, the bad one with its errors; nothing written yet.
        expect(p.locator("main [role=status]")).to_contain_text("21 rows read")
        expect(p.locator("table.preview tbody tr.valid")).to_have_count(COUNT)
        bad = p.locator("table.preview tbody tr.invalid")
        expect(bad).to_have_count(1)
        expect(bad).to_contain_text(f"{tag}-bad")
        expect(bad).to_contain_text("district is empty")
        expect(bad.locator("li.field-error")).to_have_count(2)  # the district and the phone
        written = q(
            app,
            lambda s: s.scalars(
                select(Municipality.id).where(Municipality.slug.like(f"{tag}-%"))
            ).all(),
        )
        assert not written, "the preview wrote municipalities"

        confirm = p.locator("form[action='/admin/municipalities/import/confirm'] button")
        expect(confirm).to_have_text(f"Import {COUNT} valid rows")
        w.submit("form[action='/admin/municipalities/import/confirm'] button[type=submit]")
        assert p.url.rstrip("/").endswith("/admin"), p.url
        expect(p.locator("main .flash.success")).to_contain_text(f"{COUNT} municipalities imported")
        listed = p.locator("main table tbody tr", has_text=tag)
        expect(listed).to_have_count(COUNT)  # the list (with the demo's) fits one page
    finally:
        w.close()
    rows = q(
        app,
        lambda s: s.execute(
            select(Municipality.slug, Municipality.id).where(Municipality.slug.like(f"{tag}-%"))
        ).all(),
    )
    ids = dict(rows)
    assert sorted(ids) == [f"{tag}-{i:02d}" for i in range(1, COUNT + 1)]
    return {"tag": tag, "ids": ids}


def test_operator_imports_municipalities_from_a_spreadsheet(imported, people):
    tag = imported["tag"]
    w = people(OPERATOR)
    p = w.page
    w.log_in(OPERATOR, DEMO_PASSWORD)
    w.goto("/admin/")
    # The whole list has them (and the demo's); a search by the tag finds exactly the 20.
    p.fill("input#q", tag)
    w.submit("form.search button[type=submit]")
    expect(p.locator("main p.hint")).to_have_text(f"{COUNT} municipalities")
    expect(p.locator("main table tbody tr")).to_have_count(COUNT)
    expect(p.locator("main")).not_to_contain_text(f"{tag}-bad")
    # One by its Russian name, typed in another case.
    p.fill("input#q", f"тестовый {tag} 07")
    w.submit("form.search button[type=submit]")
    rows = p.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(f"{tag}-07")
    # Its page has what the spreadsheet said.
    seventh = imported["ids"][f"{tag}-07"]
    w.submit(f"main table tbody tr a[href='/admin/municipalities/{seventh}']")
    expect(p.locator("input[name=slug]")).to_have_value(f"{tag}-07")
    expect(p.locator("input[name=name_ky]")).to_have_value(f"Сынак {tag} 07 айыл аймагы")
    expect(p.locator("input[name=district]")).to_have_value("Аламүдүн району")


# --- 2 and 3. staff invited by e-mail and by SMS accept, and start a competition -------------


def test_head_by_email_and_specialist_by_sms_accept_and_start_a_competition(
    app, imported, mailbox, people
):
    tag = imported["tag"]
    mid = imported["ids"][f"{tag}-03"]
    name_en = f"Test {tag} 03 ayil aimak"
    u = uuid.uuid4().hex[:8]
    head_email, head_password = f"head-{u}@{tag}.example", password()
    specialist_phone, specialist_password = unique_phone(), password()

    # The operator invites both from the municipality's staff page.
    op = people(OPERATOR)
    p = op.page
    op.log_in(OPERATOR, DEMO_PASSWORD)
    op.goto("/admin/")
    p.fill("input#q", f"{tag}-03")
    op.submit("form.search button[type=submit]")
    op.submit(f"main a[href='/admin/municipalities/{mid}/staff']")
    expect(p.locator("main h1")).to_have_text("Staff of the ayil okmotu")
    expect(p.locator("main")).to_contain_text("Nobody holds a role in this ayil okmotu yet.")

    p.fill("input[name=login]", head_email)
    p.select_option("select[name=role]", "head")
    p.select_option("select[name=locale]", "en")
    op.submit("main form.stack button[type=submit]")
    expect(p.locator("main .flash.success")).to_have_text("The invitation is sent by e-mail.")

    p.fill("input[name=login]", "0" + specialist_phone[4:])  # as people type it: 0700 ...
    p.select_option("select[name=role]", "specialist")
    p.select_option("select[name=locale]", "en")
    op.submit("main form.stack button[type=submit]")
    expect(p.locator("main .flash.success")).to_have_text(
        "The invitation is sent by SMS with a code."
    )
    pending = p.locator("table:has(th:text('Sent to')) tbody tr")
    expect(pending).to_have_count(2)
    expect(pending.filter(has_text=head_email)).to_contain_text("e-mail link")
    expect(pending.filter(has_text=specialist_phone)).to_contain_text("SMS code")

    # The head: the e-mail's link, registration with that address, back to the invitation.
    letters = mailbox.to(head_email)
    assert len(letters) == 1, [m["To"] for _r, m in mailbox.messages]
    found = re.search(r"(http://\S+/join/\S+)", letters[0].get_content())
    assert found, letters[0].get_content()
    head = people(head_email)
    hp = head.page
    head.goto(found.group(1))
    expect(hp.locator("main h1")).to_have_text("An invitation to a role")
    expect(hp.locator("main dl.facts")).to_contain_text("Head of the ayil okmotu")
    expect(hp.locator("main dl.facts")).to_contain_text(name_en)
    head.submit("main a.button.secondary")  # Register
    head.register(head_email, f"Head {u}", head_password)
    expect(hp.locator("main h1")).to_have_text("An invitation to a role")
    head.submit("main button[name=answer][value=accept]")
    expect(hp.locator("main .flash.success")).to_have_text("You have accepted the role.")
    head.goto(found.group(1), expect=410)  # once only

    # The specialist: registers with the phone, proves it by the SMS code, types the
    # invitation's code at /join.
    spec = people(specialist_phone, **PHONE)
    sp = spec.page
    invitation_sms = last_sms(app, specialist_phone, "invitation")
    assert "/join" in invitation_sms, invitation_sms
    spec.goto("/login")
    spec.submit("main a[href^='/register']")
    spec.register(specialist_phone, f"Specialist {u}", specialist_password)
    spec.confirm_phone(app, specialist_phone)
    spec.goto("/join")
    sp.fill("input[name=code]", sms_code(app, specialist_phone, "invitation"))
    spec.submit("main form.stack button[type=submit]")
    expect(sp.locator("main .flash.success")).to_have_text("You have accepted the role.")

    # The specialist starts a competition of the new municipality from the dashboard.
    assert sp.url.endswith("/dashboard"), sp.url
    spec.submit("a[href='/competitions/new']")
    expect(sp.locator("main h1")).to_have_text("New competition")
    sp.fill("input[name=title_ky]", f"Жергиликтүү демилгелер {tag}")
    sp.fill("input[name=title_ru]", f"Местные инициативы {tag}")
    sp.fill("input[name=title_en]", f"Local initiatives {tag}")
    spec.submit("main form.stack button[type=submit]")
    expect(sp.locator("main .flash.success")).to_contain_text("The competition is created.")
    made = re.search(r"/competitions/(\d+)/budget", sp.url)
    assert made, sp.url
    cid = int(made.group(1))
    assert q(app, lambda s: s.get(Competition, cid).municipality_id) == mid

    # The head sees it on the dashboard; the operator sees both holding their roles.
    head.goto("/dashboard")
    expect(hp.locator("main")).to_contain_text(f"Local initiatives {tag}")
    op.goto(f"/admin/municipalities/{mid}/staff")
    holders = p.locator("table:has(th:text('Departure')) tbody tr")
    expect(holders).to_have_count(2)
    expect(holders.filter(has_text=head_email)).to_contain_text("Head of the ayil okmotu")
    expect(holders.filter(has_text=specialist_phone)).to_contain_text("AO specialist")
    expect(p.locator("main")).to_contain_text("No invitation is waiting for an answer.")


# --- 4. a citizen confirms a phone, forgets the password and resets it by SMS -----------------


def test_citizen_with_a_confirmed_phone_resets_the_password_by_sms(app, site, people):
    phone, first, second = unique_phone(), password(), password()
    u = uuid.uuid4().hex[:8]
    w = people(phone, **PHONE)
    p = w.page
    w.goto("/login")
    w.submit("main a[href^='/register']")
    w.register(phone, f"Citizen {u}", first)
    w.confirm_phone(app, phone)
    w.log_out()

    w.goto("/login")
    w.submit("main a[href='/forgot']")
    expect(p.locator("main h1")).to_have_text("Forgot your password?")
    p.fill("input[name=login]", "0" + phone[4:])
    w.submit("main form.stack button[type=submit]")
    assert p.url.endswith("/forgot/code"), p.url
    expect(p.locator("main .flash.info")).to_contain_text("If an account with this e-mail")
    expect(p.locator("input[name=login]")).to_have_value(phone)  # kept, in one spelling
    p.fill("input[name=code]", sms_code(app, phone, "password_reset"))
    p.fill("input[name=password]", second)
    p.fill("input[name=password_again]", second)
    w.submit("main form.stack button[type=submit]")
    assert "/login" in p.url, p.url
    expect(p.locator("main .flash.success")).to_contain_text("Your password is changed.")

    w.refused(phone, first)
    w.log_in(phone, second)
    w.goto("/account")
    expect(p.locator("input[name=full_name]")).to_have_value(f"Citizen {u}")
    expect(p.locator("input[name=phone]")).to_have_value(phone)


# --- 5. another citizen is given a printed code at the office ---------------------------------


def test_citizen_resets_the_password_with_a_code_printed_at_the_office(app, site, people):
    phone, first, second = unique_phone(), password(), password()
    u = uuid.uuid4().hex[:8]
    citizen = people(phone)
    cp = citizen.page
    citizen.goto("/login")
    citizen.submit("main a[href^='/register']")
    citizen.register(phone, f"Villager {u}", first)
    citizen.log_out()  # the phone is lost: never confirmed

    # At the counter: the specialist checks the passport and prints a code.
    office = people(DEMO_SPECIALIST)
    op = office.page
    office.log_in(DEMO_SPECIALIST, DEMO_PASSWORD)
    office.language("en")  # the demo's specialist works in Kyrgyz
    office.goto("/office/reset")
    expect(op.locator("main h1")).to_have_text("A reset code on paper")
    op.fill("input[name=login]", phone)
    op.fill("input[name=passport_tail]", "7a41")
    office.submit("main form.stack button[type=submit]", ok=False)  # the box is not ticked
    expect(op.locator("main")).to_contain_text("Check the passport and tick the box.")
    op.check("input[name=passport_checked]")
    office.submit("main form.stack button[type=submit]")
    printout = op.locator(".printout")
    expect(printout).to_contain_text(f"Villager {u}")
    expect(printout).to_contain_text(phone)
    code = op.locator(".printout p.code").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4}", code), code

    # The citizen, at home, redeems it.
    citizen.goto("/forgot")
    citizen.submit("main a[href='/forgot/code']")
    cp.fill("input[name=login]", phone)
    cp.fill("input[name=code]", code)
    cp.fill("input[name=password]", second)
    cp.fill("input[name=password_again]", second)
    citizen.submit("main form.stack button[type=submit]")
    expect(cp.locator("main .flash.success")).to_contain_text("Your password is changed.")
    citizen.refused(phone, first)
    citizen.log_in(phone, second)

    # The code worked once.
    citizen.log_out()
    citizen.goto("/forgot/code")
    cp.fill("input[name=login]", phone)
    cp.fill("input[name=code]", code)
    cp.fill("input[name=password]", first)
    cp.fill("input[name=password_again]", first)
    citizen.submit("main form.stack button[type=submit]", ok=False)
    expect(cp.locator("main")).to_contain_text("The code is wrong or expired.")
