"""Configuration: safe defaults, instance file and environment, production refusals."""

import pytest

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
