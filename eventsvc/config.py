"""Configuration defaults.

Order of precedence (last wins): these defaults, ``instance/config.py``, ``EVENTSVC_*`` environment
variables, then the mapping passed to ``create_app`` (tests).
"""

from __future__ import annotations

import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    # None means: SQLite file ``eventsvc.sqlite3`` in the instance folder.
    "SQLALCHEMY_DATABASE_URI": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SECRET_KEY": None,
    "CHECK_EMAIL_DELIVERABILITY": False,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ["fr", "en"],
    "COMMENT_MAX_LENGTH": 2000,
    # Files attached to invitations (agenda...): at most this size each, and this many per event.
    "INVITATION_ATTACHMENT_MAX_BYTES": 2 * 1024 * 1024,
    "INVITATION_ATTACHMENTS_MAX": 5,
    # Seconds between two checks for due automatic reminders in the mail delivery loop (worker or
    # thread); 0 leaves it to cron running `flask invitations remind-due`.
    "INVITATION_REMINDERS_EVERY": 0,
    # Replies from the calendar (README « Réponses depuis le calendrier »): the address written as
    # ORGANIZER of the invitations, where calendars send Accepter / Refuser (None: MAIL_REPLY_TO's
    # address, else MAIL_FROM's), and the IMAP mailbox of that address that eventsvc reads.
    "INVITATION_REPLIES_ADDRESS": None,
    "IMAP_HOST": None,  # None: replies are not read (except `invitations read-replies --from-file`)
    "IMAP_PORT": None,  # None: 993 for ssl, 143 otherwise
    "IMAP_SECURITY": "ssl",  # ssl (IMAPS), starttls, or none (tests on 127.0.0.1 only)
    "IMAP_USER": None,
    "IMAP_PASSWORD": None,
    "IMAP_FOLDER": "INBOX",
    "IMAP_CA_FILE": None,  # a CA bundle to trust instead of the system's (a private CA)
    "IMAP_TIMEOUT": 30,
    # Seconds between two readings of the mailbox in the mail delivery loop when IMAP_HOST is set;
    # 0 leaves it to cron running `flask invitations read-replies`.
    "INVITATION_REPLIES_EVERY": 300,
    # Seconds between two checks for the participants' reminders due (eventsvc.reminders) in the
    # mail delivery loop; 0 leaves it to cron running `flask reminders send-due`.
    "REMINDERS_EVERY": 300,
    # Base URL of links that leave the site (emails, calendars), e.g. https://inscriptions.example.fr,
    # and the only host served (other Host headers get 400). None: links on http://127.0.0.1:5000,
    # and only localhost, 127.0.0.1 and [::1] served (any port).
    "PUBLIC_BASE_URL": None,
    "WTF_CSRF_TIME_LIMIT": None,
    # The sites whose pages may show the sign-up form in a frame (/e/<slug>/embed): origins such as
    # https://www.example.fr, separated by commas or spaces; checked at start-up (no path, no
    # wildcard). Empty: the embed is not frameable anywhere (README « Formulaire intégré »).
    "EMBED_ORIGINS": "",
    # Seconds the embedded form's signed token stays valid (it replaces the session's CSRF token,
    # which a frame on another site never gets): after that, the form comes back filled in.
    "EMBED_FORM_MAX_AGE": 6 * 3600,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    # Mail: "file" writes .eml files into MAIL_FILE_DIR (None: instance/mail); "smtp" uses SMTP_*.
    "MAIL_BACKEND": "file",
    "MAIL_FILE_DIR": None,
    "MAIL_FROM": "eventsvc <no-reply@eventsvc.invalid>",
    "MAIL_REPLY_TO": None,
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_SECURITY": "starttls",  # none, starttls or ssl
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 30,
    # Webhooks: deliveries to private, loopback or link-local addresses are refused unless this
    # is set (tests, an intranet); attempts before a delivery is marked failed; seconds per try.
    "WEBHOOKS_ALLOW_PRIVATE": False,
    "WEBHOOKS_MAX_ATTEMPTS": 8,
    "WEBHOOKS_TIMEOUT": 10,
    "WEBHOOKS_BATCH_SIZE": 20,
    "MAIL_MAX_ATTEMPTS": 10,
    "MAIL_FIRST_RETRY_SECONDS": 60,
    "MAIL_BATCH_SIZE": 50,
    # A claimed batch's lease, renewed between messages while its worker lives: a dead worker's
    # messages are taken over by another within about this long.
    "MAIL_LEASE_SECONDS": 30,
    "MAIL_WORKER_INTERVAL": 2,
    # The embedded default delivers from a thread of the web process (`make run` turns it on).
    "MAIL_DELIVERY_THREAD": False,
    # Jobs (eventsvc.jobs): long work in the background. The delivery loop (worker or thread) looks
    # for due jobs every JOBS_EVERY seconds and runs them in a thread beside delivery; 0 leaves
    # them to cron running `flask jobs run`. A running job's lease is renewed with every item: a
    # dead worker's job is taken over (and resumed) by another within about JOBS_LEASE_SECONDS.
    "JOBS_EVERY": 2,
    "JOBS_LEASE_SECONDS": 30,
    # Claims of one job (its first run and each takeover) before it fails for good.
    "JOBS_MAX_ATTEMPTS": 5,
    # Above these sizes the work is a job with a progress page; at or below, it stays in the
    # request (a second or less, with its answer at once): a message's recipients (about 2 ms
    # each to compose and queue), an import's rows (about 10 ms each), an export's rows (CSV
    # streams 10,000 in about a second; XLSX takes 2 s). An export's file is kept
    # EXPORT_FILE_HOURS, or until the event's next export job.
    "MESSAGING_JOB_THRESHOLD": 200,
    # The sign-up form's class kept per process under the event's id and updated_at (false: built
    # from the event's questions on each request, as before issue 19; for bench/signup.py).
    "SIGNUP_FORM_CACHE": True,
    "IMPORT_JOB_THRESHOLD": 500,
    "EXPORT_JOB_THRESHOLD": 5000,
    "EXPORT_FILE_HOURS": 24,
    # Served over HTTPS (directly or behind a proxy that terminates it): Secure cookies, HSTS,
    # https links. Leave false for plain-http development, or the browser drops the cookies.
    "HTTPS": False,
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host to trust
    # (werkzeug ProxyFix). 0: the app is reached directly. Wrong values make every visitor share
    # the proxy's address for rate limits, or let anyone forge theirs.
    "PROXY_COUNT": 0,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Rate limits per client address (an IPv6 /64 counts as one address): Flask-Limiter strings.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",  # one count per process: use Redis with several workers
    "RATELIMIT_STRATEGY": "sliding-window-counter",
    "RATELIMIT_KEY_PREFIX": "eventsvc",
    "RATELIMIT_HEADERS_ENABLED": True,
    # A Redis outage must not stop sign-ups: limits are then skipped, and the error logged.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "SIGNUP_RATE_LIMIT": "30 per minute;300 per hour",
    "PERSONAL_LINK_RATE_LIMIT": "30 per minute;300 per hour",
    # The REST API (/api/v1): requests per token, in the same storage as the other limits; the
    # largest page a list returns.
    "API_RATE_LIMIT": "120 per minute",
    "API_PAGE_MAX": 200,
    # The organisation's own compensation scales, same format as compensation/scales.toml, added
    # to the shipped ones. None: ``scales.toml`` in the instance folder, if there is one.
    "COMPENSATION_SCALES_FILE": None,
    # Organiser sessions end after this many seconds without a request (8 hours)...
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # ... and, on the server, this many seconds after login however active they are (12 hours).
    "SESSION_MAX_AGE": 12 * 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    # Login throttling (auth/throttle.py), failures counted within the window: from this many
    # failures for one account from one client address, each further try waits 1 s, 2 s, 4 s...
    "LOGIN_FAILURES_BEFORE_DELAY": 5,
    # ... one client address is locked out after this many, whatever the accounts tried ...
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    # ... and only far past that is an account locked for everyone (`flask users unlock EMAIL`).
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 100,
    "LOGIN_FAILURE_WINDOW": 15 * 60,
    # Single sign-on with an OpenID Connect provider (ProConnect...), README « Connexion avec
    # ProConnect ». No issuer: password login only. The issuer must be https (http on a loopback
    # address only, for tests); the client id and secret are given when the service is registered.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    # ProConnect: "openid email given_name usual_name siret".
    "OIDC_SCOPES": "openid email profile",
    "OIDC_PROVIDER_NAME": "ProConnect",  # on the login button: « Se connecter avec ProConnect »
    # Email domains (gironde.fr, separated by commas or spaces) whose agents get an account at
    # their first sign-on; anyone else needs an account made by an administrator first.
    "OIDC_ALLOWED_DOMAINS": "",
    # False: no password form, and a posted password is refused (needs OIDC_ISSUER). To recover
    # when the provider is down: set it back to true and `flask users set-password EMAIL`.
    "PASSWORD_LOGIN": True,
    "LOGIN_LOCK_SECONDS": 15 * 60,
    # Rows per page of the dashboard's registrations table.
    "DASHBOARD_PAGE_SIZE": 50,
    # Personal data (README « Données personnelles »). `flask retention purge` anonymises the
    # registrations of events that ended more than RETENTION_MONTHS ago and erases sent emails
    # older than that; validated/paid compensation claims keep the payee's name and origin for
    # CLAIM_RETENTION_YEARS (accounting records: 10 years, Code de commerce L123-22).
    "RETENTION_MONTHS": 12,
    "CLAIM_RETENTION_YEARS": 10,
    # The privacy notice (/confidentialite). None: the wording says « the organiser of the
    # event » and gives each event's organiser contact.
    "PRIVACY_CONTROLLER": None,  # e.g. « Département de la Gironde, 1 esplanade ... »
    "PRIVACY_CONTACT": None,  # email or postal address for requests about personal data
    "PRIVACY_DPO_CONTACT": None,  # the data protection officer, if there is one
    # public_task (art. 6.1.e, public bodies), contract (6.1.b), legitimate_interest (6.1.f) or
    # consent (6.1.a).
    "PRIVACY_LEGAL_BASIS": "public_task",
    # Other recipients, as text (e.g. « le prestataire d'hébergement X »); the notice already
    # names the organisers, finance (compensation) and the email service.
    "PRIVACY_EXTRA_RECIPIENTS": None,
    # The organisation's name in the header of the participants' pages (« Conseil de
    # développement de Dinan Agglomération »).
    "ORGANISATION_NAME": "eventsvc",
    # The accessibility statement (/accessibilite, RGAA). Status: "non" (no complete RGAA audit
    # yet: the only honest status until one is made), "partial" or "full", as the audit found.
    "ACCESSIBILITY_STATUS": "non",
    "ACCESSIBILITY_AUDIT": None,  # e.g. « audit du 3 mars 2027 par X : 87 % des critères »
    "ACCESSIBILITY_CONTACT": None,  # email or address for an accessible alternative
    "ACCESSIBILITY_STATEMENT_DATE": None,  # ISO date the statement was made; None: STATEMENT_DATE
    # The home page (/) lists the upcoming events open for sign-up, with an iCalendar feed of
    # them (/evenements.ics). False: neither exists (404), for a service that only lends its
    # pages to the links organisers share.
    "PUBLIC_LIST": True,
}


def sqlite_uri(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "eventsvc.sqlite3")


def load_or_create_secret_key(instance_path: str) -> str:
    """Generate the key once into the instance folder so that sessions survive restarts.

    Several processes may start together (gunicorn): the file is created exclusively and the loser
    reads the winner's key.
    """
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    try:
        with open(path, "x", encoding="ascii") as handle:
            handle.write(key)
        path.chmod(0o600)
        return key
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
