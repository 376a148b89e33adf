"""Every main page costs the same number of SQL queries with 10 applications as with 1,000.

A page whose count grows with the data has an N+1 somewhere: invisible in the demo, it
turns a national competition's page into thousands of round trips. Five competitions (in
screening, in scoring with the commission part way, with results approved, in
implementation, closed) are built with 10 applications through the real steps; every page
is counted; then each competition is grown to 1,000 applications by copying its own rows
(``bench/datagen.multiply``: real applications cloned with their sheets, scores, awards,
agreements, reports and documents) and every page is counted again, at the same address.

The public pages are counted without their page cache (``PUBLIC_PAGE_CACHE``): served from
it they cost one query, whatever the data; what is counted here is the work of rendering
them after a change. The staff dashboard lists a page of competitions at a time.

One query is one statement the page asks for. SQLAlchemy sends a ``selectinload`` of more
than 500 parents in batches of 500 ids, so 1,000 applications take two round trips for
one query: those extra batches are not counted as queries, but every round trip is
printed next to the queries, so the batching stays in sight.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.orm.strategies import SelectInLoader

from bench import datagen
from initiatives.extensions import db as ext

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
SMALL, LARGE = 10, 1000


IN_LIST = re.compile(r"IN \((?:\?|%\([^)]*\)s)(?:, (?:\?|%\([^)]*\)s))*\)")


class Recorder:
    """The statements of one request, and how many of them are later batches of one
    selectin load.

    SQLAlchemy sends a ``selectinload`` of more than 500 parents in batches of 500 ids: a
    page that loads the score sheets of 1,000 applications makes one query in two round
    trips. Such a load is counted once as a query; every round trip is still recorded and
    printed, so the batching stays visible.
    """

    def __init__(self):
        self.round_trips: Counter = Counter()  # statement (IN lists folded) -> times
        self.batches = 0  # round trips that continue a selectin load already counted
        self.loads: list[list[int]] = []  # open selectin loads: round trips so far

    def execute(self, _conn, _cursor, statement, *_args):
        self.round_trips[IN_LIST.sub("IN (...)", statement)] += 1
        if self.loads:
            self.loads[-1][0] += 1
            if self.loads[-1][0] > 1:
                self.batches += 1

    @property
    def queries(self) -> int:
        return self.round_trips.total() - self.batches

    @contextmanager
    def selectin_loads(self):
        """Mark where each selectin load begins and ends (nested loads nest)."""
        originals = {
            name: getattr(SelectInLoader, name) for name in ("_load_via_parent", "_load_via_child")
        }

        def wrap(original):
            def load(*args, **kwargs):
                self.loads.append([0])
                try:
                    return original(*args, **kwargs)
                finally:
                    self.loads.pop()

            return load

        for name, original in originals.items():
            setattr(SelectInLoader, name, wrap(original))
        try:
            yield
        finally:
            for name, original in originals.items():
                setattr(SelectInLoader, name, original)


def record(app, client, path: str) -> tuple[Recorder, int]:
    """What one GET sent to the database, and its HTTP status."""
    with app.app_context():
        engine = ext.engine
    recorder = Recorder()
    event.listen(engine, "before_cursor_execute", recorder.execute)
    try:
        with recorder.selectin_loads():
            status = client.get(path).status_code
    finally:
        event.remove(engine, "before_cursor_execute", recorder.execute)
    return recorder, status


STATES = ("screening", "scoring", "results_approved", "implementation", "closed")


def competitions(world, db) -> dict:
    m, cast = world
    rnd = random.Random(10)
    runs = {}
    for state in STATES:
        r = datagen.competition_run(m, cast, T0, rnd, SMALL, title_suffix=f" ({state})")
        if state == "scoring":
            # Three members finished, one part way (declared, some drafts), one not started.
            datagen.carry(r, "screening", rnd)
            datagen.score(r, rnd, complete=3, partly=1, conflicts=1)
        else:
            datagen.carry(r, state, rnd)
        db.session.commit()
        runs[state] = r
    return runs


def pages(runs, cast) -> list[tuple[str | None, str]]:
    """(who is logged in, address) for every main page."""
    c = {state: r.c.id for state, r in runs.items()}
    specialist, chair, partly = (
        cast.specialist.login,
        cast.members[0].login,
        cast.members[3].login,
    )
    # Members score from the last application to the first: the chair has submitted the
    # sheet of the last one; the member part way has not begun the first one.
    first, last = (a.id for a in (runs["scoring"].admitted()[i][0] for i in (0, -1)))
    return [
        (None, "/"),
        (None, "/m/orozbekov"),
        (None, f"/announcements/{c['scoring']}"),
        (None, f"/announcements/{c['closed']}"),
        (None, "/oversight"),
        (None, f"/api/v1/competitions/{c['closed']}/results"),
        (None, f"/competitions/{c['closed']}/final-report"),
        (specialist, "/dashboard"),
        *((specialist, f"/competitions/{c[state]}") for state in STATES),
        (specialist, f"/competitions/{c['screening']}/screening"),
        (specialist, f"/competitions/{c['scoring']}/results"),
        (specialist, f"/competitions/{c['results_approved']}/results"),
        (specialist, f"/competitions/{c['scoring']}/scoring/progress"),
        (specialist, f"/competitions/{c['implementation']}/grants"),
        (specialist, f"/competitions/{c['closed']}/grants"),
        (chair, f"/competitions/{c['scoring']}/scoring/applications/{last}"),
        (partly, f"/competitions/{c['scoring']}/scoring"),
        (partly, f"/competitions/{c['scoring']}/scoring/applications/{first}"),
        (cast.applicants[0].login, "/my/applications"),
    ]


def measure(app, client, login, targets, *, warm: bool) -> dict[str, Recorder]:
    counts, who = {}, object()
    for user, path in targets:
        if user != who:
            if user is None:
                client.post("/logout")
            else:
                login(user)
            who = user
        if warm:  # the first request of a page may fill process-wide caches
            client.get(path)
        started = time.perf_counter()
        recorder, status = record(app, client, path)
        recorder.seconds = time.perf_counter() - started
        assert status == 200, (user, path, status)
        counts[f"{user or 'public'} {path}"] = recorder
    return counts


def test_every_main_page_costs_the_same_queries_for_10_and_1000_applications(
    app, world, db, client, login, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE", False)
    started = time.perf_counter()
    runs = competitions(world, db)
    built = time.perf_counter()
    targets = pages(runs, world[1])
    few = measure(app, client, login, targets, warm=True)
    for r in runs.values():
        datagen.multiply(r.c.id, LARGE)
    db.session.commit()
    grown = time.perf_counter()
    many = measure(app, client, login, targets, warm=False)
    done = time.perf_counter()

    width = max(len(k) for k in few)
    print(f"\n{'':<{width}}  queries        round trips    seconds")
    print(f"{'page':<{width}} {SMALL:>6} {LARGE:>6}   {SMALL:>6} {LARGE:>6}   {LARGE:>6}")
    grows = {}
    for key in few:
        small, large = few[key], many[key]
        flag = "" if small.queries == large.queries else "  <-- grows"
        print(
            f"{key:<{width}} {small.queries:>6} {large.queries:>6}   "
            f"{small.round_trips.total():>6} {large.round_trips.total():>6}   "
            f"{large.seconds:>6.1f}{flag}"
        )
        if flag:
            grows[key] = (small.queries, large.queries)
    for key in grows:  # the statements that repeat: where to look for the N+1
        print(f"\n{key}:")
        for sql, times in (many[key].round_trips - few[key].round_trips).most_common(4):
            one_line = re.sub(r"\s+", " ", sql)
            print(f"  +{times:<5} {one_line[:160]}")
    print(
        f"built {built - started:.1f} s, counted and grown {grown - built:.1f} s, "
        f"counted again {done - grown:.1f} s"
    )
    assert not grows, f"queries grow with the applications (10 -> 1000): {grows}"
