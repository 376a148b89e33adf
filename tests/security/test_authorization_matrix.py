"""Every endpoint of the URL map, as every role, in a few states of a competition, against the
expected-access table (``authz_table.py``).

One test per state walks the whole table for that state's competition and collects every
cell that differs, so a failure shows the full picture at once, not the first wrong cell:

1. every GET;
2. every POST the table expects to be refused (anonymous ones included), each checked for
   its status and for leaving the database exactly as it was (row counts, versions, update
   times, read marks): a refused request must change nothing, except that a change to
   approved results keeps the attempt in the audit trail (``LOCKED``);
3. last, the POSTs of the roles that may act, which may change things. They send the
   minimal form (``confirm=1``, so that a final step reaches its role check), so most come
   back as a form error or a refusal by state; anything but 401/403/404 and a 5xx passes:
   the point is that the role is let in, not what the form does. Steps that move a
   competition or an application go at the very end, and the seats, sources and files
   such a POST removes are made anew for each role.

Cells listed in ``KNOWN_BUGS`` are expected to differ, and fail the test once they no
longer do, so that the entry leaves with the fix.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from tests.security.authz_table import (
    ACTS,
    EXCLUDED,
    KNOWN_BUGS,
    LOCKED,
    LOGIN,
    TABLE,
    Fixed,
    Rule,
)
from tests.security.conftest import (
    ROLES,
    STATES,
    blind_scoring,
    fingerprint,
    fresh,
    log_in,
    send,
)

# Steps that move a competition or an application, and the logout: after everything else.
LAST = {
    "applications.submit",
    "applications.withdraw",
    "lifecycle.application_step",
    "lifecycle.competition_step",
    "auth.logout",
}


def rules_of(entry) -> tuple[Rule, ...]:
    return entry if isinstance(entry, tuple) else (entry,)


def url_rules(app) -> list:
    return [r for r in app.url_map.iter_rules() if r.endpoint not in EXCLUDED]


def methods_of(url_rule) -> list[str]:
    return sorted(url_rule.methods - {"HEAD", "OPTIONS"})


def build_url(url_rule, rule: Rule, targets: dict, replace: dict | None = None) -> str | None:
    """The URL with the scene's ids; None when the scene has no such target (no draft in a
    closed competition, no signed scan before the signing)."""
    values = {}
    for name in url_rule.arguments:
        if url_rule.defaults and name in url_rule.defaults:
            values[name] = url_rule.defaults[name]
            continue
        spec = rule.arg(name)
        if name == "ext":
            spec = Fixed(".csv")
        assert spec is not None, f"{url_rule.endpoint}: no target for <{name}>: add it to ARGS"
        if isinstance(spec, Fixed):
            values[name] = spec.value
        else:
            label = spec
            if replace and label in replace:
                values[name] = replace[label]
            elif label in targets:
                values[name] = targets[label]
            else:
                return None
    return url_rule.build(values, append_unknown=False)[1]


def fits(expected, response, changed: list[str]) -> bool:
    status = response.status_code
    if expected == ACTS:
        return status not in (401, 403, 404) and status < 500
    if expected == LOCKED:
        return status == 409 and changed == ["audit_event"]
    if changed:
        return False
    if expected == LOGIN:
        return status == 302 and "/login" in (response.location or "")
    return status == expected


@dataclass
class Cell:
    endpoint: str
    method: str
    rule: Rule
    url_rule: object
    role: str
    state: str | None
    url: str
    expected: object

    @property
    def key(self) -> tuple:
        return (self.endpoint, self.method, self.rule.target, self.role, self.state)

    def line(self, got) -> str:
        where = self.state or "-"
        return (
            f"{self.endpoint:28} {self.method:4} {self.role:16} {where:18} "
            f"expected {self.expected!s:6} got {got!s:6} {self.url}  ({self.rule.why})"
        )


def cells(app, targets: dict, state: str | None) -> tuple[list[Cell], int]:
    """Every (rule, method, role) cell for one state (None: the endpoints of no competition),
    and how many were left out because the scene has no target for them."""
    found, absent = [], 0
    for url_rule in url_rules(app):
        for rule in rules_of(TABLE[url_rule.endpoint]):
            if (rule.states is None) != (state is None):
                continue
            if rule.only is not None and state not in rule.only:
                continue
            for method in methods_of(url_rule):
                if method not in rule.methods:
                    continue
                url = build_url(url_rule, rule, targets)
                if url is None:
                    absent += len(ROLES)
                    continue
                for role in ROLES:
                    expected = rule.expect(method, role, state)
                    found.append(
                        Cell(url_rule.endpoint, method, rule, url_rule, role, state, url, expected)
                    )
    return found, absent


class Walk:
    """Runs cells and keeps the score."""

    def __init__(self, app, people, scene=None):
        self.app, self.people, self.scene = app, people, scene
        self.wrong, self.known, self.fixed = [], [], []
        self.checked = 0

    def send(self, cell: Cell, url: str | None = None):
        client = self.people[cell.role]
        response = send(client, cell.method, url or cell.url)
        if cell.endpoint in ("auth.logout", "account.end_all_sessions"):
            log_in(client, cell.role)
        return response

    def judge(self, cell: Cell, response, changed=()):
        self.checked += 1
        ok = fits(cell.expected, response, list(changed))
        got = response.status_code
        if response.status_code == 302 and cell.expected in (LOGIN, 302):
            got = f"302 to {response.location}"
        if changed:
            got = f"{got}, changed {', '.join(changed)}"
        if cell.key in KNOWN_BUGS:
            (self.fixed if ok else self.known).append(f"{cell.line(got)}  [{KNOWN_BUGS[cell.key]}]")
        elif not ok:
            self.wrong.append(cell.line(got))

    def run(self, all_cells: list[Cell]):
        gets = [c for c in all_cells if c.method == "GET"]
        refused = [c for c in all_cells if c.method != "GET" and c.expected != ACTS]
        acting = [c for c in all_cells if c.method != "GET" and c.expected == ACTS]
        acting.sort(key=lambda c: c.endpoint in LAST)
        for cell in gets:
            self.judge(cell, self.send(cell))
        before = fingerprint(self.app)
        for cell in refused:
            response = self.send(cell)
            after = fingerprint(self.app)
            changed = sorted(k for k in after if after[k] != before[k])
            self.judge(cell, response, changed)
            before = after
        for cell in acting:
            url = cell.url
            if cell.rule.fresh and self.scene is not None:
                made = fresh(self.app, self.scene, cell.rule.fresh)
                if made is not None:
                    url = build_url(
                        cell.url_rule, cell.rule, self.scene.targets, {cell.rule.fresh: made}
                    )
            self.judge(cell, self.send(cell, url))

    def verdict(self, title: str, absent: int, seconds: float) -> None:
        print(
            f"\n{title}: {self.checked} cells checked, {absent} without a target here, "
            f"{len(self.wrong)} wrong, {len(self.known)} known bugs, {seconds:.1f} s"
        )
        for line in self.known:
            print("  known bug:", line)
        problems = []
        if self.wrong:
            problems.append("Cells that differ from tests/security/authz_table.py:")
            problems += self.wrong
        if self.fixed:
            problems.append("Known bugs that now behave: remove them from KNOWN_BUGS:")
            problems += self.fixed
        assert not problems, "\n".join(problems)


def test_every_endpoint_has_a_rule(app):
    """The table is complete: a new endpoint (or a new method on one) fails here until it has
    its rule, and a rule for an endpoint that is gone fails too."""
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    missing = sorted(endpoints - TABLE.keys() - EXCLUDED.keys())
    assert not missing, (
        f"No access rule for {missing}: add one to tests/security/authz_table.py "
        "(who may call it, in which states, and why)."
    )
    gone = sorted(TABLE.keys() - endpoints)
    assert not gone, f"Rules for endpoints that no longer exist: {gone}"
    for url_rule in url_rules(app):
        rules = rules_of(TABLE[url_rule.endpoint])
        for method in methods_of(url_rule):
            assert any(method in r.methods for r in rules), (
                f"{url_rule.endpoint} answers {method} but its rule does not say who may"
            )
        for r in rules:
            for method in r.methods:
                assert method in url_rule.methods, f"{url_rule.endpoint} has no {method}"
    rules = sum(len(rules_of(e)) for e in TABLE.values())
    print(
        f"\n{len(endpoints)} endpoints ({len(EXCLUDED)} excluded: {sorted(EXCLUDED)}), "
        f"{rules} rules, {len(ROLES)} roles, {len(STATES)} states: {', '.join(STATES)}"
    )


def test_endpoints_of_no_competition(app, town, people):
    started = time.perf_counter()
    all_cells, absent = cells(app, town.places, None)
    walk = Walk(app, people)
    walk.run(all_cells)
    walk.verdict("endpoints of no competition", absent, time.perf_counter() - started)


@pytest.mark.parametrize("state", STATES)
def test_matrix(app, town, people, state):
    started = time.perf_counter()
    scene = town.scenes[state]
    all_cells, absent = cells(app, scene.targets, state)
    walk = Walk(app, people, scene)
    walk.run(all_cells)
    walk.verdict(f"competition {state}", absent, time.perf_counter() - started)


def test_blind_scoring_keeps_the_names_from_the_members(app, town, people):
    """While a blind competition is scored its members see codes, not names (README: the
    commission at work); the matrix's competitions are not blind, so this is its own cell."""
    scene = town.scenes["scoring"]
    c, a = scene.targets["competition"], scene.targets["application"]
    with blind_scoring(app, c):
        for role in ("member", "recused"):
            client = people[role]
            assert client.get(f"/applications/{a}").status_code == 404  # closed, as designed
            screening = client.get(f"/competitions/{c}/screening").get_data(as_text=True)
            shown = [name for name in scene.names if name in screening]
            assert not shown, f"{role} reads {shown} on the screening list"
            receipt = client.get(f"/documents/{scene.targets['document']}.pdf")
            receipt.close()
            assert receipt.status_code == 404, f"{role} reads the receipt naming the applicant"
