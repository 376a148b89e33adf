"""One new competition from draft to closed, through the pages only, as each kind of user
in turn: the specialist sets it up and announces it and types in a paper application;
three citizens apply online (a 360 px phone, the UI in Kyrgyz, the UI in Russian); the
intake closes at its deadline; the secretary screens; the commission declares conflicts,
scores, proposes, meets and approves; the head decides; the specialist signs agreements,
pays, accepts the winners' reports and closes; an anonymous visitor reads the results and
checks a document by its QR link. Every registered document is downloaded and its text
checked with pypdf; a full-page screenshot of each main page goes to ``test-artifacts/``.

The deadline is typed to the minute and must be in the future when announcing, so the test
waits for it: it is set ``LIFECYCLE_INTAKE_MINUTES`` (default 3) to that plus one minutes
after the terms are saved, and the four applications must be in before it (about a minute).
The regulation's minimum window (14 days) is met by an opening date in the past.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.competitions.models import Competition, Criterion
from initiatives.core.enums import DocumentKind
from initiatives.documents.models import Document
from initiatives.extensions import db
from initiatives.grants.models import ImplementationReport
from tests.browser.lifecycle_helpers import Tally, Walker, compact, pdf_file, png_file

BISHKEK = ZoneInfo("Asia/Bishkek")
INTAKE_MINUTES = int(os.environ.get("LIFECYCLE_INTAKE_MINUTES", "3"))
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}
DOMAIN = "orozbekov.example"
SPECIALIST, HEAD, CHAIR = f"specialist@{DOMAIN}", f"head@{DOMAIN}", f"chair@{DOMAIN}"
MEMBERS = [f"member1@{DOMAIN}", f"member2@{DOMAIN}", f"member3@{DOMAIN}"]
LOCAL_BUDGET, MAX_GRANT = Decimal(24000), Decimal(10000)

# Who applies, how, and how the commission will see it (a share of each criterion's scale).
# Ranked by score: 8 000 + 7 000 + 9 000 = 24 000, the whole local budget; the paper
# application, last, no longer fits and is not financed.
ONLINE = [
    {
        "login": f"aigul@{DOMAIN}",
        "context": PHONE,
        "language": None,
        "title": "Volleyball court for the youth of Orozbekov",
        "local": 8000,
        "score": 0.9,
        "kind": "group",
    },
    {
        "login": f"bakyt@{DOMAIN}",
        "context": DESKTOP,
        "language": "ky",
        "title": "Жаштар үчүн китепкана бурчу",
        "local": 7000,
        "score": 0.75,
        "kind": "individual",
    },
    {
        "login": "+996555000111",
        "context": DESKTOP,
        "language": "ru",
        "title": "Уличное освещение улицы Ленина",
        "local": 9000,
        "score": 0.6,
        "kind": "individual",
    },
]
PAPER = {
    "title": "Repair of the village bath-house roof",
    "local": 6000,
    "score": 0.3,
    "kind": "individual",
}
CONFLICTED = (MEMBERS[0], 1)  # member1 is related to bakyt (the second applicant)


def local_minute(moment: datetime) -> str:
    return moment.astimezone(BISHKEK).strftime("%Y-%m-%dT%H:%M")


def q(app, fn):
    """Read the database (never to change it): ``fn(session)`` in an app context."""
    with app.app_context():
        try:
            return fn(db.session)
        finally:
            db.session.remove()


def competition_state(app, cid: int) -> str:
    return q(app, lambda s: s.get(Competition, cid).state)


def application_states(app, cid: int) -> dict[int, str]:
    rows = q(
        app,
        lambda s: s.execute(
            select(Application.id, Application.state).where(Application.competition_id == cid)
        ).all(),
    )
    return dict(rows)


class Lifecycle:
    """Everything the stages share."""

    def __init__(self, app, browser, base: str):
        self.app, self.browser, self.base = app, browser, base
        self.tally = Tally()
        self.marker = f"E2E{int(time.time()) % 1_000_000:06d}"
        self.walkers: list[Walker] = []
        self.cid = 0
        self.ids: dict[str, int] = {}  # applicant login (or "paper") -> application id

    def walker(self, who: str | None, **context) -> Walker:
        w = Walker(self.browser, self.base, self.tally, who, **(context or DESKTOP))
        self.walkers.append(w)
        return w

    # --- documents ---------------------------------------------------------------------------

    def phrases(self, d: Document) -> list[str]:
        m = self.marker
        by_kind = {
            "budget_allocation": [f"KD-{m}", "BL-2281"],
            "commission_order": [f"BO-{m}"],
            "announcement": [m],
            "winners_decision": [f"WD-{m}"],
            "grant_agreement": [f"GA-{m}"],
            "results_notice": [m],
            "final_report": [m],
        }
        return by_kind.get(d.kind.value, [])

    def check_documents(self, w: Walker) -> int:
        """Download every document the competition page lists that was not checked yet."""
        w.goto(f"/competitions/{self.cid}")
        links = w.page.locator("section.documents a[href^='/documents/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        docs = {
            d.id: d
            for d in q(
                self.app,
                lambda s: s.scalars(
                    select(Document).where(Document.competition_id == self.cid)
                ).all(),
            )
        }
        assert len(hrefs) == len(docs), (hrefs, sorted(docs))
        new = 0
        for href in hrefs:
            did = int(re.search(r"/documents/(\d+)\.pdf", href).group(1))
            if did in self.tally.checked_ids:
                continue
            d = docs[did]
            text, body = w.pdf_text(href)
            flat = compact(text)
            number = f"{d.year}/{d.number:04d}"
            assert number in flat, f"{d.kind.value} {number}: not in its text\n{text[:600]}"
            for phrase in [*self.phrases(d), f"/verify/{d.token}"]:  # the QR code's link
                assert compact(phrase) in flat, f"{d.kind.value} {number}: no {phrase!r}"
            stored = q(self.app, lambda s, did=did: s.get(Document, did).sha256)
            assert stored == hashlib.sha256(body).hexdigest(), f"{number}: hash differs"
            self.tally.checked_ids.add(did)
            self.tally.documents += 1
            new += 1
        return new

    # --- an application, section by section ----------------------------------------------

    def fill_application(self, w: Walker, aid: int, data: dict, *, paper: bool) -> None:
        p = w.page
        assert p.url.endswith(f"/applications/{aid}/edit/applicant"), p.url
        p.check(f"input[name=applicant_kind][value={data['kind']}]")
        if data["kind"] == "group":
            p.fill("input[name=organisation_name]", f"Jashtar demilgesi {self.marker}")
            p.fill("textarea[name=group_members]", "Aigul — leader\nNurlan\nAsel — treasurer")
        p.fill("input[name=village]", "Orozbekov")
        p.fill("input[name=address]", "Main street 1")
        w.submit("button[name=next]")

        p.fill("input[name=title]", data["title"])
        p.check("input[name=initiative_kind][value=co_financing]")
        p.select_option("select[name=priority_topic]", "youth")
        p.fill("textarea[name=problem]", "Young people have nowhere to meet in the evenings.")
        p.fill("textarea[name=goal]", "A place used every day by about a hundred people.")
        p.fill("textarea[name=target_groups]", "Pupils, students, young families.")
        p.fill("textarea[name=sustainability]", "The school keeps it and repairs it yearly.")
        w.submit("button[name=next]")

        start = datetime.now(BISHKEK).date() + timedelta(days=10)
        p.fill("input[name='activities-0-description']", "Buy and deliver the materials")
        p.fill("input[name='activities-0-starts_on']", start.isoformat())
        p.fill("input[name='activities-0-ends_on']", (start + timedelta(days=20)).isoformat())
        p.fill("input[name='activities-0-responsible']", "The group's leader")
        w.submit("button[name=next]")

        for name, value in (("women", 40), ("men", 35), ("girls", 30), ("boys", 25)):
            p.fill(f"input[name=group_{name}]", str(value))
        w.submit("button[name=next]")

        local = data["local"]
        own, labour, partner = 1000, 1000, 1000
        p.fill("input[name='lines-0-item']", "Materials and works")
        p.fill("input[name='lines-0-unit']", "set")
        p.fill("input[name='lines-0-quantity']", "1")
        p.fill("input[name='lines-0-unit_price']", str(local + own + labour + partner))
        p.fill("input[name='lines-0-local_amount']", str(local))
        p.fill("input[name='lines-0-own_amount']", str(own))
        p.fill("input[name='lines-0-labour_amount']", str(labour))
        p.fill("input[name='lines-0-partner_amount']", str(partner))
        w.submit("button[name=next]")

        assert p.url.endswith("/edit/documents"), p.url
        uploads = [("application_letter", "letter.pdf"), ("budget", "budget.pdf")]
        if paper:
            uploads.append(("scan", "paper-original.pdf"))
        for doc_type, name in uploads:
            p.select_option("select[name=doc_type]", doc_type)
            p.set_input_files("input[name=file]", pdf_file(name, f"{data['title']} {doc_type}"))
            w.submit("form[action$='/attachments'] button[type=submit]")
        assert p.locator(".doc-list.files li").count() == len(uploads)
        w.submit("form[action$='/attachments'] button[name=goto][value=review]")

        assert p.locator(".error-summary").count() == 0, (
            f"{w.main_text()}\n(a slow machine? raise LIFECYCLE_INTAKE_MINUTES)"
        )
        w.shot(f"review-{'paper' if paper else data['login'].split('@')[0].strip('+')}")
        p.check("form[action$='/submit'] input[name=confirm]")
        w.submit("form[action$='/submit'] button[type=submit]")
        assert p.url.endswith(f"/applications/{aid}"), p.url
        number = q(self.app, lambda s: s.get(Application, aid).number)
        assert number, f"application {aid} has no registration number"

    # --- stage 1: the specialist sets the competition up -----------------------------------

    def set_up(self) -> Walker:
        spec = self.walker(SPECIALIST)
        m = self.marker
        spec.goto("/dashboard")
        spec.shot("dashboard")
        spec.submit("a[href='/competitions/new']")
        p = spec.page
        p.fill("input[name=title_ky]", f"Жергиликтүү демилгелер {m}")
        p.fill("input[name=title_ru]", f"Местные инициативы {m}")
        p.fill("input[name=title_en]", f"Local initiatives {m}")
        spec.submit("main form.stack button[type=submit]")
        found = re.search(r"/competitions/(\d+)/budget", p.url)
        assert found, p.url
        self.cid = cid = int(found.group(1))

        today = datetime.now(BISHKEK).date()
        sources = [
            {
                "kind": "local_budget",
                "name": f"Local budget {today.year}",
                "amount": str(LOCAL_BUDGET),
                "decision_number": f"KD-{m}",
                "decision_date": (today - timedelta(days=30)).isoformat(),
                "budget_line": "BL-2281",
            },
            {
                "kind": "donor",
                "name": "Community Fund",
                "amount": "5000",
                "per_winner_cap": "1000",
                "conditions_ky": "Жеңүүчүгө 1 000 сомго чейин өнөктөштүн чыгымдарына.",
                "conditions_ru": "До 1 000 сом на победителя на расходы партнёра.",
            },
        ]
        for source in sources:
            p.select_option("select[name=kind]", source.pop("kind"))
            for name, value in source.items():
                selector = f"[name={name}]"
                tag = "textarea" if name.startswith("conditions") else "input"
                p.fill(f"{tag}{selector}", value)
            spec.submit("form[action*='/budget#source-form'] button[type=submit]")
        assert p.locator("main table tbody tr").count() == 2
        spec.shot("money")

        spec.goto(f"/competitions/{cid}/commission")
        seats = [
            (CHAIR, "chair", "deputy", "Deputy of the ayil kenesh"),
            (SPECIALIST, "secretary", "ao_staff", "Specialist of the ayil okmotu"),
            (MEMBERS[0], "member", "deputy", "Deputy"),
            (MEMBERS[1], "member", "community", "Teacher"),
            (MEMBERS[2], "member", "community", "Farmer"),
        ]
        for login, role, category, position in seats:
            p.fill("input[name=seat-login]", login)
            p.fill("input[name=seat-position]", position)
            p.select_option("select[name=seat-seat_role]", role)
            p.select_option("select[name=seat-category]", category)
            spec.submit("form[action*='/commission#seat-form'] button[type=submit]")
        p.fill("input[name=order-order_number]", f"BO-{m}")
        p.fill("input[name=order-order_date]", (today - timedelta(days=1)).isoformat())
        spec.submit("form[action*='/commission/order'] button[type=submit]")
        # Each invited person accepts the seat in their own account (consent to sit).
        for login, *_ in seats:
            member = spec if login == SPECIALIST else self.walker(login)
            member.goto("/invitations")
            member.submit("form[action$='/accept'] button[type=submit]")
            if member is not spec:
                member.close()
        spec.goto(f"/competitions/{cid}/commission")
        assert p.locator("main table tbody tr").count() == 5
        assert p.locator("main ul.reasons").count() == 0, spec.main_text()
        spec.shot("commission")

        spec.goto(f"/competitions/{cid}/criteria")
        assert p.locator("fieldset.criterion").count() == 5
        spec.submit("form[action$='/criteria'] button[type=submit]:not([name])")
        spec.shot("criteria")

        spec.goto(f"/competitions/{cid}")
        spec.step("allocate_budget")
        spec.step("form_commission")
        assert competition_state(self.app, cid) == "commission_formed"

        # The terms last: the deadline runs from here.
        spec.goto(f"/competitions/{cid}/terms")
        p.fill("textarea[name=text_ky]", f"Айыл өкмөтү жергиликтүү демилгелердин конкурсун {m}")
        p.fill("textarea[name=text_ru]", f"Айыл окмоту объявляет конкурс местных инициатив {m}")
        p.fill("textarea[name=text_en]", f"The ayil okmotu announces a competition {m}")
        p.check("input[name=priorities][value=youth]")
        for kind in ("individual", "group"):
            p.check(f"input[name=eligible_applicants][value={kind}]")
        for code in ("application_letter", "budget"):
            p.check(f"input[name=required_documents][value={code}]")
        p.fill("input[name=max_grant]", str(MAX_GRANT))
        p.fill("input[name=min_own_share]", "10")
        now = datetime.now(UTC)
        deadline = (now + timedelta(minutes=INTAKE_MINUTES + 1)).replace(second=0, microsecond=0)
        p.fill("input[name=opens_at]", local_minute(now - timedelta(days=15)))
        p.fill("input[name=submission_deadline]", local_minute(deadline))
        p.fill("input[name=implementation_deadline]", local_minute(now + timedelta(days=60)))
        p.fill("input[name=report_deadline]", local_minute(now + timedelta(days=90)))
        p.fill("textarea[name=paper_intake_ky]", "Айыл өкмөтүнүн 3-бөлмөсү")
        p.fill("textarea[name=paper_intake_ru]", "Кабинет 3 айыл окмоту")
        spec.submit("main form.stack.wide button[type=submit]")
        spec.shot("terms")

        spec.goto(f"/competitions/{cid}")
        spec.step("announce")
        assert competition_state(self.app, cid) == "announced"
        spec.shot("competition-announced")
        self.check_documents(spec)
        return spec

    def paper_application(self, spec: Walker) -> None:
        spec.goto(f"/competitions/{self.cid}")
        spec.submit(f"a[href='/competitions/{self.cid}/paper']")
        p = spec.page
        p.fill("input[name=received_at]", local_minute(datetime.now(UTC)))
        p.check("input[name=applicant_kind][value=individual]")
        p.fill("input[name=applicant_name]", "Токтогул Асанов")
        p.fill("input[name=contact_phone]", "+996700123456")
        p.fill("input[name=village]", "Orozbekov")
        p.fill("input[name=title]", PAPER["title"])
        spec.submit("main form.stack button[type=submit]")
        aid = int(re.search(r"/applications/(\d+)/edit/applicant", p.url).group(1))
        self.ids["paper"] = aid
        self.fill_application(spec, aid, PAPER, paper=True)
        spec.shot("paper-submitted")

    # --- stage 2: citizens apply online ----------------------------------------------------

    def apply_online(self, data: dict) -> Walker:
        w = self.walker(data["login"], **data["context"])
        if data["language"]:
            w.language(data["language"])
        w.goto(f"/announcements/{self.cid}")
        if data is ONLINE[0]:
            w.shot("announcement-phone")
        w.submit(f"a[href='/competitions/{self.cid}/apply']")
        w.submit("main form.stack button[type=submit]")
        aid = int(re.search(r"/applications/(\d+)/edit/applicant", w.page.url).group(1))
        self.ids[data["login"]] = aid
        self.fill_application(w, aid, data, paper=False)
        if data["language"]:
            assert w.page.locator("html").get_attribute("lang") == data["language"]
        w.goto("/my/applications")
        w.shot(f"my-applications-{data['language'] or 'phone'}")
        return w

    # --- stage 3: the deadline passes; screening -----------------------------------------

    def close_intake_and_screen(self, spec: Walker) -> None:
        deadline = q(self.app, lambda s: s.get(Competition, self.cid).submission_deadline)
        if deadline.tzinfo is None:
            deadline = deadline.replace(tzinfo=UTC)
        wait = (deadline - datetime.now(UTC)).total_seconds() + 1
        print(f"\n  waiting {max(wait, 0):.0f} s for the submission deadline")
        if wait > 0:
            time.sleep(wait)
        spec.goto(f"/competitions/{self.cid}")  # reading the page closes the intake
        assert competition_state(self.app, self.cid) == "applications_closed"
        spec.step("start_screening")
        spec.goto(f"/competitions/{self.cid}/screening")
        spec.shot("screening")
        for aid in self.ids.values():
            spec.submit(f"a[href='/applications/{aid}/screening']")
            spec.page.check("input[name=decision][value=admit]")
            spec.submit("main form.stack button[type=submit]")
        spec.page.check("input[name=unanimous]")  # the meeting that approves the screening
        spec.step("finish_screening")
        assert competition_state(self.app, self.cid) == "scoring"
        assert set(application_states(self.app, self.cid).values()) == {"admitted"}
        self.check_documents(spec)

    # --- stage 4: the commission ------------------------------------------------------------

    def score(self, w: Walker, login: str) -> None:
        cid = self.cid
        criteria = q(
            self.app,
            lambda s: [
                (k.id, k.scale_min, k.scale_max)
                for k in s.scalars(
                    select(Criterion)
                    .where(Criterion.competition_id == cid)
                    .order_by(Criterion.position)
                )
            ],
        )
        shares = {self.ids[d["login"]]: d["score"] for d in ONLINE}
        shares[self.ids["paper"]] = PAPER["score"]
        conflicted = self.ids[ONLINE[CONFLICTED[1]]["login"]] if login == CONFLICTED[0] else None

        w.goto(f"/competitions/{cid}/scoring")
        w.submit(f"a[href='/competitions/{cid}/scoring/conflicts']")
        for aid in shares:
            if aid == conflicted:
                w.page.check(f"input[name=answer_{aid}][value=conflict]")
                w.page.fill(f"textarea[name=nature_{aid}]", "The applicant is my cousin.")
            else:
                w.page.check(f"input[name=answer_{aid}][value=none]")
        if conflicted:
            w.shot("conflicts")
        w.submit("main form.stack.wide button[type=submit]")
        for aid, share in shares.items():
            if aid == conflicted:
                continue
            w.goto(f"/competitions/{cid}/scoring/applications/{aid}")
            for kid, low, high in criteria:
                w.page.fill(f"input[name=score_{kid}]", str(low + math.floor(share * (high - low))))
            w.page.fill(f"textarea[name=comment_{criteria[0][0]}]", "Clear plan and budget.")
            w.settle()  # the autosave of what was typed has come back
            w.page.check("form.sheet input[name=confirm]")
            if login == CHAIR and aid == self.ids["paper"]:
                w.shot("score-sheet")
            w.submit("form.sheet button[name=action][value=submit]")
            flashes = w.page.locator(".flash.warning")
            assert flashes.count() == 0, flashes.all_inner_texts()
        w.goto(f"/competitions/{cid}/scoring")
        assert w.page.locator(".flash.success").count() == 1, w.main_text()

    def commission(self, spec: Walker) -> Walker:
        chair = self.walker(CHAIR)
        self.score(chair, CHAIR)
        self.score(spec, SPECIALIST)
        for login in MEMBERS:
            member = self.walker(login)
            self.score(member, login)
            member.close()

        cid = self.cid
        chair.goto(f"/competitions/{cid}/scoring/progress")
        chair.shot("progress")
        assert chair.page.locator("table.matrix .cell.recused").count() == 1  # member1
        assert chair.page.locator("table.matrix .cell.ok").count() == 5 * 4 - 1
        chair.submit(f"form[action$='/competitions/{cid}/scoring/close'] button")
        assert set(application_states(self.app, cid).values()) == {"scored"}
        chair.goto(f"/competitions/{cid}/results")
        chair.shot("ranking")
        chair.submit(f"form[action$='/competitions/{cid}/results/apply'] button")
        states = application_states(self.app, cid)
        winners = {self.ids[d["login"]] for d in ONLINE}
        assert {a for a, s in states.items() if s == "awarded"} == winners, states
        assert states[self.ids["paper"]] == "not_awarded", states

        assert chair.page.url.endswith(f"/competitions/{cid}/results/meeting")
        chair.page.fill("input[name=place]", "Hall of the ayil okmotu")
        chair.page.check("input[name=unanimous]")
        chair.page.fill("textarea[name=minutes]", f"Results meeting {self.marker}")
        chair.submit("main form.stack.wide button[type=submit]")
        chair.shot("meeting")
        chair.step("approve_results")
        assert competition_state(self.app, cid) == "results_approved"
        self.check_documents(spec)
        return chair

    # --- stage 5: the head decides ------------------------------------------------------------

    def head_decides(self) -> None:
        head = self.walker(HEAD)
        head.goto(f"/competitions/{self.cid}/results")
        head.step("announce_winners", decision=f"WD-{self.marker}")
        assert competition_state(self.app, self.cid) == "winners_announced"
        head.goto(f"/competitions/{self.cid}")
        head.shot("winners-announced-head")
        head.close()

    # --- stage 6: agreements, payments, reports -------------------------------------------------

    def agreements(self, spec: Walker) -> None:
        cid = self.cid
        spec.goto(f"/competitions/{cid}/grants")
        spec.shot("grants")
        for n, d in enumerate(ONLINE, start=1):
            aid = self.ids[d["login"]]
            spec.submit(f"main a[href='/applications/{aid}/grant']")
            p = spec.page
            p.fill("input[name=number]", f"GA-{self.marker}-{n}")
            p.fill("textarea[name=obligations]", "Labour of the group: 10 days; tools.")
            spec.submit(f"form[action$='/applications/{aid}/agreement'] button[type=submit]")
            text, _ = spec.pdf_text(f"/applications/{aid}/agreement/draft.pdf")
            assert f"GA-{self.marker}-{n}" in compact(text), text[:500]
            self.tally.documents += 1  # the draft to print (not registered)
            form = f"form[action$='/applications/{aid}/agreement/sign']"
            p.set_input_files(f"{form} input[name=file]", pdf_file("signed.pdf", f"GA {n}"))
            p.check(f"{form} input[name=confirm]")
            spec.submit(f"{form} button[type=submit]")
            if n == 1:
                spec.shot("grant-signed")
            spec.goto(f"/competitions/{cid}/grants")
        spec.step("start_implementation")
        assert competition_state(self.app, cid) == "implementation"
        for n, d in enumerate(ONLINE, start=1):
            aid = self.ids[d["login"]]
            spec.goto(f"/applications/{aid}/grant")
            spec.step("begin_implementation")
            awarded = q(self.app, lambda s, aid=aid: s.get(Application, aid).awarded_amount)
            spec.page.fill("input[name=payment-amount]", str(awarded))
            spec.page.fill("input[name=payment-order_number]", f"PO-{self.marker}-{n}")
            spec.submit(f"form[action$='/applications/{aid}/payments'] button[type=submit]")
            assert spec.page.locator("#payments-title").count() == 1
        self.check_documents(spec)

    def report(self, w: Walker, aid: int) -> None:
        w.goto(f"/applications/{aid}/report")
        p = w.page
        p.select_option("select[name=doc_type]", "photo")
        p.set_input_files("input[name=file]", png_file("works.png"))
        w.submit(f"button[formaction$='/applications/{aid}/report/files']")
        assert p.locator("#files .doc-list li").count() == 1

        def spending(s):
            a = s.get(Application, aid)
            report = max(
                s.scalars(
                    select(ImplementationReport).where(ImplementationReport.application_id == aid)
                ),
                key=lambda r: r.round,
            )
            assert a.state == "reporting"
            return [x.planned for x in report.spending]

        for i, planned in enumerate(q(self.app, spending)):  # rows are named by position
            p.fill(f"input[name=actual_{i}]", str(planned))
        for box in p.locator("input[name^=done_]").all():
            box.check()
        for note in p.locator("input[name^=note_]").all():
            note.fill("Done as planned.")
        for i, count in enumerate((42, 38, 31, 27)):
            p.fill(f"input[name=group_{i}]", str(count))
        p.fill("textarea[name=results_text]", f"The works are finished and in use {self.marker}.")
        p.fill("textarea[name=contribution_note]", "Ten days of labour by the group.")
        p.check("input[name=confirm]")
        w.shot(f"report-{aid}")
        w.submit("button[name=action][value=submit]")
        assert p.url.split("#")[0].endswith(f"/applications/{aid}/grant"), p.url

    # --- stage 7: acceptance and closing ------------------------------------------------------

    def accept_and_close(self, spec: Walker) -> None:
        for d in ONLINE:
            aid = self.ids[d["login"]]
            spec.goto(f"/applications/{aid}/grant")
            spec.step("accept_report")
        assert {
            s for a, s in application_states(self.app, self.cid).items() if a != self.ids["paper"]
        } == {"completed"}
        spec.goto(f"/competitions/{self.cid}/grants")
        spec.step("close")
        assert competition_state(self.app, self.cid) == "closed"
        spec.goto(f"/competitions/{self.cid}/grants")
        spec.shot("grants-closed")
        self.check_documents(spec)

    # --- stage 8: the public -------------------------------------------------------------------

    def public(self) -> None:
        anon = self.walker(None)
        cid = self.cid
        anon.goto(f"/announcements/{cid}")
        anon.shot("public-closed")
        p = anon.page
        assert p.locator("#results").count() == 1
        assert p.locator("#results + p + .table-wrap tr.winner").count() == len(ONLINE)
        assert p.locator("#money").count() == 1
        anon.goto(f"/competitions/{cid}/final-report")
        assert p.locator("svg").count() >= 3
        anon.shot("final-report")

        protocol = q(
            self.app,
            lambda s: s.scalars(
                select(Document).where(
                    Document.competition_id == cid, Document.kind == DocumentKind.RESULTS_PROTOCOL
                )
            ).one(),
        )
        number = f"{protocol.year}/{protocol.number:04d}"
        # The visitor holds the protocol: downloaded from the public page, it prints the
        # link its QR code leads to; the page's "check" link is the same.
        anon.goto(f"/announcements/{cid}")
        href = f"/documents/{protocol.id}.pdf"
        assert p.locator(f"#documents ~ ul a[href='{href}']").count() == 1
        text, body = anon.pdf_text(href)
        found = re.search(r"/verify/([A-Za-z0-9_-]{20,})", compact(text))
        assert found and found.group(1) == protocol.token, text[:800]
        anon.submit(f"a[href='/verify/{found.group(1)}']")
        assert number in anon.main_text(), anon.main_text()
        shown = p.locator("code.hash").inner_text().strip()
        assert hashlib.sha256(body).hexdigest() == shown
        verified, again = anon.pdf_text(f"/verify/{protocol.token}/document.pdf")
        assert again == body and number in compact(verified)
        anon.shot("verify")
        translated, _ = anon.pdf_text(f"/documents/{protocol.id}.pdf?lang=en")
        assert number in compact(translated)
        self.tally.documents += 1  # a translation for reading (not registered)


def test_a_competition_from_draft_to_closed(app, site, browser):
    base, _demo = site
    run = Lifecycle(app, browser, base)
    try:
        spec = run.set_up()
        run.paper_application(spec)
        applicants = [run.apply_online(d) for d in ONLINE]
        run.close_intake_and_screen(spec)
        run.commission(spec).close()
        run.head_decides()
        run.agreements(spec)
        for w, d in zip(applicants, ONLINE, strict=True):
            run.report(w, run.ids[d["login"]])
        run.accept_and_close(spec)
        run.public()
        registered = q(
            app,
            lambda s: s.scalars(
                select(Document.id).where(Document.competition_id == run.cid)
            ).all(),
        )
        assert set(registered) == run.tally.checked_ids
    finally:
        for w in run.walkers:
            with contextlib.suppress(Exception):  # already closed
                w.close()
        t = run.tally
        print(
            f"\nlifecycle: competition {run.cid}, {t.pages} pages, {t.documents} documents "
            f"checked ({len(t.checked_ids)} registered), {t.screenshots} screenshots, "
            f"{time.monotonic() - t.started:.0f} s"
        )
