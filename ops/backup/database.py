"""The database side of a backup: a consistent snapshot, its dump, and putting a dump back.

PostgreSQL: one REPEATABLE READ transaction exports its snapshot; pg_dump (custom format) dumps
exactly that snapshot, and the row counts and the list of files the rows refer to are read in
the same transaction. So the archive's files are the ones the dump refers to, however many
filings arrive meanwhile. The embedded SQLite: the online backup API copies the database file
whole in one step, and counts and file references are read from that copy.
"""

import os
import re
import shutil
import sqlite3

# pg_dump and pg_restore run with argument lists, never through a shell.
import subprocess  # nosec B404
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection, connections
from django.db.models import FileField

from ops.backup.errors import ArchiveError, TargetNotEmpty


def vendor() -> str:
    return connection.vendor


def file_columns() -> list[tuple[str, str, str]]:
    """(label, table, column) of every FileField (and subclass, such as ImageField) of every model."""
    columns = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, FileField):
                columns.append((f"{model._meta.label}.{model_field.name}", model._meta.db_table, model_field.column))
    return sorted(set(columns))


@dataclass
class Snapshot:
    """What the backup needs from one consistent moment of the database."""

    dump_path: Path
    tool: str
    server_version: str
    migrations: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    file_references: set[str] = field(default_factory=set)


def _read_state(cursor, snapshot: Snapshot, table_names: list[str], quote) -> None:
    for table in sorted(table_names):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  names from the catalog, quoted
        snapshot.row_counts[table] = cursor.fetchone()[0]
    if "django_migrations" in snapshot.row_counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        snapshot.migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    for _label, table, column in file_columns():
        if table not in snapshot.row_counts:
            continue
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"  # noqa: S608  model metadata, quoted
        )
        while rows := cursor.fetchmany(2000):
            snapshot.file_references.update(row[0] for row in rows)


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_settings() -> dict:
    return connections["default"].settings_dict


def _pg_args() -> list[str]:
    db = _pg_settings()
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432)]
    if db["USER"]:
        args += ["--username", db["USER"]]
    return [*args, "--no-password", "--dbname", db["NAME"]]


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    if _pg_settings()["PASSWORD"]:
        env["PGPASSWORD"] = _pg_settings()["PASSWORD"]
    return env


def _tool_major(tool: str) -> tuple[str, int]:
    path = shutil.which(tool)
    if path is None:
        raise ArchiveError(
            f"{tool} is not installed: install the PostgreSQL client tools (apt-get install postgresql-client)."
        )
    text = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return text, int(match.group(1)) if match else 0


def _pg_run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=_pg_env())  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line][-5:]
        raise ArchiveError(f"{what} failed: " + " / ".join(lines))


def _pg_new_connection():
    wrapper = connections["default"]
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    raw.autocommit = False
    return raw


@contextmanager
def snapshot(folder: Path) -> Iterator[Snapshot]:
    if vendor() == "postgresql":
        with _pg_snapshot(folder) as result:
            yield result
    elif vendor() == "sqlite":
        yield _sqlite_snapshot(folder)
    else:
        raise ArchiveError(f"Backups support PostgreSQL and SQLite, not {vendor()}.")


@contextmanager
def _pg_snapshot(folder: Path) -> Iterator[Snapshot]:
    tool, tool_major = _tool_major("pg_dump")
    raw = _pg_new_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT current_setting('server_version'), current_setting('server_version_num')::int / 10000")
        server_version, server_major = cursor.fetchone()
        # pg_dump refuses a newer server, and an older pg_dump would miss what it cannot read.
        if tool_major < server_major:
            raise ArchiveError(
                f"{tool} is older than the PostgreSQL server ({server_version}): install the client tools "
                f"of version {server_major} or newer."
            )
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        result = Snapshot(dump_path=folder / "postgresql.dump", tool=tool, server_version=server_version)
        _pg_run(
            ["pg_dump", *_pg_args(), "--format=custom", f"--snapshot={snapshot_id}", f"--file={result.dump_path}"],
            "pg_dump",
        )
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row[0] for row in cursor.fetchall()]
        _read_state(cursor, result, tables, connection.ops.quote_name)
        yield result
    finally:
        raw.rollback()
        raw.close()


