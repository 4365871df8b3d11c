"""Migrations are the schema: they build every table the models describe, and re-running them is harmless."""

import pytest
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


def test_read_only_use_cases_read_from_the_configured_replica(ctx, staff):
    from sabt.config import Settings
    from sabt.registry.persons import search_persons
    from sabt.wiring import open_context

    if ctx.db.is_sqlite:
        pytest.skip("replicas are a PostgreSQL deployment; SQLite is one file")
    url = ctx.settings.resolved_database_url()
    replica = url.replace("127.0.0.1", "localhost")  # the same server under another name stands in for a replica
    separate = open_context(Settings(database_url=url, read_database_url=replica))
    try:
        assert separate.db.reader.kw["bind"].url.host == "localhost"
        assert separate.db.writer.kw["bind"].url.host == "127.0.0.1"
        assert search_persons(separate, actor=staff["clerk"], name="نیست") == []
    finally:
        separate.db.dispose()
