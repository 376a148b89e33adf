"""The grant agreement, the payment records, the termination, cancellation and failure
notices, rendered in Kyrgyz and in Russian and read back with a real PDF text extractor:
the parties (in the case their clause needs), their bank details, the basis, the legal
sections, the tranches that cannot precede the signing, and notices that say what
happened, on what basis, to which applications, signed by the head."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.core.enums import DocumentKind
from initiatives.core.errors import Refused
from initiatives.demo.builder import at, scan_pdf, sign_agreement
from initiatives.documents.models import Document
from initiatives.grants import operations as grants
from initiatives.lifecycle.operations import fire
from tests.reports.test_intake_documents import assert_language, rendered, word

SPECIALIST = "specialist@orozbekov.example"
MEMBERS = [
    {"name": "Айгүл Токтосунова", "role": "лидер"},
    {"name": "Бакыт Исаков", "role": "казыначы"},
    {"name": "Чолпон Керимбаева", "role": ""},
]
PAYEE = {"bank_name": "ОАО «Айыл Банк»", "account": "1350100021234567", "bic": "135001"}
PIN = "21203199000123"
PASSPORT = "ID1234567"
PHONE = "+996 777 12 34 56"


def docs_of(db, kind: DocumentKind, **where) -> list[Document]:
    return list(
        db.session.scalars(select(Document).filter_by(kind=kind, **where).order_by(Document.id))
    )


@dataclass
class Signed:
    run: object
    a: Application

    def agreement(self, db) -> Document:
        (doc,) = docs_of(db, DocumentKind.GRANT_AGREEMENT, application_id=self.a.id)
        return doc


@pytest.fixture
def signed(build, db):
    """The first winner, a group with its members, ID number, phone and bank details,
    signs its agreement (tranche due after the signing)."""
    run = build("winners_announced", proposals=4)
    a, _p = run.winners()[0]
    a.group_members = MEMBERS
    a.id_document_number = PASSPORT
    a.contact_phone = PHONE
    grants.record_agreement(
        a,
        run.cast.specialist,
        number=f"{run.c.year}/1",
        at=at(run.t0, 37),
        tranches=[{"due": at(run.t0, 41).date(), "amount": a.awarded_amount}],
        payee={**PAYEE, "pin": PIN},
    )
    sign_agreement(run, a, 1)
    db.session.commit()
    return Signed(run, a)


# --- the tranches cannot precede the signing ------------------------------------------------


def test_a_tranche_before_the_signing_is_refused(build, db):
    run = build("winners_announced", proposals=4)
    a, _p = run.winners()[0]
    signing = at(run.t0, 38).date()
    with pytest.raises(Refused) as refused:
        grants.record_agreement(
            a,
            run.cast.specialist,
            number="1",
            signed_on=signing,
            tranches=[{"due": at(run.t0, 30).date(), "amount": a.awarded_amount}],
        )
    assert refused.value.reason.message == grants.TRANCHE_BEFORE_SIGNING
    assert grants.AGREEMENT_FIELDS[grants.TRANCHE_BEFORE_SIGNING] == "tranches"

    # Prepared with a tranche on day 37, then signed on day 38: the paper the parties sign
    # would order a payment before itself.
    db.session.rollback()
    a = db.session.get(Application, a.id)
    grants.record_agreement(
        a,
        run.cast.specialist,
        number="1",
        tranches=[{"due": at(run.t0, 37).date(), "amount": a.awarded_amount}],
    )
    with pytest.raises(Refused) as refused:
        grants.record_signing(a, run.cast.specialist, signed_on=signing)
    assert refused.value.reason.message == grants.TRANCHE_BEFORE_SIGNING
    assert a.agreement.signed_on is None


def test_the_signing_form_says_which_tranche_precedes_it(build, db, login):
    run = build("winners_announced", proposals=4)
    a, _p = run.winners()[0]
    client = login(SPECIALIST)
    client.post("/language/en")
    data = {
        "number": "2026/9",
        "tranches-0-due": "2026-04-01",
        "tranches-0-amount": str(a.awarded_amount),
        "payee_bank_name": PAYEE["bank_name"],
        "payee_account": PAYEE["account"],
        "payee_bic": PAYEE["bic"],
        "payee_pin": PIN,
    }
    assert client.post(f"/applications/{a.id}/agreement", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, a.id).agreement.payee == {**PAYEE, "pin": PIN}
    response = client.post(
        f"/applications/{a.id}/agreement/sign",
        data={
            "signed_on": "2026-04-10",
            "confirm": "y",
            "file": (io.BytesIO(scan_pdf("Agreement 2026/9")), "signed.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # Dates as people write them, not ISO.
    assert "tranche 1 is due on Apr 1, 2026, before the agreement is signed on Apr 10, 2026" in page
    assert 'value="2026-04-10"' in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Application, a.id).state == "awarded"


# --- the agreement's content ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_agreement_names_both_parties_with_their_bank_details(signed, db, lang):
    text = rendered(signed.agreement(db), lang)
    assert_language(text, lang)
    m = signed.run.c.municipality
    for fact in [m.bank_name, m.bank_account, m.bank_bic, m.inn, *PAYEE.values(), PIN]:
        assert fact in text, fact
    assert PASSPORT in text and PHONE in text
    if lang == "ky":
        assert "Орозбеков айыл аймагынын айыл өкмөтү" in text
        assert "Н. Ташиевдин" in text
    else:
        assert "Айыл окмоту Орозбековского айылного аймака" in text
        assert "Ташиева Нурбека" in text
    # Termination belongs to the ayil okmotu as a party, not to its head.
    old_clause = (
        "If the initiative is not carried out, or the money is used for other purposes, the "
        "head of the ayil okmotu may terminate this agreement, and the initiator returns the "
        "money not spent on the initiative."
    )
    assert word(lang, old_clause) not in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_agreement_lists_the_group_and_who_signs_for_it(signed, db, lang):
    text = rendered(signed.agreement(db), lang)
    for member in MEMBERS:
        assert member["name"] in text
    name = signed.a.applicant_name
    assert word(lang, "For the initiative group") in text
    assert (
        word(
            lang,
            "The group has authorised %(name)s to sign this agreement and to act for it under it.",
            name=name,
        )
        in text
    )


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_agreement_cites_the_decision_and_carries_the_legal_sections(signed, db, lang):
    text = rendered(signed.agreement(db), lang)
    c = signed.run.c
    assert c.decision_number in text
    if lang == "ky":
        assert "2026-жылдын 7-апрелиндеги" in text  # the decision's date, attributive
    else:
        assert "7 апреля 2026 г." in text
    for heading in [
        "Rights and obligations of the ayil okmotu",
        "Monitoring",
        "The report",
        "Liability and disputes",
        "Force majeure",
        "Termination, validity and amendments",
        "Addresses, bank details and signatures of the parties",
        "Schedule of tranches",
        "Budget of the initiative, som",
    ]:
        assert word(lang, heading) in text, heading
    for clause in [
        "the spending by budget line and source, with the receipts, invoices and acts of work;",
        "photographs of the site before, during and after the works;",
        "Amendments and additions to this agreement are valid only in writing, signed by both "
        "parties.",
    ]:
        assert word(lang, clause) in text, clause
    # The ayil okmotu terminates it, as a party; the place of signing is printed.
    assert (
        word(
            lang,
            "If the initiative is not carried out, or the money is used for other purposes, the "
            "ayil okmotu may terminate this agreement unilaterally by a written notice, and the "
            "initiator returns the money not spent on the initiative.",
        )
        in text
    )
    assert {"ky": "М.О.", "ru": "М.П."}[lang] in text  # the place of the seal
    # The budget's total row: the whole budget of the application.
    total = f"{signed.a.total_budget:,.2f}".replace(",", "\u00a0").replace(".", ",")
    assert total in text or total.replace("\u00a0", " ") in text


def test_an_agreement_registered_before_renders_as_it_did(signed, db):
    """The frozen-snapshot rule: a snapshot without the new keys prints the old text."""
    doc = signed.agreement(db)
    snap = dict(doc.snapshot)
    old = dict(snap["agreement"])
    for key in ("group", "payee", "place", "budget_total"):
        old.pop(key)
    snap["agreement"] = old
    for key in ("parties", "ao_bank", "decision"):
        snap.pop(key)
    doc.snapshot = snap
    text = rendered(doc, "ru")
    assert word("ru", "Rights and obligations of the ayil okmotu") not in text
    assert word("ru", "Other terms") in text


# --- the termination notice of an agreement never signed -----------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_termination_cites_no_date_for_an_unsigned_agreement(build, db, lang):
    run = build("winners_announced", proposals=4)
    a, _p = run.winners()[0]
    grants.record_agreement(a, run.cast.specialist, number="2026/1", at=at(run.t0, 37))
    fire(a, "terminate", run.cast.head, now=at(run.t0, 37), reason="Топ баш тартты.")
    db.session.commit()
    (doc,) = docs_of(db, DocumentKind.TERMINATION_NOTICE, application_id=a.id)
    text = rendered(doc, lang)
    assert "2026/1" in text
    assert (
        word(
            lang,
            "The draft agreement № %(number)s was never signed and is not concluded.",
            number="2026/1",
        )
        in text
    )
    signed_sentence = word(
        lang, "Agreement № %(number)s of %(date)s is terminated.", number="2026/1", date="—"
    )
    assert signed_sentence not in text and "№ 2026/1 от —" not in text


# --- the cancellation and failure notices ---------------------------------------------------


def notice_facts(run, lang: str, doc: Document) -> str:
    text = rendered(doc, lang)
    assert_language(text, lang)
    m = run.c.municipality
    assert m.regulation_number in text  # the basis: the council's regulation
    assert run.cast.head.full_name in text
    assert word(lang, "Head of the ayil okmotu") in text
    assert word(lang, "AO specialist") not in text  # the generic label is gone
    assert {"ky": "М.О.", "ru": "М.П."}[lang] in text
    return text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_cancellation_notice_states_basis_reason_and_the_applications(build, db, lang):
    run = build("scoring", proposals=3)
    reason = "Жергиликтүү бюджеттин каражаты кыскартылды."
    fire(run.c, "cancel", run.cast.head, now=at(run.t0, 26), reason=reason)
    db.session.commit()
    (doc,) = docs_of(db, DocumentKind.CANCELLATION_NOTICE, competition_id=run.c.id)
    text = notice_facts(run, lang, doc)
    title = run.c.title_ky if lang == "ky" else run.c.title_ru
    assert (
        word(
            lang,
            "The competition «%(competition)s» of %(year)s announced by the ayil okmotu is "
            "cancelled.",
            competition=title,
            year=run.c.year,
        )
        in text
    )
    assert reason in text
    assert (
        word(
            lang,
            "The applications below will not be considered; their applicants are notified "
            "through the portal and at the ayil okmotu:",
        )
        in text
    )
    for a, _p in run.apps:
        assert f"№ {a.number} «{a.title}»" in text
    assert word(lang, "Reason or comment") + ":" not in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_failure_notice_is_not_empty(build, db, lang):
    run = build("screening", proposals=1, rejected=0)
    fire(run.c, "declare_failed", run.cast.specialist, now=at(run.t0, 25))
    db.session.commit()
    (doc,) = docs_of(db, DocumentKind.FAILURE_NOTICE, competition_id=run.c.id)
    text = notice_facts(run, lang, doc)
    assert (
        word(
            lang,
            "The competition did not take place: no application was admitted, so no grant is "
            "awarded in it.",
        )
        in text
    )
    ((a, _p),) = run.apps
    assert f"№ {a.number} «{a.title}»" in text


def test_a_failure_without_applications_says_so(build, db):
    run = build("applications_closed", proposals=0)
    fire(run.c, "declare_failed", run.cast.specialist, now=at(run.t0, 23))
    db.session.commit()
    (doc,) = docs_of(db, DocumentKind.FAILURE_NOTICE, competition_id=run.c.id)
    text = notice_facts(run, "ru", doc)
    statement = word(
        "ru",
        "The competition did not take place: no application was submitted, "
        "so no grant is awarded in it.",
    )
    assert statement in text
    # Said once: the statement is not followed by a second "no application was submitted".
    assert word("ru", "No application was submitted to the competition.") not in text


# --- a payment record per payment ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_each_booked_payment_registers_its_payment_record(signed, db, lang):
    run, a = signed.run, signed.a
    for n, (other, _p) in enumerate(run.winners()[1:], start=2):
        sign_agreement(run, other, n)
    fire(run.c, "start_implementation", run.cast.specialist, now=at(run.t0, 40))
    fire(a, "begin_implementation", run.cast.specialist, now=at(run.t0, 40))
    half = (a.awarded_amount / 2).quantize(Decimal("0.01"))
    for n, amount in enumerate([half, a.awarded_amount - half], start=1):
        grants.record_payment(
            a.agreement,
            run.cast.specialist,
            paid_on=at(run.t0, 40 + n).date(),
            amount=amount,
            order_number=f"PO-{n}",
            at=at(run.t0, 40 + n),
        )
    db.session.commit()
    records = docs_of(db, DocumentKind.PAYMENT_RECORD, application_id=a.id)
    assert len(records) == 2 and not any(r.public for r in records)
    text = rendered(records[0], lang)
    assert_language(text, lang)
    m = run.c.municipality
    for fact in [
        "PO-1",
        f"{run.c.year}/1",
        a.applicant_name,
        m.inn,
        m.bank_account,
        *PAYEE.values(),
        PIN,
    ]:
        assert fact in text, fact
    words = {"ky": "алты миң сом", "ru": "шесть тысяч сомов"}[lang]
    assert words in text  # 6 000 in words
    assert "№ 1" in text  # the tranche
    assert run.cast.head.full_name in text and run.cast.specialist.full_name in text


def test_a_payment_booked_on_the_page_leaves_its_record(build, db, login):
    run = build("implementation", proposals=4)
    a, _p = run.winners()[0]
    before = len(docs_of(db, DocumentKind.PAYMENT_RECORD, application_id=a.id))
    assert before == 1  # the demo's payment of the whole award
    grants.reverse_entry(
        a.agreement,
        run.cast.specialist,
        kind="payment",
        entry_id=a.agreement.payments[0].id,
        day=at(run.t0, 42).date(),
        reason="Сумма ката жазылган.",
    )
    db.session.commit()
    client = login(SPECIALIST)
    response = client.post(
        f"/applications/{a.id}/payments",
        data={
            "payment-day": at(run.t0, 43).date().isoformat(),
            "payment-amount": str(a.awarded_amount),
            "payment-order_number": "PO-77",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    records = docs_of(db, DocumentKind.PAYMENT_RECORD, application_id=a.id)
    assert len(records) == 2
    assert records[-1].sha256  # rendered once after the commit, its hash kept
    assert "PO-77" in rendered(records[-1], "ru")