def pg_check_dump(path: Path) -> None:
    """pg_restore reads the dump's table of contents: a dump it cannot read is refused now."""
    _tool_major("pg_restore")
    _pg_run(["pg_restore", "--list", str(path)], "Reading the database dump (pg_restore --list)")


def _pg_table_count() -> int:
    raw = _pg_new_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()")
        return cursor.fetchone()[0]
    finally:
        raw.rollback()
        raw.close()


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(connections["default"].settings_dict["NAME"])


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in rows]


def _sqlite_snapshot(folder: Path) -> Snapshot:
    result = Snapshot(dump_path=folder / "sqlite3.db", tool=f"sqlite3 {sqlite3.sqlite_version}", server_version="")
    source = sqlite3.connect(_sqlite_path(), timeout=60)
    target = sqlite3.connect(result.dump_path)
    try:
        # pages=-1 copies the whole database in one step, under one read transaction: a
        # consistent moment even while the web and worker processes keep writing (WAL).
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")
        _read_state(target.cursor(), result, _sqlite_tables(target), lambda name: '"' + name.replace('"', '""') + '"')
    finally:
        target.close()
        source.close()
    return result


def sqlite_check_file(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"The database copy in the archive is not a readable SQLite database ({error}).") from None
    if verdict != "ok":
        raise ArchiveError(f"The database copy in the archive fails SQLite's integrity check: {verdict}")


# --- Restore -------------------------------------------------------------------------------------


def target_check_empty() -> None:
    """Refuse unless the configured database has no tables at all."""
    connections["default"].close()
    if vendor() == "postgresql":
        count = _pg_table_count()
        where = f"the PostgreSQL database {_pg_settings()['NAME']!r}"
    else:
        path = _sqlite_path()
        count = 0
        if path.exists() and path.stat().st_size:
            conn = sqlite3.connect(path)
            try:
                count = len(_sqlite_tables(conn))
            finally:
                conn.close()
        where = f"the SQLite database {path}"
    if count:
        raise TargetNotEmpty(
            f"Refused: {where} already has {count} tables. A restore only writes into an empty database, "
            "so that nothing is mixed or overwritten: create a new empty database and point DATABASE_URL at it."
        )


def restore_dump(path: Path, database_vendor: str) -> None:
    """Load a verified dump into the empty target, all or nothing."""
    if database_vendor != vendor():
        raise ArchiveError(
            f"The archive holds a {database_vendor} database but this portal is configured for {vendor()}: "
            "restore it into the same kind of database."
        )
    connections["default"].close()
    if vendor() == "postgresql":
        _tool_major("pg_restore")
        _pg_run(
            [
                "pg_restore",
                *_pg_args(),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                str(path),
            ],
            "pg_restore",
        )
        return
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()


def row_counts() -> dict[str, int]:
    connections["default"].close()
    if vendor() == "postgresql":
        raw = _pg_new_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in sorted(tables):
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
            return counts
        finally:
            raw.rollback()
            raw.close()
    conn = sqlite3.connect(_sqlite_path())
    try:
        return {
            table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in sorted(_sqlite_tables(conn))
        }
    finally:
        conn.close()


def target_wipe() -> None:
    """Empty the target database again after a restore that failed its final checks."""
    connections["default"].close()
    if vendor() == "postgresql":
        raw = _pg_new_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            for (table,) in cursor.fetchall():
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
            cursor.execute(
                "SELECT 'DROP ' || CASE WHEN p.prokind = 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || "
                "p.oid::regprocedure::text || ' CASCADE' FROM pg_proc p "
                "WHERE p.pronamespace = current_schema()::regnamespace"
            )
            for (statement,) in cursor.fetchall():
                cursor.execute(statement)
            cursor.execute(
                "SELECT 'DROP SEQUENCE IF EXISTS ' || quote_ident(sequencename) || ' CASCADE' "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
            for (statement,) in cursor.fetchall():
                cursor.execute(statement)
            raw.commit()
        finally:
            raw.close()
        return
    path = _sqlite_path()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
