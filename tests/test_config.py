"""Configuration: safe defaults, instance file and environment, production refusals."""

import stat

import pytest
from flask import Flask, request

from initiatives import create_app
from initiatives.config import ConfigError


def test_defaults_are_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'initiatives.sqlite3'}"
    assert app.config["DEFAULT_LOCALE"] == "ky"
    assert not app.config["PRODUCTION"]


def test_instance_config_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text(
        'DATABASE_URL = "postgres://u@db/x"\nDEFAULT_LOCALE = "ru"\n'
    )
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/x"
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    assert create_app().config["DEFAULT_LOCALE"] == "en"


@pytest.mark.parametrize("key", [None, "short", "dev-only-not-secret"])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch, key):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("INITIATIVES_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    if key:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError):
        create_app()


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("INITIATIVES_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.test_client().get("/").headers["Strict-Transport-Security"]


# --- the development key: random per instance, kept in instance/secret_key ---------------


@pytest.fixture
def development(tmp_path, monkeypatch):
    """``start(folder)`` makes a development app on that instance folder, no key given."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("INITIATIVES_ENV", raising=False)

    def start(folder: str):
        monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / folder))
        return create_app()

    return start


def test_each_development_instance_makes_its_own_key_and_keeps_it(development, tmp_path):
    first, second = development("one"), development("two")
    assert first.secret_key != second.secret_key
    assert len(first.secret_key) >= 32
    kept = tmp_path / "one" / "secret_key"
    assert kept.read_text().strip() == first.secret_key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # the instance folder may be shared
    assert development("one").secret_key == first.secret_key  # a restart keeps the sessions


def test_a_session_signed_with_the_old_development_key_is_refused(development):
    app = development("fresh")
    forged = Flask("forger")
    forged.secret_key = "dev-only-not-secret"  # the key every `make run` used to share
    cookie = forged.session_interface.get_signing_serializer(forged).dumps(
        {"_user_id": "1", "_fresh": True}
    )
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        session = app.session_interface.open_session(app, request)
        assert "_user_id" not in session
    own = app.session_interface.get_signing_serializer(app).dumps({"_user_id": "1"})
    with app.test_request_context(headers={"Cookie": f"session={own}"}):
        assert app.session_interface.open_session(app, request)["_user_id"] == "1"


def test_a_configured_key_is_used_and_no_key_file_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert create_app({"SECRET_KEY": "given-by-the-test"}).secret_key == "given-by-the-test"
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert create_app().secret_key == "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_production_never_makes_a_key_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("INITIATIVES_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("k" * 64)  # left by a development run
    with pytest.raises(ConfigError):
        create_app()
