"""Pick the database and broker for a test or benchmark run before Django starts.

PostgreSQL and Redis are used when DATABASE_URL / REDIS_URL are set or answer on their default
ports on 127.0.0.1; otherwise SQLite and no Redis. HELPCENTER_TEST_BACKENDS=embedded forces the
embedded ones. Unit tests always run tasks eagerly; tests that need a real worker start one.
"""

import socket
from pathlib import Path

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/helpcenter"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def choose_backends(environ: dict) -> str:
    """Set the backend variables in ``environ`` and return the sentence that describes them."""
    if environ.get("HELPCENTER_TEST_BACKENDS", "auto") == "embedded":
        environ.pop("DATABASE_URL", None)
        environ.pop("REDIS_URL", None)
        environ.pop("CELERY_BROKER_URL", None)
    else:
        if "DATABASE_URL" not in environ and _answers("127.0.0.1", 5432):
            environ["DATABASE_URL"] = DEFAULT_POSTGRES_URL
        if "REDIS_URL" not in environ and _answers("127.0.0.1", 6379):
            environ["REDIS_URL"] = DEFAULT_REDIS_URL
    environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    environ.setdefault("HELPCENTER_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

    database_url = environ.get("DATABASE_URL", "")
    database = "PostgreSQL (DATABASE_URL)" if database_url.startswith("postgres") else "SQLite"
    redis = "Redis (REDIS_URL)" if environ.get("REDIS_URL") else "no Redis: embedded broker only"
    return f"Test backends: {database}; {redis}; unit tests run tasks eagerly, worker tests start real Celery workers."
