"""Start real Celery worker and beat processes for tests, pointed at the test database.

Tests use these to prove behaviour through a real broker and worker rather than eager calls.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import kombu.pools
from celery import Celery
from django.conf import settings
from django.db import connection

from helpcenter.celery import app as celery_app

PROJECT_DIR = Path(settings.BASE_DIR)


def test_database_url() -> str:
    """The URL of the database this test process is using, for a child process to open."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Broker:
    """A broker for one test: the embedded folder broker in a temporary folder, or Redis."""

    url: str
    var_dir: Path
    transport_options: dict = field(default_factory=dict)

    @classmethod
    def embedded(cls, var_dir: Path) -> "Broker":
        queue, control = var_dir / "broker" / "queue", var_dir / "broker" / "control"
        queue.mkdir(parents=True, exist_ok=True)
        control.mkdir(parents=True, exist_ok=True)
        options = {"data_folder_in": str(queue), "data_folder_out": str(queue), "control_folder": str(control)}
        return cls(url="filesystem://", var_dir=var_dir, transport_options=options)

    @classmethod
    def redis(cls, url: str, var_dir: Path) -> "Broker":
        return cls(url=url, var_dir=var_dir)

    def child_environment(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        env.update(
            DATABASE_URL=test_database_url(),
            HELPCENTER_VAR_DIR=str(self.var_dir),
            # Every process shares one file store, as web and worker hosts share the bucket.
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            CELERY_BROKER_URL=self.url,
            HEARTBEAT_INTERVAL_SECONDS="2",
            PYTHONUNBUFFERED="1",
        )
        if self.url == "filesystem://":
            env.pop("REDIS_URL", None)
        env.update(extra)
        return env

    def send(self, task_name: str, *, queue: str, kwargs: dict) -> None:
        """Publish a task by name, as the web process would, to this broker."""
        producer = Celery("test-producer", broker=self.url, set_as_current=False)
        producer.conf.broker_transport_options = self.transport_options
        with producer:
            producer.send_task(task_name, kwargs=kwargs, queue=queue)


@dataclass
class CeleryProcess:
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def unique_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def start_worker(broker: Broker, *, queue: str = "celery", name: str = "", **env: str) -> CeleryProcess:
    log_path = broker.var_dir / f"worker-{queue}{name}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "helpcenter", "worker",
        "--pool", "solo", "--queues", queue, "--hostname", f"{queue}{name}@%h",
        "--without-mingle", "--without-gossip", "--loglevel", "INFO",
    ]  # fmt: skip
    return _start(command, broker, log_path, env)


def start_beat(broker: Broker, *, name: str = "", **env: str) -> CeleryProcess:
    log_path = broker.var_dir / f"beat{name}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "helpcenter", "beat", "--loglevel", "INFO",
        "--schedule", str(broker.var_dir / f"celerybeat-schedule{name}"),
    ]  # fmt: skip
    return _start(command, broker, log_path, env)


def run_django(code: str, broker: Broker, *, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a separate Django process (as a web server would), on the test
    database and ``broker``."""
    program = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", program], cwd=PROJECT_DIR, env=broker.child_environment(**env),
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _start(command: list[str], broker: Broker, log_path: Path, env: dict[str, str]) -> CeleryProcess:
    log = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=broker.child_environment(**env), stdout=log, stderr=subprocess.STDOUT
    )
    return CeleryProcess(process=process, log_path=log_path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateRedis:
    """A Redis server of the test's own, so the test can stop and start it."""

    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.folder)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, timeout=20, what="the private Redis server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def own_broker(var_dir: Path) -> Iterator[Broker]:
    """A broker for one test: a Redis server of its own when redis-server is installed, else the
    embedded folder broker; the server is stopped afterwards."""
    if shutil.which("redis-server") is None:
        yield Broker.embedded(var_dir)
        return
    server = PrivateRedis(port=free_port(), folder=var_dir)
    server.start()
    try:
        yield Broker.redis(server.url, var_dir)
    finally:
        server.stop()


@contextmanager
def celery_sends_to(broker: Broker) -> Iterator[None]:
    """Make this process's task sends (a live server's, or a test's own requests) go to
    ``broker`` instead of running eagerly; put everything back afterwards."""
    conf = celery_app.conf
    keys = ("task_always_eager", "broker_url", "broker_write_url", "broker_transport_options")
    saved = {key: conf.get(key) for key in keys}
    _drop_cached_connections()
    # broker_write_url as well: it is what senders use, and it wins over a CELERY_BROKER_URL
    # in the environment.
    conf.update(
        task_always_eager=False,
        broker_url=broker.url,
        broker_write_url=broker.url,
        broker_transport_options=broker.transport_options,
    )
    try:
        yield
    finally:
        _drop_cached_connections()
        conf.update(saved)


def _drop_cached_connections() -> None:
    # What Celery does after a fork, and more: Kombu keeps one pool per broker address in a
    # registry, so a pool closed here would be handed out again; empty the registry too.
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def lock_waiters() -> int:
    """How many connections to the test database wait on a lock now (for tests of two requests
    racing: commit the first only once the second waits on it)."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps its first view of pg_stat_activity: ask for a new one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until(condition: Callable[[], bool], *, timeout: float = 60, what: str = "condition") -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
