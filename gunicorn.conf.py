"""gunicorn settings for production: `make serve-prod`, or `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment (or on the command line, which wins).
The app reads its own settings from EVENTSVC_* variables and instance/config.py (see README).
"""

import multiprocessing
import os

wsgi_app = "eventsvc:create_app()"

# Behind a reverse proxy on the same machine: listen on loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a sign-up is short and mostly waits on the database. Two per core plus one is
# gunicorn's own advice; each worker holds its own small pool of database connections.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200

# Not preloaded: each worker builds its own app and opens its own connections after the fork.
preload_app = False

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Personal-link tokens never reach the log (also in the Referer), and no query strings.
logger_class = "eventsvc.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(f)s"'
