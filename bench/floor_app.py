"""The floor: the least a sign-up can cost on the same stack (Flask, gunicorn, same database).

GET answers a tiny form; POST inserts one row and redirects. No validation, no templates, no
ORM, no capacity lock. Configured by BENCH_FLOOR_DATABASE: a SQLite file path (WAL, busy
timeout, BEGIN IMMEDIATE, as the app does) or a postgresql:// URI (psycopg 3, autocommit).
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, redirect, request

DATABASE = os.environ["BENCH_FLOOR_DATABASE"]
POSTGRES = DATABASE.startswith("postgresql://")
FORM = (
    '<!doctype html><title>floor</title><form method="post">'
    '<input name="csrf_token" type="hidden" value="floor">'
    '<input name="email"><button>ok</button></form>'
)

app = Flask(__name__)
_local = threading.local()


def connection():
    if getattr(_local, "connection", None) is None:
        if POSTGRES:
            import psycopg

            _local.connection = psycopg.connect(DATABASE, autocommit=True)
        else:
            _local.connection = sqlite3.connect(DATABASE, isolation_level=None, timeout=30)
            _local.connection.execute("PRAGMA journal_mode = WAL")
            _local.connection.execute("PRAGMA synchronous = NORMAL")
    return _local.connection


def create_table() -> None:
    kind = "SERIAL" if POSTGRES else "INTEGER"
    db = connection()
    if POSTGRES:  # gunicorn's workers start together: CREATE ... IF NOT EXISTS races on PG
        db.execute("SELECT pg_advisory_lock(4242)")
    db.execute(f"CREATE TABLE IF NOT EXISTS floor_signups (id {kind} PRIMARY KEY, email TEXT)")
    db.close()
    _local.connection = None


@app.get("/e/<slug>")
def form(slug):
    return FORM


@app.post("/e/<slug>")
def submit(slug):
    email = request.form.get("email", "")
    db = connection()
    if POSTGRES:
        db.execute("INSERT INTO floor_signups (email) VALUES (%s)", (email,))
    else:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO floor_signups (email) VALUES (?)", (email,))
        db.execute("COMMIT")
    return redirect(f"/e/{slug}", code=303)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


def create_app():
    create_table()
    return app
