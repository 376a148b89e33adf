"""The one migration builds exactly the schema the models declare."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from initiatives import create_app
from initiatives.extensions import db


def _migrated_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    # A database of its own on PostgreSQL, so the suite's tables do not interfere.
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS initiatives_migration_check"))
        conn.execute(text("CREATE DATABASE initiatives_migration_check"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/initiatives_migration_check"


def test_upgrade_from_empty_matches_the_models(tmp_path):
    app = create_app({"DATABASE_URL": _migrated_url(tmp_path), "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == [], diff


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_message_is_translated(locale):
    from babel.messages.pofile import read_po

    path = f"initiatives/translations/{locale}/LC_MESSAGES/messages.po"
    with open(path, "rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []
