"""The published rules of the results, as properties: whatever the scores, recusals, money
and settings, the awards stay within every source's money, a recused member never moves a
mean, the ranking depends only on the scores and the tie-break settings, and a meeting
without a quorum cannot approve."""

from __future__ import annotations

import itertools
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from initiatives.scoring import ranking
from initiatives.scoring.ranking import Entry, Pool, allocate, mean_of, quorum_met, rank, tally
from workflows import COMPETITION
from workflows.base import Context
from workflows.competition import results_meeting_held

SEATS = list(range(1, 10))
amounts = st.integers(min_value=1, max_value=60_000).map(lambda n: Decimal(n) * 100 / 100)
totals = st.integers(min_value=0, max_value=500).map(lambda n: Decimal(n) / 10)
tie_breaks = st.permutations(ranking.TIE_BREAKS).map(lambda p: list(p[:2]))


@st.composite
def entries(draw, max_size=12):
    n = draw(st.integers(min_value=0, max_value=max_size))
    seats = draw(st.lists(st.sampled_from(SEATS), min_size=1, max_size=9, unique=True))
    result = []
    for i in range(n):
        scored = draw(st.dictionaries(st.sampled_from(seats), totals))
        recused = draw(st.sets(st.sampled_from(seats), max_size=2))
        result.append(
            Entry(
                application_id=1000 + i,
                number=i + 1,
                own_share=Decimal(draw(st.integers(0, 10_000))) / 100,
                requested=draw(amounts),
                partner_requested=draw(st.one_of(st.just(Decimal(0)), amounts)),
                totals={s: t for s, t in scored.items() if s not in recused},
                recused=frozenset(recused),
            )
        )
    return result


@st.composite
def pools(draw):
    return [
        Pool(source_id=i, amount=draw(amounts), per_winner_cap=draw(st.one_of(st.none(), amounts)))
        for i in range(draw(st.integers(0, 3)))
    ]


@settings(max_examples=300, deadline=None)
@given(
    entries(),
    amounts,
    pools(),
    st.one_of(st.none(), amounts),
    st.booleans(),
    tie_breaks,
    st.one_of(st.none(), totals),
    st.data(),
)
def test_awards_never_exceed_any_source(
    items, money, partner_pools, max_grant, skip, breaks, min_mean, data
):
    partial = {e.application_id: data.draw(amounts) for e in items if data.draw(st.booleans())}
    ranked = rank(items, breaks, min_mean)
    result = allocate(
        ranked,
        money,
        pools=partner_pools,
        max_grant=max_grant,
        skip_unfit=skip,
        partial=partial,
    )
    assert sum((a.local for a in result), Decimal(0)) <= money
    for p in partner_pools:
        given_out = [a.partners.get(p.source_id, Decimal(0)) for a in result]
        assert sum(given_out, Decimal(0)) <= p.amount
        if p.per_winner_cap is not None:
            assert all(x <= p.per_winner_cap for x in given_out)
    for a in result:
        e = a.ranked.entry
        assert a.local <= e.requested
        if max_grant is not None:
            assert a.local <= max_grant
        if a.outcome != ranking.AWARD:
            assert a.local == 0 and not a.partners
        if not a.ranked.qualified:
            assert a.outcome == ranking.BELOW_THRESHOLD
    # The money left is shown after every row and never goes below zero.
    assert all(a.local_left >= 0 for a in result)
    assert all(v >= 0 for a in result for v in a.pools_left.values())


@settings(max_examples=300, deadline=None)
@given(entries(max_size=1), st.sampled_from(SEATS), totals)
def test_a_recused_member_never_moves_a_mean(items, seat, total):
    if not items:
        return
    e = items[0]
    recused = Entry(**{**e.__dict__, "recused": e.recused | {seat}})
    before, _ = mean_of(recused)
    # Whatever the recused member's total, or whether one was given at all, the mean stays.
    with_score = Entry(**{**recused.__dict__, "totals": {**recused.totals, seat: total}})
    assert mean_of(with_score)[0] == before
    assert mean_of(with_score)[1] == mean_of(recused)[1]


