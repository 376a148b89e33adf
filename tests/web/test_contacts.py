"""Phones and e-mail addresses in one spelling each (issue 26, item 7): a person registered
as "0555123456" logs in as "+996555123456", cannot register that number twice, and a
number or an address that cannot be right is refused on the form with what was typed kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from initiatives.applications.models import Application
from initiatives.auth.models import User
from initiatives.core import contacts

PASSWORD = "a-good-password"
PHONE_REFUSED = {
    "en": "This does not look like a phone number.",
    "ky": "Бул телефон номерине окшобойт.",
    "ru": "Это не похоже на номер телефона.",
}
EMAIL_REFUSED = {
    "en": "This does not look like an e-mail address.",
    "ky": "Бул электрондук почтанын дарегине окшобойт.",
    "ru": "Это не похоже на адрес эл. почты.",
}
TAKEN = "an account with this e-mail or phone already exists"


def text(response) -> str:
    return response.get_data(as_text=True)


def register(client, login: str, name: str = "Асель Мамбетова", locale: str = "ky"):
    return client.post(
        "/register",
        data={
            "full_name": name,
            "login": login,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "locale": locale,
        },
    )


# --- the normaliser --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0555123456",
        "555 12 34 56",
        "+996 555 123 456",
        "996555123456",
        "+996 (555) 12-34-56",
        " 0555-12-34-56 ",
        "00996555123456",
    ],
)
def test_every_spelling_of_a_kyrgyz_number_is_one_e164(typed):
    assert contacts.normalise_phone(typed) == "+996555123456"


def test_a_foreign_number_keeps_its_country():
    assert contacts.normalise_phone("+7 701 123 4567") == "+77011234567"


@pytest.mark.parametrize(
    "typed", ["0555 12 34", "12345", "abc", "0555123456 ext 7", "+996 555 123 456 789", ""]
)
def test_a_number_that_cannot_be_dialled_is_refused(typed):
    with pytest.raises(contacts.ContactError):
        contacts.normalise_phone(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" Asel@Gmail.com ", "asel@gmail.com"),
        ("aigul@orozbekov.example", "aigul@orozbekov.example"),
    ],
)
def test_an_address_is_stored_stripped_and_lowercased(typed, stored):
    assert contacts.normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed", ["asel@gmail", "asel", "@gmail.com", "asel@@gmail.com", "a b@c.kg"]
)
def test_an_address_that_cannot_receive_mail_is_refused(typed):
    with pytest.raises(contacts.ContactError):
        contacts.normalise_email(typed)


def test_a_login_is_an_address_when_it_has_an_at_sign():
    assert contacts.split_login("Asel@Gmail.com") == ("asel@gmail.com", None)
    assert contacts.split_login("0555 123 456") == (None, "+996555123456")
    with pytest.raises(contacts.ContactError):
        contacts.split_login("asel@gmail")


# --- registration and login ------------------------------------------------------------------


def test_registered_with_a_local_number_logs_in_with_the_international_one(client, db):
    assert register(client, "0555123456").status_code == 302
    user = db.session.scalar(select(User).where(User.full_name == "Асель Мамбетова"))
    assert user.phone == "+996555123456" and user.email is None
    client.post("/logout")
    for spelling in ("+996555123456", "555 12 34 56", "996555123456", "0555-12-34-56"):
        response = client.post("/login", data={"login": spelling, "password": PASSWORD})
        assert response.status_code == 302, (spelling, text(response))
        client.post("/logout")


def test_an_address_logs_in_in_any_case(client, db):
    assert register(client, "Asel.M@Gmail.com").status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"login": " ASEL.m@gmail.COM", "password": PASSWORD})
    assert response.status_code == 302


def test_one_account_per_number(client, db):
    assert register(client, "0555123456").status_code == 302
    client.post("/logout")
    client.post("/language/en")
    again = register(client, "+996 555 12 34 56", name="Экинчи Асель", locale="en")
    assert again.status_code == 422
    page = text(again)
    assert TAKEN in page  # the same words as for a taken e-mail address: nothing more
    assert "Экинчи Асель" in page  # what was typed is kept
    count = select(func.count()).select_from(User).where(User.phone == "+996555123456")
    assert db.session.scalar(count) == 1


def test_a_taken_number_and_a_taken_address_are_refused_alike(client, world):
    """The refusal of a taken number reads like that of a taken address: one message, one
    field, one status, so neither tells more than the other."""
    client.post("/language/en")
    taken_phone = register(client, "0555 000 111", locale="en")
    taken_email = register(client, "Aigul@Orozbekov.example", locale="en")
    assert taken_phone.status_code == taken_email.status_code == 422
    assert TAKEN in text(taken_phone) and TAKEN in text(taken_email)


@pytest.mark.parametrize("locale", ["ky", "ru"])
@pytest.mark.parametrize(
    ("typed", "refused"), [("0555 12 34", PHONE_REFUSED), ("asel@gmail", EMAIL_REFUSED)]
)
def test_a_wrong_number_or_address_is_refused_on_the_form(client, db, locale, typed, refused):
    client.post(f"/language/{locale}")
    response = register(client, typed, name="Асель Мамбетова", locale=locale)
    assert response.status_code == 422
    page = text(response)
    assert refused[locale] in page
    assert "Асель Мамбетова" in page and f'value="{typed}"' in page  # the typed values kept
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


# --- the other places a phone or an address is typed -----------------------------------------


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def open_run(build):
    return build("announced", proposals=0, t0=now() - timedelta(days=2))


def test_the_applications_contact_phone_and_address(client, open_run, db):
    assert register(client, "0555123456").status_code == 302
    response = client.post(f"/competitions/{open_run.c.id}/apply", data={})
    assert response.status_code == 302, text(response)
    aid = int(response.location.split("/applications/")[1].split("/")[0])
    a = db.session.get(Application, aid)
    assert a.contact_phone == "+996555123456"
    section = {
        "applicant_kind": "individual",
        "applicant_name": "Асель Мамбетова",
        "village": "Кара-Бак",
    }
    client.post("/language/ru")
    bad = client.post(
        f"/applications/{aid}/edit/applicant",
        data={**section, "contact_phone": "0555 12 34", "contact_email": "asel@gmail"},
    )
    assert bad.status_code in (400, 422)
    page = text(bad)
    assert PHONE_REFUSED["ru"] in page and EMAIL_REFUSED["ru"] in page
    assert 'value="0555 12 34"' in page and 'value="asel@gmail"' in page
    good = client.post(
        f"/applications/{aid}/edit/applicant",
        data={**section, "contact_phone": "0777 12 34 56", "contact_email": "Asel@Gmail.com"},
    )
    assert good.status_code == 302, text(good)
    db.session.expire_all()
    a = db.session.get(Application, aid)
    assert (a.contact_phone, a.contact_email) == ("+996777123456", "asel@gmail.com")


def test_the_paper_applications_phone(login, open_run, db):
    client = login("specialist@orozbekov.example")
    intake = {
        "received_at": (now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "applicant_kind": "individual",
        "applicant_name": "Бүбүсара Ногойбаева",
        "village": "Кара-Бак",
        "title": "Айылга таза суу",
    }
    url = f"/competitions/{open_run.c.id}/paper"
    bad = client.post(url, data={**intake, "contact_phone": "0555 12 34"})
    assert bad.status_code == 422
    assert "Бүбүсара Ногойбаева" in text(bad) and 'value="0555 12 34"' in text(bad)
    good = client.post(url, data={**intake, "contact_phone": "0555 12 34 56"})
    assert good.status_code == 302, text(good)
    a = db.session.scalar(select(Application).where(Application.title == "Айылга таза суу"))
    assert a.contact_phone == "+996555123456"


def test_the_commission_finds_a_member_by_any_spelling_of_the_number(login, world, db):
    from tests.web.test_setup import create

    client = login("specialist@orozbekov.example")
    cid = create(client)
    seat = {"seat-category": "community", "seat-seat_role": "member"}
    bad = client.post(f"/competitions/{cid}/commission", data={"seat-login": "0555 12 34", **seat})
    assert bad.status_code == 422 and PHONE_REFUSED["ky"] in text(bad)
    _, cast = world
    phone_user = next(u for u in cast.applicants if u.phone)
    national = "0" + phone_user.phone.removeprefix("+996")  # typed the way people say it
    r = client.post(f"/competitions/{cid}/commission", data={"seat-login": national, **seat})
    assert r.status_code == 302, text(r)
    # The invitation reaches the account of that number, however it was typed.
    invited = login(phone_user.phone)
    assert "/accept" in text(invited.get("/invitations"))


def test_the_users_command_normalises_and_finds_by_any_spelling(app, db, world):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["users", "create", "--login", "0700 12 34 56", "--name", "Нурлан Исаев"],
        input="long-enough-password\nlong-enough-password\n",
    )
    assert made.exit_code == 0, made.output
    assert "+996700123456" in made.output
    assert db.session.scalar(select(User).where(User.phone == "+996700123456")) is not None
    twice = runner.invoke(
        args=["users", "create", "--login", "+996700123456", "--name", "X"],
        input="long-enough-password\nlong-enough-password\n",
    )
    assert twice.exit_code != 0 and TAKEN in twice.output
    wrong = runner.invoke(
        args=["users", "create", "--login", "asel@gmail", "--name", "X"],
        input="long-enough-password\nlong-enough-password\n",
    )
    assert wrong.exit_code != 0 and EMAIL_REFUSED["en"] in wrong.output
    logout = runner.invoke(args=["users", "logout", "700123456"])
    assert logout.exit_code == 0, logout.output
