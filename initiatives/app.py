"""The application factory: config -> extensions -> blueprints -> cli -> errors."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from flask import Flask
from markupsafe import escape
from werkzeug.middleware.proxy_fix import ProxyFix

from initiatives import config as config_module
from initiatives.auth import throttle
from initiatives.extensions import babel, compress, csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(config_module.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment(os.environ))
    app.config.update(config or {})
    config_module.finalize(app.config, app.instance_path)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # The visitor's address and scheme as the proxy saw them: the login limit counts
        # per visitor, and redirects and cookies know the site is served over HTTPS.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_extensions(app)
    from initiatives.routes import install_converters, install_request_checks

    install_converters(app)
    install_request_checks(app)
    _register_blueprints(app)
    throttle.install(app)
    from initiatives.auth import sessions as user_sessions

    user_sessions.install(app)
    from initiatives.admin.staff import install_throttle as throttle_join_codes

    throttle_join_codes(app)
    from initiatives.public import cache as public_pages

    public_pages.install(app)
    _register_cli(app)
    from initiatives import errors, web

    errors.register(app)
    web.register(app)
    _settle_memory(app)
    return app


def _settle_memory(app: Flask) -> None:
    """Move what lives as long as the process (modules, the app, translations, compiled
    templates) out of the garbage collector's sight, now and again after the first
    request, which compiles the most.

    A page that loads a thousand applications makes tens of thousands of objects; each
    of the few full collections they trigger walked the whole heap, some 280,000
    objects: 450 ms of a 1.8 s ranking page. Frozen objects are never collected, which
    these are not anyway; under gunicorn it also keeps the workers' pages shared."""
    gc.collect()
    gc.freeze()
    settled = []

    @app.teardown_request
    def settle_after_first_request(_exc):
        if not settled:
            settled.append(True)
            gc.collect()
            gc.freeze()


def _init_extensions(app: Flask) -> None:
    import initiatives.models  # noqa: F401 - every table known before migrations run
    from initiatives.auth.loader import load_user
    from initiatives.i18n import select_locale

    # First, so that its after_request runs last: it compresses the finished response.
    compress.init_app(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    _escape_template_translations(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why by itself


def _escape_template_translations(app: Flask) -> None:
    """Make a template's ``_(x)`` escape what it returns.

    Jinja's new-style gettext marks the translation safe. That is harmless for message ids
    written in the code, but pages also pass words someone typed (a priority, a document
    title, a participant group) through ``_()`` so that known ones are translated; an
    unknown one comes back unchanged and, marked safe, would reach the page as HTML. No
    message or translation contains markup, so escaping the result never changes a real
    message.
    """
    from flask_babel import get_translations

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: escape(get_translations().ugettext(s)),
        ngettext=lambda s, p, n: escape(get_translations().ungettext(s, p, n)),
        newstyle=True,
        pgettext=lambda c, s: escape(get_translations().upgettext(c, s)),
        npgettext=lambda c, s, p, n: escape(get_translations().unpgettext(c, s, p, n)),
    )


def _register_blueprints(app: Flask) -> None:
    from initiatives.admin.staff import bp as staff_bp
    from initiatives.admin.views import bp as admin_bp
    from initiatives.api.views import bp as api_bp
    from initiatives.applications.paper import bp as paper_bp
    from initiatives.applications.screening import bp as screening_bp
    from initiatives.applications.views import bp as applications_bp
    from initiatives.auth.account import bp as account_bp
    from initiatives.auth.recovery import bp as recovery_bp
    from initiatives.auth.views import bp as auth_bp
    from initiatives.competitions.invitations import bp as invitations_bp
    from initiatives.competitions.setup import bp as setup_bp
    from initiatives.competitions.views import bp as competitions_bp
    from initiatives.documents.views import bp as documents_bp
    from initiatives.grants.views import bp as grants_bp
    from initiatives.lifecycle.views import bp as lifecycle_bp
    from initiatives.municipalities.views import bp as municipalities_bp
    from initiatives.notifications.views import bp as notifications_bp
    from initiatives.oversight.views import bp as oversight_bp
    from initiatives.public.views import bp as public_bp
    from initiatives.scoring.views import bp as scoring_bp
    from initiatives.sms.views import bp as sms_bp

    for bp in (
        public_bp,
        auth_bp,
        account_bp,
        recovery_bp,
        competitions_bp,
        setup_bp,
        invitations_bp,
        lifecycle_bp,
        documents_bp,
        municipalities_bp,
        applications_bp,
        paper_bp,
        screening_bp,
        scoring_bp,
        grants_bp,
        notifications_bp,
        oversight_bp,
        api_bp,
        sms_bp,
        admin_bp,
        staff_bp,
    ):
        app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from initiatives.cli import register

    register(app)
