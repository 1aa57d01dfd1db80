"""eventsvc: registration and attendance for workshops and meetings."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template, request

from . import config as defaults
from .database import create_private_sqlite_file, install_sqlite_policy, normalise_database_uri
from .embedding import parse_origins
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .hosts import check_base_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    instance_path = (
        (config or {}).get("INSTANCE_PATH")
        or os.environ.get("EVENTSVC_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_domain_events(app)
    register_error_pages(app)
    register_commands(app)
    if app.config["MAIL_DELIVERY_THREAD"] and not app.config.get("TESTING"):
        from .mail.worker import start_background_thread

        app.extensions["eventsvc.mail_thread"] = start_background_thread(app)
    return app


def configure(app: Flask, overrides: dict | None) -> None:
    app.config.from_mapping(defaults.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("EVENTSVC")
    if overrides:
        app.config.from_mapping(overrides)
    # Owner only: it holds the database, the secret key, mail files and uploads.
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or defaults.sqlite_uri(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_uri(uri)
    app.config["PUBLIC_BASE_URL"] = check_base_url(app.config["PUBLIC_BASE_URL"])
    from .site import check_accessibility_settings

    check_accessibility_settings(app.config)
    from .auth import oidc

    oidc.init_app(app)  # single sign-on: settings checked here, provider registered
    app.config["EMBED_ORIGINS"] = parse_origins(app.config["EMBED_ORIGINS"])
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    if not app.config["MAIL_FILE_DIR"]:
        app.config["MAIL_FILE_DIR"] = os.path.join(app.instance_path, "mail")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = defaults.load_or_create_secret_key(app.instance_path)


def register_extensions(app: Flask) -> None:
    from . import embedding, i18n, links, redaction, security
    from .common import markdown_text

    redaction.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    embedding.init_app(app)
    app.jinja_env.globals["external_url"] = links.external_url  # a link to share: configured host
    # The organiser's own text in emails (Markdown subset, never HTML): HTML part, text part.
    app.jinja_env.filters["markdown_html"] = markdown_text.to_html
    app.jinja_env.filters["markdown_plain"] = markdown_text.to_plain
    with app.app_context():
        install_sqlite_policy(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    # Import every model so that Alembic and relationship strings see them.
    from .api import models as _api  # noqa: F401
    from .attendance import models as _attendance  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .compensation import models as _compensation  # noqa: F401
    from .events import models as _events  # noqa: F401
    from .invitations import models as _invitations  # noqa: F401
    from .invitations import models_bodies as _bodies  # noqa: F401
    from .jobs import models as _jobs  # noqa: F401
    from .mail import models as _mail  # noqa: F401
    from .messaging import models as _messaging  # noqa: F401
    from .registrations import models as _registrations  # noqa: F401
    from .reminders import models as _reminders  # noqa: F401
    from .webhooks import models as _webhooks  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from . import site
    from .api import bp as api
    from .api import organiser as api_pages
    from .auth.oidc_views import bp as sso
    from .auth.views import bp as auth
    from .compensation.public import bp as compensation
    from .dashboard import bp as dashboard
    from .participant.invitation import bp as invitations
    from .participant.public import bp as public

    app.register_blueprint(site.bp)
    # The API authenticates by a token in a header, never a cookie: no CSRF to defend against.
    csrf.exempt(api)
    app.register_blueprint(api)
    # The API tokens' dashboard pages (the dashboard may not import its sibling ``api``).
    api_pages.register_on_dashboard(dashboard)
    app.register_blueprint(public)
    app.register_blueprint(compensation)
    app.register_blueprint(auth)
    app.register_blueprint(sso)
    app.register_blueprint(dashboard)
    app.register_blueprint(invitations)


def register_domain_events(app: Flask) -> None:
    """Domains subscribe to each other's events (``signals``) and register their periodic jobs."""
    from . import attendance, invitations, jobs, messaging, registrations, reminders, webhooks
    from .compensation import catalogue, registration_travel, sheet_transport
    from .events import forms as event_forms

    jobs.init_app(app)
    registrations.init_app(app)
    attendance.init_app(app)
    messaging.init_app(app)
    invitations.init_app(app)
    reminders.init_app(app)
    webhooks.init_app(app)
    # The event form lists compensation's scales (events may not import compensation).
    event_forms.use_scales(catalogue.available_scales)
    # The sign-in sheet pre-ticks the transport declared (attendance may not import compensation).
    sheet_transport.wire()
    # The registrations table shows each row's travel declaration (same reason).
    registration_travel.wire()


def register_error_pages(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from .api import bp as api_bp
    from .api import problems as api_problems

    @app.errorhandler(404)
    def not_found(_error):
        if request.path.startswith(api_bp.url_prefix + "/"):
            # An address of the API that matches no route: its kind of answer, not a page.
            return api_problems.response(api_problems.ApiProblem("not-found"))
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        # Routing errors reach no blueprint's handler: the API's clients get problem+json too,
        # with the methods the address does accept.
        if not request.path.startswith(api_bp.url_prefix + "/"):
            return error
        answer = api_problems.response(api_problems.ApiProblem("method-not-allowed"))
        if error.valid_methods:
            answer.headers["Allow"] = ", ".join(error.valid_methods)
        return answer

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/413.html"), 413

    @app.errorhandler(429)
    def too_many_requests(_error):
        return render_template("errors/429.html"), 429

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/500.html"), 500


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
