"""The schema is only ever made by the migrations: they must give exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from eventsvc.extensions import db


def test_migrations_have_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgraded_database_matches_the_models(app):
    """`database_uri` built the test database with `db upgrade` from nothing."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrate_is_wired_to_the_top_level_folder(app):
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    assert app.extensions["migrate"].directory.endswith("/migrations")
