"""Setting a competition up loses nothing typed (issue 26, items 4, 5 and 14).

A rule the database would refuse (local-budget money without its council decision, a second
chair) is a field error on the form with everything typed, never a page saying someone else
changed the record; the criteria and the scoring rules are one form, so saving one never
discards the other; a donor's conditions are written per language and each page, column
and document shows its own.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.competitions import operations
from initiatives.competitions.models import Competition, FundingSource
from initiatives.core.enums import DocumentKind, SourceKind
from initiatives.core.errors import Refused
from initiatives.documents.models import Document
from tests.web.test_applications import APPLICANT, INITIATIVE, PLAN, budget, save, start
from tests.web.test_page_markup import citizen
from tests.web.test_setup import DONOR, LOCAL, SPECIALIST, create, text


@pytest.fixture
def specialist(world, login):
    return login(SPECIALIST)


REQUIRED = {
    "decision_number": {
        "ky": "Айылдык кеңештин токтомунун номерин көрсөтүү зарыл.",
        "ru": "Необходимо указать номер постановления айылного кенеша.",
    },
    "decision_date": {
        "ky": "Айылдык кеңештин токтомунун датасын көрсөтүү зарыл.",
        "ru": "Необходимо указать дату постановления айылного кенеша.",
    },
    "budget_line": {
        "ky": "Жергиликтүү бюджеттин каражаты үчүн бюджеттик беренени көрсөтүү зарыл.",
        "ru": "Для средств местного бюджета необходимо указать статью бюджета.",
    },
}


def sources(db, cid: int) -> list[FundingSource]:
    db.session.expire_all()
    return list(db.session.get(Competition, cid).funding_sources)


def error_of(page: str, field: str) -> str:
    """The error paragraph the form helper writes under ``field``."""
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


# --- item 4: the local budget's decision ---------------------------------------------------


@pytest.mark.parametrize("locale", ["ky", "ru"])
@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("decision_number", ""),
        ("decision_number", "   "),
        ("decision_date", ""),
        ("budget_line", ""),
        ("budget_line", "  "),
    ],
)
def test_local_money_without_its_decision_is_a_field_error(specialist, db, locale, field, typed):
    client = specialist
    cid = create(client)
    client.post(f"/language/{locale}")
    typed_name = "Жергиликтүү бюджет, ө ү ң"
    r = client.post(f"/competitions/{cid}/budget", data={**LOCAL, "name": typed_name, field: typed})
    assert r.status_code == 422, r.status_code
    page = text(r)
    assert error_of(page, field) == REQUIRED[field][locale]
    assert typed_name in page and 'value="23000"' in page  # what was typed is on the form
    assert sources(db, cid) == []  # nothing half-stored


def test_correcting_a_source_keeps_the_correction_on_the_form(specialist, db):
    client = specialist
    cid = create(client)
    assert client.post(f"/competitions/{cid}/budget", data=LOCAL).status_code == 302
    source = sources(db, cid)[0]
    r = client.post(
        f"/competitions/{cid}/budget",
        data={**LOCAL, "source_id": source.id, "amount": "24500", "budget_line": ""},
    )
    assert r.status_code == 422
    page = text(r)
    assert error_of(page, "budget_line") and 'value="24500"' in page
    assert [s.budget_line for s in sources(db, cid)] == ["2821"]  # the stored one is kept


def test_the_operation_refuses_local_money_without_its_decision_before_the_database(world, db):
    """Other callers than the form (the demo, a script) meet the same rule, by name."""
    m, cast = world
    c = operations.create_competition(m, 2026, cast.specialist, title_ky="К", title_ru="К")
    db.session.flush()
    fields = {
        "kind": SourceKind.LOCAL_BUDGET,
        "name": "Local budget",
        "amount": 1000,
        "decision_number": "226",
        "decision_date": date(2025, 12, 28),
        "budget_line": "2821",
    }
    for missing in ("decision_number", "decision_date", "budget_line"):
        with pytest.raises(Refused) as refused:
            operations.add_funding_source(c, cast.specialist, **{**fields, missing: None})
        assert refused.value.field == missing and refused.value.status == 422
    assert c.funding_sources == []


# --- item 4: the commission's chair -------------------------------------------------------


CHAIR = {"seat-category": "deputy", "seat-seat_role": "chair"}


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("ky", "комиссияда төрага мурдатан эле бар; адегенде аны курамдан чыгарыңыз"),
        ("ru", "в комиссии уже есть председатель; сначала исключите его из состава"),
    ],
)
def test_a_second_chair_is_a_field_error_with_the_typed_person(specialist, world, locale, message):
    client = specialist
    cid = create(client)
    client.post(f"/language/{locale}")
    _, cast = world
    first = client.post(
        f"/competitions/{cid}/commission", data={"seat-login": cast.members[0].email, **CHAIR}
    )
    assert first.status_code == 302
    second = client.post(
        f"/competitions/{cid}/commission",
        data={"seat-outside_name": "Экинчи Төрага", "seat-position": "депутат", **CHAIR},
    )
    assert second.status_code == 422
    page = text(second)
    assert error_of(page, "seat-seat_role") == message
    assert 'value="Экинчи Төрага"' in page and 'value="депутат"' in page
    assert 'name="order-order_number"' in page  # the whole page, not an error page


def test_a_person_seated_twice_is_a_field_error_on_the_login(specialist, world):
    client = specialist
    cid = create(client)
    client.post("/language/ru")
    _, cast = world
    person = {"seat-login": cast.members[2].email, "seat-category": "community"}
    assert (
        client.post(
            f"/competitions/{cid}/commission", data={**person, "seat-seat_role": "member"}
        ).status_code
        == 302
    )
    again = client.post(
        f"/competitions/{cid}/commission", data={**person, "seat-seat_role": "member"}
    )
    assert again.status_code == 422
    page = text(again)
    assert error_of(page, "seat-login") == "этот человек уже входит в состав комиссии"
    assert f'value="{cast.members[2].email}"' in page


# --- item 5: criteria and scoring rules, one form ------------------------------------------


def criteria_data(c: Competition, changes: dict) -> dict:
    data = {}
    for i, k in enumerate(c.criteria):
        row = {
            "criterion_id": k.id,
            "title_ky": k.title_ky,
            "title_ru": k.title_ru,
            "title_en": k.title_en,
            "scale_min": k.scale_min,
            "scale_max": k.scale_max,
            "weight": k.weight,
        }
        row.update(changes.get(i, {}))
        data.update({f"criteria-{i}-{name}": value for name, value in row.items()})
    return data


RULES = {
    "blind_scoring": "y",
    "tie_break_1": "smaller_request",
    "tie_break_2": "registration",
    "min_mean_score": "12.5",
    "skip_unfit": "y",
}


def test_saving_the_page_keeps_both_the_weights_and_the_scoring_rules(specialist, db):
    client = specialist
    cid = create(client)
    c = db.session.get(Competition, cid)
    data = {**criteria_data(c, {0: {"weight": "2.5"}}), **RULES}
    r = client.post(f"/competitions/{cid}/criteria", data=data)
    assert r.status_code == 302, text(r)
    db.session.expire_all()
    c = db.session.get(Competition, cid)
    assert str(c.criteria[0].weight) == "2.50"
    assert c.settings["blind_scoring"] is True
    assert c.settings["tie_breaks"] == ["smaller_request", "registration"]
    assert c.settings["min_mean_score"] == "12.5"
    assert c.settings["casting_vote"] is False  # unticked: off, as typed
    page = text(client.get(f"/competitions/{cid}/criteria"))
    main = page.split('<main id="main"')[1].split("</main>")[0]
    assert main.count("<form") == 1  # one form, one button that saves


def test_an_error_in_the_rules_keeps_the_edited_weights(specialist, db):
    client = specialist
    cid = create(client)
    c = db.session.get(Competition, cid)
    data = {**criteria_data(c, {1: {"weight": "3"}}), **RULES, "tie_break_1": "registration"}
    r = client.post(f"/competitions/{cid}/criteria", data=data)
    assert r.status_code == 422
    page = text(r)
    assert 'name="criteria-1-weight"' in page and 'value="3"' in page
    assert 'name="min_mean_score"' in page and 'value="12.5"' in page
    db.session.expire_all()
    c = db.session.get(Competition, cid)
    assert str(c.criteria[1].weight) == "1.00" and not c.settings.get("blind_scoring")


def test_adding_a_criterion_keeps_what_was_typed_and_saves_nothing(specialist, db):
    client = specialist
    cid = create(client)
    c = db.session.get(Competition, cid)
    data = {**criteria_data(c, {0: {"weight": "4"}}), **RULES, "add": "1"}
    r = client.post(f"/competitions/{cid}/criteria", data=data)
    assert r.status_code == 200
    page = text(r)
    assert 'name="criteria-5-title_ky"' in page  # the new, sixth row
    assert re.search(r'name="criteria-0-weight"[^>]*value="4"', page)
    assert re.search(r'name="min_mean_score"[^>]*value="12.5"', page)
    db.session.expire_all()
    c = db.session.get(Competition, cid)
    assert len(c.criteria) == 5 and str(c.criteria[0].weight) == "1.00"


# --- item 14: donor conditions in each language -------------------------------------------


CONDITIONS = {
    "conditions_ky": "Жеңүүчүгө 25 000 сомго чейин: спорттук шаймандар",
    "conditions_ru": "До 25 000 сом на победителя: спортивный инвентарь",
}


def test_donor_conditions_are_written_and_shown_per_language(specialist, db):
    client = specialist
    cid = create(client)
    donor = {k: v for k, v in DONOR.items() if not k.startswith("conditions")}
    r = client.post(f"/competitions/{cid}/budget", data={**donor, **CONDITIONS})
    assert r.status_code == 302, text(r)
    stored = sources(db, cid)[0]
    assert (stored.conditions_ky, stored.conditions_ru) == tuple(CONDITIONS.values())
    client.post("/language/ru")
    page = text(client.get(f"/competitions/{cid}/budget"))
    assert CONDITIONS["conditions_ru"] in page.split('id="source-form"')[0]
    assert CONDITIONS["conditions_ky"] not in page.split('id="source-form"')[0]
    client.post("/language/ky")
    page = text(client.get(f"/competitions/{cid}/budget"))
    assert CONDITIONS["conditions_ky"] in page.split('id="source-form"')[0]
    assert CONDITIONS["conditions_ru"] not in page.split('id="source-form"')[0]


@pytest.mark.parametrize(
    ("given", "missing", "message"),
    [
        ("conditions_ky", "conditions_ru", "Напишите условия и на русском языке."),
        ("conditions_ru", "conditions_ky", "Напишите условия и на кыргызском языке."),
    ],
)
def test_conditions_in_one_official_language_ask_for_the_other(
    specialist, db, given, missing, message
):
    client = specialist
    cid = create(client)
    client.post("/language/ru")
    donor = {k: v for k, v in DONOR.items() if not k.startswith("conditions")}
    r = client.post(f"/competitions/{cid}/budget", data={**donor, given: CONDITIONS[given]})
    assert r.status_code == 422
    page = text(r)
    assert error_of(page, missing) == message
    assert CONDITIONS[given] in page
    assert sources(db, cid) == []


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in pages))


def test_the_public_page_and_the_documents_show_the_conditions_in_their_language(
    build, client, login, db
):
    run = build("announced", proposals=0)
    cid = run.c.id
    donor = next(s for s in run.c.funding_sources if s.kind == SourceKind.DONOR)
    ky, ru = donor.conditions_ky, donor.conditions_ru
    assert ky and ru and ky != ru
    client.post("/language/ru")
    page = text(client.get(f"/announcements/{cid}"))
    assert ru in page and ky not in page
    client.post("/language/ky")
    page = text(client.get(f"/announcements/{cid}"))
    assert ky in page and ru not in page

    announcement = db.session.scalars(
        select(Document).where(
            Document.competition_id == cid, Document.kind == DocumentKind.ANNOUNCEMENT
        )
    ).one()
    shown = [s["conditions"] for s in announcement.snapshot["competition"]["sources"]]
    assert {"ky": ky, "ru": ru, "en": ""} in shown
    login(SPECIALIST)
    for lang, own, other in (("ru", ru, ky), ("ky", ky, ru)):
        copy = client.get(f"/documents/{announcement.id}.pdf?lang={lang}")
        assert copy.status_code == 200 and copy.data.startswith(b"%PDF")
        words = pdf_text(copy.data)
        assert own[:20] in words and other[:20] not in words


# --- item 13: shares are percentages, never money -------------------------------------------

MONEY_PERCENT = re.compile(r"(сом|som)\s?%")


@pytest.mark.parametrize(
    ("locale", "reason", "public"),
    [
        (
            "ky",
            "өздүк салым бюджеттин 0% түзөт; кеминде 5% талап кылынат",
            "бюджеттин кеминде 5 %",
        ),
        (
            "ru",
            "собственный вклад составляет 0% бюджета; требуется не менее 5%",
            "не менее 5 % бюджета",
        ),
        ("en", "the own contribution is 0% of the budget; at least 5% is required", "at least 5 %"),
    ],
)
def test_an_own_share_of_nothing_reads_as_a_percentage(build, client, locale, reason, public):
    """The walk of issue 26 read "бюджеттин 0,00 сом% … кеминде 5,00 сом%" on submitting
    a budget with no own contribution; the competition's own pages print the minimum too."""
    run = build("announced", proposals=0, t0=datetime.now(UTC) - timedelta(days=2))
    citizen(client, locale)
    aid = start(client, run.c.id)
    for section, data in (("applicant", APPLICANT), ("initiative", INITIATIVE), ("plan", PLAN)):
        save(client, aid, section, data)
    save(client, aid, "budget", budget(local="10000", own="0"))
    refused = client.post(f"/applications/{aid}/submit", data={"confirm": "y"})
    assert refused.status_code == 409
    for page in (text(refused), text(client.get(f"/applications/{aid}/edit/review"))):
        assert reason in page and not MONEY_PERCENT.search(page)
    page = text(client.get(f"/announcements/{run.c.id}"))
    assert public in page and not MONEY_PERCENT.search(page)
