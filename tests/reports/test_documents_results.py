"""The protocol of results and the final report as a reader checks them (issue 21): the
columns of members and of criteria cannot be confused, the recusal legend is translated
and printed only when someone recused, a partial award and a donor shortfall are said in
words, every tie-break rule that was applied is printed, and the printed mean is the very
value that was ranked (three places, rounded half up, never re-rounded by Babel)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from sqlalchemy import select

from initiatives.core.enums import SourceKind
from initiatives.demo.builder import advance, at, screening_meeting, vote_everything
from initiatives.documents.models import Document
from initiatives.lifecycle.operations import fire
from initiatives.scoring import operations as scoring
from initiatives.scoring import ranking
from initiatives.scoring.results import compute, load, seat_labels
from tests.reports.test_intake_documents import assert_language, rendered, word

RECUSED_LEGEND = (
    "%(mark)s: the member declared a conflict of interest and neither scored nor voted on "
    "the application."
)
TIE_BREAK = "On equal means, priority is given in this order:"
ROUNDING = (
    "Every mean, the total one and each criterion's, is rounded half up to three decimal "
    "places and printed as rounded; the ranking compares these printed means."
)


def protocol_of(run, db) -> Document:
    return db.session.scalars(
        select(Document).where(
            Document.competition_id == run.c.id, Document.kind == "results_protocol"
        )
    ).one()


@pytest.fixture
def plain(build, db):
    """The demo results: nobody recused, every winner financed in full."""
    run = build("results_approved", proposals=4)
    return run, protocol_of(run, db)


@pytest.fixture
def tricky(build, db):
    """Results a reviewer would trip over: member 4 recused from № 1, whose four counted
    totals 45, 45, 45 and 45.01 give a mean of 45.0025 (45.003 half up, 45.002 half to
    even); № 2 financed in part (10 000 of its 11 000); a donor pool of 40 000 that cannot
    give № 2 the 25 000 its budget expects."""
    run = build("screening", proposals=4)
    c = run.c
    pool = next(s for s in c.funding_sources if s.kind != SourceKind.LOCAL_BUDGET)
    pool.amount = Decimal("40000")
    fire(
        c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(c, at(run.t0, 25)),
    )
    seats = list(c.seats)
    first_criterion = min(c.criteria, key=lambda k: k.position)
    for i, (a, p) in enumerate(run.admitted()):
        for n, seat in enumerate(seats):
            conflict = i == 0 and n == 3
            answer = (True, "Менин тууганым.") if conflict else (False, None)
            scoring.declare_conflicts(seat, seat.user, {a.id: answer}, at=at(run.t0, 27))
            if conflict:
                continue
            values = {}
            for k in c.criteria:
                odd = i == 0 and n == 4 and k is first_criterion
                values[k.id] = (Decimal(p.scores) + (Decimal("0.01") if odd else 0), "")
            sheet = scoring.save_sheet(seat, a, seat.user, values, at=at(run.t0, 28))
            scoring.submit_sheet(sheet, seat.user, at=at(run.t0, 29))
        fire(a, "mark_scored", run.secretary, now=at(run.t0, 30))
    second = run.admitted()[1][0]
    scoring.set_partial(second, run.chair, Decimal("10000"), at=at(run.t0, 31))
    scoring.apply_proposal(c, run.chair, now=at(run.t0, 32))
    vote_everything(run)
    fire(c, "approve_results", run.chair, now=at(run.t0, 34))
    db.session.commit()
    return run, protocol_of(run, db)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_members_and_criteria_have_labels_of_their_own(plain, lang):
    run, doc = plain
    text = rendered(doc, lang)
    seats = list(run.c.seats)
    labels = seat_labels([s.name for s in seats])
    assert labels[0] == "".join(f"{w[0]}." for w in seats[0].name.split())
    for label, seat in zip(labels, seats, strict=True):
        assert f"{label} {seat.name}" in text  # the legend of the member columns
    assert " ".join(labels) in text  # the heads of the score matrix
    criteria = " ".join(word(lang, "C%(n)s", n=n) for n in range(1, len(run.c.criteria) + 1))
    assert criteria in text  # the heads of the table of criterion means
    for k in run.c.criteria:
        assert f"{word(lang, 'C%(n)s', n=k.position)} {getattr(k, f'title_{lang}')}" in text
    assert_language(text, lang)


def test_initials_shared_by_two_members_are_told_apart():
    assert seat_labels(["Айжан Мамытова", "Асан Мамытов", "Таалай Жумабаев"]) == [
        "А.М.1",
        "А.М.2",
        "Т.Ж.",
    ]


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_recusal_legend_when_nobody_recused(plain, lang):
    text = rendered(plain[1], lang)
    assert "R:" not in text
    assert word(lang, RECUSED_LEGEND, mark="×") not in text
    assert "×" not in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_recusal_is_marked_and_explained_in_the_documents_language(tricky, lang):
    text = rendered(tricky[1], lang)
    assert word(lang, RECUSED_LEGEND, mark="×") in text
    assert "R:" not in text
    assert "45,00 × 45,01 45,003" in text  # member 4's cell in the row of № 1


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_full_tie_break_order_is_printed(plain, lang):
    text = rendered(plain[1], lang)
    rules = [
        word(lang, "larger own-contribution share"),
        word(lang, "earlier registration"),
    ]
    assert f"{word(lang, TIE_BREAK)} 1) {rules[0]}; 2) {rules[1]}." in text


def test_registration_order_is_printed_even_when_the_settings_omit_it(build, db):
    run = build("scoring", proposals=4)
    run.c.settings = {**(run.c.settings or {}), "tie_breaks": ["smaller_request"]}
    advance(run, "results_approved")
    db.session.commit()
    text = rendered(protocol_of(run, db), "ru")
    rules = [
        word("ru", "smaller request from the local budget"),
        word("ru", "earlier registration"),
    ]
    assert f"{word('ru', TIE_BREAK)} 1) {rules[0]}; 2) {rules[1]}." in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_printed_mean_is_the_ranked_one_rounded_half_up(tricky, lang):
    run, doc = tricky
    results = compute(load(run.c.id))
    first = next(r for r in results.rows if r.application.number == 1)
    exact = Decimal("180.01") / 4  # 45.0025: a half at the fourth place
    assert first.ranked.mean == Decimal("45.003") == ranking.round_mean(exact)
    assert exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN) == Decimal("45.002")
    criterion_mean = Decimal("36.01") / 4  # 9.0025
    assert ranking.round_mean(criterion_mean) == Decimal("9.003")
    assert Decimal("9.003") in first.criterion_means.values()
    text = rendered(doc, lang)
    assert "45,003" in text  # the mean in the score matrix, as ranked
    assert "9,003" in text  # the mean of the first criterion, the same rule
    assert "45,002" not in text and "9,002" not in text
    assert word(lang, ROUNDING) in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_partial_award_and_donor_shortfall_are_said(tricky, lang):
    _run, doc = tricky
    text = rendered(doc, lang)
    L = {"ky": "сом", "ru": "сом"}[lang]
    partial = word(
        lang,
        "partly financed: %(awarded)s of %(requested)s requested",
        awarded=f"10 000,00 {L}",
        requested=f"11 000,00 {L}",
    )
    assert partial in text
    assert word(lang, "Requested and awarded by source") in text
    # № 1: 12 000 of 12 000 local, 25 000 of 25 000 from the donors; № 2: 10 000 of 11 000
    # local, 15 000 of the 25 000 its budget expects: 10 000 not covered.
    assert "1 Папа, мама и я 12 000,00 12 000,00 25 000,00 25 000,00 25 000,00 —" in text
    assert "2 Путешествие в сказку 11 000,00 10 000,00 25 000,00 15 000,00 15 000,00 10 000,00" in (
        text
    )
    assert word(lang, "Not covered") in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_protocol_has_a_number_and_an_agenda(plain, lang):
    _run, doc = plain
    text = rendered(doc, lang)
    assert word(lang, "Protocol № %(number)s", number=doc.register_number) in text
    assert word(lang, "Agenda") in text
    assert word(lang, "Summing up the scores of the admitted applications and their ranking.") in (
        text
    )


# --- the final report ---------------------------------------------------------------------

CONCLUSION_KY = "Сынак айылдын жаштарын бириктирди; кийинки жылы спорт демилгелерин көбөйтөбүз."
CONCLUSION_RU = "Конкурс объединил молодёжь села; в следующем году больше спортивных инициатив."


def final_of(run, db) -> Document:
    return db.session.scalars(
        select(Document).where(Document.competition_id == run.c.id, Document.kind == "final_report")
    ).one()


@pytest.fixture
def under_way(build, db):
    run = build("implementation", proposals=4)
    return run


def test_final_report_counts_activities_in_proper_kyrgyz(under_way, db):
    run = under_way
    advance(run, "closed")
    db.session.commit()
    text = rendered(final_of(run, db), "ky")
    assert "ичинен 2." not in text  # "2 ичинен 2": a number of a number, with no noun
    planned = len(run.winners()[0][0].activities)
    assert word("ky", "All %(planned)s planned activities were carried out.", planned=planned) in (
        text
    )
    ru = rendered(final_of(run, db), "ru")
    assert word("ru", "All %(planned)s planned activities were carried out.", planned=planned) in ru


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_final_report_without_a_conclusion_draws_one_from_the_figures(under_way, db, lang):
    run = under_way
    advance(run, "closed")
    db.session.commit()
    text = rendered(final_of(run, db), lang)
    assert word(lang, "Conclusion") in text
    L = "сом"
    drawn = word(
        lang,
        "Of the %(applications)s applications received, %(winners)s initiatives were financed; "
        "%(completed)s of them were carried out and accepted. Of %(awarded)s awarded from the "
        "local budget, %(spent)s was spent and %(returned)s returned; %(participants)s people "
        "took part in the initiatives.",
        applications=4,
        winners=2,
        completed=2,
        awarded=f"23 000,00 {L}",
        spent=f"23 000,00 {L}",
        returned=f"0,00 {L}",
        participants=384,
    )
    assert drawn in text


def test_the_head_writes_the_conclusion_before_closing(under_way, db, login):
    run = under_way
    c = run.c
    client = login(run.cast.head.email)
    page = client.get(f"/competitions/{c.id}/final-report")
    assert page.status_code == 200 and 'name="conclusion_ky"' in page.get_data(as_text=True)
    url = f"/competitions/{c.id}/final-report/conclusion"
    too_long = client.post(url, data={"conclusion_ky": "ы" * 4001, "conclusion_ru": CONCLUSION_RU})
    assert too_long.status_code == 422
    body = too_long.get_data(as_text=True)
    assert CONCLUSION_RU in body  # what was typed stays on the form
    assert db.session.get(type(c), c.id).conclusion_ru is None  # nothing half-saved
    db.session.rollback()  # the test's read ends before the next request writes
    saved = client.post(url, data={"conclusion_ky": CONCLUSION_KY, "conclusion_ru": CONCLUSION_RU})
    assert saved.status_code == 302
    db.session.expire_all()
    c = db.session.get(type(c), c.id)
    assert (c.conclusion_ky, c.conclusion_ru) == (CONCLUSION_KY, CONCLUSION_RU)
    db.session.rollback()
    stranger = login(run.cast.applicants[0].email)
    assert stranger.post(url, data={"conclusion_ky": "x"}).status_code == 404
    advance(run, "closed")
    db.session.commit()
    doc = final_of(run, db)
    assert doc.snapshot["final"]["conclusion"] == {"ky": CONCLUSION_KY, "ru": CONCLUSION_RU}
    ky, ru = rendered(doc, "ky"), rendered(doc, "ru")
    db.session.rollback()
    assert CONCLUSION_KY in ky and CONCLUSION_RU not in ky
    assert CONCLUSION_RU in ru
    head = login(run.cast.head.email)
    assert head.post(url, data={"conclusion_ky": "кеч"}).status_code == 404  # closed: frozen
