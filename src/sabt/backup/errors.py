"""Refusals of backups and restores of the SQLite registry. Each says that nothing was changed."""

from ..core.errors import Conflict, InvalidInput


class BackupOnPostgresql(InvalidInput):
    code = "backup.postgresql"
    en = (
        "The registry is on PostgreSQL, which is backed up and restored with pgBackRest (full and incremental "
        "backups and archived WAL, restorable to any moment), not with sabt backup or sabt restore."
    )
    fa = (
        "پایگاه داده ثبت روی PostgreSQL است که پشتیبان‌گیری و بازگردانی آن با pgBackRest انجام می‌شود (پشتیبان "
        "کامل و افزایشی و WAL بایگانی‌شده، بازگرداندنی به هر لحظه)، نه با sabt backup یا sabt restore."
    )


class BackupNotWritten(InvalidInput):
    """The system refused the write; its reason (`strerror`) is the system's own words."""

    code = "backup.not_written"
    en = "The backup cannot be written there ({reason}); nothing was written."
    fa = "پشتیبان را نمی‌توان آنجا نوشت (پاسخ سیستم: {reason})؛ چیزی نوشته نشد."


class BackupOverRegistry(InvalidInput):
    code = "backup.is_the_registry"
    en = "FILE is the registry itself: name another file for the backup; nothing was written."
    fa = "FILE خود پایگاه داده ثبت است: برای پشتیبان فایل دیگری نام ببرید؛ چیزی نوشته نشد."


class BackupIntoFolder(InvalidInput):
    code = "backup.is_a_folder"
    en = "FILE is a folder: name the file to write in it; nothing was written."
    fa = "FILE یک پوشه است: نام فایلی را که باید در آن نوشته شود بدهید؛ چیزی نوشته نشد."


class BackupFolderMissing(InvalidInput):
    code = "backup.no_folder"
    en = "The folder FILE would be written in does not exist; nothing was written."
    fa = "پوشه‌ای که FILE باید در آن نوشته شود وجود ندارد؛ چیزی نوشته نشد."


class BackupDamaged(InvalidInput):
    code = "backup.damaged"
    en = (
        "The copy of the registry fails SQLite's integrity check ({problem}), so no backup was written: the "
        "registry itself may be damaged."
    )
    fa = (
        "رونوشت پایگاه داده ثبت از وارسی درستی SQLite رد شد ({problem})، پس پشتیبانی نوشته نشد: شاید خود پایگاه "
        "داده آسیب دیده باشد."
    )


class RestoreNotSqlite(InvalidInput):
    code = "restore.not_sqlite"
    en = "This file is not a SQLite database; nothing was restored."
    fa = "این فایل پایگاه داده SQLite نیست؛ چیزی بازگردانی نشد."


class RestoreDamaged(InvalidInput):
    code = "restore.damaged"
    en = "This file fails SQLite's integrity check ({problem}); nothing was restored."
    fa = "این فایل از وارسی درستی SQLite رد شد ({problem})؛ چیزی بازگردانی نشد."


class RestoreNotRegistry(InvalidInput):
    code = "restore.not_registry"
    en = "This SQLite database is not a Sabt registry: it has no {table} table; nothing was restored."
    fa = "این پایگاه داده SQLite پایگاه داده ثبت سبت نیست: جدول {table} را ندارد؛ چیزی بازگردانی نشد."


class RestoreRevision(InvalidInput):
    code = "restore.revision"
    en = (
        "This registry is at schema revision {found} and this Sabt's is {expected}: restore it with the Sabt "
        "that wrote it, then upgrade that one; nothing was restored."
    )
    fa = (
        "طرح این پایگاه داده ثبت در نسخه {found} است و طرح این سبت در نسخه {expected}: آن را با همان سبتی که "
        "نوشته‌اش بازگردانی و سپس ارتقا دهید؛ چیزی بازگردانی نشد."
    )


class RestoreTargetExists(Conflict):
    code = "restore.target_exists"
    en = "A registry is already here: give --replace to replace it with the backup; nothing was restored."
    fa = "اینجا پایگاه داده ثبتی هست: برای جایگزینی آن با پشتیبان ‎--replace‎ را بدهید؛ چیزی بازگردانی نشد."


class RestoreInUse(Conflict):
    code = "restore.in_use"
    en = "The registry is open in another process (sabt serve?): stop it first; nothing was restored."
    fa = "پایگاه داده ثبت در فرایند دیگری باز است (sabt serve؟): نخست آن را ببندید؛ چیزی بازگردانی نشد."
