"""Administrators: only they replace the shared distance table, and each replacement is audited.

Issue 13, item 10: any organiser could replace the distance table, and only a log line recorded it.
"""

import io
from pathlib import Path

from sqlalchemy import select

from eventsvc.audit.models import AuditEvent
from eventsvc.auth import service as auth
from eventsvc.compensation import distances
from eventsvc.extensions import db

from .factories import FIXTURES, ORGANISER_PASSWORD, csrf_token, login, post_form

URL = "/dashboard/compensation/distances"
TABLE = (FIXTURES / "distancier_example.csv").read_bytes()


def signed_in(app, email):
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    return client


def upload(client):
    return post_form(
        client,
        URL,
        {"file": (io.BytesIO(TABLE), "distancier.csv")},
        content_type="multipart/form-data",
    )


def replacements():
    db.session.rollback()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "distances.replaced").order_by(AuditEvent.id)
    ).all()


def test_an_organiser_who_is_not_an_administrator_cannot_replace_the_distance_table(
    app, make_organiser
):
    make_organiser("admin@example.org", admin=True)
    make_organiser("bob@example.org")
    bob = signed_in(app, "bob@example.org")
    page = bob.get(URL).get_data(as_text=True)
    assert "Seul un administrateur peut remplacer le distancier" in page
    assert 'type="file"' not in page
    # Posting anyway: refused with a message, nothing kept, nothing replaced.
    refused = upload(bob)
    assert refused.status_code == 303
    assert "Seul un administrateur peut remplacer le distancier." in bob.get(URL).get_data(True)
    uploads = Path(app.instance_path) / "distance-uploads"
    assert not list(uploads.glob("*.csv"))
    # Nor can he confirm an upload an administrator previewed.
    admin = signed_in(app, "admin@example.org")
    html = upload(admin).get_data(as_text=True)
    name = html.split('name="upload" type="hidden" value="')[1].split('"')[0]
    confirm = bob.post(f"{URL}/confirm", data={"csrf_token": csrf_token(bob, URL), "upload": name})
    assert confirm.status_code == 303
    assert distances.count() == 0 and replacements() == []


def test_an_administrator_replaces_it_and_the_audit_log_says_who_and_how_many(app, make_organiser):
    make_organiser("admin@example.org", admin=True)
    make_organiser("bob@example.org")
    admin = signed_in(app, "admin@example.org")
    html = upload(admin).get_data(as_text=True)
    name = html.split('name="upload" type="hidden" value="')[1].split('"')[0]
    token = csrf_token(admin, URL)
    assert (
        admin.post(f"{URL}/confirm", data={"csrf_token": token, "upload": name}).status_code == 303
    )
    count = distances.count()
    assert count > 0
    [entry] = replacements()
    assert entry.actor_label == "admin@example.org" and entry.event_id is None
    assert entry.details == {"pairs": count, "replaced": 0}
    # Every organiser sees when and by whom the shared table was last replaced.
    page = signed_in(app, "bob@example.org").get(URL).get_data(as_text=True)
    assert f"par admin@example.org ({count} trajets)" in page


def test_the_command_line_import_is_audited_too(app, runner):
    path = FIXTURES / "distancier_example.csv"
    result = runner.invoke(args=["compensation", "distances", "import", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    [entry] = replacements()
    assert entry.actor_label == "command-line" and entry.details["pairs"] == distances.count()


def test_accounts_get_the_flag_from_the_command_line(app, runner):
    created = runner.invoke(
        args=["users", "create", "chef@example.org", "--admin", "--password-stdin"],
        input="une phrase de passe solide\n",
    )
    assert created.exit_code == 0, created.output
    assert "Account created: chef@example.org (administrator)" in created.output
    runner.invoke(
        args=["users", "create", "agent@example.org", "--password-stdin"],
        input="une phrase de passe solide\n",
    )
    db.session.rollback()
    assert auth.find_by_email("chef@example.org").is_admin
    assert not auth.find_by_email("agent@example.org").is_admin

    granted = runner.invoke(args=["users", "set-admin", "Agent@Example.org"])
    assert granted.exit_code == 0 and "agent@example.org is an administrator" in granted.output
    db.session.rollback()
    assert auth.find_by_email("agent@example.org").is_admin
    listed = runner.invoke(args=["users", "list"]).output
    assert "active, admin" in listed.split("agent@example.org")[1].splitlines()[0]

    revoked = runner.invoke(args=["users", "set-admin", "agent@example.org", "--revoke"])
    assert "agent@example.org is no longer an administrator" in revoked.output
    db.session.rollback()
    assert not auth.find_by_email("agent@example.org").is_admin
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.startswith("account."))
    ).all()
    assert actions == [
        *("account.created", "account.admin_granted"),  # chef@, created an administrator
        "account.created",  # agent@
        *("account.admin_granted", "account.admin_revoked"),  # agent@, by set-admin
    ]

    unknown = runner.invoke(args=["users", "set-admin", "personne@example.org"])
    assert unknown.exit_code == 1 and "No account for personne@example.org." in unknown.output


def test_the_demo_account_is_an_administrator(app, runner):
    from eventsvc.demo import DEMO_ORGANISER_EMAIL

    assert runner.invoke(args=["demo"]).exit_code == 0
    db.session.rollback()
    assert auth.find_by_email(DEMO_ORGANISER_EMAIL).is_admin
