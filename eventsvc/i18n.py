"""Language choice and the date formats of pages, always in the event's own time zone."""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date, format_time
from flask import current_app, has_request_context, request
from flask_babel import get_locale

from .common.wording import amount_text, number_text
from .embedding import is_embedded

LANGUAGE_COOKIE = "lang"


def select_locale() -> str | None:
    """Outside a request (CLI commands, workers) the default language: None."""
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or languages[0]


def remember_language(response):
    """A ``?lang=`` link switches the language and the choice sticks, without any script."""
    asked = request.args.get("lang")
    if is_embedded():
        return response  # no cookie in a frame on another site: ``lang`` stays in the address
    if asked in current_app.config["LANGUAGES"] and request.cookies.get(LANGUAGE_COOKIE) != asked:
        response.set_cookie(
            LANGUAGE_COOKIE,
            asked,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def long_date(value: datetime | date, zone=None) -> str:
    """« mercredi 9 décembre 2026 »; a datetime is first put in the event's zone."""
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    return format_date(value, format="full", locale=get_locale())


def short_time(value: datetime | time, zone=None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(zone).time() if zone else value.time()
    return format_time(value, format="short", locale=get_locale())


def weekday_date(value: datetime | date, zone=None) -> str:
    """« mardi 12 mai »: the day of a part, in the event's zone, without the year."""
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    return format_date(value, format="EEEE d MMMM", locale=get_locale())


def clock(value: datetime | time, zone=None) -> str:
    """« 09 h 00 » in French, as the short time elsewhere (« 09:00 »)."""
    if isinstance(value, datetime):
        value = value.astimezone(zone).time() if zone else value.time()
    if str(get_locale()).startswith("fr"):
        return f"{value.hour:02d} h {value.minute:02d}"
    return format_time(value, format="short", locale=get_locale())


def init_app(app) -> None:
    app.after_request(remember_language)
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_time"] = short_time
    app.jinja_env.filters["weekday_date"] = weekday_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["part_label"] = part_label
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["amount"] = amount
    app.jinja_env.globals["get_locale"] = get_locale


def part_label(part) -> str:
    """« Après-midi (14:00–17:00) », with the day when the event spans several."""
    zone = part.event.zone
    hours = f"{short_time(part.starts_at, zone)}–{short_time(part.ends_at, zone)}"
    if len(part.event.days) > 1:
        return f"{part.label} ({long_date(part.starts_at, zone)}, {hours})"
    return f"{part.label} ({hours})"


def number(value) -> str:
    """« 15,6 », « 2 000 » in the page's language."""
    return number_text(value, str(get_locale()))


def amount(value) -> str:
    """« 56,20 € »: always the cents."""
    return amount_text(value, str(get_locale()))
