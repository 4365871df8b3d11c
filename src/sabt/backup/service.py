"""Back up the SQLite registry while it serves, and restore it from a backup.

A backup is SQLite's online backup of the registry file: a consistent snapshot taken while `sabt serve` goes
on writing, checked with SQLite's integrity check before it takes the backup's name. A restore accepts only
a sound Sabt registry of this Sabt's schema, and puts it in place the same way. PostgreSQL has its own
tools: pgBackRest, restorable to any moment (`sabt.local_cluster`).

Neither copies the keys: the ledger's and the certificates' signing keys live beside the registry (or in a
token) and are backed up on their own, as secrets.
"""

import sqlite3
from contextlib import closing
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory

from ..config import Settings
from ..migrations import alembic_config
from .copies import (
    copy_beside,
    integrity_problem,
    missing_registry_table,
    open_file,
    schema_revision,
    take_out_of_use,
    what_it_holds,
)
from .errors import (
    BackupDamaged,
    BackupFolderMissing,
    BackupIntoFolder,
    BackupNotWritten,
    BackupOnPostgresql,
    BackupOverRegistry,
    RestoreDamaged,
    RestoreInUse,
    RestoreNotRegistry,
    RestoreNotSqlite,
    RestoreRevision,
    RestoreTargetExists,
)
from .schemas import RegistryCopy


def registry_file(settings: Settings) -> Path:
    """The SQLite file the registry is kept in; a registry on PostgreSQL is refused."""
    url = settings.resolved_database_url()
    if not url.startswith("sqlite"):
        raise BackupOnPostgresql()
    return Path(url.split("///", 1)[-1])


def back_up(settings: Settings, *, destination: Path) -> RegistryCopy:
    """Copy the registry, as one consistent moment, to `destination`, replacing a file of that name only
    once the copy is complete and sound."""
    registry = registry_file(settings)
    _refuse_unwritable(registry, destination)
    with closing(open_file(registry)) as source:
        try:
            with copy_beside(source, destination) as copy:
                problem = integrity_problem(copy)
                if problem:
                    raise BackupDamaged(problem=problem)
                written = what_it_holds(copy, destination)
        except OSError as error:
            raise BackupNotWritten(field="FILE", reason=error.strerror or type(error).__name__) from None
    return written


def _refuse_unwritable(registry: Path, destination: Path) -> None:
    if destination.resolve() == registry.resolve():
        raise BackupOverRegistry(field="FILE")
    if destination.is_dir():
        raise BackupIntoFolder(field="FILE")
    if not destination.parent.is_dir():
        raise BackupFolderMissing(field="FILE")


def restore(settings: Settings, *, source: Path, replace: bool) -> RegistryCopy:
    """Put the registry in `source` (a backup) in place of the configured one. Refused, with nothing
    changed, unless `source` is a sound Sabt registry of this Sabt's schema, and unless `replace` when a
    registry is there already."""
    registry = registry_file(settings)
    if registry.exists() and not replace:
        raise RestoreTargetExists(field="--replace")
    with closing(open_file(source)) as backup:
        _check_backup(backup)
        registry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with copy_beside(backup, registry) as copy:
            restored = what_it_holds(copy, registry)
            # Last, just before the rename: a server started while the copy was made is still refused.
            if registry.exists() and not take_out_of_use(registry):
                raise RestoreInUse()
    return restored


def _check_backup(backup: sqlite3.Connection) -> None:
    try:
        problem = integrity_problem(backup)
    except sqlite3.DatabaseError:  # not a database, or one SQLite cannot even begin to read
        raise RestoreNotSqlite(field="FILE") from None
    if problem:
        raise RestoreDamaged(field="FILE", problem=problem)
    missing = missing_registry_table(backup)
    if missing:
        raise RestoreNotRegistry(field="FILE", table=missing)
    found, expected = schema_revision(backup), current_revision()
    if found != expected:
        raise RestoreRevision(field="FILE", found=found or "none", expected=expected)


@cache
def current_revision() -> str:
    """The schema revision this Sabt's migrations end at."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None  # the migrations are shipped with Sabt
    return head
