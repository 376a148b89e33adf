"""Another municipality's people (its specialist, its head, a member of its commission) get
404 on every URL that names a thing of this municipality, whatever the method, and never its
words: no competition title, application title or applicant's name in the answer, and no
change in the database after a POST.

Which URLs: every rule of the URL map with an id among its arguments, filled with the ids of
each scene, one per target kind of the expected-access table (a draft and a sent
application, a private document, a report's file, a signed scan...). Left out: what the
table lets the anonymous visitor read (public is public, for a neighbour too), and
``OPEN_TO_ALL``.
"""

from __future__ import annotations

import time

import pytest

from tests.security.authz_table import TABLE
from tests.security.conftest import STATES, STRANGERS, fingerprint, send
from tests.security.test_authorization_matrix import (
    build_url,
    methods_of,
    rules_of,
    url_rules,
)

ID_ARGS = {
    "competition_id",
    "application_id",
    "attachment_id",
    "document_id",
    "token",
    "source_id",
    "seat_id",
    "municipality_id",
}
# Open to any logged-in person, of any municipality, by design.
OPEN_TO_ALL = {
    "applications.start": "anyone registered may apply to a published competition",
}
# Pages of one's own that list things: a neighbour's must not list ours.
OWN_PAGES = (
    "/dashboard",
    "/overdue",
    "/notifications",
    "/my/applications",
    "/competitions/new",
)


def addresses(app, targets: dict, state: str | None):
    """(endpoint, method, url) for every id-carrying URL a stranger must not reach."""
    seen = set()
    for url_rule in url_rules(app):
        if not url_rule.arguments & ID_ARGS:
            continue
        for rule in rules_of(TABLE[url_rule.endpoint]):
            if (rule.states is None) != (state is None):
                continue
            if rule.only is not None and state not in rule.only:
                continue
            for method in methods_of(url_rule):
                if method not in rule.methods or rule.expect(method, "anon", state) == 200:
                    continue
                if (
                    url_rule.endpoint in OPEN_TO_ALL
                    and rule.expect(method, STRANGERS[0], state) != 404
                ):
                    continue
                url = build_url(url_rule, rule, targets)
                if url is not None and (method, url) not in seen:
                    seen.add((method, url))
                    yield url_rule.endpoint, method, url


def visit(app, people, targets: dict, state: str | None, secrets) -> tuple[list, int]:
    wrong, checked = [], 0
    before = fingerprint(app)
    for endpoint, method, url in addresses(app, targets, state):
        for role in STRANGERS:
            response = send(people[role], method, url)
            body = response.get_data(as_text=True)
            checked += 1
            problems = []
            if response.status_code != 404:
                problems.append(f"status {response.status_code}")
            problems += [f"shows {s!r}" for s in secrets if s in body]
            if method == "POST":
                after = fingerprint(app)
                problems += [f"changed {k}" for k in after if after[k] != before[k]]
                before = after
            if problems:
                wrong.append(f"{role:16} {method:4} {url:60} {endpoint}: {'; '.join(problems)}")
    return wrong, checked


@pytest.mark.parametrize("state", STATES)
def test_another_municipality_gets_404_and_no_data(app, town, people, state):
    started = time.perf_counter()
    scene = town.scenes[state]
    # The control: our own specialist reads the words a stranger must not.
    own = people["specialist"].get(f"/competitions/{scene.targets['competition']}")
    assert any(s in own.get_data(as_text=True) for s in scene.secrets), "the words never show"
    wrong, checked = visit(app, people, scene.targets, state, scene.secrets)
    print(
        f"\ntenant isolation, competition {state}: {checked} requests by "
        f"{len(STRANGERS)} strangers, {len(wrong)} wrong, {time.perf_counter() - started:.1f} s"
    )
    assert not wrong, "A user of another municipality reached our data:\n" + "\n".join(wrong)


def test_another_municipality_cannot_reach_our_regulation(app, town, people):
    every_secret = {s for scene in town.scenes.values() for s in scene.secrets}
    wrong, checked = visit(app, people, town.places, None, every_secret)
    assert checked, "no municipality-level URL was checked"
    assert not wrong, "\n".join(wrong)


def test_their_own_pages_list_nothing_of_ours(app, town, people):
    """Their dashboard, what is overdue, their notifications and applications, the new
    competition form: none of our competitions, applications or applicants."""
    every_secret = {s for scene in town.scenes.values() for s in scene.secrets}
    wrong = []
    for role in STRANGERS:
        for url in OWN_PAGES:
            response = people[role].get(url)
            body = response.get_data(as_text=True)
            wrong += [f"{role} {url}: shows {s!r}" for s in sorted(every_secret) if s in body]
            assert response.status_code in (200, 403, 404), (role, url, response.status_code)
    assert not wrong, "\n".join(wrong)
