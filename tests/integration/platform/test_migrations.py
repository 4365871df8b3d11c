"""Migrations are the schema: they build every table the models describe, and re-running them is harmless."""

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select

from sabt.access.models import StaffRead
from sabt.bootstrap import open_context
from sabt.config import Settings
from sabt.geo.models import County, Province
from sabt.migrations import schema_differences, upgrade
from sabt.models import metadata
from sabt.registry.persons.models import Person
from sabt.registry.service import get_person, search_persons

from ..conftest import new_database
from ..registry.factories import adult


def test_the_migrated_schema_matches_the_models(ctx):
    assert schema_differences(ctx.settings.resolved_database_url()) == []


def test_the_migrations_build_exactly_the_models_tables(ctx):
    with ctx.db.snapshot() as session:
        tables = set(inspect(session.connection()).get_table_names())
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_upgrading_again_keeps_data_and_reference_rows(ctx, staff):
    code = adult(ctx, staff, "female", first_name="زهرا")
    assert upgrade(ctx) == (31, 429)
    assert upgrade(ctx) == (31, 429)
    with ctx.db.snapshot() as session:
        counts = [session.scalar(select(func.count()).select_from(model)) for model in (Province, County)]
    assert counts == [31, 429]
    assert get_person(ctx, actor=staff["auditor"], national_code=code).first_name == "زهرا"


def test_read_only_use_cases_read_from_the_configured_replica_and_write_to_the_primary(ctx, staff, tmp_path_factory):
    """A separate database stands in for the replica: a person only it holds is found through the read
    path, and the staff read that finding writes lands on the primary."""
    if ctx.db.is_sqlite:
        pytest.skip("replicas are a PostgreSQL deployment; SQLite is one file")
    for replica_url in new_database("postgresql", tmp_path_factory):
        replica = open_context(Settings(database_url=replica_url, data_dir=tmp_path_factory.mktemp("replica")))
        upgrade(replica)
        with replica.db.transaction() as session:
            session.add(_person_only_the_replica_holds())
        replica.db.dispose()
        separate = open_context(
            Settings(
                database_url=ctx.settings.resolved_database_url(),
                read_database_url=replica_url,
                data_dir=ctx.settings.data_dir,
            )
        )
        try:
            found = search_persons(separate, actor=staff["clerk"], name="ترانه")
            assert [person.national_code for person in found] == ["0499370899"]
            assert search_persons(ctx, actor=staff["clerk"], name="ترانه") == []  # the primary has nobody so named
            assert _codes_read_on(ctx) == ["0499370899"]
        finally:
            separate.db.dispose()


def _person_only_the_replica_holds() -> Person:
    now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    return Person(
        national_code="0499370899",
        first_name="ترانه",
        first_name_typed="ترانه",
        last_name="کریمی",
        last_name_typed="کریمی",
        sex="female",
        birth_date=dt.date(1990, 3, 1),
        birth_county_code="2301",
        birth_place="",
        birth_order=1,
        father_first_name="علی",
        father_last_name="کریمی",
        mother_first_name="مریم",
        mother_last_name="کریمی",
        revision=1,
        created_at=now,
        updated_at=now,
    )


def _codes_read_on(ctx) -> list[str]:
    with ctx.db.snapshot() as session:
        return list(session.scalars(select(StaffRead.national_code)))
