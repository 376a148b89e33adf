"""Fixtures are factories: ``build("scoring")`` gives a competition that reached scoring
through the real steps. The suite runs on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` is set (CI runs both)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, make_url, text

from initiatives import create_app
from initiatives.demo import loader
from initiatives.demo.builder import Run, advance, new_competition
from initiatives.extensions import db as _db

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # the announcement of the test competitions


def _worker_database() -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own, named after
    ``TEST_DATABASE_URL``'s with the worker's id (``test_gw0``), made empty at the start;
    ``TEST_DATABASE_URL`` then names it, so the tests that derive scratch databases from it
    (migrations, backups, the crash script) never meet another worker's either. SQLite needs
    nothing: every worker has its own temporary directory."""
    url, worker = os.environ.get("TEST_DATABASE_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or os.environ.get("TEST_DATABASE_WORKER") == worker:
        return
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin_url = base.set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(hide_password=False)
    os.environ["TEST_DATABASE_WORKER"] = worker


_worker_database()


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class IsolatedClient(FlaskClient):
    """Each request in an application context of its own, as in production.

    Without this, a request made while a test holds an app context reuses that context and
    its ``g``: Flask-Login caches the logged-in user there, so a second client would act
    as whoever logged in last. Each request also gets its own database session, so a page
    never sees objects the test has not committed.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url(tmp_path_factory),
            "WTF_CSRF_ENABLED": False,
            "UPLOADS_DIR": str(instance / "uploads"),
            "DOCUMENTS_DIR": str(instance / "documents"),
            "SECRET_KEY": "test-secret",
            # Race tests run 50 requests on a pool of 15 connections: the later ones wait
            # their turn, longer than the default 30 s on a busy 2-core machine.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_timeout": 180},
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast; production uses scrypt
            # Hundreds of logins and registrations from one address; the throttling tests
            # make an application of their own with the limits on.
            "RATELIMIT_ENABLED": False,
            "PUBLIC_NATIONAL_STAMP_SECONDS": 0,  # a step shows at once on every page
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """A clean database for each test; rows are deleted afterwards (tests that use threads
    commit for real, so a wrapping transaction would not do)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(delete(table))


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture
def world(db):
    """The demo municipality and its people, without competitions."""
    m = loader.orozbekov()
    cast = loader.people(m)
    db.session.commit()
    return m, cast


@pytest.fixture
def build(world, db):
    """``build(state, proposals=4, paper=None, rejected=None)`` -> Run in that state."""
    m, cast = world

    def make(
        state: str = "draft",
        *,
        proposals: int = 3,
        paper: int | None = None,
        rejected: int | None = None,
        t0: datetime = T0,
    ) -> Run:
        c = new_competition(
            m,
            cast,
            t0,
            title=loader.TITLES,
            year=t0.year,
            local_budget=loader.Decimal("23000"),
            donor_pool=loader.Decimal("50000"),
            max_grant=loader.Decimal("15000"),
            min_own_share=loader.Decimal("5.00"),
            priorities=loader.PRIORITIES,
            required_documents=["application_letter", "budget"],
        )
        pairs = list(zip(cast.applicants, loader.PROPOSALS, strict=True))[:proposals]
        run = advance(Run(c, cast, t0, pairs, paper=paper, rejected=rejected), state)
        db.session.commit()  # pages are served in sessions of their own
        return run

    return make


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login(client):
    def do(login: str, password: str = loader.DEMO_PASSWORD):
        client.post("/logout")
        response = client.post("/login", data={"login": login, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do
