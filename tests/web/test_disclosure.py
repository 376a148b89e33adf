"""What a page or an answer must not tell: drafts to the commission and oversight, whether an
account exists (by the time a login takes, or by registrations tried without limit)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from initiatives.auth import passwords
from initiatives.demo import loader
from initiatives.demo.builder import draft_application
from tests.web.test_hardening import csrf_of

MEMBER, OVERSIGHT = "member1@orozbekov.example", "oversight@demo.example"
SPECIALIST = "specialist@orozbekov.example"


@pytest.mark.parametrize("who", [MEMBER, OVERSIGHT])
def test_drafts_are_not_listed_to_the_commission_or_oversight(build, login, db, who):
    run = build("announced", proposals=3)
    proposal = replace(loader.PROPOSALS[3], title="Черновик: тайная идея")
    draft = draft_application(run.c, run.cast.applicants[3], proposal, run.t0)
    db.session.commit()
    assert draft.state == "draft"
    page = login(who).get(f"/competitions/{run.c.id}").get_data(as_text=True)
    assert "тайная идея" not in page
    office = login(SPECIALIST).get(f"/competitions/{run.c.id}").get_data(as_text=True)
    assert "тайная идея" in office


def test_a_login_for_nobody_costs_a_password_check(login, world, client, monkeypatch):
    """The refusal of an unknown login checks a password like a wrong one does, so the
    time of the answer does not tell whether the account exists."""
    checks = []
    real = passwords.check_password_hash

    def counting(hash_, password):
        checks.append(hash_.split("$")[0])
        return real(hash_, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    from initiatives.auth import models

    monkeypatch.setattr(models, "check_password_hash", counting)
    for typed in ("nobody.here@example.kg", SPECIALIST):
        response = client.post("/login", data={"login": typed, "password": "wrong-Password-9"})
        assert response.status_code == 400
    assert len(checks) == 2 and checks[0] == checks[1]  # the same method both times


def test_refused_registrations_are_throttled(real_app, world):
    """Each refusal says whether a login has an account: trying a list meets a limit."""
    real_app.config["REGISTER_REFUSAL_LIMITS"] = "3 per minute"
    client = real_app.test_client()
    statuses = []
    for i in range(5):
        token = csrf_of(client.get("/register").get_data(as_text=True))
        response = client.post(
            "/register",
            data={
                "login": SPECIALIST if i % 2 else f"+99670000{i:04d}",
                "full_name": "Someone",
                "password": "short",
                "password_confirm": "short",
                "locale": "ky",
                "csrf_token": token,
            },
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [422] * 3 and statuses[3:] == [429, 429]
    page = response.get_data(as_text=True)
    assert "+996700000004" in page or "Someone" in page  # what was typed is kept
