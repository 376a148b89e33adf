"""The migration that brings stored phones into E.164 (issue 26, item 7): rows typed in the
old spellings, some of them one number twice, come out one spelling each, one account per
number, and nobody who could log in before is locked out when it can be avoided."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, select, text, types

from initiatives import create_app
from initiatives.auth import operations as accounts
from initiatives.extensions import db

BEFORE, AFTER = "e5a1c9d0b7f3", "f1a2b3c4d5e6"
X, Y, Z = "+996555123456", "+996700123456", "+996777111222"


def _database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'phones.sqlite3'}"
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS initiatives_phone_migration"))
        conn.execute(text("CREATE DATABASE initiatives_phone_migration"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/initiatives_phone_migration"


def at(month: int) -> datetime:
    return datetime(2026, month, 1, tzinfo=UTC)


def _filler(column):
    """A value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, types.JSON):
        return []
    if isinstance(kind, types.DateTime):
        return at(1)
    if isinstance(kind, types.Boolean):
        return False
    if isinstance(kind, types.Integer | types.Numeric):
        return 1
    return ""


def insert(conn, table, **values) -> int:
    """A row with the given values and a filler in every other required column: the
    tables are read from the database as they are at the earlier revision."""
    for column in table.columns:
        required = not column.nullable and column.server_default is None
        if required and not column.primary_key and column.name not in values:
            values[column.name] = _filler(column)
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


USERS = [
    # one number, three spellings: the account without an e-mail keeps it
    ("a1", "0555123456", None, at(1)),
    ("a2", "+996555123456", "asel@x.kg", at(6)),
    ("a3", "996555123456", "other@x.kg", None),
    # one number, two accounts without an e-mail: the latest login keeps it
    ("b1", "+996700123456", None, at(1)),
    ("b2", "0700123456", None, at(5)),
    # one number, two accounts with an e-mail: the latest login keeps it
    ("c1", "0777111222", "c1@x.kg", at(2)),
    ("c2", "+996777111222", "c2@x.kg", at(3)),
    # a number that cannot be dialled stays as it is; addresses are lowercased
    ("d1", "05551234", None, None),
    ("e1", None, " Mixed@Case.KG ", None),
    ("e2", None, "Aigul@x.kg", None),
    ("e3", None, "aigul@x.kg", None),
]


def test_phones_become_e164_one_account_per_number(tmp_path, capfd):
    app = create_app({"DATABASE_URL": _database_url(tmp_path), "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        tables = MetaData()
        tables.reflect(db.engine)
        user_account, application = tables.tables["user_account"], tables.tables["application"]
        ids = {}
        with db.engine.begin() as conn:
            for name, phone, email, last_login in USERS:
                ids[name] = insert(
                    conn,
                    user_account,
                    full_name=name,
                    phone=phone,
                    email=email,
                    last_login_at=last_login,
                    created_at=at(1),
                    locale="ky",
                    active=True,
                )
            municipality = insert(
                conn,
                tables.tables["municipality"],
                slug="m",
                min_commission_size=5,
                quorum_share=0.5,
                min_application_days=14,
                min_own_share=5,
                document_languages="ky",
            )
            competition = insert(
                conn,
                tables.tables["competition"],
                municipality_id=municipality,
                year=2026,
                state="draft",
                min_own_share=5,
                last_application_number=0,
            )
            contacts = {
                typed: insert(
                    conn,
                    application,
                    competition_id=competition,
                    owner_id=ids["a1"],
                    state="draft",
                    channel="online",
                    applicant_kind="individual",
                    initiative_kind="co_financing",
                    group_members=[],
                    expected_participants={},
                    contact_phone=typed,
                )
                for typed in ("0555 12 34 56", "05551234", "")
            }
        capfd.readouterr()
        upgrade(revision=AFTER)
        output = "".join(capfd.readouterr())

        with db.engine.connect() as conn:
            stored = {
                row.id: (row.phone, row.email)
                for row in conn.execute(
                    select(user_account.c.id, user_account.c.phone, user_account.c.email)
                )
            }
            contact = dict(
                conn.execute(select(application.c.id, application.c.contact_phone)).all()
            )
        by_name = {name: stored[ids[name]] for name in ids}
        assert by_name["a1"] == (X, None)
        assert by_name["a2"] == (None, "asel@x.kg") and by_name["a3"] == (None, "other@x.kg")
        assert by_name["b2"] == (Y, None)
        assert by_name["b1"] == ("0700123456", None)  # kept a login, in the old spelling
        assert by_name["c2"] == (Z, "c2@x.kg") and by_name["c1"] == (None, "c1@x.kg")
        assert by_name["d1"] == ("05551234", None)
        assert by_name["e1"] == (None, "mixed@case.kg")
        assert by_name["e2"] == (None, "Aigul@x.kg")  # its lowercase is taken: left as it is
        assert [contact[contacts[t]] for t in ("0555 12 34 56", "05551234", "")] == [
            X,
            "05551234",
            "",
        ]

        # Every spelling finds the one account, and the undiallable number still logs in
        # (through today's model, so on today's schema).
        upgrade()
        for spelling, name in [
            ("0555 123 456", "a1"),
            ("+996 700 12 34 56", "b2"),
            ("0777 111 222", "c2"),
            ("05551234", "d1"),
            ("MIXED@case.kg", "e1"),
        ]:
            assert accounts.find_by_login(spelling).id == ids[name], spelling
        db.session.remove()
        db.engine.dispose()

    # The output names accounts by id, never by a phone or an address.
    assert str(sorted([ids["a2"], ids["a3"], ids["c1"]])) in output  # lost the number
    assert str([ids["b1"]]) in output and str([ids["e2"]]) in output  # for the administrator
    for secret in ("555123456", "700123456", "777111222", "x.kg", "Case.KG"):
        assert secret not in output
