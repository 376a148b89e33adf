"""The arithmetic of results: weighted totals, means, the ranking, the proposal of winners
within the money, and the counting of votes.

Pure functions on plain values (no database, no Flask), so the published rules can be
stated, tested with Hypothesis and reproduced by hand from a printed protocol: the same
scores and the same settings always give the same ranking and the same winners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Means are shown and compared with three places: enough to separate real differences,
# few enough that a reader can recompute them with a calculator.
MEAN_PLACES = Decimal("0.001")

# Tie-break rules a competition may list, in the order it lists them. Registration order
# is always applied last, so the ranking is a total order whatever the settings say.
TIE_BREAKS = ("own_share", "smaller_request", "registration")


def round_mean(value: Decimal) -> Decimal:
    """The one rounding of every mean (the ranked ones and each criterion's): three places,
    half up, as a reader with a calculator rounds. Pages and protocols print this very
    value, never a re-rounded one, so the printed mean is the one that was ranked."""
    return value.quantize(MEAN_PLACES, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(values: Mapping[int, Decimal], weights: Mapping[int, Decimal]) -> Decimal:
    """One member's total for one application: the sum of score × weight."""
    return money(sum((Decimal(str(v)) * weights[k] for k, v in values.items()), ZERO))


@dataclass(frozen=True)
class Entry:
    """One application as the ranking sees it."""

    application_id: int
    number: int  # registration number: earlier registered, smaller number
    own_share: Decimal  # percent of the whole budget
    requested: Decimal  # from the local budget
    partner_requested: Decimal = ZERO  # what its budget expects from partner pools
    totals: Mapping[int, Decimal] = field(default_factory=dict)  # seat id -> weighted total
    recused: frozenset[int] = frozenset()  # seats that declared a conflict


@dataclass(frozen=True)
class Ranked:
    entry: Entry
    mean: Decimal | None  # None: nobody could score it
    position: int
    qualified: bool  # at or above the minimum mean score (when one is set)
    counted: int  # members whose totals make the mean


def mean_of(entry: Entry) -> tuple[Decimal | None, int]:
    """The mean of the weighted totals of the members who are not recused."""
    counted = [t for seat, t in entry.totals.items() if seat not in entry.recused]
    if not counted:
        return None, 0
    mean = round_mean(sum(counted, ZERO) / len(counted))
    return mean, len(counted)


def _sort_key(entry: Entry, mean: Decimal | None, tie_breaks: Sequence[str]) -> tuple:
    key: list = [-(mean if mean is not None else Decimal(-1))]
    for rule in tie_breaks:
        if rule == "own_share":
            key.append(-entry.own_share)
        elif rule == "smaller_request":
            key.append(entry.requested)
        elif rule == "registration":
            key.append(entry.number)
        else:
            raise ValueError(f"unknown tie-break rule {rule!r}")
    key.append(entry.number)  # the last word: registration order
    key.append(entry.application_id)
    return tuple(key)


def rank(
    entries: Iterable[Entry],
    tie_breaks: Sequence[str] = ("own_share", "registration"),
    min_mean: Decimal | None = None,
) -> list[Ranked]:
    """Highest mean first; ties broken by the competition's rules in their order."""
    scored = [(e, *mean_of(e)) for e in entries]
    scored.sort(key=lambda item: _sort_key(item[0], item[1], tie_breaks))
    threshold = None if min_mean is None else Decimal(str(min_mean))
    return [
        Ranked(
            entry=e,
            mean=mean,
            position=position,
            qualified=mean is not None and (threshold is None or mean >= threshold),
            counted=counted,
        )
        for position, (e, mean, counted) in enumerate(scored, start=1)
    ]


# --- the proposal of winners -------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """A partner pool, donation or other source that goes with local-budget awards."""

    source_id: int
    amount: Decimal
    per_winner_cap: Decimal | None = None


AWARD = "award"
NOT_FIT = "does_not_fit"  # the money left is less than the request
BELOW_THRESHOLD = "below_threshold"
STOPPED = "stopped"  # an earlier one did not fit and the rules say stop there


@dataclass(frozen=True)
class Allocation:
    ranked: Ranked
    outcome: str
    local: Decimal  # awarded from the local budget (0 when not awarded)
    partners: Mapping[int, Decimal]  # pool source id -> amount
    local_left: Decimal  # local money remaining after this row
    pools_left: Mapping[int, Decimal]  # each pool's money remaining after this row
    partial: bool = False  # the commission set less than the request


def allocate(
    ranking: Sequence[Ranked],
    local_money: Decimal,
    *,
    pools: Sequence[Pool] = (),
    max_grant: Decimal | None = None,
    skip_unfit: bool = True,
    partial: Mapping[int, Decimal] | None = None,
) -> list[Allocation]:
    """Walk the ranking and award each the requested local amount while the money lasts.

    ``partial`` holds amounts the commission set instead of a request (never above the
    request or the maximum grant: larger ones are cut to that). An application that does
    not fit is skipped and the walk goes on (``skip_unfit``) or stops there. Partner pools
    follow the local award: each winner gets what its budget expects from partners, within
    each pool's per-winner cap and what the pool still holds, pools taken in their order.
    """
    partial = partial or {}
    left = money(local_money)
    pools_left = {p.source_id: money(p.amount) for p in pools}
    stopped = False
    result = []
    for r in ranking:
        e = r.entry
        want = money(e.requested)
        is_partial = False
        if e.application_id in partial:
            want = min(want, money(partial[e.application_id]))
            is_partial = want < money(e.requested)
        if max_grant is not None and want > max_grant:
            want = money(max_grant)
            is_partial = True
        if not r.qualified:
            outcome = BELOW_THRESHOLD
        elif stopped:
            outcome = STOPPED
        elif want <= 0 or want > left:
            outcome = NOT_FIT
            stopped = not skip_unfit
        else:
            outcome = AWARD
        partners: dict[int, Decimal] = {}
        if outcome == AWARD:
            left -= want
            need = money(e.partner_requested)
            for p in pools:
                if need <= 0:
                    break
                give = min(need, pools_left[p.source_id])
                if p.per_winner_cap is not None:
                    give = min(give, money(p.per_winner_cap))
                if give > 0:
                    partners[p.source_id] = give
                    pools_left[p.source_id] -= give
                    need -= give
        result.append(
            Allocation(
                ranked=r,
                outcome=outcome,
                local=want if outcome == AWARD else ZERO,
                partners=partners,
                local_left=left,
                pools_left=dict(pools_left),
                partial=is_partial and outcome == AWARD,
            )
        )
    return result


# --- votes and quorum --------------------------------------------------------------------

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    passed: bool
    casting_vote_used: bool = False

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


def tally(
    choices: Iterable[str], *, chair_choice: str | None = None, casting_vote: bool = True
) -> Tally:
    """A motion passes when more than half of the votes cast are "for". When exactly half
    are, the vote is tied: the chair's vote decides if the regulation gives the chair a
    casting vote, otherwise the motion fails."""
    choices = list(choices)
    yes, no = choices.count(FOR), choices.count(AGAINST)
    abstain = len(choices) - yes - no
    if yes * 2 > len(choices):
        return Tally(yes, no, abstain, True)
    if choices and yes * 2 == len(choices) and casting_vote and chair_choice is not None:
        return Tally(yes, no, abstain, chair_choice == FOR, casting_vote_used=True)
    return Tally(yes, no, abstain, False)


def quorum_met(present: int, seats: int, share: Decimal) -> bool:
    """Strictly more than the regulation's share of the seats is present."""
    return seats > 0 and present > seats * Decimal(str(share))
