"""Alembic migrations are the schema. `upgrade` brings any database (empty or not) to the latest one and
loads the shipped reference geography; `schema_differences` lists what the models and the migrations disagree on."""

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from ..context import Context
from ..geo.service import sync_reference_data
from ..models import metadata


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("sabt") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(ctx: Context) -> tuple[int, int]:
    """Migrate to head and load reference data; returns the number of provinces and counties."""
    command.upgrade(alembic_config(ctx.db.url), "head")
    with ctx.db.transaction() as session:
        return sync_reference_data(session)


def schema_differences(url: str) -> list[Any]:
    """What the models describe that the migrated database at `url` does not have (alembic's autogenerate
    comparison, as `alembic check` makes it): empty when no migration is missing."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def missing_registry(url: str) -> str | None:
    """Why no registry is at `url` (no database there, or one never upgraded), or None; creates nothing, so a
    command run in the wrong folder leaves no empty database behind."""
    where = make_url(url).render_as_string(hide_password=True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path != ":memory:" and not Path(path).is_file():
            return f"no registry at {path}"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return f"the database at {where} holds no registry"
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"cannot open the database at {where}: {reason}"
    finally:
        engine.dispose()
    return None
