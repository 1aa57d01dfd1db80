import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from eventsvc.demo import DEMO_SLUG
from eventsvc.events.models import Event
from eventsvc.extensions import db


def test_demo_creates_one_realistic_event_and_prints_its_address(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert f"http://127.0.0.1:5000/e/{DEMO_SLUG}" in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count(Event.id))) == 1

    event = db.session.scalar(select(Event))
    assert [part.label for part in event.parts] == ["Matin", "Après-midi"]
    assert event.parts[0].starts_at < event.parts[1].starts_at
    assert len(event.questions) >= 2
    assert client.get(f"/e/{DEMO_SLUG}").status_code == 200


def test_console_script_is_the_flask_group(tmp_path):
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "eventsvc"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"EVENTSVC_INSTANCE_PATH": str(tmp_path), "PATH": str(bin_dir)},
    )
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "db" in result.stdout