@settings(max_examples=300, deadline=None)
@given(entries(), tie_breaks, st.one_of(st.none(), totals), st.randoms())
def test_the_ranking_is_a_function_of_scores_and_settings(items, breaks, min_mean, rnd):
    first = [(r.entry.application_id, r.mean, r.position) for r in rank(items, breaks, min_mean)]
    shuffled = list(items)
    rnd.shuffle(shuffled)
    second = [
        (r.entry.application_id, r.mean, r.position) for r in rank(shuffled, breaks, min_mean)
    ]
    assert first == second
    # Higher means come first; equal means follow the first tie-break rule.
    ranked = rank(items, breaks, min_mean)
    for a, b in itertools.pairwise(ranked):
        ma = a.mean if a.mean is not None else Decimal(-1)
        mb = b.mean if b.mean is not None else Decimal(-1)
        assert ma >= mb
        if ma == mb and breaks[0] == "own_share":
            assert a.entry.own_share >= b.entry.own_share


def test_the_tie_break_defaults_follow_domain_md():
    """Equal means: the larger own-contribution share first, then the earlier registration."""
    same = {1: Decimal("40"), 2: Decimal("40")}
    a = Entry(1, number=2, own_share=Decimal("20"), requested=Decimal(1), totals=same)
    b = Entry(2, number=1, own_share=Decimal("10"), requested=Decimal(1), totals=same)
    c = Entry(3, number=3, own_share=Decimal("20"), requested=Decimal(1), totals=same)
    assert [r.entry.application_id for r in rank([c, b, a])] == [1, 3, 2]


def test_skip_or_stop_at_a_request_that_does_not_fit():
    def entry(i, requested, mean):
        return Entry(i, i, Decimal(0), Decimal(requested), totals={1: Decimal(mean)})

    items = [entry(1, 12000, 45), entry(2, 15000, 40), entry(3, 9000, 35)]
    skipping = allocate(rank(items), Decimal(23000), skip_unfit=True)
    assert [a.outcome for a in skipping] == ["award", "does_not_fit", "award"]
    assert [a.local_left for a in skipping] == [Decimal(11000), Decimal(11000), Decimal(2000)]
    stopping = allocate(rank(items), Decimal(23000), skip_unfit=False)
    assert [a.outcome for a in stopping] == ["award", "does_not_fit", "stopped"]


# --- votes and quorum ---------------------------------------------------------------------


def test_a_tie_goes_to_the_chair_only_with_a_casting_vote():
    votes = ["for", "for", "against", "against"]
    assert tally(votes, chair_choice="for", casting_vote=True).passed
    assert tally(votes, chair_choice="for", casting_vote=True).casting_vote_used
    assert not tally(votes, chair_choice="against", casting_vote=True).passed
    assert not tally(votes, chair_choice="for", casting_vote=False).passed
    assert tally(["for", "for", "abstain"]).passed
    assert not tally(["for", "abstain", "abstain"]).passed


def _meeting(present, seats, approve=True):
    return SimpleNamespace(
        purpose="results",
        held_at=1,
        id=1,
        quorum_met=quorum_met(present, seats, Decimal("0.50")),
        approved=approve,
        motions=[],
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=3, max_value=15), st.data())
def test_a_meeting_without_quorum_cannot_approve(seats, data):
    present = data.draw(st.integers(min_value=0, max_value=seats))
    competition = SimpleNamespace(meetings=[_meeting(present, seats)], applications=[])
    reason = results_meeting_held(competition, Context(data={}, now=None))
    if present * 2 <= seats:  # not more than half: no quorum, whatever the votes
        assert reason is not None
        assert reason.message == "the results meeting had no quorum"
    else:
        assert reason is None
    assert "results_meeting_held" in {
        g.__name__ for g in COMPETITION.any_transition("approve_results").guards
    }
