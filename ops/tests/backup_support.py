"""Helpers for the backup tests: an empty target (database and file storage) of the same kind as
the test database, and `manage.py restore` run into it as a separate process, as an operator would."""

import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from django.db import connection

from ops.testing import PROJECT_DIR, test_database_url


@dataclass
class Target:
    database_url: str
    media_root: Path
    vendor: str
    _pg_name: str = ""

    def tables(self) -> list[str]:
        if self.vendor == "postgresql":
            with self._pg() as conn, conn.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                return [row[0] for row in cursor.fetchall()]
        path = Path(self.database_url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        conn = sqlite3.connect(path)
        try:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")]
        finally:
            conn.close()

    def query(self, sql: str) -> list[tuple]:
        if self.vendor == "postgresql":
            with self._pg() as conn, conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        conn = sqlite3.connect(self.database_url.removeprefix("sqlite:///"))
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def files(self) -> list[str]:
        if not self.media_root.exists():
            return []
        return sorted(str(p.relative_to(self.media_root)) for p in self.media_root.rglob("*") if p.is_file())

    def _pg(self):
        params = connection.get_connection_params()
        params["dbname"] = self._pg_name
        return psycopg2.connect(**params)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')


def _pg_admin(statement: str) -> None:
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def empty_target(tmp_path: Path) -> Target:
    """A new empty database beside the test database, and an empty media folder."""
    media = tmp_path / "restored-media"
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_target_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = test_database_url().rsplit("/", 1)[0] + f"/{name}"
        return Target(database_url=url, media_root=media, vendor="postgresql", _pg_name=name)
    return Target(database_url=f"sqlite:///{tmp_path / 'restored.sqlite3'}", media_root=media, vendor="sqlite")


def manage(*args: str, target: Target, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run manage.py with the target's database and storage, as an operator would."""
    import os

    environment = dict(os.environ)
    environment.pop("CELERY_TASK_ALWAYS_EAGER", None)
    environment.pop("BACKUP_ENCRYPTION_KEY", None)
    environment.update(DATABASE_URL=target.database_url, MEDIA_ROOT=str(target.media_root), **(env or {}))
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
