"""Migrations are the schema: they build every table the models describe, and re-running them is harmless."""

from sqlalchemy import inspect

from sabt.migrations import check, upgrade
from sabt.models import metadata


def test_the_migrated_schema_matches_the_models(ctx):
    check(ctx.settings.resolved_database_url())  # raises if a migration is missing


def test_every_table_exists(ctx):
    with ctx.db.snapshot() as session:
        tables = set(inspect(session.connection()).get_table_names())
    assert set(metadata.tables) <= tables


def test_upgrading_again_keeps_data_and_reference_rows(ctx):
    assert upgrade(ctx) == (31, 429)
    assert upgrade(ctx) == (31, 429)
