"""A NUL character anywhere a visitor can put text (a path part, a query, a form field) is a
400 with its reason, never a 500: PostgreSQL refuses to bind a string holding one, so every
lookup by a slug, a token or a typed value would fail in the driver."""

from __future__ import annotations

import pytest

from initiatives.demo.loader import DEMO_PASSWORD

PATHS = [
    "/m/orozbekov%00",
    "/m/%00",
    "/verify/abc%00def",
    "/verify/abc%00def/document.pdf",
    "/?q=%00",
    "/api/v1/competitions?state=%00",
    "/api/v1/applications?year=%00",
    "/login?next=/%00",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_nul_in_an_address_is_a_400(client, world, path):
    response = client.get(path)
    assert response.status_code == 400, response.status_code
    if path.startswith("/api/"):
        assert response.is_json
    else:
        assert "NUL" in response.get_data(as_text=True)


def test_a_nul_in_a_form_field_is_a_400_and_changes_nothing(client, world):
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"login": "specialist@orozbekov.example\x00", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 400
    assert client.get("/notifications").status_code in (302, 401)  # not logged in
